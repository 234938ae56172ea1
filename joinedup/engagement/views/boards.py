"""Partnership boards: members, meetings (agenda, minutes, decisions)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from joinedup.core.forms import error_messages
from joinedup.core.jinja_env import nhs_date
from joinedup.core.models import Organisation

from .. import actions
from ..models import (
    Board,
    BoardKind,
    BoardMember,
    Decision,
    DecisionStatus,
    Meeting,
    Recommendation,
    Theme,
)
from .assembly import _officer


@login_required
def boards(request):
    _officer(request)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            board = actions.add_board(by=request.user, data=request.POST)
            messages.success(
                request, f"{board.name} added. Next, add its members and its first meeting."
            )
            return redirect("engagement:board", board.pk)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "engagement/boards.jinja",
        {
            "boards": Board.objects.order_by("name"),
            "kinds": BoardKind.choices,
            "errors": errors,
            "values": request.POST,
        },
        status=status,
    )


@login_required
def board(request, pk: int):
    _officer(request)
    board = get_object_or_404(Board, pk=pk)
    errors, status = {}, 200
    if request.method == "POST":
        do = request.POST.get("do")
        try:
            if do == "member":
                actions.add_board_member(by=request.user, board=board, data=request.POST)
                messages.success(request, "Representative added.")
            elif do == "remove":
                member = get_object_or_404(
                    BoardMember, pk=request.POST.get("member") or 0, board=board
                )
                actions.remove_board_member(by=request.user, member=member)
                messages.success(request, f"{member.name} is no longer a member.")
            elif do == "meeting":
                meeting = actions.add_meeting(by=request.user, board=board, data=request.POST)
                messages.success(
                    request,
                    f"Meeting on {nhs_date(meeting.held_on)} added. Next, its agenda, then the "
                    "minutes and decisions.",
                )
                return redirect("engagement:meeting", board.pk, meeting.pk)
            else:
                raise ValidationError("Unknown action")
            return redirect("engagement:board", board.pk)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    members = list(board.members.select_related("organisation"))
    represented = {m.organisation_id for m in members}
    organisations = list(Organisation.objects.order_by("name"))
    return render(
        request,
        "engagement/board.jinja",
        {
            "board": board,
            "members": members,
            "missing": [o for o in organisations if o.pk not in represented],
            "organisations": organisations,
            "meetings": board.meetings.all(),
            "errors": errors,
            "values": request.POST,
            "do": request.POST.get("do"),
            # A board's pack is usually of the month just ended.
            "pack_month": (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime(
                "%Y-%m"
            ),
        },
        status=status,
    )


@login_required
def meeting(request, pk: int, meeting: int):
    _officer(request)
    meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=meeting, board=pk)
    errors, status = {}, 200
    if request.method == "POST":
        do = request.POST.get("do")
        try:
            if do == "item":
                actions.add_agenda_item(by=request.user, meeting=meeting, data=request.POST)
                messages.success(request, "Agenda item added.")
            elif do == "minutes":
                actions.save_minutes(
                    by=request.user, meeting=meeting, minutes=request.POST.get("minutes", "")
                )
                messages.success(request, "Minutes saved. Next, record what the board decided.")
            elif do == "decision":
                actions.add_decision(by=request.user, meeting=meeting, data=request.POST)
                messages.success(
                    request,
                    "Decision recorded. Next, record its progress here as it happens: it is "
                    "reported in what people told us (you said, we did).",
                )
            elif do == "progress":
                decision = get_object_or_404(
                    Decision, pk=request.POST.get("decision") or 0, meeting=meeting
                )
                actions.update_decision(
                    by=request.user,
                    decision=decision,
                    status=request.POST.get("status", ""),
                    progress=request.POST.get("progress", ""),
                )
                messages.success(
                    request, "Progress saved. It shows in what people told us (you said, we did)."
                )
            else:
                raise ValidationError("Unknown action")
            return redirect("engagement:meeting", pk, meeting.pk)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "engagement/meeting.jinja",
        {
            "board": meeting.board,
            "meeting": meeting,
            "agenda": meeting.agenda.select_related("theme", "recommendation__assembly"),
            "decisions": meeting.decisions.select_related("owner").prefetch_related(
                "themes", "recommendations"
            ),
            "theme_options": [{"value": t.slug, "text": t.name} for t in Theme.objects.all()],
            "recommendation_options": [
                {"value": str(r.pk), "text": f"{r.assembly.name}: {r.number}. {r.title}"}
                for r in Recommendation.objects.select_related("assembly").order_by(
                    "assembly", "number"
                )
            ],
            "organisations": Organisation.objects.order_by("name"),
            "statuses": DecisionStatus.choices,
            "errors": errors,
            "values": request.POST,
            "do": request.POST.get("do"),
        },
        status=status,
    )
