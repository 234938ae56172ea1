"""The voluntary-sector worker's job (login ``volunteer``): the coordinator has asked the
volunteer's organisation for befriending visits for someone; the volunteer accepts the
task from the inbox and opens the person — their name, phone and communication needs,
but not the sensitive parts of the record (the person has not agreed to share them with
the voluntary sector), and none of the controls that run the person's care — finishes
the task with a note, and can no longer open the record: access follows the work and
ends with it."""

import pytest
from playwright.sync_api import expect

from joinedup.care import actions
from joinedup.care.models import CarePlan
from joinedup.core.models import Membership
from joinedup.people.access import access_basis
from joinedup.people.actions import update_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASK = "Befriending: a weekly visit and a lift to the Thursday lunch club"
NOTE = "Matched with Jean, a befriender who lives nearby; first visit Tuesday at 2"


def _the_befriending_task():
    """As the demo's coordinator would: a person with a plan who has not agreed to share
    the sensitive parts of their record with the voluntary sector, and whom the volunteer
    cannot open yet, asked of the volunteer's organisation. Their practice has recorded
    that they need large print."""
    volunteer = Membership.objects.select_related("organisation", "user").get(
        user__username="volunteer"
    )
    coordinator = Membership.objects.select_related("organisation", "user").get(
        user__username="coordinator", role="care_coordinator"
    )
    person = next(
        plan.person
        for plan in CarePlan.objects.select_related("person").order_by("pk")
        if not plan.person.sensitive_sharing_consent
        and plan.person.phone
        and access_basis(volunteer, plan.person_id) is None
    )
    person = update_person(
        by=None,
        organisation=person.registered_practice,
        person=person,
        communication_needs=["large_print"],
    )
    actions.create_task(
        by=coordinator.user,
        membership=coordinator,
        person=person,
        description=TASK,
        detail="Lives alone since her husband died; would like company.",
        owner_organisation=volunteer.organisation,
    )
    return volunteer, person


def test_volunteer(demo, pages):
    built = demo()
    volunteer, person = _the_befriending_task()
    page = pages.sign_in("volunteer", built.password)
    pages.check("home")

    # The task waits in the organisation's inbox.
    page.get_by_role("link", name="Inbox").first.click()
    row = page.get_by_role("row").filter(has_text=TASK)
    expect(row).to_contain_text(person.full_name)
    pages.check("inbox")
    row.get_by_role("link", name=f"Task: {TASK}").click()
    expect(page.get_by_role("heading", name=TASK)).to_be_visible()
    expect(page.get_by_text("Accepting this task lets you see")).to_be_visible()
    pages.check("task_received")
    task_url = page.url

    # Accepts it; the person's name now opens their record.
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Task · Accepted")).to_be_visible()
    pages.check("task_accepted")
    page.get_by_role("link", name=person.full_name).first.click()
    expect(page.get_by_role("heading", name=f"Care of {person.full_name}")).to_be_visible()

    # Who they are and how to reach them.
    banner = page.get_by_role("region", name=f"About {person.full_name}")
    expect(banner).to_contain_text(person.full_name)
    expect(banner).to_contain_text(person.phone)
    expect(banner).to_contain_text("Large print")
    # Nothing that runs the person's care: those are for the care team's professionals.
    main = page.get_by_role("main")
    for control in ("Change stage", "Save offer", "Flag for MDT discussion"):
        expect(main.get_by_role("button", name=control)).to_have_count(0)
    expect(main.get_by_role("button", name="Remove")).to_have_count(0)
    expect(main.get_by_role("button", name="Remove from MDT discussion")).to_have_count(0)
    expect(main.get_by_role("link", name="Add someone to the care team")).to_have_count(0)
    expect(
        main.get_by_role("link", name="Record what the person told you about sharing")
    ).to_have_count(0)
    pages.check("person")

    # The plan: what matters to them and what is planned.
    page.get_by_role("link", name="Personalised care and support plan", exact=True).click()
    expect(page.get_by_role("heading", name="Personalised care and support plan")).to_be_visible()
    pages.check("plan")

    # The assessment: the sensitive parts are withheld, said so in words.
    pages.goto(f"/care/people/{person.pk}/")
    page.get_by_role("link", name="Holistic assessments").click()
    pages.check("assessments")
    page.get_by_role("table").get_by_role("link").first.click()
    withheld = "Withheld: this part is sensitive and the person has not consented"
    for section in ("Mental and emotional wellbeing", "Feeling safe"):
        heading = page.get_by_role("heading", name=section)
        expect(heading).to_be_visible()
        expect(heading.locator("xpath=following-sibling::*[1]")).to_contain_text(withheld)
    expect(page.get_by_text("How has your mood been")).to_have_count(0)
    expect(page.get_by_text("Do you feel safe where you live?")).to_have_count(0)
    pages.check("assessment_withheld")

    # Finishes the task with a note for the coordinator.
    page.goto(task_url)
    page.get_by_label("Completed").check()
    page.get_by_label("Outcome (needed to complete").fill(NOTE)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Task · Completed")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_be_visible()
    # The work is over, and with it the access it gave: the name no longer opens anything.
    expect(page.get_by_role("link", name=person.full_name)).to_have_count(0)
    pages.check("task_finished")
    page.get_by_role("link", name="Inbox").first.click()
    expect(page.get_by_role("link", name=f"Task: {TASK}")).to_have_count(0)
    pages.check("inbox_after")
    response = page.goto(pages.base_url + f"/care/people/{person.pk}/")
    assert response.status == 403, "the record stays open after the task is finished"
    pages.check("person_refused")
    assert access_basis(volunteer, person.pk) is None
