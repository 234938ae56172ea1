"""The person pages through Django's test client: who gets in, what is audited."""

from datetime import date

import pytest
from django.urls import reverse

from joinedup.core.models import AuditEvent, Role


@pytest.fixture
def gp(world, client):
    user = world.user(Role.GP, world.practice_a)
    client.force_login(user)
    return user


def test_signed_out_users_are_sent_to_sign_in(world, client):
    person = world.person()
    for url in (reverse("people:search"), reverse("people:summary", args=[person.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in")


def test_summary_of_own_patient_is_shown_and_audited(world, client, gp):
    person = world.person(given_name="Ada", family_name="Lovelace", address_line1="1 <b>Road</b>")
    response = client.get(reverse("people:summary", args=[person.pk]))
    assert response.status_code == 200
    assert "1 &lt;b&gt;Road&lt;/b&gt;<br>JU1 1AA" in response.content.decode()
    assert "Ada LOVELACE" in response.content.decode()
    assert "Quintile 1" in response.content.decode()
    event = AuditEvent.objects.get(action="person.view.summary")
    assert (event.user, event.person_id, event.organisation) == (gp, person.pk, world.practice_a)
    assert event.detail["basis"] == "registered_practice"


def test_summary_starts_with_the_patient_banner(world, client, gp):
    """The summary is a page about the person like any other: the banner (what to notice
    before acting, and the key worker) is at its top too."""
    person = world.person(given_name="Ada", family_name="Lovelace")
    person.objects_to_sharing = True
    person.save()
    page = client.get(reverse("people:summary", args=[person.pk])).content.decode()
    banner = page.index('aria-label="About Ada LOVELACE"')
    assert banner < page.index("<h1")
    assert "Objects to sharing their record" in page and "Key worker" in page


def test_other_practice_patient_goes_to_break_glass_and_refusal_is_audited(world, client, gp):
    theirs = world.person(practice=world.practice_b, given_name="Bea", family_name="Other")
    response = client.get(reverse("people:summary", args=[theirs.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:break-glass", args=[theirs.pk])
    assert AuditEvent.objects.filter(action="person.refused", person_id=theirs.pk).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Bea OTHER" in page and "Lovelace" not in page

    short = client.post(response["Location"], {"reason": "urgent"})
    assert short.status_code == 200 and "at least 10 characters" in short.content.decode()
    assert not AuditEvent.objects.filter(action="person.break_glass").exists()

    opened = client.post(response["Location"], {"reason": "Collapsed in the surgery waiting room"})
    assert opened["Location"] == reverse("people:summary", args=[theirs.pk])
    page = client.get(opened["Location"]).content.decode()
    assert "You opened this record by breaking glass" in page


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ENGAGEMENT_OFFICER, Role.ORG_ADMIN])
def test_non_care_roles_are_refused_every_person_page(world, client, role):
    person = world.person()
    client.force_login(world.user(role, world.practice_a))
    for name in ("people:summary", "people:break-glass", "people:audit"):
        assert client.get(reverse(name, args=[person.pk])).status_code == 403
    assert client.get(reverse("people:search")).status_code == 403


def test_search_by_nhs_number_traces_anyone_but_only_links_own_patients(world, client, gp):
    theirs = world.person(practice=world.practice_b, given_name="Bea", family_name="Other")
    page = client.get(reverse("people:search"), {"q": theirs.nhs_number_display}).content.decode()
    assert "Bea OTHER" in page
    assert reverse("people:break-glass", args=[theirs.pk]) in page
    assert f'href="{reverse("people:summary", args=[theirs.pk])}"' not in page
    assert AuditEvent.objects.filter(action="person.search").exists()


def test_partial_name_search_sees_only_own_patients(world, client, gp):
    mine = world.person(given_name="Joan", family_name="Smith")
    world.person(practice=world.practice_b, given_name="John", family_name="Smithers")
    page = client.get(reverse("people:search"), {"q": "smi"}).content.decode()
    assert "Joan SMITH" in page and "SMITHERS" not in page
    assert reverse("people:summary", args=[mine.pk]) in page
    page = client.get(reverse("people:search"), {"q": "jo smi"}).content.decode()
    assert "Joan SMITH" in page


def test_surname_and_date_of_birth_traces_across_practices(world, client, gp):
    world.person(
        practice=world.practice_b,
        given_name="John",
        family_name="Smithers",
        birth_date=date(1944, 3, 15),
    )
    page = client.get(
        reverse("people:search"),
        {"q": "Smithers", "dob-day": "15", "dob-month": "3", "dob-year": "1944"},
    ).content.decode()
    assert "John SMITHERS" in page
    page = client.get(
        reverse("people:search"),
        {"q": "Smith", "dob-day": "15", "dob-month": "3", "dob-year": "1944"},
    ).content.decode()
    assert "SMITHERS" not in page  # a trace needs the full surname


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "943 476 5910"}, "check digit"),
        ({"q": "Smith", "dob-day": "31", "dob-month": "2", "dob-year": "1950"}, "real date"),
        ({"q": "", "dob-day": "1", "dob-month": "2", "dob-year": "1950"}, "Enter an NHS number"),
        ({"q": "<script>alert(1)</script>"}, "No one found"),
    ],
)
def test_search_errors_are_shown_on_the_page(world, client, gp, params, message):
    response = client.get(reverse("people:search"), params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_audit_page_lists_who_looked(world, client, gp):
    person = world.person()
    client.get(reverse("people:summary", args=[person.pk]))
    page = client.get(reverse("people:audit", args=[person.pk])).content.decode()
    assert "Looked at the record" in page and str(gp) in page and "Practice A" in page
