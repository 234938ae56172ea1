"""Tasks and referrals."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Membership, Organisation, Team, User
from joinedup.people.models import Person

from .. import permissions, plans, policies
from ..models import (
    Task,
    TaskKind,
    TaskStatus,
)
from ._common import StaleEdit


@transaction.atomic
def create_task(
    *,
    by: User,
    membership: Membership,
    person: Person,
    description: str,
    owner_organisation: Organisation,
    kind: str = TaskKind.TASK,
    detail: str = "",
    owner_team: Team | None = None,
    owner_user: User | None = None,
    due: date | None = None,
    source: str = "",
    today: date | None = None,
) -> Task:
    """Ask an organisation (or one of its teams or people) to do something for a person."""
    today = today or timezone.localdate()
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Say what needs doing"})
    if len(description) > 500:
        raise ValidationError({"description": "Keep the description to 500 characters"})
    if len(detail or "") > plans.MAX_TEXT:
        raise ValidationError({"detail": f"Detail must be {plans.MAX_TEXT:,} characters or fewer"})
    if kind not in TaskKind.values:
        raise ValidationError({"kind": "Choose task or referral"})
    if not permissions.in_partnership(membership.organisation, owner_organisation):
        raise ValidationError(
            {"owner_organisation": f"{owner_organisation.name} is not part of this partnership"}
        )
    if owner_team is not None and owner_team.organisation_id != owner_organisation.pk:
        raise ValidationError({"owner_team": f"{owner_team.name} is not a team of that agency"})
    if (
        owner_user is not None
        and not owner_user.memberships.filter(organisation=owner_organisation, active=True).exists()
    ):
        raise ValidationError({"owner_user": "They do not work for that organisation"})
    if due is not None and due < today:
        raise ValidationError({"due": "The due date cannot be in the past"})
    now = timezone.now()
    task = Task.objects.create(
        person=person,
        kind=kind,
        description=description,
        detail=(detail or "").strip(),
        requester=by,
        requester_organisation=membership.organisation,
        owner_organisation=owner_organisation,
        owner_team=owner_team,
        owner_user=owner_user,
        due=due,
        created_at=now,
        updated_at=now,
        source=source[:100],
    )
    record_audit(
        by=by,
        membership=membership,
        action=f"care.{kind}.create",
        person_id=person.pk,
        object_type="task",
        object_id=task.pk,
        detail={"owner_organisation": owner_organisation.pk},
    )
    return task


@transaction.atomic
def move_task(
    *,
    by: User,
    membership: Membership,
    task: Task,
    status: str,
    base_version: int,
    reason: str = "",
    outcome: str = "",
) -> Task:
    """Move a task along its FHIR lifecycle. The owner's side accepts, rejects (with a
    reason), starts and completes (with an outcome the requester sees); the requester's
    side cancels."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.version != base_version:
        raise StaleEdit("Someone else updated this task after you opened it. Nothing was saved.")
    if status not in TaskStatus.values:
        raise ValidationError({"status": "Choose a status"})
    if status not in policies.TASK_MOVES[TaskStatus(task.status)]:
        raise ValidationError(
            {
                "status": f"A {task.get_status_display().lower()} {task.get_kind_display().lower()}"
                f" cannot become {TaskStatus(status).label.lower()}"
            }
        )
    if not permissions.may_move_task(membership, task, status):
        raise PermissionDenied(
            "Only the organisation that asked can cancel it"
            if status == TaskStatus.CANCELLED
            else "Only the organisation it is assigned to can do that"
        )
    if status in (TaskStatus.REJECTED, TaskStatus.CANCELLED) and not reason.strip():
        raise ValidationError({"reason": "Give the reason"})
    if status == TaskStatus.COMPLETED and not outcome.strip():
        raise ValidationError({"outcome": "Say what happened (the requester sees this)"})
    if len(reason) > 500 or len(outcome) > plans.MAX_TEXT:
        raise ValidationError({"outcome": "That is too long"})
    before = task.status
    task.status = status
    task.status_reason = reason.strip() or task.status_reason
    task.outcome = outcome.strip() or task.outcome
    if status == TaskStatus.ACCEPTED and task.owner_user_id is None and task.owner_team_id is None:
        task.owner_user = by  # whoever accepts it for the organisation works it
    task.updated_at = timezone.now()
    task.version += 1
    task.save()
    record_audit(
        by=by,
        membership=membership,
        action=f"care.{task.kind}.{status}",
        person_id=task.person_id,
        object_type="task",
        object_id=task.pk,
        detail={"from": before, "to": status},
    )
    return task
