"""The DuckDB engine on small hand-written populations, and against the plain-Python
reference on random ones."""

from datetime import date, timedelta

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.population.config import load_config
from joinedup.population.engines import run_duckdb
from joinedup.population.store import EVENT_SCHEMA, PERSON_SCHEMA, AnalyticsStore
from tests.population_reference import reference_profiles

AS_OF = date(2026, 6, 30)
CONFIG = load_config()
# Tiny codelists: one diagnosis and one resolution code per list the config names.
CODES = {}
for n, slug in enumerate(sorted(CONFIG.codelist_slugs())):
    CODES[slug] = [1000 + n]
HYP, HYP_RES = CODES["hyp"][0], CODES["hyp_res"][0]
CKD35, CKD12 = CODES["ckd_3_5"][0], CODES["ckd_1_2"][0]
CANCER, FALLS = CODES["can"][0], CODES["efi_falls"][0]


def write(store: AnalyticsStore, persons: list[dict], events: list[tuple]) -> None:
    defaults = {
        "nhs_number": None,
        "date_of_death": None,
        "sex": "female",
        "ethnicity": "W_BRITISH",
        "imd_quintile": 3,
        "lsoa_id": None,
        "practice_id": 1,
        "practice": "Z00001",
        "neighbourhood_id": 1,
        "neighbourhood": "NH1",
        "lcn": "L1",
        "place": None,
    }
    rows = [{**defaults, **p} for p in persons]
    store.write_persons(pa.Table.from_pylist(rows, schema=PERSON_SCHEMA.remove_metadata()))
    table = pa.table(
        {
            "person_id": pa.array([e[0] for e in events], pa.int64()),
            "system": pa.array([e[1] for e in events], pa.string()).dictionary_encode(),
            "code": pa.array([e[2] for e in events], pa.int64()),
            "date": pa.array([e[3] for e in events], pa.date32()),
            "value": pa.nulls(len(events), pa.float64()),
            "unit": pa.nulls(len(events), pa.string()).dictionary_encode(),
        }
    ).cast(EVENT_SCHEMA)
    store.write_batch("test", table)


def run(tmp_path, persons, events):
    store = AnalyticsStore(tmp_path)
    write(store, persons, events)
    result = run_duckdb(
        store=store, config=CONFIG, codelists=CODES, as_of=AS_OF.isoformat(), programmes=()
    )
    return {row["person_id"]: row for row in result.profiles.to_pylist()}, result


def d(years_ago: float) -> date:
    return AS_OF - timedelta(days=int(years_ago * 365.25))


def test_register_rules(tmp_path):
    adult = date(1950, 1, 1)
    persons = [{"person_id": i, "birth_date": adult} for i in range(1, 9)]
    persons.append({"person_id": 9, "birth_date": adult, "date_of_death": d(1)})
    persons.append({"person_id": 10, "birth_date": adult, "practice_id": None})
    persons.append({"person_id": 11, "birth_date": date(2015, 1, 1)})
    events = [
        (1, "snomed", HYP, d(3)),  # on the register
        (2, "snomed", HYP, d(3)),
        (2, "snomed", HYP_RES, d(1)),  # resolved
        (3, "snomed", HYP, d(5)),
        (3, "snomed", HYP_RES, d(4)),
        (3, "snomed", HYP, d(1)),  # back
        (4, "snomed", CKD35, d(3)),
        (4, "snomed", CKD12, d(1)),  # latest stage is 1-2
        (5, "snomed", CKD12, d(3)),
        (5, "snomed", CKD35, d(1)),  # latest stage is 3-5
        (6, "snomed", CANCER, d(6)),  # cancer more than 5 years ago
        (7, "snomed", CANCER, d(2)),  # within 5 years
        (8, "snomed", HYP, AS_OF + timedelta(days=1)),  # after the as-of date
        (9, "snomed", HYP, d(3)),  # died
        (10, "snomed", HYP, d(3)),  # not registered
        (11, "snomed", CKD35, d(1)),  # a child: CKD register is 18+
    ]
    profiles, _ = run(tmp_path, persons, events)
    on = {pid: p["conditions"] for pid, p in profiles.items()}
    assert on[1] == ["hypertension"] and on[2] == [] and on[3] == ["hypertension"]
    assert on[4] == [] and on[5] == ["ckd_3_5"]
    assert on[6] == [] and on[7] == ["cancer"] and on[8] == []
    assert 9 not in profiles and 10 not in profiles
    assert on[11] == []


def test_counts_scores_and_frailty(tmp_path):
    persons = [
        {"person_id": 1, "birth_date": date(1940, 1, 1)},
        {"person_id": 2, "birth_date": date(1990, 1, 1)},
    ]
    events = [(1, "snomed", CODES[s][0], d(2)) for s in ("hyp", "dm_t2", "hf", "dem")]
    events += [(1, "snomed", FALLS, d(1))]
    events += [(1, "dmd", 900 + i, d(0.5)) for i in range(5)]  # five medicines: polypharmacy
    events += [(2, "dmd", 900 + i, d(0.5)) for i in range(4)]
    profiles, result = run(tmp_path, persons, events)
    old = profiles[1]
    assert old["ltc_count"] == 4 and old["multimorbid"] is True
    # CMS general-outcome weights: hypertension 0.08, diabetes 0.75, heart failure 1.18,
    # dementia 2.50.
    assert old["cms"] == pytest.approx(4.51)
    # Deficits: hypertension, diabetes, heart failure, memory (dementia), falls, polypharmacy.
    assert old["efi"] == pytest.approx(round(6 / 36, 4))
    assert old["efi_band"] == "mild"
    assert profiles[2]["efi"] is None and profiles[2]["ltc_count"] == 0
    assert result.events == len(events)


def test_aggregates_count_and_standardise(tmp_path):
    persons = [
        {"person_id": i, "birth_date": date(1950 + (i % 40), 3, 1), "imd_quintile": 1 + i % 5}
        for i in range(1, 201)
    ]
    events = [(i, "snomed", HYP, d(2)) for i in range(1, 201) if i % 4 == 0]
    _, result = run(tmp_path, persons, events)
    rows = {(r["dimension"], r["stratum"], r["measure"]): r for r in result.aggregates.to_pylist()}
    total = rows[("all", "all", "hypertension")]
    assert total["count"] == 50 and total["denominator"] == 200
    assert total["crude_rate"] == pytest.approx(25.0)
    assert total["crude_lower"] < 25.0 < total["crude_upper"]
    assert total["asr_lower"] <= total["asr"] <= total["asr_upper"]
    by_imd = [rows[("imd_quintile", str(q), "hypertension")]["denominator"] for q in range(1, 6)]
    assert by_imd == [40] * 5


def test_diabetes_counts_once_in_the_cms(tmp_path):
    persons = [{"person_id": 1, "birth_date": date(1960, 1, 1)}]
    events = [(1, "snomed", CODES["dm_t1"][0], d(2)), (1, "snomed", CODES["dm_t2"][0], d(1))]
    profiles, _ = run(tmp_path, persons, events)
    assert profiles[1]["conditions"] == ["diabetes_t1", "diabetes_t2"]
    assert profiles[1]["cms"] == pytest.approx(0.75)


def test_boundaries(tmp_path):
    """Same-day resolution resolves; exactly 5 years is outside the cancer window; exactly
    one year ago is outside the polypharmacy window; five medicines make polypharmacy."""
    born = date(1950, 1, 1)
    persons = [{"person_id": i, "birth_date": born} for i in range(1, 5)]
    year_ago, five_years_ago = date(2025, 6, 30), date(2021, 6, 30)
    events = (
        [
            (1, "snomed", HYP, d(2)),
            (1, "snomed", HYP_RES, d(2)),
            (2, "snomed", CANCER, five_years_ago),
            (3, "snomed", CANCER, five_years_ago + timedelta(days=1)),
        ]
        + [(4, "dmd", 900 + i, year_ago + timedelta(days=1)) for i in range(5)]
        + [(1, "dmd", 900 + i, year_ago) for i in range(5)]
    )
    profiles, _ = run(tmp_path, persons, events)
    assert profiles[1]["conditions"] == []
    assert profiles[2]["conditions"] == [] and profiles[3]["conditions"] == ["cancer"]
    assert profiles[4]["efi"] == pytest.approx(round(1 / 36, 4))  # polypharmacy only
    assert profiles[1]["efi"] == pytest.approx(
        round(1 / 36, 4)
    )  # hypertension code, no polypharmacy


def test_unknown_codelists_are_refused(tmp_path):
    store = AnalyticsStore(tmp_path)
    write(store, [{"person_id": 1, "birth_date": date(1950, 1, 1)}], [])
    with pytest.raises(ValueError, match="Codelists not imported"):
        run_duckdb(
            store=store,
            config=CONFIG,
            codelists={"hyp": [1]},
            as_of=AS_OF.isoformat(),
            programmes=(),
        )


interesting = [
    CODES[s][0]
    for s in (
        "hyp",
        "hyp_res",
        "ckd_3_5",
        "ckd_1_2",
        "can",
        "efi_falls",
        "dm_t2",
        "depr",
        "depr_res",
    )
]
# Dates cluster on the boundaries the rules care about (same day, as-of, 1 and 5 years).
boundary_dates = [
    AS_OF,
    AS_OF + timedelta(days=1),
    date(2025, 6, 30),
    date(2025, 7, 1),
    date(2021, 6, 30),
    date(2021, 7, 1),
]
event_strategy = st.tuples(
    st.integers(1, 2),
    st.sampled_from(["snomed", "snomed", "snomed", "dmd"]),
    st.sampled_from(interesting + [900, 901, 902, 903, 904, 905]),
    st.sampled_from(boundary_dates),
)
person_strategy = st.builds(
    lambda birth, dead, registered: {
        "birth_date": birth,
        "date_of_death": dead,
        "practice_id": 1 if registered else None,
    },
    st.dates(min_value=date(1920, 1, 1), max_value=date(2026, 12, 31)) | st.just(date(1950, 1, 1)),
    st.one_of(
        st.none(),
        st.none(),
        st.none(),
        st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 1, 1)),
    ),
    st.booleans() | st.just(True),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(person_strategy, min_size=1, max_size=2), st.lists(event_strategy, max_size=60))
def test_duckdb_matches_the_plain_python_reference(tmp_path, people, events):
    persons = [{"person_id": i, **p} for i, p in enumerate(people, start=1)]
    profiles, _ = run(tmp_path, persons, events)
    expected = reference_profiles(persons, events, CONFIG, CODES, AS_OF)
    assert set(profiles) == set(expected)
    for pid, want in expected.items():
        got = profiles[pid]
        assert sorted(got["conditions"]) == want["conditions"], pid
        for key in ("ltc_count", "multimorbid", "efi_band", "age"):
            assert got[key] == want[key], (pid, key)
        assert got["cms"] == pytest.approx(want["cms"])
        assert (got["efi"] is None) == (want["efi"] is None)
        if want["efi"] is not None:
            assert got["efi"] == pytest.approx(want["efi"])
