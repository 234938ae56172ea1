"""The outcomes pages, for staff of the partnership: every indicator's latest figure with
its trend, the gap between the most and least deprived, and, for one indicator, the trend
chart, its months, and the funnel by GP practice."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

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


def _pack_context(request, pack, public: bool) -> dict:
    from . import packs

    return {"pack": packs.build(pack.board, pack.month, public=public), "record": pack}


@require_POST
@login_required
def make_pack(request):
    """From a board's page: make (or make again) the month's pack."""
    from django.contrib import messages
    from django.shortcuts import get_object_or_404, redirect

    from joinedup.core.permissions import may_engage
    from joinedup.engagement.models import Board

    from . import actions

    if not may_engage(request.membership):
        raise PermissionDenied("Board packs are made by engagement officers")
    board = get_object_or_404(Board, pk=request.POST.get("board") or 0)
    try:
        month = actions.parse_month(request.POST.get("month", ""))
        pack = actions.make_pack(by=request.user, board=board, month=month)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("engagement:board", board.pk)
    messages.success(request, f"The {month:%B %Y} pack is ready.")
    return redirect("outcomes:pack", pack.pk)


@login_required
def pack(request, pk: int):
    """The staff version (or, with ?version=public, the public one) and its release."""
    from django.contrib import messages
    from django.shortcuts import get_object_or_404, redirect

    from joinedup.core.permissions import may_engage

    from . import actions
    from .models import BoardPack

    _allowed(request)
    record = get_object_or_404(BoardPack.objects.select_related("board"), pk=pk)
    may_release = may_engage(request.membership)
    if request.method == "POST":
        if not may_release or request.POST.get("do") != "release":
            raise PermissionDenied("Board packs are released by engagement officers")
        actions.release_pack(by=request.user, pack=record)
        messages.success(request, "The public version is released.")
        return redirect("outcomes:pack", record.pk)
    public = request.GET.get("version") == "public"
    context = _pack_context(request, record, public)
    context.update(
        may_release=may_release,
        pdf_url=reverse("outcomes:pack-pdf", args=[record.pk])
        + ("?version=public" if public else ""),
    )
    return render(request, "outcomes/pack_page.jinja", context)


@login_required
def pack_pdf(request, pk: int):
    from django.shortcuts import get_object_or_404

    from .models import BoardPack

    _allowed(request)
    record = get_object_or_404(BoardPack, pk=pk)
    return _file(record, public=request.GET.get("version") == "public")


def public_pack(request, token: str):
    """A released pack's public version, for anyone: board papers for a meeting held in
    public. Unreleased or unknown: not found."""
    record = _released(token)
    context = _pack_context(request, record, True)
    context.update(may_release=False, pdf_url=reverse("outcomes:public-pack-pdf", args=[token]))
    return render(request, "outcomes/pack_page.jinja", context)


def public_pack_pdf(request, token: str):
    return _file(_released(token), public=True)


def _released(token: str):
    from .models import BoardPack

    record = (
        BoardPack.objects.select_related("board")
        .filter(token=token, released_at__isnull=False)
        .first()
    )
    if record is None:
        raise Http404("No such pack")
    return record


def _file(record, *, public: bool):
    from django.http import FileResponse

    path = record.path(public=public, pdf=True)
    if not path.exists():
        raise Http404("The pack's file is missing: make the pack again")
    name = f"{record.board.name}-{record.month:%Y-%m}{'' if public else '-staff'}.pdf"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name.replace(" ", "-"))


@login_required
def evaluation(request):
    """Emergency admissions of people taken onto the caseload, before and after, against a
    matched group not yet taken on (``outcomes.evaluation``), with its caveats."""
    from joinedup.population.queries import current_run

    from .evaluation import evaluate_caseload

    _allowed(request)
    run = current_run()
    return render(
        request,
        "outcomes/evaluation.jinja",
        {"result": evaluate_caseload(run) if run else None},
    )
