"""What other apps may use of care coordination: the directory asks for work through it
(a referral is a care task between organisations) and reads a person's plan; a hospital's
live feed (``ingest.adt``) tells of admissions, discharges and A&E attendances through it.
Anything else in ``joinedup.care`` is care's own and may change without notice;
``tests/unit/test_layering.py`` fails if the directory or ingest reaches past this module."""

from .actions import HospitalNews, create_task, record_hospital_news
from .models import CarePlan, TaskKind, TaskStatus
from .permissions import may_work

__all__ = [
    "CarePlan",
    "HospitalNews",
    "TaskKind",
    "TaskStatus",
    "create_task",
    "may_work",
    "record_hospital_news",
]
