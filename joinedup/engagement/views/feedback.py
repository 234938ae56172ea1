"""Engagement home, events, written feedback with theme confirmation, the public
feedback form, and the "what people told us" and "you said, we did" reports."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from joinedup.core.forms import error_messages, uploaded_text
from joinedup.core.jinja_env import plural
from joinedup.core.models import Organisation

from .. import actions, queries
from ..models import (
    AgeBand,
    Assembly,
    Board,
    Channel,
    EngagementEvent,
    EthnicGroup,
    Feedback,
    PanelMember,
    PanelSex,
    Theme,
    YesNo,
)
from .assembly import _all_errors, _officer


@login_required
def home(request):
    _officer(request)
    year_ago = timezone.localdate() - timedelta(days=365)
    events = EngagementEvent.objects.filter(held_on__gte=year_ago)
    return render(
        request,
        "engagement/home.jinja",
        {
            "panel": PanelMember.objects.filter(withdrawn_at=None).count(),
            "assemblies": Assembly.objects.order_by("-created_at")[:5],
            "events": events.count(),
            "people": sum(events.values_list("people", flat=True)),
            "unconfirmed": Feedback.objects.filter(theme=None).count(),
            "boards": Board.objects.order_by("name"),
        },
    )


@login_required
def events(request):
    _officer(request)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            event = actions.add_event(by=request.user, data=request.POST)
            messages.success(
                request,
                f"{event.title} recorded. Next, add the comments people made there (Feedback "
                "and themes).",
            )
            return redirect("engagement:events")
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    page = Paginator(EngagementEvent.objects.all(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/events.jinja",
        {
            "page": page,
            "organisations": Organisation.objects.order_by("name"),
            "errors": errors,
            "values": request.POST,
        },
        status=status,
    )


def _feedback_choices() -> dict:
    return {
        "channels": Channel.choices,
        "ages": AgeBand.choices,
        "sexes": PanelSex.choices,
        "groups": EthnicGroup.choices,
        "yes_no": YesNo.choices,
    }


@login_required
def feedback(request):
    _officer(request)
    errors, status = {}, 200
    if request.method == "POST":
        do = request.POST.get("do")
        try:
            event = None
            if request.POST.get("event"):
                event = EngagementEvent.objects.filter(pk=request.POST["event"]).first()
                if event is None:
                    raise ValidationError({"event": "Choose an event from the list"})
            if do == "add":
                actions.add_feedback(by=request.user, data=request.POST, event=event)
                messages.success(
                    request,
                    "Comment recorded, with a suggested theme: next, confirm or correct it.",
                )
            elif do == "upload":
                upload = request.FILES.get("file")
                text = uploaded_text(upload, "file", "comments")
                n = actions.import_feedback(
                    by=request.user, text=text, name=upload.name, event=event
                )
                messages.success(
                    request,
                    f"{plural(n, 'comment')} added, each with a suggested theme: next, confirm "
                    "or correct the themes.",
                )
            elif do == "theme":
                theme = actions.add_theme(by=request.user, name=request.POST.get("theme_name"))
                messages.success(request, f"Theme {theme.name} added.")
            else:
                raise ValidationError("Unknown action")
            return redirect("engagement:feedback")
        except ValidationError as exc:
            errors, status = _all_errors(exc, "file"), 400
    show = request.GET.get("show", "unconfirmed")
    rows = Feedback.objects.select_related("suggested_theme", "theme", "event")
    if show == "unconfirmed":
        rows = rows.filter(theme=None)
    elif show == "flagged":
        rows = rows.exclude(personal_details=[]) | rows.filter(not_english=True)
    theme = request.GET.get("theme")
    if theme:
        rows = rows.filter(theme__slug=theme)
    page = Paginator(rows.order_by("-received_on", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/feedback.jinja",
        {
            "page": page,
            "show": show,
            "theme": theme,
            "themes": Theme.objects.all(),
            "events": EngagementEvent.objects.all()[:200],
            "agreement": queries.theme_agreement(),
            "errors": errors,
            "values": request.POST,
            **_feedback_choices(),
        },
        status=status,
    )


@login_required
def feedback_item(request, pk: int):
    _officer(request)
    item = get_object_or_404(Feedback.objects.select_related("suggested_theme", "theme"), pk=pk)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            actions.confirm_theme(
                by=request.user,
                feedback=item,
                theme=request.POST.get("theme", ""),
                published_text=request.POST.get("published_text", ""),
            )
            following = Feedback.objects.filter(theme=None).order_by("-received_on", "-pk").first()
            left = Feedback.objects.filter(theme=None).count()
            messages.success(
                request,
                f"Theme recorded: {item.theme.name}. "
                + (
                    f"{plural(left, 'comment')} still to confirm: here is the next."
                    if following
                    else "Every comment has its theme confirmed: see what people told us."
                ),
            )
            if following:
                return redirect("engagement:feedback-item", following.pk)
            return redirect("engagement:told-us")
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    chosen = request.POST.get("theme") or (
        item.theme.slug if item.theme else item.suggested_theme.slug if item.suggested_theme else ""
    )
    return render(
        request,
        "engagement/feedback_item.jinja",
        {
            "item": item,
            "theme_items": [
                {
                    "value": t.slug,
                    "text": t.name,
                    "checked": t.slug == chosen,
                    "hint": {"text": "Suggested"} if t.pk == item.suggested_theme_id else None,
                }
                for t in Theme.objects.all()
            ],
            "errors": errors,
            "values": request.POST,
        },
        status=status,
    )


def give_feedback(request):
    """The public form: anyone can tell the partnership what they think."""
    errors, status = {}, 200
    if request.method == "POST":
        data = request.POST.copy()
        data["channel"] = Channel.ONLINE
        data["received_on"] = timezone.localdate().isoformat()
        data["consent_to_publish"] = "yes" if request.POST.get("consent") == "yes" else "no"
        try:
            actions.add_feedback(by=None, data=data)
            return render(request, "engagement/give_feedback.jinja", {"thanks": True})
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "engagement/give_feedback.jinja",
        {"errors": errors, "values": request.POST, **_feedback_choices()},
        status=status,
    )


@login_required
def report(request):
    _officer(request)
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = today - timedelta(days=365)
    try:
        end = date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today
    return render(
        request,
        "engagement/told_us.jinja",
        {**queries.what_people_told_us(start, end), "you_said": queries.you_said_we_did()},
    )
