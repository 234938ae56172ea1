"""The directory's pages: search (for navigators and other staff here; for residents in the
portal, which reuses ``search_context`` and the same templates) and one service in full."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from joinedup.care.actions import may_work
from joinedup.core.forms import error_messages
from joinedup.core.jinja_env import age
from joinedup.core.permissions import gives_direct_care
from joinedup.people import access
from joinedup.people.actions import record_person_view

from . import actions, needs
from .feeds import DAY_CODES
from .models import ONS4, Consent, Service, ServiceReferral, ServiceStatus
from .search import Criteria, describe, search

DISTANCES = (("", "Any distance"), ("1", "1 km"), ("2", "2 km"), ("5", "5 km"), ("10", "10 km"))
WHEN = (("", "Any time"), ("now", "Open now")) + tuple(
    zip(DAY_CODES, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                    "Sunday"), strict=True)
)  # fmt: skip
MAX_TEXT = 200


def criteria_from(data, *, defaults: dict | None = None) -> tuple[Criteria, dict[str, str]]:
    """Search criteria from a search form's query string, and {field: error} for what
    cannot be used (the rest of the search still runs)."""
    errors: dict[str, str] = {}
    given = {**(defaults or {}), **{k: v for k, v in data.items() if v != ""}}
    criteria = Criteria(
        text=str(given.get("q", ""))[:MAX_TEXT],
        needs=[n for n in data.getlist("need") if n in needs.BY_CODE] if data else [],
        postcode=str(given.get("postcode", ""))[:20],
        carer=data.get("carer") == "yes",
        free=data.get("free") == "yes",
        step_free=data.get("step_free") == "yes",
    )
    distance = str(given.get("distance", ""))
    if distance and distance in dict(DISTANCES):
        criteria.within_km = float(distance)
    when = str(given.get("when", ""))
    if when == "now":
        criteria.open_at = timezone.localtime().replace(tzinfo=None)
    elif when in DAY_CODES:
        criteria.day = when
    age = str(given.get("age", "")).strip()
    if age:
        if age.isdigit() and int(age) <= 120:
            criteria.age = int(age)
        else:
            errors["age"] = "Enter an age in whole years, like 67"
    if criteria.within_km and not criteria.postcode:
        errors["postcode"] = "Enter a postcode to search by distance"
    return criteria, errors


def search_context(request, *, defaults: dict | None = None) -> dict:
    data = request.GET
    criteria, errors = criteria_from(data, defaults=defaults)
    found = None
    searched = any(data.get(k) for k in ("q", "need", "postcode", "when", "search"))
    if searched and not errors:
        try:
            found = search(criteria)
        except ValidationError as exc:
            errors["postcode"] = exc.messages[0]
    return {
        "criteria": criteria,
        "found": found,
        "errors": errors,
        "searched": searched,
        "need_choices": [(n.code, n.name) for n in needs.NEEDS],
        "chosen_needs": criteria.needs,
        "distances": DISTANCES,
        "whens": WHEN,
        "values": {**(defaults or {}), **data.dict()},
    }


def _person(request, person_id, page: str):
    """The person a search or referral is for, through the one access check, audited."""
    membership = request.membership
    if not gives_direct_care(membership):
        raise PermissionDenied("Referring people is for staff who give direct care")
    person, basis = access.get_person_for(membership, int(person_id))
    record_person_view(
        by=request.user, membership=membership, person=person, basis=basis, page=page
    )
    return membership, person


def _for_person(request):
    person_id = request.GET.get("person", "")
    if not person_id.isdigit():
        return None
    return _person(request, person_id, "directory search")[1]


@login_required
def search_page(request):
    person = _for_person(request)
    defaults = {"postcode": person.postcode, "age": str(age(person.birth_date))} if person else None
    context = search_context(request, defaults=defaults)
    return render(request, "directory/search.jinja", {**context, "person": person})


def service_context(oruk_id: str) -> dict:
    service = (
        Service.objects.select_related("organisation")
        .prefetch_related(
            "terms",
            "schedules",
            "areas",
            "phones",
            "contacts",
            "cost_options",
            "languages",
            "at_locations__location",
        )  # fmt: skip
        .filter(oruk_id=oruk_id)
        .exclude(status=ServiceStatus.DEFUNCT)
        .first()
    )
    if service is None:
        raise Http404("No such service")
    return {
        "service": service,
        "opening_times": [describe(s) for s in service.schedules.all()],
        "today": datetime.now().date(),
    }


@login_required
def service_page(request, oruk_id: str):
    person = _for_person(request)
    context = service_context(oruk_id)
    outcomes = actions.outcomes(context["service"])
    return render(
        request,
        "directory/service.jinja",
        {**context, "person": person, "outcomes": outcomes, "ons4": ONS4},
    )


@login_required
def refer(request, oruk_id: str, person_id: int):
    """Refer a person to a service, recording how they agreed and, if they answer, how
    they feel now (ONS4)."""
    membership, person = _person(request, person_id, "directory referral")
    service = get_object_or_404(
        Service.objects.select_related("organisation__partner"), oruk_id=oruk_id
    )
    errors, status = {}, 200
    if request.method == "POST":
        try:
            referral = actions.refer(
                by=request.user,
                membership=membership,
                person=person,
                service=service,
                reason=request.POST.get("reason", "").strip(),
                consent=request.POST.get("consent", ""),
                before=actions.ons4_scores(request.POST, "before_"),
                plan_action=request.POST.get("action", ""),
            )
            messages.success(request, f"Referral sent to {service.organisation.partner.name}.")
            return redirect("care:task", task_id=referral.task_id)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "directory/refer.jinja",
        {
            "service": service,
            "person": person,
            "errors": errors,
            "values": request.POST,
            "consents": Consent.choices,
            "ons4": ONS4,
        },
        status=status,
    )


@login_required
def outcome(request, referral_id: int):
    """The provider records the person's wellbeing at the end (ONS4)."""
    referral = get_object_or_404(
        ServiceReferral.objects.select_related("task__person", "service"), pk=referral_id
    )
    membership = request.membership
    if not (gives_direct_care(membership) and may_work(membership, referral.task)):
        raise PermissionDenied("Only the organisation the referral is with can record this")
    errors, status = {}, 200
    if request.method == "POST":
        try:
            actions.record_outcome(
                by=request.user,
                membership=membership,
                referral=referral,
                after=actions.ons4_scores(request.POST, "after_"),
            )
            messages.success(request, "Wellbeing at the end recorded.")
            return redirect("care:task", task_id=referral.task_id)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "directory/outcome.jinja",
        {"referral": referral, "errors": errors, "values": request.POST, "ons4": ONS4},
        status=status,
    )
