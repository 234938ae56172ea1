"""The directory's pages: search (for navigators and other staff here; for residents in the
portal, which reuses ``search_context`` and the same templates) and one service in full."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from . import needs
from .feeds import DAY_CODES
from .models import Service, ServiceStatus
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


@login_required
def search_page(request):
    return render(request, "directory/search.jinja", search_context(request))


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
    return render(request, "directory/service.jinja", service_context(oruk_id))
