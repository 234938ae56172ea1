"""Organisation administration: admins add staff, change their role or team, deactivate them."""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .. import permissions, tokens
from ..mail import Mail, send_after_commit
from ..models import Membership, Organisation, Role, Team, User, in_a_sentence
from ._common import _text
from .accounts import add_membership, create_staff_user
from .audit import record_audit

# Letters, digits and . _ @ + - (Django's rule for usernames, ASCII only).
_USERNAME = re.compile(r"[A-Za-z0-9.@+_-]+")


def _may_administer(membership: Membership | None, organisation: Organisation) -> None:
    if not permissions.may_administer_staff(membership, organisation):
        raise PermissionDenied(f"Only the admins of {organisation.name} can change its staff")


def _role(role: str, organisation: Organisation, *, keep: str = "") -> str:
    """A role the organisation may give (``keep``: the one someone holds already)."""
    if role not in Role.values:
        raise ValidationError({"role": "Choose their role"})
    if role != keep and role not in permissions.roles_for(organisation):
        kind = in_a_sentence(organisation.get_type_display())
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        raise ValidationError(
            {"role": f"{Role(role).label} is not a role at {article} {kind}: choose another"}
        )
    return role


def _team(team: Team | None, organisation: Organisation) -> Team | None:
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"team": f"{team.name} is not a team of {organisation.name}"})
    return team


def _last_admin(member: Membership) -> bool:
    """Whether ``member`` is the only active admin of their organisation. The admins' rows
    are locked, so two admins removing each other at once cannot both succeed."""
    if not (member.active and member.role == Role.ORG_ADMIN):
        return False
    admins = Membership.objects.select_for_update().filter(
        organisation_id=member.organisation_id, role=Role.ORG_ADMIN, active=True
    )
    return [m.pk for m in admins] == [member.pk]


def _refuse_last_admin(member: Membership, field: str) -> None:
    if _last_admin(member):
        raise ValidationError(
            {
                field: f"{member.user} is the only admin of {member.organisation.name}: "
                "make someone else an admin first"
            }
        )


def _in_role(member: Membership) -> str:
    return in_a_sentence(member.get_role_display())


def _email_set_password_link(*, user: User, organisation: Organisation, site: str, new: bool):
    """Email ``user`` a single-use link to set their password, once the transaction that
    asked for it has committed (so a rolled-back addition sends nothing)."""
    link = site.rstrip("/") + tokens.set_password_path(user)
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    why = (
        f"{organisation.name} has given you a joinedup account."
        if new
        else f"{organisation.name} has sent you a new link to set your joinedup password."
    )
    body = (
        f"{why}\n\nYour username is {user.username}.\n\n"
        f"Follow this link within {days} days to set your password (it works once):\n"
        f"{link}\n\nIf you were not expecting this, ask {organisation.name} about it."
    )
    send_after_commit(
        [Mail(to=user.email, subject="Set your joinedup password", body=body)],
        what="set-password link",
    )


@dataclass
class StaffAdded:
    membership: Membership
    new_account: bool  # False: they had an account, and now work here too


@transaction.atomic
def add_staff_member(
    *,
    by: User,
    membership: Membership,
    organisation: Organisation,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    team: Team | None = None,
    site: str,
) -> StaffAdded:
    """Add someone to the organisation's staff in a role (and team).

    Someone new gets an account with no password and an email (sent after commit) with a
    single-use link to set one. If the username is taken already by someone of the same
    name (they work for another organisation), they are given a membership here instead.
    ``site`` is the address the link starts with, e.g. ``https://joinedup.example``.
    """
    _may_administer(membership, organisation)
    first_name = _text(first_name, "first_name", "First name", 150,
                       required="Enter their first name")  # fmt: skip
    last_name = _text(last_name, "last_name", "Last name", 150, required="Enter their last name")
    username = _text(username, "username", "Username", 150, required="Enter a username")
    if not _USERNAME.fullmatch(username):
        raise ValidationError(
            {"username": "A username can have only letters, digits and . _ @ + -, no spaces"}
        )
    role = _role(role, organisation)
    team = _team(team, organisation)
    existing = User.objects.filter(username__iexact=username).first()
    if existing is not None:
        same_name = (existing.first_name.casefold(), existing.last_name.casefold()) == (
            first_name.casefold(),
            last_name.casefold(),
        )
        if not same_name:
            raise ValidationError(
                {
                    "username": f"The username {username} belongs to someone with a different "
                    "name: check it, or choose a new username"
                }
            )
        held = Membership.objects.filter(user=existing, organisation=organisation, role=role)
        held = held.first()
        if held is not None and held.active:
            raise ValidationError(
                {"role": f"{existing} already works at {organisation.name} as {_in_role(held)}"}
            )
        if held is not None:
            raise ValidationError(
                {"username": f"{existing} was deactivated: reactivate them from their page"}
            )
        added = add_membership(
            by=by, user=existing, organisation=organisation, role=role, team=team
        )
        return StaffAdded(membership=added, new_account=False)
    email = _text(email, "email", "Email address", 254, required="Enter their email address")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter an email address like name@example.org"}) from None
    user = create_staff_user(
        by=by,
        username=username.lower(),
        password=None,
        first_name=first_name,
        last_name=last_name,
        email=email.lower(),
    )
    added = add_membership(by=by, user=user, organisation=organisation, role=role, team=team)
    _email_set_password_link(user=user, organisation=organisation, site=site, new=True)
    record_audit(
        by=by,
        organisation=organisation,
        action="staff.set_password_link",
        object_type="user",
        object_id=user.pk,
    )
    return StaffAdded(membership=added, new_account=True)


@transaction.atomic
def send_set_password_link(
    *, by: User, membership: Membership, member: Membership, site: str
) -> None:
    """Email a member of staff a new single-use link to set their password (to the address
    joinedup has for them: the admin never sees the link)."""
    _may_administer(membership, member.organisation)
    if not member.active:
        raise ValidationError({"form": f"{member.user} is deactivated: reactivate them first"})
    if not member.user.email:
        raise ValidationError({"form": f"joinedup has no email address for {member.user}"})
    _email_set_password_link(
        user=member.user, organisation=member.organisation, site=site, new=False
    )
    record_audit(
        by=by,
        organisation=member.organisation,
        action="staff.set_password_link",
        object_type="user",
        object_id=member.user_id,
    )


@transaction.atomic
def change_membership(
    *, by: User, membership: Membership, member: Membership, role: str, team: Team | None
) -> Membership:
    """Change someone's role or team at the organisation. An admin cannot change their own
    role, and the last admin stays an admin."""
    organisation = member.organisation
    _may_administer(membership, organisation)
    member = Membership.objects.select_for_update().get(pk=member.pk)
    role = _role(role, organisation, keep=member.role)
    team = _team(team, organisation)
    if role != member.role:
        if member.user_id == by.pk:
            raise ValidationError({"role": "You cannot change your own role: ask another admin"})
        _refuse_last_admin(member, "role")
        if Membership.objects.filter(user_id=member.user_id, organisation=organisation,
                                     role=role).exists():  # fmt: skip
            raise ValidationError(
                {"role": f"{member.user} already works at {organisation.name} as "
                         f"{in_a_sentence(Role(role).label)}"}
            )  # fmt: skip
    detail = {}
    if role != member.role:
        detail["role"] = [member.role, role]
    if (team.pk if team else None) != member.team_id:
        detail["team"] = [member.team_id, team.pk if team else None]
    if detail:
        member.role, member.team = role, team
        member.save(update_fields=["role", "team"])
        record_audit(
            by=by,
            organisation=organisation,
            action="membership.change",
            object_type="membership",
            object_id=member.pk,
            detail=detail,
        )
    return member


@transaction.atomic
def deactivate_membership(
    *, by: User, membership: Membership, member: Membership, reason: str
) -> Membership:
    """Stop someone working for the organisation, at once: from their next request they
    act for their other organisations only, and if they have none left their account is
    switched off (Django then signs them out and refuses their password). Their records
    and the audit trail stay."""
    organisation = member.organisation
    _may_administer(membership, organisation)
    reason = _text(reason, "reason", "The reason", 1000,
                   required="Say why they no longer need access")  # fmt: skip
    member = Membership.objects.select_for_update().get(pk=member.pk)
    if not member.active:
        raise ValidationError({"reason": f"{member.user} is already deactivated here"})
    if member.user_id == by.pk:
        raise ValidationError({"reason": "You cannot deactivate yourself: ask another admin"})
    _refuse_last_admin(member, "reason")
    member.active = False
    member.save(update_fields=["active"])
    user = member.user
    if not user.memberships.filter(active=True).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
    record_audit(
        by=by,
        organisation=organisation,
        action="membership.deactivate",
        object_type="membership",
        object_id=member.pk,
        reason=reason,
        detail={"user": user.pk, "role": member.role, "account_off": not user.is_active},
    )
    return member


@transaction.atomic
def reactivate_membership(
    *, by: User, membership: Membership, member: Membership, reason: str = ""
) -> Membership:
    """Let someone work for the organisation again (and sign in, if they could not)."""
    organisation = member.organisation
    _may_administer(membership, organisation)
    reason = _text(reason, "reason", "The reason", 1000)
    member = Membership.objects.select_for_update().get(pk=member.pk)
    if member.active:
        raise ValidationError({"reason": f"{member.user} can already work here"})
    member.active = True
    member.save(update_fields=["active"])
    user = member.user
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    record_audit(
        by=by,
        organisation=organisation,
        action="membership.reactivate",
        object_type="membership",
        object_id=member.pk,
        reason=reason,
        detail={"user": user.pk, "role": member.role},
    )
    return member


@transaction.atomic
def set_password_from_link(*, uidb64: str, token: str, password: str, password_again: str) -> User:
    """Set a member of staff's password from their emailed link (which then stops working),
    after Django's password validators."""
    user = tokens.user_for_set_password_link(uidb64, token)
    if user is None:
        raise ValidationError("This link does not work")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not tokens.set_password_tokens.check_token(user, token):
        raise ValidationError("This link does not work")  # used a moment ago
    password = str(password or "")
    if not password:
        raise ValidationError({"password": "Choose a password"})
    if len(password) > 200:
        raise ValidationError({"password": "Your password must be 200 characters or fewer"})
    if any(unicodedata.category(c) == "Cc" for c in password):
        raise ValidationError({"password": "Your password cannot contain control characters"})
    if password != password_again:
        raise ValidationError({"password_again": "The two passwords are not the same"})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": " ".join(exc.messages)}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    first = user.memberships.filter(active=True).select_related("organisation").first()
    record_audit(
        by=user,
        organisation=first.organisation if first else None,
        action="user.password_set",
        object_type="user",
        object_id=user.pk,
    )
    return user
