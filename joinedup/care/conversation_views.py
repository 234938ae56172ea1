"""The care team's side of a person's conversation: read the thread, reply, or mark it
handled. Reached through ``people.access`` and only from inside the person's care team;
every view is audited."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from joinedup.core.forms import error_messages
from joinedup.people import access
from joinedup.people.actions import record_person_view

from . import conversations
from .views import _membership


@login_required
def thread(request, person_id: int):
    membership = _membership(request)
    person, basis = access.get_person_for(membership, person_id)
    if not conversations.in_care_team(membership, person):
        raise PermissionDenied("Messages are for the person's care team")
    record_person_view(
        by=request.user, membership=membership, person=person, basis=basis, page="messages"
    )
    errors, text = {}, ""
    if request.method == "POST":
        try:
            if request.POST.get("form") == "handled":
                conversations.mark_handled(by=request.user, membership=membership, person=person)
                flash.success(request, "Marked as handled: it has left the inbox.")
            else:
                conversations.reply(
                    by=request.user,
                    membership=membership,
                    person=person,
                    text=request.POST.get("message", ""),
                    site=request.build_absolute_uri("/"),
                )
                flash.success(
                    request,
                    f"Reply sent. {person.given_name} gets an email saying there is a reply "
                    "(not what it says).",
                )
            return redirect("care:messages", person_id=person.pk)
        except ValidationError as exc:
            errors, text = error_messages(exc, "message"), request.POST.get("message", "")
    conversation = conversations.thread_of(person)
    items = conversations.messages_of(conversation)
    read_at = conversation.staff_read_at if conversation else None
    conversations.mark_read(conversation=conversation, by_care_team=True)
    return render(
        request,
        "care/messages.jinja",
        {
            "person": person,
            "conversation": conversation,
            "items": items,
            "read_at": read_at,
            "errors": errors,
            "text": text,
            "max_message": conversations.MAX_MESSAGE,
        },
        status=400 if errors else 200,
    )
