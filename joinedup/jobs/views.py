"""The Jobs page: what the background worker is doing, what failed and why, and running a
failed job again (system admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from joinedup.core.actions import record_audit
from joinedup.core.permissions import may_see_jobs

from . import queue
from .models import Job, JobStatus

SHOWN = 200


def _allowed(request) -> None:
    if not may_see_jobs(request.membership):
        raise PermissionDenied("The Jobs page is for system admins")


@login_required
def jobs(request):
    _allowed(request)
    status = request.GET.get("status", "")
    rows = Job.objects.select_related("created_by")
    if status in JobStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    counts = dict(Job.objects.values_list("status").annotate(n=Count("pk")))
    return render(
        request,
        "jobs/jobs.jinja",
        {
            "jobs": list(rows[:SHOWN]),
            "status": status,
            "statuses": [(s, label, counts.get(s, 0)) for s, label in JobStatus.choices],
            "shown": SHOWN,
            "rerunnable": {k for k, kind in queue.kinds().items() if not kind.clear_args},
            "startable": _startable(),
        },
    )


def _startable() -> list[tuple[str, str]]:
    return sorted((kind.start, name) for name, kind in queue.kinds().items() if kind.start)


@login_required
@require_POST
def start(request):
    """Start a job that needs no arguments (a population run, linkage, refreshing feeds)."""
    _allowed(request)
    labels = {name: label for label, name in _startable()}
    kind = request.POST.get("kind", "")
    if kind not in labels:
        messages.error(request, "Choose a job to start")
        return redirect("jobs:jobs")
    item = queue.enqueue(kind, label=labels[kind], by=request.user)
    record_audit(
        by=request.user,
        organisation=request.membership.organisation,
        action="job.start",
        object_type="job",
        object_id=item.pk,
        detail={"kind": kind},
    )
    messages.success(request, f"{item.label}: started. Its progress shows below.")
    return redirect("jobs:jobs")


@login_required
@require_POST
def rerun(request, job_id: int):
    _allowed(request)
    item = get_object_or_404(Job, pk=job_id)
    try:
        queue.rerun(item)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        record_audit(
            by=request.user,
            organisation=request.membership.organisation,
            action="job.rerun",
            object_type="job",
            object_id=item.pk,
            detail={"kind": item.kind},
        )
        messages.success(request, f"{item.label}: sent to run again.")
    return redirect("jobs:jobs")
