"""Reads of the person index through agencies' records."""

from .models import Band, SourceRecord


def linked_person(agency_id: int, local_id: str) -> int | None:
    """The person an agency's own identifier for someone (a hospital number) is linked
    to, automatically or after review; None when it is not linked."""
    return (
        SourceRecord.objects.filter(
            agency_id=agency_id,
            local_id=local_id,
            current=True,
            person__isnull=False,
            band__in=[Band.AUTO, Band.MANUAL],
        )
        .values_list("person_id", flat=True)
        .first()
    )
