"""The staff side of the portal: a care coordinator (or anyone with a relationship with
the person) invites them to make an account."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse

from joinedup.core.forms import error_messages
from joinedup.core.permissions import gives_direct_care
from joinedup.people import access as people_access
from joinedup.people.actions import record_person_view

from . import actions
from .models import Invitation, ResidentAccount


@login_required
def invite(request, person_id: int):
    membership = request.membership
    if not gives_direct_care(membership):
        raise PermissionDenied("Inviting residents is for staff who give direct care")
    person, basis = people_access.get_person_for(membership, person_id)
    record_person_view(
        by=request.user, membership=membership, person=person, basis=basis, page="portal invite"
    )
    errors, sent, email = {}, None, person.email
    if request.method == "POST":
        email = request.POST.get("email", "")
        try:
            sent = actions.invite_resident(
                by=request.user,
                membership=membership,
                person=person,
                email=email,
                link_base=request.build_absolute_uri(reverse("portal:join", args=["x"]))[:-1],
            )
        except ValidationError as exc:
            errors = error_messages(exc)
    return render(
        request,
        "portal/invite.jinja",
        {
            "person": person,
            "account": ResidentAccount.objects.filter(person=person).first(),
            "pending": Invitation.objects.filter(
                person=person, used_at=None, revoked_at=None
            ).first(),
            "sent": sent,
            "email": email,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
