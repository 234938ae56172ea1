"""AuditEvent: who looked at or changed a person's record."""

from ninja import Query

from joinedup.core.models import AuditEvent
from joinedup.people import access

from .. import resources as R
from ._common import (
    FhirError,
    _date_filter,
    _id,
    _membership,
    _person,
    _shown,
    api,
)
from .search import Search


@api.get("/AuditEvent", summary="Who looked at or changed a person's record", response=dict)
def search_audit_event(
    request,
    patient: str | None = None,
    date_: list[str] | None = Query(None, alias="date"),
    count: int | None = Query(None, alias="_count"),
):
    search = Search(request, "patient", "date")
    person_id = search.person(patient, "AuditEvent")
    if person_id is None:
        return _shown(request, search.listed([]))
    events = AuditEvent.objects.filter(person_id=person_id).select_related("user", "organisation")
    events = events.filter(_date_filter("at", date_, "date"))
    found, total = search.page(events, descending=True)  # newest first
    _person(request, person_id, page="fhir audit")
    return _shown(request, search.bundle(R.audit_events(found), total=total))


@api.get("/AuditEvent/{event_id}", summary="Read an AuditEvent", response=dict)
def read_audit_event(request, event_id: str):
    event = (
        AuditEvent.objects.filter(pk=_id(event_id, "AuditEvent"))
        .select_related("user", "organisation")
        .first()
    )
    if event is None or event.person_id is None:
        raise FhirError(404, "not-found", f"AuditEvent/{event_id} is not known to you")
    if access.access_basis(_membership(request), event.person_id) is None:
        raise FhirError(404, "not-found", f"AuditEvent/{event_id} is not known to you")
    return _shown(request, R.audit_events([event])[0])
