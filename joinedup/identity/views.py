"""The clerical review queue: candidate pairs side by side, each field's evidence in words."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
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
    open_items = ReviewItem.objects.filter(
        status__in=[ReviewItem.Status.PENDING, ReviewItem.Status.DEFERRED]
    )
    # One row per agency record, with its strongest candidate and how many there are
    # (twins give two strong candidates).
    records = list(
        open_items.values("record_id")
        .annotate(best=Max("match_probability"), candidates=Count("id"))
        .order_by("-best", "record_id")[:100]
    )
    firsts = {}
    for item in (
        open_items.filter(record_id__in=[r["record_id"] for r in records])
        .select_related("record__agency")
        .order_by("record_id", "-match_probability")
    ):
        firsts.setdefault(item.record_id, item)
    rows = [{**r, "item": firsts[r["record_id"]]} for r in records]
    total = open_items.values("record_id").distinct().count()
    return render(request, "identity/queue.jinja", {"rows": rows, "total": total})


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
    others = (
        ReviewItem.objects.filter(record=item.record)
        .exclude(pk=item.pk)
        .select_related("person")
        .order_by("-match_probability")
    )
    return render(
        request,
        "identity/pair.jinja",
        {"item": item, "evidence": explain(item.field_weights), "error": None, "others": others},
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
