"""The shared care plan: its sections, goals and actions, versions and PDF."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from joinedup.core.forms import error_messages
from joinedup.directory import queries as directory_queries

from .. import actions, permissions, plans, queries
from ..models import CarePlan, PlanVersion
from ._common import _int, _person, _plan_for


@login_required
def plan(request, person_id: int):
    membership, person, basis = _person(request, person_id, "plan")
    plan = CarePlan.objects.filter(person=person).first()
    may_change = permissions.may_change_plan(membership, person.pk)
    if plan is None:
        return render(request, "care/plan_none.jinja", {"person": person, "may_change": may_change})
    version = plan.versions.select_related("author", "organisation").first()
    return render(
        request,
        "care/plan.jinja",
        {
            "person": person,
            "plan": plan,
            "version": version,
            "content": version.content,
            "shown_sections": plans.shown_sections(version.content),
            "team": queries.care_team(person),
            "goal_progress": dict(plans.GOAL_PROGRESS),
            "action_status": dict(plans.ACTION_STATUS),
            "who_types": dict(plans.WHO_TYPES),
            "basis": basis,
            "may_change": may_change,
            "referrals": directory_queries.referrals_by_plan_action(person),
        },
    )


@login_required
@require_POST
def plan_start(request, person_id: int):
    membership, person, _ = _person(request, person_id, "plan")
    try:
        actions.start_plan(by=request.user, membership=membership, person=person)
    except ValidationError:
        pass  # someone else started it a moment ago: show theirs
    return redirect("care:plan", person_id=person.pk)


@login_required
def plan_section(request, person_id: int, section: str):
    membership, person, _ = _person(request, person_id, "plan")
    permissions.require_plan_change(membership, person.pk)
    plan = _plan_for(person)
    spec = plans.SECTION_BY_KEY.get(section)
    if spec is None:
        raise PermissionDenied("No such section")
    content = actions.current_content(plan)
    values = _section_values(section, content.get(section) or {})
    errors, status = {}, 200
    base_version = plan.version
    if request.method == "POST":
        base_version = _int(request.POST.get("base_version")) or 0
        try:
            plan = actions.save_section(
                by=request.user,
                membership=membership,
                plan=plan,
                base_version=base_version,
                section=section,
                data=request.POST,
            )
            messages.success(
                request, f"{spec.title} saved: the plan is now version {plan.version}."
            )
            return redirect("care:plan", person_id=person.pk)
        except actions.StaleEdit as exc:
            errors, status = {"form": exc.messages[0]}, 409
            plan.refresh_from_db()
            base_version = plan.version
            values = _section_values(section, actions.current_content(plan).get(section) or {})
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
            values = {k: request.POST.getlist(k) for k in request.POST}
            values = {
                k: v if len(v) > 1 or k.endswith("-where") else v[0] for k, v in values.items()
            }
    return render(
        request,
        "care/plan_section.jinja",
        {
            "person": person,
            "section": spec,
            "values": values,
            "errors": errors,
            "base_version": base_version,
        },
        status=status,
    )


def _section_values(section: str, stored: dict) -> dict:
    """Stored answers → the names the form uses (dates split into day, month, year)."""
    values = {}
    for f in plans.SECTION_BY_KEY[section].fields:
        name = f"{section}-{f.key}"
        value = stored.get(f.key, [] if f.kind == "multichoice" else "")
        if f.kind == "date" and value:
            d = date.fromisoformat(value)
            values.update({f"{name}-day": d.day, f"{name}-month": d.month, f"{name}-year": d.year})
        else:
            values[name] = value
    return values


@login_required
def plan_item(request, person_id: int, kind: str, item_id: str = ""):
    """Add or change a goal or an action."""
    membership, person, _ = _person(request, person_id, "plan")
    permissions.require_plan_change(membership, person.pk)
    plan = _plan_for(person)
    if kind not in ("goal", "action"):
        raise PermissionDenied("No such part of the plan")
    items = actions.current_content(plan).get(f"{kind}s") or []
    item = next((i for i in items if i.get("id") == item_id), None) if item_id else {}
    if item is None:
        raise PermissionDenied("That is not in this plan")
    values = dict(item)
    if kind == "action" and item.get("by_when"):
        d = date.fromisoformat(item["by_when"])
        values.update({"by_when-day": d.day, "by_when-month": d.month, "by_when-year": d.year})
    errors, status, base_version = {}, 200, plan.version
    if request.method == "POST":
        base_version = _int(request.POST.get("base_version")) or 0
        save = actions.save_goal if kind == "goal" else actions.save_action
        key = {"goal_id": item_id} if kind == "goal" else {"action_id": item_id}
        try:
            plan = save(
                by=request.user,
                membership=membership,
                plan=plan,
                base_version=base_version,
                data=request.POST,
                **key,
            )
            messages.success(
                request,
                f"{kind.capitalize()} {'saved' if item_id else 'added'}: "
                f"the plan is now version {plan.version}.",
            )
            return redirect("care:plan", person_id=person.pk)
        except actions.StaleEdit as exc:
            errors, status = {"form": exc.messages[0]}, 409
            plan.refresh_from_db()
            base_version = plan.version
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
            values = {k: request.POST.get(k, "") for k in request.POST}
    return render(
        request,
        "care/plan_item.jinja",
        {
            "person": person,
            "kind": kind,
            "item_id": item_id,
            "values": values,
            "errors": errors,
            "base_version": base_version,
            "goal_progress": plans.GOAL_PROGRESS,
            "action_status": plans.ACTION_STATUS,
            "who_types": plans.WHO_TYPES,
        },
        status=status,
    )


@login_required
def plan_versions(request, person_id: int):
    _membership_, person, _ = _person(request, person_id, "plan versions")
    plan = _plan_for(person)
    versions = list(plan.versions.select_related("author", "organisation"))
    numbers = [v.number for v in versions]
    first = _int(request.GET.get("from"))
    second = _int(request.GET.get("to"))
    diff, error = None, None
    if first is not None or second is not None:
        if first in numbers and second in numbers and first != second:
            old = PlanVersion.objects.get(plan=plan, number=min(first, second)).content
            new = PlanVersion.objects.get(plan=plan, number=max(first, second)).content
            diff = plans.differences(old, new)
        else:
            error = "Choose two different versions to compare"
    return render(
        request,
        "care/plan_versions.jinja",
        {
            "person": person,
            "plan": plan,
            "versions": versions,
            "diff": diff,
            "error": error,
            "first": first,
            "second": second,
        },
        status=400 if error else 200,
    )


@login_required
def plan_pdf(request, person_id: int):
    """The plan as a plain-English PDF to print or give to the person."""
    from django.http import HttpResponse

    from ..documents import plan_pdf as render_pdf

    _membership_, person, _ = _person(request, person_id, "plan pdf")
    plan = _plan_for(person)
    response = HttpResponse(render_pdf(plan, person), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="care-plan-{person.pk}.pdf"'
    return response
