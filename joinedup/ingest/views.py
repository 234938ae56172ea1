"""The hospitals' live feeds, for system admins: what came in, and every message that
was refused, matched nobody or could not be applied, with why (never the patient)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from . import queries
from .permissions import may_see_feeds


@login_required
def adt(request):
    if not may_see_feeds(request.membership):
        raise PermissionDenied("The hospital feed page is for system admins")
    return render(request, "ingest/adt.jinja", queries.feed_state())
