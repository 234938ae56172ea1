"""Bringing coded records into the analytics store.

Each import: validates every record, keeps the good ones as one new Parquet batch (written
atomically), writes every bad one to a quarantine report naming file, entry/row, field and
reason, and records an ImportRun. Importing the same content again changes nothing.
"""

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.faults import crash_point
from joinedup.core.models import User
from joinedup.people.models import Person
from joinedup.population.store import AnalyticsStore

from ..csv_events import FileRefused, read_events_csv
from ..fhir_bundles import read_bundle_file
from ..models import ImportRun
from ..records import EventBuffer, Quarantine


@dataclass
class ImportReport:
    run: ImportRun
    already_imported: bool = False


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            for block in iter(lambda f=f: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _people() -> dict[str, tuple[int, object]]:
    return {
        number: (pk, born)
        for pk, number, born in Person.objects.exclude(nhs_number=None).values_list(
            "pk", "nhs_number", "birth_date"
        )
    }


def _finish(*, by, kind, source, sha, started, read, events, quarantine, skipped, store, writer):
    batch = f"{kind}-{sha[:16]}"
    events.flush()
    crash_point("ingest.before-batch")  # parts written, not yet in place
    if len(events):
        writer.commit()
    else:
        writer.discard()
    crash_point("ingest.after-batch")  # in place, not yet recorded as imported
    report_path = ""
    if len(quarantine):
        report_path = str(quarantine.write(store.root / "quarantine" / f"{batch}.csv"))
    with transaction.atomic():
        run = ImportRun.objects.create(
            kind=kind,
            source=source[:500],
            sha256=sha,
            started_at=started,
            finished_at=timezone.now(),
            records_read=read,
            records_kept=len(events),
            records_quarantined=len(quarantine),
            resources_skipped=dict(skipped),
            batch=batch if len(events) else "",
            quarantine_report=report_path,
        )
        record_audit(
            by=by,
            organisation=None,
            action=f"ingest.{kind}",
            object_type="import_run",
            object_id=run.pk,
            detail={"read": read, "kept": len(events), "quarantined": len(quarantine)},
        )
    return ImportReport(run=run)


def import_events_csv(
    *, by: User | None, path: Path | str, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Import a CSV event extract (``nhs_number, system, code, date[, value, unit]``)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    sha = _digest([path])
    existing = ImportRun.objects.filter(kind="events", sha256=sha).first()
    if existing:
        return ImportReport(run=existing, already_imported=True)
    store, started = AnalyticsStore(), timezone.now()
    writer = store.batch_writer(f"events-{sha[:16]}")
    events, quarantine = EventBuffer(spill=writer.add), Quarantine()
    try:
        read = read_events_csv(
            path,
            people=_people(),
            today=timezone.localdate(),
            events=events,
            quarantine=quarantine,
            progress=progress,
        )
    except FileRefused as exc:
        writer.discard()
        raise ValidationError(str(exc)) from exc
    return _finish(
        by=by,
        kind="events",
        source=str(path),
        sha=sha,
        started=started,
        read=read,
        events=events,
        quarantine=quarantine,
        skipped=Counter(),
        store=store,
        writer=writer,
    )


def import_fhir(
    *, by: User | None, path: Path | str, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Import a FHIR R4 Bundle file, or every ``*.json`` bundle in a folder."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
    elif path.is_file():
        files = [path]
    else:
        raise ValidationError(f"{path}: no such file or folder")
    if not files:
        raise ValidationError(f"{path}: no .json bundles")
    sha = _digest(files)
    existing = ImportRun.objects.filter(kind="fhir", sha256=sha).first()
    if existing:
        return ImportReport(run=existing, already_imported=True)
    store, started = AnalyticsStore(), timezone.now()
    writer = store.batch_writer(f"fhir-{sha[:16]}")
    events, quarantine, skipped = EventBuffer(spill=writer.add), Quarantine(), Counter()
    people, today, read = _people(), timezone.localdate(), 0
    for index, file in enumerate(files, start=1):
        read += read_bundle_file(
            file, people=people, today=today, events=events, quarantine=quarantine, skipped=skipped
        )
        if progress:
            progress(index, len(files))
    return _finish(
        by=by,
        kind="fhir",
        source=str(path),
        sha=sha,
        started=started,
        read=read,
        events=events,
        quarantine=quarantine,
        skipped=skipped,
        store=store,
        writer=writer,
    )
