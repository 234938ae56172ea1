"""A care coordinator, a social worker and a voluntary worker around one person, across
three organisations; every page passes axe-core and is screenshotted."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from joinedup.care import actions
from joinedup.core.models import OrganisationType, Role
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseload_to_plan_to_referral_across_organisations(pages, transactional_db):
    world = World()
    federation = world.organisation("Test GP Federation", OrganisationType.GP_FEDERATION, "ZF902")
    asc = world.organisation("Test Council ASC", OrganisationType.ADULT_SOCIAL_CARE, "ZC902")
    vcs = world.organisation("Test Carers Centre", OrganisationType.VOLUNTARY)
    world.user(Role.CARE_COORDINATOR, federation, username="coord.journey")
    social = world.user(Role.SOCIAL_WORKER, asc, username="social.journey")
    world.user(Role.VOLUNTARY_WORKER, vcs, username="vcs.journey")
    person = world.person(given_name="Mary", family_name="Jones")
    world.profile(person, ltc_count=4, cms=2.5, efi_band="moderate", admissions=2)
    actions.build_caseload(by=None)

    page = pages.sign_in("coord.journey", PASSWORD)
    page.get_by_role("link", name="Caseload").first.click()
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    pages.check("caseload")
    page.get_by_role("link", name="Mary JONES").click()
    expect(page.get_by_role("heading", name="Care of Mary JONES")).to_be_visible()
    pages.check("person_care")
    page.get_by_label("Move to stage").select_option("contacted")
    page.get_by_role("button", name="Change stage").click()
    expect(page.get_by_text("Stage: Contacted")).to_be_visible()

    # The holistic assessment: pre-filled from what is known, each answer with its source.
    page.get_by_role("link", name="Holistic assessments").click()
    pages.check("assessments")
    page.get_by_role("button", name="Start an assessment").click()
    expect(page.get_by_role("heading", name="Holistic assessment")).to_be_visible()
    expect(page.get_by_text("GP coded record (population run)").first).to_be_visible()
    pages.check("assessment")
    page.get_by_role("link", name="Go through loneliness and social contact").click()
    page.get_by_label("Often or always").check()
    page.get_by_label("Who do you see or talk to in a usual week?").fill("My daughter, Sundays")
    pages.check("assessment_domain")
    page.get_by_role("button", name="Save and go back").click()
    expect(page.get_by_text("Checked with the person", exact=True)).to_be_visible()
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_text("Completed", exact=False).first).to_be_visible()
    pages.goto(f"/care/people/{person.pk}/")
    expect(page.get_by_text("Stage: Assessed")).to_be_visible()

    page.get_by_text("Add someone to the care team").click()
    page.locator("#organisation").select_option(label="Test Council ASC")
    page.get_by_label("Role in the care team").fill("Social worker")
    page.get_by_role("button", name="Add to care team").click()
    expect(page.get_by_role("cell", name="Social worker")).to_be_visible()

    page.get_by_role("link", name="Start the plan").click()
    pages.check("plan_none")
    page.get_by_role("button", name="Start the plan").click()
    expect(page.get_by_role("heading", name="Personalised care and support plan")).to_be_visible()
    page.get_by_role("link", name="Change about me").click()
    page.get_by_label("What matters to me").fill("My garden and my grandchildren")
    pages.check("plan_section")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("The goal, in the person's own words").fill("Walk to the shops again")
    pages.check("plan_goal")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Walk to the shops again”")).to_be_visible()
    pages.check("plan")
    page.get_by_role("link", name="All versions and what changed").click()
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("My garden and my grandchildren")).to_be_visible()
    pages.check("plan_versions")
    pages.goto("/care/reviews/")
    expect(page.get_by_role("heading", name="Reviews due")).to_be_visible()
    pages.check("reviews")

    pages.goto(f"/care/people/{person.pk}/")
    page.get_by_text("Ask another organisation to do something").click()
    page.get_by_label("Referral").check()
    page.get_by_label("What needs doing").fill("Befriending and lunch club")
    page.locator("#owner_organisation").select_option(label="Test Carers Centre")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("link", name="Referral: Befriending and lunch club")).to_be_visible()

    # The voluntary worker: the referral waits in their organisation's inbox; the record
    # opens only once they accept it.
    page.get_by_role("button", name="Sign out").click()
    page = pages.sign_in("vcs.journey", PASSWORD)
    refused = page.goto(pages.base_url + f"/care/people/{person.pk}/")
    assert refused.status == 403
    pages.goto("/care/inbox/")
    pages.check("inbox")
    page.get_by_role("link", name="Referral: Befriending and lunch club").click()
    pages.check("task")
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Referral · Accepted")).to_be_visible()
    page.get_by_role("link", name="Mary JONES").click()
    expect(page.get_by_role("heading", name="Care of Mary JONES")).to_be_visible()

    # The MDT: the coordinator flags Mary, schedules the neighbourhood meeting and invites
    # the social worker, who records the discussion; the decision lands in an inbox.
    page.get_by_role("button", name="Sign out").click()
    page = pages.sign_in("coord.journey", PASSWORD)
    pages.goto(f"/care/people/{person.pk}/")
    page.get_by_role("button", name="Flag for MDT discussion").click()
    page.get_by_role("link", name="MDT meetings").first.click()
    pages.check("meetings")
    page.get_by_text("Schedule a meeting").click()
    page.get_by_label("Title").fill("North MDT")
    page.locator("#area").select_option(f"hood:{world.practice_a.neighbourhood_id}")
    day = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Time").fill("10:30")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", name="North MDT")).to_be_visible()
    expect(page.get_by_role("link", name="Mary JONES")).to_be_visible()
    page.get_by_text("Invite someone").click()
    page.locator("#user").select_option(str(social.pk))
    page.get_by_role("button", name="Invite").click()
    pages.check("meeting")

    page.get_by_role("button", name="Sign out").click()
    page = pages.sign_in("social.journey", PASSWORD)
    page.get_by_role("link", name="MDT meetings").first.click()
    page.get_by_role("link", name="North MDT").click()
    page.get_by_role("link", name="Mary JONES").click()
    page.get_by_label("Summary of the discussion").fill("Lonely since her husband died")
    page.get_by_label("Task (optional)").fill("Carer's assessment for her daughter")
    page.locator("#task_owner").select_option(label="Test Carers Centre")
    pages.check("agenda_item")
    page.get_by_role("button", name="Save the discussion").click()
    expect(page.get_by_text("Task: Carer's assessment for her daughter")).to_be_visible()

    # The review: what changed, and when to look again — a new plan version.
    page.get_by_role("button", name="Sign out").click()
    page = pages.sign_in("coord.journey", PASSWORD)
    pages.goto(f"/care/people/{person.pk}/plan/")
    page.get_by_role("link", name="Record a review with the person").click()
    page.get_by_label("What changed").fill("Goes to lunch club on Thursdays now")
    later = timezone.localdate() + timedelta(days=90)
    page.get_by_label("Day").fill(str(later.day))
    page.get_by_label("Month").fill(str(later.month))
    page.get_by_label("Year").fill(str(later.year))
    pages.check("plan_review")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Goes to lunch club on Thursdays now").first).to_be_visible()
    expect(page.get_by_text("reviewed: goes to lunch club", exact=False)).to_be_visible()
