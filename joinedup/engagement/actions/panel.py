"""Every write of engagement."""

import secrets
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import postcode_or_blank, record_audit
from joinedup.core.csv_input import CsvRows, refused_as
from joinedup.core.mail import Mail, send_after_commit
from joinedup.core.models import Postcode
from joinedup.core.tokens import digest as _digest

from ..models import (
    HELD,
    AgeBand,
    ContactBy,
    EthnicGroup,
    PanelMember,
    PanelSex,
    PopulationMargin,
    Respondent,
    SeatStatus,
    YesNo,
)

PRIVACY_VERSION = "2026-12"
MAX_NAME = 100


def _choice(data, name: str, choices, question: str, errors: dict) -> str:
    value = str(data.get(name, "")).strip()
    if value not in choices.values:
        errors[name] = question
    return value


@transaction.atomic
def join_panel(*, data, link_base: str) -> PanelMember:
    """A resident joins the citizens' panel from the public form. Everything is checked
    and nothing is saved unless all of it is right; a ValidationError names each field."""
    errors: dict[str, str] = {}
    given = str(data.get("given_name", "")).strip()
    family = str(data.get("family_name", "")).strip()
    if not given:
        errors["given_name"] = "Enter your first name"
    if not family:
        errors["family_name"] = "Enter your last name"
    if len(given) > MAX_NAME or len(family) > MAX_NAME:
        errors["given_name"] = f"Names must be {MAX_NAME} characters or fewer"
    contact_by = _choice(data, "contact_by", ContactBy, "Choose how we should contact you", errors)
    email = str(data.get("email", "")).strip().lower()
    phone = " ".join(str(data.get("phone", "")).split())
    address = " ".join(str(data.get("address", "")).split())[:300]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter an email address in the right format, like name@example.com"
    if contact_by == ContactBy.EMAIL and not email:
        errors["email"] = "Enter your email address, or choose another way to be contacted"
    if contact_by == ContactBy.PHONE and len([c for c in phone if c.isdecimal()]) < 10:
        errors["phone"] = "Enter a phone number with at least 10 digits"
    if contact_by == ContactBy.POST and not address:
        errors["address"] = "Enter your address, or choose another way to be contacted"
    code = postcode_or_blank(data.get("postcode", ""))
    known = Postcode.objects.filter(postcode=code).select_related("lsoa").first() if code else None
    if not code:
        errors["postcode"] = "Enter a full UK postcode, like JU1 2AB"
    elif known is None:
        errors["postcode"] = f"{code} is not in the borough: the panel is for people who live here"
    age_band = _choice(data, "age_band", AgeBand, "Choose your age", errors)
    sex = _choice(data, "sex", PanelSex, "Choose an answer about your sex", errors)
    ethnic = _choice(data, "ethnic_group", EthnicGroup, "Choose your ethnic group", errors)
    disability = _choice(data, "disability", YesNo, "Choose an answer about disability", errors)
    lgbt = _choice(data, "lgbt", YesNo, "Choose an answer", errors)
    carer = _choice(data, "carer", YesNo, "Choose whether you are a carer", errors)
    if data.get("consent") != "yes":
        errors["consent"] = "Tick the box to say you agree to join, or you cannot join"
    if email and not errors and PanelMember.objects.filter(email=email, withdrawn_at=None).exists():
        errors["email"] = "Someone has already joined with this email address"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    member = PanelMember.objects.create(
        given_name=given,
        family_name=family,
        email=email,
        phone=phone,
        address=address,
        contact_by=contact_by,
        postcode=code,
        lsoa=known.lsoa,
        age_band=age_band,
        sex=sex,
        ethnic_group=ethnic,
        disability=disability,
        lgbt=lgbt,
        carer=carer,
        consent_at=now,
        privacy_version=PRIVACY_VERSION,
        joined_at=now,
        withdraw_token_hash=_digest(token),
    )
    if email:
        send_after_commit(
            [
                Mail(
                    to=email,
                    subject="You have joined the citizens' panel",
                    body="Thank you for joining the borough's citizens' panel. We will send "
                    "you a few surveys a year and may invite you to events.\n\nYou can leave "
                    f"at any time, and we will delete your details, here:\n{link_base}{token}\n",
                )
            ],
            what="panel welcome",
        )
    record_audit(
        by=None,
        action="engagement.panel.join",
        object_type="panel_member",
        object_id=member.pk,
    )
    member.withdraw_token = token  # for the caller to show once (never stored)
    return member


def find_member(token: str) -> PanelMember | None:
    return PanelMember.objects.filter(
        withdraw_token_hash=_digest(token or ""), withdrawn_at=None
    ).first()


@transaction.atomic
def leave_panel(*, member: PanelMember) -> None:
    """The member leaves: their name and contact details are erased at once; the
    anonymous profile stays only so past survey weights can be explained."""
    member.given_name = member.family_name = ""
    member.email = member.phone = member.address = member.postcode = ""
    member.withdrawn_at = timezone.now()
    member.save()
    # The copies made when the panel was an assembly's pool go too; a seat they held is
    # given up (they asked not to be contacted again).
    for respondent in Respondent.objects.filter(panel_member=member):
        respondent.given_name = respondent.family_name = ""
        respondent.email = respondent.phone = respondent.address = ""
        respondent.answer_token_hash = ""
        if respondent.status in HELD:
            respondent.status = SeatStatus.WITHDRAWN
        respondent.save()
    record_audit(
        by=None,
        action="engagement.panel.leave",
        object_type="panel_member",
        object_id=member.pk,
    )


@transaction.atomic
def add_demo_members(*, members: list[dict]) -> int:
    """The demo borough's panel, in one go (no emails): each dict has the fields of a
    panel member; consent is recorded as given now."""
    now = timezone.now()
    rows = [
        PanelMember(
            **m,
            consent_at=now,
            privacy_version=PRIVACY_VERSION,
            joined_at=now,
            withdraw_token_hash=_digest(secrets.token_urlsafe(32)),
        )
        for m in members
    ]
    PanelMember.objects.bulk_create(rows, batch_size=1000)
    record_audit(
        by=None,
        action="engagement.panel.demo",
        object_type="panel_member",
        detail={"members": len(rows)},
    )
    return len(rows)


# Categories whose population shares can be loaded (residents' records do not hold them).
MARGIN_CATEGORIES = {"disability", "lgbt", "carer"}


@refused_as(ValidationError)
@transaction.atomic
def load_margins(*, by, path, source: str = "") -> int:
    """Population shares from a ``category,value,share`` CSV (share 0–1 or a percentage);
    each category's shares must add up to 1 (or 100). All or nothing; replaces the
    categories it names."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None
    reader = CsvRows(text, path.name)
    if [c.strip().lower() for c in (reader.fieldnames or [])][:3] != ["category", "value", "share"]:
        raise ValidationError(f"{path.name}: the columns must be category,value,share")
    shares: dict[str, dict[str, float]] = {}
    for number, row in enumerate(reader, start=2):
        category = str(row.get("category") or "").strip().lower()
        value = str(row.get("value") or "").strip().lower()
        if category not in MARGIN_CATEGORIES:
            raise ValidationError(
                f"{path.name} row {number}: category must be one of "
                f"{', '.join(sorted(MARGIN_CATEGORIES))}"
            )
        if value not in ("yes", "no"):
            raise ValidationError(f"{path.name} row {number}: value must be yes or no")
        try:
            share = float(str(row.get("share") or "").strip().rstrip("%"))
        except ValueError:
            raise ValidationError(f"{path.name} row {number}: share must be a number") from None
        if value in shares.get(category, {}):
            raise ValidationError(f"{path.name} row {number}: {category}={value} is listed twice")
        shares.setdefault(category, {})[value] = share
    if not shares:
        raise ValidationError(f"{path.name}: no rows")
    for category, values in shares.items():
        total = sum(values.values())
        scale = 100.0 if abs(total - 100) < 0.5 else 1.0
        if abs(total / scale - 1) > 0.005:
            raise ValidationError(
                f"{path.name}: the shares for {category} add up to {total:g}, not 1 or 100"
            )
        PopulationMargin.objects.filter(category=category).delete()
        for value, share in values.items():
            PopulationMargin.objects.create(
                category=category,
                value=value,
                share=share / scale,
                source=(source or path.name)[:200],
                loaded_at=timezone.now(),
            )
    record_audit(
        by=by,
        action="engagement.margins.load",
        object_type="file",
        object_id=path.name[:60],
        detail={"categories": sorted(shares)},
    )
    return sum(len(v) for v in shares.values())
