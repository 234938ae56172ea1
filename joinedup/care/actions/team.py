"""Care team."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Membership, Organisation, Team, User
from joinedup.people.models import Person

from .. import permissions
from ..models import (
    CareTeamMember,
)


@transaction.atomic
def add_team_member(
    *,
    by: User,
    membership: Membership,
    person: Person,
    organisation: Organisation,
    role: str,
    user: User | None = None,
    team: Team | None = None,
    is_lead: bool = False,
    is_key_worker: bool = False,
) -> CareTeamMember:
    """Bring a professional (or a whole organisation or team) into the person's care team.
    Joining gives them access to the person's record."""
    permissions.require_care_management(membership, person.pk)
    role = (role or "").strip()
    if not role:
        raise ValidationError({"role": "Enter their role in the care team"})
    if len(role) > 100:
        raise ValidationError({"role": "Role must be 100 characters or fewer"})
    if not permissions.in_partnership(membership.organisation, organisation):
        raise ValidationError(
            {"organisation": f"{organisation.name} is not part of this partnership"}
        )
    if (
        user is not None
        and not user.memberships.filter(organisation=organisation, active=True).exists()
    ):
        raise ValidationError({"user": f"{user.get_full_name()} does not work for {organisation}"})
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"team": f"{team.name} is not a team of {organisation}"})
    current = CareTeamMember.objects.filter(person=person, left_at__isnull=True)
    if current.filter(organisation=organisation, user=user, team=team).exists():
        raise ValidationError({"user": "They are already in the care team"})
    if is_lead:
        current.update(is_lead=False)
    if is_key_worker:
        current.update(is_key_worker=False)
    member = CareTeamMember.objects.create(
        person=person,
        organisation=organisation,
        user=user,
        team=team,
        role=role,
        is_lead=is_lead,
        is_key_worker=is_key_worker,
        joined_at=timezone.now(),
    )
    record_audit(
        by=by,
        membership=membership,
        action="care.team.join",
        person_id=person.pk,
        object_type="care_team_member",
        object_id=member.pk,
        detail={"organisation": organisation.pk, "user": user.pk if user else None},
    )
    return member


@transaction.atomic
def remove_team_member(
    *, by: User, membership: Membership, member: CareTeamMember, reason: str = ""
) -> CareTeamMember:
    """They leave the care team; the access it gave them ends now."""
    if not permissions.may_remove_member(membership, member):
        raise PermissionDenied("Only those who run the person's care can remove others")
    if member.left_at:
        raise ValidationError("They have already left the care team")
    member.left_at = timezone.now()
    member.is_lead = member.is_key_worker = False
    member.save(update_fields=["left_at", "is_lead", "is_key_worker"])
    record_audit(
        by=by,
        membership=membership,
        action="care.team.leave",
        person_id=member.person_id,
        object_type="care_team_member",
        object_id=member.pk,
        reason=reason[:500],
    )
    return member
