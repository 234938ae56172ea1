"""The shared plan."""

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Membership, User
from joinedup.people.models import Person, RelationshipType

from .. import permissions, plans
from ..models import (
    Assessment,
    AssessmentStatus,
    CarePlan,
    PlanVersion,
)
from ._common import StaleEdit


def _prefilled(person: Person) -> dict:
    """A first plan, told once: what is already known about the person."""
    content = plans.empty_content()
    content["about_me"]["please_call_me"] = person.given_name
    content["about_me"]["communication_needs"] = ", ".join(person.communication_need_labels())
    content["preferences"]["language"] = person.preferred_language
    content["preferences"]["interpreter"] = "yes" if person.interpreter_needed else "no"
    last = (
        Assessment.objects.filter(person=person, status=AssessmentStatus.COMPLETED)
        .order_by("-completed_at")
        .first()
    )
    if last is not None:
        content["about_me"]["what_matters"] = last.answers.get("what_matters.text", "")
    labels = dict(RelationshipType.choices)
    for r in person.relationships.filter(ended_at__isnull=True).select_related("related_person"):
        content["important_people"].append(
            {
                "id": uuid.uuid4().hex[:12],
                "name": r.related_person.full_name if r.related_person_id else r.contact_name,
                "relationship": r.relationship_description,
                "role": labels.get(r.type, r.type),
                "phone": r.contact_phone or (r.related_person.phone if r.related_person else ""),
            }
        )
    return content


@transaction.atomic
def start_plan(
    *, by: User, membership: Membership, person: Person, summary: str = "Plan started"
) -> CarePlan:
    """Open the person's one shared plan (version 1, pre-filled from what is known)."""
    plan, created = CarePlan.objects.get_or_create(
        person=person,
        defaults={"created_at": timezone.now(), "updated_at": timezone.now()},
    )
    if not created:
        raise ValidationError("This person already has a plan")
    return _new_version(
        by=by,
        membership=membership,
        plan=plan,
        base_version=0,
        content=_prefilled(person),
        summary=summary,
    )


def _new_version(
    *,
    by: User | None,
    membership: Membership | None,
    plan: CarePlan,
    base_version: int,
    content: dict,
    summary: str,
    by_person: bool = False,
) -> CarePlan:
    if not by_person:
        permissions.require_plan_change(membership, plan.person_id)
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.version != base_version:
        latest = plan.versions.select_related("author").first()
        who = latest.author.get_full_name() if latest and latest.author else "someone else"
        raise StaleEdit(
            f"{who} changed this plan (version {plan.version}) after you opened version "
            f"{base_version}. Your change was not saved: here is the latest version."
        )
    now = timezone.now()
    plan.version += 1
    plan.updated_at = now
    review = (content.get("review") or {}).get("date")
    plan.review_date = date.fromisoformat(review) if review else None
    plan.save(update_fields=["version", "updated_at", "review_date"])
    PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        content=content,
        summary=summary[:300],
        author=by,
        organisation=membership.organisation if membership else None,
        by_person=by_person,
        created_at=now,
    )
    record_audit(
        by=by,
        membership=membership,
        action="care.plan.change",
        person_id=plan.person_id,
        object_type="care_plan",
        object_id=plan.pk,
        detail={"version": plan.version, "summary": summary[:300]},
    )
    return plan


def current_content(plan: CarePlan) -> dict:
    version = plan.versions.first()
    return dict(version.content) if version else plans.empty_content()


@transaction.atomic
def save_section(
    *,
    by: User,
    membership: Membership,
    plan: CarePlan,
    base_version: int,
    section: str,
    data,
    today: date | None = None,
) -> CarePlan:
    """Change one section of the plan (a new version)."""
    values = plans.clean_section(section, data, today=today or timezone.localdate())
    content = current_content(plan)
    content[section] = {**(content.get(section) or {}), **values}
    title = plans.SECTION_BY_KEY[section].title
    return _new_version(
        by=by,
        membership=membership,
        plan=plan,
        base_version=base_version,
        content=content,
        summary=f"{title} changed",
    )


def _save_item(*, by, membership, plan, base_version, kind: str, item: dict, item_id: str):
    """Add a goal or action (``kind`` "goals" or "actions"), or change the one with
    ``item_id``; either way a new version."""
    content = current_content(plan)
    items = list(content.get(kind) or [])
    noun = kind[:-1].capitalize()
    if item_id:
        index = next((i for i, x in enumerate(items) if x.get("id") == item_id), None)
        if index is None:
            raise ValidationError(f"That {noun.lower()} is not in this plan")
        # Each goal and action keeps its own version (an API client editing one is not
        # told another, changed meanwhile, is stale).
        items[index] = {**items[index], **item, "version": items[index].get("version", 1) + 1}
        summary = f"{noun} updated"
    else:
        items.append({"id": uuid.uuid4().hex[:12], **item, "version": 1})
        summary = f"{noun} added"
    content[kind] = items
    return _new_version(
        by=by,
        membership=membership,
        plan=plan,
        base_version=base_version,
        content=content,
        summary=summary,
    )


@transaction.atomic
def save_goal(
    *,
    by: User,
    membership: Membership,
    plan: CarePlan,
    base_version: int,
    data,
    goal_id: str = "",
) -> CarePlan:
    """Add a goal in the person's own words, or record progress on one."""
    return _save_item(
        by=by,
        membership=membership,
        plan=plan,
        base_version=base_version,
        kind="goals",
        item=plans.clean_goal(data),
        item_id=goal_id,
    )


@transaction.atomic
def save_action(
    *,
    by: User,
    membership: Membership,
    plan: CarePlan,
    base_version: int,
    data,
    action_id: str = "",
    today: date | None = None,
) -> CarePlan:
    """Add an action (what, who, by when, status) or update one."""
    return _save_item(
        by=by,
        membership=membership,
        plan=plan,
        base_version=base_version,
        kind="actions",
        item=plans.clean_action(
            data,
            today=today or timezone.localdate(),
            kept_by_when=next(
                (
                    a.get("by_when", "")
                    for a in current_content(plan).get("actions") or []
                    if action_id and a.get("id") == action_id
                ),
                "",
            ),
        ),
        item_id=action_id,
    )
