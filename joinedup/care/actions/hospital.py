"""Hospital episodes from a hospital's live feed (HL7 v2 ADT, read by ``ingest.adt``):
admissions and A&E attendances begin one, transfers and updates change it, discharges end
it, and cancellations undo an admission or a discharge.

A new admission or A&E attendance of someone on the caseload raises a review by the same
rule as the nightly population run (``policies.review_reasons`` then ``raise_reviews``):
the caseload's hospital counts are the coded record's (the current population run, up to
its as-of date) plus what the feed has told of since, so the run that later finds the
same admission in the coded record raises nothing new.
"""

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Organisation, User

from .. import policies, queries
from ..models import (
    CaseloadEntry,
    EpisodeKind,
    EpisodeStatus,
    HospitalEpisode,
    Stage,
    Task,
    TaskKind,
    TaskStatus,
)
from .reviews import raise_reviews

FEED_SOURCE = "hospital feed"
EVENTS = ("A01", "A02", "A03", "A04", "A08", "A11", "A13")
# Why a review is raised, in the words of policies.review_reasons.
REASON = {EpisodeKind.ADMISSION: "New hospital admission", EpisodeKind.AE: "New A&E attendance"}


@dataclass(frozen=True)
class HospitalNews:
    """What one ADT message says about one visit."""

    event: str  # A01 admit, A02 transfer, A03 discharge, A04 register, A08 update,
    # A11 cancel admit, A13 cancel discharge
    hospital: Organisation
    person_id: int
    occurred_at: datetime  # when the event happened (EVN-6, else EVN-2, else MSH-7)
    visit_number: str = ""
    patient_class: str = ""  # PV1-2: E emergency (A&E), I inpatient, O outpatient...
    started_at: datetime | None = None  # PV1-44
    ended_at: datetime | None = None  # PV1-45
    location: str = ""  # PV1-3, as words: "Ward 7, bay 2, bed 3"
    message: str = ""  # the message it came in (for the audit): "RJ1:MSG0001"


def episode_kind(event: str, patient_class: str) -> str | None:
    """What an admit or register message begins: an A&E attendance (patient class E, or
    A04 with no class), an admission (A01 otherwise), or nothing (an A04 for an
    outpatient clinic).

    >>> episode_kind("A01", "I"), episode_kind("A04", "E"), episode_kind("A04", "O")
    ('admission', 'ae', None)
    """
    if patient_class == "E" or (event == "A04" and not patient_class):
        return EpisodeKind.AE
    if event == "A01":
        return EpisodeKind.ADMISSION
    return None


@transaction.atomic
def record_hospital_news(
    *, by: User | None, news: HospitalNews
) -> tuple[HospitalEpisode | None, str]:
    """Apply one ADT event to the person's hospital episode. Returns the episode (None when
    the event has nothing to change) and what happened, in words ("admitted", "no visit to
    cancel"). A visit number that belongs to another person is refused (ValidationError):
    nothing is changed."""
    if news.event not in EVENTS:
        raise ValidationError(f"ADT event {news.event} is not one joinedup takes")
    episode = _find(news)
    if episode is not None and episode.person_id != news.person_id:
        raise ValidationError("the visit number belongs to another person's episode")
    counted_before = _counted(episode)
    kind_before = episode.kind if episode else None
    episode, said = _apply(news, episode)
    if episode is None:
        return None, said
    episode.save()
    if _counted(episode) != counted_before or (counted_before and episode.kind != kind_before):
        _refresh_caseload(news.person_id)
        if counted_before and not _counted(episode):
            _withdraw_review(news.person_id, REASON[EpisodeKind(episode.kind)])
    record_audit(
        by=by,
        organisation=news.hospital,
        action="care.hospital.event",
        person_id=news.person_id,
        object_type="hospital_episode",
        object_id=episode.pk,
        detail={"event": news.event, "status": episode.status, "message": news.message[:120]},
    )
    return episode, said


def _counted(episode: HospitalEpisode | None) -> bool:
    return episode is not None and episode.status != EpisodeStatus.CANCELLED


def _find(news: HospitalNews) -> HospitalEpisode | None:
    episodes = HospitalEpisode.objects.select_for_update().filter(hospital=news.hospital)
    if news.visit_number:
        return next(iter(episodes.filter(visit_number=news.visit_number)[:1]), None)
    # No visit number: the person's latest visit there that the event can apply to.
    episodes = episodes.filter(person_id=news.person_id, visit_number="")
    wanted = {
        "A02": [EpisodeStatus.IN_HOSPITAL],
        "A03": [EpisodeStatus.IN_HOSPITAL],
        "A08": [EpisodeStatus.IN_HOSPITAL, EpisodeStatus.DISCHARGED],
        "A11": [EpisodeStatus.IN_HOSPITAL, EpisodeStatus.DISCHARGED],
        "A13": [EpisodeStatus.DISCHARGED],
    }.get(news.event)
    if wanted is None:  # an admit without a visit number is always a new visit
        return None
    return episodes.filter(status__in=wanted).order_by("-started_at", "-pk").first()


def _apply(news: HospitalNews, episode: HospitalEpisode | None):
    now = timezone.now()
    event = news.event
    if event in ("A01", "A04", "A03") and episode is None:
        kind = episode_kind("A01" if event == "A03" else event, news.patient_class)
        if kind is None:
            return None, f"a registration for patient class {news.patient_class}: no episode"
        episode = HospitalEpisode(
            person_id=news.person_id,
            hospital=news.hospital,
            visit_number=news.visit_number,
            kind=kind,
            started_at=news.started_at or news.occurred_at,
            created_at=now,
        )
        # A discharge of a visit the feed never admitted (the feed began mid-stay).
        said = "admitted" if kind == EpisodeKind.ADMISSION else "attended A&E"
        if event == "A03":
            episode.status = EpisodeStatus.DISCHARGED
            episode.ended_at = news.ended_at or news.occurred_at
            said = "discharged (the admission was not sent)"
    elif episode is None:
        return None, {
            "A02": "no visit to transfer",
            "A08": "no visit to update",
            "A11": "no visit to cancel",
            "A13": "no discharge to cancel",
        }[event]
    elif event in ("A01", "A04"):
        said = "admission sent again: details updated"
        if episode.status == EpisodeStatus.CANCELLED:
            episode.status, episode.ended_at, said = EpisodeStatus.IN_HOSPITAL, None, "readmitted"
        episode.started_at = news.started_at or episode.started_at
    elif event == "A02":
        said = "transferred"
    elif event == "A03":
        episode.status = EpisodeStatus.DISCHARGED
        episode.ended_at = news.ended_at or news.occurred_at
        said = "discharged"
    elif event == "A08":
        episode.started_at = news.started_at or episode.started_at
        if episode.status == EpisodeStatus.DISCHARGED and news.ended_at:
            episode.ended_at = news.ended_at
        said = "details updated"
    elif event == "A11":
        if episode.status == EpisodeStatus.CANCELLED:
            return episode, "already cancelled"
        episode.status, said = EpisodeStatus.CANCELLED, "admission cancelled"
    else:  # A13
        if episode.status != EpisodeStatus.DISCHARGED:
            return episode, "not discharged: nothing to cancel"
        episode.status, episode.ended_at = EpisodeStatus.IN_HOSPITAL, None
        said = "discharge cancelled"
    if news.location:
        episode.location = news.location[:120]
    episode.last_event, episode.updated_at = event, now
    return episode, said


def _refresh_caseload(person_id: int) -> None:
    """Keep the caseload's hospital counts (and so its priority) as the feed changes them,
    and raise a review for a new admission or attendance as the nightly run would."""
    from joinedup.core.place_settings import effective
    from joinedup.population.models import PersonProfile

    entry = next(
        iter(CaseloadEntry.objects.select_for_update().filter(person_id=person_id)[:1]), None
    )
    if entry is None:  # most people in hospital are not on the caseload: one small query
        return
    profile = next(
        iter(
            PersonProfile.objects.filter(person_id=person_id, run__current=True).select_related(
                "run"
            )[:1]
        ),
        None,
    )
    live = queries.live_hospital_use(
        [person_id], after=profile.run.as_of if profile else None, today=timezone.localdate()
    ).get(person_id, (0, 0))
    after = SimpleNamespace(
        ltc_count=entry.ltc_count,
        efi_band=entry.efi_band,
        admissions_12m=(profile.admissions_12m if profile else 0) + live[0],
        ae_attendances_12m=(profile.ae_attendances_12m if profile else 0) + live[1],
    )
    reasons = policies.review_reasons(entry, after)
    entry.admissions_12m, entry.ae_attendances_12m = after.admissions_12m, after.ae_attendances_12m
    entry.priority = policies.priority(
        cms=entry.cms,
        efi_band=entry.efi_band,
        imd_quintile=entry.imd_quintile,
        admissions_12m=entry.admissions_12m,
        ae_attendances_12m=entry.ae_attendances_12m,
        weights=effective(entry.person.practice_place)["priority"],
    )
    entry.save(update_fields=["admissions_12m", "ae_attendances_12m", "priority"])
    if reasons:
        raise_reviews({person_id: reasons}, source=FEED_SOURCE)


def _withdraw_review(person_id: int, reason: str) -> None:
    """The hospital cancelled the admission (or attendance) a review was raised for: the
    review is cancelled too, if that was its only reason and nobody has taken it up."""
    task = Task.objects.filter(
        person_id=person_id,
        kind=TaskKind.REVIEW,
        status=TaskStatus.REQUESTED,
        source=FEED_SOURCE,
        version=1,
    ).first()
    if task is None or task.detail.strip() != reason:
        return
    task.status = TaskStatus.CANCELLED
    task.status_reason = "The hospital cancelled the visit this review was asked for"
    task.updated_at, task.version = timezone.now(), task.version + 1
    task.save(update_fields=["status", "status_reason", "updated_at", "version"])
    still_open = Task.objects.filter(
        person_id=person_id, kind=TaskKind.REVIEW, status__in=policies.OPEN_TASK
    ).exists()
    if not still_open:
        CaseloadEntry.objects.filter(person_id=person_id, stage=Stage.UNDER_REVIEW).update(
            stage=Stage.PLAN_AGREED, stage_changed_at=timezone.now()
        )
    record_audit(
        by=None,
        organisation=task.owner_organisation,
        action="care.review.withdraw",
        person_id=person_id,
        object_type="task",
        object_id=task.pk,
        detail={"source": FEED_SOURCE},
    )
