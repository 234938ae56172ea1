"""Handing work to the background: ``enqueue`` a registered job; a worker
(``joinedup worker``, Huey's consumer) runs it.

- A job is a function registered with ``@job("name")``; it is given its ``Job`` row and the
  row's ``args`` as keyword arguments, and may call ``report(job, "12 of 40")``.
- Jobs are sent to the queue only once the transaction that made them commits.
- A failure is retried after a delay that doubles each time (30 s, 1 min, 2 min... at most
  an hour) until ``max_attempts``; then the job is failed, and an admin may run it again
  from the Jobs page.
- A worker killed half-way (SIGKILL, out of memory, a lost machine) stops sending
  heartbeats: ``reap`` (run by every worker, at its start and then every half of
  ``JOBS_STALE_SECONDS``) counts that as a failed attempt and sends the job again. So a
  job must be safe to run twice (each one is all-or-nothing, or skips what is done).
"""

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from joinedup.core.faults import crash_point

from .models import Job, JobStatus

NOT_PICKED_UP = timedelta(minutes=2)  # queued, due, and not started: the queue lost it
LONGEST_RETRY = timedelta(hours=1)


def stale() -> timedelta:
    """Running with no heartbeat for this long: the worker died (a heartbeat is sent six
    times as often)."""
    return timedelta(seconds=settings.JOBS_STALE_SECONDS)


def heartbeat() -> timedelta:
    return stale() / 6


@dataclass(frozen=True)
class Kind:
    name: str
    run: Callable[..., None]
    clear_args: bool  # the args hold something sensitive (an email's single-use link)
    start: str = ""  # an admin may start it from the Jobs page with no arguments: its label


_KINDS: dict[str, Kind] = {}


def job(name: str, *, clear_args: bool = False, start: str = ""):
    """Register a function as a kind of job; ``start`` (a label) offers it on the Jobs page
    to be started by hand, with no arguments."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        _KINDS[name] = Kind(name=name, run=fn, clear_args=clear_args, start=start)
        return fn

    return register


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)


def enqueue(
    kind: str, *, label: str, args: dict | None = None, by=None, max_attempts: int = 5
) -> Job:
    """Record the job and send it to the queue once the current transaction commits."""
    if kind not in _KINDS:
        raise ValueError(f"No job called {kind!r}")
    now = timezone.now()
    item = Job.objects.create(
        kind=kind,
        label=label[:200],
        args=args or {},
        max_attempts=max_attempts,
        run_after=now,
        created_at=now,
        created_by=by,
    )
    transaction.on_commit(lambda: _send(item.pk))
    return item


def _send(job_id: int, delay: timedelta | None = None) -> None:
    from .tasks import run_job

    if delay:
        run_job.schedule((job_id,), delay=delay.total_seconds())
    else:
        run_job(job_id)


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: 30 s (``JOBS_RETRY_SECONDS``), doubling,
    at most an hour."""
    first = timedelta(seconds=settings.JOBS_RETRY_SECONDS)
    return min(first * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def report(item: Job, progress: str) -> None:
    """Say how far the job has got (shown on the Jobs page); also a heartbeat."""
    Job.objects.filter(pk=item.pk).update(progress=progress[:200], heartbeat_at=timezone.now())


def execute(job_id: int) -> None:
    """Run the job if it is still waiting (whoever claims it first runs it)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        worker=worker_name(),
    )
    if not claimed:
        return  # already run, running elsewhere, or gone
    item = Job.objects.get(pk=job_id)
    kind = _KINDS.get(item.kind)
    beating = _Heartbeat(item.pk)
    beating.start()
    crash_point("jobs.running")  # claimed and running: a kill -9 here loses the worker
    try:
        if kind is None:
            raise LookupError(f"no job called {item.kind!r} in this version")
        kind.run(item, **item.args)
    except Exception as exc:  # noqa: BLE001 - any failure of the work is the job's failure
        beating.stop()
        failed(item.pk, f"{type(exc).__name__}: {exc}")
    else:
        beating.stop()
        Job.objects.filter(pk=item.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.SUCCEEDED,
            finished_at=timezone.now(),
            error="",
            **({"args": {}} if kind.clear_args else {}),
        )


def failed(job_id: int, error: str) -> Job:
    """An attempt failed: wait and try again, or, with no attempts left, fail the job."""
    with transaction.atomic():
        item = Job.objects.select_for_update().get(pk=job_id)
        now = timezone.now()
        item.error = error[:2000]
        item.heartbeat_at = None
        if item.attempts < item.max_attempts:
            delay = backoff(item.attempts)
            item.status, item.run_after = JobStatus.QUEUED, now + delay
            item.save()
            transaction.on_commit(lambda: _send(item.pk, delay))
        else:
            item.status, item.finished_at = JobStatus.FAILED, now
            kind = _KINDS.get(item.kind)
            if kind and kind.clear_args:
                item.args = {}
            item.save()
    return item


def reap(now=None) -> dict:
    """Send again what a dead worker or a lost queue left behind. Returns the counts."""
    now = now or timezone.now()
    dead = list(
        Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - stale()).values_list(
            "pk", flat=True
        )
    )
    for job_id in dead:
        failed(job_id, "The worker running it stopped (killed or lost)")
    lost = list(
        Job.objects.filter(status=JobStatus.QUEUED, run_after__lt=now - NOT_PICKED_UP).values_list(
            "pk", flat=True
        )
    )
    for job_id in lost:
        _send(job_id)
    return {"restarted": len(dead), "resent": len(lost)}


def rerun(item: Job) -> Job:
    """Run a failed job again, from its first attempt (an admin's choice)."""
    if item.status != JobStatus.FAILED:
        raise ValueError("Only a failed job can be run again")
    if _KINDS.get(item.kind) and _KINDS[item.kind].clear_args:
        raise ValueError("This job's details were cleared for privacy: it cannot be rerun")
    now = timezone.now()
    Job.objects.filter(pk=item.pk).update(
        status=JobStatus.QUEUED, attempts=0, run_after=now, finished_at=None, error=""
    )
    transaction.on_commit(lambda: _send(item.pk))
    item.refresh_from_db()
    return item


class _Heartbeat(threading.Thread):
    """Marks the job alive every ``HEARTBEAT`` while it runs (its own connection)."""

    def __init__(self, job_id: int):
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.job_id = job_id
        self.done = threading.Event()

    def run(self) -> None:
        try:
            while not self.done.wait(heartbeat().total_seconds()):
                Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        finally:
            connection.close()

    def stop(self) -> None:
        self.done.set()
        if self.is_alive() and self is not threading.current_thread():
            self.join(timeout=5)


def hand_to_worker(command, kind: str, *, label: str, args: dict | None = None) -> Job:
    """A command's ``--background``: queue the work for ``joinedup worker`` and say so."""
    item = enqueue(kind, label=label, args=args)
    command.stdout.write(
        f"{label}: queued as job {item.pk}. `joinedup worker` runs it; the Jobs page shows "
        "its progress."
    )
    return item
