"""Who may see the outcomes pages: the indicators are aggregates, so any active member of
staff may, as for population figures; residents (portal) may not."""

from joinedup.population.permissions import may_view_population as may_view_outcomes

__all__ = ["may_view_outcomes"]
