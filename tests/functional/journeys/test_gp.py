"""The GP's job (login ``gp.a``, a GP at the demo's first practice): finds one of the
practice's patients by surname, opens their summary and their care page (the patient
banner on top), flags them for discussion at the next MDT meeting, asks community nursing
(another organisation) to do something for them, and reads the inbox, where what the
practice sent shows with its progress."""

import re

import pytest
from playwright.sync_api import expect

from joinedup.care import actions
from joinedup.care.models import CaseloadEntry, Stage, Task
from joinedup.core.models import Membership, OrganisationType
from joinedup.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMUNITY = "Joinedup Community Health NHS Trust"


def _a_patient_of_the_practice(practice):
    """Someone on the caseload, registered at the GP's practice, whose name no other patient
    of the practice shares (so the right one is clicked). At 1,000 residents the practice
    has two people on the caseload, both flagged by the demo's coordinator: the one who is
    not flagged afterwards (as when a meeting has discussed them) is the GP's to flag."""
    entries = (
        CaseloadEntry.objects.filter(person__registered_practice=practice)
        .exclude(stage=Stage.CLOSED)
        .select_related("person")
        .order_by("flagged_for_mdt", "-priority")
    )
    for entry in entries:
        person = entry.person
        if Person.objects.filter(
            registered_practice=practice,
            family_name__iexact=person.family_name,
            given_name=person.given_name,
        ).exclude(pk=person.pk):
            continue
        if entry.flagged_for_mdt:
            coordinator = Membership.objects.get(user__username="coordinator")
            actions.flag_for_mdt(
                by=coordinator.user, membership=coordinator, entry=entry, flagged=False
            )
        return person
    raise AssertionError("the demo has no patient of the practice on the caseload")


def test_gp(demo, pages):
    built = demo()
    practice = Membership.objects.get(
        user__username="gp.a", organisation__type=OrganisationType.GP_PRACTICE
    ).organisation
    person = _a_patient_of_the_practice(practice)

    page = pages.sign_in("gp.a", built.password)
    pages.check("home")
    # gp.a also works for the GP federation: they work as the practice's GP today.
    if practice.name not in page.locator("header").inner_text():
        page.get_by_role("link", name=re.compile("Change organisation")).first.click()
        page.get_by_label(re.compile(f"^{re.escape(practice.name)}")).check()
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("header")).to_contain_text(practice.name)

    # Find a person by surname.
    page.get_by_role("link", name="Find a person").first.click()
    expect(page.get_by_role("heading", name="Find a person")).to_be_visible()
    page.get_by_label("NHS number or name").fill(person.family_name)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile("found"))).to_be_visible()
    pages.check("search_by_surname")
    page.get_by_role("link", name=person.full_name).first.click()

    # Their summary, then their care page, each with the patient banner.
    expect(page.get_by_role("heading", name=person.full_name, level=1)).to_be_visible()
    expect(page.get_by_role("region", name=f"About {person.full_name}")).to_be_visible()
    pages.check("summary")
    page.get_by_role("link", name="Care team, stage and tasks").click()
    expect(page.get_by_role("heading", name=f"Care of {person.full_name}")).to_be_visible()
    expect(page.get_by_role("region", name=f"About {person.full_name}")).to_be_visible()
    pages.check("care_page")

    # Flags them for MDT discussion.
    page.get_by_role("button", name="Flag for MDT discussion").click()
    expect(
        page.get_by_text(f"{person.full_name} is flagged for the next MDT meeting")
    ).to_be_visible()
    expect(page.get_by_text("Flagged for MDT discussion.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove from MDT discussion")).to_be_visible()
    pages.check("flagged_for_mdt")
    assert CaseloadEntry.objects.get(person=person).flagged_for_mdt

    # Asks community nursing to do something.
    page.get_by_role("link", name="Ask another organisation to do something").click()
    expect(
        page.get_by_role("heading", name="Ask another organisation to do something")
    ).to_be_visible()
    expect(page.get_by_role("region", name=f"About {person.full_name}")).to_be_visible()
    pages.check("task_form")
    page.get_by_label("What needs doing").fill("Check her leg ulcer dressing at home")
    page.get_by_label("More detail (optional)").fill("Dressing changed at the practice on Monday")
    page.locator("#owner_organisation").select_option(label=COMMUNITY)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Sent: it is in their inbox")).to_be_visible()
    tasks = page.get_by_role("table", name="Tasks and referrals for this person")
    row = tasks.get_by_role("row").filter(has_text="Check her leg ulcer dressing at home")
    expect(row).to_contain_text(COMMUNITY)
    expect(row).to_contain_text("Requested")
    pages.check("task_sent")
    task = Task.objects.get(person=person, description="Check her leg ulcer dressing at home")
    assert task.owner_organisation.name == COMMUNITY
    assert task.requester_organisation_id == practice.pk

    # Reads the inbox: what waits for them and their practice, and what the practice sent.
    page.get_by_role("link", name="Inbox").first.click()
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    sent = page.get_by_role("table", name=re.compile("What you asked of others"))
    expect(
        sent.get_by_role("link", name="Task: Check her leg ulcer dressing at home")
    ).to_be_visible()
    pages.check("inbox")
    sent.get_by_role("link", name="Task: Check her leg ulcer dressing at home").click()
    expect(page.get_by_text("Dressing changed at the practice on Monday")).to_be_visible()
    pages.check("task")
