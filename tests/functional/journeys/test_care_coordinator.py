"""The care coordinator's job (login ``coordinator``, at the GP federation): works the
caseload (Mine, My team, My organisation; by name and by NHS number; sorted), opens the
person at the top of it who is only "Identified", makes contact, runs the holistic
assessment and completes it, starts the plan from what it found with a goal and an action,
flags them for the MDT, opens the coming meeting of their neighbourhood, records its
decision as a task for the council's adult social care, and finds the meeting cannot be
marked held before it has happened."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from joinedup.care.models import (
    AgendaItem,
    CarePlan,
    CaseloadEntry,
    Meeting,
    MeetingStatus,
    Stage,
    Task,
)
from joinedup.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ASC = "Joinedup Council Adult Social Care"
GOAL = "I want to get to my granddaughter's wedding in June"
ACTION = "Befriending visits once a week"
DECISION_TASK = "Care Act needs assessment at home"


def _someone_identified():
    """The person highest on the caseload who is only identified and not yet flagged, in a
    neighbourhood (so an MDT meeting of their area is coming), with a name of their own."""
    for entry in (
        CaseloadEntry.objects.filter(stage=Stage.IDENTIFIED, flagged_for_mdt=False)
        .exclude(neighbourhood=None)
        .select_related("person", "neighbourhood")
        .order_by("-priority")
    ):
        person = entry.person
        if not Person.objects.filter(
            given_name=person.given_name, family_name=person.family_name
        ).exclude(pk=person.pk):
            return entry
    raise AssertionError("the demo has no one identified and not yet flagged")


def test_care_coordinator(demo, pages):
    built = demo()
    entry = _someone_identified()
    person = entry.person
    meeting = Meeting.objects.get(neighbourhood=entry.neighbourhood, starts_at__gt=timezone.now())

    page = pages.sign_in("coordinator", built.password)
    pages.check("home")

    # The caseload: their organisation's area first, then their own, then their team's.
    page.get_by_role("link", name="Caseload").first.click()
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    expect(page.get_by_text(re.compile(r"with three or more long-term conditions"))).to_be_visible()
    pages.check("caseload_organisation")
    scopes = page.get_by_role("navigation", name="Whose caseload")
    scopes.get_by_role("link", name="Mine").click()
    expect(
        page.get_by_text(re.compile(r"people you are caring for or have work for"))
    ).to_be_visible()
    pages.check("caseload_mine")
    scopes.get_by_role("link", name="My team").click()
    expect(page.get_by_text("You are not in a team at Joinedup GP Federation")).to_be_visible()
    pages.check("caseload_team")
    scopes.get_by_role("link", name="My organisation").click()

    # Sorted by name; then by name and by NHS number.
    page.get_by_label("Sort by").select_option(label="Name")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table", name="My organisation, by name")).to_be_visible()
    names = page.locator("tbody tr td:first-child a").all_inner_texts()
    surnames = [n.split()[-1] for n in names]
    assert surnames == sorted(surnames), names
    pages.check("caseload_by_name")
    page.get_by_label("Name or NHS number").fill(person.family_name)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name=person.full_name)).to_be_visible()
    pages.check("caseload_by_surname")
    page.get_by_label("Name or NHS number").fill(person.nhs_number_display)
    page.get_by_role("button", name="Show").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Identified")
    pages.check("caseload_by_nhs_number")

    # Makes contact.
    page.get_by_role("link", name=person.full_name).click()
    expect(page.get_by_role("heading", name=f"Care of {person.full_name}")).to_be_visible()
    expect(page.get_by_text("Stage: Identified")).to_be_visible()
    pages.check("person_identified")
    page.get_by_label("Move to stage").select_option(label="Contacted")
    page.get_by_role("button", name="Change stage").click()
    expect(
        page.get_by_text(f"{person.full_name} moved to contacted. Next: the holistic assessment.")
    ).to_be_visible()
    expect(page.get_by_text("Stage: Contacted")).to_be_visible()
    pages.check("contacted")

    # The holistic assessment, completed: it sums up the needs and offers to start the plan.
    page.get_by_role("link", name="Holistic assessments").click()
    pages.check("assessments")
    page.get_by_role("button", name="Start an assessment").click()
    expect(page.get_by_role("heading", name="Holistic assessment")).to_be_visible()
    pages.check("assessment")
    page.get_by_role("link", name="Go through loneliness and social contact").click()
    page.get_by_label("Often or always").check()
    page.get_by_label("Who do you see or talk to in a usual week?").fill("My son, on Sundays")
    pages.check("assessment_loneliness")
    page.get_by_role("button", name="Save and go back").click()
    expect(page.get_by_text("Checked with the person", exact=True)).to_be_visible()
    page.get_by_role("button", name="Complete the assessment").click()
    expect(
        page.get_by_text(f"Assessment complete. {person.given_name} is now assessed")
    ).to_be_visible()
    found = page.locator(".nhsuk-card--feature")
    expect(found.get_by_role("heading", name="What the assessment found")).to_be_visible()
    expect(found).to_contain_text("loneliness")
    pages.check("assessment_complete")
    found.get_by_role("button", name=f"Start the plan with {person.given_name}").click()

    # The plan: a goal in their words and an action.
    expect(page.get_by_role("heading", name="Personalised care and support plan")).to_be_visible()
    pages.check("plan_started")
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("The goal, in the person's own words").fill(GOAL)
    pages.check("goal")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Goal added: the plan is now version 2.")).to_be_visible()
    expect(page.get_by_text(f"“{GOAL}”")).to_be_visible()
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("What will be done").fill(ACTION)
    page.get_by_label("An organisation").check()
    page.get_by_label("Name of the person, team or organisation").fill("A befriending service")
    pages.check("action")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Action added: the plan is now version 3.")).to_be_visible()
    actions = page.get_by_role("table", name="Who is doing what, by when")
    expect(actions.get_by_role("row").filter(has_text=ACTION)).to_contain_text("To do")
    pages.check("plan_with_goal_and_action")

    # Flags them for the MDT.
    page.get_by_role("link", name=f"Care of {person.full_name}").click()
    expect(page.get_by_text("Stage: Assessed")).to_be_visible()
    page.get_by_role("button", name="Flag for MDT discussion").click()
    expect(
        page.get_by_text(f"{person.full_name} is flagged for the next MDT meeting")
    ).to_be_visible()
    pages.check("flagged")

    # The coming meeting of their neighbourhood: they join its agenda.
    page.get_by_role("link", name="MDT meetings").first.click()
    coming = page.get_by_role("table", name="Coming up")
    pages.check("meetings")
    coming.locator(f'a[href="/care/mdt/{meeting.pk}/"]').click()
    expect(page.get_by_role("heading", name=meeting.title)).to_be_visible()
    expect(page.get_by_role("link", name=person.full_name)).to_have_count(0)
    page.get_by_role("button", name="Add people flagged on the caseload").click()
    expect(page.get_by_text("1 person added to the agenda.")).to_be_visible()
    expect(page.get_by_role("link", name=person.full_name)).to_be_visible()
    pages.check("meeting_agenda")

    # Records the discussion, its decision a task for the council's adult social care.
    page.get_by_role("link", name=person.full_name).click()
    expect(page.get_by_role("heading", name=person.full_name, level=1)).to_be_visible()
    page.get_by_label("Summary of the discussion").fill("Lonely since moving; son visits weekly")
    page.get_by_label("Decisions").fill("Adult social care to assess for support at home")
    page.get_by_label("Task (optional)").fill(DECISION_TASK)
    page.locator("#task_owner").select_option(label=ASC)
    pages.check("agenda_item")
    page.get_by_role("button", name="Save the discussion").click()
    expect(page.get_by_text(f"Task: {DECISION_TASK}")).to_be_visible()
    pages.check("discussed")
    task = Task.objects.get(person=person, description=DECISION_TASK)
    assert task.owner_organisation.name == ASC and task.status == "requested"
    assert AgendaItem.objects.get(meeting=meeting, person=person).discussed_at is not None
    plan = CarePlan.objects.get(person=person)
    from joinedup.care.actions import current_content

    assert any(a["what"] == DECISION_TASK for a in current_content(plan)["actions"])

    # The meeting is days away: it cannot be marked held yet; the minutes are kept.
    expect(page.get_by_label("The meeting has been held")).to_have_count(0)
    expect(page.get_by_text("Once the meeting has started you can mark it as held")).to_be_visible()
    page.get_by_label("Minutes").fill("Apologies: practice pharmacist.")
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_text("Minutes saved. Attendees can read them on this page.")).to_be_visible()
    pages.check("minutes")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.minutes == "Apologies: practice pharmacist."

    # The decision is on the person's care page, sent to adult social care.
    pages.goto(f"/care/people/{person.pk}/")
    row = page.get_by_role("row").filter(has_text=DECISION_TASK)
    expect(row).to_contain_text(ASC)
    expect(row).to_contain_text("Requested")
    pages.check("person_after_mdt")
