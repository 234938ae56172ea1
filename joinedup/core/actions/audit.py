"""The audit trail: every action records its events here."""

from django.utils import timezone

from ..middleware import acting_membership
from ..models import AuditEvent, Membership, Organisation, User


def record_audit(
    *,
    by: User | None,
    action: str,
    organisation: Organisation | None = None,
    membership: Membership | None = None,
    person_id: int | None = None,
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit trail. Never updated, never deleted.

    It names the organisation on whose behalf it was done: ``membership``'s, else
    ``organisation``, else that of the membership the current request acts as (so an
    action reached from a page or the API always names it, however deep it records the
    event). Commands, background jobs, residents and the public act for no organisation.
    """
    if membership is not None:
        organisation = membership.organisation
    elif organisation is None and (acting := acting_membership()) is not None:
        organisation = acting.organisation
    return AuditEvent.objects.create(
        at=timezone.now(),
        user=by if (by is not None and by.is_authenticated) else None,
        organisation=organisation,
        action=action,
        person_id=person_id,
        reason=reason,
        object_type=object_type,
        object_id=str(object_id or ""),
        detail=detail or {},
    )


def record_organisation_switch(*, by: User, organisation: Organisation) -> None:
    record_audit(by=by, organisation=organisation, action="organisation.switch")
