"""What belongs to a person and must follow them when two records are merged.

Apps register each foreign key to ``Person`` that should move (care plans, tasks,
source records...); ``people`` never imports them. Audit events are not here: they keep
the id they were written with, so the trail stays intact through merge and unmerge.
"""

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Attachment:
    label: str
    model: type[models.Model]
    field: str


_ATTACHMENTS: dict[str, Attachment] = {}


def register_attachment(label: str, model: type[models.Model], field: str) -> None:
    _ATTACHMENTS[label] = Attachment(label=label, model=model, field=field)


def attachments() -> list[Attachment]:
    return list(_ATTACHMENTS.values())
