"""Audit events in plain English: every code the code base writes has a description."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from joinedup.core.describe import action_text, describe, staff_name, what
from joinedup.core.models import Role
from tests.audit_codes import audit_codes

CODES = audit_codes()


def test_the_source_reader_finds_codes_written_every_way():
    # A literal, one built by an app's own _audit helper, and pages passed down to
    # record_person_view and record_resident_view through helpers.
    for code in (
        "person.create",
        "care.assessment.change",
        "engagement.survey.send",
        "portal.sign_in",
        "person.view.plan",
        "person.view.care",
        "portal.view.plan easy read",
        "care.*.create",
    ):
        assert code in CODES, code
    assert len(CODES) > 100


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_audit_code_in_the_code_base_has_a_description(code):
    text = action_text(code, to_person=True)
    assert text, f"No plain-English description for {code!r} ({sorted(CODES[code])[0]})"
    assert "{" not in text and "_" not in text and code not in text
    assert action_text(code, to_person=False)


def test_descriptions_speak_to_the_person_or_to_staff():
    assert action_text("person.view.plan", to_person=True) == "looked at your care plan"
    assert action_text("person.view.plan") == "looked at the care plan"
    assert action_text("care.caseload.mdt_flag", to_person=True) == (
        "asked for you to be discussed at a team meeting"
    )
    assert action_text("care.referral.accepted") == "accepted a referral"
    assert action_text("care.task.create", to_person=True) == "asked for a task about you"
    assert action_text("no.such.code") is None
    assert what("person.view.summary") == "Looked at the record"
    assert what("no.such.code") == "Did something recorded as no.such.code"


def _event(action, *, user=None, organisation=None, detail=None, reason=""):
    return SimpleNamespace(
        action=action,
        user=user,
        user_id=user.pk if user else None,
        organisation=organisation,
        organisation_id=organisation.pk if organisation else None,
        detail=detail or {},
        reason=reason,
        at=datetime(2026, 3, 3, 10, 15, tzinfo=ZoneInfo("Europe/London")),
    )


def test_a_sentence_says_who_did_what_and_when():
    ewa = SimpleNamespace(pk=1, username="nurse", get_full_name=lambda: "Ewa Nowak")
    trust = SimpleNamespace(pk=2, name="Community Health Trust")
    looked = _event(
        "person.view.plan", user=ewa, organisation=trust, detail={"role": "community_nurse"}
    )
    assert describe(looked, to_person=True) == (
        "Nurse Ewa Nowak at Community Health Trust looked at your care plan "
        "on 3 March 2026 at 10:15"
    )
    sam = SimpleNamespace(pk=3, username="coordinator", get_full_name=lambda: "Sam Turner")
    flagged = _event("care.caseload.mdt_flag", user=sam, organisation=trust)
    roles = {(3, 2): Role.CARE_COORDINATOR}
    assert describe(flagged, to_person=True, roles=roles).startswith(
        "Sam Turner (care coordinator) at Community Health Trust asked for you to be "
        "discussed at a team meeting on"
    )
    glass = _event("person.break_glass", user=ewa, organisation=trust, reason="Found unwell")
    assert describe(glass, to_person=True).endswith("The reason given: Found unwell")
    assert describe(_event("portal.sign_in"), to_person=True).startswith("You signed in online")
    carer = _event("care.conversation.write", detail={"as": "carer"})
    assert describe(carer, to_person=True).startswith("Your carer wrote to your care team")


def test_staff_names_carry_their_titles():
    user = SimpleNamespace(username="a", get_full_name=lambda: "Asha Patel")
    assert staff_name(user, Role.GP) == "Dr Asha Patel"
    assert staff_name(user, Role.SOCIAL_WORKER) == "Asha Patel (social worker)"
    assert staff_name(user) == "Asha Patel"
