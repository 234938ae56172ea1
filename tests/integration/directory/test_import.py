"""Importing Open Referral feeds: the real (messy) Bristol ORUK 1.0 list and HSDS 3.0."""

import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from joinedup.directory import actions, feeds
from joinedup.directory.models import DirectoryOrganisation, Service, TaxonomyTerm
from tests import reference_data
from tests.reference_data import BRISTOL_FEED as BRISTOL
from tests.reference_data import ORUK

_needs = reference_data.require


def test_the_real_bristol_feed_imports_without_keeping_garbage(db, tmp_path):
    _needs(BRISTOL)
    report = actions.import_feed(by=None, source=str(BRISTOL))
    raw = json.loads(BRISTOL.read_text())
    assert report.shape == "oruk-1.0-list"
    assert report.created + len(report.rejected) == len(raw) == 819
    reasons = [r["why"] for r in report.rejected]
    assert reasons.count("no name") == 1 and reasons.count("no organisation") == 6
    assert "the same id as record 374 (the first is kept)" in reasons
    assert Service.objects.filter(name="").count() == 0
    # HTML is gone from descriptions, and each removal is reported.
    assert not Service.objects.filter(description__contains="<p>").exists()
    assert sum(r["how"] == "removed HTML markup" for r in report.repaired) > 700
    assert DirectoryOrganisation.objects.count() > 100
    # Importing it again changes nothing.
    again = actions.import_feed(by=None, source=str(BRISTOL))
    assert (again.created, again.updated, again.unchanged) == (0, 0, report.created)
    out = tmp_path / "report.json"
    call_command("directory", "import", str(BRISTOL), "--report", str(out))
    assert json.loads(out.read_text())["rejected"]


def test_hsds_3_examples_and_bad_feeds(db, tmp_path):
    _needs(ORUK)
    page = ORUK / "hsds-3.0" / "examples" / "service_list.json"
    report = actions.import_feed(by=None, source=str(page))
    assert report.shape == "hsds-3.0" and report.created == 1
    for data, message in (
        (b"{not json", "not valid JSON at line 1"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b'"just a string"', "Not an Open Referral feed"),
        (b'{"version": "2.0.1", "contents": []}', "version 2.0.1 is not one joinedup reads"),
    ):
        with pytest.raises(ValidationError, match=message):
            actions.import_feed(by=None, source="bad.json", data=data)
    with pytest.raises(ValidationError, match="no such file"):
        actions.import_feed(by=None, source=str(tmp_path / "missing.json"))


def test_records_are_repaired_or_rejected_with_reasons(db):
    feed = [
        {
            "id": "a",
            "name": "Lunch club",
            "description": "<p>Thursdays&nbsp;<b>12</b></p>",
            "url": "lunchclub.example.org",
            "email": "not-an-email",
            "status": "open",
            "assured_date": "2999-01-01",
            "organization": {"id": "o1", "name": "Age Concern"},
        },
        {"id": "b", "name": "  ", "organization": {"id": "o1", "name": "Age Concern"}},
        {"id": "", "name": "No id"},
        {"id": "c", "name": "Orphan", "organization_id": "nowhere"},
        "not an object",
    ]
    report = actions.import_feed(by=None, source="feed.json", data=json.dumps(feed).encode())
    service = Service.objects.get()
    assert service.description == "Thursdays 12"
    assert service.url == "https://lunchclub.example.org" and service.email == ""
    assert service.status == "active" and service.assured_date is None
    fields = {r["field"] for r in report.repaired}
    assert {"description", "url", "email", "status", "assured_date"} <= fields
    assert [r["why"] for r in report.rejected] == [
        "no name",
        "no id",
        "organisation nowhere is not in the directory",
        "not a JSON object",
    ]


def test_plain_text():
    assert feeds.plain_text("<p>One</p><p>Two &amp; three</p>") == ("One\nTwo & three", True)
    assert feeds.plain_text("No markup, 3 < 4") == ("No markup, 3 < 4", False)


def test_parts_of_a_service_are_checked_and_repaired(world):
    _needs(ORUK)
    example = json.loads((ORUK / "uk-profile" / "examples" / "service_full.json").read_text())
    example["schedules"] += [
        {"id": "late", "byday": "MO", "opens_at": "18:00", "closes_at": "09:00"},
        {"id": "funday", "byday": "FUNDAY", "opens_at": "09:00", "closes_at": "10:00"},
        {"id": "clock", "byday": "TU", "opens_at": "25:00", "closes_at": "26:00"},
    ]
    example["attributes"].append({"id": "x", "taxonomy_term_id": "no-such-term"})
    example["minimum_age"], example["maximum_age"] = 70, 12
    report = actions.import_feed(by=None, source="uk.json", data=json.dumps(example).encode())
    assert report.created == 1 and not report.rejected
    hows = "\n".join(f"{r['field']}: {r['how']}" for r in report.repaired)
    assert "dropped impossible coordinates 100.0, 101.0" in hows
    assert "dropped 'ABC 1234': not a UK postcode" in hows
    assert "opens at 18:00, not before it closes at 09:00" in hows
    assert "'FUNDAY' is not a list of days" in hows
    assert "'25:00' is not a time of day" in hows
    assert "dropped taxonomy term no-such-term: not known" in hows
    assert "dropped ages 70 to 12: minimum above maximum" in hows
    service = Service.objects.get()
    assert service.schedules.count() == 2  # the good one and the one with no valid times
    location = service.at_locations.get().location
    assert location.latitude is None and location.postcode == ""
    assert "wheelchair" in location.accessibility[0]["description"].lower() and location.step_free
    assert service.minimum_age is None and service.cost_options.get().amount == 35


def test_a_known_postcode_gives_a_location_its_place_and_an_unknown_one_is_reported(world):
    def feed(postcode):
        location = {
            "id": "l1",
            "location_type": "physical",
            "addresses": [{"address_1": "1 High St", "postal_code": postcode}],
        }
        return [
            {
                "id": "s1",
                "name": "Drop-in",
                "organization": {"id": "o1", "name": "Org"},
                "service_at_locations": [{"id": "sal1", "location": location}],
            }
        ]

    actions.import_feed(by=None, source="a", data=json.dumps(feed("ju11aa")).encode())
    location = Service.objects.get().at_locations.get().location
    assert (location.postcode, location.latitude, location.longitude) == ("JU1 1AA", 51.55, -0.06)
    report = actions.import_feed(by=None, source="b", data=json.dumps(feed("JU9 9ZZ")).encode())
    assert report.updated == 1
    assert any("JU9 9ZZ is not in the postcode lookup" in r["how"] for r in report.repaired)


def test_export_is_an_hsds_3_data_package_that_imports_back(world, tmp_path):
    import csv

    from joinedup.synth.directory import directory_feed

    feed = directory_feed(services=30, seed=5)
    feed["contents"][0]["name"] = '=HYPERLINK("http://evil.example")'
    feed["contents"][0]["phones"][0]["number"] = "+44 20 7946 0000"
    actions.import_feed(by=None, source="demo", data=json.dumps(feed).encode())
    out = tmp_path / "package"
    call_command("directory", "export", "--out", str(out))
    package = json.loads((out / "datapackage.json").read_text())
    names = {r["path"] for r in package["resources"]}
    assert {"services.csv", "locations.csv", "schedules.csv", "taxonomy_terms.csv"} <= names
    with open(out / "services.csv", newline="") as f:
        services = list(csv.DictReader(f))
    assert len(services) == 30
    assert services[0]["name"].startswith("'=HYPERLINK")  # neutralised for spreadsheets
    with open(out / "phones.csv", newline="") as f:
        assert "+44 20 7946 0000" in {r["number"] for r in csv.DictReader(f)}
    # The ids are the API's UUIDs.
    needs_terms = {str(t.uuid) for t in TaxonomyTerm.objects.filter(taxonomy__isnull=False)}
    with open(out / "attributes.csv", newline="") as f:
        attributes = list(csv.DictReader(f))
    assert attributes and {r["taxonomy_term_id"] for r in attributes} <= needs_terms
    assert all(uuid.UUID(r["id"]) and uuid.UUID(r["link_id"]) for r in attributes)
    # The columns are HSDS 3.0's, in order.
    for resource in package["resources"]:
        schema = next(
            json.loads(p.read_text())
            for p in _needs(reference_data.HSDS_SCHEMAS).glob("*.json")
            if json.loads(p.read_text()).get("path") == resource["path"]
        )
        expected = [
            k
            for k, v in schema["properties"].items()
            if v.get("type") not in ("array", "object") and "$ref" not in v
        ]
        assert [f["name"] for f in resource["schema"]["fields"]] == expected, resource["path"]
    # Writing again replaces the package whole.
    call_command("directory", "export", "--out", str(out))
    assert not list(tmp_path.glob(".directory-*"))


def test_a_feed_cannot_rename_the_needs_taxonomy(db):
    from joinedup.directory import needs
    from joinedup.directory.models import TaxonomyTerm

    feed = [
        {
            "id": "s",
            "name": "Club",
            "organization": {"id": "o", "name": "Org"},
            "attributes": [{"taxonomy_term": {"id": needs.term_id("loneliness"), "name": "Oops"}}],
        }
    ]
    actions.import_feed(by=None, source="f", data=json.dumps(feed).encode())
    term = TaxonomyTerm.objects.get(oruk_id=needs.term_id("loneliness"))
    assert (term.name, term.code) == ("Loneliness and social contact", "loneliness")
    assert Service.objects.get().terms.get() == term


def test_a_uuid_spelt_two_ways_is_one_id(db):
    """The API gives UUIDs in their standard spelling, so a feed's UUID in capitals (or in
    braces) is the same record as in small letters, not a second one with the same id."""
    upper = "3F7B145D-84AF-42D7-8FAE-EACA714B02B2"
    org = "{07FF6AEE-A219-438C-B694-D2FCB6C5373B}"
    feed = [
        {"id": upper, "name": "Club", "organization": {"id": org, "name": "Org"}},
        {"id": upper.lower(), "name": "Club again", "organization_id": org.lower()[1:-1]},
        {"id": "another", "name": "Other", "organization_id": org.lower()[1:-1]},
    ]
    report = actions.import_feed(by=None, source="f", data=json.dumps(feed).encode())
    assert report.created == 2
    assert [r["why"] for r in report.rejected] == ["the same id as record 1 (the first is kept)"]
    club = Service.objects.get(name="Club")
    assert club.oruk_id == str(club.uuid) == upper.lower()
    assert DirectoryOrganisation.objects.get().oruk_id == org.lower()[1:-1]
    again = actions.import_feed(by=None, source="f", data=json.dumps(feed).encode())
    assert (again.created, again.unchanged) == (0, 2)
