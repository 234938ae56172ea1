"""The engagement officer's whole job on the demo borough, through the pages: how
representative the panel is; a survey sent, answered and read; everyone's chances for
the current assembly worked out and its members drawn in public (asked first); a member
who says no and their replacement; the finished assembly's report; feedback themes
confirmed; what people told us; and a board meeting with a decision. axe-core checks
every step. Nothing here depends on today's date: dates come from the demo's own data."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from joinedup.engagement import actions
from joinedup.engagement.models import Assembly, Board, Respondent, SeatStatus, SelectionRun
from joinedup.engagement.views import assembly as assembly_views

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTIONS = (
    "Have you used the walk-in centre this year?\nYes\nNo\n\nWas it easy to reach?\nYes\nNo\n"
)


class Selections:
    """Selections the pages start are held 'being worked out' until the test works them
    out (in place of views.assembly.launch's thread), and the page's progress checks are
    answered 'still running' until then, so the in-progress page can be seen and no
    request reaches the server while the work runs."""

    def __init__(self, page):
        self.started: list[int] = []
        self.finished = False
        page.route(re.compile(r"format=status$"), self._progress)

    def _progress(self, route):
        if self.finished:
            route.continue_()
        else:
            route.fulfill(json={"status": "running"})

    def work_out(self) -> SelectionRun:
        run = actions.run_selection(self.started[-1])
        self.finished = True
        return run

    def next(self) -> None:
        self.finished = False


def test_an_engagement_officer_does_the_whole_job(demo, pages, monkeypatch):
    borough = demo(engagement=True, care=False, directory=False, portal=False)
    past, current = Assembly.objects.order_by("pk")
    page = pages.sign_in("engagement", borough.password)
    selections = Selections(page)
    monkeypatch.setattr(
        assembly_views, "launch", lambda run_id, by=None: selections.started.append(run_id)
    )

    page.get_by_role("link", name="Engagement", exact=True).click()
    expect(page.get_by_role("heading", name="Engagement", exact=True)).to_be_visible()
    pages.check("engagement_home")

    # How representative the panel is.
    page.get_by_role("link", name="Citizens' panel").click()
    expect(page.get_by_text("How the panel compares with the borough's residents")).to_be_visible()
    expect(page.get_by_role("table", name="Age: panel and population")).to_be_visible()
    pages.check("panel_representativeness")

    # A survey: written, sent, answered by a member from the emailed link, and read.
    page.get_by_role("link", name="Engagement", exact=True).click()
    page.get_by_role("link", name="Panel surveys").click()
    page.get_by_label("Title").fill("The walk-in centre")
    page.get_by_label("Questions").fill(QUESTIONS)
    page.get_by_role("button", name="Write the survey").click()
    expect(page.get_by_text("Survey written. Check it, then send it to the panel.")).to_be_visible()
    pages.check("survey_written")
    mail.outbox.clear()
    page.get_by_role("button", name="Send it to the panel").click()
    expect(
        page.get_by_text(f"Survey sent: emailed to {len(mail.outbox):,} members")
    ).to_be_visible()
    expect(page.get_by_text(f"0 of {len(mail.outbox):,} invited members answered")).to_be_visible()
    pages.check("survey_sent")
    survey_page = page.url
    link = re.search(r"(/engage/survey/\S+)", mail.outbox[0].body)[1]
    pages.goto(link)
    pages.check("survey_answer")
    page.get_by_role("group", name="1. Have you used").get_by_label("Yes").check()
    page.get_by_role("group", name="2. Was it easy").get_by_label("No").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.goto(survey_page)
    expect(page.get_by_text(f"1 of {len(mail.outbox):,} invited members answered")).to_be_visible()
    pages.check("survey_results")
    page.get_by_role("link", name="Engagement", exact=True).click()
    page.get_by_role("link", name="Panel surveys").click()
    page.get_by_role("link", name="Getting a GP appointment").click()
    expect(page.get_by_text("Margin of error (95%)").first).to_be_visible()
    pages.check("demo_survey_results")

    # The current assembly: quotas checked and saved, then everyone's chances worked out.
    page.get_by_role("link", name="Engagement", exact=True).click()
    page.get_by_role("link", name="Citizens' assemblies").click()
    page.get_by_role("link", name=current.name).click()
    page.get_by_role("button", name="Save the quotas").click()
    expect(page.get_by_text("Quotas saved. Next, work out everyone's chances.")).to_be_visible()
    pages.check("assembly_quotas_saved")
    page.get_by_role("button", name="Work out everyone's chances").click()
    status = page.locator("[role=status]")
    expect(status).to_contain_text(f"Working out everyone's chances for {current.size} seats")
    expect(page.get_by_role("link", name="Check progress")).to_be_visible()
    pages.check("selection_in_progress")
    run = selections.work_out()
    # The page says so by itself (the script), and its link leads to the results.
    expect(status).to_contain_text("The results are ready", timeout=20_000)
    page.get_by_role("link", name="See the results").click()
    expect(page.get_by_text("Least likely person's chance")).to_be_visible()
    pages.check("selection_results")

    # The draw in public: a wrong number; then the right one, asked first, gone back
    # from, and confirmed.
    tickets = len(run.tickets)
    page.get_by_label("Ticket drawn").fill(str(tickets + 1))
    page.get_by_role("button", name="Invite the people on this ticket").click()
    expect(page.get_by_text(f"a number from 1 to {tickets}").first).to_be_visible()
    pages.check("draw_wrong_ticket")
    page.get_by_label("Ticket drawn").fill("417")
    page.get_by_role("button", name="Invite the people on this ticket").click()
    expect(page.get_by_role("heading", name="Draw ticket 417?")).to_be_visible()
    expect(page.get_by_text(f"The {current.size} people on ticket 417 will be")).to_be_visible()
    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    pages.check("draw_confirm")
    page.get_by_role("link", name="Go back").click()
    expect(page.get_by_role("heading", name="Draw the members")).to_be_visible()
    assert not Respondent.objects.filter(assembly=current).exclude(status=SeatStatus.POOL)
    mail.outbox.clear()
    page.get_by_label("Ticket drawn").fill("417")
    page.get_by_role("button", name="Invite the people on this ticket").click()
    page.get_by_role("button", name="Confirm").click()
    expect(
        page.get_by_text(
            f"Ticket 417 drawn: {current.size} people chosen and {current.size} emailed an "
            "invitation. Next, record each person's answer"
        )
    ).to_be_visible()
    assert len(mail.outbox) == current.size

    # The members; one says no by phone, and a replacement is chosen.
    expect(
        page.get_by_text(f"{current.size} of {current.size} seats held; 0 confirmed")
    ).to_be_visible()
    pages.check("members")
    first = (
        Respondent.objects.filter(assembly=current, status=SeatStatus.SELECTED)
        .order_by("family_name", "given_name")
        .first()
    )
    page.get_by_role("button", name=f"Declined for {first.name}").click()
    expect(
        page.get_by_text(
            f"{first.name} declined. Next, record the answers of the other "
            f"{current.size - 1} people still to reply, then choose a replacement for the 1 seat "
            "given up."
        )
    ).to_be_visible()
    pages.check("member_declined")
    page.get_by_role("link", name="Choose a replacement for the 1 seat given up").click()
    selections.next()
    page.get_by_role("button", name="Choose replacements").click()
    expect(page.locator("[role=status]")).to_contain_text(
        "Working out everyone's chances for 1 seat "
    )
    pages.check("replacement_in_progress")
    selections.work_out()
    # Without the script's help: the link checks by hand.
    page.get_by_role("link", name="Check progress").click()
    expect(page.get_by_role("heading", name="Replacements: LEXIMIN")).to_be_visible()
    pages.check("replacement_results")
    page.get_by_role("button", name="Draw from the seed and invite").click()
    expect(page.get_by_text(re.compile(r"The seed \d+ gives ticket \d+\."))).to_be_visible()
    expect(page.get_by_text("The 1 person on ticket")).to_be_visible()
    pages.check("replacement_draw_confirm")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("1 person chosen and 1 emailed an invitation")).to_be_visible()
    expect(page.get_by_text(f"{current.size} of {current.size} seats held")).to_be_visible()
    expect(page.get_by_text("(replacement)")).to_be_visible()
    pages.check("members_with_replacement")

    # The finished assembly's report.
    page.get_by_role("link", name="Engagement", exact=True).click()
    page.get_by_role("link", name="Citizens' assemblies").click()
    page.get_by_role("link", name=past.name).click()
    page.get_by_role("navigation", name="Assembly").get_by_role("link", name="Report").click()
    expect(page.get_by_text("6 of 7 recommendations were agreed")).to_be_visible()
    pages.check("assembly_report")

    # Feedback: the themes the model suggests, confirmed or corrected.
    page.get_by_role("link", name="Engagement", exact=True).click()
    page.get_by_role("link", name="Feedback and themes").click()
    pages.check("feedback_to_confirm")
    page.get_by_role("link", name=re.compile("Confirm or correct")).first.click()
    expect(page.get_by_role("heading", name="Confirm the theme")).to_be_visible()
    pages.check("feedback_confirm")
    page.get_by_label("Cancer care").check()
    if page.get_by_label("The comment as it may be quoted").count():
        page.get_by_label("The comment as it may be quoted").fill("A comment, details taken out.")
    page.get_by_role("button", name="Save and go to the next").click()
    expect(
        page.get_by_text(
            re.compile(
                r"Theme recorded: Cancer care\. [\d,]+ comments still to confirm: "
                r"here is the next\."
            )
        )
    ).to_be_visible()
    pages.check("feedback_next")

    # What people told us.
    page.get_by_role("link", name="Engagement", exact=True).click()
    page.get_by_role("link", name="What people told us").click()
    expect(page.get_by_text("we spoke to", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name="You said, we did")).to_be_visible()
    pages.check("what_people_told_us")

    # A board meeting, two weeks after the board's last, with a decision.
    board = Board.objects.get(name="Local care partnership strategic board")
    held = board.meetings.order_by("-held_on").first().held_on + timedelta(days=14)
    page.get_by_role("link", name="Engagement", exact=True).click()
    page.get_by_role("link", name="Partnership boards").click()
    page.get_by_role("link", name=board.name).click()
    pages.check("board")
    page.get_by_label("Day").fill(str(held.day))
    page.get_by_label("Month").fill(str(held.month))
    page.get_by_label("Year").fill(str(held.year))
    page.get_by_label("Agenda").fill("Welcome\nWhat residents told us about cancer care")
    page.get_by_role("button", name="Add the meeting").click()
    expect(
        page.get_by_text("added. Next, its agenda, then the minutes and decisions.")
    ).to_be_visible()
    pages.check("meeting_added")
    page.get_by_label("What was decided").fill("Fund a cancer care navigator for a year")
    page.get_by_role("group", name="And these feedback themes").get_by_label("Cancer care").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded. Next, record its progress")).to_be_visible()
    expect(page.get_by_text("Fund a cancer care navigator for a year")).to_be_visible()
    pages.check("meeting_decision")
