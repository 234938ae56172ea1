"""Who may see the hospitals' feeds: what came in and what was refused."""

from joinedup.core.models import Membership
from joinedup.core.permissions import may_manage_reference_data


def may_see_feeds(membership: Membership | None) -> bool:
    """The ADT feed page (counts, and the quarantine's reasons): system admins."""
    return may_manage_reference_data(membership)
