"""The legitimate relationships care coordination creates (registered with
``people.access``): being in the person's care team, an accepted referral or task, and — for care
coordinators — the caseload of the area their organisation serves."""

from django.db.models import Q, QuerySet

from joinedup.core.models import Membership, Role

from .models import CareTeamMember, CaseloadEntry, Stage, Task, TaskKind, TaskStatus


def care_team(membership: Membership) -> QuerySet:
    """In the care team in person, or through their organisation or team being in it."""
    mine = Q(user_id=membership.user_id, organisation_id=membership.organisation_id) | Q(
        user__isnull=True, team__isnull=True, organisation_id=membership.organisation_id
    )
    if membership.team_id:
        mine |= Q(user__isnull=True, team_id=membership.team_id)
    return CareTeamMember.objects.filter(mine, left_at__isnull=True).values("person_id")


def accepted_referral(membership: Membership) -> QuerySet:
    """A referral to the membership's organisation that it has accepted and not finished."""
    return Task.objects.filter(
        kind=TaskKind.REFERRAL,
        owner_organisation_id=membership.organisation_id,
        status__in=[TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS],
    ).values("person_id")


def accepted_task(membership: Membership) -> QuerySet:
    """A task (other than a referral) that the membership has accepted and not finished:
    while it works on it, it sees what the task needs — who the person is, how to reach
    them, their communication needs and their plan (sensitive parts still need consent).
    A task assigned to one person gives it to that person only; one assigned to a team or
    a whole organisation, to its members."""
    mine = Q(owner_user_id=membership.user_id) | Q(owner_user__isnull=True, owner_team__isnull=True)
    if membership.team_id:
        mine |= Q(owner_user__isnull=True, owner_team_id=membership.team_id)
    return (
        Task.objects.filter(
            mine,
            owner_organisation_id=membership.organisation_id,
            status__in=[TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS],
        )
        .exclude(kind=TaskKind.REFERRAL)
        .values("person_id")
    )


def caseload(membership: Membership) -> QuerySet:
    """Care coordinators work the open caseload of the places their organisation serves."""
    if membership.role != Role.CARE_COORDINATOR:
        return CaseloadEntry.objects.none().values("person_id")
    return (
        CaseloadEntry.objects.filter(network__place__in=membership.organisation.places.values("pk"))
        .exclude(stage=Stage.CLOSED)
        .values("person_id")
    )


def mdt_agenda(membership: Membership) -> QuerySet:
    """Attendees of an MDT meeting (not cancelled, from 30 days ago on) may open the records
    of the people on its agenda."""
    from datetime import timedelta

    from django.utils import timezone

    from .actions import MEETING_WINDOW_DAYS
    from .models import AgendaItem, MeetingStatus

    items = AgendaItem.objects.filter(
        meeting__attendees__user_id=membership.user_id,
        meeting__attendees__organisation_id=membership.organisation_id,
        meeting__starts_at__gte=timezone.now() - timedelta(days=MEETING_WINDOW_DAYS),
    ).exclude(meeting__status=MeetingStatus.CANCELLED)
    return items.values("person_id")
