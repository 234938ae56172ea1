"""FHIR search as the specification says: paging a client can follow to the end and get
every match once (also while records are added), unknown parameters refused (or, when the
client asks for leniency, ignored and reported), string, date and _id searches."""

from datetime import date

import pytest

from joinedup.core.actions import create_api_token
from joinedup.core.models import Role
from joinedup.people.models import Person
from tests.integration.fhir.test_fhir_api import Fhir, _ok, _outcome


@pytest.fixture
def practice_of_2000(world, membership_of):
    gp = world.user(Role.GP, world.practice_a)
    Person.objects.bulk_create(
        [
            Person(
                given_name=f"Given{i}",
                family_name="Ghani" if i % 2 else "Smith",
                search_given_name=f"given{i}",
                search_family_name="ghani" if i % 2 else "smith",
                birth_date=date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
                sex="female" if i % 3 else "male",
                postcode="JU1 1AA" if i % 5 else "JU2 2BB",
                registered_practice=world.practice_a,
            )
            for i in range(2000)
        ]
    )
    token = create_api_token(by=None, user=gp, organisation=membership_of(gp).organisation)
    return Fhir(token), token


@pytest.mark.django_db(transaction=True)
def test_a_client_library_pages_through_every_result_once_while_records_are_added(
    practice_of_2000, live_server, world
):
    from fhirpy import SyncFHIRClient

    _, token = practice_of_2000
    client = SyncFHIRClient(f"{live_server.url}/fhir", authorization=f"Bearer {token}")
    search = client.resources("Patient").search(family="Gha").limit(200)
    assert search.fetch_raw().total == 1000
    seen = []
    for patient in search:  # the library follows the "next" links
        seen.append(patient.id)
        if len(seen) == 300:  # someone registers with the practice half-way through
            world.person(given_name="Late", family_name="Ghani")
    assert len(seen) == len(set(seen)) == 1001  # every one once, and the newcomer at the end


def test_paging_links_count_capped_and_summary_count(practice_of_2000):
    fhir, _ = practice_of_2000
    page = _ok(fhir.get("Patient", family="smith", _count="300"))
    assert page["total"] == 1000 and len(page["entry"]) == 200  # capped at the maximum
    links = {link["relation"]: link["url"] for link in page["link"]}
    assert set(links) == {"self", "first", "next", "last"}
    assert "family=smith" in links["self"] and "_count=200" in links["self"]
    last = _ok(fhir.client.get(links["last"], headers=fhir.headers))
    assert len(last["entry"]) == 200 and "next" not in {x["relation"] for x in last["link"]}
    back = {x["relation"]: x["url"] for x in last["link"]}["previous"]
    before_last = _ok(fhir.client.get(back, headers=fhir.headers))
    ids = [e["resource"]["id"] for e in before_last["entry"] + last["entry"]]
    assert ids == sorted(ids, key=int) and len(set(ids)) == 400
    counted = _ok(fhir.get("Patient", _summary="count"))
    assert counted["total"] == 2000 and "entry" not in counted


def test_unknown_parameters_are_refused_or_with_leniency_reported(practice_of_2000):
    fhir, _ = practice_of_2000
    issue = _outcome(fhir.get("Patient", colour="blue"), 400)
    assert issue["code"] == "not-supported" and "colour" in issue["diagnostics"]
    issue = _outcome(fhir.get("Patient", **{"family:missing": "true"}), 400)
    assert "modifier" in issue["diagnostics"]
    # Nobody is found by a name nobody has (it used to return everyone).
    assert _ok(fhir.get("Patient", name="zzzz-nobody"))["total"] == 0
    lenient = fhir.client.get(
        "/fhir/Patient",
        {"colour": "blue", "family": "smith", "_count": "5"},
        headers={**fhir.headers, "Prefer": "handling=lenient"},
    )
    body = _ok(lenient)
    assert body["total"] == 1000
    outcome = [e for e in body["entry"] if e["search"]["mode"] == "outcome"]
    assert "colour" in outcome[0]["resource"]["issue"][0]["diagnostics"]
    self_link = next(link["url"] for link in body["link"] if link["relation"] == "self")
    assert "colour" not in self_link  # only what was applied


def test_string_date_and_id_searches(practice_of_2000, world):
    fhir, _ = practice_of_2000
    assert _ok(fhir.get("Patient", family="Gha"))["total"] == 1000  # starts with, any case
    assert _ok(fhir.get("Patient", **{"family:exact": "Gha"}))["total"] == 0
    assert _ok(fhir.get("Patient", **{"family:exact": "Ghani"}))["total"] == 1000
    assert _ok(fhir.get("Patient", **{"family:contains": "HAN"}))["total"] == 1000
    assert _ok(fhir.get("Patient", **{"name:contains": "mit"}))["total"] == 1000
    assert _ok(fhir.get("Patient", **{"given:contains": "xyz"}))["total"] == 0
    born = _ok(fhir.get("Patient", birthdate="ge1995-06-25", _summary="count"))["total"]
    expected = Person.objects.filter(birth_date__gte=date(1995, 6, 25)).count()
    assert born == expected > 0
    assert _ok(fhir.get("Patient", birthdate="1950", _summary="count"))["total"] == (
        Person.objects.filter(birth_date__year=1950).count()
    )
    assert _ok(fhir.get("Patient", birthdate="ne1950", _summary="count"))["total"] == (
        2000 - Person.objects.filter(birth_date__year=1950).count()
    )
    assert _outcome(fhir.get("Patient", birthdate="xx1950"), 400)["code"] == "invalid"
    assert _ok(fhir.get("Patient", gender="male", _summary="count"))["total"] == 667
    assert (
        _ok(fhir.get("Patient", **{"address-postalcode": "JU2"}, _summary="count"))["total"] == 400
    )
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:3])
    listed = _ok(fhir.get("Patient", _id=",".join(map(str, ids))))
    assert [int(e["resource"]["id"]) for e in listed["entry"]] == ids
    # Someone the caller may not see is not found by id either.
    other = world.person(practice=world.practice_b, given_name="Not", family_name="Mine")
    assert _ok(fhir.get("Patient", _id=str(other.pk)))["total"] == 0


def test_every_search_refuses_what_it_does_not_know_and_care_plans_by_id(fhir):
    gp = Fhir(fhir.token[fhir.gp])
    for kind, params in (
        ("CarePlan", {"category": "x"}),
        ("Task", {"priority": "urgent"}),
        ("Organization", {"address": "x"}),
        ("PractitionerRole", {"role": "x"}),
        ("AuditEvent", {"patient": fhir.person.pk, "agent": "x"}),
        ("Condition", {"patient": fhir.person.pk, "code": "x"}),
        ("Goal", {"patient": fhir.person.pk, "lifecycle-status": "x"}),
        ("CareTeam", {"patient": fhir.person.pk, "status": "x"}),
        ("Questionnaire", {"title": "x"}),
        ("QuestionnaireResponse", {"patient": fhir.person.pk, "author": "x"}),
    ):
        issue = _outcome(gp.get(kind, **params), 400)
        assert issue["code"] == "not-supported", kind
    # One plan by _id, with its goals after it (it used to return every plan).
    plan = _ok(gp.get("CarePlan", _id=str(fhir.plan.pk), _include="CarePlan:goal"))
    assert plan["total"] == 1
    kinds = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in plan["entry"]]
    assert kinds == [("CarePlan", "match"), ("Goal", "include")]
    everything = _ok(gp.get("CarePlan", _id=str(fhir.plan.pk), _include="CarePlan:*"))
    assert {e["resource"]["resourceType"] for e in everything["entry"]} == {
        "CarePlan",
        "CareTeam",
        "Goal",
        "Patient",
    }


def test_browser_clients_of_other_sites_may_call_the_apis_with_their_token(fhir):
    from django.test import Client

    browser = Client()
    preflight = browser.options(
        "/fhir/Patient",
        headers={
            "Origin": "https://app.example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, prefer",
        },
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight  # tokens, never cookies
    answer = browser.get("/fhir/metadata", headers={"Origin": "https://app.example.org"})
    assert answer["Access-Control-Allow-Origin"] == "*"
    # Without a token a browser still gets nowhere; and the staff pages are not opened up.
    assert browser.get("/fhir/Patient", headers={"Origin": "https://x.example"}).status_code == 401
    page = browser.get("/", headers={"Origin": "https://app.example.org"})
    assert "Access-Control-Allow-Origin" not in page
    oruk = browser.options(
        "/oruk/services",
        headers={"Origin": "https://feeds.example", "Access-Control-Request-Method": "GET"},
    )
    assert oruk["Access-Control-Allow-Origin"] == "*"


def test_what_the_server_does_not_do_is_an_operation_outcome(fhir):
    gp = Fhir(fhir.token[fhir.gp])
    for method, path, status in (
        ("GET", "NoSuchType", 404),
        ("GET", "Task/1/_history/1", 404),
        ("DELETE", f"Patient/{fhir.person.pk}", 405),
        ("PATCH", f"Patient/{fhir.person.pk}", 405),
        ("POST", "Patient", 405),
    ):
        answer = gp.client.generic(method, f"/fhir/{path}", headers=gp.headers)
        issue = _outcome(answer, status)
        assert issue["code"] == "not-supported", (method, path)
    xml = gp.client.get("/fhir/Patient", headers={**gp.headers, "Accept": "application/fhir+xml"})
    assert _outcome(xml, 406)["code"] == "not-supported"
    assert _outcome(gp.get("Patient", _format="xml"), 406)
    assert _ok(gp.get("Patient", _format="json"))["resourceType"] == "Bundle"


@pytest.mark.django_db(transaction=True)
def test_a_client_library_reads_refers_and_updates_as_the_standard_says(fhir, live_server):
    from fhirpy import SyncFHIRClient
    from fhirpy.base.exceptions import OperationOutcome

    from joinedup.care.models import Task

    gp = SyncFHIRClient(f"{live_server.url}/fhir", authorization=f"Bearer {fhir.token[fhir.gp]}")
    social = SyncFHIRClient(
        f"{live_server.url}/fhir", authorization=f"Bearer {fhir.token[fhir.social]}"
    )
    capability = gp.execute("metadata", "get")
    searches = {r["type"]: {p["name"] for p in r.get("searchParam", [])}
                for r in capability["rest"][0]["resource"]}  # fmt: skip
    assert {"family", "given", "name", "gender", "address-postalcode"} <= searches["Patient"]
    # A plan with its includes, by _id.
    bundle = (
        gp.resources("CarePlan").search(_id=fhir.plan.pk).include("CarePlan", "goal").fetch_raw()
    )
    assert [e.resource.resourceType for e in bundle.entry] == ["CarePlan", "Goal"]
    # A referral coded in SNOMED CT is kept as a referral.
    task = gp.resource(
        "Task",
        status="requested",
        intent="order",
        code={"coding": [{"system": "http://snomed.info/sct", "code": "3457005"}]},
        description="Care act assessment",
        **{"for": {"reference": f"Patient/{fhir.person.pk}"}},
        owner={"reference": f"Organization/{fhir.asc.pk}"},
    )
    task.save()
    assert Task.objects.get(pk=task.id).kind == "referral"
    stored = gp.reference("Task", task.id).to_resource()
    assert stored.code.coding[0].code == "3457005" and stored.code.text == "referral"
    found = gp.resources("Task").search(code="http://snomed.info/sct|3457005").fetch()
    assert [t.id for t in found] == [task.id]
    # Updates say which version they change: stale is 412, none is 428.
    mine = social.reference("Task", task.id).to_resource()
    mine["status"] = "accepted"
    with pytest.raises(OperationOutcome):
        social.execute(f"Task/{task.id}", "put", data=mine.serialize())  # no If-Match: 428
    import requests

    stale = requests.put(
        f"{live_server.url}/fhir/Task/{task.id}",
        json=mine.serialize(),
        headers={"Authorization": f"Bearer {fhir.token[fhir.social]}",
                 "Content-Type": "application/fhir+json", "If-Match": 'W/"9"'},
        timeout=10,
    )  # fmt: skip
    assert stale.status_code == 412
    done = requests.put(
        f"{live_server.url}/fhir/Task/{task.id}",
        json=mine.serialize(),
        headers={"Authorization": f"Bearer {fhir.token[fhir.social]}",
                 "Content-Type": "application/fhir+json", "If-Match": 'W/"1"'},
        timeout=10,
    )  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    # An unknown parameter is refused.
    with pytest.raises(OperationOutcome, match="colour"):
        gp.resources("Patient").search(colour="blue").fetch()


def test_a_search_audits_each_person_returned_with_the_relationship_that_opened_them(
    practice_of_2000,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from joinedup.core.models import AuditEvent

    fhir, _ = practice_of_2000
    with CaptureQueriesContext(connection) as queries:
        page = _ok(fhir.get("Patient", family="smith", _count="50"))
    returned = {int(e["resource"]["id"]) for e in page["entry"]}
    events = AuditEvent.objects.filter(action="person.view.fhir")
    assert set(events.values_list("person_id", flat=True)) == returned and len(returned) == 50
    assert {e.detail["basis"] for e in events} == {"registered_practice"}
    assert len(queries) < 30  # not a query or two for each of the 50


def test_the_capability_statement_says_what_a_client_needs_to_know(fhir):
    from importlib.metadata import version

    metadata = _ok(Fhir(None).get("metadata"))
    assert metadata["software"] == {"name": "joinedup", "version": version("joinedup")}
    rest = metadata["rest"][0]
    assert rest["security"]["cors"] is True and "Bearer" in rest["security"]["description"]
    writable = {r["type"]: r.get("versioning") for r in rest["resource"]}
    assert writable["Goal"] == writable["Task"] == "versioned-update"


def test_a_task_may_name_its_patient_by_nhs_number_and_its_owner_by_ods_code(fhir):
    gp = Fhir(fhir.token[fhir.gp])
    body = {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "description": "Care act assessment",
        "for": {"identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number",
                               "value": fhir.person.nhs_number}},
        "owner": {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code",
                                 "value": fhir.asc.ods_code.lower()}},
    }  # fmt: skip
    task = _ok(gp.send("post", "Task", body), 201)
    assert task["for"]["reference"] == f"Patient/{fhir.person.pk}"
    assert task["owner"]["reference"] == f"Organization/{fhir.asc.pk}"
    # Someone the caller may not open, by NHS number, is not known to them either.
    other = {**body, "for": {"identifier": {**body["for"]["identifier"],
                                            "value": fhir.other.nhs_number}}}  # fmt: skip
    assert _outcome(gp.send("post", "Task", other), 404)["code"] == "not-found"
    nobody = {**body, "for": {"identifier": {**body["for"]["identifier"], "value": "9434765919"}}}
    assert _outcome(gp.send("post", "Task", nobody), 404)["code"] == "not-found"
    wrong = {**body, "for": {"identifier": {"system": "urn:other", "value": "1"}}}
    assert "by identifier" in _outcome(gp.send("post", "Task", wrong), 400)["diagnostics"]


def test_ids_that_are_not_ours_match_nothing_in_a_search(fhir):
    gp = Fhir(fhir.token[fhir.gp])
    assert _ok(gp.get("Patient", _id="abc,999999"))["total"] == 0
    assert _ok(gp.get("PractitionerRole", organization="Organization/view"))["total"] == 0
    assert _ok(gp.get("CarePlan", _id=f"x,{fhir.plan.pk}"))["total"] == 1


def test_the_openapi_document_says_what_each_operation_answers(client):
    document = client.get("/fhir/openapi.json").json()
    create = document["paths"]["/fhir/Task"]["post"]
    assert "201" in create["responses"] and "200" not in create["responses"]
    assert create["requestBody"]["content"]["application/fhir+json"]["schema"] == {
        "$ref": "#/components/schemas/Task"
    }
    update = document["paths"]["/fhir/Goal/{goal_id}"]["put"]
    assert {"200", "400", "401", "403", "404", "412", "428"} <= set(update["responses"])
    assert "If-Match" in {p["name"] for p in update["parameters"]}
    search = document["paths"]["/fhir/Patient"]["get"]["responses"]
    assert search["200"]["content"]["application/fhir+json"]["schema"] == {
        "$ref": "#/components/schemas/Bundle"
    }
    assert search["400"]["content"]["application/fhir+json"]["schema"] == {
        "$ref": "#/components/schemas/OperationOutcome"
    }
