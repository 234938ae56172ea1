"""Care coordination in the demo borough: people at every stage of the caseload, care
teams across organisations, plans with goals and actions, open, overdue and finished
tasks and referrals — made through the care actions, as the demo staff would."""

from datetime import timedelta

import numpy as np
from django.utils import timezone

from joinedup.care import actions
from joinedup.care.models import CaseloadEntry, Stage, TaskKind
from joinedup.core.models import Membership

GOALS = (
    "I want to walk to the shops on my own again",
    "I want to sleep through the night without pain",
    "I want to keep going to my lunch club on Thursdays",
    "I want to understand my medicines",
    "I want to stay living in my own home",
    "I want to see my grandchildren more often",
)
WHAT_MATTERS = (
    "My cat, my garden and my church",
    "Being independent and not a burden to my daughter",
    "Getting out of the house and seeing people",
    "Cooking for my family",
)


def _membership(username: str) -> Membership:
    return Membership.objects.select_related("user", "organisation").get(
        user__username=username, active=True, role__in=_ROLES[username]
    )


_ROLES = {
    "coordinator": ["care_coordinator"],
    "socialworker": ["social_worker"],
    "volunteer": ["voluntary_worker"],
    "nurse.community": ["community_nurse"],
}


def seed_care(*, seed: int = 1, people: int = 60) -> dict:
    """Work the top of the caseload as the demo's coordinator, social worker, community
    nurse and voluntary worker. Does nothing if there is already care activity."""
    from joinedup.care.models import CarePlan

    if CarePlan.objects.exists():
        return {"skipped": True}
    rng = np.random.default_rng(seed)
    coordinator = _membership("coordinator")
    social = _membership("socialworker")
    volunteer = _membership("volunteer")
    nurse = _membership("nurse.community")
    by = coordinator.user
    today = timezone.localdate()
    entries = list(CaseloadEntry.objects.select_related("person").order_by("-priority")[:people])
    counts = {"plans": 0, "tasks": 0, "team": 0}
    journey = [Stage.CONTACTED, Stage.ASSESSED, Stage.PLAN_AGREED, Stage.UNDER_REVIEW]
    for n, entry in enumerate(entries):
        person = entry.person
        # A third stay identified (not yet contacted); the rest move along the journey.
        target = n % 6
        if target < 2:
            if n % 12 == 0:
                actions.flag_for_mdt(by=by, membership=coordinator, entry=entry, flagged=True)
            continue
        steps = journey[: target - 1] if target < 5 else journey
        for stage in steps:
            entry = actions.move_stage(by=by, membership=coordinator, entry=entry, stage=stage)
        actions.set_offer(
            by=by,
            membership=coordinator,
            entry=entry,
            offer_status="accepted" if len(steps) >= 2 else "offered",
        )
        actions.add_team_member(
            by=by,
            membership=coordinator,
            person=person,
            organisation=coordinator.organisation,
            user=by,
            role="Care coordinator",
            is_key_worker=True,
            is_lead=True,
        )
        if person.registered_practice_id:
            actions.add_team_member(
                by=by,
                membership=coordinator,
                person=person,
                organisation=person.registered_practice,
                role="GP practice",
            )
        counts["team"] += 2
        if len(steps) < 2:
            continue
        plan = actions.start_plan(by=by, membership=coordinator, person=person)
        plan = actions.save_section(
            by=by,
            membership=coordinator,
            plan=plan,
            base_version=plan.version,
            section="about_me",
            data={
                "about_me-what_matters": WHAT_MATTERS[n % len(WHAT_MATTERS)],
                "about_me-please_call_me": person.given_name,
            },
        )
        for k in range(1 + n % 2):
            plan = actions.save_goal(
                by=by,
                membership=coordinator,
                plan=plan,
                base_version=plan.version,
                data={
                    "text": GOALS[(n + k) % len(GOALS)],
                    "progress": ["not_started", "started", "some_progress"][(n + k) % 3],
                },
            )
        plan = actions.save_action(
            by=by,
            membership=coordinator,
            plan=plan,
            base_version=plan.version,
            data={
                "what": "Check medicines with the practice pharmacist",
                "who_type": "professional",
                "who": "Practice pharmacist",
                "status": "to_do",
            },
        )
        review = today + timedelta(days=int(rng.integers(20, 120)))
        plan = actions.save_section(
            by=by,
            membership=coordinator,
            plan=plan,
            base_version=plan.version,
            section="review",
            data={
                "review-date-day": str(review.day),
                "review-date-month": str(review.month),
                "review-date-year": str(review.year),
            },
        )
        counts["plans"] += 1
        # Referrals and tasks: to social care, the voluntary sector, community nursing.
        referral = actions.create_task(
            by=by,
            membership=coordinator,
            person=person,
            kind=TaskKind.REFERRAL,
            description="Care Act needs assessment",
            owner_organisation=social.organisation,
            due=today + timedelta(days=int(rng.integers(3, 28))),
            source="demo",
        )
        if n % 3:
            referral = actions.move_task(
                by=social.user,
                membership=social,
                task=referral,
                status="accepted",
                base_version=referral.version,
            )
        if n % 3 == 2:
            actions.move_task(
                by=social.user,
                membership=social,
                task=referral,
                status="completed",
                base_version=referral.version,
                outcome="Assessed at home: two visits a day from next week",
            )
        # Overdue: asked of the voluntary sector a while ago, due last week.
        asked = today - timedelta(days=20)
        actions.create_task(
            by=by,
            membership=coordinator,
            person=person,
            description="Befriending visits and lunch club",
            owner_organisation=volunteer.organisation,
            due=today - timedelta(days=int(rng.integers(1, 10))) if n % 4 == 0 else None,
            source="demo",
            today=asked,
        )
        actions.create_task(
            by=by,
            membership=coordinator,
            person=person,
            description="Leg ulcer dressing review",
            owner_organisation=nurse.organisation,
            due=today + timedelta(days=7),
            source="demo",
        )
        counts["tasks"] += 3
    return counts
