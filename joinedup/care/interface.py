"""What other apps may use of care coordination: the directory asks for work through it
(a referral is a care task between organisations) and reads a person's plan. Anything
else in ``joinedup.care`` is care's own and may change without notice;
``tests/unit/test_layering.py`` fails if the directory reaches past this module."""

from .actions import create_task
from .models import CarePlan, TaskKind, TaskStatus
from .permissions import may_work

__all__ = ["CarePlan", "TaskKind", "TaskStatus", "create_task", "may_work"]
