"""Surveys of the citizens' panel: writing one, sending it (a single-use link each), and
members answering it."""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.forms import error_messages
from joinedup.core.mail import Mail, send_after_commit
from joinedup.core.tokens import digest as _digest

from ..models import (
    PanelMember,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
)

MAX_QUESTIONS = 20
MAX_OPTIONS = 10


def parse_questions(text: str) -> list[tuple[str, list[str]]]:
    """Questions written as blocks separated by a blank line: the first line of a block is
    the question, each further line an answer to choose from."""
    blocks, current = [], []
    for line in str(text or "").replace("\r\n", "\n").split("\n"):
        line = " ".join(line.split())
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    problems = []
    if not blocks:
        problems.append("Enter at least one question with its answers")
    if len(blocks) > MAX_QUESTIONS:
        problems.append(f"A survey can have up to {MAX_QUESTIONS} questions")
    for number, block in enumerate(blocks, start=1):
        if len(block) < 3:
            problems.append(f"Question {number} needs at least two answers, one a line")
        elif len(block) > MAX_OPTIONS + 1:
            problems.append(f"Question {number} has more than {MAX_OPTIONS} answers")
        elif len(set(block[1:])) != len(block) - 1:
            problems.append(f"Question {number} lists the same answer twice")
        if any(len(line) > 500 for line in block):
            problems.append(f"Question {number}: each line must be 500 characters or fewer")
    if problems:
        raise ValidationError({"questions": "; ".join(problems)})
    return [(block[0], block[1:]) for block in blocks]


@transaction.atomic
def create_survey(*, by, data) -> Survey:
    errors = {}
    title = " ".join(str(data.get("title", "")).split())
    if not title:
        errors["title"] = "Enter the survey's title"
    elif len(title) > 200:
        errors["title"] = "The title must be 200 characters or fewer"
    try:
        days = int(str(data.get("days", "14")).strip())
        if not 1 <= days <= 90:
            raise ValueError
    except ValueError:
        errors["days"] = "Enter how many days it stays open, from 1 to 90"
        days = 14
    try:
        questions = parse_questions(data.get("questions", ""))
    except ValidationError as exc:
        errors.update(error_messages(exc))
    if errors:
        raise ValidationError(errors)
    survey = Survey.objects.create(
        title=title,
        intro=str(data.get("intro", "")).strip()[:5000],
        created_at=timezone.now(),
        created_by=by,
        closes_on=timezone.localdate() + timedelta(days=days),
    )
    for number, (text, options) in enumerate(questions, start=1):
        SurveyQuestion.objects.create(survey=survey, number=number, text=text, options=options)
    record_audit(
        by=by,
        action="engagement.survey.create",
        object_type="survey",
        object_id=survey.pk,
        detail={"questions": len(questions)},
    )
    return survey


@transaction.atomic
def send_survey(*, by, survey: Survey, link_base: str, notify: bool = True) -> dict:
    """Invite every current panel member who said to email them (a single-use link each);
    members who asked for post or phone are counted, for the team to reach that way.
    ``notify`` False records the invitations without emailing (the demo)."""
    if survey.sent_at:
        raise ValidationError("This survey has already been sent")
    members = PanelMember.objects.filter(withdrawn_at=None).order_by("pk")
    by_email = [m for m in members if m.email and m.contact_by == "email"]
    now = timezone.now()
    mails = []
    for member in by_email:
        token = secrets.token_urlsafe(24)
        SurveyInvitation.objects.create(
            survey=survey, member=member, token_hash=_digest(token), sent_at=now
        )
        mails.append(
            Mail(
                to=member.email,
                subject=f"Citizens' panel survey: {survey.title}",
                body=f"Dear {member.given_name},\n\n"
                f"{survey.intro or 'We would like your views.'}\n\n"
                f"It takes a few minutes and closes on {survey.closes_on:%d %B %Y}:\n"
                f"{link_base}{token}\n",
            )
        )
    if notify:
        send_after_commit(mails, what="survey invitations")
    survey.sent_at = now
    survey.save()
    result = {"emailed": len(by_email), "other": members.count() - len(by_email)}
    record_audit(
        by=by,
        action="engagement.survey.send",
        object_type="survey",
        object_id=survey.pk,
        detail=result,
    )
    return result


def find_invitation(token: str) -> SurveyInvitation | None:
    return (
        SurveyInvitation.objects.filter(token_hash=_digest(token or ""))
        .select_related("survey")
        .first()
    )


@transaction.atomic
def answer_survey(*, invitation: SurveyInvitation, data) -> None:
    """A member's answers, all at once: every question answered with one of its options."""
    if invitation.answered_at:
        raise ValidationError({"form": "You have already answered this survey. Thank you."})
    if invitation.survey.closes_on < timezone.localdate():
        raise ValidationError({"form": "This survey has closed."})
    errors, answers = {}, []
    for question in invitation.survey.questions.all():
        value = str(data.get(f"q{question.number}", "")).strip()
        if not value.isdecimal() or int(value) >= len(question.options):
            errors[f"q{question.number}"] = f"Answer question {question.number}"
            continue
        answers.append(SurveyAnswer(invitation=invitation, question=question, option=int(value)))
    if errors:
        raise ValidationError(errors)
    SurveyAnswer.objects.bulk_create(answers)
    invitation.answered_at = timezone.now()
    invitation.save()
    record_audit(
        by=None,
        action="engagement.survey.answer",
        object_type="survey",
        object_id=invitation.survey.pk,
    )
