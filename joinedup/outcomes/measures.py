"""Where each indicator's figures come from, for one month.

A measure gives rows of (place, breakdown, stratum, numerator, denominator), and may give
the value and its 95% interval itself (a median, a mean change); otherwise ``figure``
works them out from the unit: a Wilson interval for a percentage, an exact Poisson one
for a rate per 1,000.

Population measures read the month's population snapshot (its per-person results, as
Parquet) with DuckDB, for the whole system and each place, in total and by IMD quintile,
practice, neighbourhood, ethnic group, age band and sex. Operational measures read care,
the directory and engagement through their published queries, as the records stand when
the month is worked out.
"""

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

BREAKDOWNS = {
    "": "'all'",
    "imd_quintile": "coalesce(CAST(imd_quintile AS VARCHAR), 'unknown')",
    "practice": "coalesce(practice, 'unknown')",
    "neighbourhood": "coalesce(neighbourhood, 'unknown')",
    "ethnicity_group": "ethnicity_group",
    "age_band": "age_band",
    "sex": "sex",
}


@dataclass
class Row:
    place: str
    breakdown: str
    stratum: str
    numerator: float
    denominator: float
    value: float | None = None
    lower: float | None = None
    upper: float | None = None


@dataclass
class Month:
    """The month being worked out, and what it may read."""

    first: date
    last: date
    snapshot: object | None  # the population run (``PopulationRun``) of the month
    practice_places: dict[int, str]
    practice_names: dict[int, str]


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def population(indicator, month: Month) -> list[Row]:
    import duckdb

    measure = indicator.measure
    if month.snapshot is None:
        raise Unavailable("no population run as of this month (joinedup population backfill)")
    denominator = measure["denominator"]
    where = [f"age >= {int(denominator.get('min_age', 0))}"]
    if "programme" in denominator:
        where.append(f"list_contains(programmes, {_quote(denominator['programme'])})")
    numerator = measure["numerator"]
    if "programme" in numerator:
        programme = _quote(numerator["programme"])
        counted = f"CASE WHEN list_contains(programmes, {programme}) THEN 1 ELSE 0 END"
    elif "core20plus" in numerator:
        counted = "CASE WHEN core20plus THEN 1 ELSE 0 END"
    else:
        counted = f"coalesce({numerator['sum']}, 0)"  # checked: one of SUMMABLE
    parts = []
    for place, only in (("''", "TRUE"), ("place", "coalesce(place, '') <> ''")):
        for breakdown, stratum in BREAKDOWNS.items():
            parts.append(
                f"SELECT {place} AS place, '{breakdown}' AS breakdown, {stratum} AS stratum, "
                f"sum(n) AS numerator, count(*) AS denominator FROM base WHERE {only} "
                "GROUP BY 1, 2, 3"
            )
    path = str(month.snapshot.snapshot_path)
    query = (
        f"WITH base AS (SELECT *, {counted} AS n FROM read_parquet({_quote(path)}) "
        f"WHERE {' AND '.join(where)}) " + " UNION ALL ".join(parts)
    )
    with duckdb.connect() as con:
        rows = con.execute(query).fetchall()
    return [Row(p, b, str(s), float(n or 0), float(d)) for p, b, s, n, d in rows]


class Unavailable(Exception):
    """The indicator cannot be worked out for this month (and why)."""


def _operational(month: Month) -> date:
    """Operational figures are the records as they stand: only for the month now going
    on or the one just ended (a month-end run in the first days of the next)."""
    from django.utils import timezone

    today = timezone.localdate()
    if month.last < today.replace(day=1) - timedelta(days=1):
        raise Unavailable(
            "operational figures are kept from the month they were worked out in; this "
            "month is past"
        )
    return min(today, month.last)


def _by_place(pairs, month: Month) -> list[Row]:
    """Rows for the system and each place, in total and by practice, from (practice id,
    numerator, denominator)."""
    totals: dict[tuple, list[float]] = {}
    for practice_id, n, d in pairs:
        place = month.practice_places.get(practice_id, "")
        name = month.practice_names.get(practice_id, "unknown")
        keys = [("", "", "all"), ("", "practice", name)]
        if place:
            keys += [(place, "", "all"), (place, "practice", name)]
        for key in keys:
            pair = totals.setdefault(key, [0.0, 0.0])
            pair[0] += n
            pair[1] += d
    return [Row(*key, n, d) for key, (n, d) in totals.items()]


def plan_agreed(indicator, month: Month) -> list[Row]:
    from joinedup.care.interface import plan_agreed_by_practice

    _operational(month)
    return _by_place(plan_agreed_by_practice(), month)


def days_to_contact(indicator, month: Month) -> list[Row]:
    from joinedup.care.interface import days_to_contact as delays

    until = _operational(month)
    found = delays(since=until - timedelta(days=365), until=until)
    groups: dict[tuple, list[int]] = {}
    for practice_id, days in found:
        place = month.practice_places.get(practice_id, "")
        groups.setdefault(("", "", "all"), []).append(days)
        if place:
            groups.setdefault((place, "", "all"), []).append(days)
    return [
        Row(
            place,
            breakdown,
            stratum,
            float(statistics.median(days)),
            float(len(days)),
            value=float(statistics.median(days)),
        )  # fmt: skip
        for (place, breakdown, stratum), days in groups.items()
    ]


def reviews_overdue(indicator, month: Month) -> list[Row]:
    from joinedup.care.interface import overdue_reviews_by_organisation

    today = _operational(month)
    return _by_organisation(overdue_reviews_by_organisation(today))


def tasks_overdue(indicator, month: Month) -> list[Row]:
    from joinedup.care.interface import overdue_tasks_by_organisation

    today = _operational(month)
    return _by_organisation(overdue_tasks_by_organisation(today))


def _by_organisation(rows) -> list[Row]:
    total = Row("", "", "all", float(sum(r[1] for r in rows)), float(sum(r[2] for r in rows)))
    return [total] + [Row("", "organisation", name, float(n), float(d)) for name, n, d in rows]


def ons4_change(indicator, month: Month) -> list[Row]:
    from joinedup.directory.queries import wellbeing_changes

    changes = wellbeing_changes(until=_operational(month))
    if not changes:
        return [Row("", "", "all", 0.0, 0.0)]
    mean = statistics.fmean(changes)
    half = 1.96 * statistics.stdev(changes) / math.sqrt(len(changes)) if len(changes) > 1 else None
    return [
        Row(
            "",
            "",
            "all",
            sum(changes),
            float(len(changes)),
            value=mean,
            lower=mean - half if half is not None else None,
            upper=mean + half if half is not None else None,
        )  # fmt: skip
    ]


def decisions_done(indicator, month: Month) -> list[Row]:
    from joinedup.engagement.queries import decisions_done as done

    n, d = done(until=_operational(month))
    return [Row("", "", "all", float(n), float(d))]


SOURCES = {
    "population": population,
    "plan_agreed": plan_agreed,
    "days_to_contact": days_to_contact,
    "reviews_overdue": reviews_overdue,
    "tasks_overdue": tasks_overdue,
    "ons4_change": ons4_change,
    "decisions_done": decisions_done,
}


def wilson(n: float, d: float) -> tuple[float, float]:
    """The Wilson score 95% interval of a proportion, as fractions."""
    if d <= 0:
        return (math.nan, math.nan)
    z, p = 1.96, n / d
    centre = (p + z * z / (2 * d)) / (1 + z * z / d)
    half = z * math.sqrt(p * (1 - p) / d + z * z / (4 * d * d)) / (1 + z * z / d)
    return centre - half, centre + half


def poisson(n: float) -> tuple[float, float]:
    """The exact (Garwood) 95% interval of a count."""
    from scipy.stats import chi2

    lower = chi2.ppf(0.025, 2 * n) / 2 if n > 0 else 0.0
    return float(lower), float(chi2.ppf(0.975, 2 * n + 2) / 2)


# Counts of 1 to 7 are not shown, nor any figure resting on them, wherever a figure could
# leave the staff view (docs/architecture.md, convention 6).
SMALL = 7


def published(indicator, numerator, denominator, value, lower, upper) -> tuple:
    """A figure as it may leave the staff view: (numerator, denominator, value, lower,
    upper), the counts suppressed (1–7 as "≤7", others rounded to 5; a median's or mean's
    numerator is not a count and is left out), a rate worked out again from the rounded
    counts so it gives nothing they do not, and nothing resting on a small count."""
    from joinedup.population.exports import suppress

    counts = indicator.unit in ("percent", "per_1000")
    shown_n = suppress(int(numerator)) if counts else ""
    shown_d = suppress(int(denominator))
    if denominator <= 0 or denominator <= SMALL or (counts and 0 < numerator <= SMALL):
        return shown_n, shown_d, None, None, None
    if counts:
        row = figure(indicator, Row("", "", "", float(shown_n), float(shown_d)))
        return shown_n, shown_d, row.value, row.lower, row.upper
    return shown_n, shown_d, value, lower, upper


def figure(indicator, row: Row) -> Row:
    """The row's value and interval in the indicator's unit (unless the measure gave
    them)."""
    if row.value is not None or row.denominator <= 0:
        return row
    scale = indicator.scale
    row.value = row.numerator / row.denominator * scale
    if indicator.unit == "percent":
        low, high = wilson(row.numerator, row.denominator)
        row.lower, row.upper = low * scale, high * scale
    elif indicator.unit == "per_1000":
        low, high = poisson(row.numerator)
        row.lower, row.upper = low / row.denominator * scale, high / row.denominator * scale
    return row
