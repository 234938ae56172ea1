"""Staff accounts: users, their memberships, API tokens and two-factor authentication."""

import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import tokens
from ..models import ApiToken, Membership, Organisation, Role, Team, User
from .audit import record_audit


@transaction.atomic
def create_staff_user(
    *,
    by: User | None,
    username: str,
    password: str | None,
    first_name: str,
    last_name: str,
    email: str = "",
    memberships: Iterable[tuple[Organisation, str]] = (),
    password_hash: str | None = None,
) -> User:
    """Create a member of staff with one or more (organisation, role) memberships.

    ``password_hash`` lets a bulk loader reuse one Argon2 hash for many demo users.
    """
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"Username '{username}' is taken"})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password_hash:
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = any(role == Role.SYSTEM_ADMIN for _, role in memberships)
    user.is_superuser = user.is_staff
    user.save()
    for organisation, role in memberships:
        add_membership(by=by, user=user, organisation=organisation, role=role)
    record_audit(by=by, action="user.create", object_type="user", object_id=user.pk)
    return user


@transaction.atomic
def set_known_password(*, by: User | None, usernames: Iterable[str], password_hash: str) -> int:
    """Give staff loaded from a file (who have no password yet) one known password, as
    the demo's logins share one; and, as ``create_staff_user`` does, give those with a
    System admin role Django's admin site. For demos and tests: a live system's staff set
    their own password from the link the staff file sends."""
    users = list(User.objects.filter(username__in=list(usernames)))
    admins = set(
        Membership.objects.filter(user__in=users, role=Role.SYSTEM_ADMIN, active=True).values_list(
            "user_id", flat=True
        )
    )
    for user in users:
        user.password = password_hash
        user.is_staff = user.is_superuser = user.pk in admins
    User.objects.bulk_update(users, ["password", "is_staff", "is_superuser"])
    for user in users:
        record_audit(by=by, action="user.set_known_password", object_type="user", object_id=user.pk)
    return len(users)


@transaction.atomic
def add_membership(
    *, by: User | None, user: User, organisation: Organisation, role: str, team: Team | None = None
) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role '{role}'"})
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, role=role, defaults={"team": team, "active": True}
    )
    if not user.is_active:
        # Someone deactivated everywhere who now works here again.
        user.is_active = True
        user.save(update_fields=["is_active"])
    record_audit(
        by=by,
        organisation=organisation,
        action="membership.add",
        object_type="user",
        object_id=user.pk,
        detail={"role": role},
    )
    return membership


@transaction.atomic
def create_api_token(*, by: User | None, user: User, organisation: Organisation) -> str:
    """Make a bearer token for ``user`` acting for ``organisation``; return it once."""
    if not user.memberships.filter(organisation=organisation, active=True).exists():
        raise ValidationError({"organisation": f"{user.username} does not work for {organisation}"})
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, organisation=organisation, token_hash=tokens.digest(token))
    record_audit(
        by=by,
        organisation=organisation,
        action="api_token.create",
        object_type="user",
        object_id=user.pk,
    )
    return token


@transaction.atomic
def start_two_factor_setup(*, by: User, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator (made once), to show as a QR code."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
        record_audit(
            by=by,
            action="user.2fa_setup_started",
            object_type="user",
            object_id=user.pk,
        )
    return device


@transaction.atomic
def confirm_two_factor(*, by: User, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_audit(
        by=by,
        action="user.2fa_confirmed",
        object_type="user",
        object_id=device.user_id,
    )
