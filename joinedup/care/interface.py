"""What other apps may use of care coordination: the directory asks for work through it
(a referral is a care task between organisations) and reads a person's plan; a hospital's
live feed (``ingest.adt``) tells of admissions, discharges and A&E attendances through it;
the partnership's indicators (``outcomes``) read its figures through it.
Anything else in ``joinedup.care`` is care's own and may change without notice;
``tests/unit/test_layering.py`` fails if the directory, ingest or outcomes reaches past
this module."""

from .actions import HospitalNews, create_task, record_hospital_news
from .models import CarePlan, TaskKind, TaskStatus
from .permissions import may_work
from .queries import (
    days_to_contact,
    overdue_reviews_by_organisation,
    overdue_tasks_by_organisation,
    plan_agreed_by_practice,
    taken_on,
)

__all__ = [
    "CarePlan",
    "HospitalNews",
    "TaskKind",
    "TaskStatus",
    "create_task",
    "days_to_contact",
    "may_work",
    "overdue_reviews_by_organisation",
    "overdue_tasks_by_organisation",
    "plan_agreed_by_practice",
    "record_hospital_news",
    "taken_on",
]
