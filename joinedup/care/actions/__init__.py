"""Every write of care coordination: the caseload, care teams, the shared plan and its
versions, tasks and referrals. Each is atomic and audited.

One module per subject; everything is imported here, so callers use
``from joinedup.care import actions`` and ``actions.start_plan(...)``."""

from ._common import MIN_AGE, StaleEdit  # noqa: F401
from .assessments import (  # noqa: F401
    _locked,
    _source_of,
    complete_assessment,
    current_questionnaire,
    save_assessment_domain,
    start_assessment,
)
from .caseload import build_caseload, flag_for_mdt, move_stage, set_offer  # noqa: F401
from .hospital import HospitalNews, record_hospital_news  # noqa: F401
from .mdt import (  # noqa: F401
    MEETING_WINDOW_DAYS,
    _meeting_area,
    add_attendee,
    record_discussion,
    record_minutes,
    refresh_agenda,
    schedule_meeting,
)
from .person_changes import (  # noqa: F401
    PERSON_SECTIONS,
    PLAN_CHANGES_SOURCE,
    person_changes_plan,
    tell_care_team_of_change,
)
from .plans import (  # noqa: F401
    _new_version,
    _prefilled,
    _save_item,
    current_content,
    save_action,
    save_goal,
    save_section,
    start_plan,
)
from .reviews import _review_owner, check_review_triggers, raise_reviews, record_review  # noqa: F401
from .tasks import create_task, move_task  # noqa: F401
from .team import add_team_member, remove_team_member  # noqa: F401
