"""Citizens' assembly writes: setting it up, the pool, quotas, choosing the members by lot
(LEXIMIN, engagement/sortition.py), invitations, and replacing people who drop out."""

import math
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from joinedup.core.actions import postcode_or_blank, record_audit
from joinedup.core.csv_input import CsvRows, refused_as
from joinedup.core.forms import date_field, first_errors, organisation_choice
from joinedup.core.jinja_env import plural
from joinedup.core.mail import Mail, send_after_commit
from joinedup.core.models import Postcode
from joinedup.core.tokens import digest as _digest

from .. import sortition
from ..models import (
    CATEGORIES,
    HELD,
    Assembly,
    AssemblyGroup,
    AssemblySession,
    Attendance,
    PanelMember,
    Quota,
    Recommendation,
    RecommendationStatus,
    Respondent,
    RunStatus,
    SeatStatus,
    SelectionRun,
    SessionQuestion,
    Speaker,
    Support,
    Vote,
)
from ..queries import category_values, check_drawable, population_shares, ticket_for

LOTTERY_TICKETS = 1000
STALE_AFTER = timedelta(hours=1)  # a selection running longer than this has died
LEGACY_RUNS = 300  # draws used to estimate the legacy method's probabilities, for comparison
REPLY_PROFILE = ("age_band", "sex", "ethnic_group", "disability", "carer", "lgbt")


@transaction.atomic
def create_assembly(*, by, name: str, question: str, size, categories: list[str]) -> Assembly:
    errors = {}
    name, question = " ".join(str(name).split())[:200], str(question).strip()
    if not name:
        errors["name"] = "Enter a name for the assembly"
    if not question:
        errors["question"] = "Enter the question the assembly will answer"
    try:
        size = int(str(size).strip())
        if not 5 <= size <= 500:
            raise ValueError
    except ValueError:
        errors["size"] = "Enter the number of members, a whole number from 5 to 500"
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown or not categories:
        errors["categories"] = "Choose at least one category for the quotas"
    if errors:
        raise ValidationError(errors)
    assembly = Assembly.objects.create(
        name=name,
        question=question,
        size=size,
        categories=[c for c in CATEGORIES if c in categories],
        created_at=timezone.now(),
        created_by=by,
    )
    record_audit(
        by=by,
        action="engagement.assembly.create",
        object_type="assembly",
        object_id=assembly.pk,
    )
    return assembly


def _profile(values: dict[str, str], lsoa) -> dict[str, str]:
    profile = {c: values.get(c, "not_said") for c in REPLY_PROFILE}
    profile["imd_quintile"] = str((lsoa.imd_decile + 1) // 2) if lsoa else "unknown"
    hood = lsoa.neighbourhood if lsoa else None
    profile["neighbourhood"] = hood.code if hood else "unknown"
    return profile


def _household(address: str, postcode: str) -> str:
    return " ".join(f"{address} {postcode}".lower().replace(",", " ").split())[:320]


@transaction.atomic
def add_pool_from_panel(*, by, assembly: Assembly) -> int:
    """Every current panel member not already in the pool joins it (they agreed to be
    invited to events when they joined)."""
    _not_selected_yet(assembly)
    already = set(
        assembly.respondents.exclude(panel_member=None).values_list("panel_member", flat=True)
    )
    members = PanelMember.objects.filter(withdrawn_at=None).select_related("lsoa__neighbourhood")
    rows = [
        Respondent(
            assembly=assembly,
            panel_member=m,
            reference=f"panel-{m.pk}",
            given_name=m.given_name,
            family_name=m.family_name,
            email=m.email,
            phone=m.phone,
            address=m.address,
            postcode=m.postcode,
            household=_household(m.address, m.postcode) if m.address else "",
            profile=_profile({c: getattr(m, c) for c in REPLY_PROFILE}, m.lsoa),
        )
        for m in members
        if m.pk not in already
    ]
    Respondent.objects.bulk_create(rows, batch_size=1000)
    record_audit(
        by=by,
        action="engagement.assembly.pool.panel",
        object_type="assembly",
        object_id=assembly.pk,
        detail={"added": len(rows)},
    )
    return len(rows)


REPLY_COLUMNS = ("id", "given_name", "family_name", "email", "phone", "address", "postcode")


@refused_as(ValidationError)
@transaction.atomic
def add_replies(*, by, assembly: Assembly, text: str, name: str = "replies") -> int:
    """Residents who replied to an invitation letter, from a CSV with the columns
    ``id, given_name, family_name, email, phone, address, postcode`` and the profile
    (``age_band, sex, ethnic_group, disability, carer, lgbt``, the values of the panel
    form). All rows or none; each error names its row."""
    _not_selected_yet(assembly)
    reader = CsvRows(text, name)
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in (*REPLY_COLUMNS, *REPLY_PROFILE) if c not in columns]
    if missing:
        raise ValidationError(f"{name}: no column for {', '.join(missing)}")
    reader.fieldnames = columns
    allowed = {c: {v for v, _ in category_values(c)} for c in REPLY_PROFILE}
    seen = set(assembly.respondents.values_list("reference", flat=True))
    postcodes = {}
    rows, errors = [], []
    for number, raw in enumerate(reader, start=2):
        row = {k: " ".join(str(v or "").split()) for k, v in raw.items() if k}
        where = f"{name} row {number}"
        reference = row["id"][:40]
        problems = []
        if not reference:
            problems.append("no id")
        elif reference in seen:
            problems.append(f"id {reference} is already in the pool")
        seen.add(reference)
        if not row["given_name"] or not row["family_name"]:
            problems.append("a first and last name are needed")
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                problems.append(f"email {row['email'][:60]!r} is not an email address")
        if not (row["email"] or row["phone"] or row["address"]):
            problems.append("no way to contact them (email, phone or address)")
        code = postcode_or_blank(row["postcode"])
        if code not in postcodes:
            postcodes[code] = (
                Postcode.objects.filter(postcode=code).select_related("lsoa__neighbourhood").first()
                if code
                else None
            )
        if postcodes[code] is None:
            problems.append(f"postcode {row['postcode'][:10]!r} is not in the borough")
        for category in REPLY_PROFILE:
            if row[category] not in allowed[category]:
                problems.append(
                    f"{category} {row[category][:20]!r} is not one of "
                    f"{', '.join(sorted(allowed[category]))}"
                )
        if problems:
            errors.append(f"{where}: {'; '.join(problems)}")
            continue
        rows.append(
            Respondent(
                assembly=assembly,
                reference=reference,
                given_name=row["given_name"][:100],
                family_name=row["family_name"][:100],
                email=row["email"].lower()[:254],
                phone=row["phone"][:30],
                address=row["address"][:300],
                postcode=code,
                household=_household(row["address"], code) if row["address"] else "",
                profile=_profile(row, postcodes[code].lsoa),
            )
        )
    if errors:
        raise ValidationError(first_errors(errors))
    if not rows:
        raise ValidationError(f"{name}: no replies in the file")
    Respondent.objects.bulk_create(rows, batch_size=1000)
    record_audit(
        by=by,
        action="engagement.assembly.pool.replies",
        object_type="assembly",
        object_id=assembly.pk,
        detail={"added": len(rows), "file": name[:60]},
    )
    return len(rows)


def _not_selected_yet(assembly: Assembly) -> None:
    if assembly.respondents.filter(status__in=[*HELD, "declined", "withdrawn"]).exists():
        raise ValidationError(
            "Members have already been chosen: the pool and quotas are fixed (replacements "
            "come from the same pool)"
        )


def suggest_quotas(*, by, assembly: Assembly, slack: float = 0.1) -> int:
    """Quotas in proportion to the borough's population (adults 16+, or loaded census
    shares), each allowing ±10% of its share of seats and at least one seat either way;
    categories without population figures follow the pool."""
    shares = population_shares()
    pool = list(assembly.respondents.values_list("profile", flat=True))
    rows = []
    for category in assembly.categories:
        known = shares.get(category)
        values = category_values(category)
        if not known:
            counts = {}
            for p in pool:
                counts[p.get(category)] = counts.get(p.get(category), 0) + 1
            total = sum(n for v, n in counts.items() if v not in ("not_said", "unknown"))
            known = {v: n / total for v, n in counts.items() if total and v not in ("not_said",)}
        for value, _ in values:
            if value in ("not_said", "unknown"):
                rows.append((category, value, 0, assembly.size))
                continue
            expected = known.get(value, 0.0) * assembly.size
            spread = max(1.0, slack * expected)
            rows.append(
                (
                    category,
                    value,
                    max(0, math.floor(expected - spread)),
                    min(assembly.size, math.ceil(expected + spread)),
                )
            )
    return set_quotas(by=by, assembly=assembly, rows=rows)


@transaction.atomic
def set_quotas(*, by, assembly: Assembly, rows: list[tuple]) -> int:
    """Replace the assembly's quotas with ``(category, value, low, high)`` rows (numbers
    may be text from a form). Checks each row, and that each category's minimums and
    maximums can make a panel of the assembly's size."""
    _not_selected_yet(assembly)
    errors = []
    labels = {c: dict(category_values(c)) for c in assembly.categories}
    clean = []
    for category, value, low, high in rows:
        where = f"{CATEGORIES.get(category, category)} {labels.get(category, {}).get(value, value)}"
        if category not in labels:
            errors.append(f"{category} is not a category of this assembly")
            continue
        if value not in labels[category]:
            errors.append(f"{category}: {value!r} is not one of its values")
            continue
        try:
            low, high = int(str(low).strip()), int(str(high).strip())
        except ValueError:
            errors.append(f"{where}: the minimum and maximum must be whole numbers")
            continue
        if low < 0 or high < 0:
            errors.append(f"{where}: the minimum and maximum cannot be negative")
        elif low > high:
            errors.append(f"{where}: the minimum ({low}) is more than the maximum ({high})")
        clean.append((category, value, low, high))
    for category in assembly.categories:
        mine = [r for r in clean if r[0] == category]
        if not mine:
            errors.append(f"{CATEGORIES[category]}: no quotas")
            continue
        low, high = sum(r[2] for r in mine), sum(r[3] for r in mine)
        if low > assembly.size:
            errors.append(
                f"{CATEGORIES[category]}: the minimums add up to {low}, more than the "
                f"{assembly.size} members"
            )
        if high < assembly.size:
            errors.append(
                f"{CATEGORIES[category]}: the maximums add up to {high}, fewer than the "
                f"{assembly.size} members"
            )
    if errors:
        raise ValidationError(errors)
    assembly.quotas.all().delete()
    Quota.objects.bulk_create(
        [
            Quota(
                assembly=assembly,
                category=c,
                value=v,
                label=labels[c][v][:100],
                low=lo,
                high=hi,
            )
            for c, v, lo, hi in clean
        ]
    )
    record_audit(
        by=by,
        action="engagement.assembly.quotas",
        object_type="assembly",
        object_id=assembly.pk,
        detail={"quotas": len(clean)},
    )
    return len(clean)


def instance_for(assembly: Assembly, *, replacement: bool = False) -> sortition.Instance:
    """The selection problem: the pool and the quotas, or, for replacements, the people
    still in the pool (no one from a household that holds a seat) with the quotas less
    what the members who stay already fill."""
    quotas = list(assembly.quotas.all())
    everyone = list(assembly.respondents.order_by("pk"))
    held = [r for r in everyone if r.status in HELD]
    k = assembly.size
    if replacement:
        taken = {r.household for r in held if r.household}
        pool = [r for r in everyone if r.status == SeatStatus.POOL and r.household not in taken]
        k -= len(held)
    else:
        pool = everyone
    features = []
    for q in quotas:
        filled = sum(1 for r in held if r.profile.get(q.category) == q.value) if replacement else 0
        features.append(
            sortition.Feature(q.category, q.value, max(0, q.low - filled), max(0, q.high - filled))
        )
    return sortition.Instance(
        k=k,
        features=features,
        ids=[str(r.pk) for r in pool],
        values=[{c: r.profile.get(c, "") for c in assembly.categories} for r in pool],
        households=[r.household for r in pool],
    )


@transaction.atomic
def start_selection(*, by, assembly: Assembly, algorithm: str = "leximin") -> SelectionRun:
    """Record a selection to run (``run_selection`` does the work, in the background for
    the web). The first selection chooses the whole assembly; once it is drawn, each
    later one chooses replacements for the seats given up."""
    if algorithm not in ("leximin", "legacy"):
        raise ValidationError("Choose LEXIMIN or the legacy method")
    Assembly.objects.select_for_update().get(pk=assembly.pk)
    assembly.runs.filter(
        status=RunStatus.RUNNING, started_at__lt=timezone.now() - STALE_AFTER
    ).update(status=RunStatus.FAILED, error="It stopped before it finished: start it again")
    if assembly.runs.filter(status=RunStatus.RUNNING).exists():
        raise ValidationError("A selection is already running for this assembly")
    if not assembly.quotas.exists():
        raise ValidationError("Set the quotas before choosing the members")
    drawn = assembly.runs.exclude(ticket_drawn=None).exists()
    held = assembly.respondents.filter(status__in=HELD).count()
    if drawn and held >= assembly.size:
        raise ValidationError("Every seat is held: there is no one to replace")
    instance = instance_for(assembly, replacement=drawn)
    if instance.n < instance.k:
        raise ValidationError(
            f"{plural(instance.k, 'seat')} to fill but only "
            f"{plural(instance.n, 'person', 'people')} in the pool who can take one"
        )
    run = SelectionRun.objects.create(
        assembly=assembly,
        replacement=drawn,
        algorithm=algorithm,
        seats=instance.k,
        quotas=[[f.category, f.value, f.low, f.high] for f in instance.features],
        pool_size=instance.n,
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        started_by=by,
    )
    record_audit(
        by=by,
        action="engagement.assembly.select.start",
        object_type="assembly",
        object_id=assembly.pk,
        detail={"run": run.pk, "replacement": drawn},
    )
    return run


def run_selection(run_id: int) -> SelectionRun:
    """Compute a selection's probabilities and lottery and save them in one step (a run
    that is stopped half-way keeps nothing and can be started again). Safe to call in a
    background job (engagement.jobs.selection)."""
    run = SelectionRun.objects.select_related("assembly").get(pk=run_id)
    try:
        instance = instance_for(run.assembly, replacement=run.replacement)
        if [[f.category, f.value, f.low, f.high] for f in instance.features] != run.quotas or (
            instance.n != run.pool_size
        ):
            raise sortition.SortitionError("the pool or the quotas changed: start again")
        if run.algorithm == "leximin":
            result = sortition.leximin(instance)
        else:
            result = sortition.legacy(instance, runs=1000)
        tickets = sortition.lottery(result, m=LOTTERY_TICKETS, seed=run.pk)
        marginals = result.marginals
        if run.replacement:
            # People whose groups the members who stay already fill cannot take a seat
            # given up; the figures are about those who can.
            marginals = marginals[marginals > 1e-9]
        facts = sortition.summary(marginals)
        facts["cannot"] = int((result.marginals <= 1e-9).sum())
        if run.algorithm == "leximin":
            try:
                legacy = sortition.legacy(instance, runs=LEGACY_RUNS)
                facts["legacy"] = sortition.summary(legacy.marginals)
            except sortition.SortitionError:
                facts["legacy"] = None
        facts["seconds"] = round(result.seconds, 2)
        facts["panels"] = len(result.probabilities)
        with transaction.atomic():
            run.probabilities = {
                instance.ids[i]: round(float(p), 6) for i, p in enumerate(result.marginals)
            }
            run.tickets = [sorted(int(instance.ids[i]) for i in t) for t in tickets]
            run.summary = facts
            run.status = RunStatus.DONE
            run.finished_at = timezone.now()
            run.save()
    except sortition.SortitionError as exc:
        run.status, run.error, run.finished_at = RunStatus.FAILED, str(exc), timezone.now()
        run.save()
    return run


@transaction.atomic
def draw_panel(
    *, by, run: SelectionRun, ticket=None, seed=None, link_base: str, notify: bool = True
) -> list:
    """Draw one lottery ticket: the number drawn in public (1 to the number of tickets),
    or one chosen from a seed (recorded; a random one when not given). Its people are
    selected and invited (by email unless ``notify`` is False, as in the demo)."""
    run = SelectionRun.objects.select_for_update().get(pk=run.pk)
    check_drawable(run)
    ticket, run.seed = ticket_for(run, ticket=ticket, seed=seed)
    run.ticket_drawn, run.drawn_at, run.drawn_by = ticket, timezone.now(), by
    run.save()
    chosen = list(Respondent.objects.filter(pk__in=run.tickets[ticket - 1]))
    mails = []
    for respondent in chosen:
        if respondent.status != SeatStatus.POOL:
            raise ValidationError(f"{respondent.name} is not in the pool any more: start again")
        token = secrets.token_urlsafe(24)
        respondent.status, respondent.selected_in = SeatStatus.SELECTED, run
        respondent.answer_token_hash = _digest(token)
        respondent.save()
        mails.append(
            Mail(
                to=respondent.email,
                subject=f"You have been chosen for the {run.assembly.name}",
                body=f"Dear {respondent.given_name},\n\nYou were chosen by lot, from everyone "
                f"who replied, to be a member of the {run.assembly.name}. The question it will "
                f"answer is:\n\n{run.assembly.question}\n\nPlease tell us whether you can "
                f"take part:\n{link_base}{token}\n",
            )
        )
    if notify:
        send_after_commit(mails, what="assembly invitations")
    record_audit(
        by=by,
        action="engagement.assembly.select.draw",
        object_type="assembly",
        object_id=run.assembly.pk,
        detail={"run": run.pk, "ticket": ticket, "seed": run.seed, "chosen": len(chosen)},
    )
    return chosen


def find_invitation(token: str) -> Respondent | None:
    return (
        Respondent.objects.filter(answer_token_hash=_digest(token or ""))
        .select_related("assembly")
        .first()
    )


@transaction.atomic
def answer_invitation(*, respondent: Respondent, accept: bool) -> None:
    """The person answers from the link in their invitation (no account)."""
    if respondent.status not in (SeatStatus.SELECTED, SeatStatus.CONFIRMED):
        raise ValidationError("This invitation has already been answered")
    if accept:
        respondent.status = SeatStatus.CONFIRMED
    elif respondent.status == SeatStatus.CONFIRMED:
        respondent.status = SeatStatus.WITHDRAWN  # said yes, then could not after all
    else:
        respondent.status = SeatStatus.DECLINED
    respondent.answered_at = timezone.now()
    if not accept:
        respondent.answer_token_hash = ""
    respondent.save()
    record_audit(
        by=None,
        action="engagement.assembly.invitation.answer",
        object_type="assembly",
        object_id=respondent.assembly.pk,
        detail={"respondent": respondent.pk},
    )


@transaction.atomic
def record_answer(*, by, respondent: Respondent, status: str) -> None:
    """An officer records what a member said (by phone, say), or that they dropped out."""
    allowed = {
        SeatStatus.SELECTED: (SeatStatus.CONFIRMED, SeatStatus.DECLINED),
        SeatStatus.CONFIRMED: (SeatStatus.WITHDRAWN,),
    }
    if status not in allowed.get(respondent.status, ()):
        raise ValidationError(
            f"{respondent.name} is {respondent.get_status_display().lower()}: that cannot change"
        )
    respondent.status = status
    respondent.answered_at = timezone.now()
    if status != SeatStatus.CONFIRMED:
        respondent.answer_token_hash = ""
    respondent.save()
    record_audit(
        by=by,
        action=f"engagement.assembly.member.{status}",
        object_type="assembly",
        object_id=respondent.assembly.pk,
        detail={"respondent": respondent.pk},
    )


# --- Running the assembly -------------------------------------------------------------------


def _text(data, name: str, label: str, errors: dict, *, limit: int, required=True) -> str:
    value = str(data.get(name, "")).strip()
    if required and not value:
        errors[name] = f"Enter {label}"
    elif len(value) > limit:
        errors[name] = f"{label[0].upper()}{label[1:]} must be {limit:,} characters or fewer"
    return value


@transaction.atomic
def add_session(*, by, assembly: Assembly, data) -> AssemblySession:
    """A session (meeting) of the assembly: title, date, place and what happened."""
    errors = {}
    title = _text(data, "title", "a title", errors, limit=200)
    place = _text(data, "place", "the place", errors, limit=200, required=False)
    summary = _text(data, "summary", "a summary", errors, limit=20000, required=False)
    try:
        held_on = date_field(data, "held_on", "The date")
        if held_on is None:
            errors["held_on"] = "Enter the date of the session"
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    number = (assembly.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
    session = AssemblySession.objects.create(
        assembly=assembly, number=number, title=title, held_on=held_on, place=place,
        summary=summary,
    )  # fmt: skip
    record_audit(
        by=by,
        action="engagement.assembly.session.add",
        object_type="assembly",
        object_id=assembly.pk,
        detail={"session": number},
    )
    return session


@transaction.atomic
def add_speaker(*, by, session: AssemblySession, data) -> Speaker:
    errors = {}
    name = _text(data, "name", "the speaker's name", errors, limit=200)
    role = _text(data, "role", "their role", errors, limit=200, required=False)
    topic = _text(data, "topic", "the topic", errors, limit=300, required=False)
    organisation = organisation_choice(data, "organisation", errors)
    if errors:
        raise ValidationError(errors)
    speaker = Speaker.objects.create(
        session=session, name=name, role=role, organisation=organisation, topic=topic
    )
    record_audit(
        by=by,
        action="engagement.assembly.speaker.add",
        object_type="assembly",
        object_id=session.assembly.pk,
        detail={"session": session.number},
    )
    return speaker


@transaction.atomic
def add_question(*, by, session: AssemblySession, data) -> SessionQuestion:
    errors = {}
    question = _text(data, "question", "the question", errors, limit=2000)
    answer = _text(data, "answer", "the answer", errors, limit=5000, required=False)
    asked_by = _text(data, "asked_by", "who asked", errors, limit=100, required=False)
    if errors:
        raise ValidationError(errors)
    asked = SessionQuestion.objects.create(
        session=session, question=question, answer=answer, asked_by=asked_by
    )
    record_audit(
        by=by,
        action="engagement.assembly.question.add",
        object_type="assembly",
        object_id=session.assembly.pk,
        detail={"session": session.number},
    )
    return asked


def _members(assembly: Assembly):
    return assembly.respondents.filter(status__in=HELD).order_by("pk")


@transaction.atomic
def record_attendance(*, by, session: AssemblySession, present: list) -> int:
    """Who came: every member holding a seat is recorded present or absent."""
    present = {str(p) for p in present}
    members = list(_members(session.assembly))
    for member in members:
        Attendance.objects.update_or_create(
            session=session, respondent=member, defaults={"present": str(member.pk) in present}
        )
    came = sum(1 for m in members if str(m.pk) in present)
    record_audit(
        by=by,
        action="engagement.assembly.attendance",
        object_type="assembly",
        object_id=session.assembly.pk,
        detail={"session": session.number, "present": came},
    )
    return came


@transaction.atomic
def make_groups(*, by, assembly: Assembly, count) -> list[AssemblyGroup]:
    """Split the members into ``count`` small groups, each as mixed as the assembly
    (members sorted by their profile, then dealt out in turn)."""
    try:
        count = int(str(count).strip())
    except ValueError:
        count = 0
    members = list(_members(assembly))
    if not 1 <= count <= max(1, len(members) // 2):
        raise ValidationError(
            {"count": f"Enter a number of groups from 1 to {max(1, len(members) // 2)}"}
        )
    if assembly.recommendations.exclude(group=None).exists():
        raise ValidationError({"count": "Groups have drafted recommendations: keep them"})
    assembly.groups.all().delete()
    members.sort(key=lambda m: tuple(m.profile.get(c, "") for c in assembly.categories))
    groups = [
        AssemblyGroup.objects.create(assembly=assembly, name=f"Group {chr(65 + i)}")
        for i in range(count)
    ]
    for i, member in enumerate(members):
        groups[i % count].members.add(member)
    record_audit(
        by=by,
        action="engagement.assembly.groups",
        object_type="assembly",
        object_id=assembly.pk,
        detail={"groups": count},
    )
    return groups


@transaction.atomic
def add_recommendation(*, by, assembly: Assembly, data) -> Recommendation:
    errors = {}
    title = _text(data, "title", "a title", errors, limit=200)
    text = _text(data, "text", "the recommendation", errors, limit=10000)
    group = None
    if data.get("group"):
        group = assembly.groups.filter(pk=str(data["group"])).first()
        if group is None:
            errors["group"] = "Choose a group of this assembly"
    if errors:
        raise ValidationError(errors)
    number = (assembly.recommendations.aggregate(n=Max("number"))["n"] or 0) + 1
    recommendation = Recommendation.objects.create(
        assembly=assembly, group=group, number=number, title=title, text=text
    )
    record_audit(
        by=by,
        action="engagement.assembly.recommendation.add",
        object_type="assembly",
        object_id=assembly.pk,
        detail={"recommendation": number},
    )
    return recommendation


@transaction.atomic
def record_votes(*, by, recommendation: Recommendation, votes: dict) -> int:
    """Each member's level of support (``{respondent id: Support value}``); members
    left out did not vote. Replaces earlier votes on this recommendation."""
    members = {str(m.pk): m for m in _members(recommendation.assembly)}
    clean = {}
    for pk, support in votes.items():
        if not support:
            continue
        if str(pk) not in members or support not in Support.values:
            raise ValidationError("A vote is for someone who is not a member, or not a choice")
        clean[str(pk)] = support
    recommendation.votes.all().delete()
    Vote.objects.bulk_create(
        [
            Vote(recommendation=recommendation, respondent=members[pk], support=s)
            for pk, s in clean.items()
        ]
    )
    record_audit(
        by=by,
        action="engagement.assembly.votes",
        object_type="assembly",
        object_id=recommendation.assembly.pk,
        detail={"recommendation": recommendation.number, "votes": len(clean)},
    )
    return len(clean)


@transaction.atomic
def decide_recommendation(*, by, recommendation: Recommendation, status: str) -> None:
    if status not in (RecommendationStatus.AGREED, RecommendationStatus.NOT_AGREED):
        raise ValidationError({"status": "Choose agreed or not agreed"})
    if not recommendation.votes.exists():
        raise ValidationError({"status": "Record the members' votes first"})
    recommendation.status, recommendation.decided_at = status, timezone.now()
    recommendation.save()
    record_audit(
        by=by,
        action=f"engagement.assembly.recommendation.{status}",
        object_type="assembly",
        object_id=recommendation.assembly.pk,
        detail={"n": recommendation.number},
    )


@transaction.atomic
def finish_assembly(*, by, assembly: Assembly) -> None:
    """The assembly has ended: its report is published (no more changes to decisions)."""
    if assembly.recommendations.filter(status=RecommendationStatus.DRAFT).exists():
        raise ValidationError("Every recommendation must be agreed or not agreed first")
    if not assembly.recommendations.exists():
        raise ValidationError("The assembly has no recommendations yet")
    assembly.finished_at = timezone.now()
    assembly.save()
    record_audit(
        by=by,
        action="engagement.assembly.finish",
        object_type="assembly",
        object_id=assembly.pk,
    )
