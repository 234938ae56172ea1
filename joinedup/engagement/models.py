"""Resident engagement: the citizens' panel, citizens' assemblies chosen by lot (LEXIMIN)
and run through sessions to agreed recommendations; events, feedback and partnership
boards come next (issue 8)."""

from django.conf import settings
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


# --- Citizens' assembly ----------------------------------------------------------------------

# The profile categories quotas can use, with how each reads; every respondent has a value
# in each (from the panel profile, or from their reply; deprivation and neighbourhood come
# from their postcode).
CATEGORIES = {
    "age_band": "Age",
    "sex": "Sex",
    "ethnic_group": "Ethnic group",
    "disability": "Disability",
    "carer": "Carer",
    "lgbt": "LGBT+",
    "imd_quintile": "Deprivation (IMD quintile)",
    "neighbourhood": "Neighbourhood",
}


class Assembly(models.Model):
    """A citizens' assembly: a question, a target size and quotas; a pool of respondents
    from which a panel is chosen by lot; then sessions, recommendations and a report."""

    name = models.CharField(max_length=200)
    question = models.TextField()
    size = models.PositiveSmallIntegerField()
    categories = models.JSONField(default=list)  # the CATEGORIES keys its quotas use
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "assemblies"

    def __str__(self) -> str:
        return self.name


class Quota(models.Model):
    """Between ``low`` and ``high`` members of the assembly have this value."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="quotas")
    category = models.CharField(max_length=30)
    value = models.CharField(max_length=30)
    label = models.CharField(max_length=100)
    low = models.PositiveSmallIntegerField()
    high = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "category", "value"], name="one_quota_per_value"
            ),
            models.CheckConstraint(
                condition=models.Q(low__lte=models.F("high")), name="low_le_high"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}={self.value}: {self.low}–{self.high}"


class SeatStatus(models.TextChoices):
    POOL = "pool", "In the pool"
    SELECTED = "selected", "Selected, not yet confirmed"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Dropped out"


HELD = (SeatStatus.SELECTED, SeatStatus.CONFIRMED)


class Respondent(models.Model):
    """Someone in an assembly's pool: a panel member who was added, or a resident who
    replied to an invitation. ``profile`` holds their value in every category."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="respondents")
    panel_member = models.ForeignKey(
        PanelMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(max_length=40)  # the reply's id, or "panel-<pk>"
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    household = models.CharField(max_length=320, blank=True)  # normalised address
    profile = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=SeatStatus.choices, default=SeatStatus.POOL)
    selected_in = models.ForeignKey(
        "SelectionRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="chosen"
    )
    answer_token_hash = models.CharField(max_length=64, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "reference"], name="one_respondent_per_reference"
            )
        ]
        indexes = [models.Index(fields=["assembly", "status"], name="respondent_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or f"Respondent {self.reference}"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class SelectionRun(models.Model):
    """One selection: the first panel, or replacements for seats given up. The
    distribution is kept as a lottery of equally likely tickets, so a ticket can be drawn
    from a recorded seed or in public."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="runs")
    replacement = models.BooleanField(default=False)
    algorithm = models.CharField(max_length=10)
    seats = models.PositiveSmallIntegerField()
    quotas = models.JSONField(default=list)  # [[category, value, low, high], ...] as run
    pool_size = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=RunStatus.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    summary = models.JSONField(default=dict)
    probabilities = models.JSONField(default=dict)  # respondent id → probability
    tickets = models.JSONField(default=list)  # lists of respondent ids
    ticket_drawn = models.PositiveIntegerField(null=True, blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"Selection {self.pk} ({self.algorithm})"


class AssemblySession(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="one_session_number")
        ]

    def __str__(self) -> str:
        return f"Session {self.number}: {self.title}"


class Speaker(models.Model):
    """An expert who spoke at a session, usually from a partner organisation."""

    session = models.ForeignKey(AssemblySession, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.name


class SessionQuestion(models.Model):
    """A question members put to the speakers, and the answer given."""

    session = models.ForeignKey(AssemblySession, on_delete=models.CASCADE, related_name="questions")
    question = models.TextField()
    answer = models.TextField(blank=True)
    asked_by = models.CharField(max_length=100, blank=True)  # a group, not a person

    def __str__(self) -> str:
        return self.question[:60]


class AssemblyGroup(models.Model):
    """A small group of members working together (members change between sessions rarely;
    one group per member)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(Respondent, related_name="groups", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Attendance(models.Model):
    session = models.ForeignKey(
        AssemblySession, on_delete=models.CASCADE, related_name="attendance"
    )
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "respondent"], name="one_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.respondent_id} at {self.session_id}: {self.present}"


class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"
    NOT_AGREED = "not_agreed", "Not agreed"


class Recommendation(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="recommendations")
    group = models.ForeignKey(
        AssemblyGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="drafts"
    )
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    status = models.CharField(
        max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.DRAFT
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="one_recommendation_number")
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}: {self.title}"


class Support(models.TextChoices):
    """How strongly a member supports a recommendation (a 4-point scale often used by UK
    assemblies; "can live with it" counts towards agreement, not support)."""

    STRONGLY = "strongly", "Strongly support"
    SUPPORT = "support", "Support"
    LIVE_WITH = "live_with", "Can live with it"
    OPPOSE = "oppose", "Oppose"


class Vote(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="votes"
    )
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="votes")
    support = models.CharField(max_length=10, choices=Support.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "respondent"], name="one_vote")
        ]

    def __str__(self) -> str:
        return f"{self.respondent_id} on {self.recommendation_id}: {self.support}"


# --- Events, feedback and themes -------------------------------------------------------------


class Theme(models.Model):
    """What feedback is about: the seven NHS Long Term Plan areas and "other" (seeded;
    the theme classifier suggests among these), and custom themes an officer adds."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    long_term_plan = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    EVENT = "event", "At an event"
    ONLINE = "online", "Online form"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    PHONE = "phone", "Phone"
    SURVEY = "survey", "Survey"
    SOCIAL = "social", "Social media"


class EngagementEvent(models.Model):
    """An event where residents were heard (a Healthwatch listening event, a drop-in, a
    community group visit), with how many people took part."""

    title = models.CharField(max_length=200)
    organiser = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    people = models.PositiveIntegerField()
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class Feedback(models.Model):
    """A comment from a resident, with its suggested theme and the theme a person
    confirmed or chose instead. Published only with consent and, where it holds personal
    details, only as redacted."""

    text = models.TextField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    event = models.ForeignKey(
        EngagementEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    received_on = models.DateField()
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=10, choices=PanelSex.choices, blank=True)
    ethnic_group = models.CharField(max_length=10, choices=EthnicGroup.choices, blank=True)
    disability = models.CharField(max_length=10, choices=YesNo.choices, blank=True)
    consent_to_publish = models.BooleanField(default=False)
    suggested_theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.FloatField(null=True, blank=True)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    personal_details = models.JSONField(default=list)  # what could identify someone
    not_english = models.BooleanField(default=False)
    published_text = models.TextField(blank=True)  # the redacted text, when it needed one
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["received_on"], name="feedback_received"),
            models.Index(fields=["confirmed_at"], name="feedback_confirmed"),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.pk}"

    @property
    def publishable_text(self) -> str:
        """What may be quoted in public: nothing without consent; the redacted text where
        the comment held personal details."""
        if not self.consent_to_publish:
            return ""
        if self.personal_details:
            return self.published_text
        return self.published_text or self.text


# --- Partnership boards -------------------------------------------------------------------------


class BoardKind(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    STRATEGIC = "strategic", "Strategic"


class Board(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=BoardKind.choices)
    meets = models.CharField(max_length=100, default="Monthly")
    purpose = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class BoardMember(models.Model):
    """A member organisation's named representative on a board."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation_id})"


class Meeting(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    minutes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(fields=["board", "held_on"], name="one_meeting_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.board_id} on {self.held_on}"


class AgendaItem(models.Model):
    """An item on a meeting's agenda, perhaps about an assembly recommendation or a
    feedback theme (so the board's response to each is visible)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL)
    recommendation = models.ForeignKey(
        Recommendation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class DecisionStatus(models.TextChoices):
    AGREED = "agreed", "Agreed"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_TAKEN = "not_taken", "Not taken forward"


class Decision(models.Model):
    """What a board decided, who will do it, and how it is going; linked to the
    recommendations and themes it answers ("you said, we did")."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()
    owner = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.AGREED
    )
    progress = models.TextField(blank=True)
    updated_at = models.DateTimeField()
    themes = models.ManyToManyField(Theme, blank=True, related_name="decisions")
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="decisions")

    def __str__(self) -> str:
        return self.text[:60]


# --- Panel surveys -------------------------------------------------------------------------------


class Survey(models.Model):
    """A short survey sent to the citizens' panel; results are weighted to the population."""

    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    closes_on = models.DateField()

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    options = models.JSONField()  # the answers to choose from, in order

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class SurveyInvitation(models.Model):
    """One panel member's invitation; their answers are kept with it. A member who
    leaves the panel keeps only their anonymous profile, so past weights still add up."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="one_invitation_each")
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"


class SurveyAnswer(models.Model):
    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    option = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invitation", "question"], name="one_answer_each")
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.question_id}={self.option}"
