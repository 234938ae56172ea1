"""Person search, summary, break-glass and the list of who looked at a record."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from joinedup.core import describe
from joinedup.core.actions import record_audit
from joinedup.core.forms import date_part, parse_date_parts
from joinedup.core.permissions import may_break_glass, may_search_people

from . import access, actions, queries
from .forms import BreakGlassForm
from .panels import summary_panels


def _membership_or_403(request):
    if request.membership is None:
        raise PermissionDenied("You are not a member of any organisation")
    return request.membership


@login_required
def search(request):
    membership = _membership_or_403(request)
    if not may_search_people(membership):
        raise PermissionDenied("Your role does not give direct care")
    text = (request.GET.get("q") or "").strip()
    birth_date, date_error = parse_date_parts(request.GET, "dob", "Date of birth")
    errors = {}
    kind, results = None, []
    searched = bool(text or date_part(request.GET, "dob", "year"))
    if date_error:
        errors["dob"] = date_error
    elif searched:
        if not text:
            errors["q"] = "Enter an NHS number or a name"
        else:
            try:
                kind, results = queries.search_people(membership, text=text, birth_date=birth_date)
            except ValidationError as exc:
                errors["q"] = exc.messages[0]
            record_audit(
                by=request.user,
                organisation=membership.organisation,
                action="person.search",
                detail={"kind": kind or "invalid", "results": len(results)},
            )
    return render(
        request,
        "people/search.jinja",
        {
            "q": text,
            "dob": {p: date_part(request.GET, "dob", p) for p in ("day", "month", "year")},
            "errors": errors,
            "searched": searched and not errors,
            "kind": kind,
            "results": results,
            "limit": queries.SEARCH_LIMIT,
        },
    )


@login_required
def summary(request, person_id: int):
    membership = _membership_or_403(request)
    survivor = access.merged_into(person_id)
    if survivor:
        return redirect("people:summary", person_id=survivor)
    basis = access.access_basis(membership, person_id)
    if basis is None:
        record_audit(
            by=request.user,
            organisation=membership.organisation,
            action="person.refused",
            person_id=person_id,
        )
        if may_break_glass(membership):
            return redirect("people:break-glass", person_id=person_id)
        raise PermissionDenied("No legitimate relationship with this person")
    person, basis = access.get_person_for(membership, person_id)
    actions.record_person_view(
        by=request.user, membership=membership, person=person, basis=basis, page="summary"
    )
    relationships = person.relationships.filter(ended_at__isnull=True).select_related(
        "related_person"
    )
    return render(
        request,
        "people/summary.jinja",
        {
            "person": person,
            "basis": basis,
            "relationships": relationships,
            "panels": summary_panels(
                person, show_sensitive=access.sees_sensitive(membership, person, basis)
            ),
        },
    )


@login_required
def break_glass(request, person_id: int):
    membership = _membership_or_403(request)
    if not may_break_glass(membership):
        raise PermissionDenied("Your role cannot break glass")
    if access.access_basis(membership, person_id) is not None:
        return redirect("people:summary", person_id=person_id)
    identity = (
        access.trace_people().filter(pk=person_id).select_related("registered_practice").first()
    )
    if identity is None:
        raise Http404("No such person")
    form = BreakGlassForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.break_glass(
                by=request.user,
                membership=membership,
                person_id=person_id,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            return redirect("people:summary", person_id=person_id)
    elif request.method == "POST":
        error = form.errors["reason"][0]
    return render(
        request,
        "people/break_glass.jinja",
        {
            "identity": identity,
            "error": error,
            "reason": request.POST.get("reason", ""),
            "minutes": actions.settings.JOINEDUP_BREAK_GLASS_MINUTES,
            "min_length": actions.MIN_BREAK_GLASS_REASON,
        },
    )


@login_required
def audit(request, person_id: int):
    membership = _membership_or_403(request)
    person, basis = access.get_person_for(membership, person_id)
    actions.record_person_view(
        by=request.user, membership=membership, person=person, basis=basis, page="audit"
    )
    events = queries.record_viewers(person.pk)[:500]
    return render(
        request,
        "people/audit.jinja",
        {"person": person, "events": events, "audit_what": describe.what},
    )
