"""Engagement pages: joining and leaving the citizens' panel (public), and how
representative the panel is (engagement officers)."""

import altair as alt
import pandas as pd
import vl_convert
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from joinedup.core.forms import error_messages
from joinedup.core.models import Place
from joinedup.core.permissions import may_engage

from .. import actions, queries
from ..models import AgeBand, ContactBy, EthnicGroup, PanelSex, YesNo


def join(request):
    errors, status = {}, 200
    if request.method == "POST":
        try:
            link_base = request.build_absolute_uri(reverse("engagement:leave", args=["x"]))[:-1]
            actions.join_panel(data=request.POST, link_base=link_base)
            return redirect("engagement:joined")
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "engagement/join.jinja",
        {
            "errors": errors,
            "values": request.POST,
            "ages": AgeBand.choices,
            "sexes": PanelSex.choices,
            "groups": EthnicGroup.choices,
            "yes_no": YesNo.choices,
            "contacts": ContactBy.choices,
            "privacy_version": actions.PRIVACY_VERSION,
        },
        status=status,
    )


def joined(request):
    return render(request, "engagement/joined.jinja", {})


def leave(request, token: str):
    member = actions.find_member(token)
    if member is None:
        return render(request, "engagement/leave_done.jinja", {"gone": True}, status=404)
    if request.method == "POST":
        actions.leave_panel(member=member)
        return render(request, "engagement/leave_done.jinja", {"gone": False})
    return render(request, "engagement/leave.jinja", {})


def _chart(name: str, rows: list[queries.Row]) -> str | None:
    data = []
    for row in rows:
        if row.panel_share is not None and row.value != "not_said":
            data.append({"group": row.label, "who": "Panel", "share": row.panel_share})
        if row.population_share is not None and row.value != "not_said":
            data.append({"group": row.label, "who": "Population", "share": row.population_share})
    if not any(d["share"] for d in data):
        return None
    chart = (
        alt.Chart(pd.DataFrame(data), title=name)
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=None, sort=None),
            x=alt.X("share:Q", title="Share", axis=alt.Axis(format="%")),
            yOffset="who:N",
            color=alt.Color("who:N", title=None, scale=alt.Scale(range=["#005eb8", "#aeb7bd"])),
        )
        .properties(width=360)
    )
    return vl_convert.vegalite_to_svg(chart.to_json())


@login_required
def panel(request):
    if not may_engage(request.membership):
        raise PermissionDenied("The citizens' panel is for engagement officers")
    places = list(Place.objects.order_by("name"))
    place = next((p for p in places if p.code == request.GET.get("place")), None)
    tables = queries.representativeness(place=place)
    members = sum(r.panel for r in tables["Age"])
    charts = {name: _chart(name, rows) for name, rows in tables.items()}
    return render(
        request,
        "engagement/panel.jinja",
        {
            "tables": tables,
            "charts": charts,
            "members": members,
            "place": place,
            "places": places if len(places) > 1 else [],
        },
    )
