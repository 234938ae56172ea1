"""Every write of the portal: invitations, accounts, sign-in attempts, and the audit of
what residents look at."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.mail import Mail, send_after_commit
from joinedup.core.models import Membership, User
from joinedup.core.tokens import digest as _digest
from joinedup.people.models import Person

from .models import Invitation, ResidentAccount

LOCK_MINUTES = 15


@transaction.atomic
def invite_resident(
    *, by: User, membership: Membership, person: Person, email: str, link_base: str
) -> Invitation:
    """Send the person a single-use link to make their portal account (the caller has
    already opened the person's record through ``people.access``). Earlier unused
    invitations of the person stop working."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": "Enter an email address like name@example.com"}) from exc
    taken = ResidentAccount.objects.filter(email=email).exclude(person=person).exists()
    if taken:
        raise ValidationError({"email": "That email address belongs to another account"})
    if ResidentAccount.objects.filter(person=person).exists():
        raise ValidationError({"email": "This person already has a portal account"})
    now = timezone.now()
    Invitation.objects.filter(person=person, used_at=None, revoked_at=None).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        person=person,
        email=email,
        token_hash=_digest(token),
        invited_by=by,
        organisation=membership.organisation,
        created_at=now,
        expires_at=now + timedelta(days=settings.PORTAL_INVITATION_DAYS),
    )
    send_after_commit(
        [
            Mail(
                to=email,
                subject="Your joinedup care and support plan",
                body="You have been invited to see and shape your care and support plan "
                f"online.\n\nFollow this link within {settings.PORTAL_INVITATION_DAYS} days to "
                f"set a password (it works once):\n{link_base}{token}\n\nIf you were not "
                f"expecting this, you can ignore it. — {membership.organisation.name}",
            )
        ],
        what="portal invitation",
    )
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="portal.invite",
        person_id=person.pk,
        object_type="invitation",
        object_id=invitation.pk,
    )
    invitation.token = token  # for the caller to show once (never stored)
    return invitation


def open_invitation(token: str) -> Invitation:
    """The invitation behind a link, if it can still be used; else a ValidationError
    that does not say which check failed for a guessed token."""
    invitation = Invitation.objects.filter(token_hash=_digest(token or "")).first()
    if invitation is None:
        raise ValidationError("This link does not work. Ask your care coordinator for a new one.")
    if invitation.used_at or invitation.revoked_at:
        raise ValidationError("This link has been used. Sign in, or ask for a new link.")
    if invitation.expires_at <= timezone.now():
        raise ValidationError("This link has expired. Ask your care coordinator for a new one.")
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, password: str, password_again: str) -> ResidentAccount:
    """Make the resident's account from their invitation (once)."""
    invitation = open_invitation(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at:
        raise ValidationError("This link has been used. Sign in, or ask for a new link.")
    if password != password_again:
        raise ValidationError({"password_again": "The two passwords are not the same"})
    try:
        validate_password(password)
    except ValidationError as exc:
        raise ValidationError({"password": " ".join(exc.messages)}) from exc
    now = timezone.now()
    account = ResidentAccount.objects.create(
        person=invitation.person,
        email=invitation.email,
        password=make_password(password),
        created_at=now,
    )
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    record_audit(
        by=None,
        action="portal.account.create",
        person_id=invitation.person_id,
        object_type="resident_account",
        object_id=account.pk,
    )
    return account


def _lock_key(email: str) -> str:
    return f"portal-sign-in-failures:{_digest(email.lower())}"


def check_sign_in(*, email: str, password: str) -> ResidentAccount:
    """The account for these details, or a ValidationError that does not say which was
    wrong; after PORTAL_FAILURE_LIMIT failures the account is locked for 15 minutes."""
    email = (email or "").strip().lower()
    failures = cache.get(_lock_key(email), 0)
    if failures >= settings.PORTAL_FAILURE_LIMIT:
        raise PermissionDenied(
            f"Too many attempts. Try again in {LOCK_MINUTES} minutes, or ask your care "
            "coordinator for help."
        )
    account = ResidentAccount.objects.filter(email=email, active=True).first()
    if account is None:
        make_password(password)  # the same work as a real check: timing does not tell
    if account is None or not check_password(password or "", account.password):
        cache.set(_lock_key(email), failures + 1, LOCK_MINUTES * 60)
        raise ValidationError("The email address or password is not right")
    cache.delete(_lock_key(email))
    account.last_sign_in_at = timezone.now()
    account.save(update_fields=["last_sign_in_at"])
    record_audit(
        by=None,
        action="portal.sign_in",
        person_id=account.person_id,
        object_type="resident_account",
        object_id=account.pk,
    )
    return account


def record_resident_view(*, account: ResidentAccount, page: str) -> None:
    """Residents' own looks at their record are audited too."""
    record_audit(
        by=None,
        action=f"portal.view.{page}",
        person_id=account.person_id,
        object_type="resident_account",
        object_id=account.pk,
    )


def record_carer_view(*, grant, what: str) -> None:
    """A carer's look at what a resident shared (``what``: "view" for the plan,
    "messages"), audited on the resident's record so they see it in "My data"."""
    record_audit(
        by=None,
        action=f"portal.proxy.{what}",
        person_id=grant.person_id,
        object_type="proxy_grant",
        object_id=grant.pk,
    )


@transaction.atomic
def create_demo_account(*, person: Person, email: str, password: str) -> ResidentAccount:
    """A ready account for the demo borough (no invitation)."""
    ResidentAccount.objects.filter(email=email).exclude(person=person).delete()
    account, _ = ResidentAccount.objects.update_or_create(
        person=person,
        defaults={
            "email": email,
            "password": make_password(password),
            "created_at": timezone.now(),
        },
    )
    return account


# ---------------------------------------------------------------------------------------
# Carers' proxy access


@transaction.atomic
def grant_proxy(
    *,
    account: ResidentAccount,
    name: str,
    email: str,
    sections: list[str],
    until,
    link_base: str,
    today=None,
):
    """The resident lets a named carer see chosen parts of their plan until a date; the
    carer gets a single-use link to accept (with an account of their own)."""
    from .models import PROXY_SECTIONS, ProxyGrant

    today = today or timezone.localdate()
    errors = {}
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name or len(name) > 200:
        errors["name"] = "Enter their name (up to 200 characters)"
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter an email address like name@example.com"
    allowed = dict(PROXY_SECTIONS)
    if not sections or any(s not in allowed for s in sections):
        errors["sections"] = "Choose what they can see"
    if until is None:
        errors["until"] = "Enter the date their access ends"
    elif until <= today:
        errors["until"] = "The end date must be in the future"
    elif until > today + timedelta(days=366 * 3):
        errors["until"] = "Give access for at most three years (you can renew it)"
    if account.email == email:
        errors["email"] = "That is your own email address"
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    grant = ProxyGrant.objects.create(
        person=account.person,
        name=name,
        email=email,
        sections=list(dict.fromkeys(sections)),
        until=until,
        token_hash=_digest(token),
        created_at=timezone.now(),
    )
    send_after_commit(
        [
            Mail(
                to=email,
                subject=f"{account.person.given_name} has shared their care plan with you",
                body=f"{account.person.full_name} has let you see parts of their care and "
                f"support plan until {until:%-d %B %Y}.\n\nFollow this link to accept (it "
                f"works once):\n{link_base}{token}\n",
            )
        ],
        what="carer invitation",
    )
    record_audit(
        by=None,
        action="portal.proxy.grant",
        person_id=account.person_id,
        object_type="proxy_grant",
        object_id=grant.pk,
        detail={"sections": grant.sections, "until": until.isoformat()},
    )
    grant.token = token
    return grant


def open_proxy_link(token: str):
    from .models import ProxyGrant

    grant = ProxyGrant.objects.filter(token_hash=_digest(token or "")).first()
    if grant is None or grant.revoked_at or grant.until < timezone.localdate():
        raise ValidationError("This link does not work. Ask the person for a new one.")
    if grant.accepted_at:
        raise ValidationError("This link has been used. Sign in to see what is shared.")
    return grant


@transaction.atomic
def accept_proxy(
    *, token: str, account: ResidentAccount | None, password: str = "", password_again: str = ""
) -> ResidentAccount:
    """The carer accepts: signed in already (any account), or by setting a password for a
    new carer's account under the invited email address."""
    grant = open_proxy_link(token)
    if account is None:
        if ResidentAccount.objects.filter(email=grant.email).exists():
            raise ValidationError("You already have an account: sign in, then open the link again")
        if password != password_again:
            raise ValidationError({"password_again": "The two passwords are not the same"})
        try:
            validate_password(password)
        except ValidationError as exc:
            raise ValidationError({"password": " ".join(exc.messages)}) from exc
        account = ResidentAccount.objects.create(
            person=None,
            display_name=grant.name,
            email=grant.email,
            password=make_password(password),
            created_at=timezone.now(),
        )
    if account.person_id == grant.person_id:
        raise ValidationError("This is your own record")
    grant.account, grant.accepted_at = account, timezone.now()
    grant.save(update_fields=["account", "accepted_at"])
    record_audit(
        by=None,
        action="portal.proxy.accept",
        person_id=grant.person_id,
        object_type="proxy_grant",
        object_id=grant.pk,
    )
    return account


@transaction.atomic
def revoke_proxy(*, account: ResidentAccount, grant_id: int) -> None:
    """The resident takes a carer's access away: it stops at once."""
    from .models import ProxyGrant

    updated = ProxyGrant.objects.filter(
        pk=grant_id, person_id=account.person_id, revoked_at=None
    ).update(revoked_at=timezone.now())
    if updated:
        record_audit(
            by=None,
            action="portal.proxy.revoke",
            person_id=account.person_id,
            object_type="proxy_grant",
            object_id=grant_id,
        )


# ---------------------------------------------------------------------------------------
# Two-factor sign-in for residents (an authenticator app, TOTP)


def new_totp_key() -> str:
    return secrets.token_hex(20)


def totp_matches(key_hex: str, code: str) -> bool:
    from django_otp.oath import TOTP

    code = (code or "").strip().replace(" ", "")
    if not key_hex or not code.isdecimal():
        return False
    return TOTP(bytes.fromhex(key_hex)).verify(int(code), tolerance=1)


def totp_url(account: ResidentAccount, key_hex: str) -> str:
    import base64
    from urllib.parse import quote

    secret = base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    label = quote(f"joinedup:{account.email}")
    return f"otpauth://totp/{label}?secret={secret}&issuer=joinedup&digits=6&period=30"


@transaction.atomic
def turn_on_two_factor(*, account: ResidentAccount, key_hex: str, code: str) -> None:
    if not totp_matches(key_hex, code):
        raise ValidationError(
            {"code": "That code is not right: enter the 6 digits the app shows now"}
        )
    account.totp_key = key_hex
    account.save(update_fields=["totp_key"])
    record_audit(
        by=None,
        action="portal.two_factor.on",
        person_id=account.person_id,
        object_type="resident_account",
        object_id=account.pk,
    )


@transaction.atomic
def create_demo_carer(*, email: str, name: str, password: str, cares_for: Person):
    """A carer's account for the demo, with accepted access to every part of the plan of
    ``cares_for`` for a year."""
    from .models import PROXY_SECTIONS, ProxyGrant

    ResidentAccount.objects.filter(email=email).delete()
    now = timezone.now()
    account = ResidentAccount.objects.create(
        person=None,
        display_name=name,
        email=email,
        password=make_password(password),
        created_at=now,
    )
    ProxyGrant.objects.create(
        person=cares_for,
        name=name,
        email=email,
        sections=[key for key, _ in PROXY_SECTIONS],
        until=timezone.localdate() + timedelta(days=365),
        token_hash=_digest(secrets.token_urlsafe(32)),
        account=account,
        created_at=now,
        accepted_at=now,
    )
    return account
