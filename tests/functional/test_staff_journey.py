"""A GP signs in, finds their patient, opens the record, and breaks glass for someone
registered elsewhere; every page passes axe-core and is screenshotted."""

import pytest
from playwright.sync_api import expect

from joinedup.core.models import AuditEvent, Role
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return World()


def sign_in(pages, username):
    page = pages.goto("/sign-in")
    pages.check("sign_in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_sign_in_search_open_and_break_glass(pages, world):
    gp = world.user(Role.GP, world.practice_a, username="gp.browser")
    mine = world.person(given_name="Joan", family_name="Smith", communication_needs=["large_print"])
    theirs = world.person(practice=world.practice_b, given_name="Bea", family_name="Other")

    page = sign_in(pages, "gp.browser")
    expect(page.get_by_role("heading", name="joinedup", exact=True)).to_be_visible()
    expect(page.get_by_text("You are working for Practice A")).to_be_visible()
    pages.check("home")

    page.get_by_role("link", name="Find a person").first.click()
    pages.check("search_empty")
    page.get_by_label("NHS number or name").fill("smi")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    pages.check("search_results")

    page.get_by_role("link", name="Joan SMITH").click()
    expect(page.get_by_role("heading", name="Joan SMITH")).to_be_visible()
    # In the patient banner, as on every page about a person.
    banner = page.get_by_role("region", name="About Joan SMITH")
    expect(banner.get_by_text("Large print")).to_be_visible()
    pages.check("person_summary")

    page.get_by_role("link", name="Who has looked at this record").click()
    expect(page.get_by_role("cell", name="Looked at the record").first).to_be_visible()
    pages.check("person_audit")

    # Someone registered at another practice: traced by NHS number, then break glass.
    pages.goto("/people/")
    page.get_by_label("NHS number or name").fill(theirs.nhs_number_display)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Break glass for Bea OTHER").click()
    expect(page.get_by_role("heading", name="You do not have a care relationship")).to_be_visible()
    pages.check("break_glass")
    page.get_by_role("button", name="Break glass and open the record").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    pages.check("break_glass_error")
    page.get_by_label("Why do you need to open this record?").fill(
        "Patient collapsed in our waiting room"
    )
    page.get_by_role("button", name="Break glass and open the record").click()
    expect(page.get_by_role("heading", name="Bea OTHER")).to_be_visible()
    expect(page.get_by_text("You opened this record by breaking glass")).to_be_visible()
    pages.check("person_break_glass")

    assert AuditEvent.objects.filter(
        action="person.break_glass", user=gp, person_id=theirs.pk
    ).exists()
    assert AuditEvent.objects.filter(action="person.view.summary", person_id=mine.pk).exists()


def test_search_errors_and_organisation_switch(pages, world):
    from joinedup.core.actions import add_membership

    user = world.user(Role.GP, world.practice_a, username="gp.two")
    add_membership(by=None, user=user, organisation=world.practice_b, role=Role.GP)
    page = sign_in(pages, "gp.two")
    pages.goto("/people/")
    page.get_by_label("NHS number or name").fill("943 476 5910")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    pages.check("search_error")

    page.get_by_role("link", name="Practice A (GP)").click()
    pages.check("organisation_switcher")
    page.get_by_label("Practice B – GP").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You are working for Practice B")).to_be_visible()


def test_wrong_password_page(pages, world):
    world.user(Role.GP, world.practice_a, username="gp.wrong")
    page = pages.goto("/sign-in")
    page.get_by_label("Username").fill("gp.wrong")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The username or password is not right").first).to_be_visible()
    pages.check("sign_in_error")


def test_admin_sets_up_two_factor_then_signs_in(pages, world):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    world.user(Role.SYSTEM_ADMIN, world.icb, username="admin.browser")
    page = sign_in(pages, "admin.browser")
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    pages.check("two_factor_setup")
    device = TOTPDevice.objects.get(user__username="admin.browser")
    page.get_by_label("Security code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You are working for Test ICB")).to_be_visible()
    expect(page.get_by_role("link", name="Find a person")).to_have_count(0)
    pages.check("home_admin")

    # The Jobs page: what the background worker did, and what failed.
    from joinedup.jobs.models import Job, JobStatus

    now = __import__("django.utils.timezone").utils.timezone.now()
    Job.objects.create(
        kind="engagement.selection", label="Selection run 7: everyone's chances",
        status=JobStatus.FAILED, attempts=5, run_after=now, created_at=now,
        error="SortitionError: the pool or the quotas changed: start again",
    )  # fmt: skip
    page.get_by_role("link", name="Jobs").first.click()
    expect(page.get_by_role("heading", name="Jobs", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Run again: Selection run 7")).to_be_visible()
    pages.check("jobs")

    # Place settings: two places side by side; Ealing takes its own cohort rule.
    from joinedup.core.models import Place

    Place.objects.create(system=world.place.system, code="E09000009", name="Ealing")
    pages.goto("/")
    page.get_by_role("link", name="Place settings").click()
    expect(page.get_by_role("heading", name="Place settings")).to_be_visible()
    pages.check("place_settings")
    page.get_by_role("link", name="Change Ealing's settings").click()
    page.get_by_label("Use the system's default: 3+ long-term conditions").uncheck()
    page.get_by_label("Long-term conditions, at least").fill("2")
    page.get_by_role("checkbox", name="Moderate", exact=True).check()
    page.get_by_role("checkbox", name="Severe", exact=True).check()
    pages.check("place_settings_edit")
    page.get_by_label("Why (kept with this version)").fill("Agreed at the place board")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Ealing: saved as version 1.")).to_be_visible()
    expect(
        page.get_by_text("2+ long-term conditions with moderate or severe frailty")
    ).to_be_visible()
    pages.check("place_settings_compared")
