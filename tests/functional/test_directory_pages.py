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
    expect(page.get_by_text("Referral sent to Age Well (voluntary)")).to_be_visible()
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
