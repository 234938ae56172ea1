"""Events, written feedback with suggested themes that a person confirms, redaction before
anything is quoted, the "what people told us" report, and partnership boards whose
decisions answer recommendations and themes ("you said, we did")."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from joinedup.core.models import AuditEvent, Role
from joinedup.engagement import actions
from joinedup.engagement.models import (
    Decision,
    EngagementEvent,
    Feedback,
    Recommendation,
    Theme,
)


@pytest.fixture
def officer(world, client):
    user = world.user(Role.ENGAGEMENT_OFFICER, world.practice_a)
    client.force_login(user)
    return user


def day(d):
    return {"held_on-day": str(d.day), "held_on-month": str(d.month), "held_on-year": str(d.year)}


def test_events_are_recorded_and_bad_ones_explained(world, client, officer):
    today = timezone.localdate()
    url = reverse("engagement:events")
    answer = client.post(
        url, {"title": "Listening event", "people": "-3", **day(today + timedelta(days=2))}
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "Enter who ran it" in page and "today or in the past" in page and "whole number" in page
    assert not EngagementEvent.objects.exists()
    answer = client.post(url, {"title": "Listening event", "organiser": "Healthwatch",
                               "people": "23", "place": "Library", **day(today)})  # fmt: skip
    assert answer.status_code == 302
    assert "Listening event" in client.get(url).content.decode()


def test_a_comment_gets_a_suggestion_a_person_confirms_and_redacts(world, client, officer):
    url = reverse("engagement:feedback")
    answer = client.post(url, {"do": "add", "channel": "email", "consent_to_publish": "yes",
                               "text": "I waited nine hours in A&E with chest pain. Call me on "
                                       "07700 900123."})  # fmt: skip
    assert answer.status_code == 302
    comment = Feedback.objects.get()
    assert comment.suggested_theme.slug == "urgent-emergency" and 0 < comment.confidence <= 1
    assert comment.personal_details == ["a phone number"] and comment.theme is None
    item = reverse("engagement:feedback-item", args=[comment.pk])
    page = client.get(item).content.decode()
    assert "It holds personal details" in page and "Suggested" in page
    # It may be quoted, so the redacted text is required, and must itself be clean.
    answer = client.post(item, {"theme": "urgent-emergency"})
    assert answer.status_code == 400 and "enter it with those taken out" in answer.content.decode()
    answer = client.post(item, {"theme": "urgent-emergency",
                                "published_text": "Ring 07700 900123"})  # fmt: skip
    assert "still holds a phone number" in answer.content.decode()
    answer = client.post(
        item,
        {
            "theme": "urgent-emergency",
            "published_text": "I waited nine hours in A&E with chest pain.",
        },
        follow=True,
    )
    # The last one to confirm: the banner says so and leads to what people told us.
    assert answer.redirect_chain[-1][0] == reverse("engagement:told-us")
    page = answer.content.decode()
    assert "Theme recorded: Urgent and emergency care. Every comment has its theme" in page
    comment.refresh_from_db()
    assert comment.theme.slug == "urgent-emergency" and comment.confirmed_by == officer
    assert comment.publishable_text == "I waited nine hours in A&E with chest pain."
    assert AuditEvent.objects.filter(action="engagement.feedback.theme").exists()
    # A correction counts against the suggestion in the agreement figures.
    client.post(url, {"do": "add", "channel": "letter", "text": "The bus to the clinic is slow."})
    client.post(url, {"do": "add", "channel": "letter", "text": "The bus is slow."})
    other, third = Feedback.objects.exclude(pk=comment.pk).order_by("pk")
    answer = client.post(
        reverse("engagement:feedback-item", args=[other.pk]), {"theme": "other"}, follow=True
    )
    # Not the last: on to the next, with how many are left.
    assert answer.redirect_chain[-1][0] == reverse("engagement:feedback-item", args=[third.pk])
    assert "1 comment still to confirm: here is the next." in answer.content.decode()
    from joinedup.engagement.queries import theme_agreement

    agreement = theme_agreement()
    assert agreement["confirmed"] == 2
    assert agreement["agreed"] == 1 + (other.suggested_theme.slug == "other")


def test_custom_themes_and_flags_for_other_languages(world, client, officer):
    url = reverse("engagement:feedback")
    client.post(url, {"do": "theme", "theme_name": "Transport to appointments"})
    assert Theme.objects.filter(slug="transport-to-appointments", long_term_plan=False).exists()
    answer = client.post(url, {"do": "theme", "theme_name": "Transport to Appointments"})
    assert "already a theme" in answer.content.decode()
    client.post(url, {"do": "add", "channel": "online",
                      "text": "Necesito una cita con el médico para mi madre, por favor ayúdenme "
                              "con la traducción"})  # fmt: skip
    comment = Feedback.objects.get()
    assert comment.not_english
    assert "Maybe not English" in client.get(url + "?show=flagged").content.decode()
    client.post(reverse("engagement:feedback-item", args=[comment.pk]),
                {"theme": "transport-to-appointments"})  # fmt: skip
    comment.refresh_from_db()
    assert comment.theme.slug == "transport-to-appointments"


def test_a_file_of_comments_is_all_or_nothing(world, client, officer):
    url = reverse("engagement:feedback")
    future = (timezone.localdate() + timedelta(days=3)).isoformat()

    def upload(text, name="comments.csv"):
        return client.post(
            url, {"do": "upload", "file": SimpleUploadedFile(name, text.encode(), "text/csv")}
        )

    page = upload(
        "text,channel,received_on,age_band\n"
        "Good GP,online,2026-03-01,25-34\n"
        ",online,2026-03-01,\n"
        "Late,pigeon,2026-03-01,\n"
        "Soon,online," + future + ",\n"
        "Old,online,2026-03-01,ancient\n"
    ).content.decode()
    assert "row 3: Enter the comment" in page
    assert "row 4: Choose how it was given" in page
    assert "row 5: received_on is in the future" in page
    assert "row 6: age_band &#39;ancient&#39; is not one of" in page
    assert not Feedback.objects.exists()
    assert "no column for channel" in upload("text\nhello\n").content.decode()
    answer = client.post(
        url, {"do": "upload", "file": SimpleUploadedFile("c.csv", b"text\n\xff\n", "text/csv")}
    )
    assert "not UTF-8 text" in answer.content.decode()
    upload(
        "text,channel,received_on,consent_to_publish\n"
        "My midwife was wonderful,event,2026-03-01,yes\n"
        '=HYPERLINK("http://x"),online,2026-03-02,no\n'
    )
    assert Feedback.objects.count() == 2
    assert Feedback.objects.filter(suggested_theme__slug="maternity-children").exists()


def test_the_public_can_give_feedback_and_hostile_text_is_harmless(world, client):
    url = reverse("engagement:give-feedback")
    answer = client.post(url, {"text": "  "})
    assert answer.status_code == 400 and "Enter the comment" in answer.content.decode()
    answer = client.post(url, {"text": "<script>alert(1)</script> Mental health crisis team "
                                       "never called back", "consent": "yes",
                               "age_band": "old"})  # fmt: skip
    assert answer.status_code == 400 and "age_band" in answer.content.decode()
    assert "<script>alert(1)</script>" not in answer.content.decode()
    answer = client.post(url, {"text": "The crisis team never called back", "consent": "yes",
                               "age_band": "25-34"})  # fmt: skip
    assert "Thank you" in answer.content.decode()
    comment = Feedback.objects.get()
    assert (
        comment.channel == "online" and comment.consent_to_publish and comment.age_band == "25-34"
    )


def test_what_people_told_us_and_you_said_we_did(world, client, officer):
    today = timezone.localdate()
    for n, people in enumerate((18, 30)):
        actions.add_event(by=officer, data={"title": f"Drop-in {n}", "organiser": "Healthwatch",
                                            "people": str(people), **day(today)})  # fmt: skip
    event = EngagementEvent.objects.first()
    quoted = actions.add_feedback(
        by=officer,
        data={
            "text": "Chemo unit staff were kind",
            "channel": "event",
            "consent_to_publish": "yes",
        },
        event=event,
    )
    private = actions.add_feedback(by=officer, data={"text": "Cancer scan results took weeks",
                                                     "channel": "email"})  # fmt: skip
    actions.add_feedback(by=officer, data={"text": "Unconfirmed", "channel": "email"})
    actions.confirm_theme(by=officer, feedback=quoted, theme="cancer")
    actions.confirm_theme(by=officer, feedback=private, theme="cancer")

    # A board decides, in answer to the cancer theme and an agreed recommendation.
    from tests.integration.engagement.test_assembly import seated_assembly

    pk = seated_assembly(officer)
    from joinedup.engagement.models import Assembly

    recommendation = actions.add_recommendation(
        by=officer,
        assembly=Assembly.objects.get(pk=pk),
        data={"title": "Faster scan results", "text": "Within a week."},
    )
    Recommendation.objects.filter(pk=recommendation.pk).update(status="agreed")
    boards = reverse("engagement:boards")
    assert client.post(boards, {"name": "", "kind": "x"}).status_code == 400
    answer = client.post(boards, {"name": "Operational board", "kind": "operational"})
    board_url = answer["Location"]
    client.post(board_url, {"do": "member", "organisation": world.practice_a.pk,
                            "member_name": "Dr Lee", "role": "Clinical lead"})  # fmt: skip
    page = client.get(board_url).content.decode()
    assert "Dr Lee" in page and "partner organisations have no representative" in page
    assert "Operational board added. Next, add its members and its first meeting" in page
    answer = client.post(
        board_url, {"do": "meeting", "agenda": "Welcome\nScan waits\n", **day(today)}
    )
    meeting_url = answer["Location"]
    again = client.post(board_url, {"do": "meeting", **day(today)})
    assert "already has a meeting that day" in again.content.decode()
    client.post(meeting_url, {"do": "item", "title": "Assembly recommendation 1",
                              "recommendation": recommendation.pk})  # fmt: skip
    client.post(meeting_url, {"do": "minutes", "minutes": "Agreed to fund a scan navigator."})
    answer = client.post(meeting_url, {"do": "decision", "text": "Fund a scan navigator",
                                       "owner": world.practice_a.pk, "themes": ["cancer"],
                                       "recommendations": [recommendation.pk]})  # fmt: skip
    assert answer.status_code == 302
    assert (
        "Decision recorded. Next, record its progress" in client.get(meeting_url).content.decode()
    )
    decision = Decision.objects.get()
    assert answer.status_code == 302
    client.post(meeting_url, {"do": "progress", "decision": decision.pk, "status": "in_progress",
                              "progress": "Navigator starts in May"})  # fmt: skip
    assert (
        client.post(meeting_url, {"do": "decision", "text": "x", "themes": ["nope"]}).status_code
        == 400
    )  # noqa: E501
    page = client.get(meeting_url).content.decode()
    assert "Scan waits" in page and "Answers recommendation 1" in page

    page = client.get(reverse("engagement:told-us")).content.decode()
    assert "we spoke to 48 people at 2 events (run by Healthwatch)" in page
    assert "received 3 written comments" in page and "1 comment still needs its theme" in page
    assert "Cancer care: 2 comments (100%)" in page
    assert "Chemo unit staff were kind" in page
    assert "Cancer scan results took weeks" not in page  # no consent to quote
    assert "Fund a scan navigator" in page and "in progress" in page
    assert "Faster scan results" in page and "Navigator starts in May" in page
    assert "Engagement" in client.get(reverse("engagement:home")).content.decode()


def test_only_engagement_officers_reach_the_log_and_boards(world, client):
    client.force_login(world.user(Role.GP, world.practice_a))
    for name in ("home", "events", "feedback", "told-us", "boards"):
        assert client.get(reverse(f"engagement:{name}")).status_code == 403, name


def test_the_demo_borough_has_all_of_engagement(db, client):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from joinedup.engagement.models import (
        Assembly,
        Board,
        RunStatus,
        SurveyInvitation,
    )
    from joinedup.synth.engagement import build_engagement, build_panel

    call_command("synth", "--residents", "1000", "--seed", "7")
    assert build_panel(size=320) == 320
    figures = build_engagement(say=lambda message: None)
    past, current = Assembly.objects.order_by("pk")
    assert past.finished_at and past.recommendations.filter(status="agreed").count() == 6
    assert past.respondents.filter(status="confirmed").count() == past.size
    assert past.sessions.count() == 5 and past.groups.count() == 5
    run = current.runs.get()
    assert run.status == RunStatus.DONE and run.ticket_drawn is None  # waiting for the draw
    assert run.summary["minimum"] > 0
    assert EngagementEvent.objects.count() == 40 and Feedback.objects.count() >= 500
    confirmed = Feedback.objects.exclude(theme=None).count()
    assert 0.65 < confirmed / Feedback.objects.count() < 0.85
    assert Board.objects.count() == 2 and Decision.objects.count() == 12
    assert SurveyInvitation.objects.exclude(answered_at=None).count() == figures["survey answers"]
    assert build_engagement(say=lambda message: None) == {}  # once only
    client.force_login(get_user_model().objects.get(username="engagement"))
    page = client.get(reverse("engagement:told-us")).content.decode()
    assert "we spoke to" in page and "You said, we did" in page
    report = client.get(reverse("engagement:report", args=[past.pk])).content.decode()
    assert "6 of 7 recommendations were agreed" in report
