"""Care coordination pages: caseload, a person's care (stage, team, tasks), the shared plan
and its versions, the inbox and a task.

One module per subject; every page is re-exported here, so ``from . import views`` and
``views.caseload`` work as before."""

from ._common import _membership
from .care_page import person_care, person_care_update, person_form
from .care_plan import plan, plan_item, plan_pdf, plan_section, plan_start, plan_versions
from .caseloads import caseload
from .holistic_assessment import assessment_domain, assessment_view, assessments
from .mdt import agenda_item, meeting, meetings
from .plan_reviews import plan_review, reviews
from .tasks import inbox, task

__all__ = [
    "_membership",
    "agenda_item",
    "assessment_domain",
    "assessment_view",
    "assessments",
    "caseload",
    "inbox",
    "meeting",
    "meetings",
    "person_care",
    "person_care_update",
    "person_form",
    "plan",
    "plan_item",
    "plan_pdf",
    "plan_review",
    "plan_section",
    "plan_start",
    "plan_versions",
    "reviews",
    "task",
]
