"""Every write of the identity app: loading agency extracts, linking, review decisions."""

import csv
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.faults import crash_point
from joinedup.core.models import Organisation, User
from joinedup.core.spreadsheets import safe_cell
from joinedup.people.models import Person

from . import linkage
from .extracts import read_extract, read_fhir_patients
from .models import AgencyLoad, Band, Merge, ReviewItem, SourceRecord

COMPARED = ("nhs_number", "given_name", "family_name", "birth_date", "sex", "postcode", "address")
# Kept and shown, not used for linking.
FACTS = ("phone", "language", "interpreter_needed", "communication_needs", "carer")


def thresholds() -> tuple[float, float]:
    """(upper, lower) match probabilities: link automatically at or above the upper, send to
    review between, leave unlinked below. From JOINEDUP_LINK_UPPER / JOINEDUP_LINK_LOWER."""
    upper, lower = settings.LINK_UPPER, settings.LINK_LOWER
    if not 0 < lower < upper < 1:
        raise ValidationError("Linkage thresholds need 0 < lower < upper < 1")
    return upper, lower


def find_agency(name: str) -> Organisation:
    agency = Organisation.objects.filter(Q(ods_code__iexact=name) | Q(name__iexact=name)).first()
    if agency is None:
        raise ValidationError(f"No organisation called '{name}' (use its name or ODS code)")
    return agency


@transaction.atomic
def load_extract(*, by: User | None, agency: Organisation, path: Path | str) -> AgencyLoad:
    """Keep an agency's extract as sent. A record whose content changed becomes a new
    current version; the old one is kept. Bad rows go to a quarantine report."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    existing = AgencyLoad.objects.filter(agency=agency, sha256=sha).first()
    if existing:
        return existing
    reader = read_fhir_patients if path.suffix.lower() == ".json" else read_extract
    rows, quarantine = reader(path, timezone.localdate())
    load = AgencyLoad.objects.create(
        agency=agency,
        file_name=path.name[:300],
        sha256=sha,
        loaded_at=timezone.now(),
        rows=len(rows) + len(quarantine),
        quarantined=len(quarantine),
    )
    # The agency's current records with the extract's local ids, in chunks (IN lists stay
    # small; an incremental extract does not read the agency's whole history).
    local_ids = [row.local_id for row in rows]
    current = {}
    for start in range(0, len(local_ids), 5000):
        current.update(
            (r.local_id, r)
            for r in SourceRecord.objects.filter(
                agency=agency, current=True, local_id__in=local_ids[start : start + 5000]
            ).only(
                "pk",
                "local_id",
                "agency",
                *COMPARED,
                *FACTS,
                "nhs_number_verified",
                "postcode_valid",
            )
        )
    new, superseded = [], []
    for row in rows:
        values = {
            "nhs_number": row.nhs_number,
            "nhs_number_verified": row.nhs_number_verified,
            "given_name": row.given_name,
            "family_name": row.family_name,
            "birth_date": row.birth_date,
            "sex": row.sex,
            "postcode": row.postcode,
            "postcode_valid": row.postcode_valid,
            "address": row.address,
            **{k: getattr(row, k) for k in FACTS},
        }
        old = current.get(row.local_id)
        if old and all(getattr(old, k) == v for k, v in values.items()):
            continue
        if old:
            superseded.append(old.pk)
        new.append(SourceRecord(agency=agency, load=load, local_id=row.local_id, **values))
    for start in range(0, len(superseded), 10_000):
        SourceRecord.objects.filter(pk__in=superseded[start : start + 10_000]).update(current=False)
    SourceRecord.objects.bulk_create(new, batch_size=5000)
    load.kept = len(new)
    if quarantine:
        report = Path(settings.DATA_DIR) / "identity" / "quarantine" / f"load-{load.pk}.csv"
        report.parent.mkdir(parents=True, exist_ok=True)
        with report.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["file", "row", "field", "reason"])
            writer.writerows([safe_cell(cell) for cell in row] for row in quarantine)
        load.quarantine_report = str(report)
    load.save(update_fields=["kept", "quarantine_report"])
    record_audit(
        by=by,
        organisation=agency,
        action="identity.load",
        object_type="agency_load",
        object_id=load.pk,
        detail={"rows": load.rows, "kept": load.kept, "quarantined": load.quarantined},
    )
    return load


@dataclass
class LinkReport:
    records: int = 0
    deterministic: int = 0
    auto: int = 0
    review: int = 0
    unlinked: int = 0
    model: str = ""
    trained: bool = False
    steps: dict = field(default_factory=dict)


def model_path(version: int | None = None) -> Path:
    folder = Path(settings.DATA_DIR) / "identity" / "models"
    if version is None:
        versions = sorted(folder.glob("model-*.json"))
        return versions[-1] if versions else folder / "model-0001.json"
    return folder / f"model-{version:04d}.json"


def link(
    *,
    by: User | None,
    retrain: bool = False,
    progress: Callable[[str], None] | None = None,
    spark=None,
) -> LinkReport:
    """Link every current, not yet linked record (incremental): deterministically on a
    verified NHS number that agrees with date of birth, then with Splink — on DuckDB, or on
    Spark when given a Spark session."""
    upper, lower = thresholds()
    report = LinkReport()
    clock = {"step": None, "at": perf_counter()}

    def say(step: str) -> None:
        now = perf_counter()
        if clock["step"]:
            report.steps[clock["step"]] = round(now - clock["at"], 2)
        clock["step"], clock["at"] = step, now
        if progress:
            progress(step)

    candidates = SourceRecord.objects.filter(current=True, person__isnull=True).exclude(
        band=Band.REVIEW
    )
    if not retrain:
        candidates = candidates.filter(scored_by="")
    pending = list(candidates.values("pk", *COMPARED, "nhs_number_verified"))
    report.records = len(pending)
    if not pending:
        return report
    say("deterministic")
    # Only the people whose NHS numbers the pending records carry (in chunks).
    numbers = sorted({r["nhs_number"] for r in pending if r["nhs_number_verified"]})
    index: dict[str, tuple[int, object]] = {}
    for start in range(0, len(numbers), 5000):
        index.update(
            (nhs, (pk, born))
            for nhs, pk, born in Person.objects.filter(
                merged_into__isnull=True, nhs_number__in=numbers[start : start + 5000]
            ).values_list("nhs_number", "pk", "birth_date")
        )
    links: dict[int, tuple[int, float, str]] = {}
    for r in pending:
        person_id, born = index.get(r["nhs_number"], (None, None))
        if person_id and r["nhs_number_verified"] and r["birth_date"] == born:
            links[r["pk"]] = (person_id, 1.0, Band.AUTO)
    report.deterministic = len(links)
    rest = [r for r in pending if r["pk"] not in links]
    reviews: list[ReviewItem] = []
    if rest:
        say("probabilistic")
        decided = set(
            ReviewItem.objects.exclude(status=ReviewItem.Status.PENDING).values_list(
                "record_id", "person_id"
            )
        )
        persons = linkage.standardise(
            {
                "unique_id": p["pk"],
                "given_name": p["given_name"],
                "family_name": p["family_name"],
                "birth_date": p["birth_date"],
                "sex": p["sex"],
                "postcode": p["postcode"],
                "address": p["address_line1"],
                "nhs_number": p["nhs_number"],
            }
            # Streamed, and merged records are not candidates: their survivor is.
            for p in Person.objects.filter(merged_into__isnull=True)
            .values(
                "pk",
                "given_name",
                "family_name",
                "birth_date",
                "sex",
                "postcode",
                "address_line1",
                "nhs_number",
            )
            .iterator(chunk_size=20_000)
        )
        records = linkage.standardise(
            [
                {
                    "unique_id": r["pk"],
                    **{k: r[k] for k in COMPARED},
                    "nhs_number": r["nhs_number"] if r["nhs_number_verified"] else None,
                }
                for r in rest
            ]
        )
        path = model_path()
        trained = retrain or not path.exists()
        if trained and path.exists():
            path = model_path(int(path.stem.split("-")[1]) + 1)
        say("splink")
        predictions = linkage.predict(
            persons=persons,
            records=records,
            model_path=path,
            train=trained,
            threshold=lower,
            spark=spark,
        )
        report.model, report.trained = path.name, trained
        say("choosing")
        by_record = defaultdict(list)
        for p in predictions:
            if (p.record_id, p.person_id) not in decided:
                by_record[p.record_id].append(p)
        for record_id, candidates in by_record.items():
            candidates.sort(key=lambda p: -p.match_probability)
            best = candidates[0]
            # A clear winner only: a runner-up above the lower threshold sends the record
            # to review (twins, parent and child of the same name...).
            ambiguous = len(candidates) > 1 and candidates[1].match_probability >= lower
            if best.match_probability >= upper and not ambiguous:
                links[record_id] = (best.person_id, best.match_probability, Band.AUTO)
                continue
            for c in candidates[:3]:
                reviews.append(
                    ReviewItem(
                        record_id=record_id,
                        person_id=c.person_id,
                        match_probability=c.match_probability,
                        match_weight=c.match_weight,
                        field_weights=c.fields,
                    )
                )
    say("saving")
    _save_links(by=by, pending=pending, links=links, reviews=reviews, report=report)
    say("done")
    return report


@transaction.atomic
def _save_links(*, by, pending, links, reviews, report) -> None:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    in_review = {r.record_id for r in reviews}
    scored_by = report.model or "nhs-number"
    updates = []
    for r in pending:
        pk = r["pk"]
        if pk in links:
            person_id, probability, band = links[pk]
            updates.append((person_id, probability, band, now, scored_by, pk))
            report.auto += 1
        elif pk in in_review:
            updates.append((None, None, Band.REVIEW, None, scored_by, pk))
            report.review += 1
        else:
            updates.append((None, None, Band.UNLINKED, None, scored_by, pk))
            report.unlinked += 1
    # executemany, not bulk_update: the CASE statements of bulk_update take minutes at
    # borough scale on SQLite.
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(SourceRecord._meta.db_table)} SET {quote('person_id')} = %s, "  # noqa: S608
        f"{quote('match_probability')} = %s, {quote('band')} = %s, {quote('linked_at')} = %s, "
        f"{quote('scored_by')} = %s WHERE {quote('id')} = %s"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(updates), 10_000):
            cursor.executemany(sql, updates[start : start + 10_000])
            crash_point("identity.saving")  # some records linked, not all
    ReviewItem.objects.bulk_create(reviews, batch_size=5000, ignore_conflicts=True)
    record_audit(
        by=by,
        action="identity.link",
        object_type="linkage",
        detail={
            "records": report.records,
            "auto": report.auto,
            "review": report.review,
            "unlinked": report.unlinked,
            "model": report.model,
        },
    )


@transaction.atomic
def decide(*, by: User, item: ReviewItem, decision: str) -> ReviewItem:
    """A reviewer's decision on a candidate pair: ``link``, ``not_link`` or ``defer``.
    Remembered: the same pair is never offered again."""
    statuses = {
        "link": ReviewItem.Status.LINKED,
        "not_link": ReviewItem.Status.NOT_LINKED,
        "defer": ReviewItem.Status.DEFERRED,
    }
    if decision not in statuses:
        raise ValidationError({"decision": "Choose link, not link or defer"})
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if item.status not in (ReviewItem.Status.PENDING, ReviewItem.Status.DEFERRED):
        raise ValidationError("This pair has already been decided: nothing was changed")
    survivor = Person.objects.filter(pk=item.person_id).values_list("merged_into", flat=True)[0]
    if survivor:
        raise ValidationError(
            f"Record {item.person_id} has been merged into record {survivor}: "
            "this pair is no longer offered"
        )
    item.status, item.decided_by, item.decided_at = statuses[decision], by, timezone.now()
    item.save(update_fields=["status", "decided_by", "decided_at"])
    record = item.record
    if decision == "link":
        record.person_id, record.band, record.linked_at = (
            item.person_id,
            Band.MANUAL,
            item.decided_at,
        )
        record.match_probability = item.match_probability
        record.save(update_fields=["person", "band", "linked_at", "match_probability"])
        ReviewItem.objects.filter(record=record, status=ReviewItem.Status.PENDING).update(
            status=ReviewItem.Status.NOT_LINKED, decided_by=by, decided_at=item.decided_at
        )
    elif (
        decision == "not_link"
        and not record.reviews.filter(
            status__in=[ReviewItem.Status.PENDING, ReviewItem.Status.DEFERRED]
        ).exists()
    ):
        record.band = Band.UNLINKED
        record.save(update_fields=["band"])
    record_audit(
        by=by,
        action=f"identity.review.{decision}",
        person_id=item.person_id,
        object_type="source_record",
        object_id=record.pk,
        detail={"probability": round(item.match_probability, 4)},
    )
    return item


def export_links(out: Path) -> int:
    """``agency,local_id,person_id,band`` for every current record."""
    rows = SourceRecord.objects.filter(current=True).order_by("agency__name", "local_id")
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["agency", "local_id", "person_id", "band"])
        for agency, local_id, person_id, band in rows.values_list(
            "agency__name", "local_id", "person_id", "band"
        ).iterator(chunk_size=5000):
            writer.writerow(
                [agency or "", local_id, person_id or "", "auto" if band == Band.MANUAL else band]
            )
            count += 1
    return count


@transaction.atomic
def merge_persons(*, by: User | None, survivor: Person, absorbed: Person, reason: str) -> Merge:
    """Make two records of one person one: what is attached to ``absorbed`` moves to
    ``survivor``; ``absorbed`` is kept, marked as merged. Audited; undone by unmerge.

    What the survivor already has its own of (a profile in the same population run, a
    place on the same MDT agenda, a review pair for the same agency record) stays with
    the absorbed record: the next population run recomputes the profiles; so does the
    absorbed record's caseload entry when both have one (the survivor's place is kept).
    Any other one-to-one attachment both records have (a care plan) refuses the merge.
    """
    from joinedup.people.merging import attachments

    if survivor.pk == absorbed.pk:
        raise ValidationError("A person cannot be merged with themselves")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for the merge"})
    # Locked and read afresh: two officers merging the same records at once wait in turn.
    locked = Person.objects.select_for_update().filter(pk__in=[survivor.pk, absorbed.pk])
    if any(merged for merged in locked.values_list("merged_into", flat=True)):
        raise ValidationError("One of these records has already been merged")
    both = [a.name for a in attachments() if a.both_have(survivor.pk, absorbed.pk)]
    if both:
        raise ValidationError(
            f"Both records have a {' and a '.join(both)}, and a person can have only one: "
            "bring them together in one record first, then merge"
        )
    moved, stayed = {}, {}
    for attachment in attachments():
        ids = list(attachment.rows_of(absorbed.pk).order_by("pk").values_list("pk", flat=True))
        staying = attachment.clashes(ids, onto=survivor.pk)
        moving = [pk for pk in ids if pk not in staying]
        if moving:
            attachment.model.objects.filter(pk__in=moving).update(**{attachment.field: survivor})
        moved[attachment.label] = moving
        if staying:
            stayed[attachment.label] = sorted(staying)
    absorbed.merged_into = survivor
    absorbed.save(update_fields=["merged_into"])
    merge = Merge.objects.create(
        survivor=survivor,
        absorbed=absorbed,
        reason=reason.strip(),
        moved=moved,
        stayed=stayed,
        merged_by=by,
        merged_at=timezone.now(),
    )
    for person_id in (survivor.pk, absorbed.pk):
        record_audit(
            by=by,
            action="person.merge",
            person_id=person_id,
            reason=reason,
            object_type="merge",
            object_id=merge.pk,
            detail={
                "survivor": survivor.pk,
                "absorbed": absorbed.pk,
                "moved": {label: len(ids) for label, ids in moved.items() if ids},
                "stayed": {label: len(ids) for label, ids in stayed.items()},
            },
        )
    return merge


@transaction.atomic
def unmerge(*, by: User | None, merge: Merge, reason: str) -> Merge:
    """Restore the state before ``merge``: exactly the rows that moved go back."""
    from joinedup.people.merging import attachments

    merge = type(merge).objects.select_for_update().get(pk=merge.pk)
    if merge.unmerged_at:
        raise ValidationError("This merge has already been undone")
    later = (
        type(merge).objects.filter(survivor=merge.absorbed, unmerged_at__isnull=True).exists()
        or Person.objects.filter(pk=merge.survivor_id, merged_into__isnull=False).exists()
    )
    if later:
        raise ValidationError("Undo the later merge of these records first")
    by_label = {a.label: a for a in attachments()}
    going_back = [
        (by_label[label], ids) for label, ids in merge.moved.items() if ids and label in by_label
    ]
    for attachment, ids in going_back:
        # Something given to the absorbed record since the merge would clash with what
        # comes back: refuse, rather than put back only part of it.
        if attachment.clashes(ids, onto=merge.absorbed_id):
            raise ValidationError(
                f"Record {merge.absorbed_id} now has its own {attachment.name}: "
                "the merge cannot be undone exactly"
            )
    for attachment, ids in going_back:
        attachment.model.objects.filter(pk__in=ids).update(**{attachment.field: merge.absorbed_id})
    Person.objects.filter(pk=merge.absorbed_id).update(merged_into=None)
    merge.unmerged_by, merge.unmerged_at = by, timezone.now()
    merge.save(update_fields=["unmerged_by", "unmerged_at"])
    for person_id in (merge.survivor_id, merge.absorbed_id):
        record_audit(
            by=by,
            action="person.unmerge",
            person_id=person_id,
            reason=reason,
            object_type="merge",
            object_id=merge.pk,
        )
    return merge
