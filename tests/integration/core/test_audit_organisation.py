"""Every audit event names the organisation on whose behalf it was done: the one the
member of staff is working for when it comes from a page or the API, however deep in
the code it is recorded; none when it comes from a command, a resident or the public."""

from django.core.management import call_command
from django.urls import reverse

from joinedup.core.middleware import acting_membership
from joinedup.core.models import AuditEvent, Role


def test_a_merge_from_the_page_names_the_officer_s_organisation(world, client):
    keep = world.person(given_name="Ann", family_name="Lee")
    dup = world.person(given_name="Anne", family_name="Lee", nhs_number=None)
    client.force_login(world.user(Role.DATA_QUALITY, world.icb))
    answer = client.post(
        reverse("identity:merge-new"),
        {"first": keep.pk, "second": dup.pk, "keep": "first", "reason": "Same person"},
    )
    assert answer.status_code == 302
    merged = AuditEvent.objects.filter(action="person.merge")
    assert merged.count() == 2 and {e.organisation for e in merged} == {world.icb}
    assert acting_membership() is None  # nothing is left behind for the next request


def test_engagement_writes_from_the_pages_name_the_organisation(world, client):
    client.force_login(world.user(Role.ENGAGEMENT_OFFICER, world.practice_a))
    client.post(
        reverse("engagement:surveys"),
        {"title": "Access", "questions": "Getting there?\n- Walk\n- Bus\n", "days": "14"},
    )
    created = AuditEvent.objects.get(action="engagement.survey.create")
    assert created.organisation == world.practice_a


def test_a_command_acts_for_no_organisation(world):
    keep = world.person(given_name="Ann", family_name="Lee")
    dup = world.person(given_name="Anne", family_name="Lee", nhs_number=None)
    call_command("identity", "merge", "--keep", keep.pk, "--absorb", dup.pk, "--reason", "x")
    assert {e.organisation for e in AuditEvent.objects.filter(action="person.merge")} == {None}


def test_the_public_acts_for_no_organisation(world, client):
    client.post(
        reverse("engagement:join"),
        {"given_name": "Ada", "family_name": "Okafor", "postcode": "JU1 1AA",
         "contact_by": "post", "address": "1 Road", "age_band": "65-74", "sex": "female",
         "ethnic_group": "black", "disability": "no", "lgbt": "not_said", "carer": "yes",
         "consent": "yes"},
    )  # fmt: skip
    joined = AuditEvent.objects.get(action="engagement.panel.join")
    assert joined.organisation is None and joined.user is None
