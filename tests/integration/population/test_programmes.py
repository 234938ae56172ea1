"""Care programmes' rules, run by the engines (DuckDB, and Spark with the same SQL) and by
the plain-Python reference, agree for every person: people made to sit on each rule's
boundaries (a value one below and at its threshold, a reading exactly 12 months before the
run's date and a day later, two readings on one day, the latest reading against an older
one, ages 17/18 and 64/65), and the random synthetic borough."""

import shutil
from datetime import date, timedelta

import pyarrow as pa
import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from joinedup.population.config import load_config
from joinedup.population.engines import run_duckdb
from joinedup.population.programmes import (
    Person,
    check_rule,
    evaluate,
    load_programmes,
)
from joinedup.population.store import EVENT_SCHEMA, PERSON_SCHEMA, AnalyticsStore
from joinedup.synth.clinical import starter_codes
from tests.integration.population.test_engines_agree import synthetic_store

AS_OF = date(2026, 6, 30)
YEAR_AGO = AS_OF - relativedelta(months=12)  # outside a 12-month window
CODES = {slug: [int(c) for c in values] for slug, values in starter_codes().items()}
PLUS = {"": {"condition": ["learning_disability"]}, "E09000009": {"ethnicity_group": ["Black"]}}
java = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17+")


def code(slug: str) -> int:
    return CODES[slug][0]


# (name, age, place, imd quintile, ethnicity, [(codelist, date, value)], {programme: expected})
PEOPLE = [
    ("sbp 140 twice", 50, "", 3, "W_BRITISH",
     [("bp_systolic", AS_OF - timedelta(30), 140), ("bp_systolic", AS_OF - timedelta(60), 141)],
     {"undiagnosed-hypertension": True}),
    ("sbp 139 once", 50, "", 3, "W_BRITISH",
     [("bp_systolic", AS_OF - timedelta(30), 139), ("bp_systolic", AS_OF - timedelta(60), 150)],
     {"undiagnosed-hypertension": False}),
    ("sbp twice on one day", 50, "", 3, "W_BRITISH",
     [("bp_systolic", AS_OF - timedelta(30), 150), ("bp_systolic", AS_OF - timedelta(30), 152)],
     {"undiagnosed-hypertension": False}),
    ("sbp exactly 12 months ago", 50, "", 3, "W_BRITISH",
     [("bp_systolic", YEAR_AGO, 150), ("bp_systolic", AS_OF - timedelta(5), 150)],
     {"undiagnosed-hypertension": False}),
    ("sbp a day inside 12 months", 50, "", 3, "W_BRITISH",
     [("bp_systolic", YEAR_AGO + timedelta(1), 150), ("bp_systolic", AS_OF, 150)],
     {"undiagnosed-hypertension": True}),
    ("sbp after the run's date", 50, "", 3, "W_BRITISH",
     [("bp_systolic", AS_OF + timedelta(1), 150), ("bp_systolic", AS_OF - timedelta(5), 150)],
     {"undiagnosed-hypertension": False}),
    ("dbp 90 twice", 50, "", 3, "W_BRITISH",
     [("bp_diastolic", AS_OF - timedelta(3), 90), ("bp_diastolic", AS_OF - timedelta(90), 95)],
     {"undiagnosed-hypertension": True}),
    ("raised but hypertensive", 50, "", 3, "W_BRITISH",
     [("hyp", date(2010, 1, 1), None), ("bp_systolic", AS_OF - timedelta(3), 160),
      ("bp_systolic", AS_OF - timedelta(9), 160)],
     {"undiagnosed-hypertension": False}),
    ("raised at 17", 17, "", 3, "W_BRITISH",
     [("bp_systolic", AS_OF - timedelta(3), 160), ("bp_systolic", AS_OF - timedelta(9), 160)],
     {"undiagnosed-hypertension": False}),
    ("hba1c 42", 60, "", 3, "W_BRITISH", [("hba1c", AS_OF - timedelta(10), 42)],
     {"non-diabetic-hyperglycaemia": True}),
    ("hba1c 41", 60, "", 3, "W_BRITISH", [("hba1c", AS_OF - timedelta(10), 41)],
     {"non-diabetic-hyperglycaemia": False}),
    ("hba1c 47", 60, "", 3, "W_BRITISH", [("hba1c", AS_OF - timedelta(10), 47)],
     {"non-diabetic-hyperglycaemia": True}),
    ("hba1c 48", 60, "", 3, "W_BRITISH", [("hba1c", AS_OF - timedelta(10), 48)],
     {"non-diabetic-hyperglycaemia": False}),
    ("hba1c latest 40 after 45", 60, "", 3, "W_BRITISH",
     [("hba1c", AS_OF - timedelta(200), 45), ("hba1c", AS_OF - timedelta(10), 40)],
     {"non-diabetic-hyperglycaemia": False}),
    ("hba1c latest 45 after 40", 60, "", 3, "W_BRITISH",
     [("hba1c", AS_OF - timedelta(200), 40), ("hba1c", AS_OF - timedelta(10), 45)],
     {"non-diabetic-hyperglycaemia": True}),
    ("hba1c 45 exactly 12 months ago", 60, "", 3, "W_BRITISH", [("hba1c", YEAR_AGO, 45)],
     {"non-diabetic-hyperglycaemia": False}),
    ("hba1c 45 with diabetes", 60, "", 3, "W_BRITISH",
     [("dm_t2", date(2015, 1, 1), None), ("hba1c", AS_OF - timedelta(10), 45)],
     {"non-diabetic-hyperglycaemia": False}),
    ("smi with all six checks", 40, "", 3, "W_BRITISH",
     [("smi", date(2010, 1, 1), None)]
     + [(s, AS_OF - timedelta(20), 1.0) for s in
        ("bp_systolic", "bmi", "hba1c", "cholesterol", "smoking_status", "alcohol_intake")],
     {"smi-health-checks": False}),
    ("smi with five checks in the year", 40, "", 3, "W_BRITISH",
     [("smi", date(2010, 1, 1), None), ("alcohol_intake", YEAR_AGO, None)]
     + [(s, AS_OF - timedelta(20), 1.0) for s in
        ("bp_systolic", "bmi", "hba1c", "cholesterol", "smoking_status")],
     {"smi-health-checks": True}),
    ("smi with no checks", 40, "", 3, "W_BRITISH", [("smi", date(2010, 1, 1), None)],
     {"smi-health-checks": True}),
    ("bmi 40 latest", 40, "", 3, "W_BRITISH",
     [("hyp", date(2010, 1, 1), None), ("bmi", AS_OF - timedelta(400), 40.0)],
     {"rising-risk": True}),
    ("bmi 39.9 latest", 40, "", 3, "W_BRITISH",
     [("hyp", date(2010, 1, 1), None), ("bmi", AS_OF - timedelta(400), 39.9)],
     {"rising-risk": False}),
    ("bmi 40 but no condition", 40, "", 3, "W_BRITISH", [("bmi", AS_OF - timedelta(4), 44.0)],
     {"rising-risk": False}),
    ("most deprived fifth", 30, "", 1, "W_BRITISH", [], {}),
    ("learning disability (default PLUS)", 30, "", 4, "W_BRITISH",
     [("ld", date(2000, 1, 1), None)], {}),
    ("Black, in a place whose PLUS group it is", 30, "E09000009", 4, "B_AFRICAN", [], {}),
    ("Black, elsewhere", 30, "", 4, "B_AFRICAN", [], {}),
]  # fmt: skip
CORE20PLUS = {
    "most deprived fifth": True,
    "learning disability (default PLUS)": True,
    "Black, in a place whose PLUS group it is": True,
    "Black, elsewhere": False,
    "sbp 140 twice": False,
}


def boundary_store(root) -> AnalyticsStore:
    store = AnalyticsStore(root)
    ids, births, places, imd, ethnicity = [], [], [], [], []
    events = []
    for i, (_name, age, place, quintile, group, person_events, _) in enumerate(PEOPLE, 1):
        ids.append(i)
        births.append(AS_OF - relativedelta(years=age, days=10))
        places.append(place or "E09000001")
        imd.append(quintile)
        ethnicity.append(group)
        events += [(i, code(slug), day, value) for slug, day, value in person_events]
    store.write_batch(
        "boundaries",
        pa.table(
            {
                "person_id": [e[0] for e in events],
                "system": ["snomed"] * len(events),
                "code": [e[1] for e in events],
                "date": [e[2] for e in events],
                "value": [None if e[3] is None else float(e[3]) for e in events],
                "unit": [None] * len(events),
            },
            schema=EVENT_SCHEMA,
        ),
    )
    n = len(ids)
    store.write_persons(
        pa.table(
            {
                "person_id": ids,
                "nhs_number": pa.nulls(n, pa.string()),
                "birth_date": births,
                "date_of_death": pa.nulls(n, pa.date32()),
                "sex": ["female"] * n,
                "ethnicity": ethnicity,
                "imd_quintile": imd,
                "lsoa_id": pa.nulls(n, pa.int64()),
                "practice_id": [1] * n,
                "practice": ["Z00001"] * n,
                "neighbourhood_id": [1] * n,
                "neighbourhood": ["NH1"] * n,
                "lcn": ["LCN1"] * n,
                "place": places,
            },
            schema=PERSON_SCHEMA,
        )
    )
    return store


def reference(rows, store: AnalyticsStore, programmes) -> dict[int, tuple[list, bool]]:
    """Each person's programmes and Core20PLUS by the plain-Python rules, from the engine's
    profile columns and the stored events."""
    import pyarrow.parquet as pq

    slugs_of: dict[int, set[str]] = {}
    for slug, codes in CODES.items():
        for c in codes:
            slugs_of.setdefault(c, set()).add(slug)
    merged = {}
    if store.merged_path.exists():
        merged = dict(zip(*pq.read_table(store.merged_path).to_pydict().values(), strict=True))
    events: dict[int, list] = {}
    for path in store.event_files():
        table = pq.read_table(path).to_pydict()
        for pid, system, c, day, value in zip(
            table["person_id"],
            table["system"],
            table["code"],
            table["date"],
            table["value"],
            strict=True,
        ):
            if system == "snomed":
                for slug in slugs_of.get(c, ()):
                    events.setdefault(merged.get(pid, pid), []).append((slug, day, value))
    found = {}
    for row in rows:
        person = Person(
            multimorbid=row["multimorbid"],
            ltc_count=row["ltc_count"],
            conditions=tuple(row["conditions"] or ()),
            age=row["age"],
            efi_band=row["efi_band"],
            imd_quintile=row["imd_quintile"],
            ethnicity_group=row["ethnicity_group"],
            admissions_12m=row["admissions_12m"],
            ae_12m=row["ae_12m"],
            place=row["place"] or "",
            events=events.get(row["person_id"], []),
        )
        found[row["person_id"]] = (
            sorted(p.key for p in programmes if evaluate(p.rule, person, AS_OF, PLUS)),
            evaluate({"core20plus": True}, person, AS_OF, PLUS),
        )
    return found


def _check(result, store, programmes, named: bool) -> None:
    rows = result.profiles.to_pylist()
    expected = reference(rows, store, programmes)
    for row in rows:
        assert (sorted(row["programmes"] or []), row["core20plus"]) == expected[row["person_id"]], (
            row
        )
    if named:
        by_id = {row["person_id"]: row for row in rows}
        for i, (name, *_, wanted) in enumerate(PEOPLE, 1):
            for key, member in wanted.items():
                assert (key in (by_id[i]["programmes"] or [])) == member, (name, key)
            if name in CORE20PLUS:
                assert by_id[i]["core20plus"] == CORE20PLUS[name], name


def _run(engine, store, spark=None):
    kwargs = {
        "store": store,
        "config": load_config(),
        "codelists": CODES,
        "as_of": AS_OF.isoformat(),
        "plus_rules": PLUS,
    }
    if engine == "spark":
        from joinedup.population.spark import run_spark

        return run_spark(spark=spark, **kwargs)
    return run_duckdb(**kwargs)


def test_each_rule_at_its_boundaries_on_duckdb(tmp_path):
    store = boundary_store(tmp_path)
    _check(_run("duckdb", store), store, load_programmes(), named=True)


def test_the_random_borough_matches_the_reference_on_duckdb(tmp_path):
    store = synthetic_store(tmp_path, n=4000)
    result = _run("duckdb", store)
    _check(result, store, load_programmes(), named=False)
    sizes = {}
    for row in result.profiles.to_pylist():
        for key in row["programmes"] or []:
            sizes[key] = sizes.get(key, 0) + 1
    # Every shipped programme finds someone in a borough of 4,000.
    assert set(sizes) == {p.key for p in load_programmes()}, sizes


@java
def test_spark_agrees_at_the_boundaries_and_on_the_random_borough(tmp_path, spark):
    store = boundary_store(tmp_path / "b")
    _check(_run("spark", store, spark), store, load_programmes(), named=True)
    store = synthetic_store(tmp_path / "r", n=2000)
    _check(_run("spark", store, spark), store, load_programmes(), named=False)


@pytest.mark.parametrize(
    "rule, says",
    [
        ({"measured": {"codelist": "hba1c"}}, "at_least and/or at_most"),
        ({"measured": {"codelist": "hba1c", "at_least": "42"}}, "is not a number"),
        ({"recorded": {"codelist": "x'; DROP TABLE events; --"}}, "letters, digits"),
        ({"all": []}, "give a list of rules"),
        ({"condition": ["gout"]}, "unknown gout"),
        ({"frailty": ["very"]}, "unknown very"),
        ({"measured": {"codelist": "bmi", "at_least": 1, "times": 2, "latest": True}}, "latest"),
        ({"recorded": {"codelist": "bmi", "within_months": 0}}, "within_months"),
        ({"colour": "blue"}, "unknown part"),
        ({"age": {"over": 3}}, "at_least and/or at_most"),
    ],
)
def test_a_wrong_rule_is_refused_naming_where(rule, says):
    config = load_config()
    with pytest.raises(ValidationError) as refused:
        check_rule(
            rule,
            "rule",
            conditions=set(config.condition_keys),
            bands={n for n, _ in config.efi_bands},
        )
    assert says in " ".join(refused.value.messages)


def test_a_rule_on_the_risk_of_admission_uses_the_active_model(tmp_path):
    """A model whose risk passes one half exactly at age 50 (the intercept −50 and one
    unit a year of age): the programme takes in those 50 and over, nobody younger."""
    from types import SimpleNamespace

    from joinedup.population.programmes import Programme
    from joinedup.population.risk import feature_names

    config = load_config()
    names = feature_names(config)
    model = SimpleNamespace(
        features=names,
        coefficients=[1.0 if n == "age" else 0.0 for n in names],
        means=[0.0] * len(names),
        scales=[1.0] * len(names),
        intercept=-50.0,
    )
    rule = {"risk": {"at_least": 0.5}}
    programme = Programme("high-risk", "High risk", "", rule)
    store = synthetic_store(tmp_path, n=1500)
    result = run_duckdb(
        store=store,
        config=config,
        codelists=CODES,
        as_of=AS_OF.isoformat(),
        programmes=(programme,),
        risk_model=model,
    )
    rows = result.profiles.to_pylist()
    assert {49, 50} <= {row["age"] for row in rows}
    for row in rows:
        assert ("high-risk" in (row["programmes"] or [])) == (row["age"] >= 50), row["age"]
        person = Person(age=row["age"], risk_score=row["risk_score"])
        assert evaluate(rule, person, AS_OF) == (row["age"] >= 50)
    # Without a model nobody has a score, and the rule takes in nobody.
    result = run_duckdb(
        store=store, config=config, codelists=CODES, as_of=AS_OF.isoformat(),
        programmes=(programme,),
    )  # fmt: skip
    assert not any(row["programmes"] for row in result.profiles.to_pylist())
