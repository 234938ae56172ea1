"""Reading an agency's person extract: ``local_id,nhs_number,given_name,family_name,
date_of_birth,sex,postcode,address``, and optionally ``phone,language,interpreter_needed,
communication_needs,carer``. Every column but ``local_id`` may be empty."""

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import nhs_number
from django.core.exceptions import ValidationError

from joinedup.core import json_input
from joinedup.core.actions import normalise_postcode

COLUMNS = (
    "local_id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
)
# What else an agency may know; shown on the person page beside the registered record.
OPTIONAL_COLUMNS = ("phone", "language", "interpreter_needed", "communication_needs", "carer")
YES_NO = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "": None,
}
SEXES = {
    "m": "male",
    "male": "male",
    "f": "female",
    "female": "female",
    "i": "indeterminate",
    "indeterminate": "indeterminate",
    "u": "unknown",
    "unknown": "unknown",
    "": "",
}


@dataclass
class ExtractRow:
    line: int
    local_id: str
    nhs_number: str
    nhs_number_verified: bool
    given_name: str
    family_name: str
    birth_date: date | None
    sex: str
    postcode: str
    postcode_valid: bool
    address: str
    phone: str = ""
    language: str = ""
    interpreter_needed: bool | None = None
    communication_needs: str = ""
    carer: str = ""


def parse_date(text: str) -> date | None:
    """YYYY-MM-DD or DD/MM/YYYY; blank is None; anything else raises ValueError."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_extract(path: Path, today: date) -> tuple[list[ExtractRow], list[tuple]]:
    """Rows to keep, and quarantine entries (file, row, field, reason). Structural problems
    (encoding, columns, empty file, duplicate local ids) refuse the whole file."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        ) from exc
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read ({exc.strerror})") from exc
    reader = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(reader, [])]
    if not header:
        raise ValidationError(f"{name}: the file is empty")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationError(f"{name}: missing column(s) {', '.join(missing)}")
    at = {c: header.index(c) for c in COLUMNS + OPTIONAL_COLUMNS if c in header}
    rows: list[ExtractRow] = []
    quarantine: list[tuple] = []
    seen: dict[str, int] = {}
    for line, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            quarantine.append((name, line, "", f"{len(fields)} fields, header has {len(header)}"))
            continue
        value = dict.fromkeys(OPTIONAL_COLUMNS, "")
        value.update({c: fields[i].strip() for c, i in at.items()})
        local_id = value["local_id"]
        if not local_id:
            quarantine.append((name, line, "local_id", "local_id is missing"))
            continue
        if local_id in seen:
            raise ValidationError(
                f"{name} row {line}, field local_id: '{local_id[:40]}' is also on row "
                f"{seen[local_id]}; local ids must be unique in an extract"
            )
        seen[local_id] = line
        try:
            born = parse_date(value["date_of_birth"])
        except ValueError:
            quarantine.append(
                (name, line, "date_of_birth", "not a date (use YYYY-MM-DD or DD/MM/YYYY)")
            )
            continue
        if born and born > today:
            quarantine.append((name, line, "date_of_birth", "date of birth is in the future"))
            continue
        interpreter = YES_NO.get(value["interpreter_needed"].lower(), "bad")
        if interpreter == "bad":
            quarantine.append((name, line, "interpreter_needed", "not yes or no"))
            continue
        number = value["nhs_number"].replace(" ", "").replace("-", "")
        verified = number.isdecimal() and len(number) == 10 and nhs_number.is_valid(number)
        postcode, postcode_valid = value["postcode"], False
        if postcode:
            try:
                postcode, postcode_valid = normalise_postcode(postcode), True
            except ValidationError:
                postcode_valid = False  # kept as recorded, flagged
        rows.append(
            ExtractRow(
                line=line,
                local_id=local_id[:100],
                nhs_number=number[:20],
                nhs_number_verified=verified,
                given_name=value["given_name"][:100],
                family_name=value["family_name"][:100],
                birth_date=born,
                sex=SEXES.get(value["sex"].lower(), ""),
                postcode=postcode[:20],
                postcode_valid=postcode_valid,
                address=value["address"][:300],
                phone=value["phone"][:30],
                language=value["language"][:60],
                interpreter_needed=interpreter,
                communication_needs=value["communication_needs"][:300],
                carer=value["carer"][:200],
            )
        )
    if not rows and not quarantine:
        raise ValidationError(f"{name}: no records after the header")
    return rows, quarantine


def read_fhir_patients(path: Path, today: date) -> tuple[list[ExtractRow], list[tuple]]:
    """Patient resources of a FHIR R4 Bundle as an agency extract. The local id is the
    Patient's id (or its first identifier that is not an NHS number)."""
    import json

    from fhir.resources.R4B.patient import Patient
    from pydantic import ValidationError as PydanticError

    name = path.name
    try:
        data = json_input.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{name}: not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{name}: malformed JSON at line {exc.lineno}: {exc.msg}") from exc
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise ValidationError(f"{name}: not a FHIR Bundle")
    rows, quarantine, seen = [], [], {}
    for index, entry in enumerate(data.get("entry") or []):
        resource = (entry or {}).get("resource") or {}
        if resource.get("resourceType") != "Patient":
            continue
        where = f"entry {index}"
        try:
            Patient.model_validate(resource)
        except PydanticError as exc:
            field = ".".join(str(p) for p in exc.errors()[0].get("loc", ())) or "resource"
            quarantine.append((name, where, field, "not a valid FHIR R4 Patient"))
            continue
        identifiers = resource.get("identifier") or []
        nhs = next(
            (
                i.get("value", "")
                for i in identifiers
                if i.get("system") == "https://fhir.nhs.uk/Id/nhs-number"
            ),
            "",
        )
        local = resource.get("id") or next(
            (
                i.get("value", "")
                for i in identifiers
                if i.get("system") != "https://fhir.nhs.uk/Id/nhs-number"
            ),
            "",
        )
        if not local:
            quarantine.append((name, where, "id", "no Patient.id or local identifier"))
            continue
        if local in seen:
            raise ValidationError(
                f"{name} {where}, field id: '{local[:40]}' is also in "
                f"{seen[local]}; local ids must be unique"
            )
        seen[local] = where
        human = (resource.get("name") or [{}])[0]
        address = (resource.get("address") or [{}])[0]
        born = date.fromisoformat(resource["birthDate"]) if resource.get("birthDate") else None
        if born and born > today:
            quarantine.append((name, where, "birthDate", "date of birth is in the future"))
            continue
        number = nhs.replace(" ", "")
        postcode, postcode_valid = address.get("postalCode", ""), False
        if postcode:
            try:
                postcode, postcode_valid = normalise_postcode(postcode), True
            except ValidationError:
                postcode_valid = False
        rows.append(
            ExtractRow(
                line=index,
                local_id=local[:100],
                nhs_number=number[:20],
                nhs_number_verified=number.isdecimal()
                and len(number) == 10
                and nhs_number.is_valid(number),
                given_name=" ".join(human.get("given") or [])[:100],
                family_name=(human.get("family") or "")[:100],
                birth_date=born,
                sex=SEXES.get((resource.get("gender") or "").lower(), ""),
                postcode=postcode[:20],
                postcode_valid=postcode_valid,
                address=", ".join(address.get("line") or [])[:300],
                **_patient_facts(resource),
            )
        )
    if not rows and not quarantine:
        raise ValidationError(f"{name}: no Patient resources")
    return rows, quarantine


def _patient_facts(resource: dict) -> dict:
    """Phone, language, interpreter and carer from a FHIR Patient (UK Core's
    NHSCommunication extension for the interpreter; a contact whose relationship says
    carer)."""
    phone = next(
        (t.get("value", "") for t in resource.get("telecom") or [] if t.get("system") == "phone"),
        "",
    )
    language, interpreter = "", None
    for communication in resource.get("communication") or []:
        concept = communication.get("language") or {}
        language = concept.get("text") or next(
            (c.get("display", "") for c in concept.get("coding") or []), ""
        )
        break
    for extension in resource.get("extension") or []:
        if extension.get("url", "").endswith("NHSCommunication"):
            for part in extension.get("extension") or []:
                if part.get("url") == "interpreterRequired":
                    interpreter = bool(part.get("valueBoolean"))
    carer = ""
    for contact in resource.get("contact") or []:
        words = " ".join(
            [r.get("text", "") for r in contact.get("relationship") or []]
            + [
                c.get("display", "")
                for r in contact.get("relationship") or []
                for c in r.get("coding") or []
            ]
        )
        if "carer" in words.lower():
            who = contact.get("name") or {}
            carer = who.get("text") or " ".join((who.get("given") or []) + [who.get("family", "")])
            break
    return {
        "phone": phone[:30],
        "language": language[:60],
        "interpreter_needed": interpreter,
        "carer": carer.strip()[:200],
    }
