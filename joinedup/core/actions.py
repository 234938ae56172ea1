"""Every write to places, organisations, staff and the audit trail."""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import tokens
from .csv_input import CsvRows, refused_as
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
    organisation: Organisation | None,
    action: str,
    person_id: int | None = None,
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit trail. Never updated, never deleted."""
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
        organisation=None,
        action="organisation.create",
        object_type="organisation",
        object_id=org.pk,
    )
    return org


@transaction.atomic
def create_team(*, by: User | None, organisation: Organisation, name: str) -> Team:
    team = Team.objects.create(organisation=organisation, name=name)
    record_audit(
        by=by,
        organisation=organisation,
        action="team.create",
        object_type="team",
        object_id=team.pk,
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
    record_audit(
        by=by, organisation=None, action="user.create", object_type="user", object_id=user.pk
    )
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
        organisation=None,
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
            organisation=None,
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
        organisation=None,
        action="user.2fa_confirmed",
        object_type="user",
        object_id=device.user_id,
    )
