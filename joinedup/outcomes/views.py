"""The outcomes pages, for staff of the partnership: every indicator's latest figure with
its trend, the gap between the most and least deprived, and, for one indicator, the trend
chart, its months, and the funnel by GP practice."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from joinedup.core.models import Place

from . import charts, queries
from .indicators import LTP_AREAS, load_indicators
from .models import OutcomesSnapshot
from .permissions import may_view_outcomes

AREA_TITLES = {
    "prevention": "Healthy communities and prevention",
    "maternity-children": "Maternity, children and young people",
    "primary-social-community": "Primary, social and community care",
    "urgent-emergency": "Urgent and emergency care",
    "mental-health": "Mental health, including learning disabilities and autism",
    "cancer": "Cancer care",
    "hospital-specialist": "Hospital and specialist care",
    "other": "Engagement: you said, we did",
}


def _allowed(request):
    if not may_view_outcomes(request.membership):
        raise PermissionDenied("Outcome figures are for staff of the partnership")


def _place(request) -> tuple[str, list[Place]]:
    places = list(Place.objects.order_by("name"))
    code = request.GET.get("place", "")
    return (code if code in {p.code for p in places} else ""), places


@login_required
def index(request):
    _allowed(request)
    place, places = _place(request)
    summaries = queries.summaries(place)
    latest = OutcomesSnapshot.objects.order_by("-month").first()
    areas = [
        (AREA_TITLES[area], [s for s in summaries if s.indicator.ltp_area == area])
        for area in LTP_AREAS
    ]
    return render(
        request,
        "outcomes/index.jinja",
        {
            "areas": [(title, rows) for title, rows in areas if rows],
            "latest": latest,
            "place": place,
            "places": places,
        },
    )


@login_required
def indicator(request, key: str):
    _allowed(request)
    found = {i.key: i for i in load_indicators()}.get(key)
    if found is None:
        raise Http404("No such indicator")
    place, places = _place(request)
    summary = next(s for s in queries.summaries(place) if s.indicator.key == key)
    latest = OutcomesSnapshot.objects.order_by("-month").first()
    overall, points = queries.funnel(found, latest) if latest and not place else (None, [])
    funnel_chart = (
        charts.funnel(
            found, overall, points, queries.limits_curve(overall, [p.denominator for p in points])
        )
        if points
        else None
    )
    return render(
        request,
        "outcomes/indicator.jinja",
        {
            "summary": summary,
            "indicator": found,
            "trend_chart": charts.trend(summary),
            "funnel_chart": funnel_chart,
            "overall": overall,
            "points": points,
            "latest": latest,
            "place": place,
            "places": places,
            "area": AREA_TITLES[found.ltp_area],
        },
    )
