"""Who may do what, by role."""

from .models import Membership, OrganisationType, Role

# Roles that give direct care and so may open a person's record when they have a
# legitimate relationship with them (or break glass in an emergency).
DIRECT_CARE_ROLES = frozenset(
    {
        Role.GP,
        Role.PRACTICE_NURSE,
        Role.COMMUNITY_NURSE,
        Role.HOSPITAL_SPECIALIST,
        Role.MENTAL_HEALTH,
        Role.SOCIAL_WORKER,
        Role.CARE_NAVIGATOR,
        Role.CARE_COORDINATOR,
        Role.PHARMACIST,
        Role.VOLUNTARY_WORKER,
    }
)


def gives_direct_care(membership: Membership | None) -> bool:
    return bool(membership and membership.active and membership.role in DIRECT_CARE_ROLES)


def may_search_people(membership: Membership | None) -> bool:
    return gives_direct_care(membership)


def may_break_glass(membership: Membership | None) -> bool:
    return gives_direct_care(membership)


def may_manage_reference_data(membership: Membership | None) -> bool:
    return bool(membership and membership.active and membership.role == Role.SYSTEM_ADMIN)


def may_see_jobs(membership: Membership | None) -> bool:
    """The Jobs page (the background worker's work and failures): system admins."""
    return may_manage_reference_data(membership)


def may_read_place_settings(membership: Membership | None) -> bool:
    """The places' settings side by side: system admins (who change them) and
    organisation admins (who read them)."""
    return bool(
        membership and membership.active and membership.role in (Role.SYSTEM_ADMIN, Role.ORG_ADMIN)
    )


def may_change_place_settings(membership: Membership | None) -> bool:
    return may_manage_reference_data(membership)


def may_review_matches(membership: Membership | None) -> bool:
    """Clerical review of candidate matches: data-quality officers and system admins."""
    return bool(
        membership
        and membership.active
        and membership.role in (Role.DATA_QUALITY, Role.SYSTEM_ADMIN)
    )


def may_curate_directory(membership: Membership | None) -> bool:
    """The service directory's queue (problem reports, out-of-date listings): directory
    curators and system admins."""
    return bool(
        membership
        and membership.active
        and membership.role in (Role.DIRECTORY_CURATOR, Role.SYSTEM_ADMIN)
    )


def may_engage(membership: Membership | None) -> bool:
    """The citizens' panel and assembly: engagement officers and system admins."""
    return bool(
        membership
        and membership.active
        and membership.role in (Role.ENGAGEMENT_OFFICER, Role.SYSTEM_ADMIN)
    )


def may_administer_staff(membership: Membership | None, organisation=None) -> bool:
    """An organisation's staff and teams: its own admins, and system admins for any
    organisation. Without an organisation: whether the staff pages are for them at all."""
    if not (membership and membership.active):
        return False
    if membership.role == Role.SYSTEM_ADMIN:
        return True
    return membership.role == Role.ORG_ADMIN and (
        organisation is None or membership.organisation_id == organisation.pk
    )


# The roles staff may be given at each kind of organisation, when an admin adds someone
# or changes their role: only what that kind of organisation does (no GP at a voluntary
# group). Every organisation may have admins; system admin is never given from the
# staff pages (it is granted with the reference data, by system admins).
_ADMIN = {Role.ORG_ADMIN}
ROLES_BY_ORGANISATION_TYPE = {
    OrganisationType.GP_PRACTICE: {
        Role.GP, Role.PRACTICE_NURSE, Role.PHARMACIST, Role.CARE_COORDINATOR,
        Role.CARE_NAVIGATOR, Role.DATA_QUALITY,
    },
    OrganisationType.GP_FEDERATION: {
        Role.GP, Role.PRACTICE_NURSE, Role.PHARMACIST, Role.CARE_COORDINATOR,
        Role.CARE_NAVIGATOR, Role.ANALYST, Role.DATA_QUALITY,
    },
    OrganisationType.ACUTE_TRUST: {
        Role.HOSPITAL_SPECIALIST, Role.CARE_COORDINATOR, Role.PHARMACIST, Role.ANALYST,
        Role.DATA_QUALITY,
    },
    OrganisationType.COMMUNITY_TRUST: {
        Role.COMMUNITY_NURSE, Role.CARE_COORDINATOR, Role.PHARMACIST, Role.ANALYST,
        Role.DATA_QUALITY,
    },
    OrganisationType.MENTAL_HEALTH_TRUST: {
        Role.MENTAL_HEALTH, Role.SOCIAL_WORKER, Role.CARE_COORDINATOR, Role.PHARMACIST,
        Role.ANALYST, Role.DATA_QUALITY,
    },
    OrganisationType.ADULT_SOCIAL_CARE: {
        Role.SOCIAL_WORKER, Role.CARE_COORDINATOR, Role.CARE_NAVIGATOR, Role.ANALYST,
        Role.DATA_QUALITY,
    },
    OrganisationType.CHILDRENS_SERVICES: {
        Role.SOCIAL_WORKER, Role.CARE_COORDINATOR, Role.ANALYST, Role.DATA_QUALITY,
    },
    OrganisationType.PUBLIC_HEALTH: {
        Role.ANALYST, Role.ENGAGEMENT_OFFICER, Role.DIRECTORY_CURATOR, Role.DATA_QUALITY,
    },
    OrganisationType.PHARMACY: {Role.PHARMACIST},
    OrganisationType.VOLUNTARY: {
        Role.VOLUNTARY_WORKER, Role.CARE_NAVIGATOR, Role.ENGAGEMENT_OFFICER,
        Role.DIRECTORY_CURATOR,
    },
    OrganisationType.HEALTHWATCH: {Role.ENGAGEMENT_OFFICER, Role.VOLUNTARY_WORKER},
    OrganisationType.ICB: {
        Role.ANALYST, Role.DATA_QUALITY, Role.ENGAGEMENT_OFFICER, Role.DIRECTORY_CURATOR,
        Role.CARE_COORDINATOR,
    },
}  # fmt: skip


def roles_for(organisation) -> list[str]:
    """The roles staff of this organisation may be given, in the order ``Role`` lists
    them, e.g. a GP practice: GP, practice nurse, ..., organisation admin."""
    allowed = ROLES_BY_ORGANISATION_TYPE.get(organisation.type, set()) | _ADMIN
    return [role for role in Role.values if role in allowed]
