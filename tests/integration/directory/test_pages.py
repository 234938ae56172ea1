"""The directory's search and service pages, for staff and for residents."""

import json

import pytest
from django.urls import reverse

from joinedup.core.models import Role
from joinedup.directory import actions
from joinedup.directory.models import Service
from joinedup.synth.directory import directory_feed


@pytest.fixture
def staff_client(world, client):
    actions.import_feed(
        by=None, source="demo", data=json.dumps(directory_feed(services=40, seed=2)).encode()
    )
    client.force_login(world.user(Role.CARE_COORDINATOR, world.practice_a))
    return client


def test_search_shows_results_with_reasons_and_a_service_in_full(staff_client):
    page = staff_client.get(
        reverse("directory:search"),
        {"q": "lunch clubb", "postcode": "ju1 1aa", "distance": "5", "need": "loneliness"},
    ).content.decode()
    assert "services found" in page or "service found" in page
    assert "Why it is here" in page and " from JU1 1AA" in page
    assert "you typed <strong>clubb</strong>" in page
    service = Service.objects.filter(name__startswith="Lunch club").first()
    detail = staff_client.get(reverse("directory:service", args=[service.oruk_id]))
    text = detail.content.decode()
    assert service.name in text and "Last checked by the organisation" in text
    assert staff_client.get(reverse("directory:service", args=["nope"])).status_code == 404


def test_bad_input_is_explained_and_hostile_text_is_harmless(staff_client):
    page = staff_client.get(
        reverse("directory:search"),
        {"q": "<script>alert(1)</script>", "postcode": "nowhere", "age": "old"},
    ).content.decode()
    assert "There is a problem" in page
    assert "Enter an age in whole years" in page
    assert "<script>alert(1)</script>" not in page
    page = staff_client.get(reverse("directory:search"), {"distance": "2", "search": "1"})
    assert "Enter a postcode to search by distance" in page.content.decode()
    page = staff_client.get(reverse("directory:search"), {"postcode": "ZZ9 9ZZ"})
    assert "ZZ9 9ZZ is not in the postcode lookup" in page.content.decode()


def test_signed_out_people_are_sent_to_sign_in(world, client):
    answer = client.get(reverse("directory:search"))
    assert answer.status_code == 302 and "sign-in" in answer["Location"]
