"""Residents, their relationships, and break-glass access to their records."""

from django.conf import settings
from django.db import models

from joinedup.core.models import Lsoa, Organisation


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INDETERMINATE = "indeterminate", "Indeterminate"
    UNKNOWN = "unknown", "Not known"


class Ethnicity(models.TextChoices):
    """The 19 ethnic group categories of the 2021 Census (England and Wales)."""

    ASIAN_BANGLADESHI = "A_BANGLADESHI", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "A_CHINESE", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "A_INDIAN", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "A_PAKISTANI", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "A_OTHER", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "B_AFRICAN", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "B_CARIBBEAN", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = (
        "B_OTHER",
        "Black, Black British, Caribbean or African: any other Black background",
    )
    MIXED_WHITE_ASIAN = "M_WHITE_ASIAN", "Mixed or multiple: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "M_WHITE_BLACK_AFRICAN",
        "Mixed or multiple: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "M_WHITE_BLACK_CARIBBEAN",
        "Mixed or multiple: White and Black Caribbean",
    )
    MIXED_OTHER = "M_OTHER", "Mixed or multiple: any other mixed background"
    WHITE_BRITISH = "W_BRITISH", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "W_IRISH", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "W_GYPSY_TRAVELLER", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "W_ROMA", "White: Roma"
    WHITE_OTHER = "W_OTHER", "White: any other White background"
    OTHER_ARAB = "O_ARAB", "Other ethnic group: Arab"
    OTHER_ANY = "O_OTHER", "Other ethnic group: any other ethnic group"
    NOT_STATED = "NOT_STATED", "Not stated"


class CommunicationNeed(models.TextChoices):
    """Needs recorded under the Accessible Information Standard."""

    BSL = "bsl", "British Sign Language interpreter"
    DEAFBLIND = "deafblind", "Deafblind manual interpreter"
    EASY_READ = "easy_read", "Easy read"
    LARGE_PRINT = "large_print", "Large print"
    BRAILLE = "braille", "Braille"
    AUDIO = "audio", "Audio recording"
    EMAIL = "email", "Contact by email"
    TEXT_RELAY = "text_relay", "Text relay service"
    LIP_SPEAKER = "lip_speaker", "Lip speaker"
    LONGER_APPOINTMENT = "longer_appointment", "Longer appointment"


class Person(models.Model):
    """A resident. Reached only through ``people.access`` (never bare in a view)."""

    nhs_number = models.CharField(max_length=10, unique=True, null=True, blank=True)
    # The NHS Number Status Indicator the registration file gave ("01" verified against
    # the national record, ...; people.coding.NHS_NUMBER_STATUS), "" when it gave none.
    nhs_number_status = models.CharField(max_length=2, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    # Lower-case, accent-free forms for fast prefix search (kept by actions).
    search_family_name = models.CharField(max_length=100, editable=False)
    search_given_name = models.CharField(max_length=100, editable=False)
    birth_date = models.DateField()
    sex = models.CharField(max_length=15, choices=Sex.choices)
    gender_identity = models.CharField(max_length=100, blank=True)
    ethnicity = models.CharField(
        max_length=30, choices=Ethnicity.choices, default=Ethnicity.NOT_STATED
    )
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    lsoa = models.ForeignKey(Lsoa, null=True, blank=True, on_delete=models.PROTECT)
    registered_practice = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="patients"
    )
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    preferred_language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)
    communication_needs = models.JSONField(default=list, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    # GP registration as the registration file says (``joinedup people load``).
    registered_on = models.DateField(null=True, blank=True)
    deregistered_on = models.DateField(null=True, blank=True)
    # A postcode the lookup does not know, or that is malformed, is kept as recorded and
    # flagged (never a reason to drop a registration): "unknown" or "malformed".
    postcode_problem = models.CharField(max_length=10, blank=True)
    national_data_opt_out = models.BooleanField(default=False)
    # Sharing choices the person made (see ``people.access`` and ``care.sensitivity``):
    # consent to let roles with no routine need (e.g. voluntary-sector workers) see
    # sensitive sections, and an objection to sharing beyond relationships made with them.
    sensitive_sharing_consent = models.BooleanField(default=False)
    objects_to_sharing = models.BooleanField(default=False)
    sharing_choices_changed_at = models.DateTimeField(null=True, blank=True)
    # Set when this record was found to be the same person as another and merged into it;
    # cleared by unmerge. A merged record is kept, never deleted.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The few who object to sharing, excluded from access found from data.
            models.Index(
                fields=["objects_to_sharing"],
                condition=models.Q(objects_to_sharing=True),
                name="person_objects_to_sharing",
            ),
            models.Index(fields=["search_family_name", "birth_date"], name="person_surname_dob"),
            models.Index(
                fields=["registered_practice", "search_family_name", "search_given_name"],
                name="person_practice_surname",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def practice_place(self):
        """The place whose settings apply to the person's care: their GP practice's."""
        practice = self.registered_practice
        return practice.home_place if practice is not None else None

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name.upper()}"

    @property
    def nhs_number_display(self) -> str:
        """NHS numbers are shown 3-3-4: 943 476 5919."""
        n = self.nhs_number or ""
        return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else ""

    @property
    def imd_quintile(self) -> int | None:
        return self.lsoa.imd_quintile if self.lsoa_id else None

    @property
    def neighbourhood(self):
        practice = self.registered_practice
        if practice and practice.neighbourhood_id:
            return practice.neighbourhood
        return self.lsoa.neighbourhood if self.lsoa_id else None

    @property
    def network(self):
        neighbourhood = self.neighbourhood
        return neighbourhood.network if neighbourhood else None

    def communication_need_labels(self) -> list[str]:
        labels = dict(CommunicationNeed.choices)
        return [labels.get(code, code) for code in self.communication_needs]


class RelationshipType(models.TextChoices):
    CARER = "carer", "Carer"
    NEXT_OF_KIN = "next_of_kin", "Next of kin"
    LPA_HEALTH = "lpa_health", "Lasting power of attorney (health and welfare)"
    LPA_FINANCE = "lpa_finance", "Lasting power of attorney (property and financial affairs)"
    EMERGENCY_CONTACT = "emergency_contact", "Emergency contact"


class Relationship(models.Model):
    """Someone who matters to the person: another resident (a carer is a person in
    their own right) or a contact known only by name and phone."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    type = models.CharField(max_length=30, choices=RelationshipType.choices)
    related_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="related_to"
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    relationship_description = models.CharField(
        max_length=100, blank=True, help_text="e.g. daughter, husband, neighbour"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(related_person__isnull=False) | ~models.Q(contact_name=""),
                name="relationship_has_someone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.name}"

    @property
    def name(self) -> str:
        return str(self.related_person) if self.related_person_id else self.contact_name


class BreakGlass(models.Model):
    """An emergency, time-limited opening of one record, with a typed reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="break_glass")
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "person", "expires_at"], name="breakglass_active")]

    def __str__(self) -> str:
        return f"Break-glass by {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"
