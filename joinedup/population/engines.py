"""Population engines. DuckDB runs in-process and is the default.

An engine takes the analytics store, the definitions and the codelists, and returns
per-person results and aggregates as Arrow tables. Nothing is written here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from time import perf_counter

import duckdb
import pyarrow as pa
from django.conf import settings

from . import sql
from .config import PopulationConfig
from .store import AnalyticsStore

# Hospital use comes from encounter codes (SNOMED CT).
ENCOUNTER_CODES = {"admission": (32485007,), "ae": (4525004,)}


@dataclass
class EngineResult:
    profiles: pa.Table
    aggregates: pa.Table
    events: int
    seconds: float
    steps: dict


def codes_table(config: PopulationConfig, codelists: dict[str, list[int]]) -> pa.Table:
    """Flatten the definitions into (target, kind, role, system, code) rows."""
    missing = sorted(config.codelist_slugs() - set(codelists))
    if missing:
        raise ValueError(
            f"Codelists not imported: {', '.join(missing)} (run `joinedup codelists import`)"
        )
    rows = []
    for c in config.conditions:
        for role, slugs in (("diagnosis", c.diagnosis), ("resolved", c.resolved)):
            rows += [
                (c.key, "condition", role, "snomed", code) for s in slugs for code in codelists[s]
            ]
    for d in config.efi_deficits:
        rows += [
            (d.key, "deficit", "diagnosis", "snomed", code)
            for s in d.codelists
            for code in codelists[s]
        ]
    for target, codes in ENCOUNTER_CODES.items():
        rows += [(target, "encounter", "diagnosis", "snomed", code) for code in codes]
    columns = list(zip(*rows, strict=True)) if rows else [[], [], [], [], []]
    return (
        pa.table(
            {
                "target": pa.array(columns[0], pa.string()),
                "kind": pa.array(columns[1], pa.string()),
                "role": pa.array(columns[2], pa.string()),
                "system": pa.array(columns[3], pa.string()),
                "code": pa.array(columns[4], pa.int64()),
            }
        )
        .group_by(["target", "kind", "role", "system", "code"])
        .aggregate([])
    )


def conditions_table(config: PopulationConfig) -> pa.Table:
    return pa.table(
        {
            "key": [c.key for c in config.conditions],
            "rule": [c.rule for c in config.conditions],
            "min_age": pa.array([c.min_age for c in config.conditions], pa.int32()),
            "counts": [c.counts_towards_multimorbidity for c in config.conditions],
            "cms_weight": pa.array([c.cms_weight for c in config.conditions], pa.float64()),
            "cms_group": [c.cms_group for c in config.conditions],
        }
    )


def programme_codes_table(programmes, codelists: dict[str, list[int]]) -> pa.Table:
    from .programmes import codes_rows

    rows = codes_rows(programmes, codelists)
    return pa.table(
        {
            "slug": pa.array([s for s, _ in rows], pa.string()),
            "code": pa.array([c for _, c in rows], pa.int64()),
        }
    )


def default_programmes(programmes):
    from .programmes import load_programmes

    return load_programmes() if programmes is None else programmes


def rules_tables(config: PopulationConfig, rules: dict | None) -> dict[str, pa.Table]:
    """The cohort rule of each place (``{place code: CohortRule}``, '' for the system's
    default) as the three tables the profiles step joins; without rules, the population
    definitions' own (every place the same)."""
    if not rules:
        from .place_rules import CohortRule

        default = tuple(c.key for c in config.conditions if c.counts_towards_multimorbidity)
        rules = {"": CohortRule(config.multimorbidity_threshold, (), default)}
    places = list(rules)
    return {
        "place_rules": pa.table(
            {
                "place": places,
                "min_conditions": pa.array([rules[p].min_conditions for p in places], pa.int32()),
                "any_band": [not rules[p].frailty_bands for p in places],
            }
        ),
        "place_bands": pa.table(
            {
                "place": pa.array([p for p in places for _ in rules[p].frailty_bands], pa.string()),
                "band": pa.array([b for p in places for b in rules[p].frailty_bands], pa.string()),
            }
        ),
        "place_conditions": pa.table(
            {
                "place": pa.array([p for p in places for _ in rules[p].conditions], pa.string()),
                "key": pa.array([k for p in places for k in rules[p].conditions], pa.string()),
            }
        ),
    }


def run_duckdb(
    *,
    store: AnalyticsStore,
    config: PopulationConfig,
    codelists: dict[str, list[int]],
    as_of: str,
    threads: int | None = None,
    memory_limit: str | None = None,
    progress: Callable[[str], None] | None = None,
    rules: dict | None = None,
    programmes=None,
    plus_rules: dict | None = None,
    risk_model=None,
) -> EngineResult:
    """Run every step in one in-memory DuckDB connection reading the Parquet store, with
    each place's cohort rule (``rules_tables``), then each care programme's rule
    (``programmes``, the shipped ones by default; ``plus_rules`` each place's PLUS groups
    for Core20PLUS)."""
    from .programmes import programmes_sql

    programmes = default_programmes(programmes)
    say = progress or (lambda step: None)
    as_of = date.fromisoformat(as_of).isoformat()  # only a real date reaches the SQL
    started = perf_counter()
    steps: dict[str, float] = {}
    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        # DuckDB spills to disk beyond this, keeping a system-scale run inside 6 GB on a
        # 24 GB, 2-core machine (settings.DUCKDB_MEMORY_LIMIT, JOINEDUP_DUCKDB_MEMORY_LIMIT).
        con.execute(f"SET memory_limit = '{memory_limit or settings.DUCKDB_MEMORY_LIMIT}'")
        con.execute("SET preserve_insertion_order = false")
        merged = store.merged_path.exists()
        events = "stored_events" if merged else "events"
        if store.event_files():
            con.execute(
                f"CREATE VIEW {events} AS SELECT * FROM read_parquet('{store.events_glob()}')"
            )
        else:
            con.execute(
                f"CREATE TABLE {events} (person_id BIGINT, system VARCHAR, code BIGINT, "
                "date DATE, value DOUBLE, unit VARCHAR)"
            )
        if merged:
            con.execute(f"CREATE TABLE merged AS SELECT * FROM read_parquet('{store.merged_path}')")
            con.execute(f"CREATE VIEW events AS {sql.merged_events()}")
        con.execute(f"CREATE VIEW persons AS SELECT * FROM read_parquet('{store.persons_path}')")
        con.register("codes_arrow", codes_table(config, codelists))
        con.execute("CREATE TABLE codes AS SELECT * FROM codes_arrow")
        con.register("conditions_arrow", conditions_table(config))
        con.execute("CREATE TABLE conditions AS SELECT * FROM conditions_arrow")
        con.register("programme_codes_arrow", programme_codes_table(programmes, codelists))
        con.execute("CREATE TABLE programme_codes AS SELECT * FROM programme_codes_arrow")
        for name, table in rules_tables(config, rules).items():
            con.register(f"{name}_arrow", table)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")  # noqa: S608

        def step(name: str, statement: str) -> None:
            say(name)
            t = perf_counter()
            con.execute(statement)
            steps[name] = round(perf_counter() - t, 3)

        step("population", f"CREATE TABLE pop AS {sql.population(as_of)}")
        step("coded events", f"CREATE TABLE coded AS {sql.coded(as_of)}")
        step("registers", f"CREATE TABLE registers AS {sql.registers(as_of)}")
        step(
            "frailty",
            "CREATE TABLE deficit_flags AS " + sql.deficits(as_of, config.polypharmacy_threshold),
        )
        step(
            "profiles",
            "CREATE TABLE results AS "
            + sql.profiles(
                efi_min_age=config.efi_min_age,
                n_deficits=len(config.efi_deficits),
                bands=config.efi_bands,
            ),
        )
        from .risk import score_sql

        step("risk", f"CREATE TABLE scored_results AS {score_sql(config, risk_model)}")
        con.execute("DROP TABLE results")
        con.execute("ALTER TABLE scored_results RENAME TO results")
        atoms, flags, programmed = programmes_sql(programmes, as_of, plus_rules)
        for i, atom in enumerate(atoms):
            step(f"programme rule {i + 1}", f"CREATE TABLE atom_{i} AS {atom}")
        step("programme flags", f"CREATE TABLE flags AS {flags}")
        step("programmes", f"CREATE TABLE programmed AS {programmed}")
        con.execute("DROP TABLE results")
        con.execute("ALTER TABLE programmed RENAME TO results")
        say("aggregates")
        t = perf_counter()
        aggregates = con.sql(
            sql.aggregates(config.adult_age, config.condition_keys)
        ).to_arrow_table()
        steps["aggregates"] = round(perf_counter() - t, 3)
        profiles = con.sql("SELECT * FROM results").to_arrow_table()
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        con.close()
    return EngineResult(
        profiles=profiles,
        aggregates=aggregates,
        events=events,
        seconds=perf_counter() - started,
        steps=steps,
    )
