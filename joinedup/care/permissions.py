"""Who may do what in care coordination, beyond opening the record (``people.access``):
managing a person's caseload place and care team, and working a task."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from joinedup.core.models import Membership, Organisation, OrganisationType, Role
from joinedup.core.permissions import gives_direct_care

from .models import CareTeamMember, Meeting, Task, TaskStatus
from .policies import OWNER_MOVES, TASK_MOVES
from .queries import partnership_organisations

# Roles that run a person's care: they move them along the caseload, flag them for an MDT
# and change their care team. Others in the care team (a pharmacist, a volunteer, a link
# worker) do their part of it; they run it only as the person's lead or key worker.
MANAGES_CARE = frozenset(
    {
        Role.GP,
        Role.PRACTICE_NURSE,
        Role.COMMUNITY_NURSE,
        Role.HOSPITAL_SPECIALIST,
        Role.MENTAL_HEALTH,
        Role.SOCIAL_WORKER,
        Role.CARE_COORDINATOR,
    }
)


def may_manage_care(membership: Membership | None, person_id: int) -> bool:
    """May this membership (which has opened the person's record) change their caseload
    stage, plan offer, MDT flag and care team?"""
    if not gives_direct_care(membership):
        return False
    if (
        membership.role in MANAGES_CARE
        and membership.organisation.type != OrganisationType.VOLUNTARY
    ):
        return True
    return CareTeamMember.objects.filter(
        Q(is_lead=True) | Q(is_key_worker=True),
        person_id=person_id,
        user_id=membership.user_id,
        organisation_id=membership.organisation_id,
        left_at__isnull=True,
    ).exists()


def require_care_management(membership: Membership | None, person_id: int) -> None:
    if not may_manage_care(membership, person_id):
        raise PermissionDenied(
            "Only those who run the person's care (or their lead or key worker) can do that"
        )


def may_change_plan(membership: Membership | None, person_id: int) -> bool:
    """May this membership (which has opened the person's record) change their shared
    plan? Those who run people's care, and anyone in the person's care team. Others who see
    the plan for a piece of work (a volunteer with an accepted task) read it only."""
    if not gives_direct_care(membership):
        return False
    if may_manage_care(membership, person_id):
        return True
    return CareTeamMember.objects.filter(
        person_id=person_id,
        user_id=membership.user_id,
        organisation_id=membership.organisation_id,
        left_at__isnull=True,
    ).exists()


def require_plan_change(membership: Membership | None, person_id: int) -> None:
    if not may_change_plan(membership, person_id):
        raise PermissionDenied(
            "Only the person's care team, and those who run their care, can change their plan"
        )


def is_own_place(membership: Membership, member: CareTeamMember) -> bool:
    """The care-team place is the membership's own (they may always leave it)."""
    return (
        member.user_id == membership.user_id
        and member.organisation_id == membership.organisation_id
    )


def may_remove_member(membership: Membership | None, member: CareTeamMember) -> bool:
    return gives_direct_care(membership) and (
        is_own_place(membership, member) or may_manage_care(membership, member.person_id)
    )


def in_partnership(requester: Organisation, other: Organisation) -> bool:
    """Organisations of the same partnership serve at least one place in common."""
    return (
        requester.pk == other.pk
        or partnership_organisations(requester).filter(pk=other.pk).exists()
    )


def is_attendee(membership: Membership, meeting: Meeting) -> bool:
    """At the MDT meeting: may change its agenda, record its discussion and minutes."""
    return meeting.attendees.filter(user_id=membership.user_id).exists()


def may_see_meeting(membership: Membership, meeting: Meeting) -> bool:
    """The organiser's organisation and the attendees see an MDT meeting."""
    return meeting.organiser_organisation_id == membership.organisation_id or is_attendee(
        membership, meeting
    )


def seen_tasks(membership: Membership) -> Q:
    """Both sides of a task see it: the organisation that asked and the one asked (as a
    filter on tasks, for lists and the FHIR API)."""
    return Q(requester_organisation_id=membership.organisation_id) | Q(
        owner_organisation_id=membership.organisation_id
    )


def may_see_task(membership: Membership, task: Task) -> bool:
    """The same rule, for one task in hand."""
    return membership.organisation_id in (
        task.requester_organisation_id,
        task.owner_organisation_id,
    )


def may_move_task(membership: Membership, task: Task, status: str) -> bool:
    """May this membership move the task to ``status``? Only where the lifecycle allows
    it; only the owner's side works it; only the requester's side cancels it."""
    if status not in TASK_MOVES.get(task.status, ()):
        return False
    if status in OWNER_MOVES:
        return may_work(membership, task)
    if status == TaskStatus.CANCELLED:
        return membership.organisation_id == task.requester_organisation_id
    return True


def may_work(membership: Membership, task: Task) -> bool:
    """The owner's side: the owning person, or anyone in the owning organisation (or team)
    when the task is not assigned to one person."""
    if task.owner_user_id:
        return task.owner_user_id == membership.user_id
    if task.owner_team_id:
        return membership.team_id == task.owner_team_id
    return membership.organisation_id == task.owner_organisation_id
