"""Who may do what in the directory (a page offers only what its user may do)."""

from joinedup.core.models import Membership
from joinedup.core.permissions import gives_direct_care


def may_refer(membership: Membership | None) -> bool:
    """Referring someone to a service: staff who give direct care (GPs, nurses, social
    workers, care navigators and coordinators, pharmacists, voluntary workers), and only
    for people they have a legitimate relationship with (``people.access``)."""
    return gives_direct_care(membership)
