"""The Open Referral UK API (HSDS 3.0) under /directory/oruk: GET only, no key, open to
any origin. This slice serves the root, services (list with filters, and one service in
full) and organisations; taxonomies, service-at-location and the UK extensions (postcode,
proximity, age, day and time) come with the directory's next slices (issue 7)."""

import math
from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import NinjaAPI, Query
from ninja.errors import HttpError

from .models import DirectoryOrganisation, Service, ServiceStatus

MAX_PER_PAGE = 100

api = NinjaAPI(
    title="joinedup Open Referral UK API",
    version="3.0",
    description="HSDS 3.0 (UK profile) service directory: GET only, no key.",
    urls_namespace="oruk",
    docs_url="/docs",
)


# Every answer may be read by any web page (Access-Control-Allow-Origin: *).
_create_response = api.create_response


def _create_response_open(request: HttpRequest, data, *, status=200, temporal_response=None):
    response = _create_response(request, data, status=status, temporal_response=temporal_response)
    response["Access-Control-Allow-Origin"] = "*"
    return response


api.create_response = _create_response_open


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def organisation_out(org: DirectoryOrganisation) -> dict:
    out = {
        "id": org.oruk_id,
        "name": org.name,
        "description": org.description or org.name,
        "email": org.email or None,
        "website": org.website or None,
    }
    return {k: v for k, v in out.items() if v is not None}


def service_out(service: Service, *, full: bool) -> dict:
    out = {
        "id": service.oruk_id,
        "organization_id": service.organisation.oruk_id,
        "name": service.name,
        "description": service.description or None,
        "url": service.url or None,
        "email": service.email or None,
        "status": service.status,
        "fees_description": service.fees_description or None,
        "assured_date": _iso(service.assured_date),
        "last_modified": _iso(service.last_modified),
        "organization": organisation_out(service.organisation),
    }
    if full:
        out.update(
            {
                "phones": [],
                "schedules": [],
                "service_areas": [],
                "service_at_locations": [],
                "languages": [],
                "funding": [],
                "cost_options": [],
                "required_documents": [],
                "contacts": [],
                "attributes": [],
                "metadata": [],
            }
        )
    return {k: v for k, v in out.items() if v is not None}


def _page(queryset, page: int, per_page: int, render) -> dict:
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise HttpError(400, f"page must be 1 or more, per_page between 1 and {MAX_PER_PAGE}")
    total = queryset.count()
    pages = max(1, math.ceil(total / per_page))
    rows = list(queryset[(page - 1) * per_page : page * per_page])
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


@api.get("/", summary="About this API")
def root(request):
    return {
        "version": "3.0",
        "profile": "https://openreferraluk.org/",
        "openapi_url": request.build_absolute_uri(reverse("oruk:openapi-json")),
        "publisher": {"name": "joinedup", "url": request.build_absolute_uri("/")},
    }


@api.get("/services", summary="Services, a page at a time")
def services(
    request,
    search: str | None = None,
    page: int = 1,
    per_page: int = 50,
    organization_id: str | None = None,
    modified_after: datetime | None = None,
    status: str = Query(ServiceStatus.ACTIVE),
):
    found = Service.objects.select_related("organisation").order_by("name", "pk")
    if status:
        found = found.filter(status=status)
    if search:
        found = found.filter(name__icontains=search.strip()) | found.filter(
            description__icontains=search.strip()
        )
    if organization_id:
        found = found.filter(organisation__oruk_id=organization_id)
    if modified_after:
        found = found.filter(last_modified__gt=modified_after)
    return _page(found, page, per_page, lambda s: service_out(s, full=False))


@api.get("/services/{service_id}", summary="One service, fully nested")
def service(request, service_id: str):
    found = Service.objects.select_related("organisation").filter(oruk_id=service_id).first()
    if found is None:
        raise HttpError(404, "No service with that id")
    return service_out(found, full=True)


@api.get("/organizations", summary="Organisations, a page at a time")
def organizations(request, page: int = 1, per_page: int = 50):
    return _page(
        DirectoryOrganisation.objects.order_by("name", "pk"), page, per_page, organisation_out
    )
