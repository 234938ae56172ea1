"""Resident engagement: the citizens' panel (this slice); the assembly, events, feedback
and partnership boards come next (issue 8)."""

from django.db import models


class AgeBand(models.TextChoices):
    A16 = "16-24", "16 to 24"
    A25 = "25-34", "25 to 34"
    A35 = "35-44", "35 to 44"
    A45 = "45-54", "45 to 54"
    A55 = "55-64", "55 to 64"
    A65 = "65-74", "65 to 74"
    A75 = "75+", "75 or over"


class PanelSex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "In another way"
    NOT_SAID = "not_said", "Prefer not to say"


class EthnicGroup(models.TextChoices):
    """The five broad groups of the 2021 Census."""

    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_SAID = "not_said", "Prefer not to say"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SAID = "not_said", "Prefer not to say"


class ContactBy(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    POST = "post", "Post"


class PanelMember(models.Model):
    """A resident who joined the citizens' panel, with the profile used to check that the
    panel is representative. Withdrawing erases the contact details at once."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=300, blank=True)
    contact_by = models.CharField(max_length=10, choices=ContactBy.choices)
    postcode = models.CharField(max_length=8, blank=True)
    lsoa = models.ForeignKey("core.Lsoa", null=True, blank=True, on_delete=models.SET_NULL)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices)
    sex = models.CharField(max_length=10, choices=PanelSex.choices)
    ethnic_group = models.CharField(max_length=10, choices=EthnicGroup.choices)
    disability = models.CharField(max_length=10, choices=YesNo.choices)
    lgbt = models.CharField(max_length=10, choices=YesNo.choices)
    carer = models.CharField(max_length=10, choices=YesNo.choices)
    consent_at = models.DateTimeField()
    privacy_version = models.CharField(max_length=20)
    joined_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_token_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        indexes = [models.Index(fields=["withdrawn_at"], name="panel_active")]

    def __str__(self) -> str:
        return f"Panel member {self.pk}"


class PopulationMargin(models.Model):
    """A population share from outside the resident data (e.g. the 2021 Census for the
    borough: disability, LGBT+, unpaid carers), loaded as CSV; used where residents'
    records do not say."""

    category = models.CharField(max_length=30)
    value = models.CharField(max_length=30)
    share = models.FloatField()
    source = models.CharField(max_length=200)
    loaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "value"], name="one_margin_per_value")
        ]

    def __str__(self) -> str:
        return f"{self.category}={self.value}: {self.share:.1%}"
