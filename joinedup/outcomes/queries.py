"""Reads for the outcomes pages: each indicator's latest figure and trend, the gap between
the most and least deprived, the slope index of inequality, and the funnel by practice."""

import math
from dataclasses import dataclass, field

from .indicators import Indicator, load_indicators
from .measures import SMALL
from .models import IndicatorValue, OutcomesSnapshot


@dataclass
class Point:
    month: object
    value: float | None
    lower: float | None
    upper: float | None
    numerator: float
    denominator: float

    @property
    def small(self) -> bool:
        return 0 < self.denominator <= SMALL or 0 < self.numerator <= SMALL


@dataclass
class Summary:
    indicator: Indicator
    trend: list[Point] = field(default_factory=list)
    gap: float | None = None  # most deprived fifth minus least deprived fifth
    sii: float | None = None

    @property
    def latest(self) -> Point | None:
        return self.trend[-1] if self.trend else None

    @property
    def previous(self) -> Point | None:
        return self.trend[-2] if len(self.trend) > 1 else None

    @property
    def change(self) -> str:
        """ "better", "worse" or "" (no change, neutral, or not known), by the direction."""
        latest, previous = self.latest, self.previous
        if not latest or not previous or latest.value is None or previous.value is None:
            return ""
        if self.indicator.direction == "neutral" or latest.value == previous.value:
            return ""
        up = latest.value > previous.value
        return "better" if up == (self.indicator.direction == "higher") else "worse"

    @property
    def off_target(self) -> bool:
        target, latest = self.indicator.target, self.latest
        if target is None or latest is None or latest.value is None:
            return False
        if self.indicator.direction == "higher":
            return latest.value < target
        return self.indicator.direction == "lower" and latest.value > target


def slope_index(rows: list[tuple[int, float, float]]) -> float | None:
    """The slope index of inequality from (IMD quintile, value, population) rows: the
    fitted difference between the most deprived end (relative rank 0) and the least
    deprived end (rank 1) of a population-weighted line through each quintile's value at
    the midpoint of its share of the population. Positive: higher among the most deprived.

    >>> round(slope_index([(1, 30.0, 100), (2, 25.0, 100), (3, 20.0, 100), (4, 15.0, 100),
    ...                    (5, 10.0, 100)]), 6)
    25.0
    """
    rows = sorted(r for r in rows if r[1] is not None and r[2] > 0)
    if len(rows) < 2:
        return None
    total = sum(r[2] for r in rows)
    ranks, cumulative = [], 0.0
    for _, _, n in rows:
        ranks.append((cumulative + n / 2) / total)
        cumulative += n
    weights = [r[2] / total for r in rows]
    mean_x = sum(w * x for w, x in zip(weights, ranks, strict=True))
    mean_y = sum(w * r[1] for w, r in zip(weights, rows, strict=True))
    sxx = sum(w * (x - mean_x) ** 2 for w, x in zip(weights, ranks, strict=True))
    if sxx == 0:
        return None
    sxy = sum(
        w * (x - mean_x) * (r[1] - mean_y) for w, x, r in zip(weights, ranks, rows, strict=True)
    )
    return -sxy / sxx


def summaries(place: str = "", until=None) -> list[Summary]:
    """Every indicator with its trend over the kept months (for the system, or a place),
    up to and including the month ``until`` (by default the latest)."""
    values = IndicatorValue.objects.filter(place=place, breakdown="", stratum="all").select_related(
        "snapshot"
    )
    snapshots = OutcomesSnapshot.objects.all()
    if until is not None:
        values = values.filter(snapshot__month__lte=until)
        snapshots = snapshots.filter(month__lte=until)
    by_indicator: dict[str, list[Point]] = {}
    for v in values.order_by("snapshot__month"):
        by_indicator.setdefault(v.indicator, []).append(
            Point(v.snapshot.month, v.value, v.lower, v.upper, v.numerator, v.denominator)
        )
    latest = snapshots.order_by("-month").first()
    gaps: dict[str, list] = {}
    if latest is not None:
        for v in IndicatorValue.objects.filter(
            snapshot=latest, place=place, breakdown="imd_quintile"
        ):
            if v.stratum.isdigit():
                gaps.setdefault(v.indicator, []).append((int(v.stratum), v.value, v.denominator))
    found = []
    for indicator in load_indicators():
        summary = Summary(indicator, by_indicator.get(indicator.key, []))
        quintiles = {q: value for q, value, _ in gaps.get(indicator.key, [])}
        if quintiles.get(1) is not None and quintiles.get(5) is not None:
            summary.gap = quintiles[1] - quintiles[5]
            summary.sii = slope_index(gaps[indicator.key])
        found.append(summary)
    return found


@dataclass
class FunnelPoint:
    name: str
    value: float
    denominator: float
    outside: str  # "", "above" or "below" the 99.8% limits


def funnel(indicator: Indicator, snapshot: OutcomesSnapshot, breakdown: str = "practice"):
    """Each practice (or neighbourhood) beside the system's figure, with the 95% and 99.8%
    limits a unit of its size would fall within by chance alone (percentages only)."""
    rows = list(
        IndicatorValue.objects.filter(
            snapshot=snapshot, indicator=indicator.key, place="", breakdown=breakdown
        ).exclude(denominator=0)
    )
    if indicator.unit != "percent" or not rows:
        return None, []
    overall = sum(r.numerator for r in rows) / sum(r.denominator for r in rows)
    points = []
    for r in rows:
        low, high = _limits(overall, r.denominator, 3.09)
        share = r.numerator / r.denominator
        outside = "above" if share > high else "below" if share < low else ""
        points.append(FunnelPoint(r.stratum, 100 * share, r.denominator, outside))
    return 100 * overall, sorted(points, key=lambda p: p.denominator)


def _limits(p: float, n: float, z: float) -> tuple[float, float]:
    half = z * math.sqrt(p * (1 - p) / n) if n else 0
    return p - half, p + half


def limits_curve(overall_percent: float, sizes: list[float]) -> list[dict]:
    """The funnel's limit lines at a range of sizes, for the chart."""
    p = overall_percent / 100
    biggest = max(sizes) if sizes else 10
    steps = [max(2.0, biggest * i / 40) for i in range(1, 41)]
    return [
        {
            "n": n,
            "low95": 100 * max(0.0, _limits(p, n, 1.96)[0]),
            "high95": 100 * min(1.0, _limits(p, n, 1.96)[1]),
            "low998": 100 * max(0.0, _limits(p, n, 3.09)[0]),
            "high998": 100 * min(1.0, _limits(p, n, 3.09)[1]),
        }
        for n in steps
    ]
