"""Plan reviews: the plans due for review and recording a review with the person."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from joinedup.core.forms import date_field, error_messages
from joinedup.core.jinja_env import nhs_date

from .. import actions, permissions, queries
from ..models import Task, TaskKind
from ..policies import OPEN_TASK
from ._common import _int, _membership, _person, _plan_for


@login_required
def reviews(request):
    membership = _membership(request)
    today = timezone.localdate()
    plans_due = queries.reviews_due(membership, today=today)
    page = Paginator(plans_due, 50).get_page(request.GET.get("page"))
    return render(request, "care/reviews.jinja", {"page": page, "today": today})


def _suggested_next_review(person) -> dict:
    """The form's first values: the next review after the interval of the person's place
    (the "review_interval_days" of its settings)."""
    from datetime import timedelta

    from joinedup.core.place_settings import effective

    place = person.practice_place
    due = timezone.localdate() + timedelta(days=effective(place)["review_interval_days"])
    return {
        "next_review-day": due.day,
        "next_review-month": due.month,
        "next_review-year": due.year,
    }


@login_required
def plan_review(request, person_id: int):
    """Record a review with the person: what changed and when to review next."""
    membership, person, _ = _person(request, person_id, "plan")
    permissions.require_plan_change(membership, person.pk)
    plan = _plan_for(person)
    errors, status, base_version = {}, 200, plan.version
    values = _suggested_next_review(person)
    if request.method == "POST":
        values = request.POST
        base_version = _int(values.get("base_version")) or 0
        try:
            next_review = date_field(values, "next_review", "Next review date")
            plan = actions.record_review(
                by=request.user,
                membership=membership,
                plan=plan,
                base_version=base_version,
                what_changed=values.get("what_changed", ""),
                next_review=next_review,
            )
            messages.success(
                request,
                f"Review recorded: the plan is now version {plan.version}. "
                f"Next review {nhs_date(plan.review_date)}.",
            )
            return redirect("care:plan", person_id=person.pk)
        except actions.StaleEdit as exc:
            errors, status = {"what_changed": exc.messages[0]}, 409
            plan.refresh_from_db()
            base_version = plan.version
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "care/plan_review.jinja",
        {
            "person": person,
            "plan": plan,
            "reasons": Task.objects.filter(
                person=person, kind=TaskKind.REVIEW, status__in=OPEN_TASK
            ),
            "values": values,
            "errors": errors,
            "base_version": base_version,
        },
        status=status,
    )
