"""Exports of the current run: ``people.csv`` and ``aggregates.csv``."""

import csv
from pathlib import Path

import pyarrow.parquet as pq
from django.core.exceptions import ValidationError

from .config import load_config
from .models import PersonProfile, PopulationRun

PEOPLE_TAIL = (
    "ltc_count",
    "cms",
    "efi",
    "efi_band",
    "age_band",
    "sex",
    "ethnicity_group",
    "imd_quintile",
    "practice",
    "neighbourhood",
    "lcn",
)
AGGREGATE_COLUMNS = (
    "dimension",
    "stratum",
    "measure",
    "count",
    "denominator",
    "crude_rate",
    "crude_lower",
    "crude_upper",
    "asr",
    "asr_lower",
    "asr_upper",
)


def suppress(count: int) -> str:
    """Small-number suppression for published output: 0 stays 0, 1–7 shows as "≤7",
    anything else is rounded to the nearest 5.

    >>> [suppress(n) for n in (0, 3, 8, 12, 13)]
    ['0', '≤7', '10', '10', '15']
    """
    if count == 0:
        return "0"
    if count <= 7:
        return "≤7"
    return str(int(5 * round(count / 5)))


def current_run() -> PopulationRun:
    from .queries import current_run as latest  # (queries imports this module)

    run = latest()
    if run is None:
        raise ValidationError("No population run yet: run `joinedup population run` first")
    return run


def read_aggregates(run: PopulationRun) -> list[dict]:
    path = run.aggregates_path
    if not path.exists():
        raise ValidationError(f"The aggregates of run {run.pk} are missing from {path.parent}")
    return pq.read_table(path).to_pylist()


def suppressed_aggregates(run: PopulationRun) -> list[dict]:
    """Aggregates safe to publish: counts suppressed, rates hidden where the count is."""
    rows = []
    for row in read_aggregates(run):
        small = 0 < row["count"] <= 7
        out = {k: row[k] for k in ("dimension", "stratum", "measure")}
        out["count"] = suppress(row["count"])
        out["denominator"] = suppress(row["denominator"])
        for key in AGGREGATE_COLUMNS[5:]:
            out[key] = "" if small or row[key] is None else f"{row[key]:.2f}"
        rows.append(out)
    return rows


def export_run(out: Path) -> tuple[Path, Path]:
    """Write the current run. People who chose the national data opt-out are left out of
    ``people.csv`` (it is planning data); aggregates are anonymous and suppressed."""
    run = current_run()
    keys = load_config().condition_keys
    out.mkdir(parents=True, exist_ok=True)
    people_path, aggregates_path = out / "people.csv", out / "aggregates.csv"
    profiles = (
        PersonProfile.objects.filter(run=run, person__national_data_opt_out=False)
        .order_by("person_id")
        .values_list(
            "person_id",
            "person__nhs_number",
            "conditions",
            "ltc_count",
            "cms",
            "efi",
            "efi_band",
            "age_band",
            "sex",
            "ethnicity_group",
            "imd_quintile",
            "practice__ods_code",
            "neighbourhood__code",
            "neighbourhood__network__code",
        )
    )
    with people_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["person_id", "nhs_number", *keys, *PEOPLE_TAIL])
        for row in profiles.iterator(chunk_size=5000):
            person_id, nhs, conditions, *rest = row
            present = set(conditions.split(","))
            efi = rest[2]
            rest[2] = "" if efi is None else f"{efi:.4f}"
            rest[1] = f"{rest[1]:.2f}"
            writer.writerow(
                [
                    person_id,
                    nhs or "",
                    *(int(k in present) for k in keys),
                    *("" if v is None else v for v in rest),
                ]
            )
    with aggregates_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=AGGREGATE_COLUMNS)
        writer.writeheader()
        writer.writerows(suppressed_aggregates(run))
    return people_path, aggregates_path
