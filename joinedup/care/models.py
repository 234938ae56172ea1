"""Care coordination around a person: the caseload they are on, their care team across
organisations, one shared personalised care and support plan (every change a new
version), and the tasks and referrals between organisations."""

from django.conf import settings
from django.db import models

from joinedup.core.models import LocalCareNetwork, Neighbourhood, Organisation, Team


class Stage(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    CONTACTED = "contacted", "Contacted"
    ASSESSED = "assessed", "Assessed"
    PLAN_AGREED = "plan_agreed", "Plan agreed"
    UNDER_REVIEW = "under_review", "Under review"
    CLOSED = "closed", "Closed"


class ClosedReason(models.TextChoices):
    DECLINED = "declined", "Declined"
    MOVED_AWAY = "moved_away", "Moved away"
    DIED = "died", "Died"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needs coordinated care"


class OfferStatus(models.TextChoices):
    """The personalised care and support plan offer."""

    NOT_OFFERED = "not_offered", "Not offered yet"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class CaseloadEntry(models.Model):
    """A person on the care-coordination caseload, with what the population run said
    about them when it last put them there (the basis of their priority)."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="caseload_entry"
    )
    practice = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    network = models.ForeignKey(
        LocalCareNetwork, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ltc_count = models.PositiveSmallIntegerField(default=0)
    cms = models.FloatField(default=0)
    efi = models.FloatField(null=True)
    efi_band = models.CharField(max_length=10, blank=True)
    imd_quintile = models.PositiveSmallIntegerField(null=True)
    admissions_12m = models.PositiveSmallIntegerField(default=0)
    ae_attendances_12m = models.PositiveSmallIntegerField(default=0)
    priority = models.FloatField(default=0)
    stage = models.CharField(max_length=15, choices=Stage.choices, default=Stage.IDENTIFIED)
    stage_changed_at = models.DateTimeField()
    closed_reason = models.CharField(max_length=20, choices=ClosedReason.choices, blank=True)
    offer_status = models.CharField(
        max_length=15, choices=OfferStatus.choices, default=OfferStatus.NOT_OFFERED
    )
    flagged_for_mdt = models.BooleanField(default=False)
    identified_at = models.DateTimeField()
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["neighbourhood", "stage", "-priority"], name="caseload_hood"),
            models.Index(fields=["practice", "stage", "-priority"], name="caseload_practice"),
            models.Index(fields=["stage", "-priority"], name="caseload_stage"),
            # The whole open caseload in priority order, walked a page at a time.
            models.Index(fields=["-priority", "person_id"], name="caseload_priority"),
        ]

    def __str__(self) -> str:
        return f"Caseload: person {self.person_id} ({self.stage})"


class CareTeamMember(models.Model):
    """Someone in a person's care team: a professional, or a whole organisation or team
    (whose members then share the relationship). Leaving ends the access it gave."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_team_places",
    )
    role = models.CharField(max_length=100, help_text="e.g. Key worker, GP, Social worker")
    is_lead = models.BooleanField(default=False)
    is_key_worker = models.BooleanField(default=False)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "organisation", "left_at"], name="careteam_user"),
            models.Index(fields=["organisation", "left_at"], name="careteam_org"),
        ]

    def __str__(self) -> str:
        return f"{self.role} for person {self.person_id}"


class CarePlan(models.Model):
    """The one shared personalised care and support plan of a person. Its content lives in
    versions; ``version`` is the current one (a stale edit is one based on an older)."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="care_plan"
    )
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    review_date = models.DateField(null=True, blank=True)
    # When review triggers (carer changes) were last looked for.
    triggers_checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Care plan of person {self.person_id} (v{self.version})"


class PlanVersion(models.Model):
    """One version of a plan, whole (``content``, see ``care.plans``), with who changed
    what and why."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    summary = models.CharField(max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Changed by the person themself (through the resident portal), not by staff.
    by_person = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_once")]
        ordering = ["plan", "-number"]

    def __str__(self) -> str:
        return f"Plan {self.plan_id} version {self.number}"


class TaskStatus(models.TextChoices):
    """FHIR Task.status values used here."""

    REQUESTED = "requested", "Requested"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class TaskKind(models.TextChoices):
    TASK = "task", "Task"
    REFERRAL = "referral", "Referral"
    REVIEW = "review", "Review"
    MESSAGE = "message", "Message from the person"


class Task(models.Model):
    """Work one organisation asks of another (or of itself) about a person: a task, or a
    referral whose acceptance brings the receiving organisation into the person's care."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=TaskKind.choices, default=TaskKind.TASK)
    description = models.CharField(max_length=500)
    detail = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=TaskStatus.choices, default=TaskStatus.REQUESTED
    )
    status_reason = models.CharField(max_length=500, blank=True)
    outcome = models.TextField(blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requester_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="tasks_requested"
    )
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="tasks_owned"
    )
    owner_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks_owned",
    )
    due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Where it came from: a plan action, an MDT decision, a review trigger...
    source = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["owner_user", "status", "due"], name="task_owner_user"),
            models.Index(fields=["owner_organisation", "status", "due"], name="task_owner_org"),
            models.Index(fields=["person", "status"], name="task_person"),
            models.Index(
                fields=["requester_organisation", "-updated_at"], name="task_requester_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}: {self.description[:40]}"


class Questionnaire(models.Model):
    """One version of an assessment questionnaire, stored whole as a FHIR R4 Questionnaire
    so that every assessment can be shown with the questions it was asked."""

    url = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    resource = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["url", "version"], name="questionnaire_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class AssessmentStatus(models.TextChoices):
    """FHIR QuestionnaireResponse.status values used here."""

    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"


class Assessment(models.Model):
    """A holistic assessment of a person (a FHIR QuestionnaireResponse). ``answers`` maps
    each question's linkId to its answer; ``sources`` says where each answer came from
    (pre-filled from a source, or asked) and when; ``checked`` lists the domains gone
    through with the person."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT)
    status = models.CharField(
        max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS
    )
    answers = models.JSONField(default=dict)
    sources = models.JSONField(default=dict)
    checked = models.JSONField(default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["person", "status"], name="assessment_person")]
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Assessment {self.pk} of person {self.person_id} ({self.status})"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """A multidisciplinary team meeting of a neighbourhood or a local care network. Its
    agenda is built from the caseload (people flagged for discussion)."""

    title = models.CharField(max_length=200)
    network = models.ForeignKey(
        LocalCareNetwork, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    organiser_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["starts_at"], name="meeting_starts")]
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def area_name(self) -> str:
        area = self.neighbourhood or self.network
        return area.name if area else ""


class MeetingAttendee(models.Model):
    """Someone invited to a meeting, from any organisation in the partnership; attending
    gives them the record of the people on its agenda while the meeting is current."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=100, blank=True)
    attended = models.BooleanField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendee_once")]

    def __str__(self) -> str:
        return f"{self.user} at meeting {self.meeting_id}"


class AgendaItem(models.Model):
    """One person to discuss, why, what was said and what was decided (``outcomes``: the
    goals, plan actions and tasks the decisions became)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    outcomes = models.JSONField(default=list)
    discussed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="agenda_person_once")
        ]
        ordering = ["meeting", "position"]

    def __str__(self) -> str:
        return f"Item {self.position} of meeting {self.meeting_id}"


class Conversation(models.Model):
    """Messages between a person (or a carer they let write for them) and their care team:
    one thread per person, kept whole. ``awaiting_reply`` while the person's side wrote
    last and no one in the care team has answered or marked it handled."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    awaiting_reply = models.BooleanField(default=False)
    # When someone in the care team, and the person's side, last read the thread: what
    # was written after it is new to them.
    staff_read_at = models.DateTimeField(null=True, blank=True)
    person_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["awaiting_reply", "-last_message_at"], name="conversation_waiting")
        ]

    def __str__(self) -> str:
        return f"Conversation with person {self.person_id}"


class ConversationMessage(models.Model):
    """One message, with who wrote it as they were named when they wrote ("Sam Carter
    (carer)", "Nurse Ewa Nowak, Community nursing"): a portal account on the person's
    side, or a member of staff for an organisation."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    text = models.TextField()
    written_at = models.DateTimeField()
    from_care_team = models.BooleanField(default=False)
    account = models.ForeignKey(
        "portal.ResidentAccount", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed = models.CharField(max_length=300)

    class Meta:
        ordering = ["conversation", "written_at", "pk"]

    def __str__(self) -> str:
        return f"Message {self.pk} in conversation {self.conversation_id}"


class EpisodeKind(models.TextChoices):
    ADMISSION = "admission", "Hospital admission"
    AE = "ae", "A&E attendance"


class EpisodeStatus(models.TextChoices):
    IN_HOSPITAL = "in_hospital", "In hospital"
    DISCHARGED = "discharged", "Discharged"
    CANCELLED = "cancelled", "Cancelled by the hospital"


class HospitalEpisode(models.Model):
    """A stay in hospital or an A&E attendance, as the hospital's live feed tells it
    (HL7 v2 ADT: admitted, transferred, discharged, corrected or cancelled). One row per
    visit; each message changes it and is kept in ``ingest.AdtMessage``."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    hospital = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The hospital's visit (spell) number, PV1-19; blank when the feed sends none.
    visit_number = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=10, choices=EpisodeKind.choices)
    status = models.CharField(
        max_length=12, choices=EpisodeStatus.choices, default=EpisodeStatus.IN_HOSPITAL
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=120, blank=True)
    last_event = models.CharField(max_length=3)  # the ADT event that last changed it: A03...
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "visit_number"],
                condition=~models.Q(visit_number=""),
                name="hospital_visit_once",
            )
        ]
        indexes = [
            models.Index(fields=["person", "-started_at"], name="episode_person"),
            models.Index(fields=["-updated_at"], name="episode_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of person {self.person_id} ({self.status})"

    @property
    def status_text(self) -> str:
        """ "In A&E" rather than "In hospital" for an attendance."""
        if self.status == EpisodeStatus.IN_HOSPITAL and self.kind == EpisodeKind.AE:
            return "In A&E"
        return self.get_status_display()
