"""What a board's monthly pack says: the headline indicators with their trends and the
exceptions (off target, or worse than last month), the inequality gaps, programme
activity, the board's decisions and actions with their status, and what people told us
(comments by Long Term Plan area, and "you said, we did").

The public version, for meetings held in public, shows counts of 1 to 7 as "≤7" and
rounds others to 5, works rates out again from the rounded counts, and leaves out any
figure that rests on a small count; the staff version is exact. Both come from the same
kept figures (``IndicatorValue``), so the pack's numbers are the indicator CSV's.
"""

from dataclasses import dataclass, field
from datetime import date

from joinedup.population.exports import suppress

from .indicators import Indicator
from .measures import published
from .models import OutcomesSnapshot
from .queries import Summary, summaries


@dataclass
class Line:
    """One indicator as the pack shows it."""

    indicator: Indicator
    value: str
    interval: str
    numerator: str
    denominator: str
    change: str
    off_target: bool
    gap: str
    trend: list[tuple[str, float | None]] = field(default_factory=list)


def _shown(indicator: Indicator, point, public: bool):
    """(value, lower, upper, numerator, denominator) of a month's figure as the pack shows
    it: exact for staff, ``published`` for the public; None values where hidden."""
    if public:
        n, d, value, lower, upper = published(
            indicator, point.numerator, point.denominator, point.value, point.lower, point.upper
        )
        return value, lower, upper, n, d
    n = _count(point.numerator) if indicator.unit in ("percent", "per_1000") else ""
    return point.value, point.lower, point.upper, n, _count(point.denominator)


def _count(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:.1f}"


def _format(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return "–"
    return {
        "percent": f"{value:.1f}%",
        "per_1000": f"{value:.0f} per 1,000",
        "days": f"{value:.0f} days",
        "points": f"{value:+.2f}",
    }[indicator.unit]


def _line(summary: Summary, public: bool) -> Line:
    indicator, latest = summary.indicator, summary.latest
    if latest is None:
        return Line(indicator, "–", "", "", "", "", False, "")
    value, lower, upper, n, d = _shown(indicator, latest, public)
    hidden = value is None
    trend = [
        (point.month.strftime("%b %Y"), _shown(indicator, point, public)[0])
        for point in summary.trend[-12:]
    ]
    return Line(
        indicator=indicator,
        value=_format(indicator, value),
        interval=(
            f"{_format(indicator, lower)} to {_format(indicator, upper)}"
            if lower is not None and upper is not None
            else ""
        ),
        numerator=n,
        denominator=d,
        change="" if hidden else summary.change,
        off_target=not hidden and summary.off_target,
        gap="" if hidden or summary.gap is None else f"{summary.gap:+.1f} (SII {summary.sii:+.1f})",
        trend=trend,
    )


@dataclass
class Pack:
    board: object
    month: date
    public: bool
    snapshot: OutcomesSnapshot | None
    lines: list[Line]
    exceptions: list[Line]
    programmes: list[Line]
    inequalities: list[Line]
    decisions: list
    feedback: list[tuple[str, str, str]]
    you_said_we_did: list


def build(board, month: date, *, public: bool) -> Pack:
    from joinedup.engagement.queries import board_decisions, feedback_by_theme

    from .actions import _last_day

    snapshot = OutcomesSnapshot.objects.filter(month=month).first()
    lines = [
        _line(s, public)
        for s in summaries("", until=month)
        if s.trend and s.trend[-1].month == month
    ]
    exceptions = [x for x in lines if x.off_target or x.change == "worse"]
    programmes = [x for x in lines if x.indicator.key.endswith("-prevalence")]
    inequalities = [x for x in lines if x.gap]
    decisions = board_decisions(board)
    feedback = [
        (slug, name, suppress(n) if public else f"{n:,}")
        for slug, name, n in feedback_by_theme(first=month, last=_last_day(month))
    ]
    done = [d for d in decisions if d.status == "done" and d.themes.exists()]
    return Pack(
        board=board,
        month=month,
        public=public,
        snapshot=snapshot,
        lines=lines,
        exceptions=exceptions,
        programmes=programmes,
        inequalities=inequalities,
        decisions=decisions,
        feedback=feedback,
        you_said_we_did=done,
    )
