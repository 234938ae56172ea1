"""Probabilistic linkage of agency records to the master person index with Splink
(Fellegi–Sunter; u by random sampling, m by EM; term-frequency adjusted names).

Both sides are standardised the same way: lower-case accent-free names with nicknames
mapped to their full form, compact postcodes, dates of birth as dates. The model is saved
as JSON and versioned, so later extracts are scored against the index without retraining.
"""

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from django.conf import settings as django_settings
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI

from joinedup.people.validation import search_form

from .names import canonical_forename

logging.getLogger("splink").setLevel(logging.WARNING)


def memory_limit() -> str:
    limit = django_settings.LINK_MEMORY_LIMIT
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit):
        raise ValueError("JOINEDUP_LINK_MEMORY_LIMIT must look like 6GB")
    return limit


RECORD_COLUMNS = (
    "unique_id",
    "nhs_number",
    "forename",
    "surname",
    "birth_date",
    "sex",
    "postcode",
    "address",
)
FIELD_LABELS = {
    "forename_surname": "Names",
    "birth_date": "Date of birth",
    "sex": "Sex",
    "postcode": "Postcode",
    "address": "Address",
    "nhs_number": "NHS number",
}


def standardise(rows: list[dict]) -> pa.Table:
    """Rows with unique_id, nhs_number, given_name, family_name, birth_date, sex, postcode,
    address → the table Splink compares."""
    columns = {c: [] for c in RECORD_COLUMNS}
    for r in rows:
        forename = search_form(r.get("given_name") or "")
        surname = search_form(r.get("family_name") or "")
        postcode = (r.get("postcode") or "").replace(" ", "").upper()
        columns["unique_id"].append(r["unique_id"])
        columns["nhs_number"].append(r.get("nhs_number") or None)
        columns["forename"].append(canonical_forename(forename) or None)
        columns["surname"].append(surname or None)
        columns["birth_date"].append(r.get("birth_date"))
        columns["sex"].append(r.get("sex") if r.get("sex") in ("male", "female") else None)
        columns["postcode"].append(
            postcode[:-3] + " " + postcode[-3:] if len(postcode) > 4 else None
        )
        columns["address"].append((r.get("address") or "").lower().strip() or None)
    return pa.table(
        {
            "unique_id": pa.array(columns["unique_id"], pa.int64()),
            "nhs_number": pa.array(columns["nhs_number"], pa.string()),
            "forename": pa.array(columns["forename"], pa.string()),
            "surname": pa.array(columns["surname"], pa.string()),
            "birth_date": pa.array(columns["birth_date"], pa.date32()),
            "sex": pa.array(columns["sex"], pa.string()),
            "postcode": pa.array(columns["postcode"], pa.string()),
            "address": pa.array(columns["address"], pa.string()),
        }
    )


def settings() -> SettingsCreator:
    dob = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="Date of birth",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.CustomLevel(
                "day(birth_date_l) = month(birth_date_r) AND month(birth_date_l) = "
                "day(birth_date_r) AND year(birth_date_l) = year(birth_date_r)",
                label_for_charts="Day and month swapped",
            ),
            cll.CustomLevel(
                # STRING, not VARCHAR: the same SQL runs on DuckDB and Spark.
                "damerau_levenshtein(CAST(birth_date_l AS STRING), "
                "CAST(birth_date_r AS STRING)) <= 1",
                label_for_charts="One digit different",
            ),
            cll.AbsoluteDateDifferenceLevel(
                "birth_date", input_is_string=False, threshold=1, metric="year"
            ),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ForenameSurnameComparison("forename", "surname").configure(
                term_frequency_adjustments=True
            ),
            dob,
            cl.ExactMatch("sex"),
            cl.PostcodeComparison("postcode"),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
            cl.ExactMatch("nhs_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("birth_date"),
            block_on("forename", "surname"),
            block_on("surname", "postcode"),
            block_on("nhs_number"),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )


@dataclass
class Prediction:
    record_id: int
    person_id: int
    match_probability: float
    match_weight: float
    fields: dict


def trained_settings(model_path: Path, dialect: str) -> dict:
    """The comparisons of ``settings()`` written in ``dialect``'s SQL, with the parameters
    the saved model learnt. So a model trained on DuckDB scores on Spark, and the reverse."""
    model = json.loads(model_path.read_text())
    fresh = settings().create_settings_dict(dialect)
    fresh["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    if len(model["comparisons"]) != len(fresh["comparisons"]):
        raise ValueError(f"{model_path.name} has other comparisons: link with --retrain")
    for saved, comparison in zip(model["comparisons"], fresh["comparisons"], strict=True):
        levels, saved_levels = comparison["comparison_levels"], saved["comparison_levels"]
        labels = [lv["label_for_charts"] for lv in levels]
        if labels != [lv["label_for_charts"] for lv in saved_levels]:
            raise ValueError(f"{model_path.name} has other comparison levels: link with --retrain")
        for level, saved_level in zip(levels, saved_levels, strict=True):
            for key in ("m_probability", "u_probability", "tf_minimum_u_value"):
                if key in saved_level:
                    level[key] = saved_level[key]
            for key in ("m_probability", "u_probability"):
                # EM can drive a level to exactly 0, which Splink saves but will not load:
                # treat it as Splink treats a level never observed.
                if level.get(key) == 0:
                    level[key] = 1e-6
    return fresh


def _train(linker: Linker, max_pairs: float) -> None:
    linker.training.estimate_probability_two_random_records_match(
        [block_on("forename", "surname", "birth_date")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs)
    for rule in (block_on("birth_date"), block_on("forename", "surname")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except ValueError as exc:
            # Splink 5 refuses an m that EM drives to exactly 0 (it happens on small
            # extracts); the other session still trains those comparisons.
            if "below the minimum allowed" not in str(exc):
                raise
            logging.getLogger(__name__).warning("EM session skipped: %s", exc)


def predict(
    *,
    persons: pa.Table,
    records: pa.Table,
    model_path: Path,
    train: bool,
    threshold: float,
    max_pairs: float = 2e6,
    spark=None,
) -> list[Prediction]:
    """Score candidate (person, record) pairs; train and save the model first if asked.
    DuckDB by default; with a Spark session, the same model runs on Spark."""
    con = None
    if spark is None:
        con = duckdb.connect()
        # Spill to disk rather than grow past this (JOINEDUP_LINK_MEMORY_LIMIT).
        con.execute(f"SET memory_limit = '{memory_limit()}'")
        con.execute("SET preserve_insertion_order = false")
        db_api, dialect = DuckDBAPI(connection=con), "duckdb"
        left = db_api.register(persons, dataset_display_name="index")
        right = db_api.register(records, dataset_display_name="agency")
    else:
        from splink.backends.spark import SparkAPI

        db_api, dialect = SparkAPI(spark_session=spark), "spark"
        left = db_api.register(_spark_frame(spark, persons), dataset_display_name="index")
        right = db_api.register(_spark_frame(spark, records), dataset_display_name="agency")
    try:
        if train or not model_path.exists():
            linker = Linker([left, right], settings(), log_level=logging.WARNING)
            _train(linker, max_pairs)
            model_path.parent.mkdir(parents=True, exist_ok=True)
            linker.misc.save_model_to_json(str(model_path), overwrite=True)
        else:
            linker = Linker(
                [left, right], trained_settings(model_path, dialect), log_level=logging.WARNING
            )
        scored = linker.inference.predict(threshold_match_probability=threshold)
        rows = scored.as_record_list()
        predictions = []
        for row in rows:
            if row["source_dataset_l"] == "index":
                person_id, record_id = row["unique_id_l"], row["unique_id_r"]
            else:
                person_id, record_id = row["unique_id_r"], row["unique_id_l"]
            fields = {
                key: round(float(row[f"mw_{key}"]), 2)
                for key in FIELD_LABELS
                if row.get(f"mw_{key}") is not None
            }
            predictions.append(
                Prediction(
                    record_id=int(record_id),
                    person_id=int(person_id),
                    match_probability=float(row["match_probability"]),
                    match_weight=float(row["match_weight"]),
                    fields=fields,
                )
            )
    finally:
        if con is not None:
            con.close()
        else:  # the session outlives this run: free the names for the next one
            for name in ("index", "agency"):
                spark.catalog.dropTempView(name)
    return predictions


def _spark_frame(spark, table: pa.Table):
    """A Spark DataFrame of an Arrow table (through pandas, with Arrow enabled)."""
    return spark.createDataFrame(table.to_pandas())


def explain(fields: dict) -> list[str]:
    """Each field's match weight in words, strongest first."""
    out = []
    for key, weight in sorted(fields.items(), key=lambda kv: -abs(kv[1])):
        label = FIELD_LABELS.get(key, key)
        if weight >= 4:
            words = "strong evidence they are the same person"
        elif weight >= 1:
            words = "some evidence they are the same person"
        elif weight > -1:
            words = "tells us little either way"
        elif weight > -4:
            words = "some evidence they are different people"
        else:
            words = "strong evidence they are different people"
        out.append(f"{label}: {words} ({weight:+.1f})")
    return out
