"""Choosing the members by lot (LEXIMIN, engagement/sortition.py), invitations, replacements."""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.jinja_env import plural
from joinedup.core.mail import Mail, send_after_commit
from joinedup.core.tokens import digest as _digest

from .. import sortition
from ..models import HELD, Assembly, Respondent, RunStatus, SeatStatus, SelectionRun
from ..queries import check_drawable, ticket_for

LOTTERY_TICKETS = 1000
STALE_AFTER = timedelta(hours=1)  # a selection running longer than this has died
LEGACY_RUNS = 300  # draws used to estimate the legacy method's probabilities, for comparison


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
