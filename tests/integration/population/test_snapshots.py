"""History that lasts: every population run is kept as a dated snapshot (per-person
results and aggregates), a new run does not replace the old one's snapshot, and a run
as of a past month is a backfill that leaves today's results alone."""

from datetime import date

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from joinedup.core.models import AuditEvent
from joinedup.people.models import Person
from joinedup.population import actions
from joinedup.population.models import PersonProfile, PopulationRun


@pytest.fixture
def borough(db):
    call_command("synth", "--residents", "600", "--seed", "8")
    return Person.objects.count()


def test_each_run_is_kept_and_a_past_month_is_a_backfill(borough):
    first = actions.run_population(by=None, as_of=date(2026, 6, 30)).run
    second = actions.run_population(by=None, as_of=date(2026, 7, 31)).run
    assert PopulationRun.objects.get(current=True) == second
    # The first run's results are still there to trend, beside the second's.
    for run in (first, second):
        profiles = pq.read_table(run.snapshot_path)
        assert profiles.num_rows == run.people > 0
        assert {"programmes", "core20plus", "ltc_count"} <= set(profiles.column_names)
        assert run.aggregates_path.exists()
    assert set(PersonProfile.objects.values_list("run", flat=True)) == {second.pk}

    backfill = actions.run_population(by=None, as_of=date(2026, 5, 31)).run
    assert not backfill.current and backfill.snapshot_path.exists()
    assert PopulationRun.objects.get(current=True) == second  # today's results untouched
    assert set(PersonProfile.objects.values_list("run", flat=True)) == {second.pk}
    assert AuditEvent.objects.filter(action="population.backfill", object_id=backfill.pk).exists()


def test_backfill_keeps_a_snapshot_for_each_past_month_once(borough, capsys):
    actions.run_population(by=None, as_of=date(2026, 12, 2))
    done = actions.backfill_months(by=None, months=3, today=date(2026, 12, 2))
    assert [r.as_of for r in done.runs] == [
        date(2026, 9, 30),
        date(2026, 10, 31),
        date(2026, 11, 30),
    ]
    again = actions.backfill_months(by=None, months=3, today=date(2026, 12, 2))
    assert again.runs == [] and len(again.skipped) == 3
    assert PopulationRun.objects.get(current=True).as_of == date(2026, 12, 2)
    # Earlier months count fewer people with recent events: the figures are as of then.
    sizes = [pq.read_table(r.snapshot_path).num_rows for r in done.runs]
    assert all(size > 0 for size in sizes)


def test_month_ends():
    assert actions.month_ends(2, date(2024, 3, 31)) == [date(2024, 1, 31), date(2024, 2, 29)]
    with pytest.raises(Exception, match="1 to 120"):
        actions.backfill_months(by=None, months=0)
