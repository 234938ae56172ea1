"""Task: read, search, create, and moving one along its lifecycle."""

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Query

from joinedup.care import actions as care_actions
from joinedup.care import permissions as care_permissions
from joinedup.care.models import Task, TaskKind, TaskStatus
from joinedup.core.models import Membership, Organisation

from .. import resources as R
from ._common import (
    FhirError,
    _body,
    _date_filter,
    _id,
    _if_match,
    _invalid,
    _is_id,
    _membership,
    _patient_id,
    _person,
    _reference,
    _shown,
    api,
)
from .search import Search


def _visible_tasks(request):
    membership = _membership(request)
    return Task.objects.filter(care_permissions.seen_tasks(membership)).select_related(
        "requester", "requester_organisation", "owner_user", "owner_organisation"
    )


def _task(request, task_id: str) -> Task:
    found = _visible_tasks(request).filter(pk=_id(task_id, "Task")).first()
    if found is None:
        raise FhirError(404, "not-found", f"Task/{task_id} is not known to you")
    record_audit_task(request, found)
    return found


def record_audit_task(request, item: Task) -> None:
    from joinedup.core.actions import record_audit

    record_audit(
        by=request.user,
        organisation=request.auth.organisation,
        action="care.task.view",
        person_id=item.person_id,
        object_type="task",
        object_id=item.pk,
        detail={"via": "fhir"},
    )


@api.get("/Task/{task_id}", summary="Read a Task", response=dict)
def read_task(request, task_id: str):
    item = _task(request, task_id)
    return _shown(request, R.tasks([item])[0], version=item.version)


@api.get("/Task", summary="Search Tasks between your organisation and others", response=dict)
def search_task(
    request,
    patient: str | None = None,
    status: str | None = None,
    owner: str | None = None,
    code: str | None = None,
    authored_on: list[str] | None = Query(None, alias="authored-on"),
    count: int | None = Query(None, alias="_count"),
):
    search = Search(request, "patient", "status", "owner", "code", "authored-on")
    found = _visible_tasks(request)
    person_id = _patient_id(patient)
    if person_id is not None:
        found = found.filter(person_id=person_id)
    if status:
        statuses = status.split(",")
        if any(s not in TaskStatus.values for s in statuses):
            raise FhirError(400, "invalid", f"status: '{status}' is not a Task status", "status")
        found = found.filter(status__in=statuses)
    if code:
        system, _, value = code.rpartition("|")
        coding = {"system": system or R.SNOMED, "code": value}
        kind = R.task_kind({"coding": [coding]}) if system or value.isdecimal() else value
        found = found.filter(kind=kind or "")
    if owner:
        kind, _, pk = owner.partition("/")
        if kind == "Organization" and _is_id(pk):
            found = found.filter(owner_organisation_id=int(pk))
        elif kind == "PractitionerRole" and _is_id(pk):
            role = Membership.objects.filter(pk=int(pk)).first()
            found = found.filter(owner_user_id=role.user_id if role else None)
        else:
            raise FhirError(
                400, "invalid", "owner must reference an Organization or PractitionerRole", "owner"
            )
    found = found.filter(_date_filter("created_at", authored_on, "authored-on"))
    items, total = search.page(found)
    for item in items:
        record_audit_task(request, item)
    return _shown(request, search.bundle(R.tasks(items), total=total))


@api.post(
    "/Task", summary="Ask an organisation to do something (a task or a referral)", response=dict
)
def create_task(request):
    membership = _membership(request)
    body = _body(request, "Task")
    if body.get("status") != "requested":
        raise FhirError(400, "invalid", "A new Task must have status 'requested'", "status")
    person_id = _reference(body.get("for"), "Patient", "for")
    person, _ = _person(request, person_id)
    owner_ref = (body.get("owner") or {}).get("reference", "")
    owner_user = None
    if owner_ref.startswith("PractitionerRole/") and _is_id(owner_ref.split("/")[1]):
        role = Membership.objects.filter(pk=int(owner_ref.split("/")[1]), active=True).first()
        if role is None:
            raise FhirError(400, "invalid", f"{owner_ref} is not known", "owner")
        owner, owner_user = role.organisation, role.user
    else:
        owner = Organisation.objects.filter(
            pk=_reference(body.get("owner"), "Organization", "owner")
        ).first()
        if owner is None:
            raise FhirError(400, "invalid", f"{owner_ref} is not known", "owner")
    kind = R.task_kind(body.get("code")) or TaskKind.TASK
    if kind not in (TaskKind.TASK, TaskKind.REFERRAL):
        raise FhirError(
            400,
            "invalid",
            "code must be a referral (SNOMED CT 3457005) or a task (joinedup's task-kind)",
            "code",
        )
    due = ((body.get("restriction") or {}).get("period") or {}).get("end")
    try:
        item = care_actions.create_task(
            by=request.user,
            membership=membership,
            person=person,
            kind=kind,
            description=body.get("description", ""),
            detail=((body.get("note") or [{}])[0]).get("text", ""),
            owner_organisation=owner,
            owner_user=owner_user,
            due=date.fromisoformat(due[:10]) if due else None,
            source="FHIR API",
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    item = _visible_tasks(request).get(pk=item.pk)
    return _shown(request, R.tasks([item])[0], status=201, version=item.version)


@api.put("/Task/{task_id}", summary="Move a Task along its lifecycle", response=dict)
def update_task(request, task_id: str):
    membership = _membership(request)
    item = _task(request, task_id)
    body = _body(request, "Task")
    if body.get("id") not in (None, task_id):
        raise FhirError(400, "invalid", "The id in the body is not the id in the URL", "id")
    base = _if_match(request)
    status = body.get("status")
    if status == item.status:
        return _shown(request, R.tasks([item])[0], version=item.version)
    outcome = next((o.get("valueString", "") for o in body.get("output") or []), "")
    try:
        item = care_actions.move_task(
            by=request.user,
            membership=membership,
            task=item,
            status=status,
            base_version=base,
            reason=(body.get("statusReason") or {}).get("text", ""),
            outcome=outcome,
        )
    except care_actions.StaleEdit as exc:
        raise FhirError(412, "conflict", exc.messages[0]) from exc
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    item = _visible_tasks(request).get(pk=item.pk)
    return _shown(request, R.tasks([item])[0], version=item.version)
