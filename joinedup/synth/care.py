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
    # The coordinator works the caseload of the places the federation serves (with several
    # places, the first).
    entries = list(
        CaseloadEntry.objects.filter(
            network__place__in=coordinator.organisation.places.values("pk")
        )
        .select_related("person")
        .order_by("-priority")[:people]
    )
    # The practice nurse starts at Reviews due (the README's first ten minutes): one of
    # their practice's patients on the caseload gets a plan (the fifth place below does),
    # however small the borough.
    practice = (
        Membership.objects.filter(user__username="nurse.practice", active=True)
        .values_list("organisation_id", flat=True)
        .first()
    )
    theirs = (
        CaseloadEntry.objects.filter(practice_id=practice)
        .exclude(stage=Stage.CLOSED)
        .select_related("person")
        .order_by("-priority")
        .first()
    )
    if theirs is not None and len(entries) > 4:
        entries = [e for e in entries if e.pk != theirs.pk]
        entries.insert(4, theirs)
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
        plan = actions.save_action(
            by=by,
            membership=coordinator,
            plan=plan,
            base_version=plan.version,
            data={
                "what": "Find a befriending or lunch club near home",
                "who_type": "professional",
                "who": "Care navigator",
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
    counts.update(_assessments_and_sharing(entries, coordinator))
    counts.update(_meetings(coordinator, social, volunteer, nurse))
    counts["reviews"] = _reviews(entries)
    return counts


def _assessments_and_sharing(entries, coordinator) -> dict:
    """Completed assessments for people assessed or further on, one in progress for
    people just contacted; a few sharing choices."""
    from joinedup.people.actions import set_sharing_choices

    by, done, started = coordinator.user, 0, 0
    for n, entry in enumerate(entries):
        entry.refresh_from_db()
        if entry.stage == Stage.IDENTIFIED:
            continue
        item = actions.start_assessment(by=by, membership=coordinator, person=entry.person)
        answers = {
            "loneliness": {"loneliness.how_often": ["often", "some_of_the_time", "never"][n % 3]},
            "mobility": {"mobility.falls": str(n % 4), "mobility.walking": "with_aid"},
            "what_matters": {"what_matters.text": WHAT_MATTERS[n % len(WHAT_MATTERS)]},
        }
        for domain, data in answers.items():
            item = actions.save_assessment_domain(
                by=by,
                membership=coordinator,
                item=item,
                base_version=item.version,
                domain=domain,
                data={**item.answers, **data},
            )
        if entry.stage == Stage.CONTACTED:
            started += 1
            continue
        actions.complete_assessment(
            by=by, membership=coordinator, item=item, base_version=item.version
        )
        done += 1
        if n % 5 == 0:
            set_sharing_choices(
                by=by,
                membership=coordinator,
                person=entry.person,
                sensitive_sharing_consent=True,
                objects_to_sharing=False,
            )
    return {"assessments": done, "assessments_in_progress": started}


def _meetings(coordinator, social, volunteer, nurse) -> dict:
    """A neighbourhood MDT held a fortnight ago (discussed, decisions, minutes) and the
    next one in five days, its agenda built from the people flagged now."""
    from joinedup.care.models import CarePlan

    by = coordinator.user
    with_plans = CaseloadEntry.objects.filter(
        person_id__in=CarePlan.objects.values("person_id"), neighbourhood__isnull=False
    ).order_by("-priority")
    first = with_plans.select_related("neighbourhood").first()
    if first is None:
        return {"meetings": 0}
    for entry in with_plans.filter(neighbourhood_id=first.neighbourhood_id)[:4]:
        actions.flag_for_mdt(by=by, membership=coordinator, entry=entry, flagged=True)
    # And someone of the demo's first practice (gp.a's), so that the GP's journey meets
    # their own patient on a coming agenda.
    practice = (
        Membership.objects.filter(user__username="gp.a", organisation__type="gp_practice")
        .values_list("organisation_id", flat=True)
        .first()
    )
    own = with_plans.filter(practice_id=practice).first()
    if own is not None and not own.flagged_for_mdt:
        actions.flag_for_mdt(by=by, membership=coordinator, entry=own, flagged=True)
    area = f"hood:{first.neighbourhood_id}"
    # Meetings start on the hour in the working day (10:00 to 13:00, local time).
    now = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    past = actions.schedule_meeting(
        by=by,
        membership=coordinator,
        title=f"{first.neighbourhood.name} MDT",
        area=area,
        starts_at=now - timedelta(days=14),
        location="Health centre, meeting room 2",
        now=now - timedelta(days=21),
    )
    for who in (social, volunteer, nurse):
        actions.add_attendee(by=by, membership=coordinator, meeting=past, user=who.user)
    for n, item in enumerate(past.items.select_related("person")[:2]):
        actions.record_discussion(
            by=by,
            membership=coordinator,
            item=item,
            summary="Two falls since the last meeting; daughter finding caring hard.",
            decisions="Community nursing to check feet and footwear; carer's assessment.",
            goal=GOALS[n % len(GOALS)],
            task="Falls and footwear check at home",
            task_owner=nurse.organisation,
            task_due=timezone.localdate() + timedelta(days=7),
        )
    actions.record_minutes(
        by=by,
        membership=coordinator,
        meeting=past,
        base_version=past.version,
        minutes="Apologies: practice pharmacist. Next meeting in a fortnight.",
        held=True,
    )
    # The people not discussed stay flagged; the next meeting picks them up. Every other
    # neighbourhood with people on the caseload meets in the coming week too, so whoever is
    # flagged in the demo has a meeting of their area to be discussed at.
    from joinedup.core.models import Neighbourhood

    hoods = Neighbourhood.objects.filter(
        pk__in=CaseloadEntry.objects.values("neighbourhood_id"),
        network__place__in=coordinator.organisation.places.values("pk"),
    ).order_by("pk")
    coming = sorted(hoods, key=lambda hood: hood.pk != first.neighbourhood_id)
    for n, hood in enumerate(coming):
        upcoming = actions.schedule_meeting(
            by=by,
            membership=coordinator,
            title=f"{hood.name} MDT",
            area=f"hood:{hood.pk}",
            starts_at=now + timedelta(days=5 + n % 3, hours=n % 4),
            location="Health centre, meeting room 2",
        )
        for who in (social, nurse):
            actions.add_attendee(by=by, membership=coordinator, meeting=upcoming, user=who.user)
    return {"meetings": 1 + len(coming)}


def _reviews(entries) -> int:
    """Some plans asked to be reviewed because something changed, as the population run
    and the daily check would."""
    from joinedup.care.models import CarePlan

    reasons = {
        e.person_id: ["Frailty changed from mild to moderate"]
        for n, e in enumerate(entries)
        if n % 7 == 3
    }
    # The demo's practice staff (the practice nurse starts at Reviews due) have one of their
    # own patients' plans to review, however small the borough.
    practice = (
        Membership.objects.filter(user__username="nurse.practice", active=True)
        .values_list("organisation_id", flat=True)
        .first()
    )
    theirs = (
        CarePlan.objects.filter(person__registered_practice_id=practice)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .first()
    )
    if theirs is not None:
        reasons.setdefault(theirs, ["New hospital admission"])
    return actions.raise_reviews(reasons, source="demo")
