"""The social worker's job (login ``socialworker``, council adult social care): the
coordinator has referred someone to the council; the social worker finds the referral in
the inbox, accepts it, opens the person (access follows the accepted work: before
accepting, the record is closed to them), sees the patient banner with how to reach them,
completes the referral with an outcome the coordinator reads, and sees it leave their
open work — and, with it, their access to the record."""

import pytest
from playwright.sync_api import expect

from joinedup.care import actions
from joinedup.care.models import CarePlan, Task, TaskKind, TaskStatus
from joinedup.core.models import Membership
from joinedup.people.access import access_basis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERRAL = "Support at home after a fall: Care Act assessment"
OUTCOME = "Assessed at home: a carer twice a day from Monday, and a key safe fitted"


def _the_referral_to_social_care():
    """As the demo's coordinator would: a person with a plan, whom the council's adult
    social care has no open work with, referred to it."""
    social = Membership.objects.select_related("organisation", "user").get(
        user__username="socialworker"
    )
    coordinator = Membership.objects.select_related("organisation", "user").get(
        user__username="coordinator", role="care_coordinator"
    )
    open_with_social = Task.objects.filter(
        owner_organisation=social.organisation,
        status__in=[TaskStatus.REQUESTED, TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS],
    ).values("person_id")
    person = next(
        plan.person
        for plan in CarePlan.objects.select_related("person").order_by("pk")
        if access_basis(social, plan.person_id) is None
        and plan.person_id not in set(open_with_social.values_list("person_id", flat=True))
    )
    actions.create_task(
        by=coordinator.user,
        membership=coordinator,
        person=person,
        kind=TaskKind.REFERRAL,
        description=REFERRAL,
        detail="Fell twice this month; lives alone; daughter visits at weekends.",
        owner_organisation=social.organisation,
    )
    return social, coordinator, person


def test_social_worker(demo, pages):
    built = demo()
    social, coordinator, person = _the_referral_to_social_care()
    page = pages.sign_in("socialworker", built.password)
    pages.check("home")

    # The referral waits in the council's inbox.
    page.get_by_role("link", name="Inbox").first.click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=REFERRAL)
    expect(row).to_contain_text(person.full_name)
    expect(row).to_contain_text(coordinator.organisation.name)
    pages.check("inbox")

    # Before accepting, the record is closed; the page says what accepting brings.
    row.get_by_role("link", name=f"Referral: {REFERRAL}").click()
    expect(page.get_by_role("heading", name=REFERRAL)).to_be_visible()
    expect(page.get_by_text("Accepting this referral brings your organisation")).to_be_visible()
    expect(page.get_by_role("link", name=person.full_name)).to_have_count(0)
    pages.check("referral_received")
    task_url = page.url
    response = page.goto(pages.base_url + f"/care/people/{person.pk}/")
    assert response.status == 403, "the record is open before the referral is accepted"
    page.goto(task_url)

    # Accepts it: told so, and now the person's name opens their record.
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Referral · Accepted")).to_be_visible()
    pages.check("referral_accepted")

    page.get_by_role("link", name=person.full_name).first.click()
    expect(page.get_by_role("heading", name=f"Care of {person.full_name}")).to_be_visible()
    banner = page.get_by_role("region", name=f"About {person.full_name}")
    expect(banner).to_contain_text(person.nhs_number_display)
    if person.phone:
        expect(banner).to_contain_text(person.phone)
    expect(banner).to_contain_text("Communication")
    tasks = page.get_by_role("table", name="Tasks and referrals for this person")
    expect(tasks.get_by_role("row").filter(has_text=REFERRAL)).to_contain_text("Accepted")
    pages.check("person")
    page.get_by_role("link", name="Personalised care and support plan").click()
    expect(page.get_by_role("heading", name="Personalised care and support plan")).to_be_visible()
    pages.check("plan")

    # Completes it with an outcome: an outcome is needed, and the requester sees it.
    page.goto(task_url)
    page.get_by_label("Completed").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    pages.check("complete_needs_outcome")
    page.get_by_label("Completed").check()
    page.get_by_label("Outcome (needed to complete").fill(OUTCOME)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Referral · Completed")).to_be_visible()
    expect(page.get_by_text(OUTCOME)).to_be_visible()
    pages.check("referral_completed")

    # It has left the open work in the inbox, and with it the access it gave.
    page.get_by_role("link", name="Inbox").first.click()
    expect(page.get_by_role("link", name=f"Referral: {REFERRAL}")).to_have_count(0)
    pages.check("inbox_after")
    response = page.goto(pages.base_url + f"/care/people/{person.pk}/")
    assert response.status == 403, "the record stays open after the referral is finished"
    page.get_by_role("button", name="Sign out").click()

    # The coordinator reads the outcome among what they asked of others.
    page = pages.sign_in("coordinator", built.password)
    page.get_by_role("link", name="Inbox").first.click()
    sent = page.get_by_role("table", name="What you asked of others, and what happened")
    expect(sent.get_by_role("row").filter(has_text=REFERRAL)).to_contain_text(OUTCOME)
    pages.check("coordinator_reads_outcome")
