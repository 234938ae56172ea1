"""Who may see population figures. They are suppressed aggregates, so any active member of
staff may; residents (portal) may not."""

from joinedup.core.models import Membership


def may_view_population(membership: Membership | None) -> bool:
    return bool(membership and membership.active)
