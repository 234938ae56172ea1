"""FHIR R4 Bundles as Synthea and GP systems export them: any bundle type that carries
resources (collection, transaction, batch, searchset, ...), one or many patients a file.

Patient, Condition, Observation, MedicationRequest and Encounter become events; other
resource types are counted and skipped. Every resource is validated with fhir.resources
(R4B, which reads R4 content for these types).
"""

import json
from collections import Counter
from datetime import date
from pathlib import Path

from pydantic import ValidationError as PydanticError

from joinedup.core import json_input
from joinedup.people.validation import clean_nhs_number

from .records import EventBuffer, Quarantine, check_code, check_date, code_system, mask

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
USED = {"Patient", "Condition", "Observation", "MedicationRequest", "Encounter"}


def _coding(concept: dict | None) -> tuple[str | None, str]:
    for coding in (concept or {}).get("coding", []):
        system = code_system(coding.get("system", ""))
        if system:
            return system, str(coding.get("code", "")).strip()
    first = ((concept or {}).get("coding") or [{}])[0]
    return None, first.get("system", "")


def _event_fields(resource: dict) -> tuple[dict | None, str | None, float | None, str | None]:
    """(concept, date text, value, unit) of a resource we keep."""
    kind = resource["resourceType"]
    if kind == "Condition":
        when = resource.get("onsetDateTime") or resource.get("recordedDate")
        return resource.get("code"), when, None, None
    if kind == "Observation":
        quantity = resource.get("valueQuantity") or {}
        when = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get(
            "start"
        )
        return resource.get("code"), when, quantity.get("value"), quantity.get("unit")
    if kind == "MedicationRequest":
        return resource.get("medicationCodeableConcept"), resource.get("authoredOn"), None, None
    if kind == "Encounter":
        concept = (resource.get("type") or [None])[0]
        return concept, (resource.get("period") or {}).get("start"), None, None
    return None, None, None, None


def read_bundle_file(
    path: Path,
    *,
    people: dict[str, tuple[int, date]],
    today: date,
    events: EventBuffer,
    quarantine: Quarantine,
    skipped: Counter,
) -> int:
    """Read one bundle file; returns the number of entries read."""
    name = path.name
    try:
        data = json_input.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        quarantine.add(name, "file", "", f"not UTF-8 text (byte {exc.start})")
        return 0
    except json.JSONDecodeError as exc:
        quarantine.add(
            name, "file", "", f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        )
        return 0
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        quarantine.add(name, "file", "resourceType", "not a FHIR Bundle")
        return 0
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        quarantine.add(name, "file", "entry", "entry must be a list")
        return 0
    # Patients first, so that references resolve whatever the order of entries.
    patients: dict[str, tuple[int, date] | None] = {}
    for index, entry in enumerate(entries):
        resource = (entry or {}).get("resource") or {}
        if resource.get("resourceType") != "Patient":
            continue
        where = f"entry {index}"
        if not _valid(resource, name, where, quarantine):
            patients[_key(entry, resource)] = None
            continue
        numbers = [
            i.get("value", "")
            for i in resource.get("identifier", [])
            if i.get("system") == NHS_NUMBER_SYSTEM
        ]
        person = None
        if not numbers:
            quarantine.add(name, where, "identifier", "no NHS number identifier")
        else:
            try:
                number = clean_nhs_number(numbers[0])
            except Exception:  # noqa: BLE001
                quarantine.add(
                    name, where, "identifier", "not a valid NHS number", mask(numbers[0])
                )
            else:
                person = people.get(number)
                if person is None:
                    quarantine.add(
                        name, where, "identifier", "no resident has this NHS number", mask(number)
                    )
        for key in _keys(entry, resource):
            patients[key] = person
    for index, entry in enumerate(entries):
        where = f"entry {index}"
        resource = (entry or {}).get("resource")
        if not isinstance(resource, dict) or "resourceType" not in resource:
            quarantine.add(name, where, "resource", "entry has no resource")
            continue
        kind = resource["resourceType"]
        if kind not in USED:
            skipped[kind] += 1
            continue
        if kind == "Patient":
            continue
        if not _valid(resource, name, where, quarantine):
            continue
        reference = (resource.get("subject") or resource.get("patient") or {}).get("reference", "")
        if not reference:
            quarantine.add(name, where, "subject", "no patient reference")
            continue
        if reference not in patients:
            quarantine.add(
                name, where, "subject", f"refers to {reference[:60]}, not in this bundle"
            )
            continue
        person = patients[reference]
        if person is None:
            quarantine.add(name, where, "subject", "the patient could not be matched")
            continue
        concept, when, value, unit = _event_fields(resource)
        system, code = _coding(concept)
        if system is None:
            quarantine.add(name, where, "code", "no SNOMED CT or dm+d coding", code)
            continue
        problem = check_code(system, code)
        if problem:
            quarantine.add(name, where, "code", problem, code)
            continue
        day, problem = check_date(when or "", today, person[1])
        if problem:
            quarantine.add(name, where, "date", problem, str(when or ""))
            continue
        events.add(person[0], system, int(code), day, value, unit)
    return len(entries)


def _keys(entry: dict, resource: dict) -> list[str]:
    keys = []
    if entry.get("fullUrl"):
        keys.append(entry["fullUrl"])
    if resource.get("id"):
        keys.append(f"Patient/{resource['id']}")
    return keys


def _key(entry: dict, resource: dict) -> str:
    keys = _keys(entry, resource)
    return keys[0] if keys else ""


_VALIDATORS = {}


def _valid(resource: dict, name: str, where: str, quarantine: Quarantine) -> bool:
    """Validate one resource against its FHIR R4 model; quarantine it if it fails."""
    kind = resource["resourceType"]
    model = _VALIDATORS.get(kind)
    if model is None:
        module = __import__(f"fhir.resources.R4B.{kind.lower()}", fromlist=[kind])
        model = _VALIDATORS[kind] = getattr(module, kind)
    try:
        model.model_validate(resource)
    except PydanticError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "resource"
        quarantine.add(
            name, where, field, f"not valid FHIR R4 {kind}: {first.get('msg', '')}"[:200]
        )
        return False
    return True
