"""What the Open Referral API answers, as models: HSDS 3.0 records with the UK profile's
fields, the page around a list, and the errors. The API's OpenAPI document is made from
them, so that a client, or a tester such as schemathesis, knows the shape of every answer
and every error. A record allows no field it does not name (``additionalProperties:
false``), so an answer with a field missing here fails the tests, which check the API's
answers against this document (schemathesis, and every operation on a real feed) and
against the official HSDS 3.0 and UK profile schemas.

Only what joinedup gives is here; the official schemas say more. Ids are UUIDs
(``uuids.py``); optional fields are left out of an answer rather than sent empty.
"""

from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


def _format(name: str, description: str = ""):
    extra: dict[str, Any] = {"format": name}
    return Field(json_schema_extra=extra, description=description or None)


Uri = Annotated[str, _format("uri")]
Email = Annotated[str, _format("email")]
Date = Annotated[str, _format("date")]
DateTime = Annotated[str, _format("date-time")]


class Record(BaseModel):
    """A record in an answer, with the fields named and no others."""

    model_config = ConfigDict(extra="forbid")


class Organization(Record):
    id: UUID
    name: str
    description: str
    email: Email | None = None
    website: Uri | None = None


class Taxonomy(Record):
    id: UUID
    name: str
    description: str
    uri: Uri | None = None
    version: str | None = None


class TaxonomyTerm(Record):
    """A term: its code in its taxonomy, its name (``term`` too, as the UK profile calls
    it), its parent and its taxonomy (by UUID, by name in ``taxonomy``, and in detail)."""

    id: UUID
    code: str | None = None
    name: str
    term: str | None = None
    description: str
    parent_id: UUID | None = None
    taxonomy: str | None = None
    taxonomy_id: UUID | None = None
    taxonomy_detail: Taxonomy | None = None
    term_uri: Uri | None = None


class Schedule(Record):
    """When a service is open, as an iCalendar recurrence (``freq``, ``byday``...)."""

    id: UUID
    service_id: UUID | None = None
    service_at_location_id: UUID | None = None
    valid_from: Date | None = None
    valid_to: Date | None = None
    dtstart: Date | None = None
    freq: str | None = None
    interval: int | None = None
    byday: str | None = None
    bymonthday: str | None = None
    description: str | None = None
    opens_at: str | None = Field(default=None, description="HH:MM:SS, the service's own time")
    closes_at: str | None = Field(default=None, description="HH:MM:SS, the service's own time")
    attending_type: str | None = None
    notes: str | None = None


class Address(Record):
    id: UUID
    location_id: UUID
    address_1: str
    address_2: str | None = None
    city: str
    region: str | None = None
    state_province: str
    postal_code: str
    country: str
    address_type: str


class Accessibility(Record):
    id: UUID
    location_id: UUID
    description: str | None = None
    accessibility: str | None = None
    details: str | None = None
    url: Uri | None = None


class Location(Record):
    id: UUID
    location_type: str
    organization_id: UUID | None = None
    name: str | None = None
    description: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    addresses: list[Address] = []
    accessibility: list[Accessibility] = []


class Phone(Record):
    id: UUID
    service_id: UUID | None = None
    number: str
    extension: str | None = None
    type: str | None = None
    description: str | None = None


class ContactPhone(Record):
    id: UUID
    number: str


class Contact(Record):
    id: UUID
    service_id: UUID | None = None
    name: str | None = None
    title: str | None = None
    department: str | None = None
    email: Email | None = None
    phones: list[ContactPhone] = []


class ServiceArea(Record):
    id: UUID
    service_id: UUID | None = None
    name: str | None = None
    service_area: str | None = None
    description: str | None = None
    extent: str | None = None
    extent_type: str | None = None
    uri: Uri | None = None


class Language(Record):
    id: UUID
    service_id: UUID | None = None
    name: str
    code: str | None = None
    note: str | None = None


class CostOption(Record):
    id: UUID
    service_id: UUID | None = None
    valid_from: Date | None = None
    valid_to: Date | None = None
    option: str | None = None
    currency: str | None = None
    amount: float | None = None
    amount_description: str | None = None


class Attribute(Record):
    """A service's link to a taxonomy term."""

    id: UUID
    link_id: UUID
    link_type: str
    link_entity: str
    taxonomy_term_id: UUID
    taxonomy_term: TaxonomyTerm


class Service(Record):
    """A service: in a list, its own fields and its organisation (with ``minimal``, its
    id, name, status and last change alone); fully nested (``full``, or one service), its
    phones, schedules, areas, places, languages, costs, contacts and taxonomy terms too."""

    id: UUID
    organization_id: UUID | None = None
    name: str
    alternate_name: str | None = None
    description: str | None = None
    url: Uri | None = None
    email: Email | None = None
    status: str
    interpretation_services: str | None = None
    application_process: str | None = None
    fees_description: str | None = None
    fees: str | None = None
    wait_time: str | None = None
    eligibility_description: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    assured_date: Date | None = None
    last_modified: DateTime | None = None
    organization: Organization | None = None
    phones: list[Phone] | None = None
    schedules: list[Schedule] | None = None
    service_areas: list[ServiceArea] | None = None
    service_at_locations: "list[ServiceAtLocation] | None" = None
    languages: list[Language] | None = None
    funding: list[dict[str, Any]] | None = None
    cost_options: list[CostOption] | None = None
    required_documents: list[dict[str, Any]] | None = None
    contacts: list[Contact] | None = None
    attributes: list[Attribute] | None = None
    metadata: list[dict[str, Any]] | None = None


class ServiceAtLocation(Record):
    """A service at one of its places, with its schedules there (and, listed on its own,
    the service)."""

    id: UUID
    service_id: UUID
    location_id: UUID
    description: str | None = None
    location: Location
    schedules: list[Schedule] = []
    service: Service | None = None


Service.model_rebuild()


class Page(BaseModel):
    """One page of a list: how many there are in all, and which page this is."""

    total_items: int
    total_pages: int
    page_number: int
    size: int = Field(description="How many are on this page (at most 100)")
    first_page: bool
    last_page: bool
    empty: bool


class ServicePage(Page):
    contents: list[Service]


class OrganizationPage(Page):
    contents: list[Organization]


class TaxonomyPage(Page):
    contents: list[Taxonomy]


class TaxonomyTermPage(Page):
    contents: list[TaxonomyTerm]


class ServiceAtLocationPage(Page):
    contents: list[ServiceAtLocation]


class Publisher(BaseModel):
    name: str
    url: Uri


class About(BaseModel):
    version: str = Field(description="The HSDS version")
    profile: Uri
    openapi_url: Uri
    publisher: Publisher


class Error(BaseModel):
    """What was wrong, in words (a parameter out of range, an id not known)."""

    detail: str


class InvalidParameters(BaseModel):
    """Parameters of the wrong type (a page that is not a number), one entry each."""

    detail: list[dict[str, Any]]


# The answers an operation may give, by status.
ONE = {404: Error}
LIST = {400: Error, 422: InvalidParameters}
