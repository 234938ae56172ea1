"""Panel surveys: written, sent with single-use links, answered, and weighted to the
population with margins of error."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from joinedup.core.models import Role
from joinedup.engagement.models import PanelMember, SurveyAnswer
from tests.integration.engagement.test_panel import GOOD

QUESTIONS = "Is it easy to get a GP appointment?\nYes\nNo\n\nWould you use video calls?\nYes\nNo\nNot sure\n"  # noqa: E501


def test_a_survey_from_writing_to_weighted_results(
    world, client, django_capture_on_commit_callbacks
):
    # The population: three women to one man; the panel: one woman, three men.
    for _ in range(3):
        world.person(sex="female")
    world.person(sex="male")
    for n, sex in enumerate(("female", "male", "male", "male")):
        client.post(reverse("engagement:join"), {**GOOD, "email": f"m{n}@example.org", "sex": sex})
    client.post(reverse("engagement:join"), {**GOOD, "email": "", "contact_by": "post",
                                             "address": "1 Road"})  # fmt: skip
    mail.outbox.clear()
    officer = world.user(Role.ENGAGEMENT_OFFICER, world.practice_a)
    client.force_login(officer)
    url = reverse("engagement:surveys")
    page = client.post(url, {"title": "Access", "questions": "Only a question\n", "days": "200"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Question 1 needs at least two answers" in text and "from 1 to 90" in text
    answer = client.post(url, {"title": "Access", "questions": QUESTIONS, "days": "14"})
    survey_url = answer["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(survey_url)
    assert answer.status_code == 302 and len(mail.outbox) == 4  # the post member is not emailed
    page = client.get(survey_url).content.decode()
    assert "Survey sent: emailed to 4 members. 1 member asked for post or phone: send them" in page
    assert "Answers appear here as they come in, until it closes on" in page
    assert client.post(survey_url).status_code == 400  # sent once only
    links = [re.search(r"(/engage/survey/\S+)", m.body)[1] for m in mail.outbox]
    client.logout()
    page = client.post(links[0], {"q1": "0"})
    assert page.status_code == 400 and "Answer question 2" in page.content.decode()
    assert not SurveyAnswer.objects.exists()  # nothing half-kept
    # The woman says yes; the three men say no.
    for message, link in zip(mail.outbox, links, strict=True):
        member = PanelMember.objects.get(email=message.to[0])
        client.post(link, {"q1": "0" if member.sex == "female" else "1", "q2": "2"})
    assert "already answered" in client.get(links[0]).content.decode()
    assert client.get("/engage/survey/nonsense").status_code == 404

    client.force_login(officer)
    page = client.get(survey_url).content.decode()
    assert "4 of 4 invited members answered (100%)" in page
    # Unweighted 25% yes; weighted to 75% women it is 75% yes.
    rows = re.findall(
        r"<td[^>]*>(Yes|No)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)%</td>\s*<td[^>]*>(\d+)%</td>",
        page,
    )  # noqa: E501
    assert rows[:2] == [("Yes", "1", "25", "75"), ("No", "3", "75", "25")]
    assert "Margin of error" in page and "±" in page


def test_surveys_are_for_engagement_officers(world, client):
    client.force_login(world.user(Role.GP, world.practice_a))
    assert client.get(reverse("engagement:surveys")).status_code == 403


@pytest.mark.parametrize("questions", ["Q?\nA\nA\n", "\n\n"])
def test_bad_questions_are_explained(world, client, questions):
    client.force_login(world.user(Role.ENGAGEMENT_OFFICER, world.practice_a))
    page = client.post(reverse("engagement:surveys"), {"title": "T", "questions": questions})
    assert page.status_code == 400
    assert (
        "the same answer twice" in page.content.decode()
        or "at least one question" in page.content.decode()
    )  # noqa: E501
