"""Every write of the directory. Imports are all-or-nothing per feed: the good records go
in, each bad one is listed in the import's report with why, and a feed that cannot be read
at all changes nothing."""

import hashlib
import json
import urllib.request
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import User

from . import feeds
from .models import DirectoryOrganisation, FeedImport, Service

MAX_FEED_BYTES = 200 * 1024 * 1024


def read_feed(source: str) -> bytes:
    """A feed's bytes from a file path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310 (http(s) only)
            data = response.read(MAX_FEED_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise ValidationError(f"{source}: no such file")
        if path.stat().st_size > MAX_FEED_BYTES:
            raise ValidationError(f"{source}: larger than {MAX_FEED_BYTES // 2**20} MB")
        data = path.read_bytes()
    if len(data) > MAX_FEED_BYTES:
        raise ValidationError(f"{source}: larger than {MAX_FEED_BYTES // 2**20} MB")
    return data


@transaction.atomic
def import_feed(*, by: User | None, source: str, data: bytes | None = None) -> FeedImport:
    """Import an Open Referral feed (HSDS 3.0 or ORUK 1.0 list). Re-importing the same
    feed changes nothing (records are matched by their feed id)."""
    data = read_feed(source) if data is None else data
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{source}: not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    shape, raw_records = feeds.detect_shape(parsed)
    report = FeedImport.objects.create(
        source=source[:500],
        sha256=hashlib.sha256(data).hexdigest(),
        shape=shape,
        imported_at=timezone.now(),
    )
    known_orgs = {o.oruk_id: o for o in DirectoryOrganisation.objects.all()}
    existing = {s.oruk_id: s for s in Service.objects.all()}
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(raw_records, start=1):
        record = feeds.clean_record(number, raw, shape)
        if record.source_id and not record.rejected:
            if record.source_id in first_seen:
                record.rejected = (
                    f"the same id as record {first_seen[record.source_id]} (the first is kept)"
                )
            else:
                first_seen[record.source_id] = number
        for field_name, how in record.repairs:
            report.repaired.append(
                {"record": number, "id": record.source_id, "field": field_name, "how": how}
            )
        if record.rejected:
            report.rejected.append(
                {"record": number, "id": record.source_id, "why": record.rejected}
            )
            continue
        organisation = known_orgs.get(record.organisation_id)
        if record.organisation:
            if organisation is None:
                organisation = DirectoryOrganisation(oruk_id=record.organisation_id)
            if _changed(organisation, record.organisation):
                for key, value in record.organisation.items():
                    setattr(organisation, key, value)
                organisation.last_import = report
                organisation.save()
            known_orgs[record.organisation_id] = organisation
        if organisation is None:
            report.rejected.append(
                {
                    "record": number,
                    "id": record.source_id,
                    "why": f"organisation {record.organisation_id} is not in the directory",
                }
            )
            continue
        values = {**record.service, "organisation_id": organisation.pk}
        service = existing.get(record.source_id)
        if service is None:
            service = Service.objects.create(oruk_id=record.source_id, last_import=report, **values)
            existing[record.source_id] = service
            report.created += 1
        elif _changed(service, values):
            for key, value in values.items():
                setattr(service, key, value)
            service.last_import = report
            service.save()
            report.updated += 1
        else:
            report.unchanged += 1
    report.save()
    record_audit(
        by=by,
        organisation=None,
        action="directory.import",
        object_type="feed_import",
        object_id=report.pk,
        detail={
            "created": report.created,
            "updated": report.updated,
            "rejected": len(report.rejected),
            "repaired": len(report.repaired),
        },
    )
    return report


def _changed(instance, values: dict) -> bool:
    return instance.pk is None or any(getattr(instance, k) != v for k, v in values.items())
