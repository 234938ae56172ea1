"""Reading HL7 v2 ADT messages and answering them (python-hl7, ADR 0016).

The bytes as they came over MLLP are decoded in the character set MSH-18 names (UTF-8
when it names none), parsed, and what joinedup uses is taken out as an ``Adt``; or the
message is refused (``Refused``) with the acknowledgement code (AE: an error in the
message, AR: a message joinedup does not take), the HL7 error code (table 0357) and a
reason naming the field, never the patient. ``ack`` writes the acknowledgement.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import hl7
from django.utils import timezone
from nhs_number import is_valid as nhs_number_is_valid

# The events joinedup takes: admit, transfer, discharge, register (A&E), update, cancel
# admit, cancel discharge.
EVENTS = ("A01", "A02", "A03", "A04", "A08", "A11", "A13")
NHS_NUMBER_OID = "2.16.840.1.113883.2.1.4.1"
HOSPITAL_NUMBER_TYPES = ("MR", "PI", "PT", "PN", "HN", "")
# MSH-18 (HL7 table 0211) → Python codec. No MSH-18: UTF-8 (ASCII's superset, and what
# v2.8 prefers).
CHARSETS = {
    "": "utf-8",
    "ASCII": "ascii",
    "UNICODE UTF-8": "utf-8",
    "UTF-8": "utf-8",
    **{f"8859/{n}": f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 15)},
}


class Refused(Exception):
    """The message cannot be taken: ``code`` AE or AR, ``error`` an HL7 table 0357 code,
    ``where`` the field at fault ("MSH-10"), ``reason`` in words."""

    def __init__(self, code: str, error: str, where: str, reason: str, header=None):
        super().__init__(f"{where}: {reason}" if where else reason)
        self.code, self.error, self.where, self.reason = code, error, where, reason
        self.header = header or Header()


@dataclass
class Header:
    """What the acknowledgement needs from MSH, read before anything else can fail."""

    sending_application: str = ""
    sending_facility: str = ""  # MSH-4's first component: an ODS code
    sending_facility_id: str = ""  # MSH-4's second (universal id), when sent
    control_id: str = ""
    processing_id: str = "P"
    version: str = "2.4"
    trigger: str = ""  # MSH-9.2, echoed in the ACK's MSH-9
    charset: str = ""


@dataclass
class Adt:
    """One ADT message, as joinedup uses it."""

    header: Header
    event: str
    text: str  # the whole message, decoded, segments separated by carriage returns
    occurred_at: datetime
    nhs_number: str = ""  # valid (check digit), else blank
    nhs_number_refused: bool = False  # one was sent, but it fails its check digit
    hospital_numbers: list[tuple[str, str]] = field(default_factory=list)  # (id, issuer)
    patient_class: str = ""
    location: str = ""
    visit_number: str = ""
    admitted_at: datetime | None = None
    discharged_at: datetime | None = None


def read(raw: bytes) -> Adt:
    """The ``Adt`` in ``raw`` (one message, without its MLLP framing), or ``Refused``."""
    if not raw.lstrip(b"\r\n").startswith(b"MSH"):
        raise Refused("AR", "100", "MSH", "not an HL7 v2 message: it does not begin with MSH")
    header = read_header(raw)
    codec = CHARSETS.get(header.charset.upper())
    if codec is None:
        raise Refused(
            "AR",
            "103",
            "MSH-18",
            f"character set '{header.charset[:20]}' is not one joinedup reads",
            header,
        )
    try:
        text = raw.lstrip(b"\r\n").decode(codec)
    except UnicodeDecodeError as exc:
        declared = f"MSH-18 says {header.charset}" if header.charset else "MSH-18 is empty (UTF-8)"
        raise Refused(
            "AE",
            "102",
            "MSH-18",
            f"the message is not in its character set ({declared}): byte {exc.start + 1} "
            f"cannot be read",
            header,
        ) from exc
    return read_text(text, header)


def read_text(text: str, header: Header | None = None) -> Adt:
    """The ``Adt`` in a message already decoded (one kept, read again), or ``Refused``."""
    header = header or read_header(text.encode("utf-8", "backslashreplace"))
    if "\x00" in text:
        raise Refused(
            "AE", "102", "", "the message has NUL characters, which HL7 v2 does not", header
        )
    text = "\r".join(s for s in re.split(r"\r\n|\r|\n", text) if s.strip())
    try:
        message = hl7.parse(text)
    except Exception as exc:  # noqa: BLE001 - any failure to parse is the message's fault
        raise Refused(
            "AE", "100", "", f"not readable as HL7 v2 ({type(exc).__name__})", header
        ) from exc
    if not header.control_id:
        raise Refused("AE", "101", "MSH-10", "the message control id is empty", header)
    kind, event = _get(message, "MSH", 9, 1, 1), _get(message, "MSH", 9, 1, 2)
    if kind != "ADT":
        raise Refused("AR", "200", "MSH-9", f"message type {kind[:10]} is not ADT", header)
    event = event or _get(message, "EVN", 1)
    if event not in EVENTS:
        raise Refused(
            "AR",
            "201",
            "MSH-9",
            f"event {event[:10]} is not one joinedup takes ({', '.join(EVENTS)})",
            header,
        )
    for segment in ("PID", "PV1"):
        if not _has(message, segment):
            raise Refused("AE", "100", segment, f"the {segment} segment is missing", header)
    adt = Adt(header=header, event=event, text=text, occurred_at=timezone.now())
    adt.occurred_at = (
        _when(message, "EVN", 6, header)
        or _when(message, "EVN", 2, header)
        or _when(message, "MSH", 7, header)
        or timezone.now()
    )
    _identifiers(message, adt)
    if not adt.nhs_number and not adt.hospital_numbers:
        why = (
            "the NHS number fails its check digit and there is no hospital number"
            if adt.nhs_number_refused
            else "no NHS number and no hospital number"
        )
        raise Refused("AE", "101", "PID-3", f"no usable patient identifier: {why}", header)
    adt.patient_class = _get(message, "PV1", 2)[:1].upper()
    adt.location = ", ".join(
        part for part in (_get(message, "PV1", 3, 1, c) for c in (1, 2, 3)) if part.strip()
    )[:120]
    adt.visit_number = _get(message, "PV1", 19)[:60]
    adt.admitted_at = _when(message, "PV1", 44, header)
    adt.discharged_at = _when(message, "PV1", 45, header)
    return adt


def read_header(raw: bytes) -> Header:
    """MSH's fields, read from the bytes (MSH is ASCII whatever the message's character
    set): enough to acknowledge even a message that cannot be decoded or parsed."""
    first = re.split(rb"\r|\n", raw.lstrip(b"\r\n"), maxsplit=1)[0].decode("latin-1")
    if len(first) < 8:
        return Header()
    separator, component = first[3], (first[4] if len(first) > 4 else "^")
    fields = first.split(separator)

    def msh(n: int, c: int = 1) -> str:
        value = fields[n - 1] if n - 1 < len(fields) else ""
        parts = value.split("~")[0].split(component)
        part = parts[c - 1] if c - 1 < len(parts) else ""
        return "".join(ch for ch in part if ch >= " ").strip()[:100]  # no control characters

    return Header(
        sending_application=msh(3),
        sending_facility=msh(4),
        sending_facility_id=msh(4, 2),
        control_id=msh(10),
        processing_id=msh(11) or "P",
        version=msh(12) or "2.4",
        trigger=msh(9, 2),
        charset=msh(18),
    )


def _get(message, segment: str, field_num: int, repeat: int = 1, component: int = 1) -> str:
    """A field (component) as text, unescaped; blank when absent."""
    try:
        return str(message.extract_field(segment, 1, field_num, repeat, component, 1)).strip()
    except (KeyError, IndexError):
        return ""


def _has(message, segment: str) -> bool:
    try:
        message.segment(segment)
    except KeyError:
        return False
    return True


def _identifiers(message, adt: Adt) -> None:
    """PID-3's repetitions (and PID-2, where older feeds put the NHS number): the NHS
    number (type NH, or issued by NHS or the NHS number OID), checked; hospital numbers."""
    found = [(2, 1)] + [(3, r) for r in range(1, _repetitions(message, 3) + 1)]
    for field_num, repeat in found:
        value = _get(message, "PID", field_num, repeat, 1).replace(" ", "")
        if not value:
            continue
        issuer = _get(message, "PID", field_num, repeat, 4)
        issuer_id = _component(message, field_num, repeat, 4, 2)
        kind = _get(message, "PID", field_num, repeat, 5).upper()
        nhs = kind == "NH" or issuer.upper() == "NHS" or NHS_NUMBER_OID in (issuer, issuer_id)
        if field_num == 2 and not (nhs or (len(value) == 10 and value.isdecimal())):
            continue
        if nhs or field_num == 2:
            if len(value) == 10 and value.isdecimal() and nhs_number_is_valid(value):
                adt.nhs_number = adt.nhs_number or value
            else:
                adt.nhs_number_refused = True
        elif kind in HOSPITAL_NUMBER_TYPES:
            adt.hospital_numbers.append((value[:100], issuer[:20]))


def _repetitions(message, field_num: int) -> int:
    try:
        value = message.segment("PID")[field_num]
    except (KeyError, IndexError):
        return 0
    if isinstance(value, hl7.Field) and value and isinstance(value[0], hl7.Repetition):
        return len(value)
    return 1 if str(value) else 0


def _component(message, field_num: int, repeat: int, component: int, sub: int) -> str:
    try:
        return str(message.extract_field("PID", 1, field_num, repeat, component, sub)).strip()
    except (KeyError, IndexError):
        return ""


TIMESTAMP = re.compile(
    r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d{1,4})?([+-]\d{4})?$"
)


def parse_timestamp(text: str) -> datetime | None:
    """An HL7 date and time (``YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]``) as an aware
    datetime (local time when it has no offset); None when blank. ValueError otherwise.

    >>> parse_timestamp("202603041530+0100").isoformat()
    '2026-03-04T15:30:00+01:00'
    """
    text = (text or "").strip()
    if not text:
        return None
    match = TIMESTAMP.match(text)
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second, offset = match.groups()
    value = datetime(
        int(year),
        int(month or 1),
        int(day or 1),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
    )
    if offset:
        sign = 1 if offset[0] == "+" else -1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        return value.replace(tzinfo=dt_timezone(sign * delta))
    return timezone.make_aware(value)


def _when(message, segment: str, field_num: int, header: Header) -> datetime | None:
    text = _get(message, segment, field_num)
    try:
        return parse_timestamp(text)
    except (ValueError, OverflowError) as exc:
        raise Refused(
            "AE", "102", f"{segment}-{field_num}", "not an HL7 date and time", header
        ) from exc


def _escape(text: str) -> str:
    """Text for a field of our acknowledgement, with HL7's delimiters escaped."""
    text = text.replace("\\", "\\E\\")
    for char, escape in (("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\")):
        text = text.replace(char, escape)
    return re.sub(r"[\r\n]+", " ", text)


def ack(
    header: Header, *, code: str, ack_id: str, text: str = "", error: str = "", where: str = ""
) -> bytes:
    """The acknowledgement (original mode) of a message: ``code`` AA, AE or AR; with an
    ERR segment naming the HL7 error code, the field and the reason when it is not AA."""
    now = timezone.localtime().strftime("%Y%m%d%H%M%S")
    segments = [
        "|".join(
            [
                "MSH",
                "^~\\&",
                "JOINEDUP",
                "JOINEDUP",
                _escape(header.sending_application),
                _escape(header.sending_facility),
                now,
                "",
                f"ACK^{_escape(header.trigger)}^ACK" if header.trigger else "ACK",
                ack_id,
                _escape(header.processing_id[:3]) or "P",
                _escape(header.version[:10]) or "2.4",
            ]
        ),
        "|".join(["MSA", code, _escape(header.control_id), _escape(text[:80])]),
    ]
    if code != "AA":
        segment, _, number = where.partition("-")
        location = f"{segment}^1^{number}" if number else segment
        segments.append(
            "|".join(
                ["ERR", "", location, f"{error}^^HL70357", "E", "", "", "", _escape(text[:200])]
            )
        )
    return "\r".join(segments).encode("utf-8") + b"\r"
