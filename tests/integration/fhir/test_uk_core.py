"""UK Core: the codes and identifiers UK Core asks for, from what the record holds — the NHS
number with its verification status, ethnic category, coded language and interpreter, the
GP practice by ODS code; Conditions coded in SNOMED CT from the coded record with its
dates; staff roles in SNOMED CT; care plan and care team categories; audit agents as
references. Every resource also passes the HL7 FHIR R4 JSON schema (``_ok``)."""

from datetime import date

import pyarrow as pa
import pytest

from joinedup.fhir import resources as R
from joinedup.fhir.capability import PROFILES
from joinedup.people.coding import language_tag
from joinedup.population.models import Codelist, CodelistCode
from joinedup.population.store import EVENT_SCHEMA, AnalyticsStore
from tests.integration.fhir.test_fhir_api import Fhir, _ok, fhir_schema_errors

UK = "https://fhir.hl7.org.uk"


def _extension(resource: dict, url: str) -> dict:
    found = [e for e in resource.get("extension", []) if e["url"] == url]
    assert len(found) == 1, resource.get("extension")
    return found[0]


def test_patient_carries_what_uk_core_asks_for(fhir):
    person = fhir.person
    person.nhs_number_status = "01"
    person.ethnicity = "W_ROMA"  # no Data Dictionary code of its own: "any other White"
    person.preferred_language = "Polish"
    person.interpreter_needed = True
    person.save()
    patient = _ok(Fhir(fhir.token[fhir.gp]).get(f"Patient/{person.pk}"))

    assert patient["meta"]["profile"] == [PROFILES["Patient"]]
    (number,) = patient["identifier"]
    assert number["system"] == "https://fhir.nhs.uk/Id/nhs-number"
    status = number["extension"][0]
    assert status["url"] == f"{UK}/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
    assert status["valueCodeableConcept"]["coding"][0] == {
        "system": f"{UK}/CodeSystem/UKCore-NHSNumberVerificationStatusEngland",
        "code": "01",
        "display": "Number present and verified",
    }
    ethnic = _extension(patient, f"{UK}/StructureDefinition/Extension-UKCore-EthnicCategory")
    coding = ethnic["valueCodeableConcept"]["coding"][0]
    assert (coding["system"], coding["code"]) == (
        f"{UK}/CodeSystem/UKCore-EthnicCategoryEngland",
        "C",
    )
    assert ethnic["valueCodeableConcept"]["text"] == "White: Roma"
    # UK Core 2: the language bound to all languages (BCP-47), interpreter on the Patient.
    (language,) = patient["communication"]
    assert language["language"]["coding"] == [
        {"system": "urn:ietf:bcp:47", "code": "pl", "display": "Polish"}
    ]
    assert language["preferred"] is True
    interpreter = _extension(
        patient, "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
    )
    assert interpreter["valueBoolean"] is True
    (gp,) = patient["generalPractitioner"]
    assert gp["reference"] == f"Organization/{fhir.world.practice_a.pk}"
    assert gp["identifier"] == {
        "system": "https://fhir.nhs.uk/Id/ods-organization-code",
        "value": "Z00001",
    }


def test_what_is_not_known_is_left_out_rather_than_guessed(fhir):
    person = fhir.person
    person.nhs_number_status = ""
    person.preferred_language = "Estate patois"
    person.interpreter_needed = False
    person.save()
    patient = _ok(Fhir(fhir.token[fhir.gp]).get(f"Patient/{person.pk}"))
    assert "extension" not in patient["identifier"][0]
    assert not any(e["url"].endswith("interpreterRequired") for e in patient["extension"])
    language = patient["communication"][0]["language"]
    assert language == {"text": "Estate patois"}


@pytest.mark.parametrize(
    "name, tag",
    [
        ("English", "en"),
        ("Bengali", "bn"),
        ("Farsi", "fa"),
        ("Punjabi", "pa"),
        ("British Sign Language", "bfi"),
        ("Cantonese", "yue"),
        ("pl", "pl"),
    ],
)
def test_languages_as_people_record_them_become_bcp47_tags(name, tag):
    assert language_tag(name)[0] == tag


def test_a_registration_file_may_say_how_sure_it_is_of_the_nhs_number(world, tmp_path):
    from joinedup.people.models import Person
    from joinedup.people.registrations import load_people

    path = tmp_path / "people.csv"
    path.write_text(
        "nhs_number,given_name,family_name,date_of_birth,sex,postcode,address,practice,"
        "nhs_number_status\n"
        "9434765919,Ann,Ash,1950-01-01,F,,1 High St,Z00001,01\n"
        "9434765870,Bob,Birch,1951-01-01,M,,2 High St,Z00001,\n"
        "9434765838,Cat,Cole,1952-01-01,F,,3 High St,Z00001,verified\n",
        encoding="utf-8",
    )
    load = load_people(by=None, path=path)
    statuses = dict(Person.objects.values_list("given_name", "nhs_number_status"))
    assert statuses == {"Ann": "01", "Bob": ""}
    quarantined = load.report.read_text(encoding="utf-8")
    assert "nhs_number_status" in quarantined and "01 to 08" in quarantined


def _codelist(slug: str, codes: dict[int, str]) -> None:
    from django.utils import timezone

    codelist = Codelist.objects.create(
        slug=slug, name=slug, source="test", version="1", imported_at=timezone.now()
    )
    CodelistCode.objects.bulk_create(
        [CodelistCode(codelist=codelist, code=c, term=t) for c, t in codes.items()]
    )


def _events(rows: list[tuple[int, int, date]]) -> None:
    table = pa.table(
        {
            "person_id": [r[0] for r in rows],
            "system": ["snomed"] * len(rows),
            "code": [r[1] for r in rows],
            "date": [r[2] for r in rows],
            "value": [None] * len(rows),
            "unit": [None] * len(rows),
        },
        schema=EVENT_SCHEMA,
    )
    AnalyticsStore().write_batch("test", table)


def test_conditions_are_coded_from_the_record_with_its_dates(fhir):
    person = fhir.person
    _codelist("hyp", {38341003: "Hypertensive disorder", 59621000: "Essential hypertension"})
    _codelist("hyp_res", {162659009: "Hypertension resolved"})
    _codelist("copd", {13645005: "Chronic obstructive lung disease"})
    _codelist("depr", {35489007: "Depressive disorder"})
    _codelist("depr_res", {196381000000100: "Depression resolved"})
    _events(
        [
            # Hypertension: first diagnosed in 2001, resolved in 2005, diagnosed again in
            # 2010 (the onset that counts) and recoded in 2015.
            (person.pk, 38341003, date(2001, 3, 1)),
            (person.pk, 162659009, date(2005, 3, 1)),
            (person.pk, 38341003, date(2010, 4, 2)),
            (person.pk, 59621000, date(2015, 5, 3)),
            (person.pk, 13645005, date(2012, 6, 4)),
            # After the run's as-of date (30 June 2026): not what the run saw.
            (person.pk, 13645005, date(2026, 7, 1)),
            # Someone else's record.
            (fhir.other.pk, 35489007, date(2011, 1, 1)),
        ]
    )
    bundle = _ok(Fhir(fhir.token[fhir.gp]).get("Condition", patient=person.pk))
    by_text = {e["resource"]["code"]["text"]: e["resource"] for e in bundle["entry"]}
    hypertension = by_text["Hypertension"]
    assert hypertension["meta"]["profile"] == [PROFILES["Condition"]]
    assert hypertension["code"]["coding"] == [
        {
            "system": "http://snomed.info/sct",
            "code": "59621000",
            "display": "Essential hypertension",
        }
    ]
    assert hypertension["onsetDateTime"] == hypertension["recordedDate"] == "2010-04-02"
    assert by_text["COPD"]["onsetDateTime"] == "2012-06-04"
    # Depression is on the profile but this person's record holds no code for it here.
    assert "coding" not in by_text["Depression"]["code"]
    assert "recordedDate" not in by_text["Depression"]


def test_staff_roles_care_team_and_plan_are_coded(fhir):
    gp = Fhir(fhir.token[fhir.gp])
    membership = fhir.m[fhir.gp]
    role = _ok(gp.get(f"PractitionerRole/{membership.pk}"))
    assert role["code"][0]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "62247001",
        "display": "General practitioner",
    }
    assert role["practitioner"]["reference"] == f"Practitioner/{fhir.gp.pk}"
    practitioner = _ok(gp.get(role["practitioner"]["reference"]))
    assert practitioner["identifier"] == [{"system": R.user_system(), "value": fhir.gp.username}]
    found = _ok(gp.get("Practitioner", identifier=f"{R.user_system()}|{fhir.gp.username}"))
    assert [e["resource"]["id"] for e in found["entry"]] == [str(fhir.gp.pk)]
    # A volunteer's role has no SNOMED CT occupation: joinedup's own code only.
    volunteer = _ok(gp.get(f"PractitionerRole/{fhir.m[fhir.volunteer].pk}"))
    assert [c["system"] for c in volunteer["code"][0]["coding"]] == [R.role_system()]

    team = _ok(gp.get(f"CareTeam/{fhir.person.pk}"))
    assert team["category"][0]["coding"][0]["code"] == "LA28865-6"
    social = next(p for p in team["participant"] if p["role"][0]["text"] == "Social worker")
    assert social["role"][0]["coding"][0]["code"] == "106328005"
    plan = _ok(gp.get(f"CarePlan/{fhir.plan.pk}"))
    assert plan["category"][0]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "734163000",
        "display": "Care plan",
    }


def test_audit_event_agents_are_references(fhir):
    gp = Fhir(fhir.token[fhir.gp])
    gp.get(f"Patient/{fhir.person.pk}")
    events = _ok(gp.get("AuditEvent", patient=fhir.person.pk))
    agents = [e["resource"]["agent"][0]["who"] for e in events["entry"]]
    assert f"PractitionerRole/{fhir.m[fhir.gp].pk}" in {a.get("reference") for a in agents}


def test_the_schema_check_refuses_what_is_not_fhir():
    # So that a passing schema check means something.
    assert fhir_schema_errors({"resourceType": "Patient", "gender": "woman"})
    assert fhir_schema_errors({"resourceType": "Patient", "nickname": "Mo"})
    assert not fhir_schema_errors({"resourceType": "Patient", "gender": "female"})


def test_capability_statement_declares_the_profiles_the_resources_carry(fhir):
    metadata = _ok(Fhir(None).get("metadata"))
    declared = {r["type"]: r.get("supportedProfile", []) for r in metadata["rest"][0]["resource"]}
    assert declared["Patient"] == [PROFILES["Patient"]]
    assert declared["Goal"] == []  # UK Core has no Goal profile
    assert set(PROFILES) <= set(declared)
