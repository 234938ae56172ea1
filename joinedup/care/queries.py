"""Reads of care coordination: the caseload a member of staff may work, inboxes."""

from datetime import date

from django.db.models import Q, QuerySet

from joinedup.core.models import Membership
from joinedup.people.access import accessible_person_ids

from .models import CareTeamMember, CaseloadEntry, Task, TaskKind
from .policies import OPEN_TASK


def caseload(
    membership: Membership,
    *,
    network: int | None = None,
    neighbourhood: int | None = None,
    practice: int | None = None,
    stage: str = "",
    flagged: bool = False,
) -> QuerySet[CaseloadEntry]:
    """The caseload entries of people this membership may open, highest priority first."""
    entries = CaseloadEntry.objects.filter(
        person_id__in=accessible_person_ids(membership)
    ).select_related("practice", "neighbourhood")
    if network:
        entries = entries.filter(network_id=network)
    if neighbourhood:
        entries = entries.filter(neighbourhood_id=neighbourhood)
    if practice:
        entries = entries.filter(practice_id=practice)
    if stage:
        entries = entries.filter(stage=stage)
    else:
        entries = entries.exclude(stage="closed")
    if flagged:
        entries = entries.filter(flagged_for_mdt=True)
    # People are fetched for the page shown only (joining them before sorting and
    # slicing would read the whole register).
    return entries.order_by("-priority", "person_id").prefetch_related("person")


def reviews_due(membership: Membership, *, today: date, within_days: int = 14):
    """Plans of people this membership may open whose review date has come or comes within
    ``within_days``, or for whom a trigger asked for a review; soonest (and overdue) first."""
    from datetime import timedelta

    from .models import CarePlan

    asked = Task.objects.filter(kind=TaskKind.REVIEW, status__in=OPEN_TASK).values("person_id")
    return (
        CarePlan.objects.filter(
            Q(review_date__lte=today + timedelta(days=within_days)) | Q(person_id__in=asked),
            person_id__in=accessible_person_ids(membership),
        )
        .select_related("person", "person__registered_practice")
        .order_by("review_date", "person_id")
    )


def inbox(membership: Membership, *, today: date) -> dict[str, QuerySet[Task]]:
    """Open tasks for me, for my team, and for my organisation unassigned; and what my
    organisation asked of others (with their outcomes)."""
    open_tasks = (
        Task.objects.filter(status__in=OPEN_TASK)
        .select_related("requester_organisation", "owner_organisation", "owner_user", "owner_team")
        .prefetch_related("person")
    )
    mine = open_tasks.filter(owner_user_id=membership.user_id)
    team = (
        open_tasks.filter(owner_team_id=membership.team_id, owner_user__isnull=True)
        if membership.team_id
        else Task.objects.none()
    )
    organisation = open_tasks.filter(
        owner_organisation_id=membership.organisation_id,
        owner_user__isnull=True,
        owner_team__isnull=True,
    )
    sent = (
        Task.objects.filter(requester_organisation_id=membership.organisation_id)
        .select_related("owner_organisation", "owner_user")
        .prefetch_related("person")
        .order_by("-updated_at")
    )
    order = ("due", "created_at")
    return {
        "mine": mine.order_by(*order),
        "team": team.order_by(*order),
        "organisation": organisation.order_by(*order),
        "sent": sent,
        "overdue": open_tasks.filter(
            Q(owner_user_id=membership.user_id)
            | Q(owner_organisation_id=membership.organisation_id, owner_user__isnull=True),
            due__lt=today,
        ),
    }


def care_team(person) -> QuerySet[CareTeamMember]:
    return (
        CareTeamMember.objects.filter(person=person, left_at__isnull=True)
        .select_related("organisation", "user", "team")
        .order_by("-is_lead", "-is_key_worker", "joined_at")
    )


def tasks_for(person) -> QuerySet[Task]:
    return (
        Task.objects.filter(person=person)
        .select_related("requester_organisation", "owner_organisation", "owner_user")
        .order_by("status", "due")
    )


def may_see_task(membership: Membership, task: Task) -> bool:
    """Both sides of a task see it: the organisation that asked and the one asked."""
    return membership.organisation_id in (
        task.requester_organisation_id,
        task.owner_organisation_id,
    )


def meetings_for(membership: Membership):
    """MDT meetings this membership attends or its organisation organised, soonest first
    for upcoming, then the past."""
    from .models import Meeting

    return (
        Meeting.objects.filter(
            Q(attendees__user_id=membership.user_id)
            | Q(organiser_organisation_id=membership.organisation_id)
        )
        .distinct()
        .select_related("neighbourhood", "network", "organiser_organisation")
    )


def may_see_meeting(membership: Membership, meeting) -> bool:
    return (
        meeting.organiser_organisation_id == membership.organisation_id
        or meeting.attendees.filter(user_id=membership.user_id).exists()
    )


def page_of(queryset, number, per_page: int = 50):
    """A page of ``queryset`` and the total, in one query: the total rides along as a
    window count (a separate COUNT would evaluate the access check a second time)."""
    from django.core.paginator import Page, Paginator
    from django.db.models import Count, Window

    paginator = Paginator(queryset, per_page)
    try:
        wanted = max(1, int(number))
    except (TypeError, ValueError):
        wanted = 1
    start = (wanted - 1) * per_page
    rows = list(queryset.annotate(total=Window(Count("pk")))[start : start + per_page])
    if rows:
        paginator.__dict__["count"] = rows[0].total  # Paginator.count is a cached property
        return Page(rows, wanted, paginator)
    return paginator.get_page(wanted)  # past the end: the last page (or an empty first)
