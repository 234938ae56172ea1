"""Every answer of the Open Referral API, checked against the official HSDS 3.0 and UK
profile OpenAPI documents and schemas with format checking on (``tests/open_referral.py``):
ids are UUIDs, web addresses URIs, dates dates."""

import json
import re
import uuid

import jsonschema
import pytest

from joinedup.directory import actions, needs
from tests import open_referral
from tests.reference_data import BRISTOL_FEED, require

# Both standards describe these; organisations are HSDS 3.0 only.
OPERATIONS = (
    "/",
    "/services",
    "/services/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
    "/organizations",
    "/organizations/{id}",
)


def _conforms(path: str, answer: dict) -> None:
    """``answer`` to ``GET path`` conforms to HSDS 3.0 and (where it describes the
    operation) the UK profile."""
    for standard in ("hsds", "uk"):
        if path in open_referral.paths(standard):
            problems = open_referral.errors(standard, path, answer)
            assert not problems, (standard, path, problems[:5])


def _get(client, path: str, **params) -> dict:
    answer = client.get(f"/oruk{path}", params)
    assert answer.status_code == 200, (path, answer.status_code, answer.content[:300])
    return answer.json()


# A small HSDS 3.0 feed of the kind other directories publish: ids that are not UUIDs, and
# a taxonomy of its own with a hierarchy, codes and term URIs.
OTHER_DIRECTORY = {
    "total_items": 2,
    "contents": [
        {
            "id": "svc-1",
            "name": "Lunch club",
            "description": "A hot lunch and company, Tuesdays.",
            "status": "active",
            "url": "https://lunch.example.org/club",
            "email": "lunch@example.org",
            "last_modified": "2025-03-01T10:00:00Z",
            "assured_date": "2025-02-01",
            "organization": {"id": "org-1", "name": "Lunch Trust", "description": "Lunches."},
            "phones": [{"id": "ph-1", "number": "020 7946 0001"}],
            "contacts": [{"id": "c-1", "name": "Sam", "phones": [{"number": "020 7946 0002"}]}],
            "languages": [{"id": "lang-1", "name": "English", "code": "eng"}],
            "cost_options": [{"id": "cost-1", "option": "A lunch", "amount": 3.5}],
            "service_areas": [{"id": "area-1", "name": "Borough", "extent_type": "text"}],
            "schedules": [
                {
                    "id": "sch-1",
                    "freq": "WEEKLY",
                    "byday": "TU",
                    "opens_at": "12:00",
                    "closes_at": "14:00",
                    "valid_from": "2025-01-01",
                },
            ],  # fmt: skip
            "service_at_locations": [
                {
                    "id": "sal-1",
                    "location": {
                        "id": "loc-1",
                        "name": "Church hall",
                        "latitude": 51.5,
                        "longitude": -0.1,
                        "addresses": [
                            {
                                "address_1": "1 High Street",
                                "city": "London",
                                "postal_code": "JU1 1AA",
                                "country": "GB",
                            },
                        ],  # fmt: skip
                        "accessibility": [{"id": "acc-1", "description": "Step-free"}],
                    },
                }
            ],
            "attributes": [
                {
                    "id": "attr-2",
                    "taxonomy_term": {
                        "id": "food",
                        "code": "F",
                        "name": "Food",
                        "description": "Food",
                        "taxonomy_id": "local-tax",
                    },
                },
                {
                    "id": "attr-1",
                    "taxonomy_term": {
                        "id": "food-lunch",
                        "code": "FL",
                        "name": "Lunch clubs",
                        "description": "Places to eat together",
                        "parent_id": "food",
                        "taxonomy_id": "local-tax",
                        "term_uri": "https://tax.example.org/terms/FL",
                        "taxonomy_detail": {"id": "local-tax", "name": "Local taxonomy"},
                    },
                },
                {"id": "attr-3", "taxonomy_term_id": needs.term_id("loneliness")},
            ],
        },
        {
            "id": "svc-2",
            "name": "Benefits advice",
            "status": "active",
            "organization": {"id": "org-1", "name": "Lunch Trust", "description": "Lunches."},
        },
    ],
}


@pytest.fixture
def directories(world):
    """The demo directory, a real council's feed and another directory's small feed."""
    require(BRISTOL_FEED)
    from joinedup.synth.directory import directory_feed

    feed = directory_feed(services=40, seed=3)
    actions.import_feed(by=None, source="demo", data=json.dumps(feed).encode())
    actions.import_feed(by=None, source=str(BRISTOL_FEED))
    actions.import_feed(by=None, source="other", data=json.dumps(OTHER_DIRECTORY).encode())


def test_the_format_checker_checks_every_format_the_schemas_use():
    checker = open_referral.format_checker()
    for name, bad, good in (
        ("uuid", "joinedup-needs:loneliness", "3f7b145d-84af-42d7-8fae-eaca714b02b2"),
        ("uri", "not a web address", "https://example.org/a?b=c"),
        ("email", "nobody", "someone@example.org"),
        ("date", "2025-02-30", "2024-02-29"),
        ("date-time", "yesterday at noon", "2025-03-01T10:00:00+00:00"),
    ):
        assert not checker.conforms(bad, name), name
        assert checker.conforms(good, name), name


def test_a_response_with_an_id_that_is_not_a_uuid_is_refused():
    """The conformance tests cannot pass by not checking: the official schemas, as the
    tests load them, refuse what issue 20 saw."""
    term = {"id": "joinedup-needs:loneliness", "name": "Loneliness", "description": "-"}
    assert open_referral.errors("hsds", "/taxonomy_terms/{id}", term)
    assert open_referral.errors("uk", "/taxonomy_terms/{id}", term)
    term["id"] = str(uuid.uuid4())
    assert not open_referral.errors("hsds", "/taxonomy_terms/{id}", term)
    service = {"id": str(uuid.uuid4()), "name": "A", "status": "active",
               "attributes": [{"id": "a:b", "taxonomy_term_id": str(uuid.uuid4())}]}  # fmt: skip
    assert any(
        "attributes/0/id" in e for e in open_referral.errors("hsds", "/services/{id}", service)
    )
    with pytest.raises(jsonschema.ValidationError):
        open_referral.validator("uk", "/services").validate(
            {"contents": [{**service, "url": "x y"}]}
        )


def test_every_operation_answers_as_hsds_3_and_the_uk_profile_say(directories, client):
    """And as the API's own OpenAPI document says."""
    seen = set()
    document = client.get("/oruk/openapi.json").json()
    ours = {re.sub(r"\{\w+\}", "{id}", p): p for p in document["paths"]}

    def check(path: str, concrete: str | None = None, **params) -> dict:
        seen.add(path)
        answer = _get(client, concrete or path, **params)
        _conforms(path, answer)
        problems = list(open_referral.own_validator(document, ours[path]).iter_errors(answer))
        assert not problems, ("our OpenAPI document", path, [e.message for e in problems[:5]])
        return answer

    check("/")
    for params in ({}, {"full": "true"}, {"minimal": "true"}, {"page": 3}):
        page = check("/services", per_page=100, **params)
        assert page["contents"]
    full = check("/services", full="true", per_page=100, search="lunch club")["contents"]
    assert any(s["attributes"] for s in full)
    for service in full[:20] + page["contents"][:5]:
        one = check("/services/{id}", f"/services/{service['id']}")
        assert one["id"] == service["id"]
    sals = check("/service_at_locations", per_page=100)["contents"]
    check("/service_at_locations", per_page=100, postcode="JU1 1AA", proximity=3000)
    for sal in sals[:10]:
        check("/service_at_locations/{id}", f"/service_at_locations/{sal['id']}")
    taxonomies = check("/taxonomies")["contents"]
    assert len(taxonomies) >= 2
    for taxonomy in taxonomies:
        check("/taxonomies/{id}", f"/taxonomies/{taxonomy['id']}")
    terms = check("/taxonomy_terms", per_page=100)["contents"]
    assert len(terms) >= 15
    for term in terms:
        check("/taxonomy_terms/{id}", f"/taxonomy_terms/{term['id']}")
    for taxonomy in taxonomies:
        check("/taxonomy_terms", taxonomy_id=taxonomy["id"])
    organisations = check("/organizations", per_page=100)["contents"]
    for organisation in organisations[:10]:
        check("/organizations/{id}", f"/organizations/{organisation['id']}")
    # Every operation of the standards was tried, and every operation this API has.
    assert seen == set(OPERATIONS) >= set(open_referral.paths("hsds"))
    assert set(ours) == seen


def test_ids_are_the_feeds_uuids_or_made_from_their_ids_the_same_every_time(world, client):
    require(BRISTOL_FEED)
    bristol = next(s for s in json.loads(BRISTOL_FEED.read_text()) if s["name"].strip())
    actions.import_feed(by=None, source=str(BRISTOL_FEED))
    other = json.dumps(OTHER_DIRECTORY).encode()
    actions.import_feed(by=None, source="other", data=other)
    # A feed's UUIDs are kept as it gave them.
    assert _get(client, f"/services/{bristol['id']}")["id"] == bristol["id"]
    # Other ids become UUIDs, and a record may still be named by the id its feed gave it.
    lunch = _get(client, "/services/svc-1")
    assert uuid.UUID(lunch["id"]) and _get(client, f"/services/{lunch['id']}") == lunch
    assert _get(client, f"/organizations/{lunch['organization_id']}")["name"] == "Lunch Trust"
    # The same UUIDs after the feed is imported again, changed, and on a fresh directory.
    changed = json.loads(other)
    changed["contents"][0]["description"] = "A hot lunch and company, Tuesdays and Fridays."
    actions.import_feed(by=None, source="other", data=json.dumps(changed).encode())
    again = _get(client, "/services/svc-1")
    assert again["description"].endswith("Fridays.")
    assert {k: v for k, v in again.items() if k != "description"} == {
        k: v for k, v in lunch.items() if k != "description"
    }
    # Taxonomy terms are HSDS taxonomy_term records, with their codes and taxonomies.
    by_code = {a["taxonomy_term"]["code"]: a for a in lunch["attributes"]}
    assert set(by_code) == {"F", "FL", "loneliness"}
    lunch_clubs = _get(client, f"/taxonomy_terms/{by_code['FL']['taxonomy_term_id']}")
    assert lunch_clubs == by_code["FL"]["taxonomy_term"]
    assert lunch_clubs["parent_id"] == by_code["F"]["taxonomy_term_id"]
    assert lunch_clubs["term_uri"] == "https://tax.example.org/terms/FL"
    local = _get(client, f"/taxonomies/{lunch_clubs['taxonomy_id']}")
    assert local["name"] == "Local taxonomy" == lunch_clubs["taxonomy_detail"]["name"]
    loneliness = by_code["loneliness"]["taxonomy_term"]
    assert (loneliness["name"], loneliness["taxonomy"]) == (
        "Loneliness and social contact",
        needs.TAXONOMY_NAME,
    )
    assert _get(client, f"/taxonomy_terms/{needs.term_id('loneliness')}") == loneliness
    # Filters take the UUIDs (and the older ids).
    for term_id in (loneliness["id"], needs.term_id("loneliness")):
        assert lunch["id"] in {
            s["id"] for s in _get(client, "/services", taxonomy_term_id=term_id)["contents"]
        }
    for taxonomy_id in (loneliness["taxonomy_id"], needs.TAXONOMY_ID):
        assert _get(client, "/taxonomy_terms", taxonomy_id=taxonomy_id)["total_items"] == 13
    organisation = lunch["organization_id"]
    assert _get(client, "/services", organization_id=organisation)["total_items"] == 2


def test_unknown_ids_are_json_404s(world, client):
    for kind in ("services", "service_at_locations", "organizations", "taxonomies",
                 "taxonomy_terms"):  # fmt: skip
        for unknown in (str(uuid.uuid4()), "nope", "%20"):
            answer = client.get(f"/oruk/{kind}/{unknown}")
            assert answer.status_code == 404, (kind, unknown)
            assert answer["Content-Type"].startswith("application/json")
            assert "detail" in answer.json()


def test_a_feed_consumer_asking_for_500_a_page_walks_every_page(directories, client):
    """A public feed tester asks for 500 a page: it gets pages of the most the server gives
    (100), says so in ``size`` and ``total_pages``, and following the pages gets every
    record once."""
    for path in ("/services", "/service_at_locations", "/organizations", "/taxonomy_terms"):
        first = _get(client, path, per_page=500)
        total = first["total_items"]
        if path in ("/services", "/organizations"):
            assert total > 100, (path, total)  # more than one page
        assert first["total_pages"] == -(-total // 100), path
        seen, page = [], first
        while True:
            _conforms(path, page)
            assert page["size"] == len(page["contents"]) <= 100
            assert page["first_page"] == (page["page_number"] == 1)
            assert page["last_page"] == (page["page_number"] == first["total_pages"])
            seen += [item["id"] for item in page["contents"]]
            if page["last_page"]:
                break
            page = _get(client, path, per_page=500, page=page["page_number"] + 1)
        assert len(seen) == len(set(seen)) == total, path
        past = _get(client, path, per_page=500, page=first["total_pages"] + 1)
        assert past["contents"] == [] and past["empty"] and past["last_page"], path
