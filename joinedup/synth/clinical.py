"""Synthetic coded primary-care history for the demo borough, written straight to the
analytics store as Parquet.

Each resident gets conditions drawn from the codelists the engine uses, with
prevalence rising with age, differing by sex, and starting earlier with deprivation
(the most deprived quintile is 12 years "older"), plus a shared propensity so that
conditions cluster as they do in real records; diagnosis and resolution dates;
observations (BMI, blood pressure, eGFR, HbA1c, cholesterol, smoking, alcohol, and the SMI
physical health check); medicine issues; two years of hospital admissions and A&E
attendances (last year's admissions depending on conditions, age, frailty and the year
before's: see ``_hospital_history``); and background consultation codes — about 45
events per person.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from joinedup.population.codelists import is_snomed_id, read_codelist_dir, verhoeff_digit
from joinedup.population.store import AnalyticsStore

STARTER_CODELISTS = Path(__file__).resolve().parents[1] / "population" / "data" / "codelists"
EPOCH = date(1970, 1, 1)
DEPRIVATION_AGE_SHIFT = {1: 12.0, 2: 8.0, 3: 5.0, 4: 2.0, 5: 0.0}


@dataclass(frozen=True)
class Morbidity:
    """How often a coded problem occurs: logit = a + b·(effective age − 60)/10 + sex + z."""

    codelist: str
    a: float
    b: float
    min_onset: int = 0
    female: float = 0.0
    resolved_codelist: str | None = None
    resolved_share: float = 0.0
    diagnosed_within_years: int | None = None


MORBIDITIES = {
    "hypertension": Morbidity("hyp", -1.6, 0.75, 25, 0.0, "hyp_res", 0.03),
    "diabetes_t1": Morbidity("dm_t1", -5.4, 0.0, 1, 0.0, "dm_res", 0.01),
    "diabetes_t2": Morbidity("dm_t2", -2.4, 0.45, 25, -0.2, "dm_res", 0.02),
    "asthma": Morbidity("ast", -2.7, 0.0, 3, 0.1, "ast_res", 0.15),
    "copd": Morbidity("copd", -4.3, 0.6, 40),
    "chd": Morbidity("chd", -3.8, 0.7, 35, -0.6),
    "heart_failure": Morbidity("hf", -5.6, 0.85, 40),
    "atrial_fibrillation": Morbidity("af", -5.0, 0.95, 40, -0.3, "af_res", 0.05),
    "stroke_tia": Morbidity("strk", -4.7, 0.75, 35),
    "ckd": Morbidity("ckd_3_5", -4.3, 0.95, 30, 0.2, "ckd_1_2", 0.10),
    "dementia": Morbidity("dem", -8.2, 1.35, 55),
    "depression": Morbidity("depr", -2.1, 0.0, 16, 0.5, "depr_res", 0.30),
    "smi": Morbidity("smi", -4.7, 0.0, 16, 0.0, "smi_res", 0.05),
    "epilepsy": Morbidity("epil", -4.9, 0.0, 1, 0.0, "epil_res", 0.05),
    "cancer": Morbidity("can", -3.6, 0.6, 30, 0.0, None, 0.0, 20),
    "rheumatoid_arthritis": Morbidity("rarth", -5.0, 0.3, 25, 0.8),
    "osteoporosis": Morbidity("osteo", -5.7, 0.9, 50, 1.3),
    "learning_disability": Morbidity("ld", -5.4, 0.0, 1),
    "pad": Morbidity("pad", -5.8, 0.75, 45),
    "hypothyroidism": Morbidity("hypothy", -4.1, 0.4, 20, 1.2),
    "parkinsons": Morbidity("park", -7.6, 1.0, 50),
}
# Frailty deficits (beyond the conditions), commoner with age and with frailty itself.
FRAILTY_CODELISTS = (
    "efi_falls",
    "efi_dizziness",
    "efi_dyspnoea",
    "efi_incontinence",
    "efi_hearing",
    "efi_visual",
    "efi_housebound",
    "efi_weight_loss",
    "efi_anaemia",
    "efi_arthritis",
    "efi_foot",
    "efi_fracture",
    "efi_valve",
    "efi_hypotension",
    "efi_cognitive",
    "efi_mobility",
    "efi_peptic",
    "efi_care",
    "efi_skin_ulcer",
    "efi_sleep",
    "efi_social",
    "efi_urinary",
    "efi_activity",
    "efi_respiratory_other",
)
BACKGROUND_CODES = tuple(
    code
    for code in (
        185349003,
        390906007,
        11429006,
        185389009,
        308335008,
        270427003,
        439708006,
        185316007,
        86013001,
        183452005,
        410620009,
        225358003,
        171207006,
        413456002,
    )
    if is_snomed_id(str(code))
)
BMI, SYSTOLIC, DIASTOLIC, EGFR = 60621009, 271649006, 271650006, 80274001
HBA1C, CHOLESTEROL, ALCOHOL = 999791000000106, 1005671000000105, 160573003
SMOKING = (77176002, 8517006, 266919005)  # smoker, ex-smoker, never smoked
ADMISSION, AE = 32485007, 4525004
# Synthetic medicine codes in the dm+d system (SNOMED-form identifiers in the made-up
# namespace 9999999, partition 10, with a valid check digit): counted for polypharmacy.
MEDICINE_CODES = np.array(
    [int(f"{item}999999910" + verhoeff_digit(f"{item}999999910")) for item in range(900, 940)],
    dtype=np.int64,
)


def _days(d: date) -> int:
    return (d - EPOCH).days


class _Events:
    """Columns collected in pieces and joined once."""

    def __init__(self):
        self.parts: list[tuple] = []

    def add(self, person, system, code, day, value=None, unit=None):
        n = len(person)
        if n == 0:
            return
        code = np.broadcast_to(np.asarray(code, dtype=np.int64), (n,))
        value = np.full(n, np.nan) if value is None else np.asarray(value, dtype=float)
        self.parts.append((person, system, code, day, value, unit))

    def table(self, person_ids: np.ndarray, birth_days: np.ndarray) -> pa.Table:
        person = np.concatenate([p[0] for p in self.parts])
        systems = np.concatenate(
            [np.full(len(p[0]), 0 if p[1] == "snomed" else 1, np.int8) for p in self.parts]
        )
        units = ["", "kg/m2", "mmHg", "mL/min/1.73m2", "mmol/mol", "mmol/L"]
        unit_idx = np.concatenate(
            [np.full(len(p[0]), units.index(p[5] or ""), np.int16) for p in self.parts]
        )
        value = np.concatenate([p[4] for p in self.parts])
        # Nothing is recorded before a person was born (a baby's "last 12 months").
        day = np.maximum(np.concatenate([p[3] for p in self.parts]), birth_days[person])
        order = np.lexsort((day, person))
        day = day[order].astype("int32")
        return pa.table(
            {
                "person_id": pa.array(person_ids[person[order]], pa.int64()),
                "system": pa.DictionaryArray.from_arrays(
                    pa.array(systems[order], pa.int8()), pa.array(["snomed", "dmd"])
                ),
                "code": pa.array(np.concatenate([p[2] for p in self.parts])[order], pa.int64()),
                "date": pa.array(day, pa.date32()),
                "value": pa.array(value[order], pa.float64(), from_pandas=True),
                "unit": pa.DictionaryArray.from_arrays(
                    pa.array(
                        np.where(unit_idx[order] == 0, -1, unit_idx[order]),
                        pa.int16(),
                        mask=unit_idx[order] == 0,
                    ),
                    pa.array(units),
                ),
            }
        )


def generate_chunk(
    *,
    person_ids: np.ndarray,
    birth_days: np.ndarray,
    female: np.ndarray,
    imd_quintile: np.ndarray,
    as_of: date,
    rng: np.random.Generator,
    codes: dict[str, np.ndarray],
) -> pa.Table:
    """Events for one chunk of people (arrays of equal length)."""
    n = len(person_ids)
    today = _days(as_of)
    age = (today - birth_days) / 365.25
    shift = np.vectorize(DEPRIVATION_AGE_SHIFT.get)(np.where(imd_quintile > 0, imd_quintile, 3))
    effective_age = age + shift
    propensity = rng.normal(0, 1, n)
    events = _Events()
    ltc = np.zeros(n, dtype=np.int16)
    registered: dict[str, np.ndarray] = {}

    def onset_days(who, min_onset, within_years=None):
        start_age = np.maximum(min_onset, 0)
        lo = birth_days[who] + (start_age * 365.25).astype(int)
        if within_years:
            lo = np.maximum(lo, today - within_years * 365)
        hi = np.maximum(lo + 1, today - 1)
        return rng.integers(lo, hi)

    for key, m in MORBIDITIES.items():
        logit = m.a + m.b * (effective_age - 60) / 10 + m.female * female + 0.8 * propensity
        has = (rng.random(n) < 1 / (1 + np.exp(-logit))) & (age >= m.min_onset + 1)
        who = np.nonzero(has)[0]
        if len(who) == 0:
            continue
        dx = onset_days(who, m.min_onset, m.diagnosed_within_years)
        pool = codes[m.codelist]
        events.add(who, "snomed", pool[rng.integers(0, len(pool), len(who))], dx)
        # A review code a year or so later, as registers see in real records.
        again = who[rng.random(len(who)) < 0.6]
        if len(again):
            later = np.minimum(
                dx[np.searchsorted(who, again)] + rng.integers(200, 900, len(again)), today - 1
            )
            events.add(again, "snomed", pool[rng.integers(0, len(pool), len(again))], later)
        resolved = np.zeros(len(who), dtype=bool)
        if m.resolved_codelist:
            resolved = rng.random(len(who)) < m.resolved_share
            gone = who[resolved]
            if len(gone):
                res_pool = codes[m.resolved_codelist]
                when = np.minimum(dx[resolved] + rng.integers(1000, 2000, len(gone)), today - 1)
                events.add(
                    gone, "snomed", res_pool[rng.integers(0, len(res_pool), len(gone))], when
                )
        ltc[who[~resolved]] += 1
        registered[key] = who[~resolved]
        if key == "hypertension":
            for _ in range(3):
                day = today - rng.integers(30, 1500, len(who))
                sbp = rng.normal(142, 14, len(who)).round()
                events.add(who, "snomed", SYSTOLIC, day, sbp, "mmHg")
                events.add(
                    who,
                    "snomed",
                    DIASTOLIC,
                    day,
                    (sbp * 0.6 + rng.normal(0, 6, len(who))).round(),
                    "mmHg",
                )
        if key in ("ckd", "diabetes_t2"):
            egfr = rng.normal(48 if key == "ckd" else 70, 10, len(who)).clip(5, 120).round()
            events.add(
                who, "snomed", EGFR, today - rng.integers(30, 400, len(who)), egfr, "mL/min/1.73m2"
            )

    # Frailty deficits, for older people mostly.
    frail_logit = -6.0 + 0.8 * (effective_age - 60) / 10 + 0.6 * propensity + 0.15 * ltc
    deficits = np.zeros(n, dtype=np.int16)
    for slug in FRAILTY_CODELISTS:
        who = np.nonzero((rng.random(n) < 1 / (1 + np.exp(-frail_logit))) & (age >= 40))[0]
        deficits[who] += 1
        pool = codes[slug]
        events.add(who, "snomed", pool[rng.integers(0, len(pool), len(who))], onset_days(who, 40))

    # Medicines in the last year: more with more conditions.
    n_medicines = np.minimum(rng.poisson(0.4 + 1.1 * ltc), len(MEDICINE_CODES))
    who = np.repeat(np.arange(n), n_medicines * 3)
    if len(who):
        medicine = np.repeat(
            np.concatenate([rng.permutation(len(MEDICINE_CODES))[:k] for k in n_medicines]), 3
        )
        events.add(who, "dmd", MEDICINE_CODES[medicine], today - rng.integers(1, 365, len(who)))

    # Hospital use in the last year.
    for code, base in ((ADMISSION, 0.04), (AE, 0.18)):
        count = rng.poisson(base + 0.12 * ltc + 0.05 * np.maximum(age - 70, 0) / 10)
        who = np.repeat(np.arange(n), count)
        events.add(who, "snomed", code, today - rng.integers(1, 365, len(who)))
    _hospital_history(events, rng.spawn(1)[0], n, today, age, ltc, deficits)

    # BMI for adults every few years, and background consultations.
    adults = np.nonzero(age >= 18)[0]
    bmi = rng.normal(27, 5, len(adults)).clip(14, 60).round(1)
    events.add(adults, "snomed", BMI, today - rng.integers(1, 1500, len(adults)), bmi, "kg/m2")
    _prevention_checks(events, rng, age, today, registered)
    background = rng.poisson(18 + 0.45 * age + 2 * ltc)
    who = np.repeat(np.arange(n), background)
    first = np.maximum(birth_days[who], today - 15 * 365)
    day = first + (rng.random(len(who)) * (today - first)).astype(np.int64)
    events.add(
        who,
        "snomed",
        np.asarray(BACKGROUND_CODES)[rng.integers(0, len(BACKGROUND_CODES), len(who))],
        day,
    )
    return events.table(person_ids, birth_days)


def _hospital_history(events, rng, n, today, age, ltc, deficits) -> None:
    """The year before last of hospital use, and last year's admissions that follow from it.

    Admissions in the year before last rise with long-term conditions, age over 70 and
    frailty deficits; each of them adds 0.35 to the expected admissions of the last year,
    and each frailty deficit 0.06 more (on top of the conditions and age above). So a model
    of the risk of admission, trained a year back, has a documented signal to find: the
    conditions, age, frailty and prior admissions. Drawn from a generator of its own, so
    every other event is as it was without this history.
    """
    older = np.maximum(age - 70, 0) / 10
    before = rng.poisson(0.03 + 0.10 * ltc + 0.05 * older + 0.08 * deficits)
    for code, count, years_back in (
        (ADMISSION, before, 1),
        (AE, rng.poisson(0.18 + 0.12 * ltc + 0.05 * older), 1),
        (ADMISSION, rng.poisson(0.35 * before + 0.06 * deficits), 0),
    ):
        who = np.repeat(np.arange(n), count)
        events.add(who, "snomed", code, today - 365 * years_back - rng.integers(1, 365, len(who)))


def _prevention_checks(events, rng, age, today, registered) -> None:
    """What prevention programmes look for: blood pressures of people not known to have
    hypertension (a few raised), HbA1c tests (some in the non-diabetic hyperglycaemia
    range), cholesterol, smoking status and alcohol intake, and the annual physical health
    check of people with severe mental illness (most have all six parts in the year)."""
    n = len(age)
    adults = age >= 18
    known = np.zeros(n, dtype=bool)
    known[registered.get("hypertension", np.array([], np.int64))] = True
    diabetic = np.zeros(n, dtype=bool)
    for key in ("diabetes_t1", "diabetes_t2"):
        diabetic[registered.get(key, np.array([], np.int64))] = True
    # Blood pressure: checked in 45% of adults without hypertension, once or twice in the
    # last two years; raised with age.
    checked = np.nonzero(adults & ~known & (rng.random(n) < 0.45))[0]
    for _ in range(2):
        who = checked[rng.random(len(checked)) < 0.7]
        sbp = (rng.normal(118, 15, len(who)) + 0.4 * np.maximum(age[who] - 40, 0)).round()
        day = today - rng.integers(1, 450, len(who))
        events.add(who, "snomed", SYSTOLIC, day, sbp, "mmHg")
        dbp = (sbp * 0.6 + rng.normal(2, 6, len(who))).round()
        events.add(who, "snomed", DIASTOLIC, day, dbp, "mmHg")
    # HbA1c (mmol/mol): tested in a third of adults over 40 and every person with diabetes.
    tested = np.nonzero((adults & (age >= 40) & (rng.random(n) < 0.33)) | diabetic)[0]
    value = np.where(
        diabetic[tested],
        rng.normal(58, 12, len(tested)),
        rng.normal(37, 3.5, len(tested)) + 0.06 * np.maximum(age[tested] - 40, 0),
    ).clip(20, 130)
    events.add(tested, "snomed", HBA1C, today - rng.integers(1, 600, len(tested)),
               value.round(), "mmol/mol")  # fmt: skip
    # Cholesterol, smoking status and alcohol intake, recorded at checks.
    for code_of, share, unit, values in (
        (lambda k: np.full(k, CHOLESTEROL), 0.3, "mmol/L", lambda k: rng.normal(5.0, 1.0, k)),
        (lambda k: np.asarray(SMOKING)[rng.choice(3, k, p=[0.14, 0.26, 0.6])], 0.6, None, None),
        (lambda k: np.full(k, ALCOHOL), 0.35, None, None),
    ):
        who = np.nonzero(adults & (rng.random(n) < share))[0]
        events.add(
            who,
            "snomed",
            code_of(len(who)),
            today - rng.integers(1, 900, len(who)),
            values(len(who)).round(1) if values else None,
            unit,
        )
    # The SMI annual physical health check: all six parts in the year for 60%.
    smi = registered.get("smi", np.array([], np.int64))
    smi = smi[age[smi] >= 18]
    full = smi[rng.random(len(smi)) < 0.6]
    day = today - rng.integers(1, 330, len(full))
    for code, value, unit in (
        (SYSTOLIC, 124.0, "mmHg"),
        (BMI, 29.0, "kg/m2"),
        (HBA1C, 38.0, "mmol/mol"),
        (CHOLESTEROL, 5.1, "mmol/L"),
        (SMOKING[0], None, None),
        (ALCOHOL, None, None),
    ):
        events.add(full, "snomed", code, day, None if value is None else np.full(len(full), value),
                   unit)  # fmt: skip


def starter_codes() -> dict[str, np.ndarray]:
    return {
        c.slug: np.array([code for code, _ in c.codes], dtype=np.int64)
        for c in read_codelist_dir(STARTER_CODELISTS)
    }


def write_clinical_records(
    *,
    store: AnalyticsStore,
    person_ids: np.ndarray,
    birth_dates: list[date] | np.ndarray,
    female: np.ndarray,
    imd_quintile: np.ndarray,
    seed: int,
    as_of: date,
    chunk_size: int = 100_000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the synthetic events of these people as ``synth-<seed>-<chunk>`` batches;
    the same seed and people give the same files. Returns the number of events."""
    codes = starter_codes()
    store.clear_events(f"synth-{seed}-")
    birth_days = np.asarray(
        [_days(b) for b in birth_dates] if not isinstance(birth_dates, np.ndarray) else birth_dates,
        dtype=np.int64,
    )
    total = 0
    for index, start in enumerate(range(0, len(person_ids), chunk_size)):
        stop = start + chunk_size
        rng = np.random.default_rng([seed, index])
        table = generate_chunk(
            person_ids=np.asarray(person_ids[start:stop]),
            birth_days=birth_days[start:stop],
            female=np.asarray(female[start:stop], dtype=float),
            imd_quintile=np.asarray(imd_quintile[start:stop]),
            as_of=as_of,
            rng=rng,
            codes=codes,
        )
        store.write_batch(f"synth-{seed}-{index:05d}", table)
        total += table.num_rows
        if progress:
            progress(min(stop, len(person_ids)), len(person_ids))
    return total
