"""Does care coordination help? Emergency admissions of people taken onto the caseload
(first contacted), in the year before and the time after, compared with matched people
identified by the same population run but not yet contacted: a difference in differences.

Matching is exact on age band, sex, IMD quintile, number of long-term conditions (1–2,
3, 4, 5+), frailty band and admissions in the year before (0, 1, 2+); each person taken on
is paired with one not yet taken on from their stratum (nearest age), who is given the
same date. Rates are admissions per person-year before (the 12 months up to the date) and
after (from the date to the run's date). The estimate is the mean over pairs of (change
taken on − change not yet taken on), with a 95% interval from the pairs' spread.

What it cannot say: people are taken on in priority order, so those not yet taken on may
differ in ways the record does not show; admissions fall after a bad year by themselves
(regression to the mean), which matching on prior admissions only partly meets; short
"after" times make estimates noisy; and on the synthetic borough nothing makes care change
admissions, so an estimate near zero is what the code should find there.
"""

import math
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass
class Evaluation:
    as_of: date
    taken_on: int = 0
    pairs: int = 0
    unmatched: int = 0
    before_taken: float | None = None
    after_taken: float | None = None
    before_waiting: float | None = None
    after_waiting: float | None = None
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None
    mean_after_days: float | None = None
    caveats: list[str] = field(default_factory=list)


def _band(value, edges, labels):
    for edge, label in zip(edges, labels, strict=False):
        if value is not None and value <= edge:
            return label
    return labels[-1]


def _admissions(person_ids: list[int], since: date, until: date) -> dict[int, list[date]]:
    """Each person's emergency admissions (SNOMED CT 32485007) between the dates, from the
    analytics store (a merged record's as its survivor's)."""
    import duckdb

    from joinedup.population.engines import ENCOUNTER_CODES
    from joinedup.population.store import AnalyticsStore

    store = AnalyticsStore()
    files = [str(f) for f in store.event_files()]
    if not files or not person_ids:
        return {}
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT person_id, date FROM read_parquet(?) WHERE person_id IN (SELECT unnest(?)) "
            "AND system = 'snomed' AND code IN (SELECT unnest(?)) AND date > ? AND date <= ?",
            [files, person_ids, list(ENCOUNTER_CODES["admission"]), since, until],
        ).fetchall()
    found: dict[int, list[date]] = {}
    for person_id, day in rows:
        found.setdefault(person_id, []).append(day)
    return found


def evaluate_caseload(run) -> Evaluation:
    """The evaluation as of a population run (its date ends the "after" time)."""
    from joinedup.care.interface import taken_on
    from joinedup.population.models import PersonProfile

    as_of = run.as_of
    result = Evaluation(as_of=as_of)
    started, waiting = taken_on()
    started = {p: d for p, d in started.items() if d < as_of}
    result.taken_on = len(started)
    profiles = {
        p.person_id: p
        for p in PersonProfile.objects.filter(run=run, person_id__in=[*started, *waiting])
    }
    events = _admissions(list(profiles), as_of - timedelta(days=365 * 3), as_of)

    def prior(person_id: int, on: date) -> int:
        return min(sum(1 for d in events.get(person_id, []) if on - timedelta(365) < d <= on), 2)

    def kind(profile) -> tuple:
        return (
            _band(profile.age, (64, 74, 84), ("under 65", "65-74", "75-84", "85+")),
            profile.sex,
            profile.imd_quintile,
            _band(profile.ltc_count, (2, 3, 4), ("1-2", "3", "4", "5+")),
            profile.efi_band,
        )

    pool: dict[tuple, list] = {}
    for person_id in waiting:
        if person_id in profiles:
            pool.setdefault(kind(profiles[person_id]), []).append(profiles[person_id])
    used: set[int] = set()
    differences, rates = [], {"bt": [], "at": [], "bw": [], "aw": []}
    after_days = []
    for person_id, on in sorted(started.items()):
        profile = profiles.get(person_id)
        if profile is None:
            continue
        before = prior(person_id, on)
        candidates = [
            c
            for c in pool.get(kind(profile), [])
            if c.person_id not in used and prior(c.person_id, on) == before
        ]
        if not candidates:
            result.unmatched += 1
            continue
        control = min(candidates, key=lambda c: (abs(c.age - profile.age), c.person_id))
        used.add(control.person_id)
        years_after = max((as_of - on).days, 1) / 365.25
        after_days.append((as_of - on).days)
        change = {}
        for who, person in (("t", profile), ("w", control)):
            dates = events.get(person.person_id, [])
            before = sum(1 for d in dates if on - timedelta(365) < d <= on)
            after = sum(1 for d in dates if on < d <= as_of) / years_after
            rates["b" + who].append(before)
            rates["a" + who].append(after)
            change[who] = after - before
        differences.append(change["t"] - change["w"])
    result.pairs = len(differences)
    if differences:
        result.before_taken = statistics.fmean(rates["bt"])
        result.after_taken = statistics.fmean(rates["at"])
        result.before_waiting = statistics.fmean(rates["bw"])
        result.after_waiting = statistics.fmean(rates["aw"])
        result.estimate = statistics.fmean(differences)
        result.mean_after_days = statistics.fmean(after_days)
        if len(differences) > 1:
            half = 1.96 * statistics.stdev(differences) / math.sqrt(len(differences))
            result.lower, result.upper = result.estimate - half, result.estimate + half
    result.caveats = _caveats(result)
    return result


def _caveats(result: Evaluation) -> list[str]:
    caveats = [
        "People are taken on in priority order, so those not yet taken on may differ in ways "
        "the record does not show.",
        "Admissions fall after a bad year by themselves (regression to the mean); matching "
        "on the year before's admissions only partly meets it.",
    ]
    if result.pairs < 100:
        caveats.append(
            f"Only {result.pairs} matched pairs: too few to show anything but a large effect."
        )
    if result.mean_after_days is not None and result.mean_after_days < 180:
        caveats.append(
            f"On average only {result.mean_after_days:.0f} days have passed since people were "
            "taken on: the 'after' rates rest on little time."
        )
    if result.unmatched:
        caveats.append(
            f"{result.unmatched} people taken on had nobody like them not yet taken on, and "
            "are left out."
        )
    return caveats
