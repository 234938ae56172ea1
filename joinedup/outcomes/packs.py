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
from .measures import Row, figure
from .models import IndicatorValue, OutcomesSnapshot
from .queries import SMALL, Summary, summaries


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


def _shown(indicator: Indicator, n: float, d: float, public: bool):
    """(value, lower, upper, numerator, denominator) as shown; None values where hidden."""
    counts = indicator.unit in ("percent", "per_1000")
    if not public:
        row = figure(indicator, Row("", "", "", n, d))
        return row.value, row.lower, row.upper, _count(n), _count(d)
    small = 0 < d <= SMALL or (counts and 0 < n <= SMALL)
    numerator = suppress(int(n)) if counts else ""
    denominator = suppress(int(d))
    if small or d == 0:
        return None, None, None, numerator, denominator
    if counts:
        row = figure(indicator, Row("", "", "", float(numerator), float(denominator)))
        return row.value, row.lower, row.upper, numerator, denominator
    return None, None, None, numerator, denominator


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
    if indicator.unit in ("days", "points"):
        value, lower, upper = latest.value, latest.lower, latest.upper
        n, d = (
            ("", _count(latest.denominator))
            if not public
            else ("", suppress(int(latest.denominator)))
        )
        if public and latest.denominator <= SMALL:
            value = lower = upper = None
    else:
        value, lower, upper, n, d = _shown(indicator, latest.numerator, latest.denominator, public)
    hidden = value is None
    trend = []
    for point in summary.trend[-12:]:
        shown = (
            _shown(indicator, point.numerator, point.denominator, public)[0]
            if indicator.unit in ("percent", "per_1000")
            else (None if public and point.denominator <= SMALL else point.value)
        )
        trend.append((point.month.strftime("%b %Y"), shown))
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


def figures_of(month: date) -> dict[str, tuple[float, float]]:
    """{indicator: (numerator, denominator)} of the system's totals kept for the month:
    what the pack and the CSV are both made from."""
    return {
        v.indicator: (v.numerator, v.denominator)
        for v in IndicatorValue.objects.filter(
            snapshot__month=month, place="", breakdown="", stratum="all"
        )
    }
