"""A navigator searches the directory by need, words and place, reads why each service
matched and opens one; the search and service pages pass axe-core, on a desktop and at
320 px."""

import json
import re

import pytest
from playwright.sync_api import expect

from joinedup.core.models import Role
from joinedup.directory import actions
from joinedup.synth.directory import directory_feed
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_navigator_finds_a_service_near_a_person(pages, chromium, transactional_db):
    world = World()
    world.user(Role.CARE_COORDINATOR, world.practice_a, username="navigator")
    feed = directory_feed(services=60, seed=4)
    actions.import_feed(by=None, source="demo", data=json.dumps(feed).encode())

    page = pages.sign_in("navigator", PASSWORD)
    page.get_by_role("link", name="Services").first.click()
    expect(page.get_by_role("heading", name="Find services")).to_be_visible()
    pages.check("directory_search")
    page.get_by_label("What are you looking for?").fill("lunch clubb")
    page.get_by_label("Postcode").fill("ju1 1aa")
    page.get_by_label("How far").select_option("5")
    page.get_by_text("Filter by need, time, age and cost").click()
    page.get_by_label("Loneliness and social contact").check()
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("We also searched for")).to_be_visible()
    expect(page.get_by_text(" from JU1 1AA").first).to_be_visible()
    pages.check("directory_results")
    page.get_by_role("heading", level=3).first.get_by_role("link").click()
    expect(page.get_by_text("Last checked by the organisation")).to_be_visible()
    pages.check("directory_service")
    page.set_viewport_size({"width": 320, "height": 900})
    page.go_back()
    pages.check("directory_results_mobile")
    pages.goto("/directory/?postcode=nowhere&age=old")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    pages.check("directory_errors")


def test_navigator_refers_a_person_and_a_curator_works_the_queue(pages, chromium, transactional_db):
    from joinedup.core.models import OrganisationType
    from joinedup.directory.models import DirectoryOrganisation

    world = World()
    world.user(Role.CARE_NAVIGATOR, world.practice_a, username="navigator")
    world.user(Role.DIRECTORY_CURATOR, world.practice_a, username="curator")
    group = world.organisation("Age Well (voluntary)", OrganisationType.VOLUNTARY)
    person = world.person(given_name="Mary", family_name="Jones")
    feed = directory_feed(services=30, seed=4)
    actions.import_feed(by=None, source="demo", data=json.dumps(feed).encode())
    DirectoryOrganisation.objects.update(partner=group)

    page = pages.sign_in("navigator", PASSWORD)
    pages.goto(f"/directory/?person={person.pk}&search=1")
    expect(page.get_by_role("heading", name="Find services for Mary JONES")).to_be_visible()
    page.get_by_role("heading", level=3).first.get_by_role("link").click()
    page.get_by_role("button", name="Add to Mary's shortlist").click()
    expect(page.get_by_text("added to Mary's shortlist")).to_be_visible()
    pages.check("directory_service_for_person")
    page.get_by_role("link", name="Refer Mary JONES to this service").click()
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    pages.check("directory_refer_errors")
    page.get_by_label("Why you are referring them").fill("Would like company at lunch")
    page.get_by_label("They agreed when we spoke").check()
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Referral sent to the inbox of Age Well (voluntary)")).to_be_visible()
    pages.goto(f"/directory/shortlists/people/{person.pk}")
    pages.check("directory_shortlist")
    page.get_by_role("button", name="Give to Mary").click()
    expect(page.get_by_text("they can see it online too")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Shortlist given"))).to_be_visible()
    pages.check("directory_shortlist_given")
    page.get_by_role("button", name="Sign out").click()
    page = pages.sign_in("curator", PASSWORD)
    page.get_by_role("link", name="Directory queue").click()
    expect(page.get_by_role("heading", name="Directory queue")).to_be_visible()
    pages.check("directory_queue")


def _width_at_375(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_directory_pages_fit_a_phone_and_results_come_first(pages, chromium, transactional_db):
    """At 375 px: no directory page is wider than the screen, and a search's results start
    near the top (the filters follow them, a link away), on a phone as on a desktop."""
    from joinedup.core.models import OrganisationType
    from joinedup.directory.models import DirectoryOrganisation, ProblemReport, Service

    world = World()
    world.user(Role.CARE_NAVIGATOR, world.practice_a, username="navigator")
    world.user(Role.DIRECTORY_CURATOR, world.practice_a, username="curator")
    group = world.organisation("Age Well (voluntary)", OrganisationType.VOLUNTARY)
    person = world.person(given_name="Mary", family_name="Jones")
    feed = directory_feed(services=40, seed=4)
    actions.import_feed(by=None, source="demo", data=json.dumps(feed).encode())
    DirectoryOrganisation.objects.update(partner=group)
    service = Service.objects.order_by("pk").first()
    report = actions.report_problem(
        service=service, kind="other", detail="A very long email address: " + "x" * 80, by=None
    )
    assert ProblemReport.objects.count() == 1

    page = pages.sign_in("navigator", PASSWORD)
    page.set_viewport_size({"width": 375, "height": 800})
    visited = []

    def visit(name: str, path: str | None = None):
        if path:
            pages.goto(path)
        pages.check(f"phone_{name}")
        width = _width_at_375(page)
        visited.append(name)
        assert width <= 375, f"{name} ({page.url}) is {width} px wide at 375 px"

    visit("search", "/directory/")
    pages.goto("/directory/?q=lunch&postcode=JU1+1AA&need=loneliness&need=daily-living&search=1")
    results_top = page.evaluate(
        "document.getElementById('results').getBoundingClientRect().top + window.scrollY"
    )
    assert results_top < 700, f"the results start {results_top:.0f} px down on a phone"
    expect(
        page.get_by_text("Filtering by: Help at home and daily living; Loneliness")
    ).to_be_visible()
    visit("results")
    page.get_by_role("link", name="filter the results").click()
    page.get_by_text("Filter by need, time, age and cost").click()
    expect(page.get_by_label("Memory and dementia")).to_be_visible()
    visit("filters_open")
    visit("search_for_person", f"/directory/?person={person.pk}&search=1")
    visit("service", f"/directory/services/{service.oruk_id}")
    visit("refer_who", f"/directory/services/{service.oruk_id}/refer")
    visit("refer", f"/directory/services/{service.oruk_id}/refer/{person.pk}")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    visit("refer_errors")
    visit("report", f"/directory/services/{service.oruk_id}/report")
    visit("shortlist", f"/directory/shortlists/people/{person.pk}")
    page.get_by_role("button", name="Sign out").click()
    pages.sign_in("curator", PASSWORD)
    visit("queue", "/directory/queue/")
    visit("resolve", f"/directory/queue/reports/{report.pk}")
    # On a desktop the results are beside the search form, at the top.
    page.set_viewport_size({"width": 1280, "height": 900})
    pages.goto("/directory/?q=lunch&postcode=JU1+1AA&search=1")
    top = page.evaluate("document.getElementById('results').getBoundingClientRect().top")
    assert top < 500, f"the results start {top:.0f} px down on a desktop"
    assert len(visited) == 12
