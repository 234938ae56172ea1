import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from joinedup.core.middleware import SESSION_KEY
from joinedup.core.models import AuditEvent, Role
from tests.factories import PASSWORD


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("core:sign-in"), {"username": username, "password": password})


def test_sign_in_and_out(world, client):
    user = world.user(Role.GP, world.practice_a)
    response = sign_in(client, user.username)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/").content.decode()
    assert "Practice A" in home and "Find a person" in home
    client.post(reverse("core:sign-out"))
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="user.sign_in", user=user).exists()


def test_home_says_the_role_as_in_a_sentence(world, client):
    """A GP is working "as GP", not "as gp"; other roles read in lower case."""
    sign_in(client, world.user(Role.GP, world.practice_a).username)
    assert re.search(r"Practice A\s+as GP\.", client.get("/").content.decode())
    client.post(reverse("core:sign-out"))
    sign_in(client, world.user(Role.PRACTICE_NURSE, world.practice_a).username)
    assert "as practice nurse." in client.get("/").content.decode()


def test_wrong_password_is_refused_with_a_message(world, client):
    user = world.user(Role.GP, world.practice_a)
    response = sign_in(client, user.username, "wrong password here")
    assert response.status_code == 200
    assert "username or password is not right" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_sign_in_is_throttled_after_repeated_failures(world, client):
    user = world.user(Role.GP, world.practice_a)
    for _ in range(3):
        sign_in(client, user.username, "wrong password here")
    locked = sign_in(client, user.username)  # even the right password
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()


def test_admins_must_set_up_and_use_two_factor(world, client):
    admin = world.user(Role.ORG_ADMIN, world.practice_a)
    response = sign_in(client, admin.username)
    assert response["Location"] == reverse("core:sign-in-code")
    page = client.get(response["Location"]).content.decode()
    assert "Set up two-factor sign-in" in page and "<svg" in page
    assert client.get("/").status_code == 302  # not signed in yet
    device = TOTPDevice.objects.get(user=admin)
    wrong = (totp(device.bin_key) + 500_000) % 1_000_000
    bad = client.post(reverse("core:sign-in-code"), {"token": f"{wrong:06d}"})
    assert "not right" in bad.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a second
    good = client.post(reverse("core:sign-in-code"), {"token": f"{totp(device.bin_key):06d}"})
    assert good.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_two_factor_code_must_be_six_digits(world, client):
    admin = world.user(Role.SYSTEM_ADMIN, world.icb)
    sign_in(client, admin.username)
    page = client.post(reverse("core:sign-in-code"), {"token": "abc"}).content.decode()
    assert "The code must be 6 digits" in page


def test_organisation_switcher(world, client):
    from joinedup.core.actions import add_membership

    user = world.user(Role.GP, world.practice_a)
    add_membership(by=None, user=user, organisation=world.practice_b, role=Role.GP)
    client.force_login(user)
    assert "Practice A" in client.get("/").content.decode()
    other = user.memberships.get(organisation=world.practice_b)
    response = client.post(reverse("core:organisation"), {"membership": other.pk})
    assert response.status_code == 302 and client.session[SESSION_KEY] == other.pk
    assert "working for Practice B" in client.get("/").content.decode()
    # Someone else's membership cannot be chosen.
    stranger = world.user(Role.GP, world.practice_a).memberships.get()
    page = client.post(reverse("core:organisation"), {"membership": stranger.pk})
    assert "Choose one of your organisations" in page.content.decode()


@pytest.mark.parametrize("path", ["/health"])
def test_health(db, client, path):
    assert client.get(path).json()["status"] == "ok"


def test_any_user_can_turn_on_two_factor_and_is_then_asked_for_it(world, client):
    user = world.user(Role.CARE_NAVIGATOR, world.practice_a)
    client.force_login(user)
    page = client.get(reverse("core:two-factor")).content.decode()
    assert "Set up two-factor sign-in" in page
    device = TOTPDevice.objects.get(user=user)
    assert "6 digits" in client.post(reverse("core:two-factor"), {"token": "12"}).content.decode()
    done = client.post(reverse("core:two-factor"), {"token": f"{totp(device.bin_key):06d}"})
    assert "Two-factor sign-in is on" in done.content.decode()
    client.post(reverse("core:sign-out"))
    response = sign_in(client, user.username)
    assert response["Location"] == reverse("core:sign-in-code")
