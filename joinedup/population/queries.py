"""Reads for the population pages: the current run, its suppressed aggregates, realism."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from .config import load_config
from .exports import suppressed_aggregates
from .models import PersonProfile, PopulationRun

# Barnett K et al. Lancet 2012;380:37-43 (Scotland, 1.75 million people, 40 conditions):
# 23.2% had 2+ conditions; most people 65+ had 2+; onset 10–15 years earlier in the most
# deprived areas. joinedup counts fewer conditions, so its figures should sit below these.
BARNETT_2012 = {"share_2_plus": 23.2, "share_2_plus_65_84": 64.9, "share_2_plus_85_plus": 81.5}


@dataclass
class Dashboard:
    run: PopulationRun
    rows_by_dimension: dict[str, list[dict]]
    labels: dict[str, str]
    realism: list[dict]


def current_run() -> PopulationRun | None:
    return PopulationRun.objects.filter(current=True).first()


def current_profile(person) -> PersonProfile | None:
    """The person's registers and scores from the current population run (with the run),
    or None when the run did not count them."""
    return (
        PersonProfile.objects.filter(person=person, run__current=True).select_related("run").first()
    )


@dataclass(frozen=True)
class ConditionEvidence:
    """What the coded record says of one of a person's conditions."""

    code: int  # the SNOMED CT code last recorded for it
    term: str
    onset: date  # first recorded (since its last resolution, if any)
    latest: date


def condition_evidence(person, keys, as_of: date) -> dict[str, ConditionEvidence]:
    """For each condition key, the codes in ``person``'s coded record (and in records
    merged into theirs) that put them on its register on ``as_of``: the latest diagnosis
    code, and the first diagnosis since the last resolution. Keys with no codes in the
    analytics store (e.g. a profile made by hand) are left out."""
    import duckdb

    from .actions import merged_records
    from .models import CodelistCode
    from .store import AnalyticsStore

    conditions = [c for c in load_config().conditions if c.key in set(keys)]
    files = AnalyticsStore().event_files()
    if not conditions or not files:
        return {}
    slugs = {s for c in conditions for s in (*c.diagnosis, *c.resolved)}
    terms: dict[int, str] = {}
    in_list: dict[str, set[int]] = {}
    for slug, code, term in CodelistCode.objects.filter(codelist__slug__in=slugs).values_list(
        "codelist__slug", "code", "term"
    ):
        in_list.setdefault(slug, set()).add(code)
        terms.setdefault(code, term)
    if not terms:
        return {}
    merged = merged_records()
    records = [person.pk, *(r for r, survivor in merged.items() if survivor == person.pk)]
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT code, date FROM read_parquet(?) WHERE person_id IN (SELECT unnest(?)) "
            "AND system = 'snomed' AND code IN (SELECT unnest(?)) AND date <= ? "
            "ORDER BY date, code",
            [[str(f) for f in files], records, sorted(terms), as_of],
        ).fetchall()
    found = {}
    for condition in conditions:
        diagnosis = set().union(*(in_list.get(s, set()) for s in condition.diagnosis))
        resolved = set().union(*(in_list.get(s, set()) for s in condition.resolved))
        last_resolved = max((d for c, d in rows if c in resolved), default=None)
        current = [
            (d, c)
            for c, d in rows
            if c in diagnosis and (last_resolved is None or d > last_resolved)
        ]
        if current:
            (onset, _), (latest, code) = current[0], current[-1]
            found[condition.key] = ConditionEvidence(code, terms[code], onset, latest)
    return found


def realism_panel(run: PopulationRun) -> list[dict]:
    """Our population beside published figures: shares with 2+ conditions."""
    profiles = PersonProfile.objects.filter(run=run)
    counts = profiles.aggregate(
        all=Count("id"),
        two=Count("id", filter=Q(ltc_count__gte=2)),
        old=Count("id", filter=Q(age__gte=65, age__lt=85)),
        old_two=Count("id", filter=Q(age__gte=65, age__lt=85, ltc_count__gte=2)),
        oldest=Count("id", filter=Q(age__gte=85)),
        oldest_two=Count("id", filter=Q(age__gte=85, ltc_count__gte=2)),
    )

    def share(n, d):
        return round(100 * n / d, 1) if d else None

    return [
        {
            "label": "All ages with 2 or more conditions",
            "ours": share(counts["two"], counts["all"]),
            "published": BARNETT_2012["share_2_plus"],
        },
        {
            "label": "Aged 65 to 84 with 2 or more conditions",
            "ours": share(counts["old_two"], counts["old"]),
            "published": BARNETT_2012["share_2_plus_65_84"],
        },
        {
            "label": "Aged 85 and over with 2 or more conditions",
            "ours": share(counts["oldest_two"], counts["oldest"]),
            "published": BARNETT_2012["share_2_plus_85_plus"],
        },
    ]


def dashboard(run: PopulationRun) -> Dashboard:
    rows: dict[str, list[dict]] = {}
    for row in suppressed_aggregates(run):
        rows.setdefault(row["dimension"], []).append(row)
    labels = {c.key: c.label for c in load_config().conditions}
    labels["multimorbidity"] = f"{load_config().multimorbidity_threshold} or more conditions"
    return Dashboard(run=run, rows_by_dimension=rows, labels=labels, realism=realism_panel(run))
