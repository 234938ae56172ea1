"""Every write of the population app: codelists, runs and their profiles, cohorts."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.faults import crash_point
from joinedup.core.models import Organisation, OrganisationType, User
from joinedup.people.models import Person

from .codelists import read_codelist_dir
from .config import PopulationConfig, load_config
from .engines import EngineResult, run_duckdb
from .models import Codelist, CodelistCode, Cohort, PersonProfile, PopulationRun
from .risk_actions import active_model, score_run, train_risk_model  # noqa: F401 (ADR 0017)
from .store import PERSON_SCHEMA, AnalyticsStore


@transaction.atomic
def import_codelists(*, by: User | None, folder: Path | str) -> list[Codelist]:
    """Load every codelist in a folder (OpenCodelists ``code,term`` CSVs, with an optional
    ``manifest.json``). All or nothing: one bad file and nothing changes. A list already
    held under the same slug is replaced by the new version."""
    files = read_codelist_dir(Path(folder))
    now = timezone.now()
    saved = []
    for f in files:
        codelist, _ = Codelist.objects.update_or_create(
            slug=f.slug,
            defaults={"name": f.name, "source": f.source, "version": f.version, "imported_at": now},
        )
        codelist.codes.all().delete()
        CodelistCode.objects.bulk_create(
            [CodelistCode(codelist=codelist, code=code, term=term) for code, term in f.codes],
            batch_size=5000,
        )
        saved.append(codelist)
    record_audit(
        by=by,
        action="codelists.import",
        object_type="folder",
        object_id=Path(folder).name[:60],
        detail={"codelists": [c.slug for c in saved]},
    )
    return saved


def codelist_codes() -> dict[str, list[int]]:
    codes: dict[str, list[int]] = {}
    for slug, code in CodelistCode.objects.values_list("codelist__slug", "code"):
        codes.setdefault(slug, []).append(code)
    return codes


def export_persons(store: AnalyticsStore) -> int:
    """Write the people the engine counts (from the relational database) to the store:
    every record not merged into another, and which record each merged one became."""
    rows = Person.objects.filter(merged_into__isnull=True).values_list(
        "id",
        "nhs_number",
        "birth_date",
        "date_of_death",
        "sex",
        "ethnicity",
        "lsoa__imd_decile",
        "lsoa_id",
        "registered_practice_id",
        "registered_practice__ods_code",
        "registered_practice__neighbourhood_id",
        "registered_practice__neighbourhood__code",
        "registered_practice__neighbourhood__network__code",
    )
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in range(13)]
    place_of = practice_places()
    decile = columns[6]
    table = pa.table(
        {
            "person_id": pa.array(columns[0], pa.int64()),
            "nhs_number": pa.array(columns[1], pa.string()),
            "birth_date": pa.array(columns[2], pa.date32()),
            "date_of_death": pa.array(columns[3], pa.date32()),
            "sex": pa.array(columns[4], pa.string()),
            "ethnicity": pa.array(columns[5], pa.string()),
            "imd_quintile": pa.array([(d + 1) // 2 if d else None for d in decile], pa.int8()),
            "lsoa_id": pa.array(columns[7], pa.int64()),
            "practice_id": pa.array(columns[8], pa.int64()),
            "practice": pa.array(columns[9], pa.string()),
            "neighbourhood_id": pa.array(columns[10], pa.int64()),
            "neighbourhood": pa.array(columns[11], pa.string()),
            "lcn": pa.array(columns[12], pa.string()),
            "place": pa.array([place_of.get(p) for p in columns[8]], pa.string()),
        },
        schema=PERSON_SCHEMA,
    )
    store.write_persons(table, merged=merged_records())
    return table.num_rows


def practice_places() -> dict[int, str]:
    """{GP practice id: the code of its place} (``Organisation.home_place``), for every
    practice at once."""
    practices = (
        Organisation.objects.filter(type=OrganisationType.GP_PRACTICE)
        .select_related("neighbourhood__network__place")
        .prefetch_related("places")
    )
    return {p.pk: p.home_place.code for p in practices if p.home_place is not None}


def cohort_rules() -> dict:
    """{place code: CohortRule} from the places' settings ('' for the system's default)."""
    from joinedup.core.place_settings import by_place

    from .place_rules import rule_from

    return {(code or ""): rule_from(values) for code, values in by_place().items()}


def plus_rules() -> dict:
    """{place code: its Core20PLUS PLUS groups as one rule, or None} ('' the system's)."""
    from joinedup.core.place_settings import by_place

    from .place_rules import plus_rule

    return {(code or ""): plus_rule(values) for code, values in by_place().items()}


def merged_records() -> dict[int, int]:
    """``{merged record: the record it now is}``, following a survivor merged in turn."""
    into = dict(Person.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into"))
    final = {}
    for record, survivor in into.items():
        seen = {record}
        while survivor in into and survivor not in seen:
            seen.add(survivor)
            survivor = into[survivor]
        final[record] = survivor
    return final


@dataclass
class RunReport:
    run: PopulationRun
    result: EngineResult
    saved_seconds: float


def run_population(
    *,
    by: User | None,
    engine: str = "duckdb",
    as_of: date | None = None,
    store: AnalyticsStore | None = None,
    config: PopulationConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunReport:
    """Compute registers, counts, scores and aggregates, then save every person's profile.

    Every run is kept as a dated snapshot (its profiles and aggregates as Parquet in the
    analytics store: ``snapshot_path``, ``aggregates_path``), so any figure can be trended.
    A run as of a date no earlier than the current run's becomes current: its profiles
    replace the previous run's in one transaction, and readers see either the old results
    or the new ones, never a mixture. A run as of an earlier date (a backfill of a past
    month) is kept as a snapshot only and changes nothing current.
    """
    from time import perf_counter

    store = store or AnalyticsStore()
    config = config or load_config()
    as_of = as_of or timezone.localdate()
    if engine not in ("duckdb", "spark"):
        raise ValidationError({"engine": f"Unknown engine '{engine}' (use duckdb or spark)"})
    say = progress or (lambda step: None)
    say("exporting people")
    export_persons(store)
    started_at = timezone.now()
    if engine == "spark":
        from .spark import run_spark as run_engine
    else:
        run_engine = run_duckdb
    rules = cohort_rules()
    result = run_engine(
        store=store,
        config=config,
        codelists=codelist_codes(),
        as_of=as_of.isoformat(),
        progress=say,
        rules=rules,
        plus_rules=plus_rules(),
        risk_model=active_model(),
    )
    say("saving profiles")
    t = perf_counter()
    run = _save_run(
        by=by,
        result=result,
        as_of=as_of,
        engine=engine,
        started_at=started_at,
        config=config,
        rules=rules,
    )
    run.refresh_from_db(fields=["current"])
    if run.current and active_model() is not None:  # (a backfill's profiles are not kept)
        say("scoring the risk of admission")
        score_run(by=by, run=run, store=store, config=config)
    return RunReport(run=run, result=result, saved_seconds=perf_counter() - t)


@transaction.atomic
def _save_run(
    *, by, result: EngineResult, as_of, engine, started_at, config, rules=None
) -> PopulationRun:
    run = PopulationRun.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        as_of=as_of,
        engine=engine,
        people=result.profiles.num_rows,
        events=result.events,
        seconds=round(result.seconds, 3),
        config={
            "steps": result.steps,
            "threshold": config.multimorbidity_threshold,
            "rules": {place or "default": r.in_words() for place, r in (rules or {}).items()},
        },
    )
    write_snapshot(run, result)
    store_aggregates(run, result.aggregates)
    latest = PopulationRun.objects.filter(current=True).exclude(pk=run.pk).first()
    if latest is not None and as_of < latest.as_of:
        record_audit(
            by=by,
            action="population.backfill",
            object_type="population_run",
            object_id=run.pk,
            detail={"as_of": as_of.isoformat(), "people": run.people, "engine": engine},
        )
        return run
    columns = result.profiles.to_pydict()
    # Straight to the table with executemany: 230,000 model instances would cost more
    # than the whole engine run.
    fields = {
        "run_id": None,
        "person_id": "person_id",
        "conditions": "conditions",
        "ltc_count": "ltc_count",
        "multimorbid": "multimorbid",
        "cms": "cms",
        "efi": "efi",
        "efi_band": "efi_band",
        "age": "age",
        "age_band": "age_band",
        "sex": "sex",
        "ethnicity_group": "ethnicity_group",
        "imd_quintile": "imd_quintile",
        "lsoa_id": "lsoa_id",
        "practice_id": "practice_id",
        "neighbourhood_id": "neighbourhood_id",
        "admissions_12m": "admissions_12m",
        "ae_attendances_12m": "ae_12m",
        "programmes": "programmes",
        "core20plus": "core20plus",
    }
    for name in ("conditions", "programmes"):
        columns[name] = ["," + "".join(f"{c}," for c in keys or ()) for keys in columns[name]]
    columns["run_id"] = [run.pk] * result.profiles.num_rows
    rows = list(zip(*(columns[source or name] for name, source in fields.items()), strict=True))
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO {quote(PersonProfile._meta.db_table)} "  # noqa: S608 (names are ours)
        f"({', '.join(quote(name) for name in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    PersonProfile.objects.filter(run__current=True).delete()
    PopulationRun.objects.filter(current=True).update(current=False)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            cursor.executemany(insert, rows[start : start + 10_000])
            crash_point("population.saving")  # the old run gone, part of the new one in
    run.current = True
    run.save(update_fields=["current"])
    from .cohorts import DEFAULT_COHORTS

    for slug, name, definition in DEFAULT_COHORTS:
        Cohort.objects.get_or_create(slug=slug, defaults={"name": name, "definition": definition})
    record_audit(
        by=by,
        action="population.run",
        object_type="population_run",
        object_id=run.pk,
        detail={"people": run.people, "events": run.events, "engine": engine},
    )
    return run


def store_aggregates(run: PopulationRun, aggregates: pa.Table) -> None:
    """Aggregates sit beside the run in the analytics store (they are small)."""
    _write_atomically(run.aggregates_path, aggregates)


def write_snapshot(run: PopulationRun, result: EngineResult) -> None:
    """The run's per-person results, kept for good beside it: ``runs/profiles-<id>.parquet``
    (written whole or not at all)."""
    _write_atomically(run.snapshot_path, result.profiles)


def _write_atomically(path, table: pa.Table) -> None:
    import os

    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    pq.write_table(table, partial)
    os.replace(partial, path)


@dataclass
class Backfill:
    runs: list[PopulationRun]
    skipped: list[date]


def month_ends(months: int, before: date) -> list[date]:
    """The last days of the ``months`` whole months before ``before``'s month, oldest first.

    >>> month_ends(3, date(2026, 3, 15))
    [datetime.date(2025, 12, 31), datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)]
    """
    from dateutil.relativedelta import relativedelta

    first = before.replace(day=1)
    return [first - relativedelta(months=n) - timedelta(days=1) for n in range(months - 1, -1, -1)]


def backfill_months(
    *,
    by: User | None,
    months: int,
    engine: str = "duckdb",
    replace: bool = False,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Backfill:
    """A snapshot as of the end of each of the last ``months`` months, for trends from the
    coded record as it stands (months that have a run already are skipped unless
    ``replace``). People are today's registered list; someone who has since left a
    practice is not in past months (registration history is not kept)."""
    if not 1 <= months <= 120:
        raise ValidationError({"months": "give 1 to 120 months"})
    say = progress or (lambda step: None)
    runs, skipped = [], []
    for as_of in month_ends(months, today or timezone.localdate()):
        month = PopulationRun.objects.filter(as_of__year=as_of.year, as_of__month=as_of.month)
        if month.exists() and not replace:
            skipped.append(as_of)
            continue
        report = run_population(
            by=by, engine=engine, as_of=as_of, progress=lambda step, d=as_of: say(f"{d}: {step}")
        )
        runs.append(report.run)
    return Backfill(runs=runs, skipped=skipped)


@transaction.atomic
def save_cohort(
    *, by: User | None, slug: str, name: str, definition: dict, description: str = ""
) -> Cohort:
    """Save a named cohort definition after checking it names only known conditions."""
    from .cohorts import check_definition

    check_definition(definition, load_config())
    cohort, _ = Cohort.objects.update_or_create(
        slug=slug, defaults={"name": name, "definition": definition, "description": description}
    )
    record_audit(by=by, action="cohort.save", object_type="cohort", object_id=cohort.pk)
    return cohort
