"""Every write of the outcomes app: a month's indicators, worked out and kept."""

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Organisation, OrganisationType, User

from .indicators import load_indicators
from .measures import SOURCES, Month, Unavailable, figure, published
from .models import IndicatorValue, OutcomesSnapshot


def parse_month(text: str) -> date:
    """ "2026-11" → 1 November 2026, or a ValidationError saying what a month looks like."""
    try:
        year, month = (int(part) for part in str(text).split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"month: '{text}' is not a month (YYYY-MM)") from exc


def recent_months(months: int) -> list[date]:
    """The first days of this month and the ``months`` before it, oldest first."""
    from dateutil.relativedelta import relativedelta

    if not 0 <= months <= 120:
        raise ValidationError("months: give 0 to 120")
    this = timezone.localdate().replace(day=1)
    return [this - relativedelta(months=n) for n in range(months, -1, -1)]


def _last_day(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def month_run(first: date):
    """The population run of a month: the latest as of a day in it."""
    from joinedup.population.models import PopulationRun

    return (
        PopulationRun.objects.filter(as_of__gte=first, as_of__lte=_last_day(first))
        .order_by("-as_of", "-pk")
        .first()
    )


@transaction.atomic
def snapshot_month(*, by: User | None, month: date) -> OutcomesSnapshot:
    """Work out every indicator for ``month`` (its first day) and keep the figures,
    replacing any kept for that month before. An indicator that cannot be worked out for
    the month is listed with why (``missing``), not left out silently."""
    from joinedup.population.actions import practice_places

    if month > timezone.localdate():
        raise ValidationError(f"month: {month:%Y-%m} has not started")
    started = perf_counter()
    run = month_run(month)
    context = Month(
        first=month,
        last=_last_day(month),
        snapshot=run,
        practice_places=practice_places(),
        practice_names=dict(
            Organisation.objects.filter(type=OrganisationType.GP_PRACTICE).values_list("pk", "name")
        ),
    )
    snapshot, _ = OutcomesSnapshot.objects.update_or_create(
        month=month,
        defaults={"computed_at": timezone.now(), "computed_by": by, "run": run},
    )
    snapshot.values.all().delete()
    missing, values = {}, []
    for indicator in load_indicators():
        try:
            rows = SOURCES[indicator.measure["source"]](indicator, context)
        except Unavailable as why:
            missing[indicator.key] = str(why)
            continue
        for row in rows:
            row = figure(indicator, row)
            values.append(
                IndicatorValue(
                    snapshot=snapshot,
                    indicator=indicator.key,
                    place=row.place,
                    breakdown=row.breakdown,
                    stratum=row.stratum[:100],
                    numerator=row.numerator,
                    denominator=row.denominator,
                    value=row.value,
                    lower=row.lower,
                    upper=row.upper,
                )
            )
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    snapshot.missing = missing
    snapshot.seconds = round(perf_counter() - started, 3)
    snapshot.save(update_fields=["missing", "seconds"])
    record_audit(
        by=by,
        action="outcomes.snapshot",
        object_type="outcomes_snapshot",
        object_id=snapshot.pk,
        detail={"month": f"{month:%Y-%m}", "figures": len(values), "missing": len(missing)},
    )
    return snapshot


@dataclass
class Export:
    path: Path
    rows: int


COLUMNS = (
    "month", "indicator", "title", "ltp_area", "core20plus5", "unit", "direction", "target",
    "place", "breakdown", "stratum", "numerator", "denominator", "value", "lower", "upper",
)  # fmt: skip


def export_month(*, by: User | None, month: date, out: Path, public: bool = True) -> Export:
    """The month's figures as CSV, each with its numerator and denominator so that every
    figure can be worked out again. ``public`` (the default, for anything that leaves the
    staff view): counts of 1 to 7 shown as "≤7" and others rounded to 5, a rate worked
    out again from the rounded counts (so it gives nothing the counts do not), and a
    figure whose counts are suppressed left out; a median or mean is shown only where 8
    or more people are behind it."""
    snapshot = OutcomesSnapshot.objects.filter(month=month).first()
    if snapshot is None:
        raise ValidationError(
            f"No figures for {month:%Y-%m}: run `joinedup outcomes snapshot --month "
            f"{month:%Y-%m}` first"
        )
    by_key = {i.key: i for i in load_indicators()}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"indicators-{month:%Y-%m}{'' if public else '-staff'}.csv"
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for v in snapshot.values.order_by("indicator", "place", "breakdown", "stratum"):
            indicator = by_key.get(v.indicator)
            if indicator is None:
                continue
            numerator, denominator = _number(v.numerator), _number(v.denominator)
            figures = [v.value, v.lower, v.upper]
            if public:
                numerator, denominator, *figures = published(
                    indicator, v.numerator, v.denominator, v.value, v.lower, v.upper
                )
            writer.writerow(
                [
                    f"{month:%Y-%m}",
                    v.indicator,
                    indicator.title,
                    indicator.ltp_area,
                    indicator.core20plus5,
                    indicator.unit,
                    indicator.direction,
                    "" if indicator.target is None else indicator.target,
                    v.place or "system",
                    v.breakdown or "total",
                    v.stratum,
                    numerator,
                    denominator,
                    *("" if x is None else round(x, 3) for x in figures),
                ]  # fmt: skip
            )
            count += 1
    record_audit(
        by=by,
        action="outcomes.export",
        object_type="outcomes_snapshot",
        object_id=snapshot.pk,
        detail={"month": f"{month:%Y-%m}", "public": public, "rows": count},
    )
    return Export(path=path, rows=count)


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.3f}"


@transaction.atomic
def make_pack(*, by: User | None, board, month: date):
    """The board's pack for the month, staff and public versions, as HTML and PDF (made
    again, replacing the files, when asked again; a released pack stays released)."""
    import os
    import secrets

    from django.template.loader import render_to_string

    from joinedup.core.documents import pdf

    from . import packs
    from .models import BoardPack

    if not OutcomesSnapshot.objects.filter(month=month).exists():
        raise ValidationError(
            f"No figures for {month:%Y-%m}: run `joinedup outcomes snapshot --month "
            f"{month:%Y-%m}` first"
        )
    pack, _ = BoardPack.objects.get_or_create(
        board=board,
        month=month,
        defaults={"made_at": timezone.now(), "made_by": by, "token": secrets.token_hex(16)},
    )
    pack.made_at, pack.made_by = timezone.now(), by
    pack.save(update_fields=["made_at", "made_by"])
    for public in (False, True):
        context = {"pack": packs.build(board, month, public=public)}
        document = render_to_string("outcomes/pack_document.jinja", context)
        for path, content in (
            (pack.path(public=public), document.encode("utf-8")),
            (pack.path(public=public, pdf=True), pdf(document)),
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.partial")
            partial.write_bytes(content)
            os.replace(partial, path)
    record_audit(
        by=by,
        action="outcomes.pack",
        object_type="board_pack",
        object_id=pack.pk,
        detail={"board": board.name, "month": f"{month:%Y-%m}"},
    )
    return pack


@transaction.atomic
def release_pack(*, by: User | None, pack):
    """Publish the pack's public version at its public address."""
    if pack.released_at is None:
        pack.released_at, pack.released_by = timezone.now(), by
        pack.save(update_fields=["released_at", "released_by"])
        record_audit(
            by=by, action="outcomes.pack.release", object_type="board_pack", object_id=pack.pk
        )
    return pack
