"""The error pages in Chromium: styled, no Content Security Policy violations, and
passing axe-core."""

import pytest
from playwright.sync_api import expect

from joinedup.core.models import Role
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_not_found_refused_and_broken_pages(pages, settings, transactional_db):
    world = World()
    person = world.person()
    world.user(Role.ENGAGEMENT_OFFICER, world.practice_a, username="engagement")

    page = pages.goto("/no-such-page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    pages.check("not_found")

    pages.sign_in("engagement", PASSWORD)
    pages.goto(f"/people/{person.pk}/")
    expect(page.get_by_role("heading", name="You cannot open this page")).to_be_visible()
    expect(page.get_by_text("No legitimate relationship with this person.")).to_be_visible()
    pages.check("forbidden")
    page.get_by_role("link", name="Go to the joinedup home page").click()
    expect(page.get_by_role("link", name="Engagement", exact=True)).to_be_visible()

    settings.ROOT_URLCONF = "tests.integration.core.test_error_pages"
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    pages.goto("/boom")
    expect(
        page.get_by_role("heading", name="Sorry, there is a problem with the service")
    ).to_be_visible()
    pages.check("server_error")
