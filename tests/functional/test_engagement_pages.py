"""A resident joins the citizens' panel (with a mistake first) and an engagement officer
sees how representative it is; the pages pass axe-core."""

import pytest
from playwright.sync_api import expect

from joinedup.core.models import Role
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_joining_the_panel_and_its_representativeness(pages, chromium, transactional_db):
    world = World()
    world.user(Role.ENGAGEMENT_OFFICER, world.practice_a, username="engagement")
    world.person(sex="female")
    page = pages.goto("/engage/panel/join")
    pages.check("panel_join")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Postcode").fill("JU1 1AA")
    page.get_by_role("button", name="Join the panel").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    pages.check("panel_join_errors")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address (if we should email you)").fill("ada@example.org")
    page.get_by_label("65 to 74").check()
    page.get_by_label("Female").check()
    page.get_by_label("Black, Black British, Caribbean or African").check()
    for question in ("disability", "LGBT+", "unpaid carer"):
        page.get_by_role("group", name=question).get_by_label("Prefer not to say").check()
    page.get_by_label("I agree to join the citizens' panel").check()
    page.get_by_role("button", name="Join the panel").click()
    expect(page.get_by_role("heading", name="You have joined the citizens' panel")).to_be_visible()
    pages.check("panel_joined")
    pages.sign_in("engagement", PASSWORD)
    page.get_by_role("link", name="Engagement", exact=True).click()
    expect(page.get_by_text("1 member.")).to_be_visible()
    pages.check("panel_representativeness")
