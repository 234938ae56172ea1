"""The caseload: the people a member of staff works with, searched, filtered and sorted."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Organisation, OrganisationType
from joinedup.people import access
from joinedup.people.queries import person_match

from .. import queries
from ..models import CaseloadEntry, Stage
from ._common import _areas, _int, _membership


@login_required
def caseload(request):
    """The people a member of staff works with: their own (care-team places, tasks and
    referrals assigned to them), their team's, or the area caseload their organisation
    serves; searchable, sortable and a page at a time."""
    membership = _membership(request)
    scope = request.GET.get("scope", "")
    if scope not in queries.SCOPES:
        scope = queries.default_scope(membership)
    sort = request.GET.get("sort", "")
    sorts = (
        queries.SORTS
        if scope != "organisation"
        else {k: v for k, v in queries.SORTS.items() if k in ("priority", "name")}
    )
    if sort not in sorts:
        sort = "priority"
    text = (request.GET.get("q") or "").strip()[:100]
    area = request.GET.get("area", "")
    kind, _, pk = area.partition(":")
    filters = {
        "network": _int(pk) if kind == "lcn" else None,
        "neighbourhood": _int(pk) if kind == "hood" else None,
        "practice": _int(request.GET.get("practice")),
        "stage": request.GET.get("stage", "") if request.GET.get("stage") in Stage.values else "",
        "flagged": request.GET.get("flagged") == "yes",
        "text": text,
    }
    if scope == "organisation":
        page = queries.caseload_page(membership, request.GET.get("page"), sort=sort, **filters)
        entries = {e.person_id: e for e in page.object_list}
        rows = queries.case_rows(membership, [e.person for e in page.object_list], entries)
    else:
        ids = queries.my_people_ids(membership, scope)
        people = access.accessible_people(membership).filter(pk__in=ids)
        match = person_match(text)
        if match is not None:
            people = people.filter(match)
        entries = {e.person_id: e for e in CaseloadEntry.objects.filter(person_id__in=ids)}
        if filters["stage"]:
            people = people.filter(
                pk__in=[p for p, e in entries.items() if e.stage == filters["stage"]]
            )
        if filters["flagged"]:
            people = people.filter(pk__in=[p for p, e in entries.items() if e.flagged_for_mdt])
        rows = queries.sort_rows(queries.case_rows(membership, list(people), entries), sort)
        page = Paginator(rows, 25).get_page(request.GET.get("page"))
        rows = list(page.object_list)
    record_audit(
        by=request.user,
        organisation=membership.organisation,
        action="care.caseload.view",
        detail={
            "scope": scope,
            "filters": {k: v for k, v in filters.items() if v and k != "text"},
            "searched": bool(text),
            "page": page.number,
        },
    )
    query = {
        "scope": scope,
        "sort": sort,
        "q": text,
        "area": area,
        "practice": filters["practice"],
        "stage": filters["stage"],
        "flagged": "yes" if filters["flagged"] else "",
    }
    return render(
        request,
        "care/caseload.jinja",
        {
            "page": page,
            "rows": rows,
            "scope": scope,
            "scopes": queries.SCOPES,
            "sort": sort,
            "sorts": sorts,
            "text": text,
            "filters": filters,
            "today": timezone.localdate(),
            "area_items": _items("All", _areas(membership), area),
            "practice_items": _items(
                "All",
                Organisation.objects.filter(type=OrganisationType.GP_PRACTICE).values_list(
                    "pk", "name"
                ),
                filters["practice"],
            ),
            "stage_items": _items("All open", Stage.choices, filters["stage"]),
            "query": urlencode({k: v for k, v in query.items() if v}),
            "scope_query": urlencode({k: v for k, v in query.items() if v and k != "scope"}),
        },
    )


def _items(blank: str, pairs, chosen) -> list[dict]:
    """Options for an NHS.UK select."""
    return [{"value": "", "text": blank}] + [
        {"value": str(value), "text": text, "selected": str(value) == str(chosen or "")}
        for value, text in pairs
    ]
