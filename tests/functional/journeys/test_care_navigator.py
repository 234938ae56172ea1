"""The care navigator's job (login ``navigator``, a voluntary organisation's link worker):
a coordinator has referred someone to one of the navigator's organisation's services; the
navigator accepts it from the inbox, opens the person, makes contact, finds another service
for them by need and postcode and refers them to it from the service's page, follows that
referral on the person's plan, and records the outcome of their own work with the four
ONS4 wellbeing scores."""

import re

import pytest
from playwright.sync_api import expect

from joinedup.care.models import CarePlan
from joinedup.core.models import Membership
from joinedup.directory import actions as directory
from joinedup.directory import queries
from joinedup.directory.models import Service
from joinedup.directory.search import Criteria, search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN_ACTION = "Find a befriending or lunch club near home"


def _the_referral_to_the_navigator():
    """As the demo's coordinator would have: a person with a plan, referred from its
    "befriending" action to the navigator's organisation's befriending or lunch club."""
    navigator = Membership.objects.select_related("organisation").get(user__username="navigator")
    coordinator = Membership.objects.select_related("organisation", "user").get(
        user__username="coordinator", role="care_coordinator"
    )
    service = (
        Service.objects.filter(organisation__partner=navigator.organisation)
        .filter(name__regex=r"^(Befriending|Lunch club)")
        .order_by("name")
        .first()
    )
    plan = CarePlan.objects.select_related("person").order_by("pk").first()
    person = plan.person
    action = next(a for a in queries.plan_actions(person) if a["what"] == PLAN_ACTION)
    directory.refer(
        by=coordinator.user, membership=coordinator, person=person, service=service,
        reason="Lives alone and would like company", consent="spoken",
        before={"satisfied": 4, "worthwhile": 5, "happy": 3, "anxious": 7},
        plan_action=action["id"],
    )  # fmt: skip
    return navigator, person, service


def test_care_navigator(demo, pages):
    built = demo()
    navigator, person, service = _the_referral_to_the_navigator()
    page = pages.sign_in("navigator", built.password)
    pages.check("home")

    # The referral is in the organisation's inbox; the navigator accepts it.
    page.get_by_role("link", name="Inbox").first.click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    pages.check("inbox")
    page.get_by_role("link", name=f"Referral: Referral to {service.name}").first.click()
    expect(page.get_by_role("heading", name=f"Referral to {service.name}")).to_be_visible()
    expect(page.get_by_text("Accepting this referral brings your organisation")).to_be_visible()
    pages.check("referral_received")
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Referral · Accepted")).to_be_visible()
    pages.check("referral_accepted")

    # Now they may open the person's record (the lead is fixing access after accepting: if
    # this is refused, the referral's acceptance does not yet reach the person's page).
    page.get_by_role("link", name=person.full_name).first.click()
    expect(page.get_by_role("heading", name=f"Care of {person.full_name}")).to_be_visible()
    pages.check("person")
    page.go_back()

    # Makes contact.
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Referral · In progress")).to_be_visible()
    pages.check("in_touch")
    received = page.url

    # Finds another service by need and postcode: money advice near the person's home.
    expected = next(
        r.service
        for r in search(Criteria(needs=["money"], postcode=person.postcode)).results
        if r.service.organisation.partner_id
        and r.service.organisation.partner_id != navigator.organisation_id
    )
    page.get_by_role("link", name="Services").first.click()
    page.get_by_label("Postcode").fill(person.postcode)
    page.get_by_text("Filter by need, time, age and cost").click()
    page.get_by_label("Money and benefits").check()
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile(r"services? found"))).to_be_visible()
    expect(page.get_by_text(f"from {person.postcode}").first).to_be_visible()
    pages.check("search_by_need_and_postcode")
    page.get_by_role("link", name=expected.name, exact=True).first.click()
    expect(page.get_by_role("heading", name=expected.name, level=1)).to_be_visible()
    pages.check("service")

    # Refers the person to it from the service's page.
    page.get_by_role("link", name="Refer someone to this service").click()
    expect(page.get_by_role("heading", name="Who are you referring?")).to_be_visible()
    pages.check("refer_who")
    page.get_by_label("Name or NHS number").fill(person.family_name)
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=f"Refer {person.full_name}").first.click()
    expect(
        page.get_by_role("heading", name=f"Refer {person.full_name} to {expected.name}")
    ).to_be_visible()
    inbox_of = expected.organisation.partner.name
    expect(page.get_by_text(f"This referral goes to the inbox of {inbox_of}")).to_be_visible()
    pages.check("refer_form")
    page.get_by_label("Why you are referring them").fill(
        "Struggling with bills since a bereavement"
    )
    page.get_by_label("They agreed when we spoke").check()
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text(f"Referral sent to the inbox of {inbox_of}")).to_be_visible()
    pages.check("referral_sent")

    # Sees its progress: in the inbox's "sent" list.
    page.get_by_role("link", name="Inbox").first.click()
    sent = page.get_by_role("table", name=re.compile("What you asked of others"))
    expect(sent.get_by_role("link", name=f"Referral: Referral to {expected.name}")).to_be_visible()
    expect(sent.get_by_text("Requested").first).to_be_visible()
    pages.check("sent_progress")
    # And on the person's plan, the referral the coordinator made from its action.
    pages.goto(f"/care/people/{person.pk}/plan/")
    row = page.get_by_role("row").filter(has_text=PLAN_ACTION)
    expect(row).to_contain_text(f"Referred to {service.name}")
    expect(row).to_contain_text(f"Accepted by {navigator.organisation.name}")
    pages.check("plan_with_referral")
    # "Find a service" from that action searches for what it is about, from their postcode.
    row.get_by_role("link", name=re.compile("^Find a service")).click()
    expect(page.get_by_text(f"“{PLAN_ACTION}”")).to_be_visible()
    expect(page.get_by_text("help with loneliness and social contact")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile(r"^[1-9][\d,]* services? found"))
    ).to_be_visible()
    expect(page.get_by_text(f"from {person.postcode}").first).to_be_visible()
    pages.check("find_a_service_from_the_plan")

    # Records the outcome of the referral they received, with the four wellbeing scores.
    page.goto(received)
    page.get_by_role("link", name="Record how they feel at the end").click()
    pages.check("outcome_form")
    page.get_by_label("How satisfied are you with your life nowadays?").fill("7")
    page.get_by_label("How happy did you feel yesterday?").fill("eleven")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_text("Enter how happy they felt yesterday")).to_be_visible()
    expect(summary.get_by_text("Enter how anxious they felt yesterday")).to_be_visible()
    pages.check("outcome_errors")
    page.get_by_label("How satisfied are you with your life nowadays?").fill("7")
    page.get_by_label(re.compile("the things you do in your life are worthwhile")).fill("7")
    page.get_by_label("How happy did you feel yesterday?").fill("6")
    page.get_by_label("How anxious did you feel yesterday?").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Wellbeing at the end recorded")).to_be_visible()
    page.get_by_label("Completed").check()
    page.get_by_label("Outcome (needed to complete").fill("Goes to the lunch club every Thursday")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Referral · Completed")).to_be_visible()
    pages.check("referral_finished")
