"""Partnership boards: members, meetings with agenda and minutes, and decisions linked to
assembly recommendations and feedback themes, so the response to each is visible."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.forms import date_field, error_messages, organisation_choice, text_field

from ..models import (
    AgendaItem,
    Board,
    BoardKind,
    BoardMember,
    Decision,
    DecisionStatus,
    Meeting,
    Recommendation,
    Theme,
)


@transaction.atomic
def add_board(*, by, data) -> Board:
    errors = {}
    name = text_field(data, "name", errors, limit=200, missing="Enter the board's name")
    kind = str(data.get("kind", ""))
    if kind not in BoardKind.values:
        errors["kind"] = "Choose operational or strategic"
    meets = text_field(data, "meets", errors, limit=100) or "Monthly"
    purpose = text_field(data, "purpose", errors, limit=5000)
    if errors:
        raise ValidationError(errors)
    board = Board.objects.create(name=name, kind=kind, meets=meets, purpose=purpose)
    record_audit(
        by=by,
        action="engagement.board.add",
        object_type="board",
        object_id=board.pk,
    )
    return board


@transaction.atomic
def add_board_member(*, by, board: Board, data) -> BoardMember:
    errors = {}
    organisation = organisation_choice(data, "organisation", errors, required=True)
    name = text_field(
        data, "member_name", errors, limit=200, missing="Enter the representative's name"
    )
    role = text_field(data, "role", errors, limit=200)
    if errors:
        raise ValidationError(errors)
    member = BoardMember.objects.create(
        board=board, organisation=organisation, name=name, role=role
    )
    record_audit(
        by=by,
        action="engagement.board.member",
        object_type="board",
        object_id=board.pk,
        detail={"organisation": organisation.pk},
    )
    return member


@transaction.atomic
def remove_board_member(*, by, member: BoardMember) -> None:
    board = member.board
    member.delete()
    record_audit(
        by=by,
        action="engagement.board.member.remove",
        object_type="board",
        object_id=board.pk,
    )


def _links(data, errors: dict) -> tuple[Theme | None, Recommendation | None]:
    theme = recommendation = None
    if data.get("theme"):
        theme = Theme.objects.filter(slug=str(data["theme"])).first()
        if theme is None:
            errors["theme"] = "Choose a theme from the list"
    if data.get("recommendation"):
        value = str(data["recommendation"])
        recommendation = (
            Recommendation.objects.filter(pk=value).first() if value.isdecimal() else None
        )
        if recommendation is None:
            errors["recommendation"] = "Choose a recommendation from the list"
    return theme, recommendation


@transaction.atomic
def add_meeting(*, by, board: Board, data) -> Meeting:
    """A meeting, with its agenda: one item a line in ``agenda``."""
    errors = {}
    try:
        held_on = date_field(data, "held_on", "The date")
        if held_on is None:
            errors["held_on"] = "Enter the date of the meeting"
    except ValidationError as exc:
        errors.update(error_messages(exc))
        held_on = None
    agenda = [
        " ".join(line.split())
        for line in str(data.get("agenda", "") or "").splitlines()
        if line.strip()
    ]
    if any(len(line) > 200 for line in agenda):
        errors["agenda"] = "Each agenda item must be 200 characters or fewer"
    if held_on and board.meetings.filter(held_on=held_on).exists():
        errors["held_on"] = "The board already has a meeting that day"
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(board=board, held_on=held_on)
    for number, title in enumerate(agenda, start=1):
        AgendaItem.objects.create(meeting=meeting, number=number, title=title)
    record_audit(
        by=by,
        action="engagement.board.meeting",
        object_type="board",
        object_id=board.pk,
        detail={"meeting": meeting.pk},
    )
    return meeting


@transaction.atomic
def add_agenda_item(*, by, meeting: Meeting, data) -> AgendaItem:
    errors = {}
    title = text_field(data, "title", errors, limit=200, missing="Enter the item")
    theme, recommendation = _links(data, errors)
    if errors:
        raise ValidationError(errors)
    number = (meeting.agenda.aggregate(n=Max("number"))["n"] or 0) + 1
    item = AgendaItem.objects.create(
        meeting=meeting, number=number, title=title, theme=theme, recommendation=recommendation
    )
    record_audit(
        by=by,
        action="engagement.board.agenda",
        object_type="board",
        object_id=meeting.board.pk,
        detail={"meeting": meeting.pk},
    )
    return item


@transaction.atomic
def save_minutes(*, by, meeting: Meeting, minutes: str) -> None:
    minutes = str(minutes or "").replace("\x00", "").strip()
    if len(minutes) > 100_000:
        raise ValidationError({"minutes": "Minutes must be 100,000 characters or fewer"})
    meeting.minutes = minutes
    meeting.save()
    record_audit(
        by=by,
        action="engagement.board.minutes",
        object_type="board",
        object_id=meeting.board.pk,
        detail={"meeting": meeting.pk},
    )


@transaction.atomic
def add_decision(*, by, meeting: Meeting, data) -> Decision:
    """A decision, linked to the themes and recommendations it answers (``themes``,
    ``recommendations``: lists of slugs and ids)."""
    errors = {}
    text = text_field(data, "text", errors, limit=5000, missing="Enter what was decided")
    owner = organisation_choice(data, "owner", errors)
    slugs = [str(s) for s in data.getlist("themes")] if hasattr(data, "getlist") else []
    ids = [str(s) for s in data.getlist("recommendations")] if hasattr(data, "getlist") else []
    themes = list(Theme.objects.filter(slug__in=slugs))
    recommendations = list(Recommendation.objects.filter(pk__in=[i for i in ids if i.isdecimal()]))
    if len(themes) != len(set(slugs)):
        errors["themes"] = "Choose themes from the list"
    if len(recommendations) != len(set(ids)):
        errors["recommendations"] = "Choose recommendations from the list"
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        meeting=meeting, text=text, owner=owner, updated_at=timezone.now()
    )
    decision.themes.set(themes)
    decision.recommendations.set(recommendations)
    record_audit(
        by=by,
        action="engagement.board.decision",
        object_type="board",
        object_id=meeting.board.pk,
        detail={"decision": decision.pk},
    )
    return decision


@transaction.atomic
def update_decision(*, by, decision: Decision, status: str, progress: str = "") -> None:
    """How a decision is going (reported back as "you said, we did")."""
    if status not in DecisionStatus.values:
        raise ValidationError({"status": "Choose how it is going"})
    progress = str(progress or "").replace("\x00", "").strip()
    if len(progress) > 5000:
        raise ValidationError({"progress": "Must be 5,000 characters or fewer"})
    decision.status, decision.progress, decision.updated_at = status, progress, timezone.now()
    decision.save()
    record_audit(
        by=by,
        action="engagement.board.decision.update",
        object_type="board",
        object_id=decision.meeting.board.pk,
        detail={"decision": decision.pk},
    )
