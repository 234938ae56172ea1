"""Tasks and referrals: the inbox and a task's page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.forms import error_messages
from joinedup.directory import queries as directory_queries
from joinedup.directory.models import ServiceReferral
from joinedup.people import access

from .. import actions, conversations, permissions, queries
from ..models import Task, TaskStatus
from ._common import _int, _membership


@login_required
def inbox(request):
    membership = _membership(request)
    boxes = queries.inbox(membership, today=timezone.localdate())
    shown = {name: list(boxes[name][:100]) for name in ("mine", "team", "organisation")}
    return render(
        request,
        "care/inbox.jinja",
        {
            **shown,
            "counts": {name: boxes[name].count() for name in (*shown, "overdue")},
            "sent": list(boxes["sent"][:50]),
            "threads": list(conversations.waiting_for(membership)[:100]),
            "hospital_news": list(queries.hospital_news(membership)[:100]),
            "hospital_days": queries.HOSPITAL_NEWS_DAYS,
            "today": timezone.localdate(),
        },
    )


@login_required
def task(request, task_id: int):
    membership = _membership(request)
    task = get_object_or_404(
        Task.objects.select_related(
            "person", "requester", "requester_organisation", "owner_organisation", "owner_user"
        ),
        pk=task_id,
    )
    if not permissions.may_see_task(membership, task):
        raise PermissionDenied("This task is between other organisations")
    errors, status = {}, 200
    if request.method == "POST":
        try:
            actions.move_task(
                by=request.user,
                membership=membership,
                task=task,
                status=request.POST.get("status", ""),
                base_version=_int(request.POST.get("base_version")) or 0,
                reason=request.POST.get("reason", ""),
                outcome=request.POST.get("outcome", ""),
            )
            return redirect("care:task", task_id=task.pk)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
            task.refresh_from_db()
    record_audit(
        by=request.user,
        organisation=membership.organisation,
        action="care.task.view",
        person_id=task.person_id,
        object_type="task",
        object_id=task.pk,
    )
    moves = [
        (s, TaskStatus(s).label)
        for s in TaskStatus.values
        if permissions.may_move_task(membership, task, s)
    ]
    may_open_record = access.access_basis(membership, task.person_id) is not None
    referral = ServiceReferral.objects.filter(task=task).first()
    return render(
        request,
        "care/task.jinja",
        {
            "task": task,
            "moves": moves,
            "errors": errors,
            "may_open_record": may_open_record,
            # The plan's words, like the record, only to those who may open it.
            "plan_action": directory_queries.plan_action(task.person, referral.plan_action)
            if referral and may_open_record
            else None,
            "may_work": permissions.may_work(membership, task),
            "today": timezone.localdate(),
        },
        status=status,
    )
