"""Reading Open Referral feeds: HSDS 3.0 (a page of services, ``{"contents": [...]}``, or
one fully nested service) and the older ORUK 1.0 list that many live UK feeds still
publish (a JSON array of services, each with its organisation inside). Real feeds are
messy: every record is checked, repaired where that is safe (HTML in descriptions,
malformed web or email addresses) and rejected where it is not (no name, no id, no
organisation), and each repair and rejection is reported with the record and the reason.
"""

import html
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from joinedup.core.actions import postcode_or_blank

from . import uuids
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
    # The service's parts, cleaned: "locations" (each with its service-at-location id),
    # "schedules", "areas", "phones", "contacts", "cost_options", "languages", "terms".
    parts: dict = field(default_factory=dict)


def detect_shape(data) -> tuple[str, list]:
    """("hsds-3.0" | "oruk-1.0-list", the service records) or a ValidationError."""
    version = str(data.get("version") or "") if isinstance(data, dict) else ""
    if version and not version.startswith("3."):
        raise ValidationError(
            f"Open Referral version {version[:20]} is not one joinedup reads: send HSDS 3.0 "
            "or the ORUK 1.0 list of services"
        )
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


def _date(value, record: Record, name: str, *, future: bool = False):
    text = str(value or "").strip()
    if not text:
        return None
    try:
        found = date.fromisoformat(text[:10])
    except ValueError:
        record.repairs.append((name, f"dropped '{text[:40]}': not a date"))
        return None
    if found > date.today() and not future:
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


def feed_id(value) -> str:
    """A record's id as its feed gives it (trimmed, at most 100 characters), a UUID in its
    one standard spelling (small letters, with hyphens): two spellings of a UUID are one
    record, as they are one id in the API (``uuids.py``)."""
    text = str(value or "").strip()[:100]
    known = uuids.parse(text)
    return str(known) if known else text


def clean_record(number: int, raw, shape: str) -> Record:
    """Check and repair one service record of a feed."""
    if not isinstance(raw, dict):
        return Record(number, "", rejected="not a JSON object")
    record = Record(number, feed_id(raw.get("id")))
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
        "alternate_name": _short(raw.get("alternate_name")),
        "application_process": _text(raw.get("application_process"), record, "application_process"),
        "interpretation_services": _text(
            raw.get("interpretation_services"), record, "interpretation_services"
        ),
        "wait_time": _short(raw.get("wait_time")),
        "eligibility_description": _text(
            raw.get("eligibility_description"), record, "eligibility_description"
        ),
        "minimum_age": _age(raw.get("minimum_age"), record, "minimum_age"),
        "maximum_age": _age(raw.get("maximum_age"), record, "maximum_age"),
    }
    clean_parts(raw, record)
    low, high = record.service["minimum_age"], record.service["maximum_age"]
    if low is not None and high is not None and low > high:
        record.repairs.append(
            ("maximum_age", f"dropped ages {low} to {high}: minimum above maximum")
        )
        record.service["minimum_age"] = record.service["maximum_age"] = None
    organisation = raw.get("organization")
    if isinstance(organisation, dict) and str(organisation.get("id") or "").strip():
        org_name, _ = plain_text(organisation.get("name"))
        if not org_name:
            record.rejected = "its organisation has no name"
            return record
        record.organisation_id = feed_id(organisation["id"])
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
        record.organisation_id = feed_id(raw["organization_id"])
    else:
        record.rejected = "no organisation"
    return record


# --- The parts of a service (HSDS 3.0 nested, and the ORUK 1.0 names) ---------------------

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAYS = {
    name: code
    for code, name in zip(
        DAY_CODES,
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        strict=True,
    )
}
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


def child_id(raw: dict, record: Record, kind: str, index: int) -> str:
    """A part's own id, or a stable one made from the service's id when it has none."""
    value = feed_id(raw.get("id"))
    return value or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record.source_id}/{kind}/{index}"))


def _list(raw: dict, *names: str) -> list[dict]:
    for name in names:
        value = raw.get(name)
        if isinstance(value, list):
            return [v for v in value if isinstance(v, dict)]
    return []


def _short(value, limit: int = 300) -> str:
    text, _ = plain_text(value)
    return text[:limit]


def _age(value, record: Record, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        age = int(float(value))
    except (TypeError, ValueError):
        record.repairs.append((name, f"dropped '{str(value)[:20]}': not a number of years"))
        return None
    if not 0 <= age <= 130:
        record.repairs.append((name, f"dropped {age}: not an age"))
        return None
    return age


def _time(value, record: Record, name: str) -> time | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text[:8] if len(text) > 5 else text)
    except ValueError:
        record.repairs.append((name, f"'{text[:20]}' is not a time of day"))
        return None


def postcode(value) -> str:
    """A UK postcode in its usual form ("JU1 2AB"), or "" when it cannot be one."""
    return postcode_or_blank(value)


def _location(raw: dict, record: Record, index: int) -> dict | None:
    where = f"location {index}"
    lat, lon = raw.get("latitude"), raw.get("longitude")
    try:
        lat = float(lat) if lat not in (None, "") else None
        lon = float(lon) if lon not in (None, "") else None
    except (TypeError, ValueError):
        lat = lon = None
        record.repairs.append((f"{where}.latitude", "dropped coordinates that are not numbers"))
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        record.repairs.append((f"{where}.latitude", f"dropped impossible coordinates {lat}, {lon}"))
        lat = lon = None
    if (lat is None) != (lon is None):
        lat = lon = None
    addresses = _list(raw, "addresses", "physical_addresses")
    address = next(
        (a for a in addresses if a.get("address_type") in (None, "", "physical")),
        addresses[0] if addresses else {},
    )
    code = ""
    if address.get("postal_code"):
        code = postcode(address["postal_code"])
        if not code:
            record.repairs.append(
                (
                    f"{where}.postal_code",
                    f"dropped '{str(address['postal_code'])[:20]}': not a UK postcode",
                )
            )
    accessibility = []
    for k, item in enumerate(_list(raw, "accessibility", "accessibility_for_disabilities")):
        text = _short(item.get("description") or item.get("accessibility"), 1000)
        if text:
            accessibility.append(
                {
                    "id": child_id(item, record, f"{where}/accessibility", k),
                    "description": text,
                    "details": _short(item.get("details"), 1000),
                }
            )
    location_type = str(raw.get("location_type") or "physical").lower()
    if location_type not in ("physical", "postal", "virtual"):
        location_type = "physical"
    words = " ".join(a["description"].lower() for a in accessibility)
    step_free = any(w in words for w in ("wheelchair", "step-free", "step free", "level access"))
    return {
        "oruk_id": child_id(raw, record, "location", index),
        "location_type": location_type,
        "name": _short(raw.get("name")),
        "description": _text(raw.get("description"), record, f"{where}.description"),
        "latitude": lat,
        "longitude": lon,
        "address_1": _short(address.get("address_1")),
        "address_2": _short(address.get("address_2")),
        "city": _short(address.get("city"), 100),
        "region": _short(address.get("region") or address.get("state_province"), 100),
        "postcode": code,
        "accessibility": accessibility,
        "step_free": step_free,
    }


def _schedule(raw: dict, record: Record, kind: str, index: int) -> dict | None:
    where = f"schedule {index}"
    byday = str(raw.get("byday") or "").upper().replace(" ", "")
    weekday = str(raw.get("weekday") or "").strip().lower()  # ORUK 1.0 regular_schedules
    if weekday:
        byday = WEEKDAYS.get(weekday, WEEKDAYS.get(weekday[:3] + "day", ""))
        if not byday:
            record.repairs.append((where, f"dropped: '{weekday[:20]}' is not a day"))
            return None
    days = [d for d in byday.split(",") if d]
    if any(not _BYDAY.match(d) for d in days):
        record.repairs.append((where, f"dropped: '{byday[:40]}' is not a list of days"))
        return None
    opens = _time(raw.get("opens_at"), record, f"{where}.opens_at")
    closes = _time(raw.get("closes_at"), record, f"{where}.closes_at")
    if opens and closes and opens >= closes:
        record.repairs.append(
            (where, f"dropped: opens at {opens:%H:%M}, not before it closes at {closes:%H:%M}")
        )
        return None
    freq = str(raw.get("freq") or ("WEEKLY" if days else "")).upper()
    if freq not in ("", "WEEKLY", "MONTHLY"):
        record.repairs.append((where, f"dropped: frequency '{freq[:20]}' is not weekly or monthly"))
        return None
    description = _text(raw.get("description"), record, f"{where}.description")
    if not (days or description or raw.get("bymonthday")):
        record.repairs.append((where, "dropped: no days and no description"))
        return None
    try:
        interval = int(raw["interval"]) if raw.get("interval") not in (None, "") else None
    except (TypeError, ValueError):
        interval = None
    return {
        "oruk_id": child_id(raw, record, kind, index),
        "freq": freq,
        "interval": interval if interval and 0 < interval < 60 else None,
        "byday": ",".join(days),
        "bymonthday": str(raw.get("bymonthday") or "")[:50],
        "dtstart": _date(raw.get("dtstart"), record, f"{where}.dtstart", future=True),
        "valid_from": _date(raw.get("valid_from"), record, f"{where}.valid_from", future=True),
        "valid_to": _date(raw.get("valid_to"), record, f"{where}.valid_to", future=True),
        "opens_at": opens,
        "closes_at": closes,
        "description": description,
        "attending_type": _short(raw.get("attending_type"), 50),
        "notes": _text(raw.get("notes"), record, f"{where}.notes"),
    }


def _term(raw: dict, record: Record, index: int) -> dict | None:
    """A taxonomy term from an HSDS 3.0 attribute or an ORUK 1.0 service_taxonomy."""
    term = raw.get("taxonomy_term") or raw.get("taxonomy") or {}
    if not isinstance(term, dict):
        term = {}
    term_id = feed_id(term.get("id") or raw.get("taxonomy_term_id"))
    name = _short(term.get("name") or term.get("term"))
    if not term_id:
        record.repairs.append((f"attribute {index}", "dropped: no taxonomy term id"))
        return None
    taxonomy = term.get("taxonomy_detail") if isinstance(term.get("taxonomy_detail"), dict) else {}
    return {
        "oruk_id": term_id,
        "name": name,  # empty when only the id is given: it must already be known
        "code": _short(term.get("code"), 100),
        "description": _short(term.get("description"), 2000),
        "vocabulary": _short(term.get("taxonomy") or term.get("vocabulary")),
        "parent_id": feed_id(term.get("parent_id") or term.get("parent")),
        "taxonomy_id": feed_id(term.get("taxonomy_id") or taxonomy.get("id")),
        "taxonomy_name": _short(taxonomy.get("name")),
        "term_uri": _url(term.get("term_uri"), record, f"attribute {index}.term_uri"),
    }


def clean_parts(raw: dict, record: Record) -> None:
    """Read a service's parts into ``record.parts``, repairing or dropping bad ones."""
    parts = record.parts
    parts["locations"] = []
    for i, sal in enumerate(_list(raw, "service_at_locations"), start=1):
        location = sal.get("location")
        if not isinstance(location, dict):
            record.repairs.append((f"service_at_location {i}", "dropped: no location given"))
            continue
        cleaned = _location(location, record, i)
        cleaned["sal_id"] = child_id(sal, record, "service_at_location", i)
        cleaned["sal_description"] = _short(sal.get("description"), 2000)
        parts["locations"].append(cleaned)
        for k, schedule in enumerate(
            _list(sal, "schedules", "regular_schedules") + _list(location, "schedules"), start=1
        ):
            found = _schedule(schedule, record, f"sal-schedule/{i}", k)
            if found:
                found["sal_id"] = cleaned["sal_id"]
                parts.setdefault("schedules", []).append(found)
    for k, schedule in enumerate(_list(raw, "schedules", "regular_schedules"), start=1):
        found = _schedule(schedule, record, "schedule", k)
        if found:
            parts.setdefault("schedules", []).append(found)
    parts["areas"] = []
    for k, area in enumerate(_list(raw, "service_areas"), start=1):
        name = _short(area.get("name") or area.get("service_area"))
        if name or area.get("extent"):
            parts["areas"].append(
                {
                    "oruk_id": child_id(area, record, "service_area", k),
                    "name": name,
                    "description": _short(area.get("description"), 2000),
                    "extent": str(area.get("extent") or "")[:100_000],
                    "extent_type": _short(area.get("extent_type"), 20),
                    "uri": _url(area.get("uri"), record, f"service_area {k}.uri"),
                }
            )
    parts["phones"] = [
        {
            "oruk_id": child_id(phone, record, "phone", k),
            "number": _short(phone.get("number"), 50),
            "extension": _short(phone.get("extension"), 20),
            "type": _short(phone.get("type"), 20),
            "description": _short(phone.get("description")),
        }
        for k, phone in enumerate(_list(raw, "phones"), start=1)
        if _short(phone.get("number"), 50)
    ]
    parts["contacts"] = []
    for k, contact in enumerate(_list(raw, "contacts"), start=1):
        phones = _list(contact, "phones")
        item = {
            "oruk_id": child_id(contact, record, "contact", k),
            "name": _short(contact.get("name"), 200),
            "title": _short(contact.get("title"), 200),
            "department": _short(contact.get("department"), 200),
            "email": _email(contact.get("email"), record, f"contact {k}.email"),
            "phone": _short(phones[0].get("number"), 50) if phones else "",
        }
        if item["name"] or item["email"] or item["phone"]:
            parts["contacts"].append(item)
    parts["cost_options"] = []
    for k, cost in enumerate(_list(raw, "cost_options"), start=1):
        amount = cost.get("amount")
        try:
            amount = Decimal(str(amount)) if amount not in (None, "") else None
        except InvalidOperation:
            record.repairs.append((f"cost_option {k}.amount", f"dropped '{str(amount)[:20]}'"))
            amount = None
        if amount is not None and not Decimal(0) <= amount < Decimal(10_000_000):
            record.repairs.append((f"cost_option {k}.amount", f"dropped {amount}: not a price"))
            amount = None
        parts["cost_options"].append(
            {
                "oruk_id": child_id(cost, record, "cost_option", k),
                "option": _short(cost.get("option")),
                "amount": amount,
                "currency": (_short(cost.get("currency"), 3) or "GBP").upper(),
                "amount_description": _short(cost.get("amount_description")),
                "valid_from": _date(
                    cost.get("valid_from"), record, f"cost_option {k}", future=True
                ),
                "valid_to": _date(cost.get("valid_to"), record, f"cost_option {k}", future=True),
            }
        )
    parts["languages"] = [
        {
            "oruk_id": child_id(language, record, "language", k),
            "name": _short(language.get("name") or language.get("language"), 100),
            "code": _short(language.get("code"), 10),
            "note": _short(language.get("note")),
        }
        for k, language in enumerate(_list(raw, "languages"), start=1)
        if _short(language.get("name") or language.get("language") or language.get("code"), 100)
    ]
    terms = [
        _term(item, record, k)
        for k, item in enumerate(_list(raw, "attributes", "service_taxonomys"), start=1)
    ]
    parts["terms"] = [t for t in terms if t]
    # ORUK 1.0 keeps eligibility in its own list.
    for item in _list(raw, "eligibilitys"):
        if record.service.get("minimum_age") is None:
            record.service["minimum_age"] = _age(item.get("minimum_age"), record, "minimum_age")
        if record.service.get("maximum_age") is None:
            record.service["maximum_age"] = _age(item.get("maximum_age"), record, "maximum_age")
        if not record.service.get("eligibility_description"):
            record.service["eligibility_description"] = _short(item.get("eligibility"), 2000)
