"""The Open Referral UK API (HSDS 3.0 with the UK profile's extensions) under /oruk/: read
only, no key, open to any origin (HEAD, OPTIONS and CORS: ``middleware.py``). Services
(paged, filtered by search, taxonomy, organisation, modification time, age, day and time,
postcode catchment and proximity in metres; minimal or fully nested), one service fully
nested, organisations, taxonomies and taxonomy terms (each list and each one by id), and
services at locations (near a postcode: by each one's own distance). Every id is a UUID
(``uuids.py``); the shape of every answer is in ``hsds.py``, which the OpenAPI document
is made from."""

import functools
import math
from dataclasses import dataclass
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from pydantic import field_validator

from . import hsds, index, places, uuids
from . import search as directory_search
from .feeds import DAY_CODES, WEEKDAYS
from .models import (
    DirectoryOrganisation,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from .search import describe

MAX_PER_PAGE = 100


class OpenReferralAPI(NinjaAPI):
    """Its OpenAPI document names this server and gives each path from there
    ("/services"), as the HSDS 3.0 and UK profile documents do."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        root = self.get_root_path(path_params or {})
        document = super().get_openapi_schema(path_prefix="", path_params=path_params)
        document["servers"] = [{"url": root.rstrip("/"), "description": "This server"}]
        return document


api = OpenReferralAPI(
    title="joinedup Open Referral UK API",
    version="3.0",
    description="HSDS 3.0 (UK profile) service directory: GET, HEAD and OPTIONS, no key, "
    f"open to any web page. Lists are paged, at most {MAX_PER_PAGE} a page (more is "
    "capped, not refused). Ids are UUIDs.",
    urls_namespace="oruk",
    docs_url="/docs",
)


def _operation(path: str, summary: str, answer, errors: dict):
    """GET ``path``: the view's answer (``answer``, from ``hsds.py``) or one of ``errors``,
    by status, as the OpenAPI document says. The answer is sent as the view made it, not
    checked against the models again on every request (that took a page of 100 fully
    nested services from 100 to 170 ms): the tests check it against the document
    (schemathesis) and against the official schemas."""

    def register(view):
        @functools.wraps(view)
        def send(request, *args, **kwargs):
            return api.create_response(request, view(request, *args, **kwargs), status=200)

        api.get(path, summary=summary, response={200: answer, **errors})(send)
        return view

    return register


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _clean(out: dict) -> dict:
    return {k: v for k, v in out.items() if v not in (None, "")}


def _one(found, given: str):
    """The record a path's id names: by its UUID, or by the id its feed gave it (as links
    made before the API gave UUIDs have it)."""
    known = uuids.parse(given)
    return found.filter(uuid=known).first() if known else found.filter(oruk_id=given).first()


def _named(path: str, given: str) -> Q:
    """A filter on a related record named by its UUID or by its feed id (``path`` leads to
    it: "taxonomyterm__")."""
    known = uuids.parse(given)
    return Q(**{f"{path}uuid": known}) if known else Q(**{f"{path}oruk_id": given})


def organisation_out(org: DirectoryOrganisation) -> dict:
    return _clean(
        {
            "id": str(org.uuid),
            "name": org.name,
            "description": org.description or org.name,
            "email": org.email,
            "website": org.website,
        }
    )


def taxonomy_out(taxonomy: Taxonomy | None) -> dict | None:
    if taxonomy is None:
        return None
    return _clean(
        {
            "id": str(taxonomy.uuid),
            "name": taxonomy.name,
            "description": taxonomy.description or taxonomy.name,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
        }
    )


def term_out(term: TaxonomyTerm) -> dict:
    """An HSDS taxonomy_term: its code in its taxonomy, its name (and the UK profile's
    ``term``), its parent and its taxonomy, by UUID, by name and in detail."""
    return _clean(
        {
            "id": str(term.uuid),
            "code": term.code,
            "name": term.name,
            "term": term.name,  # the UK profile's name for it
            "description": term.description or term.name,
            "parent_id": str(term.parent.uuid) if term.parent else None,
            "taxonomy": term.vocabulary or (term.taxonomy.name if term.taxonomy else None),
            "taxonomy_id": str(term.taxonomy.uuid) if term.taxonomy else None,
            "taxonomy_detail": taxonomy_out(term.taxonomy),
            "term_uri": term.term_uri,
        }
    )


def schedule_out(schedule: Schedule, service_id: str, sal_id: str | None) -> dict:
    """A schedule; its service's and service-at-location's UUIDs are given by the caller
    (who has them already: looking them up here cost a query or a join per schedule)."""
    return _clean(
        {
            "id": str(schedule.uuid),
            "service_id": service_id,
            "service_at_location_id": sal_id,
            "valid_from": _iso(schedule.valid_from),
            "valid_to": _iso(schedule.valid_to),
            "dtstart": _iso(schedule.dtstart),
            "freq": schedule.freq,
            "interval": schedule.interval,
            "byday": schedule.byday,
            "bymonthday": schedule.bymonthday,
            "description": schedule.description or describe(schedule),
            "opens_at": schedule.opens_at.strftime("%H:%M:%S") if schedule.opens_at else None,
            "closes_at": schedule.closes_at.strftime("%H:%M:%S") if schedule.closes_at else None,
            "attending_type": schedule.attending_type,
            "notes": schedule.notes,
        }
    )


def location_out(location: Location) -> dict:
    location_id = str(location.uuid)
    addresses = []
    if location.address_1 and location.postcode:
        addresses.append(
            _clean(
                {
                    "id": uuids.part(location.uuid, "address"),
                    "location_id": location_id,
                    "address_1": location.address_1,
                    "address_2": location.address_2,
                    "city": location.city or "-",
                    "region": location.region,
                    "state_province": location.region or location.city or "-",
                    "postal_code": location.postcode,
                    "country": location.country,
                    "address_type": "physical",
                }
            )
        )
    return _clean(
        {
            "id": location_id,
            "location_type": location.location_type,
            "organization_id": str(location.organisation.uuid) if location.organisation else None,
            "name": location.name,
            "description": location.description,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "addresses": addresses,
            "accessibility": [
                _clean(
                    {
                        **a,
                        "id": str(uuids.of("accessibility", a.get("id"), within=location.uuid)),
                        "location_id": location_id,
                        "accessibility": a["description"],
                    }
                )
                for a in location.accessibility
            ],
        }
    )


def service_at_location_out(sal: ServiceAtLocation, *, with_service: bool) -> dict:
    sal_id, service_id = str(sal.uuid), str(sal.service.uuid)
    out = {
        "id": sal_id,
        "service_id": service_id,
        "location_id": str(sal.location.uuid),
        "description": sal.description,
        "location": location_out(sal.location),
        "schedules": [schedule_out(s, service_id, sal_id) for s in sal.schedule_set.all()],
    }
    if with_service:
        out["service"] = service_out(sal.service, full=False)
    return _clean(out)


def service_out(service: Service, *, full: bool) -> dict:
    service_id = str(service.uuid)
    out = {
        "id": service_id,
        "organization_id": str(service.organisation.uuid),
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "interpretation_services": service.interpretation_services,
        "application_process": service.application_process,
        "fees_description": service.fees_description,
        "fees": service.fees_description,
        "wait_time": service.wait_time,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "assured_date": _iso(service.assured_date),
        "last_modified": _iso(service.last_modified),
        "organization": organisation_out(service.organisation),
    }
    if full:
        out.update(
            {
                "phones": [
                    _clean(
                        {
                            "id": str(p.uuid),
                            "service_id": service_id,
                            "number": p.number,
                            "extension": p.extension,
                            "type": p.type,
                            "description": p.description,
                        }
                    )
                    for p in service.phones.all()
                ],
                "schedules": [
                    schedule_out(s, service_id, None)
                    for s in service.schedules.all()
                    if not s.service_at_location_id
                ],
                "service_areas": [
                    _clean(
                        {
                            "id": str(a.uuid),
                            "service_id": service_id,
                            "name": a.name,
                            "service_area": a.name,
                            "description": a.description,
                            "extent": a.extent,
                            "extent_type": a.extent_type,
                            "uri": a.uri,
                        }
                    )
                    for a in service.areas.all()
                ],
                "service_at_locations": [
                    service_at_location_out(sal, with_service=False)
                    for sal in service.at_locations.all()
                ],
                "languages": [
                    _clean(
                        {
                            "id": str(x.uuid),
                            "service_id": service_id,
                            "name": x.name,
                            "code": x.code,
                            "note": x.note,
                        }
                    )
                    for x in service.languages.all()
                ],
                "funding": [],
                "cost_options": [
                    _clean(
                        {
                            "id": str(c.uuid),
                            "service_id": service_id,
                            "valid_from": _iso(c.valid_from),
                            "valid_to": _iso(c.valid_to),
                            "option": c.option,
                            "currency": c.currency,
                            "amount": float(c.amount) if c.amount is not None else None,
                            "amount_description": c.amount_description,
                        }
                    )
                    for c in service.cost_options.all()
                ],
                "required_documents": [],
                "contacts": [
                    _clean(
                        {
                            "id": str(c.uuid),
                            "service_id": service_id,
                            "name": c.name,
                            "title": c.title,
                            "department": c.department,
                            "email": c.email,
                            "phones": (
                                [{"id": uuids.part(c.uuid, "phone"), "number": c.phone}]
                                if c.phone
                                else []
                            ),
                        }
                    )
                    for c in service.contacts.all()
                ],
                "attributes": [
                    {
                        "id": uuids.part(service.uuid, "attribute", str(t.uuid)),
                        "link_id": service_id,
                        "link_type": "service",
                        "link_entity": "service",
                        "taxonomy_term_id": str(t.uuid),
                        "taxonomy_term": term_out(t),
                    }
                    for t in service.terms.all()
                ],
                "metadata": [],
            }
        )
    return _clean(out) | {k: v for k, v in out.items() if isinstance(v, list)}


FULL = (
    "phones",
    "schedules",
    "areas",
    "at_locations__location__organisation",
    "at_locations__schedule_set",
    "languages",
    "cost_options",
    "contacts",
    "terms__taxonomy",
    "terms__parent",
)


def _page(queryset, page: int, per_page: int, render, *, chosen: list | None = None) -> dict:
    """One page of a queryset; with ``chosen``, of those rows (their pks, in the order to
    page through them: worked out outside the database, such as what is near a postcode)."""
    if page < 1 or per_page < 1:
        raise HttpError(400, "page and per_page must be 1 or more")
    # A feed reader asking for more a page than the server gives gets pages of the most
    # (the size says so), rather than nothing.
    per_page = min(per_page, MAX_PER_PAGE)
    start, end = (page - 1) * per_page, page * per_page
    if chosen is None:
        total = queryset.count()
        # The page's ids first (an index-only scan however deep the page), then their rows;
        # a page past the end is empty without asking (an OFFSET beyond 64 bits is an error).
        ids = list(queryset.values_list("pk", flat=True)[start:end]) if start < total else []
    else:
        total, ids = len(chosen), chosen[start:end]
    by_pk = {row.pk: row for row in queryset.filter(pk__in=ids)}
    rows = [by_pk[pk] for pk in ids]
    pages = max(1, math.ceil(total / per_page))
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(rows),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not rows,
        "contents": [render(r) for r in rows],
    }


@_operation("/", "About this API", hsds.About, {})
def root(request):
    return {
        "version": "3.0",
        "profile": "https://openreferraluk.org/",
        "openapi_url": request.build_absolute_uri(reverse("oruk:openapi-json")),
        "publisher": {"name": "joinedup", "url": request.build_absolute_uri("/")},
    }


def _day(value: str | None) -> str:
    if not value:
        return ""
    text = value.strip().lower()
    code = WEEKDAYS.get(text) or (text.upper() if text.upper() in DAY_CODES else "")
    if not code:
        raise HttpError(400, f"day must be a day of the week (Monday or MO), not '{value[:20]}'")
    return code


class ServiceFilters(Schema):
    """The HSDS 3.0 and UK profile filters that services and services at locations share."""

    search: str | None = None
    page: int = 1
    per_page: int = 50
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    day: str | None = None
    start_time: time | None = None
    end_time: time | None = None
    postcode: str | None = None
    proximity: float | None = None

    @field_validator("start_time", "end_time")
    @classmethod
    def _wall_clock(cls, value: time | None) -> time | None:
        """Opening times are the service's own wall-clock times: a zone given with the
        time (``09:00:00Z``) is ignored rather than compared across zones."""
        return value.replace(tzinfo=None) if value is not None else None


def _filtered(
    filters: ServiceFilters,
    *,
    organization_id: str | None = None,
    modified_after: datetime | None = None,
    status: str | None = ServiceStatus.ACTIVE,
):
    """Services matching the HSDS 3.0 and UK profile filters, and their distances."""
    found = Service.objects.all()
    if status:
        found = found.filter(status=status)
    if filters.search and filters.search.strip():
        found = found.filter(search_text__contains=" ".join(filters.search.lower().split()))
    if filters.taxonomy_term_id:
        found = found.filter(
            Exists(
                Service.terms.through.objects.filter(
                    _named("taxonomyterm__", filters.taxonomy_term_id), service_id=OuterRef("pk")
                )
            )
        )
    if filters.taxonomy_id:
        found = found.filter(
            Exists(
                Service.terms.through.objects.filter(
                    _named("taxonomyterm__taxonomy__", filters.taxonomy_id),
                    service_id=OuterRef("pk"),
                )
            )
        )
    if organization_id:
        found = found.filter(_named("organisation__", organization_id))
    if modified_after:
        found = found.filter(last_modified__gte=modified_after)
    # The UK profile: "a minimum age of at least", "a maximum age at or below" the value.
    if filters.minimum_age is not None:
        found = found.filter(minimum_age__gte=filters.minimum_age)
    if filters.maximum_age is not None:
        found = found.filter(maximum_age__lte=filters.maximum_age)
    code = _day(filters.day)
    if code or filters.start_time or filters.end_time:
        when = Q(service_id=OuterRef("pk"))
        if code:
            when &= Q(byday__contains=code)
        if filters.start_time:
            when &= Q(opens_at__gte=filters.start_time)
        if filters.end_time:
            when &= Q(closes_at__lte=filters.end_time)
        found = found.filter(Exists(Schedule.objects.filter(when)))
    near: Near | None = None
    if filters.postcode:
        try:
            point = places.locate(filters.postcode)
        except ValidationError as exc:
            raise HttpError(400, exc.messages[0]) from exc
        found = found.filter(directory_search._covers(point, ""))
        if filters.proximity is not None:
            if filters.proximity <= 0:
                raise HttpError(400, "proximity is a distance in metres, more than 0")
            near = Near(point, filters.proximity / 1000)
    elif filters.proximity is not None:
        raise HttpError(400, "proximity needs a postcode")
    return found, near


@dataclass(frozen=True)
class Near:
    """Within ``km`` of a postcode's ``point``."""

    point: places.Point
    km: float

    def services(self, found) -> list[int]:
        """Of ``found`` (in its order), the services with a location within the distance,
        or with no building (by phone, online): the index knows every service's nearest
        location."""
        found_index = index.current()
        close = (found_index.distances(self.point) <= self.km) | ~found_index.physical
        near = set(found_index.pks[close].tolist())
        return [pk for pk in found.values_list("pk", flat=True) if pk in near]

    def rows(self, found) -> list[int]:
        """Of ``found`` services at locations, those whose own location is within the
        distance, nearest first (then in ``found``'s order); then those at a virtual
        location (online, by phone: no distance)."""
        south, north, west, east = places.box(self.point, self.km)
        candidates = found.filter(
            Q(location__latitude__range=(south, north), location__longitude__range=(west, east))
            | Q(location__location_type=Location.Type.VIRTUAL, location__latitude=None)
        ).values_list("pk", "location__latitude", "location__longitude")
        located, virtual = [], []
        for pk, lat, lon in candidates:
            if lat is None or lon is None:
                virtual.append(pk)
                continue
            km = places.distance_km(self.point.latitude, self.point.longitude, lat, lon)
            if km <= self.km:
                located.append((km, len(located), pk))
        return [pk for *_, pk in sorted(located)] + virtual


@_operation("/services", "Services, a page at a time", hsds.ServicePage, hsds.LIST)
def services(
    request,
    filters: Query[ServiceFilters],
    organization_id: str | None = None,
    modified_after: datetime | None = None,
    minimal: bool = False,
    full: bool = False,
    status: str = Query(ServiceStatus.ACTIVE),
):
    found, near = _filtered(
        filters, organization_id=organization_id, modified_after=modified_after, status=status
    )
    page, per_page = filters.page, filters.per_page
    found = found.select_related("organisation").order_by("name", "pk")
    chosen = near.services(found) if near else None
    if minimal:
        # The id and when it last changed, as HSDS 3.0 says of minimal; and the name and
        # status, which its schema requires of every service in a page.
        return _page(
            found.select_related(None).only("uuid", "name", "status", "last_modified"),
            page,
            per_page,
            lambda s: _clean(
                {
                    "id": str(s.uuid),
                    "name": s.name,
                    "status": s.status,
                    "last_modified": _iso(s.last_modified),
                }
            ),
            chosen=chosen,
        )
    if full:
        found = found.prefetch_related(*FULL)
    return _page(found, page, per_page, lambda s: service_out(s, full=full), chosen=chosen)


@_operation("/services/{service_id}", "One service, fully nested", hsds.Service, hsds.ONE)
def service(request, service_id: str):
    found = _one(Service.objects.select_related("organisation").prefetch_related(*FULL), service_id)
    if found is None:
        raise HttpError(404, "No service with that id")
    return service_out(found, full=True)


@_operation("/organizations", "Organisations, a page at a time", hsds.OrganizationPage, hsds.LIST)
def organizations(request, page: int = 1, per_page: int = 50):
    return _page(
        DirectoryOrganisation.objects.order_by("name", "pk"), page, per_page, organisation_out
    )


@_operation("/organizations/{organization_id}", "One organisation", hsds.Organization, hsds.ONE)
def organization(request, organization_id: str):
    found = _one(DirectoryOrganisation.objects.all(), organization_id)
    if found is None:
        raise HttpError(404, "No organisation with that id")
    return organisation_out(found)


@_operation("/taxonomies", "Taxonomies, a page at a time", hsds.TaxonomyPage, hsds.LIST)
def taxonomies(request, page: int = 1, per_page: int = 50):
    return _page(Taxonomy.objects.order_by("name", "pk"), page, per_page, taxonomy_out)


@_operation("/taxonomy_terms", "Taxonomy terms, a page at a time", hsds.TaxonomyTermPage, hsds.LIST)
def taxonomy_terms(request, page: int = 1, per_page: int = 50, taxonomy_id: str | None = None):
    found = TaxonomyTerm.objects.select_related("taxonomy", "parent").order_by("name", "pk")
    if taxonomy_id:
        found = found.filter(_named("taxonomy__", taxonomy_id))
    return _page(found, page, per_page, term_out)


@_operation("/taxonomies/{taxonomy_id}", "One taxonomy", hsds.Taxonomy, hsds.ONE)
def taxonomy(request, taxonomy_id: str):
    found = _one(Taxonomy.objects.all(), taxonomy_id)
    if found is None:
        raise HttpError(404, "No taxonomy with that id")
    return taxonomy_out(found)


@_operation("/taxonomy_terms/{term_id}", "One taxonomy term", hsds.TaxonomyTerm, hsds.ONE)
def taxonomy_term(request, term_id: str):
    found = _one(TaxonomyTerm.objects.select_related("taxonomy", "parent"), term_id)
    if found is None:
        raise HttpError(404, "No taxonomy term with that id")
    return term_out(found)


@_operation(
    "/service_at_locations",
    "Services at their locations, a page at a time",
    hsds.ServiceAtLocationPage,
    hsds.LIST,
)
def service_at_locations(request, filters: Query[ServiceFilters]):
    found, near = _filtered(filters)
    page, per_page = filters.page, filters.per_page
    rows = (
        ServiceAtLocation.objects.filter(service__in=found.values("pk"))
        .select_related("service__organisation", "location__organisation")
        .prefetch_related("schedule_set")
        .order_by("service__name", "pk")
    )
    return _page(
        rows,
        page,
        per_page,
        lambda r: service_at_location_out(r, with_service=True),
        chosen=near.rows(rows) if near else None,
    )


@_operation(
    "/service_at_locations/{sal_id}",
    "One service at one location",
    hsds.ServiceAtLocation,
    hsds.ONE,
)
def service_at_location(request, sal_id: str):
    found = _one(
        ServiceAtLocation.objects.select_related(
            "service__organisation", "location__organisation"
        ).prefetch_related("schedule_set"),
        sal_id,
    )
    if found is None:
        raise HttpError(404, "No service at location with that id")
    return service_at_location_out(found, with_service=True)
