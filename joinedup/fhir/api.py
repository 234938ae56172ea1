"""The FHIR R4 API under /fhir: read and search of Patient, CarePlan, CareTeam, Goal, Task,
Condition, Questionnaire, QuestionnaireResponse, Organization, PractitionerRole and
AuditEvent; create and update of Task and Goal; the CapabilityStatement at /fhir/metadata.

Bearer tokens (``joinedup token create``) act as one membership, and every read goes
through the same legitimate-relationship rule as the pages (``people.access``), with the
same audit. A resource the caller may not see is "not found", whether or not it exists.
Errors are OperationOutcomes naming the problem.
"""

import json
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer
from pydantic import ValidationError as PydanticError

from joinedup.care import actions as care_actions
from joinedup.care import assessment as care_assessment
from joinedup.care import permissions as care_permissions
from joinedup.care import queries as care_queries
from joinedup.care.models import (
    Assessment,
    CarePlan,
    Questionnaire,
    Task,
    TaskKind,
    TaskStatus,
)
from joinedup.core import json_input
from joinedup.core.api import BearerToken
from joinedup.core.models import AuditEvent, Membership, Organisation
from joinedup.core.permissions import gives_direct_care
from joinedup.people import access
from joinedup.people.actions import record_person_view
from joinedup.people.models import Person

from . import resources as R
from .capability import capability_statement

MAX_COUNT = 200
DEFAULT_COUNT = 50


class FhirRenderer(BaseRenderer):
    media_type = "application/fhir+json"

    def render(self, request, data, *, response_status):
        return json.dumps(data, separators=(",", ":"))


class FhirBearer(BearerToken):
    """The bearer token, then a refusal of parameters no database can hold (found by the
    API fuzzing: a NUL byte in a search parameter was a server error on PostgreSQL).
    The token comes first, so that a request without one is always 401."""

    def __call__(self, request):
        membership = super().__call__(request)
        if membership is None:
            return None
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                raise FhirError(400, "invalid", "Parameters cannot contain NUL characters", key)
        return membership


api = NinjaAPI(
    title="joinedup FHIR R4 API",
    version="4.0.1",
    description=(
        "FHIR R4 (UK Core shaped). `Authorization: Bearer TOKEN` from `joinedup token create`."
        " The CapabilityStatement is at /fhir/metadata."
    ),
    auth=FhirBearer(),
    renderer=FhirRenderer(),
    urls_namespace="fhir",
)


class FhirError(Exception):
    def __init__(self, status: int, code: str, message: str, expression: str = ""):
        super().__init__(message)
        self.status, self.code, self.message, self.expression = status, code, message, expression


def _outcome(request, status: int, code: str, message: str, expression: str = ""):
    return api.create_response(
        request, R.operation_outcome(code, message, expression), status=status
    )


@api.exception_handler(FhirError)
def _fhir_error(request, exc: FhirError):
    return _outcome(request, exc.status, exc.code, exc.message, exc.expression)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _outcome(request, 401, "login", "A valid bearer token is needed")


@api.exception_handler(NinjaValidationError)
def _bad_parameters(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", ())[1:])
    return _outcome(request, 400, "invalid", f"{where}: {first.get('msg', 'invalid')}", where)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _outcome(request, 404, "not-found", str(exc) or "Not found")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _outcome(request, 403, "forbidden", str(exc) or "Not allowed")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _outcome(request, exc.status_code, "processing", str(exc))


# ---------------------------------------------------------------------------------------
# Helpers


def _membership(request) -> Membership:
    membership = request.auth
    if not gives_direct_care(membership):
        raise FhirError(403, "forbidden", "Care records are for staff who give direct care")
    return membership


def _is_id(text: str) -> bool:
    """A database id: decimal digits, short enough for a 64-bit column (found by the API
    fuzzing: 10^30 overflowed SQLite)."""
    return text.isdecimal() and len(text) <= 18


def _id(value: str, kind: str) -> int:
    if not _is_id(str(value)):
        raise FhirError(404, "not-found", f"{kind}/{value} is not known")
    return int(value)


def _person(request, person_id: int, page: str = "fhir") -> tuple[Person, str]:
    """The person through the one access check (audited); 'not found' otherwise."""
    membership = _membership(request)
    try:
        person, basis = access.get_person_for(membership, person_id)
    except PermissionDenied as exc:
        raise FhirError(404, "not-found", f"Patient/{person_id} is not known to you") from exc
    record_person_view(
        by=request.user, membership=membership, person=person, basis=basis, page=page
    )
    return person, basis


def _patient_id(value: str | None) -> int | None:
    """``Patient/12`` or ``12`` → 12; anything else is a bad parameter."""
    if value is None:
        return None
    raw = value.removeprefix("Patient/")
    if not _is_id(raw):
        raise FhirError(400, "invalid", f"patient: '{value}' is not a Patient reference", "patient")
    return int(raw)


def _count(value: int | None) -> int:
    if value is None:
        return DEFAULT_COUNT
    if value < 0 or value > MAX_COUNT:
        raise FhirError(400, "invalid", f"_count must be between 0 and {MAX_COUNT}", "_count")
    return value


def _date_filter(field: str, values: list[str] | None, name: str) -> Q:
    """FHIR date search (``ge2026-01-01``, ``lt2026-02``, ``2026-03-04``) → a filter."""
    query = Q()
    for value in values or []:
        prefix, text = (value[:2], value[2:]) if value[:2].isalpha() else ("eq", value)
        try:
            start = date.fromisoformat(text if len(text) == 10 else f"{text}-01"[:10])
        except ValueError as exc:
            raise FhirError(400, "invalid", f"{name}: '{value}' is not a date", name) from exc
        begin = timezone.make_aware(datetime.combine(start, time.min))
        end = begin + timedelta(days=1)
        lookups = {
            "eq": Q(**{f"{field}__gte": begin, f"{field}__lt": end}),
            "ge": Q(**{f"{field}__gte": begin}),
            "gt": Q(**{f"{field}__gte": end}),
            "le": Q(**{f"{field}__lt": end}),
            "lt": Q(**{f"{field}__lt": begin}),
        }
        if prefix not in lookups:
            raise FhirError(400, "invalid", f"{name}: unsupported prefix '{prefix}'", name)
        query &= lookups[prefix]
    return query


def _base(request) -> str:
    return request.build_absolute_uri("/fhir").rstrip("/")


def _searchset(request, matches: list[dict], includes: list[dict] = (), total=None) -> dict:
    seen, entries = set(), []
    for resource, mode in [(r, "match") for r in matches] + [(r, "include") for r in includes]:
        key = (resource["resourceType"], resource["id"])
        if key not in seen:
            seen.add(key)
            entries.append((resource, mode))
    return R.bundle(
        entries,
        _base(request),
        request.build_absolute_uri(),
        len(matches) if total is None else total,
    )


def _visible_people(request):
    return access.accessible_person_ids(_membership(request))


def _shown(request, resource: dict, status: int = 200, version: int | None = None):
    response = api.create_response(request, resource, status=status)
    if version is not None:
        response["ETag"] = f'W/"{version}"'
    if status == 201:
        response["Location"] = f"{_base(request)}/{resource['resourceType']}/{resource['id']}"
    return response


def _if_match(request, current: int) -> int:
    """The version the client based its change on: If-Match W/"n", else the current."""
    header = request.headers.get("If-Match", "")
    if not header:
        return current
    digits = header.removeprefix("W/").strip('"')
    if not digits.isdecimal() or len(digits) > 9:
        raise FhirError(400, "invalid", 'If-Match must look like W/"3"', "If-Match")
    return int(digits)


def _body(request, kind: str) -> dict:
    """The request body as a valid FHIR R4 resource of ``kind``; else an OperationOutcome
    naming the field."""
    try:
        body = json_input.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirError(400, "invalid", f"The body is not JSON: {exc}") from exc
    if not isinstance(body, dict) or body.get("resourceType") != kind:
        raise FhirError(400, "invalid", f"The body must be a {kind} resource", "resourceType")
    try:
        R.validate(body)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
        raise FhirError(
            400, "invalid", f"Not a valid FHIR R4 {kind}: {where}: {first.get('msg')}", where
        ) from exc
    return body


def _by_id(queryset, value: str, kind: str):
    """One row of directory data (no person) by FHIR id, or 'not found'."""
    found = queryset.filter(pk=_id(value, kind)).first()
    if found is None:
        raise FhirError(404, "not-found", f"{kind}/{value} is not known")
    return found


def _reference(value: dict | None, kind: str, field: str) -> int:
    raw = ((value or {}).get("reference") or "").removeprefix(f"{kind}/")
    if not _is_id(raw):
        raise FhirError(400, "invalid", f"{field} must reference a {kind}", field)
    return int(raw)


def _invalid(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return FhirError(400, "invalid", errors[0].messages[0], field)
    return FhirError(400, "invalid", exc.messages[0])


# ---------------------------------------------------------------------------------------
# CapabilityStatement


@api.get("/metadata", auth=None, summary="CapabilityStatement", response=dict)
def metadata(request):
    return capability_statement(_base(request))


# ---------------------------------------------------------------------------------------
# Patient


@api.get("/Patient/{patient_id}", summary="Read a Patient", response=dict)
def read_patient(request, patient_id: str):
    person, _ = _person(request, _id(patient_id, "Patient"))
    return _shown(request, R.patient(person))


@api.get("/Patient", summary="Search Patients you may see", response=dict)
def search_patient(
    request,
    identifier: str | None = None,
    family: str | None = None,
    birthdate: str | None = None,
    id_: str | None = Query(None, alias="_id"),
    count: int | None = Query(None, alias="_count"),
):
    people = access.accessible_people(_membership(request)).select_related("registered_practice")
    if identifier:
        system, _, value = identifier.rpartition("|")
        if system and system != R.NHS_NUMBER:
            raise FhirError(400, "not-supported", "Only NHS numbers are identifiers here")
        people = people.filter(nhs_number=value.replace(" ", ""))
    if family:
        people = people.filter(family_name__iexact=family)
    if birthdate:
        try:
            people = people.filter(birth_date=date.fromisoformat(birthdate))
        except ValueError as exc:
            raise FhirError(400, "invalid", "birthdate must be YYYY-MM-DD", "birthdate") from exc
    if id_:
        people = people.filter(pk=_id(id_, "Patient"))
    total = people.count()
    found = list(people.order_by("pk")[: _count(count)])
    for person in found:
        _person(request, person.pk)
    return _shown(request, _searchset(request, [R.patient(p) for p in found], total=total))


# ---------------------------------------------------------------------------------------
# Organization and PractitionerRole (directory data: no person)


@api.get("/Organization/{organisation_id}", summary="Read an Organization", response=dict)
def read_organization(request, organisation_id: str):
    _membership(request)
    org = _by_id(Organisation.objects.all(), organisation_id, "Organization")
    return _shown(request, R.organization(org))


@api.get("/Organization", summary="Search Organizations", response=dict)
def search_organization(
    request,
    identifier: str | None = None,
    name: str | None = None,
    count: int | None = Query(None, alias="_count"),
):
    _membership(request)
    orgs = Organisation.objects.all()
    if identifier:
        orgs = orgs.filter(ods_code=identifier.rpartition("|")[2])
    if name:
        orgs = orgs.filter(name__icontains=name)
    total = orgs.count()
    found = [R.organization(o) for o in orgs.order_by("pk")[: _count(count)]]
    return _shown(request, _searchset(request, found, total=total))


@api.get("/PractitionerRole/{role_id}", summary="Read a PractitionerRole", response=dict)
def read_practitioner_role(request, role_id: str):
    _membership(request)
    found = _by_id(
        Membership.objects.select_related("user", "organisation"), role_id, "PractitionerRole"
    )
    return _shown(request, R.practitioner_role(found))


@api.get("/PractitionerRole", summary="Search PractitionerRoles", response=dict)
def search_practitioner_role(
    request,
    organization: str | None = None,
    count: int | None = Query(None, alias="_count"),
):
    _membership(request)
    roles = Membership.objects.filter(active=True).select_related("user", "organisation")
    if organization:
        roles = roles.filter(
            organisation_id=_id(organization.removeprefix("Organization/"), "Organization")
        )
    total = roles.count()
    found = [R.practitioner_role(m) for m in roles.order_by("pk")[: _count(count)]]
    return _shown(request, _searchset(request, found, total=total))


# ---------------------------------------------------------------------------------------
# CareTeam, CarePlan, Goal


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
    for value in values or []:
        if value not in allowed:
            raise FhirError(400, "not-supported", f"_include={value} is not supported", "_include")
    return values or []


@api.get("/CareTeam/{team_id}", summary="Read a person's CareTeam", response=dict)
def read_care_team(request, team_id: str):
    person, _ = _person(request, _id(team_id, "CareTeam"))
    return _shown(request, _care_team(person))


@api.get("/CareTeam", summary="Search CareTeams", response=dict)
def search_care_team(request, patient: str | None = None, subject: str | None = None):
    person_id = _patient_id(patient or subject)
    if person_id is None:
        raise FhirError(400, "invalid", "Search CareTeam by patient", "patient")
    if access.access_basis(_membership(request), person_id) is None:
        return _shown(request, _searchset(request, []))
    person, _ = _person(request, person_id)
    return _shown(request, _searchset(request, [_care_team(person)]))


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
    count: int | None = Query(None, alias="_count"),
):
    includes = _includes(include)
    plans = CarePlan.objects.filter(person__in=_visible_people(request)).select_related(
        "person", "person__registered_practice"
    )
    person_id = _patient_id(patient or subject)
    if person_id is not None:
        plans = plans.filter(person_id=person_id)
    if status and status != "active":
        plans = plans.none()  # every plan here is active
    plans = plans.filter(_date_filter("updated_at", date_, "date"))
    total = plans.count()
    matches, extra = [], []
    for plan in plans.order_by("pk")[: _count(count)]:
        _person(request, plan.person_id)
        resource, included = _plan_resources(request, plan, includes)
        matches.append(resource)
        extra += included
    return _shown(request, _searchset(request, matches, extra, total=total))


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
    person_id = _patient_id(patient or subject)
    if person_id is None:
        raise FhirError(400, "invalid", "Search Goal by patient", "patient")
    plan = CarePlan.objects.filter(person_id=person_id).first()
    if plan is None or access.access_basis(_membership(request), person_id) is None:
        return _shown(request, _searchset(request, []))
    _person(request, person_id)
    goals = care_actions.current_content(plan).get("goals") or []
    return _shown(request, _searchset(request, [R.goal(plan, g) for g in goals]))


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
    return _shown(request, R.goal(plan, item), status=201, version=plan.version)


@api.put("/Goal/{goal_id}", summary="Update a Goal (progress, words, note)", response=dict)
def update_goal(request, goal_id: str):
    membership = _membership(request)
    plan, item = _goal(request, goal_id)
    body = _body(request, "Goal")
    if body.get("id") not in (None, goal_id):
        raise FhirError(400, "invalid", "The id in the body is not the id in the URL", "id")
    base = _if_match(request, plan.version)
    try:
        plan = care_actions.save_goal(
            by=request.user,
            membership=membership,
            plan=plan,
            base_version=base,
            data=_goal_data(body),
            goal_id=item["id"],
        )
    except care_actions.StaleEdit as exc:
        raise FhirError(412, "conflict", exc.messages[0]) from exc
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    item = next(g for g in care_actions.current_content(plan)["goals"] if g["id"] == item["id"])
    return _shown(request, R.goal(plan, item), version=plan.version)


# ---------------------------------------------------------------------------------------
# Task


def _visible_tasks(request):
    membership = _membership(request)
    return Task.objects.filter(care_permissions.seen_tasks(membership)).select_related(
        "requester", "requester_organisation", "owner_user", "owner_organisation"
    )


def _task(request, task_id: str) -> Task:
    found = _visible_tasks(request).filter(pk=_id(task_id, "Task")).first()
    if found is None:
        raise FhirError(404, "not-found", f"Task/{task_id} is not known to you")
    record_audit_task(request, found)
    return found


def record_audit_task(request, item: Task) -> None:
    from joinedup.core.actions import record_audit

    record_audit(
        by=request.user,
        organisation=request.auth.organisation,
        action="care.task.view",
        person_id=item.person_id,
        object_type="task",
        object_id=item.pk,
        detail={"via": "fhir"},
    )


@api.get("/Task/{task_id}", summary="Read a Task", response=dict)
def read_task(request, task_id: str):
    item = _task(request, task_id)
    return _shown(request, R.tasks([item])[0], version=item.version)


@api.get("/Task", summary="Search Tasks between your organisation and others", response=dict)
def search_task(
    request,
    patient: str | None = None,
    status: str | None = None,
    owner: str | None = None,
    code: str | None = None,
    authored_on: list[str] | None = Query(None, alias="authored-on"),
    count: int | None = Query(None, alias="_count"),
):
    found = _visible_tasks(request)
    person_id = _patient_id(patient)
    if person_id is not None:
        found = found.filter(person_id=person_id)
    if status:
        statuses = status.split(",")
        if any(s not in TaskStatus.values for s in statuses):
            raise FhirError(400, "invalid", f"status: '{status}' is not a Task status", "status")
        found = found.filter(status__in=statuses)
    if code:
        found = found.filter(kind=code)
    if owner:
        kind, _, pk = owner.partition("/")
        if kind == "Organization" and _is_id(pk):
            found = found.filter(owner_organisation_id=int(pk))
        elif kind == "PractitionerRole" and _is_id(pk):
            role = Membership.objects.filter(pk=int(pk)).first()
            found = found.filter(owner_user_id=role.user_id if role else None)
        else:
            raise FhirError(
                400, "invalid", "owner must reference an Organization or PractitionerRole", "owner"
            )
    found = found.filter(_date_filter("created_at", authored_on, "authored-on"))
    total = found.count()
    items = list(found.order_by("due", "pk")[: _count(count)])
    for item in items:
        record_audit_task(request, item)
    return _shown(request, _searchset(request, R.tasks(items), total=total))


@api.post(
    "/Task", summary="Ask an organisation to do something (a task or a referral)", response=dict
)
def create_task(request):
    membership = _membership(request)
    body = _body(request, "Task")
    if body.get("status") != "requested":
        raise FhirError(400, "invalid", "A new Task must have status 'requested'", "status")
    person_id = _reference(body.get("for"), "Patient", "for")
    person, _ = _person(request, person_id)
    owner_ref = (body.get("owner") or {}).get("reference", "")
    owner_user = None
    if owner_ref.startswith("PractitionerRole/") and _is_id(owner_ref.split("/")[1]):
        role = Membership.objects.filter(pk=int(owner_ref.split("/")[1]), active=True).first()
        if role is None:
            raise FhirError(400, "invalid", f"{owner_ref} is not known", "owner")
        owner, owner_user = role.organisation, role.user
    else:
        owner = Organisation.objects.filter(
            pk=_reference(body.get("owner"), "Organization", "owner")
        ).first()
        if owner is None:
            raise FhirError(400, "invalid", f"{owner_ref} is not known", "owner")
    kind = (body.get("code") or {}).get("text") or TaskKind.TASK
    if kind not in (TaskKind.TASK, TaskKind.REFERRAL):
        raise FhirError(400, "invalid", "code.text must be 'task' or 'referral'", "code")
    due = ((body.get("restriction") or {}).get("period") or {}).get("end")
    try:
        item = care_actions.create_task(
            by=request.user,
            membership=membership,
            person=person,
            kind=kind,
            description=body.get("description", ""),
            detail=((body.get("note") or [{}])[0]).get("text", ""),
            owner_organisation=owner,
            owner_user=owner_user,
            due=date.fromisoformat(due[:10]) if due else None,
            source="FHIR API",
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    item = _visible_tasks(request).get(pk=item.pk)
    return _shown(request, R.tasks([item])[0], status=201, version=item.version)


@api.put("/Task/{task_id}", summary="Move a Task along its lifecycle", response=dict)
def update_task(request, task_id: str):
    membership = _membership(request)
    item = _task(request, task_id)
    body = _body(request, "Task")
    if body.get("id") not in (None, task_id):
        raise FhirError(400, "invalid", "The id in the body is not the id in the URL", "id")
    version = body.get("meta", {}).get("versionId")
    base = _if_match(request, int(version) if _is_id(str(version or "")) else item.version)
    status = body.get("status")
    if status == item.status:
        return _shown(request, R.tasks([item])[0], version=item.version)
    outcome = next((o.get("valueString", "") for o in body.get("output") or []), "")
    try:
        item = care_actions.move_task(
            by=request.user,
            membership=membership,
            task=item,
            status=status,
            base_version=base,
            reason=(body.get("statusReason") or {}).get("text", ""),
            outcome=outcome,
        )
    except care_actions.StaleEdit as exc:
        raise FhirError(412, "conflict", exc.messages[0]) from exc
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    item = _visible_tasks(request).get(pk=item.pk)
    return _shown(request, R.tasks([item])[0], version=item.version)


# ---------------------------------------------------------------------------------------
# Condition


def _conditions(person, basis: str, membership) -> list[dict]:
    from joinedup.population.config import load_config
    from joinedup.population.queries import current_profile

    profile = current_profile(person)
    if profile is None:
        return []
    show = access.sees_sensitive(membership, person, basis)
    by_key = {c.key: c for c in load_config().conditions}
    found = []
    for key in profile.condition_keys:
        condition = by_key.get(key)
        if condition is None or (condition.sensitive and not show):
            continue
        found.append(R.condition(person, key, condition.label, profile.run.started_at))
    return found


@api.get("/Condition/{condition_id}", summary="Read a long-term Condition", response=dict)
def read_condition(request, condition_id: str):
    person_id, _, _key = condition_id.partition("-")
    person, basis = _person(request, _id(person_id, "Condition"))
    found = [c for c in _conditions(person, basis, request.auth) if c["id"] == condition_id]
    if not found:
        raise FhirError(404, "not-found", f"Condition/{condition_id} is not known to you")
    return _shown(request, found[0])


@api.get("/Condition", summary="Search a person's long-term Conditions", response=dict)
def search_condition(request, patient: str | None = None, subject: str | None = None):
    person_id = _patient_id(patient or subject)
    if person_id is None:
        raise FhirError(400, "invalid", "Search Condition by patient", "patient")
    if access.access_basis(_membership(request), person_id) is None:
        return _shown(request, _searchset(request, []))
    person, basis = _person(request, person_id)
    return _shown(request, _searchset(request, _conditions(person, basis, request.auth)))


# ---------------------------------------------------------------------------------------
# Questionnaire and QuestionnaireResponse


@api.get("/Questionnaire/{questionnaire_id}", summary="Read a Questionnaire", response=dict)
def read_questionnaire(request, questionnaire_id: str):
    _membership(request)
    found = _by_id(Questionnaire.objects.all(), questionnaire_id, "Questionnaire")
    return _shown(request, R.questionnaire(found))


@api.get("/Questionnaire", summary="Search Questionnaires", response=dict)
def search_questionnaire(request, url: str | None = None, version: str | None = None):
    _membership(request)
    care_actions.current_questionnaire()
    found = Questionnaire.objects.all()
    if url:
        found = found.filter(url=url)
    if version:
        found = found.filter(version=version)
    return _shown(request, _searchset(request, [R.questionnaire(q) for q in found.order_by("pk")]))


def _response(request, item: Assessment, basis: str) -> dict:
    domains = care_assessment.domains_from_resource(item.questionnaire.resource)
    if not access.sees_sensitive(request.auth, item.person, basis):
        domains = tuple(d for d in domains if not d.sensitive)
    roles = R.role_ids([(item.author_id, item.organisation_id)])
    return R.questionnaire_response(item, domains, roles)


@api.get("/QuestionnaireResponse/{response_id}", summary="Read an assessment", response=dict)
def read_questionnaire_response(request, response_id: str):
    membership = _membership(request)
    item = (
        Assessment.objects.filter(pk=_id(response_id, "QuestionnaireResponse"))
        .select_related("questionnaire", "person", "author", "organisation")
        .first()
    )
    if item is None or access.access_basis(membership, item.person_id) is None:
        raise FhirError(
            404, "not-found", f"QuestionnaireResponse/{response_id} is not known to you"
        )
    _, basis = _person(request, item.person_id)
    return _shown(request, _response(request, item, basis), version=item.version)


@api.get("/QuestionnaireResponse", summary="Search a person's assessments", response=dict)
def search_questionnaire_response(
    request,
    patient: str | None = None,
    subject: str | None = None,
    status: str | None = None,
    authored: list[str] | None = Query(None, alias="authored"),
):
    person_id = _patient_id(patient or subject)
    if person_id is None:
        raise FhirError(400, "invalid", "Search QuestionnaireResponse by patient", "patient")
    if access.access_basis(_membership(request), person_id) is None:
        return _shown(request, _searchset(request, []))
    _, basis = _person(request, person_id)
    found = Assessment.objects.filter(person_id=person_id).select_related(
        "questionnaire", "person", "author", "organisation"
    )
    if status:
        found = found.filter(status=status)
    found = found.filter(_date_filter("started_at", authored, "authored"))
    return _shown(request, _searchset(request, [_response(request, a, basis) for a in found]))


# ---------------------------------------------------------------------------------------
# AuditEvent


@api.get("/AuditEvent", summary="Who looked at or changed a person's record", response=dict)
def search_audit_event(
    request,
    patient: str | None = None,
    date_: list[str] | None = Query(None, alias="date"),
    count: int | None = Query(None, alias="_count"),
):
    person_id = _patient_id(patient)
    if person_id is None:
        raise FhirError(400, "invalid", "Search AuditEvent by patient", "patient")
    if access.access_basis(_membership(request), person_id) is None:
        return _shown(request, _searchset(request, []))
    events = AuditEvent.objects.filter(person_id=person_id).select_related("user", "organisation")
    events = events.filter(_date_filter("at", date_, "date"))
    total = events.count()
    found = [R.audit_event(e) for e in events.order_by("-at", "-id")[: _count(count)]]
    _person(request, person_id, page="fhir audit")
    return _shown(request, _searchset(request, found, total=total))


@api.get("/AuditEvent/{event_id}", summary="Read an AuditEvent", response=dict)
def read_audit_event(request, event_id: str):
    event = (
        AuditEvent.objects.filter(pk=_id(event_id, "AuditEvent"))
        .select_related("user", "organisation")
        .first()
    )
    if event is None or event.person_id is None:
        raise FhirError(404, "not-found", f"AuditEvent/{event_id} is not known to you")
    if access.access_basis(_membership(request), event.person_id) is None:
        raise FhirError(404, "not-found", f"AuditEvent/{event_id} is not known to you")
    return _shown(request, R.audit_event(event))
