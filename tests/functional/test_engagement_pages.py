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
    page.get_by_role("link", name="Citizens' panel").click()
    expect(page.get_by_text("1 member.")).to_be_visible()
    pages.check("panel_representativeness")


def test_an_engagement_officer_runs_assemblies_feedback_and_boards(pages, transactional_db):
    """The demo's engagement, as an officer uses it: the public draw of the current
    assembly, the finished one's report, confirming feedback themes, what people told us,
    the panel survey and a board meeting."""
    from django.core.management import call_command

    from joinedup.core.jinja_env import nhs_date
    from joinedup.engagement.models import Assembly, Feedback, Meeting, Survey
    from joinedup.synth.borough import DEMO_PASSWORD
    from joinedup.synth.engagement import build_engagement, build_panel

    call_command("synth", "--residents", "1000", "--seed", "7")
    build_panel(size=320)
    build_engagement(say=lambda message: None)
    past, current = Assembly.objects.order_by("pk")
    page = pages.sign_in("engagement", DEMO_PASSWORD)
    page.get_by_role("link", name="Engagement", exact=True).click()
    pages.check("engagement_home")

    page.get_by_role("link", name="Citizens' assemblies").click()
    page.get_by_role("link", name=current.name).click()
    pages.check("assembly_pool_and_quotas")
    # The selection is named by the day it was worked out (the day the demo was built).
    run = current.runs.order_by("started_at").last()
    page.get_by_role("link", name=nhs_date(run.started_at)).click()
    expect(page.get_by_text("Least likely person's chance")).to_be_visible()
    pages.check("assembly_selection")
    page.get_by_label("Ticket drawn").fill("1001")
    page.get_by_role("button", name="Invite the people on this ticket").click()
    expect(page.get_by_text("a number from 1 to 1000").first).to_be_visible()
    pages.check("assembly_draw_error")
    page.get_by_label("Ticket drawn").fill("417")
    page.get_by_role("button", name="Invite the people on this ticket").click()
    expect(page.get_by_role("heading", name="Draw ticket 417?")).to_be_visible()
    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    pages.check("assembly_draw_confirm")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(f"{current.size} of {current.size} seats held")).to_be_visible()
    pages.check("assembly_members")

    pages.goto(f"/engage/assemblies/{past.pk}/sessions/1")
    pages.check("assembly_session")
    pages.goto(f"/engage/assemblies/{past.pk}/recommendations/")
    pages.check("assembly_recommendations")
    pages.goto(f"/engage/assemblies/{past.pk}/report")
    expect(page.get_by_text("6 of 7 recommendations were agreed")).to_be_visible()
    pages.check("assembly_report")

    unconfirmed = Feedback.objects.filter(theme=None).order_by("-received_on", "-pk").first()
    pages.goto("/engage/feedback/")
    pages.check("feedback_to_confirm")
    pages.goto(f"/engage/feedback/{unconfirmed.pk}")
    pages.check("feedback_confirm")
    page.get_by_label("Cancer care").check()
    page.get_by_role("button", name="Save and go to the next").click()
    expect(page.get_by_text("Theme recorded: Cancer care")).to_be_visible()
    pages.goto("/engage/what-people-told-us")
    expect(page.get_by_text("we spoke to", exact=False)).to_be_visible()
    pages.check("what_people_told_us")
    pages.goto(f"/engage/surveys/{Survey.objects.get().pk}")
    expect(page.get_by_text("Margin of error (95%)").first).to_be_visible()
    pages.check("panel_survey_results")
    meeting = Meeting.objects.order_by("-held_on").first()
    pages.goto(f"/engage/boards/{meeting.board_id}/")
    pages.check("board")
    pages.goto(f"/engage/boards/{meeting.board_id}/meetings/{meeting.pk}")
    pages.check("board_meeting")
    pages.goto("/engage/events/")
    pages.check("events")


def test_a_resident_gives_feedback_and_answers_an_invitation(pages, transactional_db):
    page = pages.goto("/engage/feedback/give")
    pages.check("give_feedback")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    pages.check("give_feedback_errors")
    page.get_by_label("Your comments").fill("The walk-in centre was quick.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
