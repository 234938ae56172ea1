"""DuckDB and Spark (the same SQL, transpiled by SQLGlot) give identical per-person
results and aggregates on the same inputs."""

import shutil
from datetime import date

import numpy as np
import pyarrow as pa
import pytest
from django.core.management import call_command

from joinedup.population.config import load_config
from joinedup.population.engines import run_duckdb
from joinedup.population.models import PersonProfile, PopulationRun
from joinedup.population.store import PERSON_SCHEMA, AnalyticsStore
from joinedup.synth.clinical import starter_codes, write_clinical_records

AS_OF = date(2026, 6, 30)

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None, reason="Spark needs Java 17+: `make test` installs it"
)


def synthetic_store(root, n=3000) -> AnalyticsStore:
    store = AnalyticsStore(root)
    rng = np.random.default_rng(21)
    ids = np.arange(1, n + 1, dtype=np.int64)
    birth = (AS_OF - date(1970, 1, 1)).days - rng.integers(0, 100 * 365, n)
    female = rng.random(n) < 0.5
    imd = rng.integers(1, 6, n)
    write_clinical_records(
        store=store,
        person_ids=ids,
        birth_dates=birth,
        female=female,
        imd_quintile=imd,
        seed=3,
        as_of=AS_OF,
    )
    dead = rng.random(n) < 0.02
    # The last 20 records were merged into the first 20: their events count as those.
    merged = {int(ids[-1 - i]): int(ids[i]) for i in range(20)}
    kept = pa.array(~np.isin(ids, list(merged)))
    store.write_persons(
        pa.table(
            {
                "person_id": ids,
                "nhs_number": pa.nulls(n, pa.string()),
                "birth_date": pa.array(birth.astype("int32"), pa.date32()),
                "date_of_death": pa.array(
                    np.where(dead, birth + 365 * 50, 0).astype("int32"), pa.date32(), mask=~dead
                ),
                "sex": np.where(female, "female", "male"),
                "ethnicity": rng.choice(["W_BRITISH", "A_INDIAN", "B_AFRICAN", "NOT_STATED"], n),
                "imd_quintile": pa.array(imd.astype("int8"), mask=rng.random(n) < 0.01),
                "lsoa_id": pa.nulls(n, pa.int64()),
                "practice_id": pa.array(ids % 7 + 1, mask=rng.random(n) < 0.01),
                "practice": [f"Z0000{i % 7 + 1}" for i in ids],
                "neighbourhood_id": ids % 3 + 1,
                "neighbourhood": [f"NH{i % 3 + 1}" for i in ids],
                "lcn": [f"LCN{i % 2 + 1}" for i in ids],
                # Two places with their own cohort rules, and people of a third (no rule
                # of its own: the system's default) and of none.
                "place": pa.array(
                    [("E09000005", "E09000009", "E09000001", None)[i % 4] for i in ids]
                ),
            },
            schema=PERSON_SCHEMA,
        ).filter(kept),
        merged=merged,
    )
    return store


def place_rules(config):
    """Brent: 3+ conditions (the default); Ealing: 2+ with moderate or severe frailty and
    hypertension not counted; everyone else: the system's default of 2+."""
    from joinedup.population.place_rules import CohortRule

    counted = tuple(c.key for c in config.conditions if c.counts_towards_multimorbidity)
    return {
        "": CohortRule(2, (), counted),
        "E09000005": CohortRule(3, (), counted),
        "E09000009": CohortRule(
            2, ("moderate", "severe"), tuple(k for k in counted if k != "hypertension")
        ),
    }


def by_key(table, key):
    return {tuple(row[k] for k in key): row for row in table.to_pylist()}


def test_duckdb_and_spark_agree(tmp_path, spark):
    from joinedup.population.spark import run_spark

    store = synthetic_store(tmp_path)
    codes = {slug: [int(c) for c in values] for slug, values in starter_codes().items()}
    config = load_config()
    rules = place_rules(config)
    duck = run_duckdb(
        store=store, config=config, codelists=codes, as_of=AS_OF.isoformat(), rules=rules
    )
    sparked = run_spark(
        store=store,
        config=config,
        codelists=codes,
        as_of=AS_OF.isoformat(),
        spark=spark,
        rules=rules,
    )
    assert duck.events == sparked.events
    d, s = by_key(duck.profiles, ["person_id"]), by_key(sparked.profiles, ["person_id"])
    assert d.keys() == s.keys() and len(d) > 2500
    assert not {(3000 - i,) for i in range(20)} & d.keys()
    for key, row in d.items():
        other = s[key]
        for field in row:
            if isinstance(row[field], float):
                assert other[field] == pytest.approx(row[field]), (key, field)
            else:
                assert other[field] == row[field], (key, field)
    assert sum(r["multimorbid"] for r in d.values()) > 50
    # Each place's own rule, checked against a plain-Python reading of it.
    for row in d.values():
        rule = rules.get(row["place"] or "", rules[""]) if row["place"] in rules else rules[""]
        counted = sum(1 for c in row["conditions"] if c in rule.conditions)
        assert row["ltc_count"] == counted, row
        assert row["multimorbid"] == rule.includes(ltc_count=counted, efi_band=row["efi_band"])
    by_place = {}
    for row in d.values():
        by_place.setdefault(row["place"], []).append(row["multimorbid"])
    assert len(by_place) == 4 and all(any(flags) for flags in by_place.values())
    key = ["dimension", "stratum", "measure"]
    da, sa = by_key(duck.aggregates, key), by_key(sparked.aggregates, key)
    assert da.keys() == sa.keys()
    for k, row in da.items():
        for field in ("count", "denominator"):
            assert sa[k][field] == row[field], (k, field)
        for field in ("crude_rate", "crude_lower", "crude_upper", "asr", "asr_lower", "asr_upper"):
            assert sa[k][field] == pytest.approx(row[field], abs=1e-9), (k, field)


def test_population_run_with_spark_saves_profiles(db, spark, capsys):
    call_command("synth", "--residents", "300", "--seed", "6")
    call_command("population", "run", "--engine", "spark")
    run = PopulationRun.objects.get(current=True)
    assert run.engine == "spark" and PersonProfile.objects.filter(run=run).count() == run.people
    assert f"Run {run.pk} as of" in capsys.readouterr().out
