"""Panel surveys: writing and sending them, weighted results (engagement officers), and
answering one from the link in the invitation (panel members, no account)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from joinedup.core.forms import error_messages
from joinedup.core.jinja_env import nhs_date, plural

from .. import actions, queries
from ..models import Survey
from .assembly import _officer


@login_required
def surveys(request):
    _officer(request)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            survey = actions.create_survey(by=request.user, data=request.POST)
            messages.success(request, "Survey written. Check it, then send it to the panel.")
            return redirect("engagement:survey", survey.pk)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "engagement/surveys.jinja",
        {
            "surveys": Survey.objects.order_by("-created_at"),
            "errors": errors,
            "values": request.POST,
        },
        status=status,
    )


@login_required
def survey(request, pk: int):
    _officer(request)
    survey = get_object_or_404(Survey, pk=pk)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            link = request.build_absolute_uri(reverse("engagement:survey-answer", args=["x"]))
            sent = actions.send_survey(by=request.user, survey=survey, link_base=link[:-1])
            others = (
                f" {plural(sent['other'], 'member')} asked for post or phone: send them the "
                "questions that way."
                if sent["other"]
                else ""
            )
            messages.success(
                request,
                f"Survey sent: emailed to {plural(sent['emailed'], 'member')}.{others} Answers "
                f"appear here as they come in, until it closes on {nhs_date(survey.closes_on)}.",
            )
            return redirect("engagement:survey", pk)
        except ValidationError as exc:
            errors, status = error_messages(exc, "send"), 400
    return render(
        request,
        "engagement/survey.jinja",
        {"survey": survey, **queries.survey_results(survey), "errors": errors},
        status=status,
    )


def answer(request, token: str):
    invitation = actions.find_survey_invitation(token)
    if invitation is None:
        return render(request, "engagement/survey_answer.jinja", {"gone": True}, status=404)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            actions.answer_survey(invitation=invitation, data=request.POST)
            return render(request, "engagement/survey_answer.jinja", {"thanks": True})
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "engagement/survey_answer.jinja",
        {
            "survey": invitation.survey,
            "answered": invitation.answered_at is not None,
            "errors": errors,
            "values": request.POST,
        },
        status=status,
    )
