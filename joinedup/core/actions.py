"""Every write to places, organisations, staff and the audit trail."""

import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import permissions, tokens
from .csv_input import CsvRows, refused_as
from .mail import Mail, send_after_commit
from .middleware import acting_membership
from .models import (
    ODS_OPTIONAL_TYPES,
    ApiToken,
    AuditEvent,
    Lsoa,
    Membership,
    Organisation,
    OrganisationType,
    Postcode,
    Role,
    Team,
    User,
    in_a_sentence,
)

# ODS codes by organisation type; anything else: 3–9 upper-case letters and digits.
_ODS_PATTERNS = {
    OrganisationType.GP_PRACTICE: (r"[A-Z]\d{5}", "a letter and five digits, e.g. F83004"),
    OrganisationType.PHARMACY: (r"F[A-Z0-9]{4}", "F and four letters or digits, e.g. FQ123"),
    OrganisationType.ACUTE_TRUST: (r"[RT][A-Z0-9]{2}([A-Z0-9]{2})?", "e.g. RAL or RAL01"),
    OrganisationType.COMMUNITY_TRUST: (r"[RT][A-Z0-9]{2}([A-Z0-9]{2})?", "e.g. RYX"),
    OrganisationType.MENTAL_HEALTH_TRUST: (r"[RT][A-Z0-9]{2}([A-Z0-9]{2})?", "e.g. RV3"),
}
_ODS_GENERIC = (r"[A-Z0-9]{3,9}", "3 to 9 capital letters and digits")


def normalise_postcode(value: str) -> str:
    """``'nw12db'`` → ``'NW1 2DB'``. Raises ValidationError if it cannot be a UK postcode."""
    compact = re.sub(r"\s+", "", (value or "")).upper()
    if not re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", compact):
        raise ValidationError({"postcode": f"'{value}' is not a UK postcode"})
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_or_blank(value) -> str:
    """A UK postcode in its usual form (``'JU1 2AB'``), or ``""`` when it cannot be one (for
    input that is checked later, or repaired rather than refused)."""
    try:
        return normalise_postcode(str(value or ""))
    except ValidationError:
        return ""


def validate_ods_code(code: str | None, organisation_type: str) -> str | None:
    """Check an ODS code's format for the organisation type; return it upper-cased."""
    if not code:
        if organisation_type in ODS_OPTIONAL_TYPES:
            return None
        raise ValidationError({"ods_code": "An ODS code is required for this organisation type"})
    code = code.strip().upper()
    pattern, example = _ODS_PATTERNS.get(organisation_type, _ODS_GENERIC)
    if not re.fullmatch(pattern, code):
        raise ValidationError({"ods_code": f"'{code}' is not a valid ODS code: expected {example}"})
    return code


def record_audit(
    *,
    by: User | None,
    action: str,
    organisation: Organisation | None = None,
    membership: Membership | None = None,
    person_id: int | None = None,
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit trail. Never updated, never deleted.

    It names the organisation on whose behalf it was done: ``membership``'s, else
    ``organisation``, else that of the membership the current request acts as (so an
    action reached from a page or the API always names it, however deep it records the
    event). Commands, background jobs, residents and the public act for no organisation.
    """
    if membership is not None:
        organisation = membership.organisation
    elif organisation is None and (acting := acting_membership()) is not None:
        organisation = acting.organisation
    return AuditEvent.objects.create(
        at=timezone.now(),
        user=by if (by is not None and by.is_authenticated) else None,
        organisation=organisation,
        action=action,
        person_id=person_id,
        reason=reason,
        object_type=object_type,
        object_id=str(object_id or ""),
        detail=detail or {},
    )


@transaction.atomic
def create_organisation(
    *,
    by: User | None,
    name: str,
    type: str,
    ods_code: str | None = None,
    places: Iterable = (),
    neighbourhood=None,
    postcode: str = "",
) -> Organisation:
    """Create an organisation after checking its name, type and ODS code."""
    if type not in OrganisationType.values:
        raise ValidationError({"type": f"Unknown organisation type '{type}'"})
    if not (name or "").strip():
        raise ValidationError({"name": "An organisation needs a name"})
    code = validate_ods_code(ods_code, type)
    if code and Organisation.objects.filter(ods_code=code).exists():
        raise ValidationError({"ods_code": f"ODS code {code} is already in use"})
    org = Organisation.objects.create(
        name=name.strip(),
        type=type,
        ods_code=code,
        neighbourhood=neighbourhood,
        postcode=normalise_postcode(postcode) if postcode else "",
    )
    org.places.set(places)
    record_audit(
        by=by,
        action="organisation.create",
        object_type="organisation",
        object_id=org.pk,
    )
    return org


@transaction.atomic
def create_team(*, by: User | None, organisation: Organisation, name: str) -> Team:
    """A team of the organisation (e.g. "District nursing – Hood A"): a name it has no
    other team called, in any case."""
    name = _text(name, "name", "The team's name", 200, required="Enter the team's name")
    if Team.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ValidationError({"name": f"{organisation.name} already has a team called {name}"})
    team = Team.objects.create(organisation=organisation, name=name)
    record_audit(
        by=by,
        organisation=organisation,
        action="team.create",
        object_type="team",
        object_id=team.pk,
        detail={"name": name},
    )
    return team


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


def record_organisation_switch(*, by: User, organisation: Organisation) -> None:
    record_audit(by=by, organisation=organisation, action="organisation.switch")


@dataclass
class PostcodeLoadReport:
    rows: int
    created: int
    updated: int
    skipped_other_areas: int


# Column names used by the ONS Postcode Directory (and its smaller lookups),
# newest first: whichever is present is used.
_POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "postcode")
_LSOA_COLUMNS = ("lsoa21cd", "lsoa21", "lsoa11cd", "lsoa11", "lsoa", "lsoa_code")
_LATITUDE_COLUMNS = ("lat", "latitude")
_LONGITUDE_COLUMNS = ("long", "lon", "longitude")
# ONSPD gives 99.999999 / 0.000000 to postcodes with no grid reference.
_NO_COORDINATES = 99.999999


def _coordinate(value: str, low: float, high: float, where: str) -> float | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValidationError(f"{where}: '{text[:20]}' is not a number") from None
    if number == _NO_COORDINATES:
        return None
    if not low <= number <= high:
        raise ValidationError(f"{where}: {number} is outside {low} to {high}")
    return number


@refused_as(ValidationError)
@transaction.atomic
def load_postcode_lookup(*, by: User | None, path: Path | str) -> PostcodeLoadReport:
    """Load postcode → LSOA rows from an ONS Postcode Directory-style CSV, with each
    postcode's latitude and longitude when the file has them (``lat``, ``long``).

    All or nothing: the first bad row (unknown LSOA, malformed postcode, missing
    column, wrong encoding) raises ``ValidationError`` naming file, row and field,
    and nothing is saved. Postcodes for LSOAs outside this system are skipped
    (the ONSPD covers the whole country) and counted.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path.name}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV"
        ) from exc
    reader = CsvRows(text, path.name)
    header = {(h or "").strip().lower(): h for h in (reader.fieldnames or [])}
    pc_col = next((header[c] for c in _POSTCODE_COLUMNS if c in header), None)
    lsoa_col = next((header[c] for c in _LSOA_COLUMNS if c in header), None)
    if not pc_col or not lsoa_col:
        raise ValidationError(
            f"{path.name}: needs a postcode column ({', '.join(_POSTCODE_COLUMNS)}) and an LSOA "
            f"column ({', '.join(_LSOA_COLUMNS)}); found {', '.join(header) or 'no header'}"
        )
    lat_col = next((header[c] for c in _LATITUDE_COLUMNS if c in header), None)
    lon_col = next((header[c] for c in _LONGITUDE_COLUMNS if c in header), None)
    lsoas = dict(Lsoa.objects.values_list("code", "id"))
    existing = {
        p: (lsoa_id, lat, lon)
        for p, lsoa_id, lat, lon in Postcode.objects.values_list(
            "postcode", "lsoa_id", "latitude", "longitude"
        )
    }
    to_create: dict[str, tuple] = {}
    to_update: dict[str, tuple] = {}
    rows = skipped = 0
    for rows, row in enumerate(reader, start=1):
        line = rows + 1
        lsoa_code = (row.get(lsoa_col) or "").strip().upper()
        if lsoa_code not in lsoas:
            # Another area's postcode; the national file has 2.7 million of them.
            if re.fullmatch(r"[EWSN]\d{8}", lsoa_code) or lsoa_code == "":
                skipped += 1
                continue
            raise ValidationError(
                f"{path.name} row {line}, field {lsoa_col}: '{lsoa_code}' is not an LSOA code"
            )
        try:
            postcode = normalise_postcode(row.get(pc_col) or "")
        except ValidationError as exc:
            raise ValidationError(
                f"{path.name} row {line}, field {pc_col}: {exc.messages[0]}"
            ) from exc
        lat = lon = None
        if lat_col and lon_col:
            lat = _coordinate(row.get(lat_col), 49.0, 61.0, f"{path.name} row {line}, {lat_col}")
            lon = _coordinate(row.get(lon_col), -9.0, 2.0, f"{path.name} row {line}, {lon_col}")
            if lat is None or lon is None:
                lat = lon = None
        values = (lsoas[lsoa_code], lat, lon)
        if postcode in existing:
            if existing[postcode] != values:
                to_update[postcode] = values
        else:
            to_create[postcode] = values
    Postcode.objects.bulk_create(
        [
            Postcode(postcode=p, lsoa_id=lsoa_id, latitude=lat, longitude=lon)
            for p, (lsoa_id, lat, lon) in to_create.items()
        ],
        batch_size=5000,
    )
    for postcode, (lsoa_id, lat, lon) in to_update.items():
        Postcode.objects.filter(postcode=postcode).update(
            lsoa_id=lsoa_id, latitude=lat, longitude=lon
        )
    record_audit(
        by=by,
        action="postcodes.load",
        object_type="file",
        object_id=path.name[:60],
        detail={
            "rows": rows,
            "created": len(to_create),
            "updated": len(to_update),
            "skipped_other_areas": skipped,
        },
    )
    return PostcodeLoadReport(
        rows=rows, created=len(to_create), updated=len(to_update), skipped_other_areas=skipped
    )


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


# Organisation administration: an organisation's admins (and system admins) add staff,
# change their role or team, and deactivate or reactivate them.

# Letters, digits and . _ @ + - (Django's rule for usernames, ASCII only).
_USERNAME = re.compile(r"[A-Za-z0-9.@+_-]+")
# Zero-width joiners and non-joiners belong in some names; other invisible format
# characters (e.g. right-to-left overrides) only disguise text.
_ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}


def _text(value, field: str, label: str, limit: int, *, required: str = "") -> str:
    """Typed text, trimmed; a ValidationError on ``field`` if it is missing (when
    ``required`` says so), longer than ``limit`` or holds control characters."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValidationError({field: required})
        return ""
    if len(text) > limit:
        raise ValidationError({field: f"{label} must be {limit} characters or fewer"})
    if any(
        unicodedata.category(c) in ("Cc", "Cf") and c not in _ALLOWED_FORMAT_CHARACTERS
        for c in text
    ):
        raise ValidationError({field: f"{label} cannot contain control characters"})
    return text


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
