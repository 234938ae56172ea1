"""The Open Referral UK API, checked against the official HSDS 3.0 schemas."""

import json
from pathlib import Path

import jsonschema
import pytest

from joinedup.directory import actions

SCHEMAS = Path(__file__).resolve().parents[4] / "shared" / "data" / "oruk" / "hsds-3.0" / "schema"
BRISTOL = SCHEMAS.parents[1] / "feeds" / "bristol-services-list-2024.json"


@pytest.fixture
def directory(db):
    if not BRISTOL.exists():
        pytest.skip(f"{BRISTOL} is not here (../shared/data beside the repository)")
    actions.import_feed(by=None, source=str(BRISTOL))


def _schema(name: str) -> dict:
    schema = json.loads((SCHEMAS / "compiled" / name).read_text())
    return {k: v for k, v in schema.items() if k not in ("tabular_required",)}


def test_services_pages_and_one_service_follow_hsds_3(directory, client):
    root = client.get("/oruk/")
    assert root["Access-Control-Allow-Origin"] == "*"
    assert root.json()["version"] == "3.0"
    assert client.get(root.json()["openapi_url"]).status_code == 200
    page = client.get("/oruk/services", {"per_page": 20, "page": 2}).json()
    assert page["total_items"] == 811 and page["total_pages"] == 41
    assert page["page_number"] == 2 and page["size"] == 20 and not page["first_page"]
    item_schema = _schema("service_list.json")
    for item in page["contents"]:
        jsonschema.validate(item, item_schema)
    one = client.get(f"/oruk/services/{page['contents'][0]['id']}").json()
    jsonschema.validate(one, _schema("service.json"))
    orgs = client.get("/oruk/organizations", {"per_page": 5}).json()
    for item in orgs["contents"]:
        jsonschema.validate(item, _schema("organization_list.json"))


def test_filters_and_bad_parameters(directory, client):
    found = client.get("/oruk/services", {"search": "alcoholics"}).json()
    assert found["total_items"] >= 1
    assert all(
        "alcoholics" in (s["name"] + s.get("description", "")).lower() for s in found["contents"]
    )
    org = found["contents"][0]["organization_id"]
    by_org = client.get("/oruk/services", {"organization_id": org}).json()
    assert {s["organization_id"] for s in by_org["contents"]} == {org}
    assert client.get("/oruk/services", {"per_page": 1000}).status_code == 400
    assert client.get("/oruk/services", {"page": "x"}).status_code in (400, 422)
    assert client.get("/oruk/services/nope").status_code == 404
    assert client.post("/oruk/services").status_code == 405
