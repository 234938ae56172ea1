"""Reads of ingest: who an ADT message is about, and the feed's state for admins."""

from time import monotonic

from django.db.models import Count

from joinedup.core.models import Organisation
from joinedup.identity.queries import linked_person
from joinedup.people.models import Person

from .hl7v2 import Adt
from .models import AdtMessage, AdtStatus


def sending_hospital(adt_or_header) -> Organisation | None:
    """The organisation that sent a message: MSH-4 is its ODS code (first component, or
    the second when the first is a local name)."""
    header = getattr(adt_or_header, "header", adt_or_header)
    codes = tuple(c.upper() for c in (header.sending_facility, header.sending_facility_id) if c)
    if not codes:
        return None
    # A feed sends thousands of messages from one facility: its organisation is looked up
    # once a minute, not once a message.
    now = monotonic()
    known = _HOSPITALS.get(codes)
    if known is None or known[1] < now:
        found = list(Organisation.objects.filter(ods_code__in=codes).order_by("pk")[:1])
        known = _HOSPITALS[codes] = (found[0] if found else None, now + 60)
    return known[0]


_HOSPITALS: dict[tuple[str, ...], tuple[Organisation | None, float]] = {}


def forget_hospitals() -> None:
    """Look organisations up afresh (the tests make new ones with the same codes)."""
    _HOSPITALS.clear()


def match_person(adt: Adt, hospital: Organisation) -> tuple[int | None, str]:
    """(person id, how) for the patient of a message: by NHS number, else by a hospital
    number that identity linkage has linked to a person; (None, why not) otherwise. A
    record merged into another is followed to the one that was kept."""
    tried = []
    if adt.nhs_number:
        found = list(
            Person.objects.filter(nhs_number=adt.nhs_number).values_list("pk", "merged_into_id")
        )
        if found:
            person_id, merged_into = found[0]
            return (_survivor(merged_into) if merged_into else person_id), "NHS number"
        tried.append("no resident has the NHS number")
    elif adt.nhs_number_refused:
        tried.append("the NHS number fails its check digit")
    for number, issuer in adt.hospital_numbers:
        agency = hospital
        if issuer and issuer.upper() not in {(hospital.ods_code or "").upper(), ""}:
            agency = Organisation.objects.filter(ods_code=issuer.upper()).first()
            if agency is None:
                continue
        person_id = linked_person(agency.pk, number)
        if person_id is not None:
            return _survivor(person_id), "hospital number"
    if adt.hospital_numbers:
        tried.append("no hospital number is linked to a person")
    return None, "; ".join(tried) or "no identifier to match"


def _survivor(person_id: int) -> int:
    for _ in range(10):
        merged_into = (
            Person.objects.filter(pk=person_id).values_list("merged_into_id", flat=True).first()
        )
        if merged_into is None:
            return person_id
        person_id = merged_into
    return person_id


def feed_state(*, shown: int = 200) -> dict:
    """Counts of ADT messages by status, and the latest that need someone's attention
    (refused, unmatched, not applied), for the admins' page."""
    counts = dict(AdtMessage.objects.values_list("status").annotate(n=Count("pk")))
    waiting = (
        AdtMessage.objects.exclude(status=AdtStatus.APPLIED)
        .select_related("hospital")
        .defer("raw")
        .order_by("-received_at", "-pk")
    )
    return {
        "counts": [(s, label, counts.get(s, 0)) for s, label in AdtStatus.choices],
        "waiting": list(waiting[:shown]),
        "latest": AdtMessage.objects.order_by("-received_at")
        .values_list("received_at", flat=True)
        .first(),
    }
