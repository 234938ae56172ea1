"""A hospital's live ADT feed (HL7 v2 over MLLP; the listener is ``ingest.mllp``).

Each message is kept and committed before its acknowledgement is written, so a listener
killed at any moment has either kept a message and (perhaps) acknowledged it, or not
acknowledged it, and the sender sends it again. A message is taken once per sending
facility and control id: sent again, it is acknowledged again and changes nothing. A
message that cannot be taken is refused (AE or AR, with why) and kept in the quarantine;
one whose patient matches nobody yet is kept as unmatched, and ``retry_adt`` tries it
again (after a linkage run, say).
"""

import hashlib
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.care.interface import HospitalNews, record_hospital_news
from joinedup.core.actions import record_audit
from joinedup.core.models import Organisation, User

from .. import hl7v2
from ..models import AdtMessage, AdtStatus
from ..queries import match_person, sending_hospital


@dataclass
class Receipt:
    """What became of one message, and the acknowledgement to send for it."""

    ack: bytes
    message: AdtMessage | None
    duplicate: bool = False


def receive_adt(*, raw: bytes, by: User | None = None, again: bool = False) -> Receipt:
    """Keep one ADT message (without its MLLP framing) and apply it. When this returns,
    the message is committed: send ``ack`` then. An exception means nothing was kept (the
    database failed): send no acknowledgement."""
    sha = hashlib.sha256(raw).hexdigest()
    try:
        adt = hl7v2.read(raw)
    except hl7v2.Refused as refused:
        return _quarantine(raw, sha, refused)
    try:
        with transaction.atomic():
            return _take(adt, sha, by)
    except IntegrityError:
        # Another listener kept the same message (or visit) a moment ago: once more, and
        # this one is its replay.
        if again:
            raise
        return receive_adt(raw=raw, by=by, again=True)


def _take(adt: hl7v2.Adt, sha: str, by: User | None) -> Receipt:
    header = adt.header
    earlier = next(
        iter(
            AdtMessage.objects.filter(
                sending_facility=header.sending_facility, control_id=header.control_id
            )
            .exclude(status=AdtStatus.QUARANTINED)
            .only("pk", "raw", "status", "control_id", "sending_facility")[:1]
        ),
        None,
    )
    if earlier is not None:
        if _without_time(earlier.raw) == _without_time(_storable(adt.text)):
            return Receipt(_ack(header, "AA", "Already received"), earlier, duplicate=True)
        return _quarantine(
            adt.text.encode("utf-8"),
            sha,
            hl7v2.Refused(
                "AR",
                "205",
                "MSH-10",
                "this control id came before with a different message",
                header,
            ),
        )
    hospital = sending_hospital(adt)
    if hospital is None:
        return _quarantine(
            adt.text.encode("utf-8"),
            sha,
            hl7v2.Refused(
                "AR",
                "204",
                "MSH-4",
                f"sending facility {header.sending_facility[:20]} is not an organisation "
                "joinedup knows (by ODS code)",
                header,
            ),
        )
    message = AdtMessage(
        received_at=timezone.now(),
        sending_facility=header.sending_facility,
        control_id=header.control_id,
        event=adt.event,
        raw=_storable(adt.text),
        sha256=sha,
        ack_code="AA",
        hospital=hospital,
    )
    _apply(message, adt, hospital, by)
    message.save()
    record_audit(
        by=by,
        organisation=hospital,
        action="ingest.adt",
        object_type="adt_message",
        object_id=message.pk,
        detail={"event": adt.event, "status": message.status, "outcome": message.outcome},
    )
    return Receipt(_ack(header, "AA", message.get_status_display()), message)


def _apply(message: AdtMessage, adt: hl7v2.Adt, hospital: Organisation, by) -> None:
    """Match the patient and apply the event to their hospital episode; what happened is
    set on ``message`` (not saved)."""
    person_id, how = match_person(adt, hospital)
    message.person_id = person_id
    if person_id is None:
        message.status, message.reason = AdtStatus.UNMATCHED, how[:300]
        return
    news = HospitalNews(
        event=adt.event,
        hospital=hospital,
        person_id=person_id,
        occurred_at=adt.occurred_at,
        visit_number=adt.visit_number,
        patient_class=adt.patient_class,
        started_at=adt.admitted_at,
        ended_at=adt.discharged_at,
        location=adt.location,
        message=f"{adt.header.sending_facility}:{adt.header.control_id}",
    )
    try:
        # Atomic itself: a refusal leaves nothing of the episode behind.
        episode, said = record_hospital_news(by=by, news=news)
    except ValidationError as exc:
        message.status, message.reason = AdtStatus.FAILED, exc.messages[0][:300]
        return
    message.status, message.reason = AdtStatus.APPLIED, f"matched by {how}"
    message.episode, message.outcome = episode, said[:100]
    message.applied_at = timezone.now()


def _quarantine(raw: bytes, sha: str, refused: hl7v2.Refused) -> Receipt:
    """Keep a refused message with why (once: the same bytes refused again add nothing)."""
    header = refused.header
    with transaction.atomic():
        message = AdtMessage.objects.filter(sha256=sha, status=AdtStatus.QUARANTINED).first()
        if message is None:
            codec = hl7v2.CHARSETS.get(header.charset.upper(), "utf-8")
            message = AdtMessage.objects.create(
                received_at=timezone.now(),
                sending_facility=header.sending_facility,
                control_id=header.control_id,
                event=header.trigger[:10],
                raw=_storable(raw.decode(codec, "backslashreplace")),
                sha256=sha,
                status=AdtStatus.QUARANTINED,
                ack_code=refused.code,
                reason=str(refused)[:300],
            )
            record_audit(
                by=None,
                action="ingest.adt.refused",
                object_type="adt_message",
                object_id=message.pk,
                detail={"where": refused.where, "error": refused.error, "code": refused.code},
            )
    ack = hl7v2.ack(
        header,
        code=refused.code,
        ack_id=_ack_id(),
        text=refused.reason,
        error=refused.error,
        where=refused.where,
    )
    return Receipt(ack, message)


def retry_adt(*, by: User | None = None) -> dict:
    """Try again every kept message that matched nobody or could not be applied, oldest
    first (after a linkage run has linked hospital numbers, or a fix). Returns counts."""
    counts = {"tried": 0, "applied": 0}
    waiting = AdtMessage.objects.filter(
        status__in=[AdtStatus.UNMATCHED, AdtStatus.FAILED]
    ).order_by("received_at", "pk")
    for pk in waiting.values_list("pk", flat=True):
        with transaction.atomic():
            message = AdtMessage.objects.select_for_update().get(pk=pk)
            if message.status not in (AdtStatus.UNMATCHED, AdtStatus.FAILED):
                continue
            counts["tried"] += 1
            adt = hl7v2.read_text(message.raw)
            _apply(message, adt, message.hospital, by)
            message.save()
            if message.status == AdtStatus.APPLIED:
                counts["applied"] += 1
                record_audit(
                    by=by,
                    organisation=message.hospital,
                    action="ingest.adt.retry",
                    object_type="adt_message",
                    object_id=message.pk,
                    detail={"event": message.event, "outcome": message.outcome},
                )
    return counts


def _ack(header: hl7v2.Header, code: str, text: str) -> bytes:
    return hl7v2.ack(header, code=code, ack_id=_ack_id(), text=text)


def _ack_id() -> str:
    return uuid.uuid4().hex[:20]


def _storable(text: str) -> str:
    """PostgreSQL keeps no NUL characters in text: they are kept as ``\\x00``."""
    return text.replace("\x00", "\\x00")


def _without_time(text: str) -> str:
    """The message without MSH-7 (when it was sent), which a sender may renew when it
    sends the same message again."""
    first, _, rest = text.partition("\r")
    if len(first) > 3:
        fields = first.split(first[3])
        if len(fields) > 6:
            fields[6] = ""
        first = first[3].join(fields)
    return f"{first}\r{rest}"
