"""Reads of care coordination: the caseload a member of staff may work, inboxes."""

import hashlib
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from joinedup.core.models import Membership, Organisation, OrganisationType
from joinedup.people.access import accessible_person_ids, needs_consent_for_sensitive

from .models import (
    CarePlan,
    CareTeamMember,
    CaseloadEntry,
    EpisodeKind,
    EpisodeStatus,
    HospitalEpisode,
    Stage,
    Task,
    TaskKind,
)
from .policies import OPEN_TASK


def caseload(
    membership: Membership,
    *,
    network: int | None = None,
    neighbourhood: int | None = None,
    practice: int | None = None,
    stage: str = "",
    flagged: bool = False,
) -> QuerySet[CaseloadEntry]:
    """The caseload entries of people this membership may open, highest priority first."""
    entries = _caseload_entries(
        network=network,
        neighbourhood=neighbourhood,
        practice=practice,
        stage=stage,
        flagged=flagged,
    ).filter(person_id__in=accessible_person_ids(membership))
    # People are fetched for the page shown only (joining them before sorting and
    # slicing would read the whole register).
    return (
        entries.select_related("practice", "neighbourhood")
        .order_by("-priority", "person_id")
        .prefetch_related("person")
    )


def _caseload_entries(
    *,
    network: int | None = None,
    neighbourhood: int | None = None,
    practice: int | None = None,
    stage: str = "",
    flagged: bool = False,
    text: str = "",
) -> QuerySet[CaseloadEntry]:
    """Caseload entries by area, stage, MDT flag and name or NHS number (no access check:
    callers add it)."""
    from joinedup.people.models import Person
    from joinedup.people.queries import person_match

    entries = CaseloadEntry.objects.all()
    match = person_match(text)
    if match is not None:
        entries = entries.filter(person_id__in=Person.objects.filter(match).values("pk"))
    if network:
        entries = entries.filter(network_id=network)
    if neighbourhood:
        entries = entries.filter(neighbourhood_id=neighbourhood)
    if practice:
        entries = entries.filter(practice_id=practice)
    if stage:
        entries = entries.filter(stage=stage)
    else:
        entries = entries.exclude(stage="closed")
    if flagged:
        entries = entries.filter(flagged_for_mdt=True)
    return entries


def reviews_due(membership: Membership, *, today: date, within_days: int = 14):
    """Plans of people this membership may open whose review date has come or comes within
    ``within_days``, or for whom a trigger asked for a review; soonest (and overdue) first.
    Each has ``asked_why``: why a review was asked for (None if it was not), so a plan whose
    review date is months away says why it is listed."""
    from datetime import timedelta

    asked = Task.objects.filter(kind=TaskKind.REVIEW, status__in=OPEN_TASK)
    return (
        CarePlan.objects.filter(
            Q(review_date__lte=today + timedelta(days=within_days))
            | Q(person_id__in=asked.values("person_id")),
            person_id__in=accessible_person_ids(membership),
        )
        .annotate(
            asked_why=Subquery(
                asked.filter(person_id=OuterRef("person_id")).order_by("pk").values("detail")[:1]
            )
        )
        .select_related("person", "person__registered_practice")
        .order_by("review_date", "person_id")
    )


def inbox(membership: Membership, *, today: date) -> dict[str, QuerySet[Task]]:
    """Open tasks for me, for my team, and for my organisation unassigned; and what my
    organisation asked of others (with their outcomes)."""
    open_tasks = (
        Task.objects.filter(status__in=OPEN_TASK)
        .select_related("requester_organisation", "owner_organisation", "owner_user", "owner_team")
        .prefetch_related("person")
    )
    mine = open_tasks.filter(owner_user_id=membership.user_id)
    team = (
        open_tasks.filter(owner_team_id=membership.team_id, owner_user__isnull=True)
        if membership.team_id
        else Task.objects.none()
    )
    organisation = open_tasks.filter(
        owner_organisation_id=membership.organisation_id,
        owner_user__isnull=True,
        owner_team__isnull=True,
    )
    sent = (
        Task.objects.filter(requester_organisation_id=membership.organisation_id)
        .select_related("owner_organisation", "owner_user")
        .prefetch_related("person")
        .order_by("-updated_at")
    )
    order = ("due", "created_at")
    return {
        "mine": mine.order_by(*order),
        "team": team.order_by(*order),
        "organisation": organisation.order_by(*order),
        "sent": sent,
        "overdue": open_tasks.filter(
            Q(owner_user_id=membership.user_id)
            | Q(owner_organisation_id=membership.organisation_id, owner_user__isnull=True),
            due__lt=today,
        ),
    }


def care_team(person) -> QuerySet[CareTeamMember]:
    return (
        CareTeamMember.objects.filter(person=person, left_at__isnull=True)
        .select_related("organisation", "user", "team")
        .order_by("-is_lead", "-is_key_worker", "joined_at")
    )


def tasks_for(person) -> QuerySet[Task]:
    return (
        Task.objects.filter(person=person)
        .select_related("requester_organisation", "owner_organisation", "owner_user")
        .order_by("status", "due")
    )


def meetings_for(membership: Membership):
    """MDT meetings this membership attends or its organisation organised, soonest first
    for upcoming, then the past."""
    from .models import Meeting

    return (
        Meeting.objects.filter(
            Q(attendees__user_id=membership.user_id)
            | Q(organiser_organisation_id=membership.organisation_id)
        )
        .distinct()
        .select_related("neighbourhood", "network", "organiser_organisation")
    )


def caseload_page(
    membership: Membership, number, *, per_page: int = 25, sort: str = "priority", **filters
):
    """One page of the caseload this membership may work, highest priority first.

    Rather than listing everyone the membership may open and joining (which costs the
    same for page 1 as for page 300), entries are walked in priority order a chunk at a
    time and each chunk is checked with ``people.access.accessible_among``. The total is
    kept for a minute (the rows are always fresh)."""
    from django.core.cache import cache
    from django.core.paginator import Page, Paginator

    from joinedup.people.access import accessible_among

    order = (
        ("person__search_family_name", "person__search_given_name", "person_id")
        if sort == "name"
        else ("-priority", "person_id")
    )
    candidates = _caseload_entries(**filters).order_by(*order)
    paginator = Paginator(candidates, per_page)
    # Hashed: the filters hold what was searched for (a name), which has no place in a
    # cache key (nor the spaces memcached refuses).
    wanted = "-".join(f"{k}={v}" for k, v in sorted(filters.items()))
    key = f"caseload-count:{membership.pk}:{hashlib.sha256(wanted.encode()).hexdigest()}"
    total = cache.get(key)
    if total is None:
        total = candidates.filter(person_id__in=accessible_person_ids(membership)).count()
        cache.set(key, total, COUNT_SECONDS)
    paginator.__dict__["count"] = total  # Paginator.count is a cached property
    try:
        wanted = min(max(1, int(number)), paginator.num_pages)
    except (TypeError, ValueError):
        wanted = 1
    skip, found, offset = (wanted - 1) * per_page, [], 0
    size = skip + per_page  # the first look is as long as the page needs; then doubling
    while len(found) < skip + per_page:
        window = candidates[offset : offset + size]
        chunk = list(window.values_list("pk", "person_id"))
        if not chunk:
            break
        allowed = accessible_among(membership, window.values("person_id"))
        found += [pk for pk, person in chunk if person in allowed]
        offset, size = offset + size, min(size * 2, MAX_CHUNK)
    ids = found[skip : skip + per_page]
    rows = list(
        CaseloadEntry.objects.filter(pk__in=ids)
        .select_related("practice", "neighbourhood")
        .prefetch_related("person")
        .order_by(*order)
    )
    return Page(rows, wanted, paginator)


COUNT_SECONDS = 60
MAX_CHUNK = 2000


# ---------------------------------------------------------------------------------------
# The caseload as a day's work: mine, my team's, my organisation's.

SCOPES = {
    "mine": "Mine",
    "team": "My team",
    "organisation": "My organisation",
}
SORTS = {
    "priority": "Priority",
    "name": "Name",
    "due": "Next action due",
    "contact": "Last contact",
}


def default_scope(membership: Membership) -> str:
    """Care coordinators work their area's caseload; everyone else starts with their own."""
    from joinedup.core.models import Role

    return "organisation" if membership.role == Role.CARE_COORDINATOR else "mine"


def my_people_ids(membership: Membership, scope: str) -> set[int]:
    """The people a member of staff (``mine``) or their team (``team``) works with: care-team
    places and open tasks or referrals assigned to them, as far as they may open them."""
    from joinedup.people.access import accessible_among

    if scope == "mine":
        places = CareTeamMember.objects.filter(
            user_id=membership.user_id, organisation_id=membership.organisation_id
        )
        tasks = Task.objects.filter(owner_user_id=membership.user_id)
    elif scope == "team" and membership.team_id:
        places = CareTeamMember.objects.filter(team_id=membership.team_id)
        tasks = Task.objects.filter(owner_team_id=membership.team_id)
    else:
        return set()
    ids = set(places.filter(left_at__isnull=True).values_list("person_id", flat=True))
    ids |= set(tasks.filter(status__in=OPEN_TASK).values_list("person_id", flat=True))
    return accessible_among(membership, list(ids)) if ids else set()


class CaseRow:
    """One person on a caseload page: their caseload entry (if they are in the cohort),
    the next thing to do for them and when, and when someone last worked with them."""

    def __init__(self, person, entry):
        self.person, self.entry = person, entry
        self.next_action, self.next_due, self.next_task_id = "", None, None
        self.last_contact = None

    @property
    def priority(self) -> float:
        return self.entry.priority if self.entry else 0.0


# What comes next for someone with no open task, by caseload stage.
NEXT_BY_STAGE = {
    "identified": "Contact them",
    "contacted": "Holistic assessment",
    "assessed": "Agree the plan",
}


def case_rows(membership: Membership, people, entries: dict) -> list[CaseRow]:
    """Rows for these people (a list of Person), with the next action and last contact
    worked out for them alone (a page at a time)."""
    from django.db.models import Max
    from django.utils import timezone

    from .models import Assessment, PlanVersion

    ids = [p.pk for p in people]
    rows = {p.pk: CaseRow(p, entries.get(p.pk)) for p in people}
    open_tasks = (
        Task.objects.filter(person_id__in=ids, status__in=OPEN_TASK)
        .select_related("owner_organisation")
        .order_by("due", "created_at")
    )
    for task in open_tasks:
        row = rows[task.person_id]
        mine = task.owner_user_id == membership.user_id
        # The earliest task assigned to me first, else the earliest for anyone.
        if row.next_task_id is None or (mine and not getattr(row, "_mine", False)):
            row.next_action = f"{task.description} ({task.owner_organisation.name})"
            row.next_due, row.next_task_id = task.due, task.pk
            row._mine = mine
    plans = dict(CarePlan.objects.filter(person_id__in=ids).values_list("person_id", "review_date"))
    for pk, row in rows.items():
        if row.next_task_id is None:
            if plans.get(pk):
                row.next_action, row.next_due = "Review the plan", plans[pk]
            elif row.entry and row.entry.stage in NEXT_BY_STAGE:
                row.next_action = NEXT_BY_STAGE[row.entry.stage]
            elif pk not in plans:
                row.next_action = "Start the plan"
    last = {}
    for model, field, filters in (
        (Assessment, "started_at", {}),
        (PlanVersion, "created_at", {"by_person": False}),
        (Task, "updated_at", {"status": "completed"}),
    ):
        person_field = "plan__person_id" if model is PlanVersion else "person_id"
        found = (
            model.objects.filter(**{f"{person_field}__in": ids}, **filters)
            .values(person_field)
            .annotate(at=Max(field))
            .values_list(person_field, "at")
        )
        for pk, at in found:
            last[pk] = max(at, last.get(pk, at))
    for pk, row in rows.items():
        stage_at = (
            row.entry.stage_changed_at if row.entry and row.entry.stage != "identified" else None
        )
        moments = [m for m in (last.get(pk), stage_at) if m]
        row.last_contact = timezone.localtime(max(moments)).date() if moments else None
    return [rows[pk] for pk in ids]


def sort_rows(rows: list[CaseRow], sort: str) -> list[CaseRow]:
    far = date.max
    keys = {
        "priority": lambda r: (-r.priority, r.person.pk),
        "name": lambda r: (r.person.family_name.lower(), r.person.given_name.lower(), r.person.pk),
        "due": lambda r: (r.next_due or far, -r.priority, r.person.pk),
        # Longest without contact first: no contact at all comes first of all.
        "contact": lambda r: (
            r.last_contact or date.min,
            r.person.pk,
        ),
    }
    return sorted(rows, key=keys.get(sort, keys["priority"]))


def partnership_organisations(organisation: Organisation) -> QuerySet[Organisation]:
    """The organisations of the partnership: those serving at least one of this
    organisation's places (itself included)."""
    return Organisation.objects.filter(places__in=organisation.places.all()).distinct()


def live_hospital_use(
    person_ids: list[int] | None, *, after: date | None, today: date
) -> dict[int, tuple[int, int]]:
    """{person: (admissions, A&E attendances)} from hospitals' live feeds that began after
    ``after`` (a population run's as-of date: the coded record holds what came before)
    and within the 12 months to ``today``; cancelled visits do not count. ``person_ids``
    None: everyone."""
    start = today - timedelta(days=365)
    if after is not None:
        start = max(start, after + timedelta(days=1))
    episodes = HospitalEpisode.objects.filter(started_at__date__gte=start).exclude(
        status=EpisodeStatus.CANCELLED
    )
    if person_ids is not None:
        episodes = episodes.filter(person_id__in=person_ids)
    counts: dict[int, tuple[int, int]] = {}
    for row in episodes.values("person_id", "kind").annotate(n=Count("pk")):
        admissions, ae = counts.get(row["person_id"], (0, 0))
        if row["kind"] == EpisodeKind.ADMISSION:
            admissions += row["n"]
        else:
            ae += row["n"]
        counts[row["person_id"]] = (admissions, ae)
    return counts


def hospital_episodes(person, *, today: date, months: int = 12, show_sensitive: bool = True):
    """The person's hospital stays and A&E attendances from the live feeds: any still
    going, and those of the last ``months`` months; newest first. A stay at a mental
    health trust is sensitive (it says what it was for): without ``show_sensitive`` it is
    left out."""
    since = today - timedelta(days=months * 31)
    episodes = (
        HospitalEpisode.objects.filter(person=person)
        .filter(Q(started_at__date__gte=since) | Q(status=EpisodeStatus.IN_HOSPITAL))
        .select_related("hospital")
        .order_by("-started_at", "-pk")
    )
    if not show_sensitive:
        episodes = episodes.exclude(hospital__type=OrganisationType.MENTAL_HEALTH_TRUST)
    return episodes


HOSPITAL_NEWS_DAYS = 14


def hospital_news(membership: Membership, *, days: int = HOSPITAL_NEWS_DAYS):
    """What the hospitals' feeds said in the last ``days`` days about the people this
    member is key worker for: admissions, A&E attendances, transfers and discharges,
    latest first."""
    mine = CareTeamMember.objects.filter(
        user_id=membership.user_id,
        organisation_id=membership.organisation_id,
        is_key_worker=True,
        left_at__isnull=True,
    ).values("person_id")
    episodes = HospitalEpisode.objects.filter(
        person_id__in=mine, updated_at__gte=timezone.now() - timedelta(days=days)
    )
    if needs_consent_for_sensitive(membership):
        # A mental health trust's news is sensitive: only with the person's consent.
        episodes = episodes.exclude(
            hospital__type=OrganisationType.MENTAL_HEALTH_TRUST,
            person__sensitive_sharing_consent=False,
        )
    return (
        episodes.select_related("hospital")
        .prefetch_related("person")
        .order_by("-updated_at", "-pk")
    )


# ---------------------------------------------------------------------------------------
# Figures for the partnership's indicators (``outcomes``, through ``care.interface``)


def plan_agreed_by_practice() -> list[tuple[int | None, int, int]]:
    """(practice id, open caseload entries whose plan is agreed, open caseload entries)."""
    agreed = Q(stage__in=[Stage.PLAN_AGREED, Stage.UNDER_REVIEW])
    return [
        (row["practice_id"], row["agreed"], row["n"])
        for row in CaseloadEntry.objects.exclude(stage=Stage.CLOSED)
        .values("practice_id")
        .annotate(agreed=Count("pk", filter=agreed), n=Count("pk"))
        .order_by("practice_id")
    ]


def days_to_contact(*, since: date, until: date) -> list[tuple[int | None, int]]:
    """(practice id, days from identified to first contacted) of everyone first moved on
    from "identified" (to contacted or further) between ``since`` and ``until``."""
    from joinedup.core.models import AuditEvent

    firsts: dict[int, object] = {}
    moves = AuditEvent.objects.filter(
        action="care.caseload.stage", object_type="caseload_entry", detail__from=Stage.IDENTIFIED
    ).exclude(detail__to=Stage.CLOSED)
    for object_id, at in moves.order_by("at").values_list("object_id", "at"):
        firsts.setdefault(int(object_id), at)
    entries = CaseloadEntry.objects.filter(pk__in=list(firsts)).values_list(
        "pk", "practice_id", "identified_at"
    )
    return [
        (practice_id, max((firsts[pk] - identified).days, 0))
        for pk, practice_id, identified in entries
        if since <= timezone.localdate(firsts[pk]) <= until
    ]


def overdue_reviews_by_organisation(today: date) -> list[tuple[str, int, int]]:
    """(organisation, plans past their review date, plans) by the key worker's
    organisation, for people on the open caseload."""
    open_people = CaseloadEntry.objects.exclude(stage=Stage.CLOSED).values("person_id")
    keyworkers = CareTeamMember.objects.filter(
        is_key_worker=True, left_at__isnull=True, person_id__in=open_people
    ).values_list("person_id", "organisation__name")
    reviews = dict(
        CarePlan.objects.filter(person_id__in=open_people).values_list("person_id", "review_date")
    )
    counts: dict[str, list[int]] = {}
    for person_id, organisation in keyworkers:
        if person_id in reviews:
            due = reviews[person_id]
            pair = counts.setdefault(organisation, [0, 0])
            pair[0] += bool(due and due < today)
            pair[1] += 1
    return sorted((name, overdue, n) for name, (overdue, n) in counts.items())


def overdue_tasks_by_organisation(today: date) -> list[tuple[str, int, int]]:
    """(organisation asked, open tasks past their due date, open tasks)."""
    return [
        (row["owner_organisation__name"], row["overdue"], row["n"])
        for row in Task.objects.filter(status__in=OPEN_TASK)
        .values("owner_organisation__name")
        .annotate(overdue=Count("pk", filter=Q(due__lt=today)), n=Count("pk"))
        .order_by("owner_organisation__name")
    ]


def taken_on() -> tuple[dict[int, date], list[int]]:
    """For the programme evaluation (``outcomes``, through ``care.interface``): {person id:
    the day they were first contacted (taken onto the caseload's care)}, and the people
    identified but not yet contacted (the group not yet on it)."""
    from joinedup.core.models import AuditEvent

    first: dict[int, date] = {}
    moves = AuditEvent.objects.filter(
        action="care.caseload.stage", detail__from=Stage.IDENTIFIED
    ).exclude(detail__to=Stage.CLOSED)
    for person_id, at in moves.order_by("at").values_list("person_id", "at"):
        if person_id is not None:
            first.setdefault(person_id, timezone.localdate(at))
    waiting = list(
        CaseloadEntry.objects.filter(stage=Stage.IDENTIFIED).values_list("person_id", flat=True)
    )
    return first, [p for p in waiting if p not in first]
