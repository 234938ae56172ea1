"""The directory curator's job (login ``curator``): works the queue of problems reported
with listings: fixes one (the service has closed, so it leaves the searches), dismisses
another that is not a problem, and marks a listing nobody has checked for a year as
checked after confirming it with the provider. Every directory page it opens fits a
375 px phone screen."""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from joinedup.directory import actions as directory
from joinedup.directory.models import ProblemReport, Service, ServiceStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_directory_curator(demo, pages):
    built = demo(care=False, portal=False)
    closed, wrong = Service.objects.filter(status=ServiceStatus.ACTIVE).order_by("pk")[:2]
    directory.report_problem(
        service=closed, kind="closed", detail="The hall is shut: they stopped in March", by=None,
        resident=True,
    )  # fmt: skip
    directory.report_problem(
        service=wrong, kind="times", detail="It says Tuesdays <b>but</b> I think it moved", by=None,
        resident=True,
    )  # fmt: skip
    assert directory.stale_services().exists(), "the demo has listings not checked for a year"

    page = pages.sign_in("curator", built.password)
    page.get_by_role("link", name="Directory queue").first.click()
    expect(page.get_by_role("heading", name="Directory queue")).to_be_visible()
    expect(page.get_by_role("heading", name="Problems reported (2)")).to_be_visible()
    pages.check("queue")

    # Fixes a listing: the service has closed, so it comes out of the searches.
    page.get_by_role("link", name=closed.name).first.click()
    expect(page.get_by_role("heading", name=f"Problem with {closed.name}")).to_be_visible()
    # The service is a link, not markup printed as text.
    expect(page.get_by_role("link", name=closed.name, exact=True)).to_be_visible()
    expect(page.get_by_text('<a href="')).to_have_count(0)
    pages.check("resolve")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    pages.check("resolve_errors")
    page.get_by_role("radio", name="Fixed it").check()
    page.get_by_label("What you did, or why it is not a problem").fill(
        "Phoned the organisation: it closed in March. Taken out of searches."
    )
    page.get_by_label("The service has closed: take it out of searches").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Done.")).to_be_visible()
    expect(page.get_by_role("heading", name="Problems reported (1)")).to_be_visible()
    pages.check("queue_after_fix")
    pages.goto(f"/directory/?{urlencode({'q': closed.name, 'search': '1'})}")
    expect(page.get_by_role("heading", name=re.compile("found"))).to_be_visible()
    expect(page.locator(f'a[href^="/directory/services/{closed.oruk_id}"]')).to_have_count(0)

    # Dismisses a report that is not a problem; what the resident typed is shown as text.
    page.get_by_role("link", name="Directory queue").first.click()
    page.get_by_role("link", name=wrong.name).first.click()
    expect(page.get_by_text("It says Tuesdays <b>but</b> I think it moved")).to_be_visible()
    page.get_by_role("radio", name="It is not a problem").check()
    page.get_by_label("What you did, or why it is not a problem").fill(
        "Checked with them: still Tuesdays."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("No problems reported.")).to_be_visible()
    pages.check("queue_empty")
    assert set(ProblemReport.objects.values_list("status", flat=True)) == {"fixed", "dismissed"}

    # Marks the longest-unchecked listing as checked.
    heading = page.get_by_role("heading", name=re.compile(r"Not checked for over"))
    stale = directory.stale_services().count()  # the closed one has gone, if it was here
    expect(heading).to_contain_text(f"({stale:,})")
    first = page.get_by_role("button", name=re.compile("^Mark as checked")).first
    name = first.inner_text().split(":", 1)[1].strip()
    first.click()
    expect(page.get_by_text(f"{name} marked as checked today.")).to_be_visible()
    expect(heading).to_contain_text(f"({stale - 1:,})")
    pages.check("listing_checked")
