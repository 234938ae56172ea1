"""The clerical review queue: candidate pairs side by side, each field's evidence in words."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from joinedup.core.actions import record_audit
from joinedup.core.permissions import may_review_matches

from . import actions
from .linkage import explain
from .models import ReviewItem


def _allowed(request):
    if not may_review_matches(request.membership):
        raise PermissionDenied("Match review is for data-quality staff")


@login_required
def queue(request):
    _allowed(request)
    items = (
        ReviewItem.objects.filter(
            status__in=[ReviewItem.Status.PENDING, ReviewItem.Status.DEFERRED]
        )
        .select_related("record__agency")
        .order_by("status", "-match_weight")[:100]
    )
    total = ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).count()
    return render(request, "identity/queue.jinja", {"items": items, "total": total})


@login_required
def pair(request, item_id: int):
    _allowed(request)
    item = get_object_or_404(
        ReviewItem.objects.select_related("record__agency", "person__registered_practice"),
        pk=item_id,
    )
    record_audit(
        by=request.user,
        organisation=request.membership.organisation,
        action="identity.review.view",
        person_id=item.person_id,
        object_type="review_item",
        object_id=item.pk,
    )
    return render(
        request,
        "identity/pair.jinja",
        {"item": item, "evidence": explain(item.field_weights), "error": None},
    )


@login_required
@require_POST
def decide(request, item_id: int):
    _allowed(request)
    item = get_object_or_404(ReviewItem, pk=item_id)
    try:
        actions.decide(by=request.user, item=item, decision=request.POST.get("decision", ""))
    except ValidationError as exc:
        return render(
            request,
            "identity/pair.jinja",
            {"item": item, "evidence": explain(item.field_weights), "error": exc.messages[0]},
            status=400,
        )
    return redirect("identity:queue")
