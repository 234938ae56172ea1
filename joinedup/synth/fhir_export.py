"""The demo borough's records as FHIR R4 Bundles, one per patient (type collection), so
that the FHIR import path can be exercised end to end."""

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb

from joinedup.people.models import Person
from joinedup.population.store import AnalyticsStore

from .clinical import ADMISSION, AE, BACKGROUND_CODES

SNOMED = "http://snomed.info/sct"
DMD = "https://dmd.nhs.uk"
ENCOUNTER_CODES = {ADMISSION, AE, *BACKGROUND_CODES}


def _resource(patient_url: str, system: str, code: int, day: str, value, unit) -> dict:
    reference = {"reference": patient_url}
    if system == "dmd":
        return {
            "resourceType": "MedicationRequest",
            "status": "completed",
            "intent": "order",
            "subject": reference,
            "authoredOn": day,
            "medicationCodeableConcept": {"coding": [{"system": DMD, "code": str(code)}]},
        }
    concept = {"coding": [{"system": SNOMED, "code": str(code)}]}
    if value is not None:
        return {
            "resourceType": "Observation",
            "status": "final",
            "subject": reference,
            "code": concept,
            "effectiveDateTime": day,
            "valueQuantity": {
                "value": value,
                "unit": unit or "",
                "system": "http://unitsofmeasure.org",
            },
        }
    if code in ENCOUNTER_CODES:
        return {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "type": [concept],
            "subject": reference,
            "period": {"start": day},
        }
    return {
        "resourceType": "Condition",
        "subject": reference,
        "code": concept,
        "onsetDateTime": day,
    }


def write_bundles(
    out: Path,
    *,
    store: AnalyticsStore | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write ``<nhs_number>.json`` for every resident with an NHS number. Returns files written."""
    store = store or AnalyticsStore()
    out.mkdir(parents=True, exist_ok=True)
    people = {
        pk: (nhs, born, sex)
        for pk, nhs, born, sex in Person.objects.exclude(nhs_number=None).values_list(
            "pk", "nhs_number", "birth_date", "sex"
        )
    }
    con = duckdb.connect()
    rows = con.execute(
        "SELECT person_id, CAST(system AS VARCHAR), code, strftime(date, '%Y-%m-%d'), value, "
        "CAST(unit AS VARCHAR) FROM read_parquet(?) ORDER BY person_id, date",
        [store.events_glob()],
    ).fetchall()
    con.close()
    by_person: dict[int, list] = {}
    for row in rows:
        by_person.setdefault(row[0], []).append(row[1:])
    written = 0
    for index, (pk, (nhs, born, sex)) in enumerate(sorted(people.items()), start=1):
        patient_url = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'joinedup/patient/{pk}')}"
        entries = [
            {
                "fullUrl": patient_url,
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs}],
                    "birthDate": born.isoformat(),
                    "gender": sex if sex in ("male", "female") else "unknown",
                },
            }
        ]
        entries += [{"resource": _resource(patient_url, *event)} for event in by_person.get(pk, [])]
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
        (out / f"{nhs}.json").write_text(json.dumps(bundle, separators=(",", ":")))
        written += 1
        if progress:
            progress(index, len(people))
    return written
