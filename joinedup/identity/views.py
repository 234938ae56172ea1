"""The clerical review queue: candidate pairs side by side, each field's evidence in words."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from joinedup.core.actions import record_audit
from joinedup.core.permissions import may_review_matches
from joinedup.people.merging import attachments, in_words

from . import actions
from .linkage import explain
from .models import Merge, ReviewItem


def _allowed(request):
    if not may_review_matches(request.membership):
        raise PermissionDenied("Match review is for data-quality staff")


@login_required
def queue(request):
    _allowed(request)
    # A pair with a record since merged is not offered: the survivor has its own pair.
    open_items = ReviewItem.objects.filter(
        status__in=[ReviewItem.Status.PENDING, ReviewItem.Status.DEFERRED],
        person__merged_into__isnull=True,
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


def _pair_context(item: ReviewItem, error: str | None = None) -> dict:
    others = (
        ReviewItem.objects.filter(record=item.record)
        .exclude(pk=item.pk)
        .select_related("person")
        .order_by("-match_probability")
    )
    return {
        "item": item,
        "evidence": explain(item.field_weights),
        "error": error,
        "others": others,
        # Linked or not linked is final; a deferred pair is still to decide.
        "decided": item.status in (ReviewItem.Status.LINKED, ReviewItem.Status.NOT_LINKED),
    }


def _item(item_id: int) -> ReviewItem:
    return get_object_or_404(
        ReviewItem.objects.select_related(
            "record__agency", "person__registered_practice", "decided_by"
        ),
        pk=item_id,
    )


@login_required
def pair(request, item_id: int):
    _allowed(request)
    item = _item(item_id)
    record_audit(
        by=request.user,
        organisation=request.membership.organisation,
        action="identity.review.view",
        person_id=item.person_id,
        object_type="review_item",
        object_id=item.pk,
    )
    return render(request, "identity/pair.jinja", _pair_context(item))


@login_required
@require_POST
def decide(request, item_id: int):
    _allowed(request)
    item = _item(item_id)
    try:
        actions.decide(by=request.user, item=item, decision=request.POST.get("decision", ""))
    except ValidationError as exc:
        # Decided meanwhile (another tab, another reviewer): show the decision as it is.
        item = _item(item_id)
        context = _pair_context(item, error=exc.messages[0])
        return render(
            request, "identity/pair.jinja", context, status=409 if context["decided"] else 400
        )
    return redirect("identity:queue")


def _find_person(text: str):
    """A person in the index by NHS number (spaces allowed) or by record number, traced as
    a spine trace would be (``people.access.trace_people``)."""
    from joinedup.people import access

    text = (text or "").replace(" ", "").strip()
    if not text:
        return None, "Enter an NHS number or record number"
    query = access.trace_people().select_related("registered_practice")
    person = query.filter(nhs_number=text).first() if len(text) == 10 else None
    if person is None and text.isdecimal() and len(text) <= 9:
        person = query.filter(pk=int(text)).first()
        survivor = access.merged_into(int(text)) if person is None else None
        if survivor:
            return None, f"Record {int(text)} has already been merged into record {survivor}"
    if person is None:
        return None, f"No one in the index has NHS number or record number {text[:20]}"
    return person, None


def _attached(person) -> str:
    """What is attached to the person, in words: ``"care plan (1), tasks (3)"``."""
    return in_words(
        {a.label: list(a.rows_of(person.pk).values_list("pk", flat=True)) for a in attachments()}
    )


@login_required
def merges(request):
    _allowed(request)
    rows = Merge.objects.select_related("survivor", "absorbed", "merged_by", "unmerged_by")
    shown = list(rows.order_by("-merged_at")[:200])
    for merge in shown:
        merge.moved_words, merge.stayed_words = in_words(merge.moved), in_words(merge.stayed)
    return render(request, "identity/merges.jinja", {"merges": shown})


@login_required
def merge_new(request):
    """Choose two records, compare them side by side, give a reason, merge."""
    _allowed(request)
    data = request.POST if request.method == "POST" else request.GET
    errors, people = {}, {}
    for key in ("first", "second"):
        if key in data:
            people[key], error = _find_person(data.get(key))
            if error:
                errors[key] = error
    first, second = people.get("first"), people.get("second")
    if first and second and first.pk == second.pk:
        errors["second"] = "These are the same record: enter two different records"
    compared = first and second and not errors
    if compared:
        for person in (first, second):
            record_audit(
                by=request.user,
                organisation=request.membership.organisation,
                action="identity.merge.compare",
                person_id=person.pk,
                object_type="person",
                object_id=person.pk,
            )
    if request.method == "POST" and compared:
        keep = data.get("keep")
        reason = data.get("reason", "")
        if keep not in ("first", "second"):
            errors["keep"] = "Choose which record to keep"
        elif not reason.strip():
            errors["reason"] = "Give the reason for the merge"
        else:
            survivor, absorbed = (first, second) if keep == "first" else (second, first)
            try:
                actions.merge_persons(
                    by=request.user, survivor=survivor, absorbed=absorbed, reason=reason[:2000]
                )
            except ValidationError as exc:
                errors["keep"] = exc.messages[0]
            else:
                messages.success(request, f"Record {absorbed.pk} merged into record {survivor.pk}")
                return redirect("identity:merges")
    context = {
        "first": first,
        "second": second,
        "compared": compared,
        "errors": errors,
        "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
        "values": data,
        "attached": {"first": _attached(first), "second": _attached(second)} if compared else {},
    }
    return render(request, "identity/merge_new.jinja", context, status=400 if errors else 200)


@login_required
def unmerge(request, merge_id: int):
    _allowed(request)
    merge = get_object_or_404(Merge.objects.select_related("survivor", "absorbed"), pk=merge_id)
    error = None
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        if not reason.strip():
            error = "Give the reason for undoing the merge"
        else:
            try:
                actions.unmerge(by=request.user, merge=merge, reason=reason[:2000])
            except ValidationError as exc:
                error = exc.messages[0]
            else:
                messages.success(
                    request,
                    f"Merge undone: record {merge.absorbed_id} is a record of its own again",
                )
                return redirect("identity:merges")
    return render(
        request,
        "identity/unmerge.jinja",
        {"merge": merge, "error": error},
        status=400 if error else 200,
    )
