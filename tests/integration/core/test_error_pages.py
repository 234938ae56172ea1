"""The site's error pages (403, 404, 500 and a refused form) are NHS.UK pages in plain
English that say what to do next; the 500 page needs neither the database nor the
request's context."""

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse

from joinedup import urls as site_urls
from joinedup.core.models import Role


def _boom(request):
    raise RuntimeError("a bug")


def _fine(request):
    return HttpResponse("fine")


# A URLconf with a view that raises, and the site's own handlers (tests/…/ROOT_URLCONF).
urlpatterns = [path("boom", _boom), path("fine", _fine), *site_urls.urlpatterns]
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


def _styled(page: str) -> None:
    assert "nhsuk-frontend.min.css" in page and "joinedup.css" in page
    assert 'class="nhsuk-header' in page and 'id="maincontent"' in page


def test_a_missing_page_says_so_and_what_to_do(world, client):
    answer = client.get("/no-such-page")
    assert answer.status_code == 404
    page = answer.content.decode()
    _styled(page)
    assert "<title>Page not found – joinedup</title>" in page
    assert "If you typed the web address, check it is correct" in page
    assert 'href="/"' in page  # the way on


def test_a_missing_record_is_the_same_page(world, client):
    officer = world.user(Role.ENGAGEMENT_OFFICER, world.practice_a)
    client.force_login(officer)
    answer = client.get(reverse("engagement:assembly", args=[999]))
    assert answer.status_code == 404
    page = answer.content.decode()
    _styled(page)
    assert "Page not found" in page and "Sign out" in page  # still signed in
    assert "No Assembly matches" not in page  # nothing from inside the code


def test_a_record_refused_to_a_signed_in_user(world, client):
    person = world.person()
    officer = world.user(Role.ENGAGEMENT_OFFICER, world.practice_a)
    client.force_login(officer)
    answer = client.get(reverse("people:summary", args=[person.pk]))
    assert answer.status_code == 403
    page = answer.content.decode()
    _styled(page)
    assert "<title>You cannot open this page – joinedup</title>" in page
    assert "No legitimate relationship with this person" in page  # the reason
    assert "Ada" not in page and "Lovelace" not in page
    assert "Engagement" in page  # the usual menu, so the user can carry on
    assert reverse("core:organisation") in page  # another organisation may have access


def test_a_portal_page_refused_keeps_the_portal_look(world, client):
    answer = client.get("/portal/no-such-page")
    assert answer.status_code == 404
    assert "joinedup – your care" in answer.content.decode()


def test_a_form_sent_without_its_security_token(world):
    client = Client(enforce_csrf_checks=True)
    answer = client.post(reverse("engagement:give-feedback"), {"text": "Hello"})
    assert answer.status_code == 403
    page = answer.content.decode()
    _styled(page)
    assert "<title>Your form could not be sent – joinedup</title>" in page
    assert "reload the page" in page and "cookies" in page


@pytest.mark.urls(__name__)
def test_a_server_error_is_a_plain_page(world, client):
    client.raise_request_exception = False
    answer = client.get("/boom")
    assert answer.status_code == 500
    page = answer.content.decode()
    _styled(page)
    assert "<title>Sorry, there is a problem with the service – joinedup</title>" in page
    assert "Try again later" in page and "111" in page
    assert "a bug" not in page and "RuntimeError" not in page


def test_the_server_error_page_needs_no_database_and_no_request_context():
    # No database fixture: any query would fail the test.
    from joinedup.core.views.errors import server_error

    bare = RequestFactory().get("/anything")  # no user, session, membership or nonce
    answer = server_error(bare)
    assert answer.status_code == 500
    _styled(answer.content.decode())
