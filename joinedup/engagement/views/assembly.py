"""Citizens' assembly pages: setting one up, the pool and quotas, choosing the members
by lot, invitations and replacements (engagement officers); answering an invitation
(public, from the link in it)."""

import csv
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from joinedup.core.documents import pdf
from joinedup.core.forms import error_messages, uploaded_text
from joinedup.core.jinja_env import plural
from joinedup.core.models import Organisation
from joinedup.core.permissions import may_engage
from joinedup.core.spreadsheets import safe_cell
from joinedup.jobs.queue import enqueue

from .. import actions, queries
from ..models import (
    CATEGORIES,
    HELD,
    Assembly,
    AssemblySession,
    Recommendation,
    Respondent,
    RunStatus,
    SeatStatus,
    SelectionRun,
    Support,
)


def launch(run_id: int, by=None) -> None:
    """Hand the selection to the background worker (``joinedup worker``), so the page can
    come back at once and show the run's progress until it is done. It starts once the
    request's transaction commits; a worker that dies half-way is replaced by another."""
    enqueue(
        "engagement.selection",
        label=f"Selection run {run_id}: everyone's chances",
        args={"run_id": run_id},
        by=by,
    )


def _officer(request) -> None:
    if not may_engage(request.membership):
        raise PermissionDenied("Citizens' assemblies are for engagement officers")


def _all_errors(exc: ValidationError, field: str) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return error_messages(exc)
    return {f"{field}-{i}" if i else field: m for i, m in enumerate(exc.messages)}


@login_required
def assemblies(request):
    _officer(request)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            assembly = actions.create_assembly(
                by=request.user,
                name=request.POST.get("name", ""),
                question=request.POST.get("question", ""),
                size=request.POST.get("size", ""),
                categories=request.POST.getlist("categories"),
            )
            messages.success(request, f"{assembly.name} set up. Next, build the pool.")
            return redirect("engagement:assembly", assembly.pk)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "engagement/assemblies.jinja",
        {
            "assemblies": Assembly.objects.order_by("-created_at"),
            "categories": CATEGORIES,
            "errors": errors,
            "values": request.POST,
        },
        status=status,
    )


@login_required
def assembly(request, pk: int):
    _officer(request)
    assembly = get_object_or_404(Assembly, pk=pk)
    errors, status = {}, 200
    if request.method == "POST":
        do = request.POST.get("do")
        try:
            if do == "pool-panel":
                n = actions.add_pool_from_panel(by=request.user, assembly=assembly)
                messages.success(
                    request,
                    f"{plural(n, 'panel member')} added to the pool. Next, add any replies to "
                    "invitation letters, then set the quotas.",
                )
            elif do == "replies":
                upload = request.FILES.get("replies")
                text = uploaded_text(upload, "replies", "replies")
                n = actions.add_replies(
                    by=request.user, assembly=assembly, text=text, name=upload.name
                )
                messages.success(
                    request,
                    f"{plural(n, 'reply', 'replies')} added to the pool. Next, set the quotas.",
                )
            elif do == "suggest":
                actions.suggest_quotas(by=request.user, assembly=assembly)
                messages.success(
                    request,
                    "Quotas set in proportion to the borough's residents. Check them, then work "
                    "out everyone's chances.",
                )
            elif do == "quotas":
                rows = [
                    (q.category, q.value, request.POST.get(f"low-{q.pk}", ""),
                     request.POST.get(f"high-{q.pk}", ""))
                    for q in assembly.quotas.all()
                ]  # fmt: skip
                actions.set_quotas(by=request.user, assembly=assembly, rows=rows)
                messages.success(request, "Quotas saved. Next, work out everyone's chances.")
            elif do == "select":
                run = actions.start_selection(
                    by=request.user,
                    assembly=assembly,
                    algorithm=request.POST.get("algorithm", "leximin"),
                )
                launch(run.pk, by=request.user)
                return redirect("engagement:selection", assembly.pk, run.pk)
            else:
                raise ValidationError("Unknown action")
            return redirect("engagement:assembly", assembly.pk)
        except ValidationError as exc:
            errors, status = _all_errors(exc, do or "form"), 400
    return render(
        request,
        "engagement/assembly.jinja",
        {"assembly": assembly, **queries.assembly_overview(assembly), "errors": errors},
        status=status,
    )


@login_required
def selection(request, pk: int, run: int):
    _officer(request)
    run = get_object_or_404(SelectionRun.objects.select_related("assembly"), pk=run, assembly=pk)
    if request.GET.get("format") == "csv" and run.status == RunStatus.DONE:
        return _chances_csv(run)
    if request.GET.get("format") == "status":
        return JsonResponse(_progress(run))
    errors, status = {}, 200
    if request.method == "POST":
        in_public = request.POST.get("how") == "ticket"
        ticket = request.POST.get("ticket") if in_public else None
        seed = None if in_public else request.POST.get("seed")
        try:
            if request.POST.get("confirm") != "yes":
                # The draw cannot be undone: say what it will do and ask first.
                return render(
                    request,
                    "engagement/draw_confirm.jinja",
                    {
                        "assembly": run.assembly,
                        "run": run,
                        "in_public": in_public,
                        **queries.draw_preview(run, ticket=ticket, seed=seed),
                    },
                )
            link_base = request.build_absolute_uri(reverse("engagement:invitation", args=["x"]))
            chosen = actions.draw_panel(
                by=request.user, run=run, ticket=ticket, seed=seed, link_base=link_base[:-1]
            )
            run.refresh_from_db()
            emailed = sum(1 for r in chosen if r.email)
            others = len(chosen) - emailed
            messages.success(
                request,
                f"Ticket {run.ticket_drawn} drawn: {plural(len(chosen), 'person', 'people')} "
                f"chosen and {emailed} emailed an invitation"
                + (f"; write to or phone the other {others}" if others else "")
                + ". Next, record each person's answer as it comes in; choose replacements "
                "for any who say no.",
            )
            return redirect("engagement:members", pk)
        except ValidationError as exc:
            errors, status = _all_errors(exc, "ticket" if in_public else "seed"), 400
    return render(
        request,
        "engagement/selection.jinja",
        {
            "assembly": run.assembly,
            "run": run,
            "running": run.status == RunStatus.RUNNING,
            "later": run.assembly.runs.filter(started_at__gt=run.started_at).exists(),
            **(queries.selection_detail(run) if run.status == RunStatus.DONE else {}),
            "errors": errors,
            "values": request.POST,
        },
        status=status,
    )


def _progress(run: SelectionRun) -> dict:
    """Whether a selection is still being worked out, for the page's script to say so
    (static/joinedup/selection-progress.js); without it, "Check progress" reloads."""
    if run.status == RunStatus.RUNNING:
        return {"status": run.status}
    if run.status == RunStatus.DONE:
        message = "Everyone's chances are worked out. The results are ready."
    else:
        message = "The selection could not be made. See why."
    return {"status": run.status, "message": message, "link": "See the results"}


def _chances_csv(run: SelectionRun) -> HttpResponse:
    """Everyone's chance in a selection, for the record (references, not names)."""
    assembly = run.assembly
    in_tickets = Counter(pk for ticket in run.tickets for pk in ticket)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="selection-{run.pk}-chances.csv"'
    writer = csv.writer(response)
    writer.writerow(["respondent", *assembly.categories, "probability", "lottery_share"])
    people = assembly.respondents.filter(pk__in=[int(i) for i in run.probabilities])
    for r in people.order_by("pk"):
        writer.writerow(
            [
                safe_cell(r.reference),
                *[safe_cell(r.profile.get(c, "")) for c in assembly.categories],
                f"{run.probabilities[str(r.pk)]:.6f}",
                f"{in_tickets.get(r.pk, 0) / max(1, len(run.tickets)):.4f}",
            ]
        )
    return response


@login_required
def members(request, pk: int):
    _officer(request)
    assembly = get_object_or_404(Assembly, pk=pk)
    errors, status = {}, 200
    if request.method == "POST":
        respondent = get_object_or_404(
            Respondent, pk=request.POST.get("respondent") or 0, assembly=assembly
        )
        try:
            actions.record_answer(
                by=request.user, respondent=respondent, status=request.POST.get("status", "")
            )
            messages.success(request, _answer_recorded(respondent))
            return redirect("engagement:members", pk)
        except ValidationError as exc:
            errors, status = _all_errors(exc, "form"), 400
    chosen = assembly.respondents.exclude(status=SeatStatus.POOL).order_by(
        "family_name", "given_name"
    )
    held = sum(1 for r in chosen if r.status in HELD)
    return render(
        request,
        "engagement/members.jinja",
        {
            "assembly": assembly,
            "chosen": chosen,
            "held": held,
            "confirmed": sum(1 for r in chosen if r.status == SeatStatus.CONFIRMED),
            "drawn": assembly.runs.exclude(ticket_drawn=None).exists(),
            "labels": queries.profile_labels(assembly),
            "Status": SeatStatus,
            "errors": errors,
        },
        status=status,
    )


def _answer_recorded(respondent: Respondent) -> str:
    """The banner after an officer records a member's answer: what changed, and what next."""
    assembly = respondent.assembly
    said = {SeatStatus.CONFIRMED: "confirmed", SeatStatus.DECLINED: "declined"}
    done = f"{respondent.name} {said.get(respondent.status, 'dropped out')}."
    waiting = assembly.respondents.filter(status=SeatStatus.SELECTED).count()
    free = assembly.size - assembly.respondents.filter(status__in=HELD).count()
    replace = (
        f"{'a replacement' if free == 1 else 'replacements'} for the "
        f"{plural(free, 'seat')} given up"
    )
    if waiting:
        then = f", then choose {replace}" if free > 0 else ""
        return (
            f"{done} Next, record the answers of the other "
            f"{plural(waiting, 'person', 'people')} still to reply{then}."
        )
    if free > 0:
        return f"{done} Next, choose {replace}: they keep the quotas."
    return f"{done} Every seat is confirmed: next, plan the sessions."


def invitation(request, token: str):
    respondent = actions.find_invitation(token)
    if respondent is None:
        return render(request, "engagement/invitation.jinja", {"gone": True}, status=404)
    errors = {}
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer not in ("yes", "no"):
                raise ValidationError("Choose whether you can take part")
            actions.answer_invitation(respondent=respondent, accept=answer == "yes")
            return render(
                request,
                "engagement/invitation.jinja",
                {"respondent": respondent, "answered": True},
            )
        except ValidationError as exc:
            errors = error_messages(exc, "answer")
    return render(
        request,
        "engagement/invitation.jinja",
        {"respondent": respondent, "errors": errors},
        status=400 if errors else 200,
    )


# --- Running the assembly --------------------------------------------------------------------


@login_required
def sessions(request, pk: int):
    _officer(request)
    assembly = get_object_or_404(Assembly, pk=pk)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            session = actions.add_session(by=request.user, assembly=assembly, data=request.POST)
            messages.success(
                request,
                f"Session {session.number} added. Next, add its speakers and questions, and who "
                "came.",
            )
            return redirect("engagement:session", pk, session.number)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "engagement/sessions.jinja",
        {
            "assembly": assembly,
            "sessions": assembly.sessions.annotate(
                speaker_count=Count("speakers", distinct=True),
                question_count=Count("questions", distinct=True),
                present=Count("attendance", filter=Q(attendance__present=True), distinct=True),
            ),
            "errors": errors,
            "values": request.POST,
        },
        status=status,
    )


@login_required
def session(request, pk: int, number: int):
    _officer(request)
    session = get_object_or_404(
        AssemblySession.objects.select_related("assembly"), assembly=pk, number=number
    )
    errors, status = {}, 200
    if request.method == "POST":
        do = request.POST.get("do")
        try:
            if do == "speaker":
                actions.add_speaker(by=request.user, session=session, data=request.POST)
                messages.success(request, "Speaker added.")
            elif do == "question":
                actions.add_question(by=request.user, session=session, data=request.POST)
                messages.success(request, "Question added.")
            elif do == "attendance":
                came = actions.record_attendance(
                    by=request.user, session=session, present=request.POST.getlist("present")
                )
                messages.success(request, f"Attendance saved: {plural(came, 'member')} came.")
            else:
                raise ValidationError("Unknown action")
            return redirect("engagement:session", pk, number)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    members = session.assembly.respondents.filter(status__in=HELD).order_by(
        "family_name", "given_name"
    )
    came = set(session.attendance.filter(present=True).values_list("respondent", flat=True))
    return render(
        request,
        "engagement/session.jinja",
        {
            "assembly": session.assembly,
            "session": session,
            "members": members,
            "attendance_items": [
                {"value": str(m.pk), "text": m.name, "checked": m.pk in came} for m in members
            ],
            "organisations": Organisation.objects.order_by("name"),
            "errors": errors,
            "values": request.POST,
            "do": request.POST.get("do"),
        },
        status=status,
    )


@login_required
def recommendations(request, pk: int):
    _officer(request)
    assembly = get_object_or_404(Assembly, pk=pk)
    errors, status = {}, 200
    if request.method == "POST":
        do = request.POST.get("do")
        try:
            if do == "groups":
                groups = actions.make_groups(
                    by=request.user, assembly=assembly, count=request.POST.get("count", "")
                )
                messages.success(
                    request,
                    f"Members split into {plural(len(groups), 'group')}. Next, add the "
                    "recommendations they draft.",
                )
            elif do == "add":
                r = actions.add_recommendation(
                    by=request.user, assembly=assembly, data=request.POST
                )
                messages.success(
                    request, f"Recommendation {r.number} added. Next, record the members' votes."
                )
                return redirect("engagement:recommendation", pk, r.number)
            elif do == "finish":
                actions.finish_assembly(by=request.user, assembly=assembly)
                messages.success(request, "The assembly is finished and its report published.")
                return redirect("engagement:report", pk)
            else:
                raise ValidationError("Unknown action")
            return redirect("engagement:recommendations", pk)
        except ValidationError as exc:
            errors, status = error_messages(exc, do or "form"), 400
    return render(
        request,
        "engagement/recommendations.jinja",
        {
            "assembly": assembly,
            "groups": assembly.groups.prefetch_related("members"),
            "rows": [
                {"recommendation": r, **queries.support_levels(r)}
                for r in assembly.recommendations.select_related("group")
            ],
            "members": assembly.respondents.filter(status__in=HELD).count(),
            "errors": errors,
            "values": request.POST,
        },
        status=status,
    )


@login_required
def recommendation(request, pk: int, number: int):
    _officer(request)
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("assembly", "group"), assembly=pk, number=number
    )
    errors, status = {}, 200
    if request.method == "POST":
        try:
            if request.POST.get("do") == "votes":
                votes = {
                    key[5:]: value for key, value in request.POST.items() if key.startswith("vote-")
                }
                n = actions.record_votes(
                    by=request.user, recommendation=recommendation, votes=votes
                )
                messages.success(request, f"{plural(n, 'vote')} saved. Next, record the decision.")
            else:
                actions.decide_recommendation(
                    by=request.user,
                    recommendation=recommendation,
                    status=request.POST.get("status", ""),
                )
                messages.success(
                    request,
                    f"Recommendation {number} decided. When every recommendation is decided, "
                    "finish the assembly to publish its report.",
                )
            return redirect("engagement:recommendation", pk, number)
        except ValidationError as exc:
            errors, status = error_messages(exc, "status"), 400
    votes = dict(recommendation.votes.values_list("respondent", "support"))
    return render(
        request,
        "engagement/recommendation.jinja",
        {
            "assembly": recommendation.assembly,
            "recommendation": recommendation,
            "members": recommendation.assembly.respondents.filter(status__in=HELD).order_by(
                "family_name", "given_name"
            ),
            "votes": votes,
            "supports": Support.choices,
            "levels": queries.support_levels(recommendation),
            "errors": errors,
        },
        status=status,
    )


def _report_context(assembly) -> dict:
    return {"assembly": assembly, **queries.assembly_report(assembly), "now": timezone.now()}


@login_required
def report(request, pk: int):
    _officer(request)
    assembly = get_object_or_404(Assembly, pk=pk)
    return render(request, "engagement/report.jinja", _report_context(assembly))


@login_required
def report_pdf(request, pk: int):
    _officer(request)
    assembly = get_object_or_404(Assembly, pk=pk)
    html = render_to_string("engagement/report_document.jinja", _report_context(assembly))
    response = HttpResponse(pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="assembly-{assembly.pk}-report.pdf"'
    return response
