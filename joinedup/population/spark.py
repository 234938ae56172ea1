"""The Spark engine: the same SQL as DuckDB, transpiled by SQLGlot, for populations too big
for one machine. Local mode by default (``local[2]``); ``JOINEDUP_SPARK_MASTER`` points it
at a cluster. PySpark needs Java 17 or newer."""

import tempfile
from collections.abc import Callable
from datetime import date
from time import perf_counter

import pyarrow as pa
import sqlglot
from django.conf import settings

from . import sql
from .config import PopulationConfig
from .engines import (
    EngineResult,
    codes_table,
    conditions_table,
    default_programmes,
    programme_codes_table,
    rules_tables,
)
from .store import AnalyticsStore


def to_spark(statement: str) -> str:
    """DuckDB SQL → Spark SQL."""
    return sqlglot.transpile(statement, read="duckdb", write="spark")[0]


# The cohort rules' tables (an empty table needs its schema spelt out).
_columns = {
    "place_rules": "min_conditions INT, any_band BOOLEAN",
    "place_bands": "band STRING",
    "place_conditions": "key STRING",
}


def spark_session(master: str | None = None):
    """A Spark session for joinedup's jobs (population runs and Splink linkage, whose
    string-similarity functions come from the jar Splink ships)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master(master or settings.SPARK_MASTER)
        .appName("joinedup")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", settings.SPARK_PARTITIONS)
        .config("spark.driver.memory", settings.SPARK_DRIVER_MEMORY)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    # Splink breaks long query lineages with checkpoints; on a cluster point this at
    # shared storage.
    session.sparkContext.setCheckpointDir(
        settings.SPARK_CHECKPOINT_DIR or tempfile.mkdtemp(prefix="joinedup-spark-")
    )
    return session


def run_spark(
    *,
    store: AnalyticsStore,
    config: PopulationConfig,
    codelists: dict[str, list[int]],
    as_of: str,
    spark=None,
    progress: Callable[[str], None] | None = None,
    rules: dict | None = None,
    programmes=None,
    plus_rules: dict | None = None,
    risk_model=None,
) -> EngineResult:
    from .programmes import programmes_sql
    from .risk import score_sql

    programmes = default_programmes(programmes)
    say = progress or (lambda step: None)
    as_of = date.fromisoformat(as_of).isoformat()
    started = perf_counter()
    steps: dict[str, float] = {}
    spark = spark or spark_session()
    views = []

    def view(name: str, frame) -> None:
        frame.cache().createOrReplaceTempView(name)
        views.append(frame)

    say("reading the store")
    view("persons", spark.read.parquet(str(store.persons_path)))
    merged = store.merged_path.exists()
    events = "stored_events" if merged else "events"
    if store.event_files():
        view(events, spark.read.parquet(*[str(p) for p in store.event_files()]))
    else:
        columns = (
            "person_id BIGINT, system STRING, code BIGINT, date DATE, value DOUBLE, unit STRING"
        )
        view(events, spark.createDataFrame([], columns))
    if merged:
        view("merged", spark.read.parquet(str(store.merged_path)))
        view("events", spark.sql(to_spark(sql.merged_events())))
    view("codes", spark.createDataFrame(codes_table(config, codelists)))
    view("conditions", spark.createDataFrame(conditions_table(config)))
    view(
        "programme_codes",
        spark.createDataFrame(
            programme_codes_table(programmes, codelists).to_pylist(), "slug STRING, code BIGINT"
        ),
    )
    for name, table in rules_tables(config, rules).items():
        frame = spark.createDataFrame(table.to_pylist(), "place STRING, " + _columns[name])
        view(name, frame)

    def step(name: str, table: str, statement: str) -> None:
        say(name)
        t = perf_counter()
        frame = spark.sql(to_spark(statement))
        view(table, frame)
        frame.count()  # materialise, so each step is timed on its own
        steps[name] = round(perf_counter() - t, 3)

    step("population", "pop", sql.population(as_of))
    step("coded events", "coded", sql.coded(as_of))
    step("registers", "registers", sql.registers(as_of))
    step("frailty", "deficit_flags", sql.deficits(as_of, config.polypharmacy_threshold))
    step(
        "profiles",
        "results",
        sql.profiles(
            efi_min_age=config.efi_min_age,
            n_deficits=len(config.efi_deficits),
            bands=config.efi_bands,
        ),
    )
    say("aggregates")
    t = perf_counter()
    aggregates = spark.sql(to_spark(sql.aggregates(config.adult_age, config.condition_keys)))
    aggregates_table = aggregates.toArrow()
    steps["aggregates"] = round(perf_counter() - t, 3)
    step("risk", "results", score_sql(config, risk_model))
    atoms, flags, programmed = programmes_sql(programmes, as_of, plus_rules)
    for i, atom in enumerate(atoms):
        step(f"programme rule {i + 1}", f"atom_{i}", atom)
    step("programme flags", "flags", flags)
    step("programmes", "results", programmed)
    profiles = spark.sql("SELECT * FROM results ORDER BY person_id").toArrow()
    events = spark.sql("SELECT count(*) AS n FROM events").collect()[0]["n"]
    for frame in views:
        frame.unpersist()
    return EngineResult(
        profiles=profiles,
        aggregates=pa.Table.from_batches(aggregates_table.to_batches()),
        events=events,
        seconds=perf_counter() - started,
        steps=steps,
    )
