"""Reading Open Referral feeds: HSDS 3.0 (a page of services, ``{"contents": [...]}``, or
one fully nested service) and the older ORUK 1.0 list that many live UK feeds still
publish (a JSON array of services, each with its organisation inside). Real feeds are
messy: every record is checked, repaired where that is safe (HTML in descriptions,
malformed web or email addresses) and rejected where it is not (no name, no id, no
organisation), and each repair and rejection is reported with the record and the reason.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from .models import ServiceStatus

MAX_NAME = 300
MAX_TEXT = 10_000


class _Text(HTMLParser):
    """Text of an HTML fragment, with paragraphs and line breaks kept as new lines."""

    BLOCKS = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(value) -> tuple[str, bool]:
    """(text without markup, whether markup was removed)."""
    text = str(value or "")
    had_markup = bool(re.search(r"<[a-zA-Z/][^>]*>", text))
    if had_markup:
        parser = _Text()
        parser.feed(text)
        text = "".join(parser.parts)
    text = html.unescape(text).replace("\u00a0", " ")
    text = "\n".join(line.strip() for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, had_markup


@dataclass
class Record:
    """One service as read from a feed, cleaned; or why it was rejected."""

    number: int
    source_id: str
    service: dict = field(default_factory=dict)
    organisation: dict = field(default_factory=dict)
    organisation_id: str = ""
    repairs: list[tuple[str, str]] = field(default_factory=list)
    rejected: str = ""


def detect_shape(data) -> tuple[str, list]:
    """("hsds-3.0" | "oruk-1.0-list", the service records) or a ValidationError."""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return "hsds-3.0", data["contents"]
    if isinstance(data, dict) and "id" in data and "name" in data:
        return "hsds-3.0", [data]
    if isinstance(data, list):
        return "oruk-1.0-list", data
    raise ValidationError(
        'Not an Open Referral feed: expected an HSDS 3.0 page ({"contents": [...]}), '
        "a service, or an ORUK 1.0 list of services"
    )


def _url(value, record: Record, name: str) -> str:
    value = str(value or "").strip()
    if not value:
        return ""
    if not re.match(r"^https?://", value, re.I) and "." in value and " " not in value:
        record.repairs.append((name, f"added https:// to '{value[:80]}'"))
        value = "https://" + value
    try:
        URLValidator()(value)
    except ValidationError:
        record.repairs.append((name, f"dropped '{value[:80]}': not a web address"))
        return ""
    if len(value) > 500:
        record.repairs.append((name, "dropped: longer than 500 characters"))
        return ""
    return value


def _email(value, record: Record, name: str) -> str:
    value = str(value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        record.repairs.append((name, f"dropped '{value[:80]}': not an email address"))
        return ""
    return value


def _text(value, record: Record, name: str) -> str:
    text, had_markup = plain_text(value)
    if had_markup:
        record.repairs.append((name, "removed HTML markup"))
    if len(text) > MAX_TEXT:
        record.repairs.append((name, f"cut to {MAX_TEXT:,} characters"))
        text = text[:MAX_TEXT]
    return text


def _date(value, record: Record, name: str):
    text = str(value or "").strip()
    if not text:
        return None
    try:
        found = date.fromisoformat(text[:10])
    except ValueError:
        record.repairs.append((name, f"dropped '{text[:40]}': not a date"))
        return None
    if found > date.today():
        record.repairs.append((name, f"dropped {found}: in the future"))
        return None
    return found


def _moment(value, record: Record, name: str):
    text = str(value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        record.repairs.append((name, f"dropped '{text[:40]}': not a date and time"))
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clean_record(number: int, raw, shape: str) -> Record:
    """Check and repair one service record of a feed."""
    if not isinstance(raw, dict):
        return Record(number, "", rejected="not a JSON object")
    record = Record(number, str(raw.get("id") or "").strip()[:100])
    if not record.source_id:
        record.rejected = "no id"
        return record
    name, had_markup = plain_text(raw.get("name"))
    if not name:
        record.rejected = "no name"
        return record
    if len(name) > MAX_NAME:
        record.rejected = f"name longer than {MAX_NAME} characters"
        return record
    if had_markup:
        record.repairs.append(("name", "removed HTML markup"))
    status = str(raw.get("status") or "active").strip().lower()
    if status not in ServiceStatus.values:
        record.repairs.append(("status", f"'{status[:40]}' is not an HSDS status: taken as active"))
        status = ServiceStatus.ACTIVE
    record.service = {
        "name": name,
        "description": _text(raw.get("description"), record, "description"),
        "url": _url(raw.get("url"), record, "url"),
        "email": _email(raw.get("email"), record, "email"),
        "status": status,
        "fees_description": _text(raw.get("fees_description") or raw.get("fees"), record, "fees"),
        "assured_date": _date(raw.get("assured_date"), record, "assured_date"),
        "last_modified": _moment(
            raw.get("last_modified") or (raw.get("pc_metadata") or {}).get("date_modified"),
            record,
            "last_modified",
        ),
    }
    organisation = raw.get("organization")
    if isinstance(organisation, dict) and str(organisation.get("id") or "").strip():
        org_name, _ = plain_text(organisation.get("name"))
        if not org_name:
            record.rejected = "its organisation has no name"
            return record
        record.organisation_id = str(organisation["id"]).strip()[:100]
        record.organisation = {
            "name": org_name[:MAX_NAME],
            "description": _text(
                organisation.get("description"), record, "organization.description"
            ),
            "email": _email(organisation.get("email"), record, "organization.email"),
            "website": _url(
                organisation.get("website") or organisation.get("url"),
                record,
                "organization.website",
            ),
        }
    elif str(raw.get("organization_id") or "").strip():
        record.organisation_id = str(raw["organization_id"]).strip()[:100]
    else:
        record.rejected = "no organisation"
    return record
