"""Population engine at borough (230,000) and system (2,400,000) scale.

Generates the synthetic analytics store straight to Parquet (no relational database),
then, each in a fresh process so peak memory is its own:
- the DuckDB engine: registers, LTC count, CMS, eFI, every stratum's aggregates;
- the same with eight places, each with its own cohort rule (issue 19: a system's places
  keep their own approach);
- a straightforward pandas implementation of the same per-person computation, for the ratio.

Targets (issue 3): ≤ 8 s at 230k; ≤ 60 s and ≤ 6 GB at 2.4M with ~100M events.
``BENCH_POPULATION_SIZES=230000,2400000`` (default) chooses the sizes;
``BENCH_PANDAS_MAX`` (default 230,000; 2,400,000 needs about 21 GB) the largest size the
pandas baseline runs at.
"""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup import configure, peak_memory_mb  # noqa: E402

AS_OF = date(2026, 11, 23)


def generate(n: int, root: Path) -> None:
    import numpy as np
    import pyarrow as pa

    from joinedup.population.store import AnalyticsStore
    from joinedup.synth.clinical import write_clinical_records

    store = AnalyticsStore(root)
    rng = np.random.default_rng(11)
    ids = np.arange(1, n + 1, dtype=np.int64)
    ages = np.concatenate(
        [
            rng.integers(lo, hi + 1, int(n * share) + 1)
            for lo, hi, share in (
                (0, 17, 0.20),
                (18, 44, 0.42),
                (45, 64, 0.22),
                (65, 84, 0.13),
                (85, 100, 0.03),
            )
        ]
    )[:n]
    rng.shuffle(ages)
    birth = (AS_OF - date(1970, 1, 1)).days - (ages * 365.25).astype(int) - rng.integers(0, 365, n)
    female = rng.random(n) < 0.51
    imd = rng.integers(1, 6, n)
    started = perf_counter()
    events = write_clinical_records(
        store=store,
        person_ids=ids,
        birth_dates=birth,
        female=female,
        imd_quintile=imd,
        seed=1,
        as_of=AS_OF,
        chunk_size=200_000,
    )
    practice = (ids % 35) + 1
    store.write_persons(
        pa.table(
            {
                "person_id": ids,
                "nhs_number": pa.nulls(n, pa.string()),
                "birth_date": pa.array(birth.astype("int32"), pa.date32()),
                "date_of_death": pa.nulls(n, pa.date32()),
                "sex": np.where(female, "female", "male"),
                "ethnicity": rng.choice(
                    ["W_BRITISH", "W_OTHER", "A_BANGLADESHI", "B_AFRICAN", "M_OTHER", "O_ARAB"], n
                ),
                "imd_quintile": imd.astype("int8"),
                "lsoa_id": pa.nulls(n, pa.int64()),
                "practice_id": practice,
                "practice": np.char.add("Z", (90000 + practice).astype(str)),
                "neighbourhood_id": practice % 6 + 1,
                "neighbourhood": np.char.add("NH", (practice % 6 + 1).astype(str)),
                "lcn": np.char.add("LCN", (practice % 2 + 1).astype(str)),
                # Eight places (a system like North West London), each practice in one.
                "place": np.char.add("E0900000", (practice % 8).astype(str)),
            }
        )
    )
    print(
        json.dumps(
            {"events": events, "seconds": perf_counter() - started, "peak_mb": peak_memory_mb()}
        )
    )


def eight_places(config) -> dict:
    """Each of eight places with its own cohort rule: 3+, 2+, 2+ with moderate or severe
    frailty, 4+, and without hypertension counting, in turn."""
    from joinedup.population.place_rules import CohortRule

    counted = tuple(c.key for c in config.conditions if c.counts_towards_multimorbidity)
    no_hypertension = tuple(k for k in counted if k != "hypertension")
    kinds = [
        CohortRule(3, (), counted),
        CohortRule(2, (), counted),
        CohortRule(2, ("moderate", "severe"), counted),
        CohortRule(4, (), counted),
        CohortRule(3, (), no_hypertension),
    ]
    rules = {"": kinds[0]}
    for i in range(8):
        rules[f"E0900000{i}"] = kinds[i % len(kinds)]
    return rules


def run_duckdb(root: Path, places: bool = False) -> None:
    from joinedup.population.config import load_config
    from joinedup.population.engines import run_duckdb as engine
    from joinedup.synth.clinical import starter_codes

    codes = {k: [int(c) for c in v] for k, v in starter_codes().items()}
    config = load_config()
    started = perf_counter()
    result = engine(
        store=__import__("joinedup.population.store", fromlist=["x"]).AnalyticsStore(root),
        config=config,
        codelists=codes,
        as_of=AS_OF.isoformat(),
        rules=eight_places(config) if places else None,
    )
    seconds = perf_counter() - started
    p = result.profiles
    print(
        json.dumps(
            {
                "seconds": seconds,
                "events": result.events,
                "people": p.num_rows,
                "multimorbid": sum(p["multimorbid"].to_pylist()),
                "aggregate_rows": result.aggregates.num_rows,
                "steps": result.steps,
                "peak_mb": peak_memory_mb(),
            }
        )
    )


def run_pandas(root: Path) -> None:
    """The same per-person results, written the way an analyst would in pandas."""
    import pandas as pd

    from joinedup.population.config import load_config
    from joinedup.synth.clinical import starter_codes

    config = load_config()
    codes = starter_codes()
    started = perf_counter()
    persons = pd.read_parquet(root / "persons.parquet")
    events = pd.read_parquet(root / "events", columns=["person_id", "system", "code", "date"])
    events["system"] = events["system"].astype(str)
    as_of = pd.Timestamp(AS_OF)
    events["date"] = pd.to_datetime(events["date"])
    events = events[events["date"] <= as_of]
    born = pd.to_datetime(persons["birth_date"])
    persons["age"] = (as_of.year - born.dt.year - ((as_of.month, as_of.day) < (0, 0))).astype(int)
    persons["age"] -= ((born.dt.month * 100 + born.dt.day) > as_of.month * 100 + as_of.day).astype(
        int
    )
    rows = []
    for c in config.conditions:
        for role, slugs in (("dx", c.diagnosis), ("res", c.resolved)):
            for s in slugs:
                rows += [(c.key, role, int(x)) for x in codes[s]]
    lookup = pd.DataFrame(rows, columns=["condition", "role", "code"])
    coded = events[events["system"] == "snomed"].merge(lookup, on="code")
    last = coded.pivot_table(
        index=["person_id", "condition"], columns="role", values="date", aggfunc="max"
    ).reset_index()
    if "res" not in last:
        last["res"] = pd.NaT
    rules = pd.DataFrame(
        [(c.key, c.rule, c.min_age, c.cms_weight) for c in config.conditions],
        columns=["condition", "rule", "min_age", "cms_weight"],
    )
    last = last.merge(rules, on="condition").merge(persons[["person_id", "age"]], on="person_id")
    on = last["dx"].notna() & (last["res"].isna() | (last["res"] < last["dx"]))
    on &= last["age"] >= last["min_age"]
    on &= (last["rule"] != "within_5_years") | (last["dx"] > as_of - pd.DateOffset(years=5))
    registers = last[on]
    per_person = registers.groupby("person_id").agg(
        ltc_count=("condition", "size"), cms=("cms_weight", "sum")
    )
    deficit_rows = [
        (d.key, int(x)) for d in config.efi_deficits for s in d.codelists for x in codes[s]
    ]
    dlookup = pd.DataFrame(deficit_rows, columns=["deficit", "code"])
    deficits = (
        events[events["system"] == "snomed"]
        .merge(dlookup, on="code")[["person_id", "deficit"]]
        .drop_duplicates()
    )
    meds = events[(events["system"] == "dmd") & (events["date"] > as_of - pd.DateOffset(years=1))]
    poly = meds.groupby("person_id")["code"].nunique()
    n_def = deficits.groupby("person_id").size().add((poly >= 5).astype(int), fill_value=0)
    result = persons[["person_id", "age", "imd_quintile"]].set_index("person_id")
    result = result.join(per_person).join(n_def.rename("deficits")).fillna(0)
    result["multimorbid"] = result["ltc_count"] >= config.multimorbidity_threshold
    result["efi"] = (result["deficits"] / 36).where(result["age"] >= 65)
    by_imd = result[result["age"] >= 18].groupby("imd_quintile")["multimorbid"].mean()
    seconds = perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "people": len(result),
                "multimorbid": int(result["multimorbid"].sum()),
                "imd_rows": len(by_imd),
                "peak_mb": peak_memory_mb(),
            }
        )
    )


def run_spark(root: Path) -> None:
    from joinedup.population.config import load_config
    from joinedup.population.spark import run_spark as engine
    from joinedup.population.spark import spark_session
    from joinedup.population.store import AnalyticsStore
    from joinedup.synth.clinical import starter_codes

    codes = {k: [int(c) for c in v] for k, v in starter_codes().items()}
    spark = spark_session()
    started = perf_counter()
    result = engine(
        store=AnalyticsStore(root),
        config=load_config(),
        codelists=codes,
        as_of=AS_OF.isoformat(),
        spark=spark,
    )
    seconds = perf_counter() - started
    p = result.profiles
    print(
        json.dumps(
            {
                "seconds": seconds,
                "multimorbid": sum(p["multimorbid"].to_pylist()),
                "steps": result.steps,
            }
        )
    )


def child(mode: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, mode, *args],
        check=True,  # noqa: S603
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    data = configure()
    if len(sys.argv) > 1:
        mode, target = sys.argv[1], sys.argv[2:]
        {
            "generate": lambda: generate(int(target[0]), Path(target[1])),
            "duckdb": lambda: run_duckdb(Path(target[0])),
            "duckdb-places": lambda: run_duckdb(Path(target[0]), places=True),
            "pandas": lambda: run_pandas(Path(target[0])),
            "spark": lambda: run_spark(Path(target[0])),
        }[mode]()
        sys.exit(0)
    sizes = [int(s) for s in os.environ.get("BENCH_POPULATION_SIZES", "230000,2400000").split(",")]
    # pandas needs about 21 GB at 2.4M: only on request (BENCH_PANDAS_MAX=2400000).
    pandas_max = int(os.environ.get("BENCH_PANDAS_MAX", "230000"))
    for n in sizes:
        root = data / f"population-{n}"
        if not (root / "persons.parquet").exists():
            made = child("generate", str(n), str(root))
            print(
                f"generated {n:,} residents, {made['events']:,} events in {made['seconds']:.1f} s"
                f" (peak {made['peak_mb']:,.0f} MB)"
            )
        duck = child("duckdb", str(root))
        print(
            f"== {n:,} residents, {duck['events']:,} events ({duck['events'] / n:.0f} per person)"
        )
        print(
            f"duckdb   {duck['seconds']:6.1f} s   {duck['events'] / duck['seconds']:,.0f} events/s"
            f"   peak {duck['peak_mb']:,.0f} MB   3+ LTCs {duck['multimorbid']:,}"
            f"   aggregate rows {duck['aggregate_rows']:,}"
        )
        print(f"         steps {duck['steps']}")
        eight = child("duckdb-places", str(root))
        print(
            f"duckdb   {eight['seconds']:6.1f} s   8 places, each with its own cohort rule"
            f"   peak {eight['peak_mb']:,.0f} MB   in a cohort {eight['multimorbid']:,}"
        )
        if n <= pandas_max:
            pand = child("pandas", str(root))
            print(
                f"pandas   {pand['seconds']:6.1f} s   peak {pand['peak_mb']:,.0f} MB"
                f"   3+ LTCs {pand['multimorbid']:,} (per-person results only)"
            )
            print(f"ratio    pandas / duckdb = {pand['seconds'] / duck['seconds']:.1f}x")
        if n <= int(os.environ.get("BENCH_SPARK_MAX", "230000")):
            sp = child("spark", str(root))
            print(
                f"spark    {sp['seconds']:6.1f} s   (local[2], after session start)   3+ LTCs "
                f"{sp['multimorbid']:,}   steps {sp['steps']}"
            )
