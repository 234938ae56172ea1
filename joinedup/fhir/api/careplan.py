"""CareTeam, CarePlan and Goal: read and search, and create and update of a Goal."""

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Query

from joinedup.care import actions as care_actions
from joinedup.care import queries as care_queries
from joinedup.care.models import CarePlan
from joinedup.people import access

from .. import resources as R
from ._common import (
    FhirError,
    _body,
    _date_filter,
    _id,
    _if_match,
    _invalid,
    _is_id,
    _membership,
    _patient_id,
    _person,
    _reference,
    _search_ids,
    _shown,
    _visible_people,
    api,
)
from .search import Search


def _care_team(person) -> dict:
    return R.care_team(person, list(care_queries.care_team(person)))


def _plan(plan_id: int) -> CarePlan:
    plan = CarePlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise FhirError(404, "not-found", f"CarePlan/{plan_id} is not known to you")
    return plan


def _plan_resources(request, plan: CarePlan, includes: list[str]) -> tuple[dict, list[dict]]:
    content = care_actions.current_content(plan)
    extra = []
    if "CarePlan:care-team" in includes:
        extra.append(_care_team(plan.person))
    if "CarePlan:goal" in includes:
        extra += [R.goal(plan, g) for g in content.get("goals") or []]
    if "CarePlan:subject" in includes or "CarePlan:patient" in includes:
        extra.append(R.patient(plan.person))
    return R.care_plan(plan, content), extra


INCLUDES = ("CarePlan:care-team", "CarePlan:goal", "CarePlan:subject", "CarePlan:patient")


def _includes(values: list[str] | None, allowed=INCLUDES) -> list[str]:
    """The includes asked for; ``CarePlan:*`` is every one."""
    chosen = []
    for value in values or []:
        if value == "CarePlan:*":
            chosen += list(allowed)
        elif value in allowed:
            chosen.append(value)
        else:
            raise FhirError(400, "not-supported", f"_include={value} is not supported", "_include")
    return chosen


@api.get("/CareTeam/{team_id}", summary="Read a person's CareTeam", response=dict)
def read_care_team(request, team_id: str):
    person, _ = _person(request, _id(team_id, "CareTeam"))
    return _shown(request, _care_team(person))


@api.get("/CareTeam", summary="Search CareTeams", response=dict)
def search_care_team(request, patient: str | None = None, subject: str | None = None):
    search = Search(request, "patient", "subject")
    person_id = search.person(patient or subject, "CareTeam")
    if person_id is None:
        return _shown(request, search.listed([]))
    person, _ = _person(request, person_id)
    return _shown(request, search.listed([_care_team(person)]))


@api.get("/CarePlan/{plan_id}", summary="Read a CarePlan", response=dict)
def read_care_plan(request, plan_id: str):
    membership = _membership(request)
    plan = _plan(_id(plan_id, "CarePlan"))
    if access.access_basis(membership, plan.person_id) is None:
        raise FhirError(404, "not-found", f"CarePlan/{plan_id} is not known to you")
    _person(request, plan.person_id)
    resource, _ = _plan_resources(request, plan, [])
    return _shown(request, resource, version=plan.version)


@api.get("/CarePlan", summary="Search CarePlans (with _include)", response=dict)
def search_care_plan(
    request,
    patient: str | None = None,
    subject: str | None = None,
    status: str | None = None,
    date_: list[str] | None = Query(None, alias="date"),
    include: list[str] | None = Query(None, alias="_include"),
    id_: str | None = Query(None, alias="_id"),
    count: int | None = Query(None, alias="_count"),
):
    search = Search(request, "patient", "subject", "status", "date", "_include", "_id")
    includes = _includes(include)
    plans = CarePlan.objects.filter(person__in=_visible_people(request)).select_related(
        "person", "person__registered_practice"
    )
    person_id = _patient_id(patient or subject)
    if person_id is not None:
        plans = plans.filter(person_id=person_id)
    if status and status != "active":
        plans = plans.none()  # every plan here is active
    if id_:
        plans = plans.filter(pk__in=_search_ids(id_))
    plans = plans.filter(_date_filter("updated_at", date_, "date"))
    found, total = search.page(plans)
    matches, extra = [], []
    for plan in found:
        _person(request, plan.person_id)
        resource, included = _plan_resources(request, plan, includes)
        matches.append(resource)
        extra += included
    return _shown(request, search.bundle(matches, extra, total=total))


def _goal(request, goal_ref: str) -> tuple[CarePlan, dict]:
    plan_id, _, item_id = goal_ref.partition("-")
    plan = CarePlan.objects.filter(pk=int(plan_id)).first() if _is_id(plan_id) else None
    if plan is None or access.access_basis(_membership(request), plan.person_id) is None:
        raise FhirError(404, "not-found", f"Goal/{goal_ref} is not known to you")
    content = care_actions.current_content(plan)
    item = next((g for g in content.get("goals") or [] if g.get("id") == item_id), None)
    if item is None:
        raise FhirError(404, "not-found", f"Goal/{goal_ref} is not known to you")
    _person(request, plan.person_id)
    return plan, item


@api.get("/Goal/{goal_id}", summary="Read a Goal", response=dict)
def read_goal(request, goal_id: str):
    plan, item = _goal(request, goal_id)
    return _shown(request, R.goal(plan, item), version=plan.version)


@api.get("/Goal", summary="Search Goals", response=dict)
def search_goal(request, patient: str | None = None, subject: str | None = None):
    search = Search(request, "patient", "subject")
    person_id = search.person(patient or subject, "Goal")
    plan = CarePlan.objects.filter(person_id=person_id).first() if person_id else None
    if plan is None:
        return _shown(request, search.listed([]))
    _person(request, person_id)
    goals = care_actions.current_content(plan).get("goals") or []
    return _shown(request, search.listed([R.goal(plan, g) for g in goals]))


GOAL_LIFECYCLE = {
    "proposed",
    "planned",
    "accepted",
    "active",
    "on-hold",
    "completed",
    "cancelled",
    "entered-in-error",
    "rejected",
}


def _goal_data(body: dict) -> dict:
    progress = "not_started"
    lifecycle = body.get("lifecycleStatus")
    if lifecycle not in GOAL_LIFECYCLE:
        raise FhirError(
            400,
            "invalid",
            f"lifecycleStatus: '{lifecycle}' is not a Goal lifecycle status",
            "lifecycleStatus",
        )
    codes = [c.get("code") for c in (body.get("achievementStatus") or {}).get("coding") or []]
    for name, (life, achievement) in R.GOAL_STATES.items():
        if achievement in codes or (lifecycle == "cancelled" and life == "cancelled"):
            progress = name
            break
    return {
        "text": (body.get("description") or {}).get("text", ""),
        "progress": progress,
        "note": ((body.get("note") or [{}])[0]).get("text", ""),
    }


@api.post("/Goal", summary="Add a Goal to the person's plan", response=dict)
def create_goal(request):
    membership = _membership(request)
    body = _body(request, "Goal")
    person_id = _reference(body.get("subject"), "Patient", "subject")
    person, _ = _person(request, person_id)
    plan = CarePlan.objects.filter(person=person).first()
    if plan is None:
        raise FhirError(409, "conflict", "This person has no plan yet: start it first", "subject")
    try:
        plan = care_actions.save_goal(
            by=request.user,
            membership=membership,
            plan=plan,
            base_version=plan.version,
            data=_goal_data(body),
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    item = care_actions.current_content(plan)["goals"][-1]
    return _shown(request, R.goal(plan, item), status=201, version=item.get("version", 1))


@api.put("/Goal/{goal_id}", summary="Update a Goal (progress, words, note)", response=dict)
def update_goal(request, goal_id: str):
    membership = _membership(request)
    plan, item = _goal(request, goal_id)
    body = _body(request, "Goal")
    if body.get("id") not in (None, goal_id):
        raise FhirError(400, "invalid", "The id in the body is not the id in the URL", "id")
    if _if_match(request) != item.get("version", 1):
        raise FhirError(
            412, "conflict", f"Goal/{goal_id} has changed since version {_if_match(request)}"
        )
    try:
        plan = care_actions.save_goal(
            by=request.user,
            membership=membership,
            plan=plan,
            base_version=plan.version,  # the goal's own version was checked above
            data=_goal_data(body),
            goal_id=item["id"],
        )
    except care_actions.StaleEdit as exc:
        raise FhirError(412, "conflict", exc.messages[0]) from exc
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    item = next(g for g in care_actions.current_content(plan)["goals"] if g["id"] == item["id"])
    return _shown(request, R.goal(plan, item), version=item["version"])
