"""The home page and the organisation switcher."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from joinedup.core.actions import record_organisation_switch
from joinedup.core.middleware import SESSION_KEY
from joinedup.core.permissions import may_search_people


@login_required
def home(request):
    return render(
        request,
        "core/home.jinja",
        {"may_search": may_search_people(request.membership)},
    )


@login_required
def organisation(request):
    memberships = (
        request.user.memberships.filter(active=True)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    error = None
    if request.method == "POST":
        chosen = memberships.filter(pk=request.POST.get("membership") or 0).first()
        if chosen is not None:
            request.session[SESSION_KEY] = chosen.pk
            record_organisation_switch(by=request.user, organisation=chosen.organisation)
            return redirect("core:home")
        error = "Choose one of your organisations"
    return render(request, "core/organisation.jinja", {"memberships": memberships, "error": error})
