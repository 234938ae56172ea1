"""Every write of engagement, by what it is about."""

from .assembly import (
    add_pool_from_panel,
    add_replies,
    answer_invitation,
    create_assembly,
    draw_panel,
    find_invitation,
    record_answer,
    run_selection,
    set_quotas,
    start_selection,
    suggest_quotas,
)
from .panel import (
    MARGIN_CATEGORIES,
    PRIVACY_VERSION,
    add_demo_members,
    find_member,
    join_panel,
    leave_panel,
    load_margins,
)

__all__ = [
    "MARGIN_CATEGORIES",
    "PRIVACY_VERSION",
    "add_demo_members",
    "add_pool_from_panel",
    "add_replies",
    "answer_invitation",
    "create_assembly",
    "draw_panel",
    "find_invitation",
    "find_member",
    "join_panel",
    "leave_panel",
    "load_margins",
    "record_answer",
    "run_selection",
    "set_quotas",
    "start_selection",
    "suggest_quotas",
]
