"""What belongs to a person and must follow them when two records are merged.

Apps register each foreign key to ``Person`` that should move (care plans, tasks,
source records...); ``people`` never imports them. Audit events are not here: they keep
the id they were written with, so the trail stays intact through merge and unmerge.

The model's own uniqueness rules say what cannot move:

- a one-to-one attachment (a care plan, a portal account) cannot move to a record that
  already has one: the merge is refused until the two are brought together by hand
  (:meth:`Attachment.both_have`) — unless it was registered ``stays_when_both`` (a
  caseload entry, which the population run made for each record): then the survivor's
  is kept and the merged record keeps its own, as below;
- a row unique together with the person (a population profile per run, an MDT agenda
  place per meeting, a review pair per agency record) whose twin is already attached to
  the survivor stays with the absorbed record (:meth:`Attachment.clashes`): the merged
  record keeps it, the survivor keeps its own, and unmerge has nothing to put back.
"""

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Attachment:
    label: str
    model: type[models.Model]
    field: str
    # One-to-one, yet when both records have one the survivor's is kept and the other
    # stays with the merged record, rather than refusing the merge.
    stays_when_both: bool = False

    @property
    def name(self) -> str:
        """In words, for people: "care plan", "MDT agenda items"."""
        return " ".join(w.upper() if w == "mdt" else w for w in self.label.split("_"))

    @property
    def one_to_one(self) -> bool:
        """A person has at most one (the field itself is unique)."""
        return self.model._meta.get_field(self.field).unique

    def rows_of(self, person_id: int) -> models.QuerySet:
        return self.model.objects.filter(**{self.field: person_id})

    def both_have(self, first_id: int, second_id: int) -> bool:
        """A one-to-one attachment both records have, which refuses the merge."""
        return (
            self.one_to_one
            and not self.stays_when_both
            and self.rows_of(first_id).exists()
            and self.rows_of(second_id).exists()
        )

    def _unique_with_person(self) -> list[tuple[list[str], models.Q | None, bool]]:
        """Each uniqueness rule of the model that includes the person field, as (the
        other fields, the rule's condition, whether empty values never clash)."""
        rules = [
            (list(fields), None, True)
            for fields in self.model._meta.unique_together
            if self.field in fields
        ]
        for constraint in self.model._meta.constraints:
            if (
                isinstance(constraint, models.UniqueConstraint)
                and self.field in constraint.fields
                and not constraint.expressions
            ):
                rules.append(
                    (
                        list(constraint.fields),
                        constraint.condition,
                        constraint.nulls_distinct is not False,
                    )
                )
        return [
            ([f for f in fields if f != self.field], condition, nulls_distinct)
            for fields, condition, nulls_distinct in rules
        ]

    def clashes(self, ids: list[int], onto: int) -> set[int]:
        """Which of the rows ``ids`` could not be attached to person ``onto``: another row
        of that person already has the same values for a uniqueness rule.

        Example: person 7 has a profile in run 3; moving person 9's profiles (runs 2 and
        3) onto 7 clashes for run 3 only.
        """
        clashing: set[int] = set()
        if not ids:
            return clashing
        if self.one_to_one and self.rows_of(onto).exclude(pk__in=ids).exists():
            return set(self.model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        for others, condition, nulls_distinct in self._unique_with_person():
            rows = self.model.objects.all()
            if condition is not None:
                rows = rows.filter(condition)
            if not others:  # unique on the person alone (under a condition)
                if rows.filter(**{self.field: onto}).exclude(pk__in=ids).exists():
                    clashing.update(rows.filter(pk__in=ids).values_list("pk", flat=True))
                continue
            taken = set(rows.filter(**{self.field: onto}).exclude(pk__in=ids).values_list(*others))
            for pk, *key in rows.filter(pk__in=ids).values_list("pk", *others):
                if tuple(key) in taken and not (nulls_distinct and None in key):
                    clashing.add(pk)
        return clashing


_ATTACHMENTS: dict[str, Attachment] = {}


def register_attachment(
    label: str, model: type[models.Model], field: str, *, stays_when_both: bool = False
) -> None:
    _ATTACHMENTS[label] = Attachment(
        label=label, model=model, field=field, stays_when_both=stays_when_both
    )


def attachments() -> list[Attachment]:
    return list(_ATTACHMENTS.values())


def in_words(rows: dict[str, list[int]]) -> str:
    """Rows per attachment label, for people: ``{"care_plan": [4], "tasks": []}`` →
    ``"care plan (1)"``."""
    names = {a.label: a.name for a in attachments()}
    return ", ".join(
        sorted(
            f"{names.get(label, label.replace('_', ' '))} ({len(ids)})"
            for label, ids in rows.items()
            if ids
        )
    )
