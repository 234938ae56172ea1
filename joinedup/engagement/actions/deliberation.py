"""Running the assembly: its sessions, attendance, small groups, recommendations and votes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.forms import date_field, organisation_choice, text_field

from ..models import (
    HELD,
    Assembly,
    AssemblyGroup,
    AssemblySession,
    Attendance,
    Recommendation,
    RecommendationStatus,
    SessionQuestion,
    Speaker,
    Support,
    Vote,
)


@transaction.atomic
def add_session(*, by, assembly: Assembly, data) -> AssemblySession:
    """A session (meeting) of the assembly: title, date, place and what happened."""
    errors = {}
    title = text_field(data, "title", errors, limit=200, missing="Enter a title", label="Title")
    place = text_field(data, "place", errors, limit=200, label="Place")
    summary = text_field(data, "summary", errors, limit=20000, label="Summary")
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
    name = text_field(
        data, "name", errors, limit=200, missing="Enter the speaker's name", label="Speaker's name"
    )
    role = text_field(data, "role", errors, limit=200, label="Role")
    topic = text_field(data, "topic", errors, limit=300, label="Topic")
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
    question = text_field(
        data, "question", errors, limit=2000, missing="Enter the question", label="Question"
    )
    answer = text_field(data, "answer", errors, limit=5000, label="Answer")
    asked_by = text_field(data, "asked_by", errors, limit=100, label="Who asked")
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
    title = text_field(data, "title", errors, limit=200, missing="Enter a title", label="Title")
    text = text_field(
        data,
        "text",
        errors,
        limit=10000,
        missing="Enter the recommendation",
        label="Recommendation",
    )
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
