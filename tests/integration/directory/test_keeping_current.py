"""Keeping the directory current: out-of-date listings flagged and their providers asked
(a link that needs no account), problem reports from staff and residents, and the
curators' queue."""

import json
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from joinedup.core.models import Role
from joinedup.directory import actions
from joinedup.directory.models import ProblemReport, Service, ServiceStatus, UpdateRequest

OLD = (date.today() - timedelta(days=400)).isoformat()
RECENT = (date.today() - timedelta(days=30)).isoformat()
ORG = {"id": "o1", "name": "Age Well", "email": "hello@agewell.example.org"}
FEED = [
    {"id": "old", "name": "Lunch club", "assured_date": OLD, "organization": ORG},
    {"id": "never", "name": "Choir", "organization": {"id": "o2", "name": "No email group"}},
    {"id": "fresh", "name": "Walking group", "assured_date": RECENT, "organization": ORG},
]


@pytest.fixture
def directory(world):
    actions.import_feed(by=None, source="feed", data=json.dumps(FEED).encode())


def test_out_of_date_listings_are_flagged_and_their_providers_asked(
    directory, client, world, django_capture_on_commit_callbacks
):
    assert set(actions.stale_services().values_list("oruk_id", flat=True)) == {"old", "never"}
    with django_capture_on_commit_callbacks(execute=True):
        call_command("directory", "verify-check", "--base-url", "https://joinedup.example")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hello@agewell.example.org"]
    link = re.search(r"https://joinedup.example(/directory/check/\S+)", mail.outbox[0].body)[1]
    # Asked once a month at most.
    assert actions.request_updates(by=None, link_base="x")["asked recently"] == 1
    assert len(mail.outbox) == 1

    # The provider opens the link with no account and says it is still right.
    page = client.get(link)
    assert page.status_code == 200 and "Is it still right?" in page.content.decode()
    assert "Not checked for over a year" in page.content.decode()
    assert client.post(link, {"answer": "changed"}).status_code == 400  # say what changed
    client.post(link, {"answer": "correct"})
    assert Service.objects.get(oruk_id="old").assured_date == date.today()
    assert client.get(link).status_code == 404  # used once
    assert client.get("/directory/check/made-up").status_code == 404


def test_a_provider_saying_what_changed_reaches_the_curators(
    directory, client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_updates(by=None, link_base="https://x/directory/check/")
    link = re.search(r"(/directory/check/\S+)", mail.outbox[0].body)[1]
    client.post(link, {"answer": "changed", "changes": "We now meet on Fridays"})
    report = ProblemReport.objects.get()
    assert report.kind == "provider" and report.detail == "We now meet on Fridays"
    assert UpdateRequest.objects.get().still_correct is False


def test_problem_reports_and_the_curators_queue(directory, client, world, membership_of):
    staff = world.user(Role.CARE_NAVIGATOR, world.practice_a)
    curator = world.user(Role.DIRECTORY_CURATOR, world.practice_a)
    client.force_login(staff)
    url = reverse("directory:report", args=["old"])
    assert client.post(url, {"kind": "other"}).status_code == 400  # say what
    assert client.post(url, {"kind": "provider"}).status_code == 400  # not for staff
    client.post(url, {"kind": "times", "detail": "<script>x</script> Closed on Mondays now"})
    assert client.get(reverse("directory:queue")).status_code == 403
    client.force_login(curator)
    queue = client.get(reverse("directory:queue")).content.decode()
    assert "Opening times" in queue or "opening times are wrong" in queue
    assert "<script>x</script>" not in queue and "Not checked for over 365 days (2)" in queue
    report = ProblemReport.objects.get()
    resolve = reverse("directory:resolve", args=[report.pk])
    assert client.post(resolve, {"status": "fixed"}).status_code == 400  # say what you did
    client.post(
        resolve, {"status": "fixed", "resolution": "Phoned them; closed", "close_service": "yes"}
    )
    report.refresh_from_db()
    assert report.status == "fixed" and report.resolved_by == curator
    assert Service.objects.get(oruk_id="old").status == ServiceStatus.DEFUNCT
    client.post(reverse("directory:verify", args=["never"]))
    assert Service.objects.get(oruk_id="never").assured_date == date.today()
    assert not actions.stale_services().exists()
    # Staff cannot verify.
    client.force_login(staff)
    assert client.post(reverse("directory:verify", args=["fresh"])).status_code == 403


def test_the_resolve_page_links_the_service_and_escapes_only_what_was_typed(
    directory, client, world
):
    curator = world.user(Role.DIRECTORY_CURATOR, world.practice_a)
    Service.objects.filter(oruk_id="old").update(name="Lunch club <b>& friends</b>")
    service = Service.objects.get(oruk_id="old")
    report = actions.report_problem(
        service=service, kind="times", detail="<i>Closed</i> on Mondays", by=None
    )
    client.force_login(curator)
    page = client.get(reverse("directory:resolve", args=[report.pk])).content.decode()
    link = reverse("directory:service", args=["old"])
    # The markup of the link is markup, not text; what people typed is text.
    assert f'<a href="{link}">Lunch club &lt;b&gt;&amp; friends&lt;/b&gt;</a>, Age Well' in page
    assert "&lt;a href" not in page and "&amp;lt;" not in page
    assert "&lt;i&gt;Closed&lt;/i&gt; on Mondays" in page
