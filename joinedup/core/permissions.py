"""Who may do what, by role."""

from .models import Membership, Role

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
