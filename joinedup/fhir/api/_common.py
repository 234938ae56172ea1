"""The FHIR API object, its errors as OperationOutcomes, and the helpers every resource uses."""

import json
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer
from pydantic import ValidationError as PydanticError

from joinedup.core import json_input
from joinedup.core.api import BearerToken
from joinedup.core.models import Membership
from joinedup.core.permissions import gives_direct_care
from joinedup.people import access
from joinedup.people.actions import record_person_view
from joinedup.people.models import Person

from .. import resources as R

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


class FhirAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        from ..openapi import describe

        return describe(super().get_openapi_schema(*args, **kwargs))


api = FhirAPI(
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


def _search_ids(text: str) -> list[int]:
    """The ids a search names (an ``_id`` list, a reference): an id that is not one of ours
    matches nothing, as FHIR search says, rather than being an error."""
    return [int(part) for part in text.split(",") if _is_id(part)]


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


DATE_PREFIXES = ("eq", "ne", "lt", "gt", "le", "ge", "sa", "eb", "ap")


def _date_range(text: str, name: str) -> tuple[date, date]:
    """The days a FHIR date of year, month or day precision covers: [first, after last)."""
    try:
        if len(text) == 4 and text.isdecimal():
            first = date(int(text), 1, 1)
            return first, date(first.year + 1, 1, 1)
        if len(text) == 7:
            first = date.fromisoformat(f"{text}-01")
            return first, date(first.year + first.month // 12, first.month % 12 + 1, 1)
        first = date.fromisoformat(text[:10])
        return first, first + timedelta(days=1)
    except ValueError as exc:
        raise FhirError(400, "invalid", f"{name}: '{text}' is not a date", name) from exc


def _date_filter(field: str, values: list[str] | None, name: str, *, dates: bool = False) -> Q:
    """FHIR date search on ``field`` (a DateTimeField, or with ``dates`` a DateField): a
    date of year, month or day precision with a prefix (eq ne lt gt le ge sa eb ap; eq when
    none), each value narrowing the search (``ge2026-01&le2026-03``)."""
    query = Q()
    for value in values or []:
        prefix, text = (value[:2], value[2:]) if value[:2].isalpha() else ("eq", value)
        if prefix not in DATE_PREFIXES:
            raise FhirError(
                400,
                "invalid",
                f"{name}: unknown prefix '{prefix}' ({', '.join(DATE_PREFIXES)})",
                name,
            )
        first, after = _date_range(text, name)
        if prefix == "ap":  # approximately: 10% of the way to today, at least a day, either side
            gap = max(abs((timezone.localdate() - first).days) // 10, 1)
            first, after = first - timedelta(days=gap), after + timedelta(days=gap)
        if dates:
            begin, end = first, after
        else:
            begin = timezone.make_aware(datetime.combine(first, time.min))
            end = timezone.make_aware(datetime.combine(after, time.min))
        within = Q(**{f"{field}__gte": begin, f"{field}__lt": end})
        query &= {
            "eq": within,
            "ap": within,
            "ne": ~within,
            "ge": Q(**{f"{field}__gte": begin}),
            "gt": Q(**{f"{field}__gte": end}),
            "sa": Q(**{f"{field}__gte": end}),
            "le": Q(**{f"{field}__lt": end}),
            "lt": Q(**{f"{field}__lt": begin}),
            "eb": Q(**{f"{field}__lt": begin}),
        }[prefix]
    return query


def _base(request) -> str:
    return request.build_absolute_uri("/fhir").rstrip("/")


def _visible_people(request):
    return access.accessible_person_ids(_membership(request))


def _shown(request, resource: dict, status: int = 200, version: int | None = None):
    response = api.create_response(request, resource, status=status)
    if version is not None:
        response["ETag"] = f'W/"{version}"'
    if status == 201:
        response["Location"] = f"{_base(request)}/{resource['resourceType']}/{resource['id']}"
    return response


def _if_match(request) -> int:
    """The version the client based its change on (``If-Match: W/"n"``): required, so that
    no update overwrites a change its client has not seen (428 without it)."""
    header = request.headers.get("If-Match", "")
    if not header:
        raise FhirError(
            428, "required", 'Say which version you changed: If-Match: W/"n" (from its ETag)'
        )
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
    """The id a reference names: ``{"reference": "Patient/12"}``, or by identifier, a
    Patient by NHS number or an Organization by ODS code (``{"identifier": {"system":
    ..., "value": ...}}``)."""
    value = value or {}
    raw = (value.get("reference") or "").removeprefix(f"{kind}/")
    if _is_id(raw):
        return int(raw)
    identifier = value.get("identifier") or {}
    if not raw and kind in _IDENTIFIED and identifier.get("system") == _IDENTIFIED[kind][0]:
        system, rows, column = _IDENTIFIED[kind]
        text = str(identifier.get("value") or "").replace(" ", "")
        found = rows().filter(**{column: text.upper() if kind == "Organization" else text})
        pk = found.values_list("pk", flat=True).first() if text else None
        if pk is None:  # as for an id nobody may see: nothing says whether it exists
            raise FhirError(404, "not-found", f"{field}: no {kind} known to you by {system}")
        return pk
    raise FhirError(
        400,
        "invalid",
        f"{field} must reference a {kind} by id"
        + (f" or by identifier ({_IDENTIFIED[kind][0]})" if kind in _IDENTIFIED else ""),
        field,
    )


def _organisations():
    from joinedup.core.models import Organisation

    return Organisation.objects.all()


# References by identifier: the system, the rows, and the column it is held in.
_IDENTIFIED = {
    "Patient": (
        R.NHS_NUMBER,
        lambda: Person.objects.filter(merged_into__isnull=True),
        "nhs_number",
    ),
    "Organization": (R.ODS_CODE, _organisations, "ods_code"),
}


def _invalid(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return FhirError(400, "invalid", errors[0].messages[0], field)
    return FhirError(400, "invalid", exc.messages[0])
