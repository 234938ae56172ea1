"""Importing Open Referral feeds: the real (messy) Bristol ORUK 1.0 list and HSDS 3.0."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from joinedup.directory import actions, feeds
from joinedup.directory.models import DirectoryOrganisation, Service

ORUK = Path(__file__).resolve().parents[4] / "shared" / "data" / "oruk"
BRISTOL = ORUK / "feeds" / "bristol-services-list-2024.json"


def _needs(path: Path):
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/data beside the repository)")


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
