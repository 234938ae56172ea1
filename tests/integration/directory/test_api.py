"""The Open Referral UK API, checked against the official HSDS 3.0 and UK profile schemas
(with format checking: tests/open_referral.py)."""

import json

import pytest

from joinedup.directory import actions
from tests import open_referral
from tests.reference_data import BRISTOL_FEED as BRISTOL
from tests.reference_data import HSDS_SCHEMAS as SCHEMAS
from tests.reference_data import UK_PROFILE_SCHEMAS, require


@pytest.fixture
def directory(db):
    require(BRISTOL)
    actions.import_feed(by=None, source=str(BRISTOL))


def _schema(name: str):
    return open_referral.schema("hsds", f"compiled/{name}")


def _uk(name: str):
    return open_referral.schema("uk", f"compiled/{name}")


def test_services_pages_and_one_service_follow_hsds_3(directory, client):
    root = client.get("/oruk/")
    assert root["Access-Control-Allow-Origin"] == "*"
    assert root.json()["version"] == "3.0"
    assert client.get(root.json()["openapi_url"]).status_code == 200
    page = client.get("/oruk/services", {"per_page": 20, "page": 2}).json()
    assert page["total_items"] == 811 and page["total_pages"] == 41
    assert page["page_number"] == 2 and page["size"] == 20 and not page["first_page"]
    for item in page["contents"]:
        _schema("service_list.json").validate(item)
    one = client.get(f"/oruk/services/{page['contents'][0]['id']}").json()
    _schema("service.json").validate(one)
    orgs = client.get("/oruk/organizations", {"per_page": 5}).json()
    for item in orgs["contents"]:
        _schema("organization_list.json").validate(item)


def test_filters_and_bad_parameters(directory, client):
    found = client.get("/oruk/services", {"search": "alcoholics"}).json()
    assert found["total_items"] >= 1
    assert all(
        "alcoholics" in (s["name"] + s.get("description", "")).lower() for s in found["contents"]
    )
    org = found["contents"][0]["organization_id"]
    by_org = client.get("/oruk/services", {"organization_id": org}).json()
    assert {s["organization_id"] for s in by_org["contents"]} == {org}
    # A feed tester asking for 500 a page gets pages of the most the server gives.
    capped = client.get("/oruk/services", {"per_page": 500}).json()
    assert capped["size"] == min(capped["total_items"], 100) and capped["total_pages"] == (
        -(-capped["total_items"] // 100)
    )
    assert client.get("/oruk/services", {"per_page": 0}).status_code == 400
    assert client.get("/oruk/services", {"page": "x"}).status_code in (400, 422)
    assert client.get("/oruk/services/nope").status_code == 404
    assert client.post("/oruk/services").status_code == 405


@pytest.fixture
def demo_directory(world):
    require(SCHEMAS)
    require(UK_PROFILE_SCHEMAS)
    from joinedup.synth.directory import directory_feed

    feed = directory_feed(services=60, seed=3)
    actions.import_feed(by=None, source="demo", data=json.dumps(feed).encode())
    return feed


def test_fully_nested_services_follow_hsds_3_and_the_uk_profile(demo_directory, client):
    page = client.get("/oruk/services", {"full": "true", "per_page": 60}).json()
    assert page["total_items"] == 60
    with_places = [s for s in page["contents"] if s["service_at_locations"]]
    assert with_places and all(s["schedules"] or s["service_at_locations"] for s in with_places)
    for item in page["contents"]:
        _schema("service.json").validate(item)
        _uk("service.json").validate(item)
    one = client.get(f"/oruk/services/{with_places[0]['id']}").json()
    location = one["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] in ("JU1 1AA", "JU2 2BB")
    assert location["accessibility"] and one["attributes"][0]["taxonomy_term"]["taxonomy_id"]
    assert one["service_at_locations"][0]["schedules"][0]["byday"]
    minimal = client.get("/oruk/services", {"minimal": "true"}).json()["contents"][0]
    assert set(minimal) <= {"id", "name", "status", "last_modified"}
    sal = client.get("/oruk/service_at_locations", {"per_page": 10}).json()
    for item in sal["contents"]:
        _schema("service_at_location_list.json").validate(item)
        _uk("service_at_location_list.json").validate(item)
    first = client.get(f"/oruk/service_at_locations/{sal['contents'][0]['id']}").json()
    assert first["service"]["id"] and first["location"]["id"]
    taxonomies = client.get("/oruk/taxonomies").json()
    assert "joinedup needs" in {t["name"] for t in taxonomies["contents"]}
    for item in taxonomies["contents"]:
        open_referral.schema("hsds", "taxonomy.json").validate(item)
        open_referral.schema("uk", "taxonomy.json").validate(item)
    # The needs taxonomy may still be named by the id joinedup gave it before UUIDs.
    terms = client.get("/oruk/taxonomy_terms", {"taxonomy_id": "joinedup-needs"}).json()
    assert terms["total_items"] == 13
    for item in terms["contents"]:
        open_referral.schema("hsds", "taxonomy_term.json").validate(item)
        open_referral.schema("uk", "taxonomy_term.json").validate(item)


def test_uk_filters(demo_directory, client):
    def found(**params):
        return client.get("/oruk/services", {"per_page": 100, **params}).json()["contents"]

    everything = found()
    by_term = found(taxonomy_term_id="joinedup-needs:loneliness")
    assert 0 < len(by_term) < len(everything)
    assert len(found(taxonomy_id="joinedup-needs")) == len(everything)
    assert all(s.get("minimum_age", -1) >= 60 for s in found(minimum_age=60))
    assert all(s.get("maximum_age", 999) <= 66 for s in found(maximum_age=66))
    saturday = found(day="Saturday", full="true")
    assert saturday and all(
        any(
            "SA" in x["byday"]
            for x in s["schedules"]
            + [y for sal in s["service_at_locations"] for y in sal.get("schedules", [])]
        )
        for s in saturday
    )
    assert [s["id"] for s in found(day="SA")] == [s["id"] for s in saturday]
    evening = found(end_time="12:00")
    assert len(evening) < len(everything)
    near = found(postcode="JU1 1AA", proximity=500)
    wide = found(postcode="JU1 1AA", proximity=10_000)
    assert len(near) <= len(wide) <= len(everything)
    for params, message in (
        ({"postcode": "nowhere"}, "not a UK postcode"),
        ({"postcode": "ZZ9 9ZZ"}, "not in the postcode lookup"),
        ({"proximity": 100}, "proximity needs a postcode"),
        ({"postcode": "JU1 1AA", "proximity": -5}, "more than 0"),
        ({"day": "Funday"}, "day must be a day of the week"),
    ):
        answer = client.get("/oruk/services", params)
        assert answer.status_code == 400 and message in answer.json()["detail"]
    assert client.get("/oruk/service_at_locations/nope").status_code == 404
    assert client.get("/oruk/organizations/nope").status_code == 404


def test_times_with_a_zone_are_read_as_local_times(demo_directory, client):
    """Found by the API fuzzing: a time such as 00:00:00Z crashed the filter on SQLite."""
    plain = client.get("/oruk/services", {"day": "MO", "start_time": "09:00", "end_time": "17:00"})
    zoned = client.get(
        "/oruk/services", {"day": "MO", "start_time": "09:00:00Z", "end_time": "17:00:00+01:00"}
    )
    assert zoned.status_code == 200
    assert zoned.json()["total_items"] == plain.json()["total_items"]


def test_pages_far_past_the_end_are_empty(directory, client):
    """Found by the API fuzzing: page=10^20 overflowed the database's OFFSET."""
    for path in ("/oruk/services", "/oruk/organizations", "/oruk/taxonomies",
                 "/oruk/taxonomy_terms", "/oruk/service_at_locations"):  # fmt: skip
        answer = client.get(path, {"page": 10**20})
        assert answer.status_code == 200, path
        assert answer.json()["contents"] == [] and answer.json()["last_page"] is True


def _place(n: int, lat: float, lon: float, kind: str = "physical") -> dict:
    return {
        "id": f"sal-{n}",
        "location": {"id": f"loc-{n}", "name": f"Place {n}", "location_type": kind,
                     **({"latitude": lat, "longitude": lon} if kind == "physical" else {})},
    }  # fmt: skip


def test_services_at_locations_near_a_postcode_are_each_rows_own_location(world, client):
    """Issue 20: proximity filtered each row on its service's nearest location, so a
    service with one place near and one 5 km away gave both."""
    # JU1 1AA is at 51.55, -0.06; 0.0045 degrees of latitude is about 500 m.
    feed = {
        "contents": [
            {
                "id": "two-places",
                "name": "Two places",
                "organization": {"id": "o", "name": "Org"},
                "service_at_locations": [_place(1, 51.595, -0.06), _place(2, 51.5545, -0.06)],
            },
            {
                "id": "next-door",
                "name": "Next door",
                "organization": {"id": "o", "name": "Org"},
                "service_at_locations": [_place(3, 51.5505, -0.06), _place(4, 0, 0, "virtual")],
            },
        ]
    }
    actions.import_feed(by=None, source="f", data=json.dumps(feed).encode())
    near = client.get(
        "/oruk/service_at_locations", {"postcode": "JU1 1AA", "proximity": 1000}
    ).json()
    names = [(row["service"]["name"], row["location"]["name"]) for row in near["contents"]]
    # Nearest first; the one 5 km away left out; online (no distance) after them.
    assert names == [("Next door", "Place 3"), ("Two places", "Place 2"), ("Next door", "Place 4")]
    assert near["total_items"] == 3
    wide = client.get("/oruk/service_at_locations", {"postcode": "JU1 1AA", "proximity": 6000})
    assert wide.json()["total_items"] == 4


def test_every_operation_answers_head_and_options_to_any_origin(demo_directory, client):
    """Browser clients of other sites and feed testers: HEAD, OPTIONS (a preflight or not)
    and GET on every operation, each with CORS headers and no credentials; what the API
    does not have is a JSON error, not a web page."""
    one = client.get("/oruk/services", {"per_page": 1}).json()["contents"][0]
    sal = client.get("/oruk/service_at_locations", {"per_page": 1}).json()["contents"][0]
    term = client.get("/oruk/taxonomy_terms", {"per_page": 1}).json()["contents"][0]
    paths = [
        "/oruk/", "/oruk/openapi.json", "/oruk/services", f"/oruk/services/{one['id']}",
        "/oruk/service_at_locations",
        f"/oruk/service_at_locations/{sal['id']}",
        "/oruk/organizations", f"/oruk/organizations/{one['organization_id']}",
        "/oruk/taxonomies", f"/oruk/taxonomies/{term['taxonomy_id']}",
        "/oruk/taxonomy_terms", f"/oruk/taxonomy_terms/{term['id']}",
    ]  # fmt: skip
    origin = {"Origin": "https://feeds.example"}
    for path in paths:
        got = client.get(path)
        assert got.status_code == 200 and got["Access-Control-Allow-Origin"] == "*", path
        head = client.head(path, headers=origin)
        assert head.status_code == 200 and head.content == b"", path
        assert head["Content-Type"] == got["Content-Type"], path
        assert head["Content-Length"] == str(len(got.content)), path
        assert head["Access-Control-Allow-Origin"] == "*", path
        for headers in ({}, origin):
            options = client.options(path, headers=headers)
            assert options.status_code == 204, (path, headers, options.status_code)
            assert options["Allow"] == "GET, HEAD, OPTIONS", path
            assert options["Access-Control-Allow-Origin"] == "*", path
        preflight = client.options(
            path, headers={**origin, "Access-Control-Request-Method": "GET",
                           "Access-Control-Request-Headers": "accept"},
        )  # fmt: skip
        assert preflight.status_code in (200, 204), path
        assert preflight["Access-Control-Allow-Origin"] == "*", path
        assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS", path
        assert "accept" in preflight["Access-Control-Allow-Headers"], path
        assert "Access-Control-Allow-Credentials" not in preflight, path
    # What is not there, and what is not offered: JSON, with CORS headers too.
    for method, path, status in (
        ("get", "/oruk/no-such-thing", 404),
        ("head", "/oruk/services/no-such-service", 404),
        ("options", "/oruk/no-such-thing", 404),
        ("post", "/oruk/services", 405),
        ("delete", f"/oruk/services/{one['id']}", 405),
        ("put", "/oruk/taxonomies", 405),
    ):
        answer = getattr(client, method)(path, headers=origin)
        assert answer.status_code == status, (method, path, answer.status_code)
        assert answer["Content-Type"].startswith("application/json"), (method, path)
        assert answer["Access-Control-Allow-Origin"] == "*", (method, path)
        if method != "head":
            assert answer.json()["detail"], (method, path)
        if status == 405:
            assert answer["Allow"] == "GET, HEAD, OPTIONS"


def test_the_openapi_document_names_the_server_and_describes_every_answer(db, client):
    """What schemathesis (and any client generator) reads: the server, and for every
    operation the shape of its answer and the errors it can give."""
    document = client.get("/oruk/openapi.json").json()
    assert document["servers"] == [{"url": "/oruk", "description": "This server"}]
    paths = document["paths"]
    assert "/services" in paths and "/taxonomy_terms/{term_id}" in paths
    for path, operations in paths.items():
        assert set(operations) == {"get"}, path
        responses = operations["get"]["responses"]
        assert responses["200"]["content"]["application/json"]["schema"], path
        errors = {code for code in responses if code != "200"}
        if "{" in path:
            assert errors == {"404"}, path
        elif path != "/":
            assert errors == {"400", "422"}, path
        for answer in responses.values():
            assert answer["content"]["application/json"]["schema"], path
    schemas = document["components"]["schemas"]
    assert schemas["TaxonomyTerm"]["properties"]["id"]["format"] == "uuid"
    assert "400" in paths["/services"]["get"]["responses"]
