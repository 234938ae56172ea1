"""A citizens' assembly from set-up to its members: the pool (panel and invitation
replies), quotas, LEXIMIN chances, the draw (seed or public ticket), invitations,
drop-outs and replacements that keep the quotas and households."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from joinedup.core.models import AuditEvent, Role
from joinedup.engagement import actions
from joinedup.engagement.models import HELD, Respondent, RunStatus, SeatStatus, SelectionRun
from joinedup.engagement.views import assembly as assembly_views

HEADER = "id,given_name,family_name,email,phone,address,postcode,age_band,sex,ethnic_group,disability,carer,lgbt\n"  # noqa: E501


def replies(n: int, *, start: int = 1, shared_address_every: int = 0) -> str:
    """``n`` replies alternating sex and age, in the two LSOAs of the test world."""
    rows = []
    for i in range(start, start + n):
        home = i - 1 if shared_address_every and i % shared_address_every == 0 else i
        rows.append(
            f"r{i},Given{i},Family{i},p{i}@example.org,,{home} High Street,"
            f"{'JU1 1AA' if home % 3 else 'JU2 2BB'},{'25-34' if i % 2 else '65-74'},"
            f"{'female' if i % 4 < 2 else 'male'},white,no,no,no"
        )
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture
def officer(world, client):
    user = world.user(Role.ENGAGEMENT_OFFICER, world.practice_a)
    client.force_login(user)
    return user


@pytest.fixture
def inline(monkeypatch):
    """Run selections in the request, not in a thread (the test database is per
    connection)."""
    monkeypatch.setattr(
        assembly_views, "launch", lambda run_id, by=None: actions.run_selection(run_id)
    )


def make_assembly(client, size=6, categories=("age_band", "sex")) -> int:
    answer = client.post(
        reverse("engagement:assemblies"),
        {
            "name": "Ageing well",
            "question": "How should we help people age well?",
            "size": str(size),
            "categories": list(categories),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return int(re.search(r"/assemblies/(\d+)/", answer["Location"])[1])


def upload(client, pk, text, name="replies.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("engagement:assembly", args=[pk]),
        {"do": "replies", "replies": SimpleUploadedFile(name, text.encode(), "text/csv")},
    )


def quotas(client, pk, values: dict[tuple[str, str], tuple[int, int]]):
    from joinedup.engagement.models import Quota

    form = {"do": "quotas"}
    for q in Quota.objects.filter(assembly=pk):
        low, high = values.get((q.category, q.value), (0, 0))
        form[f"low-{q.pk}"], form[f"high-{q.pk}"] = str(low), str(high)
    return client.post(reverse("engagement:assembly", args=[pk]), form)


def test_from_pool_to_members_with_a_replacement(
    world, client, officer, inline, django_capture_on_commit_callbacks
):  # noqa: E501
    pk = make_assembly(client)
    assert upload(client, pk, replies(24, shared_address_every=6)).status_code == 302
    assert Respondent.objects.filter(assembly=pk).count() == 24
    assert Respondent.objects.filter(assembly=pk, household="5 high street ju1 1aa").count() == 2
    assert (
        client.post(reverse("engagement:assembly", args=[pk]), {"do": "suggest"}).status_code == 302
    )
    answer = quotas(
        client,
        pk,
        {("age_band", "25-34"): (3, 3), ("age_band", "65-74"): (3, 3),
         ("sex", "female"): (3, 3), ("sex", "male"): (3, 3), ("sex", "not_said"): (0, 6)},
    )  # fmt: skip
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "Quotas saved. Next, work out everyone&#39;s chances." in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("engagement:assembly", args=[pk]), {"do": "select", "algorithm": "leximin"}
        )
    assert answer.status_code == 302
    run = SelectionRun.objects.get(assembly=pk)
    assert run.status == RunStatus.DONE, run.error
    # Everyone can be chosen; LEXIMIN makes the least likely as likely as it can be.
    assert min(run.probabilities.values()) > 0
    assert sum(run.probabilities.values()) == pytest.approx(6, abs=1e-4)
    assert len(run.tickets) == actions.selection.LOTTERY_TICKETS
    page = client.get(answer["Location"]).content.decode()
    assert "Least likely person&#39;s chance" in page and "The legacy method" in page
    assert "Within a tenth of an equal share" in page
    table = client.get(answer["Location"] + "?format=csv").content.decode().splitlines()
    assert table[0] == "respondent,age_band,sex,probability,lottery_share" and len(table) == 25

    # The draw from a recorded seed is reproducible, and invites the six chosen; it asks
    # first, since it cannot be undone, and nothing happens until it is confirmed.
    selection = answer["Location"]
    ask = client.post(selection, {"how": "seed", "seed": "2027"})
    assert ask.status_code == 200
    page = ask.content.decode()
    ticket = 1 + int(__import__("numpy").random.default_rng(2027).integers(0, 1000))
    assert f"The seed 2027 gives ticket {ticket}" in page
    assert "The 6 people on ticket" in page and "This cannot be undone" in page
    assert f'href="{selection}"' in page  # go back
    assert not mail.outbox and not Respondent.objects.filter(status=SeatStatus.SELECTED)
    assert not AuditEvent.objects.filter(action="engagement.assembly.select.draw").exists()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(selection, {"how": "seed", "seed": "2027", "confirm": "yes"})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("engagement:members", args=[pk])
    page = client.get(answer["Location"]).content.decode()
    assert f"Ticket {ticket} drawn: 6 people chosen and 6 emailed an invitation" in page
    assert "record each person&#39;s answer" in page
    run.refresh_from_db()
    assert run.seed == 2027 and run.ticket_drawn == 1 + int(
        __import__("numpy").random.default_rng(2027).integers(0, 1000)
    )
    chosen = Respondent.objects.filter(assembly=pk, status=SeatStatus.SELECTED)
    assert sorted(chosen.values_list("pk", flat=True)) == run.tickets[run.ticket_drawn - 1]
    assert len(mail.outbox) == 6
    households = [r.household for r in chosen]
    assert len(set(households)) == 6  # at most one per address

    # One accepts from the link, one declines; an officer records a third dropping out.
    links = [re.search(r"(/engage/invitation/\S+)", m.body)[1] for m in mail.outbox]
    client.logout()
    assert client.post(links[0], {}).status_code == 400  # no answer chosen: nothing changes
    assert "Thank you" in client.post(links[0], {"answer": "yes"}).content.decode()
    client.post(links[1], {"answer": "no"})
    assert client.get(links[1]).status_code == 404  # used up
    client.force_login(officer)
    members_url = reverse("engagement:members", args=[pk])
    for r in Respondent.objects.filter(assembly=pk, status=SeatStatus.SELECTED)[:1]:
        client.post(members_url, {"respondent": r.pk, "status": "confirmed"})
        page = client.get(members_url).content.decode()
        assert f"{r.name} confirmed. Next, record the answers of the other 3 people still to " in (
            page
        )
        assert "to reply, then choose a replacement for the 1 seat given up." in page
        client.post(members_url, {"respondent": r.pk, "status": "withdrawn"})
        page = client.get(members_url).content.decode()
        assert f"{r.name} dropped out. Next, record the answers of the other 3 people" in page
        assert "then choose replacements for the 2 seats given up." in page
        assert "Choose replacements for the 2 seats given up</a>" in page
    held = Respondent.objects.filter(assembly=pk, status__in=HELD)
    assert held.count() == 4

    # Replacements keep the quotas, and no one from a household that holds a seat.
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("engagement:assembly", args=[pk]), {"do": "select"})
    again = SelectionRun.objects.filter(assembly=pk, replacement=True).get()
    assert again.status == RunStatus.DONE and again.seats == 2
    # The figures are about the people who can take a seat given up (whose groups the
    # drop-outs leave short); those who cannot are counted.
    assert again.summary["minimum"] > 0 and "cannot" in again.summary
    taken = {r.household for r in held}
    assert not Respondent.objects.filter(
        pk__in=[int(i) for i in again.probabilities], household__in=taken
    ).exists()
    ask = client.post(answer["Location"], {"how": "ticket", "ticket": "17"})
    assert "The 2 people on ticket 17 will be chosen" in ask.content.decode()
    client.post(answer["Location"], {"how": "ticket", "ticket": "17", "confirm": "yes"})
    members = Respondent.objects.filter(assembly=pk, status__in=HELD)
    assert members.count() == 6
    for category, value in (("age_band", "25-34"), ("sex", "female")):
        assert sum(1 for m in members if m.profile[category] == value) == 3
    assert len({m.household for m in members}) == 6
    page = client.get(reverse("engagement:members", args=[pk])).content.decode()
    assert "6 of 6 seats held" in page and "(replacement)" in page
    assert AuditEvent.objects.filter(action="engagement.assembly.select.draw").count() == 2


def test_bad_replies_are_named_by_row_and_nothing_is_added(world, client, officer):
    pk = make_assembly(client)
    bad = replies(3) + (
        "r1,Again,Person,a@example.org,,1 Road,JU1 1AA,25-34,female,white,no,no,no\n"
        "r9,No,Where,x@example.org,,2 Road,ZZ9 9ZZ,25-34,female,white,no,no,no\n"
        "r10,Old,Person,y@example.org,,3 Road,JU1 1AA,ancient,female,white,no,no,no\n"
        "r11,,Person,,,,JU1 1AA,25-34,female,white,no,no,no\n"
    )
    page = upload(client, pk, bad).content.decode()
    assert "row 5: id r1 is already in the pool" in page
    assert "row 6: postcode &#39;ZZ9 9ZZ&#39; is not in the borough" in page
    assert "row 7: age_band &#39;ancient&#39; is not one of" in page
    assert "row 8: a first and last name are needed; no way to contact them" in page
    assert not Respondent.objects.exists()
    page = upload(client, pk, "id,name\n1,x\n").content.decode()
    assert "no column for given_name" in page
    answer = upload(client, pk, "id,given_name\n\xe9".encode("latin-1").decode("latin-1"))
    assert answer.status_code == 400
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(
        reverse("engagement:assembly", args=[pk]),
        {"do": "replies", "replies": SimpleUploadedFile("r.csv", b"id\n\xe9\n", "text/csv")},
    )
    assert "not UTF-8 text (byte 3)" in answer.content.decode()


def test_quotas_that_cannot_add_up_are_explained(
    world, client, officer, inline, django_capture_on_commit_callbacks
):  # noqa: E501
    pk = make_assembly(client, size=6, categories=("sex", "age_band"))
    upload(client, pk, replies(12))
    client.post(reverse("engagement:assembly", args=[pk]), {"do": "suggest"})
    page = quotas(client, pk, {("sex", "female"): (1, 2), ("sex", "male"): (1, 2)}).content.decode()
    assert "Sex: the maximums add up to 4, fewer than the 6 members" in page
    assert "Age: no quotas" not in page  # left at 0–0, so it says they add up to 0
    assert "Age: the maximums add up to 0" in page
    page = quotas(client, pk, {("sex", "female"): (4, 3), ("sex", "male"): (1, 6),
                               ("age_band", "25-34"): (0, 6)}).content.decode()  # fmt: skip
    assert "Sex Female: the minimum (4) is more than the maximum (3)" in page
    # Adds up, but the pool cannot meet it: the run fails with what conflicts and a way out.
    # Six women and six people aged 25-34, but only three of the women are 25-34.
    quotas(client, pk, {("sex", "female"): (6, 6), ("sex", "male"): (0, 6),
                        ("age_band", "25-34"): (6, 6), ("age_band", "65-74"): (0, 6)})  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("engagement:assembly", args=[pk]), {"do": "select"})
    run = SelectionRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("The quotas cannot all be met")
    assert "this relaxation works" in run.error
    assert "could not be made" in client.get(answer["Location"]).content.decode()


def test_only_engagement_officers_reach_assemblies(world, client):
    client.force_login(world.user(Role.GP, world.practice_a))
    assert client.get(reverse("engagement:assemblies")).status_code == 403
    client.logout()
    assert client.get(reverse("engagement:assemblies")).status_code == 302  # to sign in


def seated_assembly(officer, size=6) -> int:
    """An assembly whose members have been drawn and have all confirmed."""
    assembly = actions.create_assembly(
        by=officer, name="Ageing well", question="How?", size=size, categories=["sex"]
    )
    actions.add_replies(by=officer, assembly=assembly, text=replies(3 * size))
    actions.suggest_quotas(by=officer, assembly=assembly)
    run = actions.start_selection(by=officer, assembly=assembly)
    actions.run_selection(run.pk)
    run.refresh_from_db()
    actions.draw_panel(by=officer, run=run, seed=1, link_base="http://x/")
    for member in Respondent.objects.filter(assembly=assembly, status=SeatStatus.SELECTED):
        actions.record_answer(by=officer, respondent=member, status=SeatStatus.CONFIRMED)
    return assembly.pk


def test_running_the_assembly_to_its_report(world, client, officer):
    pk = seated_assembly(officer)
    members = list(Respondent.objects.filter(assembly=pk, status=SeatStatus.CONFIRMED))
    sessions = reverse("engagement:sessions", args=[pk])
    answer = client.post(sessions, {"title": "", "held_on-day": "31", "held_on-month": "2",
                                    "held_on-year": "2027"})  # fmt: skip
    page = answer.content.decode()
    assert answer.status_code == 400 and "Enter a title" in page and "must be a real date" in page
    answer = client.post(sessions, {"title": "Hearing the evidence", "held_on-day": "6",
                                    "held_on-month": "3", "held_on-year": "2027",
                                    "place": "Town hall"})  # fmt: skip
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "Session 1 added. Next, add its speakers and questions, and who came." in page
    session = reverse("engagement:session", args=[pk, 1])
    client.post(session, {"do": "speaker", "name": "Dr Amara Osei", "role": "GP",
                          "organisation": world.practice_a.pk, "topic": "Frailty"})  # fmt: skip
    client.post(session, {"do": "question", "question": "<b>Why</b> wait so long?",
                          "answer": "Too few staff.", "asked_by": "Group A"})  # fmt: skip
    client.post(session, {"do": "attendance", "present": [m.pk for m in members[:5]]})
    page = client.get(session).content.decode()
    assert "Dr Amara Osei" in page and "&lt;b&gt;Why&lt;/b&gt;" in page
    assert page.count("checked") == 5

    recommendations = reverse("engagement:recommendations", args=[pk])
    assert client.post(recommendations, {"do": "groups", "count": "99"}).status_code == 400
    client.post(recommendations, {"do": "groups", "count": "2"})
    groups = list(Respondent.objects.get(pk=members[0].pk).groups.all())
    assert len(groups) == 1
    from joinedup.engagement.models import AssemblyGroup

    assert sorted(g.members.count() for g in AssemblyGroup.objects.filter(assembly=pk)) == [3, 3]
    answer = client.post(recommendations, {"do": "add", "title": "Home visits",
                                           "text": "Every frail person gets a home visit.",
                                           "group": groups[0].pk})  # fmt: skip
    assert answer.status_code == 302
    client.post(recommendations, {"do": "add", "title": "Parking", "text": "Free parking."})
    first = reverse("engagement:recommendation", args=[pk, 1])
    second = reverse("engagement:recommendation", args=[pk, 2])
    assert (
        "Record the members"
        in client.post(first, {"do": "decide", "status": "agreed"}).content.decode()
    )  # noqa: E501
    support = ["strongly", "support", "support", "live_with", "oppose", ""]
    client.post(
        first, {"do": "votes", **{f"vote-{m.pk}": s for m, s in zip(members, support, strict=True)}}
    )
    assert client.post(first, {"do": "votes", "vote-999999": "support"}).status_code == 400
    client.post(first, {"do": "decide", "status": "agreed"})
    answer = client.post(recommendations, {"do": "finish"})
    assert "Every recommendation must be agreed or not agreed" in answer.content.decode()
    client.post(second, {"do": "votes", **{f"vote-{m.pk}": "oppose" for m in members}})
    client.post(second, {"do": "decide", "status": "not_agreed"})
    assert client.post(recommendations, {"do": "finish"}).status_code == 302

    page = client.get(reverse("engagement:report", args=[pk])).content.decode()
    assert "1 of 2 recommendations was agreed" in page
    assert "5 voted: support 60%, can at least live with it 80%, oppose 20%" in page
    assert "attendance 83%" in page and "1 from 1 partner organisation" in page
    assert "Finished" in page and "ticket" in page
    document = client.get(reverse("engagement:report-pdf", args=[pk]))
    assert document["Content-Type"] == "application/pdf" and document.content[:5] == b"%PDF-"


def test_leaving_the_panel_erases_the_assembly_copies_and_gives_up_the_seat(world, client, officer):
    from joinedup.engagement.models import PanelMember
    from tests.integration.engagement.test_panel import GOOD

    client.post(reverse("engagement:join"), GOOD)
    member = PanelMember.objects.get()
    assembly = actions.create_assembly(
        by=officer, name="A", question="Q?", size=5, categories=["sex"]
    )
    actions.add_pool_from_panel(by=officer, assembly=assembly)
    copy = Respondent.objects.get(panel_member=member)
    assert copy.email == "ada@example.org"
    Respondent.objects.filter(pk=copy.pk).update(status=SeatStatus.CONFIRMED)
    actions.leave_panel(member=member)
    copy.refresh_from_db()
    assert (copy.given_name, copy.email, copy.status) == ("", "", SeatStatus.WITHDRAWN)


def test_the_draw_asks_before_it_invites_and_can_be_left(
    world, client, officer, inline, django_capture_on_commit_callbacks
):
    pk = make_assembly(client, size=5)
    upload(client, pk, replies(20))
    client.post(reverse("engagement:assembly", args=[pk]), {"do": "suggest"})
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("engagement:assembly", args=[pk]), {"do": "select"})
    selection = answer["Location"]

    # A ticket out of range is an error on the form, before any question.
    wrong = client.post(selection, {"how": "ticket", "ticket": "1001"})
    assert wrong.status_code == 400
    assert "a number from 1 to 1000" in wrong.content.decode()

    # Asked, the officer can go back: nothing has changed, and the page offers the draw.
    ask = client.post(selection, {"how": "ticket", "ticket": "417"}).content.decode()
    assert "The 5 people on ticket 417 will be chosen" in ask
    assert "Confirm" in ask and "Go back" in ask
    page = client.get(selection).content.decode()
    assert "Draw the members" in page and "Ticket 417 was drawn" not in page
    assert not Respondent.objects.filter(assembly=pk).exclude(status=SeatStatus.POOL).exists()

    # With no seed, one is chosen when asking, and the confirmed draw uses that one.
    ask = client.post(selection, {"how": "seed", "seed": ""}).content.decode()
    seed = int(re.search(r'name="seed" value="(\d+)"', ask)[1])
    ticket = 1 + int(__import__("numpy").random.default_rng(seed).integers(0, 1000))
    assert f"gives ticket {ticket}" in ask
    client.post(selection, {"how": "seed", "seed": str(seed), "confirm": "yes"})
    run = SelectionRun.objects.get(assembly=pk)
    assert (run.seed, run.ticket_drawn) == (seed, ticket)

    # Confirming twice (a second tab, say) draws nothing more.
    again = client.post(selection, {"how": "ticket", "ticket": "3", "confirm": "yes"})
    assert again.status_code == 400 and f"Ticket {ticket} has already been drawn" in (
        again.content.decode()
    )
    assert client.post(selection, {"how": "ticket", "ticket": "3"}).status_code == 400


def test_a_selection_being_worked_out_shows_its_progress_without_refreshing(
    world, client, officer, monkeypatch, django_capture_on_commit_callbacks
):
    started = []
    monkeypatch.setattr(
        assembly_views, "launch", lambda run_id, by=None: started.append(run_id)
    )  # still running
    pk = make_assembly(client, size=5)
    upload(client, pk, replies(20))
    client.post(reverse("engagement:assembly", args=[pk]), {"do": "suggest"})
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("engagement:assembly", args=[pk]), {"do": "select"})
    selection = answer["Location"]
    page = client.get(selection).content.decode()
    assert 'http-equiv="refresh"' not in page  # no page that reloads under the reader
    assert "Working out everyone's chances for 5 seats among 20 people" in page
    assert f'href="{selection}" data-progress-link>Check progress</a>' in page
    assert "selection-progress.js" in page
    assert client.get(selection + "?format=status").json() == {"status": "running"}

    actions.run_selection(started[0])
    progress = client.get(selection + "?format=status").json()
    assert progress["status"] == "done" and "The results are ready" in progress["message"]
    page = client.get(selection).content.decode()
    assert "Check progress" not in page and "Least likely person" in page
