"""Every write of the directory. Imports are all-or-nothing per feed: the good records go
in, each bad one is listed in the import's report with why, and a feed that cannot be read
at all changes nothing.

One module per subject (importing feeds, referrals, keeping listings current, shortlists);
everything is imported here, so callers use ``from joinedup.directory import actions`` and
``actions.refer(...)``."""

from .curation import (  # noqa: F401
    ANSWER_DAYS,
    ASK_AGAIN_DAYS,
    MAX_DETAIL,
    answer_update,
    find_update_request,
    report_problem,
    request_updates,
    resolve_problem,
    stale_services,
    verified_before,
    verify_service,
)
from .importing import (  # noqa: F401
    MAX_FEED_BYTES,
    _changed,
    _known_places,
    _PartWriter,
    derived,
    import_feed,
    read_feed,
)
from .referrals import ONS4_IN_WORDS, SMALL_NUMBER, ons4_scores, outcomes, record_outcome, refer  # noqa: F401
from .shortlists import (  # noqa: F401
    MAX_SHORTLIST,
    give_shortlist,
    open_shortlist,
    shortlist_add,
    shortlist_remove,
)
