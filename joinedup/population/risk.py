"""The risk of an emergency admission in the next 12 months: features from the coded
record as of a date, labels from the year after it, a logistic regression on standardised
features, and each person's reasons (ADR 0017).

Features are computed by the population engine's own SQL (``sql.py``: the population, the
registers, the eFI deficits and hospital use as of the date) on DuckDB, then one query
(:func:`features_sql`) over its results. A person's contribution of a feature is its
coefficient times their standardised value: the log-odds it adds to, or takes from, the
average person's. The reasons are the largest of those that raise the risk.

Nothing here writes: ``risk_actions.py`` trains, saves and scores.
"""

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pyarrow as pa
from dateutil.relativedelta import relativedelta
from django.conf import settings

from . import sql
from .config import PopulationConfig
from .engines import ENCOUNTER_CODES, codes_table, conditions_table, rules_tables
from .store import AnalyticsStore

# The features besides one per register, in order (names are SQL column names).
BASE_FEATURES = (
    "age",
    "years_over_70",
    "female",
    "imd_quintile",
    "ltc_count",
    "frailty_deficits",
    "polypharmacy",
    "admissions_12m",
    "ae_12m",
)
REASON_COUNT = 3
HELD_OUT_SHARE = 0.25


def feature_names(config: PopulationConfig) -> list[str]:
    return [*BASE_FEATURES, *(f"condition_{key}" for key in config.condition_keys)]


def features_sql(config: PopulationConfig) -> str:
    """One row per person of the engine's ``results`` (as of its date) with every feature.
    A missing IMD quintile counts as the middle one (3)."""
    conditions = ", ".join(
        f"CAST(list_contains(r.conditions, '{key}') AS INTEGER) AS condition_{key}"
        for key in config.condition_keys
    )
    return f"""
    WITH deficit_counts AS (
        SELECT person_id,
               count(CASE WHEN deficit <> 'polypharmacy' THEN 1 END) AS frailty_deficits,
               max(CASE WHEN deficit = 'polypharmacy' THEN 1 ELSE 0 END) AS polypharmacy
        FROM deficit_flags GROUP BY person_id
    )
    SELECT r.person_id,
           CAST(r.age AS DOUBLE) AS age,
           CAST(greatest(r.age - 70, 0) AS DOUBLE) AS years_over_70,
           CASE WHEN r.sex = 'female' THEN 1 ELSE 0 END AS female,
           coalesce(r.imd_quintile, 3) AS imd_quintile,
           r.ltc_count,
           coalesce(d.frailty_deficits, 0) AS frailty_deficits,
           coalesce(d.polypharmacy, 0) AS polypharmacy,
           r.admissions_12m,
           r.ae_12m,
           {conditions}
    FROM results r
    LEFT JOIN deficit_counts d ON d.person_id = r.person_id
    ORDER BY r.person_id
    """


def score_sql(config: PopulationConfig, model) -> str:
    """``results`` with each person's ``risk_score`` by ``model`` (a ``RiskModel``, or None:
    no score), worked out in the engine's own SQL so that programme rules can use it."""
    if model is None or list(model.features) != feature_names(config):
        return "SELECT r.*, CAST(NULL AS DOUBLE) AS risk_score FROM results r"
    terms = " + ".join(
        f"({float(c)!r}) * (f.{name} - ({float(m)!r})) / ({float(s)!r})"
        for name, c, m, s in zip(
            model.features, model.coefficients, model.means, model.scales, strict=True
        )
    )
    return f"""
    SELECT r.*, 1.0 / (1.0 + exp(-(({float(model.intercept)!r}) + {terms}))) AS risk_score
    FROM results r JOIN ({features_sql(config)}) f ON f.person_id = r.person_id
    """


def admissions_after_sql(as_of: str) -> str:
    """Emergency admissions in the 12 months after ``as_of`` (the label)."""
    codes = ", ".join(str(c) for c in ENCOUNTER_CODES["admission"])
    return f"""
    SELECT person_id, count(*) AS admissions_after FROM events
    WHERE system = 'snomed' AND code IN ({codes})
      AND date > DATE '{as_of}' AND date <= DATE '{as_of}' + INTERVAL 1 YEAR
    GROUP BY person_id
    """


def _connect(
    store: AnalyticsStore, config: PopulationConfig, codelists
) -> duckdb.DuckDBPyConnection:
    """The engine's input tables, set up as ``engines.run_duckdb`` sets them up."""
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{settings.DUCKDB_MEMORY_LIMIT}'")
    merged = store.merged_path.exists()
    events = "stored_events" if merged else "events"
    if store.event_files():
        con.execute(f"CREATE VIEW {events} AS SELECT * FROM read_parquet('{store.events_glob()}')")
    else:
        con.execute(
            f"CREATE TABLE {events} (person_id BIGINT, system VARCHAR, code BIGINT, "
            "date DATE, value DOUBLE, unit VARCHAR)"
        )
    if merged:
        con.execute(f"CREATE TABLE merged AS SELECT * FROM read_parquet('{store.merged_path}')")
        con.execute(f"CREATE VIEW events AS {sql.merged_events()}")
    con.execute(f"CREATE VIEW persons AS SELECT * FROM read_parquet('{store.persons_path}')")
    tables = {
        "codes": codes_table(config, codelists),
        "conditions": conditions_table(config),
        **rules_tables(config, None),
    }
    for name, table in tables.items():
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")  # noqa: S608
    return con


def feature_table(
    *, store: AnalyticsStore, config: PopulationConfig, codelists, as_of: date, labels: bool
) -> pa.Table:
    """Every counted person's features as of ``as_of`` (the engine's rules), and with
    ``labels`` the column ``admitted``: an emergency admission in the 12 months after."""
    day = as_of.isoformat()
    con = _connect(store, config, codelists)
    try:
        con.execute(f"CREATE TABLE pop AS {sql.population(day)}")
        con.execute(f"CREATE TABLE coded AS {sql.coded(day)}")
        con.execute(f"CREATE TABLE registers AS {sql.registers(day)}")
        con.execute(
            f"CREATE TABLE deficit_flags AS {sql.deficits(day, config.polypharmacy_threshold)}"
        )
        profiles = sql.profiles(
            efi_min_age=config.efi_min_age,
            n_deficits=len(config.efi_deficits),
            bands=config.efi_bands,
        )
        con.execute(f"CREATE TABLE results AS {profiles}")
        query = features_sql(config)
        if labels:
            query = (
                f"SELECT f.*, CAST(a.admissions_after IS NOT NULL AS INTEGER) AS admitted "
                f"FROM ({query}) f LEFT JOIN ({admissions_after_sql(day)}) a "
                "ON a.person_id = f.person_id ORDER BY f.person_id"
            )
        return con.sql(query).to_arrow_table()
    finally:
        con.close()


def training_date(as_of: date) -> date:
    """Features a year before ``as_of``, so that the 12 months after are observed."""
    return as_of - relativedelta(years=1)


@dataclass
class Fitted:
    features: list[str]
    means: list[float]
    scales: list[float]
    coefficients: list[float]
    intercept: float
    training_rows: int
    held_out_rows: int
    admitted_share: float
    auroc: float
    calibration: list[dict]


def matrix(table: pa.Table, features: list[str]) -> np.ndarray:
    return np.column_stack(
        [table.column(f).to_numpy(zero_copy_only=False).astype(float) for f in features]
    ) if table.num_rows else np.zeros((0, len(features)))  # fmt: skip


def held_out(person_ids: np.ndarray, seed: int = 17) -> np.ndarray:
    """Which people are held out (a quarter, by person, the same each time)."""
    return np.random.default_rng(seed).random(len(person_ids)) < HELD_OUT_SHARE


def fit(table: pa.Table, features: list[str]) -> Fitted:
    """Fit on three quarters of the people; AUROC and calibration deciles on the rest."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    x = matrix(table, features)
    y = table.column("admitted").to_numpy().astype(int)
    test = held_out(table.column("person_id").to_numpy())
    if len(set(y[~test])) < 2 or len(set(y[test])) < 2:
        raise ValueError("Too few people admitted (or not) in the year after to train on")
    means = x[~test].mean(axis=0)
    scales = x[~test].std(axis=0)
    scales[scales == 0] = 1.0  # a feature nobody varies in adds nothing
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit((x[~test] - means) / scales, y[~test])
    fitted = Fitted(
        features=features,
        means=means.tolist(),
        scales=scales.tolist(),
        coefficients=model.coef_[0].tolist(),
        intercept=float(model.intercept_[0]),
        training_rows=int((~test).sum()),
        held_out_rows=int(test.sum()),
        admitted_share=float(y.mean()),
        auroc=0.0,
        calibration=[],
    )
    predicted = predict(fitted, x[test])
    fitted.auroc = float(roc_auc_score(y[test], predicted))
    fitted.calibration = calibration_deciles(predicted, y[test])
    return fitted


def calibration_deciles(predicted: np.ndarray, observed: np.ndarray) -> list[dict]:
    """Tenths of the people by predicted risk: mean predicted and observed share."""
    order = np.argsort(predicted, kind="stable")
    return [
        {
            "decile": i + 1,
            "people": int(len(part)),
            "predicted": round(float(predicted[part].mean()), 4),
            "observed": round(float(observed[part].mean()), 4),
        }
        for i, part in enumerate(np.array_split(order, 10))
        if len(part)
    ]


def contributions(model, x: np.ndarray) -> np.ndarray:
    """Each feature's log-odds contribution per person: coefficient × standardised value."""
    means, scales = np.asarray(model.means), np.asarray(model.scales)
    return (x - means) / scales * np.asarray(model.coefficients)


def predict(model, x: np.ndarray) -> np.ndarray:
    """Risk (0–1) per row of ``x`` (features in ``model.features`` order)."""
    return 1 / (1 + np.exp(-(model.intercept + contributions(model, x).sum(axis=1))))


def reasons(model, x_row: np.ndarray, contribution_row: np.ndarray) -> list[dict]:
    """The features that raise this person's risk most (largest contribution first)."""
    order = np.argsort(-contribution_row, kind="stable")
    return [
        {
            "feature": model.features[i],
            "value": float(x_row[i]),
            "contribution": round(float(contribution_row[i]), 3),
        }
        for i in order[:REASON_COUNT]
        if contribution_row[i] > 0
    ]


def all_reasons(model, x: np.ndarray, parts: np.ndarray) -> list[list[dict]]:
    """:func:`reasons` for every row at once (sorted in one go: fast for a borough)."""
    if not len(x):
        return []
    top = np.argsort(-parts, axis=1, kind="stable")[:, :REASON_COUNT]
    rows = np.arange(len(x))[:, None]
    values, shares = x[rows, top].tolist(), parts[rows, top].round(3).tolist()
    names = model.features
    return [
        [
            {"feature": names[i], "value": v, "contribution": c}
            for i, v, c in zip(top_row, value_row, share_row, strict=True)
            if c > 0
        ]
        for top_row, value_row, share_row in zip(top.tolist(), values, shares, strict=True)
    ]


def reason_text(reason: dict, config: PopulationConfig, *, show_sensitive=True) -> str | None:
    """A reason in words, e.g. "Heart failure", "2 admissions in the last 12 months";
    None for a sensitive condition the reader may not see."""
    feature, value = reason["feature"], reason["value"]
    n = int(value)
    if feature.startswith("condition_"):
        shown, _ = config.condition_labels(
            [feature.removeprefix("condition_")], show_sensitive=show_sensitive
        )
        return shown[0] if shown else None
    return {
        "age": f"age {n}",
        "years_over_70": f"age {n + 70}",
        "female": "female" if n else "male",
        "imd_quintile": f"living in IMD quintile {n}",
        "ltc_count": f"{n} long-term conditions",
        "frailty_deficits": f"{n} frailty deficits",
        "polypharmacy": "many medicines (polypharmacy)",
        "admissions_12m": f"{n} admission{'s' if n != 1 else ''} in the last 12 months",
        "ae_12m": f"{n} A&E attendance{'s' if n != 1 else ''} in the last 12 months",
    }.get(feature, feature)
