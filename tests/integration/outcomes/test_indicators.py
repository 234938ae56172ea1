"""A month's indicators: worked out from the month's population snapshot and the records
as they stand, kept, worked out again without doubling, listed as missing (with why) when
they cannot be, and exported as CSV — exactly for staff, so that every figure can be
worked out again from its numerator and denominator, and with small numbers suppressed for
anything published."""

import csv
from datetime import date

import pyarrow.parquet as pq
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from joinedup.care.models import CaseloadEntry, Stage
from joinedup.outcomes import actions
from joinedup.outcomes.indicators import load_indicators
from joinedup.outcomes.models import IndicatorValue
from joinedup.population.actions import run_population

TODAY = date(2026, 11, 20)


@pytest.fixture
def borough(db):
    with time_machine.travel(TODAY, tick=False):
        call_command("synth", "--residents", "900", "--seed", "6")
        run = run_population(by=None, as_of=TODAY).run
        call_command("care", "build-caseload")
    return run


def _values(snapshot, indicator, place="", breakdown=""):
    return {
        v.stratum: v
        for v in IndicatorValue.objects.filter(
            snapshot=snapshot, indicator=indicator, place=place, breakdown=breakdown
        )
    }


def test_a_month_is_worked_out_from_its_snapshot_and_kept_once(borough):
    with time_machine.travel(TODAY, tick=False):
        snapshot = actions.snapshot_month(by=None, month=date(2026, 11, 1))
        again = actions.snapshot_month(by=None, month=date(2026, 11, 1))
    assert again.pk == snapshot.pk and snapshot.run == borough
    assert snapshot.missing == {}
    profiles = pq.read_table(borough.snapshot_path).to_pylist()
    adults = [p for p in profiles if p["age"] >= 18]
    in_programme = [p for p in adults if "ltc-3-plus" in (p["programmes"] or [])]
    total = _values(snapshot, "ltc-3-plus-prevalence")["all"]
    assert (total.numerator, total.denominator) == (len(in_programme), len(adults))
    assert total.value == pytest.approx(100 * len(in_programme) / len(adults))
    assert total.lower < total.value < total.upper
    # By IMD quintile, the strata add up to the total.
    by_imd = _values(snapshot, "ltc-3-plus-prevalence", breakdown="imd_quintile")
    assert sum(v.denominator for v in by_imd.values()) == len(adults)
    admissions = _values(snapshot, "frailty-admissions")["all"]
    frail = [p for p in profiles if "frailty" in (p["programmes"] or [])]
    assert admissions.numerator == sum(p["admissions_12m"] for p in frail)
    assert admissions.value == pytest.approx(1000 * admissions.numerator / len(frail))
    # Operational figures, as the records stand: the whole open caseload is the base.
    plans = _values(snapshot, "plan-agreed")["all"]
    assert plans.denominator == CaseloadEntry.objects.exclude(stage=Stage.CLOSED).count() > 0
    # Every indicator is there (the days to contact once someone has been contacted).
    keys = set(snapshot.values.values_list("indicator", flat=True))
    assert keys >= {i.key for i in load_indicators()} - {"identified-to-contacted"}
    assert snapshot.values.exclude(place="").exists()


def test_a_past_month_without_a_population_run_says_what_is_missing(borough):
    with time_machine.travel(TODAY, tick=False):
        snapshot = actions.snapshot_month(by=None, month=date(2026, 3, 1))
        assert "no population run" in snapshot.missing["ltc-3-plus-prevalence"]
        assert "past" in snapshot.missing["plan-agreed"]
        with pytest.raises(ValidationError, match="has not started"):
            actions.snapshot_month(by=None, month=date(2027, 1, 1))
    with pytest.raises(ValidationError, match="not a month"):
        actions.parse_month("November")


def test_exports_are_reproducible_for_staff_and_suppressed_for_the_public(borough, tmp_path):
    with time_machine.travel(TODAY, tick=False):
        actions.snapshot_month(by=None, month=date(2026, 11, 1))
        staff = actions.export_month(by=None, month=date(2026, 11, 1), out=tmp_path, public=False)
        public = actions.export_month(by=None, month=date(2026, 11, 1), out=tmp_path)
    scale = {"percent": 100, "per_1000": 1000}
    with staff.path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == staff.rows > 100
    for row in rows:
        if row["unit"] in scale and float(row["denominator"]) > 0:
            worked = float(row["numerator"]) / float(row["denominator"]) * scale[row["unit"]]
            assert float(row["value"]) == pytest.approx(worked, abs=0.001), row
    with public.path.open(encoding="utf-8") as f:
        published = list(csv.DictReader(f))
    assert any(r["numerator"] == "≤7" for r in published)
    for row in published:
        for column in ("numerator", "denominator"):
            if row[column] not in ("", "≤7"):
                assert int(row[column]) % 5 == 0, row
        if "≤7" in (row["numerator"], row["denominator"]):
            assert row["value"] == "", row  # nothing that would give the small count away
        elif row["unit"] in scale and row["value"]:
            # Worked out again from the rounded counts.
            worked = int(row["numerator"]) / int(row["denominator"]) * scale[row["unit"]]
            assert float(row["value"]) == pytest.approx(worked, abs=0.001), row


def test_the_commands(borough, tmp_path, capsys):
    with time_machine.travel(TODAY, tick=False):
        call_command("outcomes", "snapshot", "--month", "2026-11")
        call_command("outcomes", "export", "--month", "2026-11", "--out", str(tmp_path))
    assert "figures" in capsys.readouterr().out
    assert (tmp_path / "indicators-2026-11.csv").exists()
