"""Conversations between a person (or a carer they let write for them) and their care
team: every write (atomic, audited) and the reads the pages need.

A person has one thread. They write from the portal; staff in their care team read it
from the person's care page and reply. Each side is told by email that there is something
new — never what it says — once the message is safely stored (``core.mail.send_after_commit``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.describe import staff_name
from joinedup.core.mail import Mail, send_after_commit
from joinedup.core.models import Membership, User
from joinedup.people.models import Person

from . import access
from .models import CareTeamMember, Conversation, ConversationMessage

MAX_MESSAGE = 5000  # characters


def clean_text(text) -> str:
    """The message as it will be kept: trimmed, without NUL bytes (PostgreSQL refuses
    them) and not too long."""
    text = str(text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"message": "Write your message"})
    if len(text) > MAX_MESSAGE:
        raise ValidationError(
            {"message": f"Keep your message to {MAX_MESSAGE:,} characters (it has {len(text):,})"}
        )
    return text


def thread_of(person: Person) -> Conversation | None:
    return Conversation.objects.filter(person=person).order_by("pk").first()


def messages_of(conversation: Conversation | None) -> list[ConversationMessage]:
    if conversation is None:
        return []
    return list(conversation.messages.all())


def has_care_team(person: Person) -> bool:
    return CareTeamMember.objects.filter(person=person, left_at__isnull=True).exists()


def in_care_team(membership: Membership, person: Person) -> bool:
    """Staff take part in a person's conversation only from inside their care team (in
    person, or through their organisation or team). The page has already reached the
    person through ``people.access``."""
    return access.care_team(membership).filter(person_id=person.pk).exists()


def _thread_for_update(person: Person, now) -> Conversation:
    conversation = (
        Conversation.objects.select_for_update().filter(person=person).order_by("pk").first()
    )
    if conversation is None:
        conversation = Conversation.objects.create(
            person=person, started_at=now, last_message_at=now
        )
    return conversation


def _key_worker(person: Person) -> User | None:
    """The named key worker, else the named lead professional."""
    member = (
        CareTeamMember.objects.filter(person=person, left_at__isnull=True, user__isnull=False)
        .filter(is_key_worker=True)
        .select_related("user")
        .first()
    ) or (
        CareTeamMember.objects.filter(
            person=person, left_at__isnull=True, user__isnull=False, is_lead=True
        )
        .select_related("user")
        .first()
    )
    return member.user if member else None


@transaction.atomic
def write_from_person(
    *, person: Person, account, text: str, as_carer: bool, site: str
) -> ConversationMessage:
    """The person (``as_carer=False``, their own account) or a carer with access to
    their messages writes to the person's care team. The key worker is emailed a notice
    (without the message) once it is stored. ``site`` is the address links start with."""
    text = clean_text(text)
    if not has_care_team(person):
        raise ValidationError({"message": "There is no care team to send this to yet"})
    if as_carer:
        grant = _carer_grant(account, person)
        signed = f"{account.display_name or grant.name} (carer)"
    else:
        if account.person_id != person.pk:
            raise PermissionDenied("Not your record")
        signed = f"{person.given_name} {person.family_name}"
    now = timezone.now()
    conversation = _thread_for_update(person, now)
    message = ConversationMessage.objects.create(
        conversation=conversation,
        text=text,
        written_at=now,
        from_care_team=False,
        account=account,
        signed=signed[:300],
    )
    conversation.last_message_at, conversation.awaiting_reply = now, True
    if not as_carer:
        conversation.person_read_at = now
    conversation.save(update_fields=["last_message_at", "awaiting_reply", "person_read_at"])
    record_audit(
        by=None,
        action="care.conversation.write",
        person_id=person.pk,
        object_type="conversation",
        object_id=conversation.pk,
        detail={"as": "carer" if as_carer else "person", "account": account.pk},
    )
    key_worker = _key_worker(person)
    if key_worker is not None and key_worker.email:
        link = site.rstrip("/") + reverse("care:messages", args=[person.pk])
        address = key_worker.email
        send_after_commit(
            [
                Mail(
                    to=address,
                    subject="New message in joinedup",
                    body="Someone you are key worker for has sent their care team a message."
                    f"\n\nRead it and reply in joinedup (sign in first):\n{link}\n",
                )
            ],
            what="new message notice",
        )
    return message


def _carer_grant(account, person: Person):
    """The carer's live access to this person's messages, or PermissionDenied."""
    from joinedup.portal.access import live_grants

    grant = live_grants(account).filter(person=person).first()
    if grant is None or "messages" not in grant.sections:
        raise PermissionDenied("No access to these messages")
    return grant


def _signature(by: User, membership: Membership) -> str:
    where = membership.team.name if membership.team_id else membership.organisation.name
    return f"{staff_name(by, membership.role)}, {where}"


@transaction.atomic
def reply(
    *, by: User, membership: Membership, person: Person, text: str, site: str
) -> ConversationMessage:
    """Someone in the person's care team writes to them; the thread is answered. The
    person (and each carer who may read their messages) is emailed a notice with a link
    — never the message — once it is stored."""
    if not in_care_team(membership, person):
        raise PermissionDenied("Only the person's care team writes to them")
    text = clean_text(text)
    now = timezone.now()
    conversation = _thread_for_update(person, now)
    message = ConversationMessage.objects.create(
        conversation=conversation,
        text=text,
        written_at=now,
        from_care_team=True,
        author=by,
        organisation=membership.organisation,
        signed=_signature(by, membership)[:300],
    )
    conversation.last_message_at, conversation.staff_read_at = now, now
    conversation.awaiting_reply = False
    conversation.save(update_fields=["last_message_at", "staff_read_at", "awaiting_reply"])
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="care.conversation.reply",
        person_id=person.pk,
        object_type="conversation",
        object_id=conversation.pk,
    )
    notices = _readers(person, site)
    send_after_commit(_reply_notices(notices), what="reply notices")
    return message


def _readers(person: Person, site: str) -> list[tuple[str, str]]:
    """(email address, link) for the person's own account and each carer who may read
    their messages."""
    from joinedup.portal.models import ProxyGrant, ResidentAccount

    site = site.rstrip("/")
    readers = [
        (account.email, site + reverse("portal:message"))
        for account in ResidentAccount.objects.filter(person=person, active=True)
    ]
    for grant in ProxyGrant.objects.filter(
        person=person,
        revoked_at=None,
        accepted_at__isnull=False,
        until__gte=timezone.localdate(),
        account__active=True,
    ).select_related("account"):
        if "messages" in grant.sections:
            link = site + reverse("portal:proxy-messages", args=[person.pk])
            readers.append((grant.account.email, link))
    return readers


def _reply_notices(readers: list[tuple[str, str]]) -> list[Mail]:
    return [
        Mail(
            to=address,
            subject="Your care team has replied",
            body="Your care team has replied to a message in joinedup.\n\n"
            f"Sign in to read it:\n{link}\n\n"
            "We do not put messages in emails, to keep them private.",
        )
        for address, link in readers
    ]


@transaction.atomic
def mark_handled(*, by: User, membership: Membership, person: Person) -> None:
    """Someone in the care team dealt with the person's messages without writing back
    (for example a thank-you): the thread leaves the inbox."""
    if not in_care_team(membership, person):
        raise PermissionDenied("Only the person's care team handles their messages")
    updated = Conversation.objects.filter(person=person, awaiting_reply=True).update(
        awaiting_reply=False, staff_read_at=timezone.now()
    )
    if updated:
        record_audit(
            by=by,
            organisation=membership.organisation,
            action="care.conversation.handled",
            person_id=person.pk,
            object_type="conversation",
        )


@transaction.atomic
def mark_read(*, conversation: Conversation | None, by_care_team: bool) -> None:
    """Someone opened the thread (the page that shows it is audited): what is in it is
    no longer new to that side."""
    if conversation is None:
        return
    field = "staff_read_at" if by_care_team else "person_read_at"
    Conversation.objects.filter(pk=conversation.pk).update(**{field: timezone.now()})


def waiting_for(membership: Membership) -> QuerySet[Conversation]:
    """Threads waiting for a reply from a care team the membership is part of, newest
    first: one inbox item per thread."""
    return (
        Conversation.objects.filter(awaiting_reply=True, person_id__in=access.care_team(membership))
        .select_related("person")
        .order_by("-last_message_at")
    )


def card(membership: Membership, person: Person) -> dict | None:
    """What the person's care page says of their messages, for their care team only."""
    if not in_care_team(membership, person):
        return None
    conversation = thread_of(person)
    if conversation is None:
        return {"conversation": None, "count": 0, "new": 0}
    read_at = conversation.staff_read_at
    new = conversation.messages.filter(from_care_team=False)
    return {
        "conversation": conversation,
        "count": conversation.messages.count(),
        "new": new.filter(written_at__gt=read_at).count() if read_at else new.count(),
    }


def new_for_person(person: Person) -> int:
    """How many care-team messages the person has not read yet."""
    conversation = thread_of(person)
    if conversation is None:
        return 0
    replies = conversation.messages.filter(from_care_team=True)
    if conversation.person_read_at:
        replies = replies.filter(written_at__gt=conversation.person_read_at)
    return replies.count()
