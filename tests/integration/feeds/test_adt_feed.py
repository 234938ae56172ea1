"""A hospital's live ADT feed, message by message (tests/data/adt/): each kept before it
is acknowledged, refused with why when it cannot be taken, matched to a person by NHS
number or hospital number, applied to their hospital episode, and taken once however
often it is sent. Admissions reach the person's care page and their key worker's inbox,
and raise the review the nightly population run would."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.care import actions as care_actions
from joinedup.care.models import (
    CaseloadEntry,
    EpisodeKind,
    EpisodeStatus,
    HospitalEpisode,
    Stage,
    Task,
    TaskKind,
    TaskStatus,
)
from joinedup.core.models import AuditEvent, Role
from joinedup.ingest import actions
from joinedup.ingest.models import AdtMessage, AdtStatus
from tests.adt_corpus import corpus, messages, msa

# What each message of the corpus becomes: (ACK code, status, outcome or reason).
EXPECTED = {
    "RJ1-0001": ("AA", "applied", "admitted"),
    "RJ1-0002": ("AA", "applied", "transferred"),
    "RJ1-0003": ("AA", "applied", "details updated"),
    "RJ1-0004": ("AA", "applied", "discharged"),
    "RJ1-0101": ("AA", "applied", "attended A&E"),
    "RJ1-0102": ("AA", "applied", "discharged"),
    "RJ1-0201": ("AA", "applied", "admitted"),
    "RJ1-0202": ("AA", "applied", "admission cancelled"),
    "RJ1-0203": ("AA", "applied", "admitted"),
    "RJ1-0204": ("AA", "applied", "discharged"),
    "RJ1-0205": ("AA", "applied", "discharge cancelled"),
    "RJ1-0301": ("AA", "applied", "admitted"),
    "RJ1-0401": ("AA", "unmatched", "no resident has the NHS number"),
    "RJ1-0501": ("AA", "applied", "attended A&E"),
    "RJ1-0502": ("AE", "quarantined", "MSH-18: the message is not in its character set"),
    "": ("AE", "quarantined", "MSH-10: the message control id is empty"),
    "RJ1-0601": ("AR", "quarantined", "MSH-9: event A05 is not one joinedup takes"),
    "RJ1-0602": ("AR", "quarantined", "MSH-9: message type ORU is not ADT"),
    "RJ1-0603": ("AE", "quarantined", "PID-3: no usable patient identifier: the NHS number"),
    "RJ1-0604": ("AE", "quarantined", "PID: the PID segment is missing"),
    "RJ1-0605": ("AE", "quarantined", "PV1-44: not an HL7 date and time"),
    "RXX-0001": ("AR", "quarantined", "MSH-4: sending facility RXX is not an organisation"),
    "RJ1-0606": ("AR", "quarantined", "MSH-18: character set 'EBCDIC'"),
}


def _receive_all():
    return [(name, actions.receive_adt(raw=raw)) for name, raw in corpus()]


def _state():
    """Everything the feed can change, as comparable values."""
    return {
        "messages": list(
            AdtMessage.objects.order_by("pk").values_list(
                "control_id", "status", "ack_code", "person_id", "episode_id", "outcome"
            )
        ),
        "episodes": list(
            HospitalEpisode.objects.order_by("pk").values_list(
                "person_id", "visit_number", "kind", "status", "started_at", "ended_at", "location"
            )
        ),
        "tasks": list(Task.objects.order_by("pk").values_list("kind", "status", "detail")),
        "caseload": list(
            CaseloadEntry.objects.order_by("pk").values_list(
                "admissions_12m", "ae_attendances_12m", "priority", "stage"
            )
        ),
        "audit": AuditEvent.objects.count(),
    }


def test_every_message_of_the_corpus_is_acknowledged_as_what_became_of_it(feed):
    for name, receipt in _receive_all():
        code, control_id, text = msa(receipt.ack)
        message = receipt.message
        expected_code, status, said = EXPECTED[message.control_id]
        assert (code, message.status) == (expected_code, status), (name, message.control_id)
        assert said in (message.outcome or message.reason), (name, message.reason)
        assert control_id == message.control_id
        if code != "AA":
            assert b"\rERR|" in receipt.ack and b"HL70357" in receipt.ack
    assert AdtMessage.objects.count() == len(EXPECTED)
    people = feed.people
    episode = HospitalEpisode.objects.get(visit_number="V1001")
    assert episode.person == people["mary"] and episode.kind == EpisodeKind.ADMISSION
    assert episode.status == EpisodeStatus.DISCHARGED
    assert episode.location == "ORTHOPAEDIC WARD, SIDE ROOM 4"  # the transfer, then the update
    assert timezone.localtime(episode.started_at).strftime("%H:%M") == "08:00"  # A08 corrected it
    assert timezone.localtime(episode.ended_at).strftime("%H:%M") == "11:25"
    ae = HospitalEpisode.objects.get(visit_number="AE2001")
    assert (ae.person, ae.kind, ae.status) == (people["john"], EpisodeKind.AE, "discharged")
    assert HospitalEpisode.objects.get(visit_number="V3001").status == EpisodeStatus.CANCELLED
    back = HospitalEpisode.objects.get(visit_number="V3002")
    assert (back.status, back.ended_at) == (EpisodeStatus.IN_HOSPITAL, None)
    assert HospitalEpisode.objects.get(visit_number="V4001").person == people["linh"]
    resus = HospitalEpisode.objects.get(visit_number="AE5001")
    assert (resus.person, resus.location) == (people["zoe"], "RÉSUS")  # Latin-1, as MSH-18 said
    # Escapes are read as what they stand for; Z-segments and repeats are kept as sent.
    first = AdtMessage.objects.get(control_id="RJ1-0001")
    assert "NIGHTINGALE & SEACOLE" in first.raw.replace("\\T\\", "&")
    assert "\rZPV|" in first.raw and "~JONES^MARY" in first.raw


def test_escape_sequences_are_read_as_what_they_stand_for(feed):
    (raw, *_) = messages("01_admit_transfer_discharge.hl7")
    actions.receive_adt(raw=raw)
    assert HospitalEpisode.objects.get().location == "NIGHTINGALE & SEACOLE, BAY 2, BED 3"


def test_replaying_the_whole_corpus_changes_nothing(feed):
    first = [msa(r.ack)[0] for _, r in _receive_all()]
    before = _state()
    again = _receive_all()
    assert [msa(r.ack)[0] for _, r in again] == first
    assert all(r.duplicate for _, r in again if r.message.status != AdtStatus.QUARANTINED)
    assert _state() == before


def test_a_control_id_sent_again_with_a_different_message_is_refused(feed):
    (raw, *_) = messages("01_admit_transfer_discharge.hl7")
    actions.receive_adt(raw=raw)
    changed = raw.replace(b"V1001", b"V9999")
    receipt = actions.receive_adt(raw=changed)
    assert msa(receipt.ack)[0] == "AR" and receipt.message.status == AdtStatus.QUARANTINED
    assert "different message" in receipt.message.reason
    assert HospitalEpisode.objects.count() == 1
    # Sent again with only a new time in MSH-7 (as some engines do): the same message.
    resent = raw.replace(raw[raw.index(b"JOINEDUP|JOINEDUP|") + 18 :][:14], b"20000101000000")
    assert actions.receive_adt(raw=resent).duplicate


def test_an_admission_raises_the_review_the_nightly_run_would_and_only_once(feed):
    mary = feed.people["mary"]
    (admit, *_) = messages("01_admit_transfer_discharge.hl7")
    actions.receive_adt(raw=admit)
    (review,) = Task.objects.filter(kind=TaskKind.REVIEW)
    assert review.detail == "New hospital admission" and review.source == "hospital feed"
    assert review.owner_user == feed.social
    entry = CaseloadEntry.objects.get(person=mary)
    assert (entry.admissions_12m, entry.stage) == (1, Stage.UNDER_REVIEW)
    # The nightly run, before the coded record has the admission: nothing new.
    assert care_actions.build_caseload(by=None)["reviews"] == 0
    assert CaseloadEntry.objects.get(person=mary).admissions_12m == 1
    # A later run whose coded record has it (its as-of date after the admission).
    from joinedup.population.models import PersonProfile, PopulationRun

    PopulationRun.objects.update(as_of=timezone.localdate())
    PersonProfile.objects.filter(person=mary).update(admissions_12m=1)
    review.status = TaskStatus.COMPLETED
    review.save()
    assert care_actions.build_caseload(by=None)["reviews"] == 0
    assert CaseloadEntry.objects.get(person=mary).admissions_12m == 1


def test_an_ae_attendance_raises_a_review_and_a_cancelled_admission_withdraws_its_own(feed):
    mary = feed.people["mary"]
    (admit, *_) = messages("01_admit_transfer_discharge.hl7")
    actions.receive_adt(raw=admit)
    cancel = admit.replace(b"ADT^A01^ADT_A01|RJ1-0001", b"ADT^A11^ADT_A09|RJ1-0009").replace(
        b"EVN|A01", b"EVN|A11"
    )
    assert msa(actions.receive_adt(raw=cancel).ack)[0] == "AA"
    (review,) = Task.objects.filter(kind=TaskKind.REVIEW)
    assert review.status == TaskStatus.CANCELLED
    entry = CaseloadEntry.objects.get(person=mary)
    assert (entry.admissions_12m, entry.stage) == (0, Stage.PLAN_AGREED)
    attend = (
        admit.replace(b"ADT^A01^ADT_A01|RJ1-0001", b"ADT^A04^ADT_A01|RJ1-0010")
        .replace(b"EVN|A01", b"EVN|A04")
        .replace(b"PV1|1|I|", b"PV1|1|E|")
        .replace(b"V1001", b"AE1002")
    )
    actions.receive_adt(raw=attend)
    open_review = Task.objects.get(kind=TaskKind.REVIEW, status=TaskStatus.REQUESTED)
    assert open_review.detail == "New A&E attendance"
    assert CaseloadEntry.objects.get(person=mary).ae_attendances_12m == 1


def test_the_key_worker_sees_the_admission_on_the_care_page_and_in_the_inbox(feed, client):
    mary = feed.people["mary"]
    for raw in messages("01_admit_transfer_discharge.hl7")[:2]:  # admitted, then moved
        actions.receive_adt(raw=raw)
    client.force_login(feed.social)
    page = client.get(reverse("care:person", args=[mary.pk])).content.decode()
    assert "In hospital" in page and "Riverside Hospitals" in page
    assert "ORTHOPAEDIC WARD, BAY 1, BED 6" in page
    inbox = client.get(reverse("care:inbox")).content.decode()
    assert "From hospitals" in inbox and "Mary" in inbox and "Hospital admission" in inbox
    summary = client.get(reverse("people:summary", args=[mary.pk])).content.decode()
    assert "In hospital" in summary
    # A member of staff who is not her key worker has no such news in their inbox.
    client.force_login(feed.gp)
    assert "From hospitals" not in client.get(reverse("care:inbox")).content.decode()


def test_unmatched_messages_are_kept_and_applied_once_the_person_is_known(feed):
    (raw,) = messages("05_unmatched.hl7")
    assert actions.receive_adt(raw=raw).message.status == AdtStatus.UNMATCHED
    assert actions.retry_adt(by=None) == {"tried": 1, "applied": 0}
    vera = feed.world.person(given_name="Vera", family_name="Visitor", nhs_number="9434765854")
    assert actions.retry_adt(by=None) == {"tried": 1, "applied": 1}
    message = AdtMessage.objects.get()
    assert (message.status, message.person, message.episode.person) == ("applied", vera, vera)
    assert actions.retry_adt(by=None) == {"tried": 0, "applied": 0}


def test_the_quarantine_is_shown_to_system_admins_only(feed, client):
    for raw in messages("07_refused.hl7"):
        actions.receive_adt(raw=raw)
    admin = feed.world.user(Role.SYSTEM_ADMIN, feed.world.icb)
    client.force_login(admin)
    page = client.get(reverse("ingest:adt"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "sending facility RXX is not an organisation" in text and "RJ1-0601" in text
    assert "9434765838" not in text  # reasons and ids, never the patient
    client.force_login(feed.gp)
    assert client.get(reverse("ingest:adt")).status_code == 403


def test_every_applied_message_is_audited_against_the_person(feed):
    for raw in messages("02_ae_attendance.hl7"):
        actions.receive_adt(raw=raw)
    john = feed.people["john"]
    events = AuditEvent.objects.filter(action="care.hospital.event", person_id=john.pk)
    assert [e.detail["event"] for e in events.order_by("pk")] == ["A04", "A03"]
    assert all(e.organisation == feed.hospital for e in events)
    assert AuditEvent.objects.filter(action="ingest.adt").count() == 2


@pytest.mark.parametrize("days_ago", [0, 400])
def test_only_the_last_twelve_months_count_towards_the_caseload(feed, days_ago):
    (admit, *_) = messages(
        "01_admit_transfer_discharge.hl7", today=timezone.localdate() - timedelta(days=days_ago)
    )
    actions.receive_adt(raw=admit)
    entry = CaseloadEntry.objects.get(person=feed.people["mary"])
    assert entry.admissions_12m == (1 if days_ago == 0 else 0)


def test_a_mental_health_trust_stay_is_sensitive(feed, client, membership_of):
    from joinedup.core.models import OrganisationType
    from joinedup.people.actions import set_sharing_choices

    world, mary = feed.world, feed.people["mary"]
    world.organisation("Riverside Mental Health", OrganisationType.MENTAL_HEALTH_TRUST, "RV5")
    vcs = world.organisation("Age Concern", OrganisationType.VOLUNTARY)
    volunteer = world.user(Role.VOLUNTARY_WORKER, vcs)
    care_actions.add_team_member(
        by=feed.gp,
        membership=membership_of(feed.gp),
        person=mary,
        organisation=vcs,
        user=volunteer,
        role="Befriender",
    )
    (admit, *_) = messages("01_admit_transfer_discharge.hl7")
    actions.receive_adt(raw=admit.replace(b"|PAS|RJ1|", b"|PAS|RV5|").replace(b"^RJ1^MR", b""))
    assert HospitalEpisode.objects.get().hospital.ods_code == "RV5"
    care_page = reverse("care:person", args=[mary.pk])
    client.force_login(volunteer)
    assert "Riverside Mental Health" not in client.get(care_page).content.decode()
    client.force_login(feed.gp)
    assert "Riverside Mental Health" in client.get(care_page).content.decode()
    set_sharing_choices(
        by=feed.gp,
        membership=membership_of(feed.gp),
        person=mary,
        sensitive_sharing_consent=True,
        objects_to_sharing=False,
    )
    client.force_login(volunteer)
    assert "Riverside Mental Health" in client.get(care_page).content.decode()


def test_a_message_with_nul_bytes_is_quarantined_as_text_postgresql_can_keep(feed):
    (raw, *_) = messages("02_ae_attendance.hl7")
    receipt = actions.receive_adt(raw=raw.replace(b"SMITH", b"SM\x00ITH"))
    assert msa(receipt.ack)[0] == "AE" and receipt.message.status == AdtStatus.QUARANTINED
    receipt.message.refresh_from_db()
    assert "SM\\x00ITH" in receipt.message.raw
