"""The service directory in Open Referral UK (HSDS 3.0, UK profile) terms: organisations,
services with their eligibility, costs, languages, areas and opening times, the places
they are delivered (locations with addresses, coordinates and accessibility), and the
taxonomies that classify them, including joinedup's needs taxonomy (``needs.py``), which
lines up with the holistic assessment's domains.

Every row keeps the id it has in its feed (``oruk_id``) so that imports are idempotent, and
the UUID the Open Referral API knows it by (``uuid``: the feed's id when that is a UUID, so
the API answers with the ids other directories know; see ``uuids.py``)."""

from django.conf import settings
from django.db import models

from . import uuids


class OpenReferralUUID(models.UUIDField):
    """A record's UUID in the Open Referral API, made from its feed id (``oruk_id``) each
    time the row is written (``save``, ``bulk_create``), so that no way of writing a row can
    leave it out or let it drift from the feed id. ``kind`` is the record's HSDS table."""

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("unique", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = uuids.of(self.kind, model_instance.oruk_id)
        setattr(model_instance, self.attname, value)
        return value


class ServiceStatus(models.TextChoices):
    """HSDS 3.0 service.status."""

    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class FeedImport(models.Model):
    """One import of a feed: where from, when, and what happened to every record."""

    source = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    shape = models.CharField(max_length=20)  # "hsds-3.0" or "oruk-1.0-list"
    imported_at = models.DateTimeField()
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list)  # [{"record": n, "id": ..., "why": ...}]
    repaired = models.JSONField(
        default=list
    )  # [{"record": n, "id": ..., "field": ..., "how": ...}]

    def __str__(self) -> str:
        return f"Import of {self.source} at {self.imported_at:%Y-%m-%d %H:%M}"


class DirectoryOrganisation(models.Model):
    """An HSDS organization: whoever runs a service (charity, council team, practice...)."""

    oruk_id = models.CharField(max_length=100, unique=True)
    uuid = OpenReferralUUID(kind="organization")
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    last_import = models.ForeignKey(FeedImport, null=True, on_delete=models.SET_NULL)
    # The partnership organisation that works this organisation's referrals in joinedup
    # (a small voluntary group with a light login, a council team, an NHS service). None:
    # it takes referrals by phone or email only.
    partner = models.ForeignKey(
        "core.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_entries",
    )

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """An HSDS service, with its description kept as plain text."""

    oruk_id = models.CharField(max_length=100, unique=True)
    uuid = OpenReferralUUID(kind="service")
    organisation = models.ForeignKey(
        DirectoryOrganisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    fees_description = models.TextField(blank=True)
    alternate_name = models.CharField(max_length=300, blank=True)
    application_process = models.TextField(blank=True)
    interpretation_services = models.TextField(blank=True)
    wait_time = models.CharField(max_length=300, blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    is_free = models.BooleanField(
        default=False, help_text="No cost option with an amount, and no fees described"
    )
    for_carers = models.BooleanField(default=False, help_text="Only for unpaid carers")
    terms = models.ManyToManyField("TaxonomyTerm", blank=True, related_name="services")
    # Lower-case name, organisation, alternate name, description and terms: what keyword
    # search reads (see search.py).
    search_text = models.TextField(blank=True)
    # A digest of the record as last imported: an unchanged record is not rewritten.
    feed_hash = models.CharField(max_length=64, blank=True)
    assured_date = models.DateField(null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    last_import = models.ForeignKey(FeedImport, null=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [
            models.Index(fields=["status", "name"], name="service_status_name"),
            models.Index(fields=["last_modified"], name="service_last_modified"),
        ]

    def __str__(self) -> str:
        return self.name


class Taxonomy(models.Model):
    """An HSDS taxonomy: a vocabulary of terms that classify services (a feed's own, or
    joinedup's needs taxonomy)."""

    oruk_id = models.CharField(max_length=100, unique=True)
    uuid = OpenReferralUUID(kind="taxonomy")
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    uri = models.URLField(max_length=500, blank=True)
    version = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """An HSDS taxonomy term. ``need`` is set on the terms of the needs taxonomy."""

    oruk_id = models.CharField(max_length=100, unique=True)
    uuid = OpenReferralUUID(kind="taxonomy_term")
    taxonomy = models.ForeignKey(
        Taxonomy, null=True, blank=True, on_delete=models.CASCADE, related_name="terms"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    vocabulary = models.CharField(max_length=300, blank=True, help_text="HSDS 'taxonomy'")
    term_uri = models.URLField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """An HSDS location: where services are delivered (or a virtual one), with its
    address, coordinates and accessibility."""

    class Type(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        POSTAL = "postal", "Postal"
        VIRTUAL = "virtual", "Virtual"

    oruk_id = models.CharField(max_length=100, unique=True)
    uuid = OpenReferralUUID(kind="location")
    organisation = models.ForeignKey(
        DirectoryOrganisation, null=True, blank=True, on_delete=models.SET_NULL
    )
    location_type = models.CharField(max_length=10, choices=Type.choices, default=Type.PHYSICAL)
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    address_1 = models.CharField(max_length=300, blank=True)
    address_2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    country = models.CharField(max_length=2, default="GB")
    # [{"id", "description", "details", "url"}], as HSDS accessibility rows.
    accessibility = models.JSONField(default=list, blank=True)
    step_free = models.BooleanField(default=False, help_text="Wheelchair or step-free access")
    last_import = models.ForeignKey(FeedImport, null=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"], name="location_coords")]

    def __str__(self) -> str:
        return self.name or self.address_1 or self.oruk_id


class Part(models.Model):
    """A row of a service's detail, known by its id in the feed."""

    oruk_id = models.CharField(max_length=100, unique=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.oruk_id}"


class ServiceAtLocation(Part):
    uuid = OpenReferralUUID(kind="service_at_location")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="services_at")
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="one_service_location")
        ]


class Schedule(Part):
    """When a service is open, as an iCalendar recurrence (HSDS schedule): e.g. weekly on
    MO,TU from 09:00 to 17:00, or monthly on the first Tuesday (byday "1TU")."""

    uuid = OpenReferralUUID(kind="schedule")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE
    )
    freq = models.CharField(max_length=10, blank=True)  # WEEKLY or MONTHLY
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=50, blank=True)
    bymonthday = models.CharField(max_length=50, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    attending_type = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True)


class ServiceArea(Part):
    """Where a service is available. ``kind`` and ``code`` tie it to the partnership's own
    places when they can (borough, LCN, neighbourhood, practice list, postcode district)."""

    class Kind(models.TextChoices):
        BOROUGH = "borough", "Whole borough"
        NETWORK = "network", "Local care network"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
        PRACTICE = "practice", "GP practice list"
        DISTRICT = "district", "Postcode district"
        OTHER = "other", "Described in words"

    oruk_id = models.CharField(max_length=100, unique=True)
    uuid = OpenReferralUUID(kind="service_area")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=20, blank=True)
    uri = models.URLField(max_length=500, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    code = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "code"], name="service_area_place")]


class Phone(Part):
    uuid = OpenReferralUUID(kind="phone")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(max_length=50)
    extension = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, blank=True)
    description = models.CharField(max_length=300, blank=True)


class Contact(Part):
    uuid = OpenReferralUUID(kind="contact")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)


class CostOption(Part):
    uuid = OpenReferralUUID(kind="cost_option")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=300, blank=True)
    amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    amount_description = models.CharField(max_length=300, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)


class Language(Part):
    uuid = OpenReferralUUID(kind="language")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=10, blank=True)  # ISO 639
    note = models.CharField(max_length=300, blank=True)


ONS4 = (
    ("satisfied", "How satisfied are you with your life nowadays?"),
    ("worthwhile", "To what extent do you feel the things you do in your life are worthwhile?"),
    ("happy", "How happy did you feel yesterday?"),
    ("anxious", "How anxious did you feel yesterday?"),
)


class Consent(models.TextChoices):
    SPOKEN = "spoken", "They agreed when we spoke (in person or by phone)"
    WRITTEN = "written", "They agreed in writing"
    CARER = "carer", "Their carer or representative agreed for them, as they may"


class ServiceReferral(models.Model):
    """A referral to a directory service: a care referral task to the organisation that
    works the service's referrals (so it reaches their inbox, and accepting it brings them
    into the person's care), with the person's consent and their wellbeing (ONS4, 0–10)
    before and after."""

    task = models.OneToOneField(
        "care.Task", on_delete=models.CASCADE, related_name="service_referral"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    consent = models.CharField(max_length=10, choices=Consent.choices)
    consent_recorded_at = models.DateTimeField()
    plan_action = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)  # {"satisfied": 4, ...}
    after = models.JSONField(null=True, blank=True)
    after_recorded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Referral to {self.service} ({self.task_id})"


class UpdateRequest(models.Model):
    """A request to a provider to check a listing not verified for a while; the link in
    it (the token) lets them confirm it or say what changed, without an account."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="update_requests")
    token_hash = models.CharField(max_length=64, unique=True)  # sha256 of the link's token
    sent_to = models.EmailField(blank=True)
    sent_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    still_correct = models.BooleanField(null=True)

    def __str__(self) -> str:
        return f"Update request for {self.service} ({self.sent_at:%Y-%m-%d})"


class ProblemReport(models.Model):
    """Someone says a listing is wrong (or a provider says what changed): a curator works
    through these in the queue."""

    class Kind(models.TextChoices):
        CLOSED = "closed", "The service has closed or stopped"
        CONTACT = "contact", "The phone number, email or website is wrong"
        TIMES = "times", "The opening times are wrong"
        PLACE = "place", "The address or place is wrong"
        OTHER = "other", "Something else"
        PROVIDER = "provider", "The provider says something has changed"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FIXED = "fixed", "Fixed"
        DISMISSED = "dismissed", "Not a problem"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="problems")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    detail = models.TextField(blank=True)
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_by_resident = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "reported_at"], name="problem_queue")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.service}"


class Shortlist(models.Model):
    """Services a navigator picked for a person, with a note, to print or save as a PDF
    and give them; once given, the person sees it in the portal too."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    created_at = models.DateTimeField()
    note = models.TextField(blank=True)
    services = models.ManyToManyField(Service, through="ShortlistItem", related_name="+")
    given_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Shortlist for person {self.person_id} ({self.created_at:%Y-%m-%d})"


class ShortlistItem(models.Model):
    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="items")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="shortlist_items")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shortlist", "service"], name="once_per_shortlist")
        ]

    def __str__(self) -> str:
        return f"{self.service} on shortlist {self.shortlist_id}"
