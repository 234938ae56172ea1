"""One person's care across organisations, each signing in to do their part: their GP
flags them for the MDT; the care coordinator assesses them and plans with them (a goal
and a befriending action); the MDT agrees what to do; the coordinator refers them, from
the plan's action, to a voluntary organisation's befriending service; its link worker
accepts, sees what is needed, records how the person feels at the end (ONS4) and
completes the referral; the coordinator sees how it went on the plan's action and writes
to the person; the person, in the portal, sees it on their plan and replies; the
coordinator reads the reply.

The person is the demo resident with a portal account who is registered at the GP's
practice."""

import re

import pytest
from playwright.sync_api import expect

from joinedup.care import actions
from joinedup.care.models import CaseloadEntry, Meeting
from joinedup.core.models import Membership
from joinedup.directory import queries
from joinedup.directory.search import Criteria, search
from joinedup.portal.models import ResidentAccount

from .test_resident import portal_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOAL = "I want to get out of the house and see people twice a week"
ACTION = "Befriending: a weekly visit and company to go out"
DECISION = "Refer to a befriending service; social care to review support at home"
OUTCOME = "Weekly visits from a befriender since March; goes to the lunch club with her"
NOTE = "We have found you a befriender: they will visit every week."
REPLY = "Thank you, Jean's visits are the best part of my week."


def _the_person():
    """The demo resident with a portal account registered at gp.a's practice, before
    anyone flagged them for the MDT (the demo flags some people; this journey starts
    before that)."""
    gp = Membership.objects.select_related("organisation").get(
        user__username="gp.a", organisation__type="gp_practice"
    )
    account = ResidentAccount.objects.select_related("person").get(
        person__registered_practice=gp.organisation, email__startswith="resident"
    )
    entry = CaseloadEntry.objects.get(person=account.person)
    if entry.flagged_for_mdt:
        coordinator = Membership.objects.get(user__username="coordinator")
        actions.flag_for_mdt(
            by=coordinator.user, membership=coordinator, entry=entry, flagged=False
        )
    return account, account.person, gp


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_one_person_s_care_across_organisations(demo, pages):
    built = demo()
    account, person, gp = _the_person()
    navigator = Membership.objects.select_related("organisation").get(user__username="navigator")
    coming = Meeting.objects.filter(
        status="scheduled", items__person=person, title__endswith="MDT"
    ).get()

    # 1. The GP finds their patient, opens their care page and flags them for the MDT.
    page = pages.sign_in("gp.a", built.password)
    if page.get_by_role("heading", name="Choose your organisation").count():
        page.get_by_label(f"{gp.organisation.name} – GP").check()
        page.get_by_role("button", name="Continue").click()
    pages.check("gp_home")
    page.get_by_role("link", name="Find a person").first.click()
    page.get_by_label("NHS number or name").fill(person.family_name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile(re.escape(person.full_name), re.I)).first.click()
    expect(page.get_by_role("heading", name=person.full_name, level=1)).to_be_visible()
    pages.check("gp_summary")
    page.get_by_role("link", name="Care team, stage and tasks").click()
    expect(page.get_by_role("region", name=f"About {person.full_name}")).to_be_visible()
    page.get_by_role("button", name="Flag for MDT discussion").click()
    expect(page.get_by_text("Flagged for MDT discussion").first).to_be_visible()
    pages.check("gp_flagged")
    _sign_out(page)

    # 2. The coordinator assesses them (what has changed: loneliness) and plans with them.
    page = pages.sign_in("coordinator", built.password)
    pages.goto(f"/care/people/{person.pk}/")
    page.get_by_role("link", name="Holistic assessments").click()
    page.get_by_role("button", name="Start an assessment").click()
    expect(page.get_by_role("heading", name="Holistic assessment")).to_be_visible()
    page.get_by_role("link", name="Go through loneliness and social contact").click()
    page.get_by_label("Often or always").check()
    page.get_by_label("Who do you see or talk to in a usual week?").fill(
        "Only the carers in the morning since her friend moved away"
    )
    page.get_by_role("button", name="Save").click()
    pages.check("coordinator_assessment")
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_text("Assessment complete.")).to_be_visible()
    pages.check("coordinator_assessment_complete")
    page.get_by_role(
        "link", name=f"Add goals and actions for these to {person.given_name}'s plan"
    ).click()
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("The goal, in the person's own words").fill(GOAL)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"“{GOAL}”").first).to_be_visible()
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("What will be done").fill(ACTION)
    page.get_by_label("An organisation").check()
    page.get_by_label("Name of the person, team or organisation").fill("A befriending service")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("row").filter(has_text=ACTION)).to_contain_text("To do")
    pages.check("coordinator_planned")

    # 3. At the coming MDT, the team discusses them and decides.
    page.get_by_role("link", name="MDT meetings").first.click()
    page.get_by_role("link", name=coming.title).first.click()
    expect(page.get_by_role("link", name=person.full_name)).to_be_visible()
    pages.check("mdt_meeting")
    page.get_by_role("link", name=person.full_name).click()
    page.get_by_label("Summary of the discussion").fill(
        "Lonely since her friend moved away; mood low at times. Keen on company."
    )
    page.get_by_label("Decisions").fill(DECISION)
    page.get_by_role("button", name="Save the discussion").click()
    expect(page.get_by_text(f"Discussion of {person.full_name} saved.")).to_be_visible()
    expect(page.get_by_role("heading", name=coming.title)).to_be_visible()
    pages.check("mdt_decided")

    # 4. The coordinator refers them from the plan's action to a befriending service of
    # a voluntary organisation.
    pages.goto(f"/care/people/{person.pk}/plan/")
    row = page.get_by_role("row").filter(has_text=ACTION)
    row.get_by_role("link", name=re.compile("^Find a service")).click()
    expect(page.get_by_text(f"“{ACTION}”")).to_be_visible()
    pages.check("find_a_service")
    action = next(a for a in queries.plan_actions(person) if a["what"] == ACTION)
    found = search(
        Criteria(needs=queries.needs_for_action(action), postcode=person.postcode)
    ).results
    service = next(
        r.service for r in found if r.service.organisation.partner_id == navigator.organisation_id
    )
    page.get_by_role("link", name=service.name, exact=True).first.click()
    expect(page.get_by_role("heading", name=service.name, level=1)).to_be_visible()
    pages.check("service")
    page.get_by_role("link", name=f"Refer {person.full_name} to this service").click()
    page.get_by_label("Why you are referring them").fill(
        "Lonely since her friend moved away; would like a weekly visit. MDT agreed."
    )
    page.get_by_label("They agreed when we spoke").check()
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Referral sent to the inbox of")).to_be_visible()
    pages.check("referral_sent")
    _sign_out(page)

    # 5. The link worker accepts it, sees what is needed, records the outcome.
    page = pages.sign_in("navigator", built.password)
    page.get_by_role("link", name="Inbox").first.click()
    page.get_by_role("link", name=f"Referral: Referral to {service.name}").first.click()
    pages.check("navigator_referral")
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Referral · Accepted")).to_be_visible()
    expect(
        page.get_by_text(f"For this action in {person.given_name}'s plan: “{ACTION}”")
    ).to_be_visible()
    pages.check("navigator_accepted")
    received = page.url
    page.get_by_role("link", name=person.full_name).first.click()
    banner = page.get_by_role("region", name=f"About {person.full_name}")
    expect(banner).to_contain_text(person.phone)
    pages.check("navigator_person")
    page.get_by_role("link", name="Personalised care and support plan", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=ACTION)).to_contain_text(
        f"Referred to {service.name}"
    )
    pages.check("navigator_plan")
    page.goto(received)
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Record how they feel at the end").click()
    page.get_by_label("How satisfied are you with your life nowadays?").fill("7")
    page.get_by_label(re.compile("the things you do in your life are worthwhile")).fill("7")
    page.get_by_label("How happy did you feel yesterday?").fill("8")
    page.get_by_label("How anxious did you feel yesterday?").fill("2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Wellbeing at the end recorded")).to_be_visible()
    page.get_by_label("Completed").check()
    page.get_by_label("Outcome (needed to complete").fill(OUTCOME)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Referral · Completed")).to_be_visible()
    pages.check("navigator_completed")
    _sign_out(page)

    # 6. The coordinator sees how it went on the plan's action, and tells the person.
    page = pages.sign_in("coordinator", built.password)
    pages.goto(f"/care/people/{person.pk}/plan/")
    row = page.get_by_role("row").filter(has_text=ACTION)
    expect(row).to_contain_text(f"Referred to {service.name}")
    expect(row).to_contain_text(OUTCOME)
    pages.check("coordinator_sees_outcome")
    pages.goto(f"/care/people/{person.pk}/messages")
    page.get_by_label(f"Reply to {person.given_name}").fill(NOTE)
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent.", exact=False)).to_be_visible()
    pages.check("coordinator_writes")
    _sign_out(page)

    # 7. The person sees it on their plan and in their messages, and replies.
    page = portal_sign_in(pages, account.email, built.password)
    page.get_by_role("link", name="My care and support plan").click()
    row = page.get_by_role("row").filter(has_text=ACTION)
    expect(row).to_contain_text(service.name)
    expect(row).to_contain_text(OUTCOME)
    pages.check("resident_plan")
    pages.goto("/portal/")
    page.get_by_role("link", name="Messages with my care team").click()
    expect(page.get_by_text(NOTE)).to_be_visible()
    page.get_by_label("Your message").fill(REPLY)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Sent. Your care team will see your message")).to_be_visible()
    pages.check("resident_replied")
    page.get_by_role("button", name="Sign out").click()

    # 8. The coordinator reads the reply.
    page = pages.sign_in("coordinator", built.password)
    page.get_by_role("link", name="Inbox").first.click()
    page.get_by_role("link", name=f"Messages from {person.full_name}").click()
    expect(page.get_by_text(REPLY)).to_be_visible()
    pages.check("coordinator_reads_reply")
