"""Caseload."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Membership, User

from .. import permissions, policies, queries
from ..models import (
    CaseloadEntry,
    ClosedReason,
    OfferStatus,
    Stage,
)
from ._common import MIN_AGE
from .reviews import raise_reviews


@transaction.atomic
def build_caseload(*, by: User | None, membership: Membership | None = None) -> dict:
    """Put everyone the current population run finds in the cohort (by their place's
    cohort rule, adults, alive) on the caseload, and refresh the priority of those already
    on it (with their place's priority weights). People
    already on the caseload keep their stage; nobody is taken off by a rebuild.

    Returns counts: ``{"added": n, "refreshed": n, "cohort": n}``.
    """
    from joinedup.core.place_settings import by_place
    from joinedup.population.actions import practice_places
    from joinedup.population.models import PersonProfile, PopulationRun

    now = timezone.now()
    weights = {code: values["priority"] for code, values in by_place().items()}
    place_of = practice_places()
    profiles = (
        PersonProfile.objects.filter(
            run__current=True,
            multimorbid=True,
            age__gte=MIN_AGE,
            person__date_of_death__isnull=True,
            person__merged_into__isnull=True,
        )
        .select_related("neighbourhood")
        .order_by("person_id")
    )
    existing = {e.person_id: e for e in CaseloadEntry.objects.all()}
    # What hospitals' live feeds told of since the run's as-of date (the coded record
    # holds what came before): the counts are the same as the feed's own refresh makes.
    run = PopulationRun.objects.filter(current=True).first()
    live = queries.live_hospital_use(
        None, after=run.as_of if run else None, today=timezone.localdate()
    )
    added, refreshed = [], []
    changes: dict[int, list[str]] = {}
    cohort = 0
    for p in profiles.iterator(chunk_size=5000):
        cohort += 1
        admissions, ae = live.get(p.person_id, (0, 0))
        p.admissions_12m += admissions
        p.ae_attendances_12m += ae
        values = {
            "practice_id": p.practice_id,
            "neighbourhood_id": p.neighbourhood_id,
            "network_id": p.neighbourhood.network_id if p.neighbourhood else None,
            "ltc_count": p.ltc_count,
            "cms": p.cms,
            "efi": p.efi,
            "efi_band": p.efi_band,
            "imd_quintile": p.imd_quintile,
            "admissions_12m": p.admissions_12m,
            "ae_attendances_12m": p.ae_attendances_12m,
            "priority": policies.priority(
                cms=p.cms,
                efi_band=p.efi_band,
                imd_quintile=p.imd_quintile,
                admissions_12m=p.admissions_12m,
                ae_attendances_12m=p.ae_attendances_12m,
                weights=weights.get(place_of.get(p.practice_id), weights[None]),
            ),
            "refreshed_at": now,
        }
        entry = existing.get(p.person_id)
        if entry is None:
            added.append(
                CaseloadEntry(
                    person_id=p.person_id, identified_at=now, stage_changed_at=now, **values
                )
            )
        else:
            found = policies.review_reasons(entry, p)
            if found:
                changes[p.person_id] = found
            for key, value in values.items():
                setattr(entry, key, value)
            refreshed.append(entry)
    CaseloadEntry.objects.bulk_create(added, batch_size=2000)
    CaseloadEntry.objects.bulk_update(
        refreshed,
        [
            "practice_id",
            "neighbourhood_id",
            "network_id",
            "ltc_count",
            "cms",
            "efi",
            "efi_band",
            "imd_quintile",
            "admissions_12m",
            "ae_attendances_12m",
            "priority",
            "refreshed_at",
        ],
        batch_size=1000,
    )
    counts = {"added": len(added), "refreshed": len(refreshed), "cohort": cohort}
    counts["reviews"] = raise_reviews(changes, source="population run")
    record_audit(
        by=by,
        membership=membership,
        action="care.caseload.build",
        object_type="caseload",
        detail=counts,
    )
    return counts


@transaction.atomic
def move_stage(
    *,
    by: User,
    membership: Membership,
    entry: CaseloadEntry,
    stage: str,
    closed_reason: str = "",
) -> CaseloadEntry:
    """Move a person along identified → contacted → assessed → plan agreed → under
    review → closed (closing needs a reason)."""
    permissions.require_care_management(membership, entry.person_id)
    entry = CaseloadEntry.objects.select_for_update().get(pk=entry.pk)
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose a stage"})
    if stage not in policies.STAGE_MOVES[Stage(entry.stage)]:
        raise ValidationError(
            {
                "stage": f"A person who is {Stage(entry.stage).label.lower()} cannot move to "
                f"{Stage(stage).label.lower()}"
            }
        )
    if stage == Stage.CLOSED and closed_reason not in ClosedReason.values:
        raise ValidationError({"closed_reason": "Choose why the person is leaving the caseload"})
    before = entry.stage
    entry.stage = stage
    entry.closed_reason = closed_reason if stage == Stage.CLOSED else ""
    entry.stage_changed_at = timezone.now()
    entry.save(update_fields=["stage", "closed_reason", "stage_changed_at"])
    record_audit(
        by=by,
        membership=membership,
        action="care.caseload.stage",
        person_id=entry.person_id,
        object_type="caseload_entry",
        object_id=entry.pk,
        detail={"from": before, "to": stage, "reason": entry.closed_reason},
    )
    return entry


def close_for_departure(by: User | None, person_ids: list[int], reason: str) -> int:
    """The registration file says these people died or left: their caseload entries
    close with that reason (``people.registrations.register_departure``)."""
    entries = list(
        CaseloadEntry.objects.filter(person_id__in=person_ids).exclude(stage=Stage.CLOSED)
    )
    now = timezone.now()
    for entry in entries:
        before, entry.stage = entry.stage, Stage.CLOSED
        entry.closed_reason, entry.stage_changed_at = ClosedReason(reason), now
        record_audit(
            by=by,
            action="care.caseload.stage",
            person_id=entry.person_id,
            object_type="caseload_entry",
            object_id=entry.pk,
            detail={"from": before, "to": Stage.CLOSED, "reason": reason, "by": "registration"},
        )
    CaseloadEntry.objects.bulk_update(entries, ["stage", "closed_reason", "stage_changed_at"])
    return len(entries)


@transaction.atomic
def set_offer(
    *, by: User, membership: Membership, entry: CaseloadEntry, offer_status: str
) -> CaseloadEntry:
    """Record the personalised care and support plan offer."""
    permissions.require_care_management(membership, entry.person_id)
    if offer_status not in OfferStatus.values:
        raise ValidationError({"offer_status": "Choose the offer status"})
    entry.offer_status = offer_status
    entry.save(update_fields=["offer_status"])
    record_audit(
        by=by,
        membership=membership,
        action="care.caseload.offer",
        person_id=entry.person_id,
        object_type="caseload_entry",
        object_id=entry.pk,
        detail={"offer_status": offer_status},
    )
    return entry


@transaction.atomic
def flag_for_mdt(
    *, by: User, membership: Membership, entry: CaseloadEntry, flagged: bool
) -> CaseloadEntry:
    permissions.require_care_management(membership, entry.person_id)
    entry.flagged_for_mdt = flagged
    entry.save(update_fields=["flagged_for_mdt"])
    record_audit(
        by=by,
        membership=membership,
        action="care.caseload.mdt_flag",
        person_id=entry.person_id,
        object_type="caseload_entry",
        object_id=entry.pk,
        detail={"flagged": flagged},
    )
    return entry


def _may_manage(membership: Membership, person_id: int) -> None:
    if not permissions.may_manage_care(membership, person_id):
        raise PermissionDenied(
            "Only those who run the person's care (or their lead or key worker) can do that"
        )
