"""The person's own changes (from the resident portal)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.people.models import Person

from .. import plans
from ..models import (
    CarePlan,
    Task,
    TaskKind,
    TaskStatus,
)
from .plans import _new_version, current_content
from .reviews import _review_owner

PERSON_SECTIONS = ("about_me", "preferences")


@transaction.atomic
def person_changes_plan(
    *,
    person: Person,
    plan: CarePlan,
    base_version: int,
    change: str,
    data,
    item_id: str = "",
    today: date | None = None,
) -> CarePlan:
    """The person changes their own plan: a section they own ("about_me",
    "preferences") or the progress of one of their goals (``change="goal"``). A new
    version marked as theirs; their care team is told, to look at the change."""
    if plan.person_id != person.pk:
        raise PermissionDenied("Not your plan")
    content = current_content(plan)
    if change in PERSON_SECTIONS:
        values = plans.clean_section(change, data, today=today or timezone.localdate())
        content[change] = {**(content.get(change) or {}), **values}
        what = plans.SECTION_BY_KEY[change].title
    elif change == "goal":
        goals = list(content.get("goals") or [])
        index = next((i for i, g in enumerate(goals) if g.get("id") == item_id), None)
        if index is None:
            raise ValidationError("That goal is not in your plan")
        cleaned = plans.clean_goal({**goals[index], **dict(data.items())})
        goals[index] = {**goals[index], "progress": cleaned["progress"], "note": cleaned["note"]}
        content["goals"] = goals
        what = f"progress on “{goals[index]['text']}”"
    else:
        raise ValidationError("That part of the plan is for your care team to change")
    plan = _new_version(
        by=None,
        membership=None,
        plan=plan,
        base_version=base_version,
        content=content,
        summary=f"{person.given_name} changed {what[0].lower()}{what[1:]}",
        by_person=True,
    )
    tell_care_team_of_change(person=person, what=what)
    return plan


PLAN_CHANGES_SOURCE = "person changed plan"


@transaction.atomic
def tell_care_team_of_change(*, person: Person, what: str) -> Task | None:
    """Tell the person's key worker (or lead, or practice) that the person changed their
    plan. Changes made one after another make one inbox item, not one each: the open
    "updated their plan" item lists every change until someone in the team picks it up
    (accepts it) or marks it done; the next change after that starts a new one."""
    owner = _review_owner(person.pk)
    if owner is None:
        return None  # no one to tell yet: the change stands, in the plan's versions
    organisation, user = owner
    now = timezone.now()
    line = f"{timezone.localtime(now):%-d %B %Y at %H:%M}: changed {what}"
    task = (
        Task.objects.select_for_update()
        .filter(
            person=person,
            kind=TaskKind.MESSAGE,
            source=PLAN_CHANGES_SOURCE,
            status=TaskStatus.REQUESTED,
        )
        .order_by("-created_at")
        .first()
    )
    if task is None:
        task = Task.objects.create(
            person=person,
            kind=TaskKind.MESSAGE,
            description=f"{person.full_name} updated their plan"[:500],
            detail=line,
            requester=None,
            requester_organisation=organisation,
            owner_organisation=organisation,
            owner_user=user,
            created_at=now,
            updated_at=now,
            source=PLAN_CHANGES_SOURCE,
        )
    else:
        changes = task.detail.count("\n") + 2
        task.detail = f"{task.detail}\n{line}"[-plans.MAX_TEXT :]
        task.description = f"{person.full_name} updated their plan ({changes} changes)"[:500]
        task.updated_at, task.version = now, task.version + 1
        task.save(update_fields=["detail", "description", "updated_at", "version"])
    record_audit(
        by=None,
        organisation=None,
        action="care.message.from_person",
        person_id=person.pk,
        object_type="task",
        object_id=task.pk,
        detail={"change": what[:200]},
    )
    return task
