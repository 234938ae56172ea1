"""Organisation administration: the staff of an organisation, adding someone (who sets
their own password through an emailed single-use link), changing their role or team,
deactivating and reactivating them, and the organisation's teams. Only the
organisation's admins (and system admins) may; every change is audited."""

import re
from datetime import datetime, timedelta
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.core import actions, tokens
from joinedup.core.models import AuditEvent, Membership, OrganisationType, Role, Team, User
from tests.factories import PASSWORD, World

SITE = "https://joinedup.example/"
NEW_PASSWORD = "copper kettle by the window"


@pytest.fixture
def admin(world):
    return world.user(Role.ORG_ADMIN, world.practice_a, username="helen.admin")


@pytest.fixture
def acting(admin):
    return admin.memberships.get()


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    return client


def add(by, acting, organisation, **fields):
    values = {
        "username": "grace.new",
        "first_name": "Grace",
        "last_name": "Owusu",
        "email": "grace@example.org",
        "role": Role.PRACTICE_NURSE,
        "team": None,
    }
    values.update(fields)
    return actions.add_staff_member(
        by=by, membership=acting, organisation=organisation, site=SITE, **values
    )


def link_in(message) -> str:
    return re.search(r"https://joinedup\.example(/account/set-password\?\S+)", message.body)[1]


# Adding a member of staff


def test_adding_someone_new_emails_them_a_link_after_the_transaction_commits(
    world, admin, acting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        added = add(admin, acting, world.practice_a)
        assert not mail.outbox  # nothing is sent before the work is saved
    assert len(callbacks) == 1
    callbacks[0]()
    assert added.new_account
    user = added.membership.user
    assert user.username == "grace.new" and user.get_full_name() == "Grace Owusu"
    assert not user.has_usable_password()  # no one typed a password for them
    assert added.membership.organisation == world.practice_a
    assert added.membership.role == Role.PRACTICE_NURSE and added.membership.active
    (message,) = mail.outbox
    assert message.to == ["grace@example.org"]
    assert "Practice A" in message.body and "grace.new" in message.body
    assert "works once" in message.body
    assert link_in(message).startswith("/account/set-password?user=")
    events = AuditEvent.objects.filter(organisation=world.practice_a, user=admin)
    assert {"membership.add", "staff.set_password_link"} <= set(
        events.values_list("action", flat=True)
    )


def test_a_username_already_in_use_elsewhere_adds_a_membership_instead(
    world, admin, acting, django_capture_on_commit_callbacks
):
    other = world.user(Role.GP, world.practice_b, username="tom.reid")
    other.first_name, other.last_name = "Tom", "Reid"
    other.save()
    with django_capture_on_commit_callbacks(execute=True):
        added = add(
            admin, acting, world.practice_a, username="Tom.Reid", first_name="tom",
            last_name="REID", email="", role=Role.GP,
        )  # fmt: skip
    assert not added.new_account and added.membership.user == other
    assert set(other.memberships.values_list("organisation__name", flat=True)) == {
        "Practice A",
        "Practice B",
    }
    assert not mail.outbox  # they already have a password
    assert User.objects.filter(username__iexact="tom.reid").count() == 1


def test_an_existing_username_with_another_name_is_refused(world, admin, acting):
    world.user(Role.GP, world.practice_b, username="tom.reid")
    with pytest.raises(ValidationError) as refused:
        add(admin, acting, world.practice_a, username="tom.reid", first_name="Thomas")
    assert "different name" in str(refused.value)
    assert not world.practice_a.memberships.filter(user__username="tom.reid").exists()


def test_someone_already_here_in_that_role_is_refused(world, admin, acting):
    add(admin, acting, world.practice_a)
    with pytest.raises(ValidationError, match="already works at Practice A as practice nurse"):
        add(admin, acting, world.practice_a)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"first_name": " "}, "first_name", "Enter their first name"),
        ({"last_name": ""}, "last_name", "Enter their last name"),
        ({"username": ""}, "username", "Enter a username"),
        ({"username": "grace owusu"}, "username", "letters, digits"),
        ({"username": "g" * 151}, "username", "150 characters"),
        ({"email": ""}, "email", "Enter their email address"),
        ({"email": "not an email"}, "email", "Enter an email address like"),
        ({"role": ""}, "role", "Choose their role"),
        ({"role": "wizard"}, "role", "Choose their role"),
        ({"role": Role.SOCIAL_WORKER}, "role", "not a role at a GP practice"),
        ({"role": Role.SYSTEM_ADMIN}, "role", "not a role at a GP practice"),
        ({"first_name": "Gr\x00ace"}, "first_name", "cannot contain"),
        ({"last_name": "O" * 151}, "last_name", "150 characters"),
    ],
)
def test_bad_details_are_refused_naming_the_field(world, admin, acting, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        add(admin, acting, world.practice_a, **fields)
    assert message in refused.value.message_dict[field][0]
    assert not User.objects.filter(username="grace.new").exists()


def test_no_gp_at_a_voluntary_organisation(world):
    charity = world.organisation("Age Well", OrganisationType.VOLUNTARY)
    system = world.user(Role.SYSTEM_ADMIN, world.icb)
    acting = system.memberships.get()
    with pytest.raises(ValidationError, match="not a role at a voluntary or community group"):
        add(system, acting, charity, role=Role.GP)
    added = add(system, acting, charity, role=Role.VOLUNTARY_WORKER)
    assert added.membership.organisation == charity


def test_a_team_of_another_organisation_is_refused(world, admin, acting):
    theirs = actions.create_team(by=None, organisation=world.practice_b, name="Theirs")
    with pytest.raises(ValidationError) as refused:
        add(admin, acting, world.practice_a, team=theirs)
    assert "not a team of Practice A" in refused.value.message_dict["team"][0]


def test_only_that_organisations_admins_and_system_admins_may_add(world, admin, acting):
    with pytest.raises(PermissionDenied):
        add(admin, acting, world.practice_b)
    gp = world.user(Role.GP, world.practice_a)
    with pytest.raises(PermissionDenied):
        add(gp, gp.memberships.get(), world.practice_a)
    assert not User.objects.filter(username="grace.new").exists()


# Setting a password through the link


def test_the_link_sets_a_password_once_and_follows_the_password_rules(
    world, admin, acting, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add(admin, acting, world.practice_a)
    link = link_in(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Set your password" in text and "grace.new" in text
    for password, again, problem in [
        ("short", "short", "too short"),
        ("password1234", "password1234", "too common"),
        ("grace.new.owusu", "grace.new.owusu", "too similar"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "not the same"),
        ("", "", "Choose a password"),
    ]:
        answer = client.post(link, {"password": password, "password_again": again})
        assert answer.status_code == 400 and problem in answer.content.decode(), problem
    done = client.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("core:sign-in")
    user = User.objects.get(username="grace.new")
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="user.password_set", user=user).exists()
    # The link works once.
    again = client.get(link)
    assert again.status_code == 404 and "This link does not work" in again.content.decode()
    refused = client.post(link, {"password": "another long phrase", "password_again": "x"})
    assert refused.status_code == 404
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    signed_in = client.post(
        reverse("core:sign-in"), {"username": "grace.new", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"


def test_the_link_expires(world, admin, acting, client, settings):
    user = add(admin, acting, world.practice_a).membership.user
    path = tokens.set_password_path(user)
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with mock.patch.object(tokens.set_password_tokens, "_now", return_value=later):
        assert client.get(path).status_code == 404
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("uid", "token"), [("MQ", "made-up"), ("!!", "x-y"), ("OTk5OTk5", "abc-def"), ("", ""),
                       ("MQ\x00", "\x00")]
)  # fmt: skip
def test_made_up_links_open_nothing(world, admin, client, uid, token):
    answer = client.get(reverse("core:set-password"), {"user": uid, "token": token})
    assert answer.status_code == 404
    posted = client.post(
        reverse("core:set-password") + "?" + urlencode({"user": uid, "token": token}),
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert posted.status_code == 404


def test_a_deactivated_persons_link_no_longer_works(world, admin, acting, client):
    member = add(admin, acting, world.practice_a).membership
    path = tokens.set_password_path(member.user)
    actions.deactivate_membership(by=admin, membership=acting, member=member, reason="Left")
    assert client.get(path).status_code == 404


def test_the_admin_can_send_a_new_link(
    world, admin, acting, signed_in, django_capture_on_commit_callbacks
):
    member = add(admin, acting, world.practice_a).membership
    url = reverse("core:staff-member", args=[world.practice_a.pk, member.pk])
    assert "Send a new link" in signed_in.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in.post(url, {"form": "link"}, follow=True)
    assert "We have emailed grace@example.org a new link" in answer.content.decode()
    assert mail.outbox[-1].to == ["grace@example.org"]


# Changing role or team


def test_changing_role_and_team_is_audited(world, admin, acting):
    member = add(admin, acting, world.practice_a).membership
    team = actions.create_team(by=admin, organisation=world.practice_a, name="Long-term conditions")
    actions.change_membership(
        by=admin, membership=acting, member=member, role=Role.CARE_COORDINATOR, team=team
    )
    member.refresh_from_db()
    assert member.role == Role.CARE_COORDINATOR and member.team == team
    event = AuditEvent.objects.get(action="membership.change")
    assert event.organisation == world.practice_a and event.user == admin
    assert event.detail == {
        "role": [Role.PRACTICE_NURSE, Role.CARE_COORDINATOR],
        "team": [None, team.pk],
    }


def test_changing_to_a_role_they_already_hold_here_is_refused(world, admin, acting):
    member = add(admin, acting, world.practice_a).membership
    add(admin, acting, world.practice_a, role=Role.CARE_COORDINATOR, first_name="Grace")
    with pytest.raises(ValidationError, match="already works at Practice A as care coordinator"):
        actions.change_membership(
            by=admin, membership=acting, member=member, role=Role.CARE_COORDINATOR, team=None
        )


def test_the_last_admin_cannot_be_made_something_else(world, admin, acting):
    system = world.user(Role.SYSTEM_ADMIN, world.icb)
    with pytest.raises(ValidationError, match="only admin of Practice A"):
        actions.change_membership(
            by=system, membership=system.memberships.get(), member=acting, role=Role.GP, team=None
        )
    second = add(admin, acting, world.practice_a, role=Role.ORG_ADMIN).membership
    actions.change_membership(by=admin, membership=acting, member=second, role=Role.GP, team=None)


def test_an_admin_cannot_change_their_own_role(world, admin, acting):
    add(admin, acting, world.practice_a, role=Role.ORG_ADMIN)
    with pytest.raises(ValidationError, match="your own role"):
        actions.change_membership(
            by=admin, membership=acting, member=acting, role=Role.GP, team=None
        )
    team = actions.create_team(by=admin, organisation=world.practice_a, name="Admin")
    actions.change_membership(
        by=admin, membership=acting, member=acting, role=Role.ORG_ADMIN, team=team
    )


def test_another_organisations_member_cannot_be_changed(world, admin, acting):
    theirs = world.user(Role.GP, world.practice_b).memberships.get()
    with pytest.raises(PermissionDenied):
        actions.change_membership(
            by=admin, membership=acting, member=theirs, role=Role.PRACTICE_NURSE, team=None
        )


# Deactivating and reactivating


def test_deactivating_takes_effect_on_the_next_request(world, admin, acting, client):
    member = add(admin, acting, world.practice_a).membership
    user = member.user
    user.set_password(PASSWORD)
    user.save()
    client.force_login(user)
    assert client.get("/").status_code == 200
    actions.deactivate_membership(
        by=admin, membership=acting, member=member, reason="Left the practice"
    )
    member.refresh_from_db()
    assert not member.active
    answer = client.get("/")
    assert answer.status_code == 302 and answer["Location"].startswith("/sign-in")
    refused = client.post(
        reverse("core:sign-in"), {"username": user.username, "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert "Your account has been deactivated" in refused.content.decode()
    event = AuditEvent.objects.get(action="membership.deactivate")
    assert event.reason == "Left the practice" and event.organisation == world.practice_a
    assert event.user == admin and event.object_id == str(member.pk)


def test_someone_who_works_elsewhere_too_keeps_that_work_only(world, admin, acting, client):
    user = world.user(Role.GP, world.practice_b, username="two.places")
    actions.add_membership(by=None, user=user, organisation=world.practice_a, role=Role.GP)
    here = user.memberships.get(organisation=world.practice_a)
    client.force_login(user)
    client.post(reverse("core:organisation"), {"membership": here.pk})
    assert "working for Practice A" in client.get("/").content.decode()
    token = actions.create_api_token(by=None, user=user, organisation=world.practice_a)
    actions.deactivate_membership(by=admin, membership=acting, member=here, reason="Moved on")
    home = client.get("/").content.decode()
    assert "working for Practice B" in home and "Practice A" not in home
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401  # their token for Practice A stops working too


def test_deactivating_needs_a_reason_and_not_yourself_or_the_last_admin(world, admin, acting):
    member = add(admin, acting, world.practice_a).membership
    with pytest.raises(ValidationError, match="Say why"):
        actions.deactivate_membership(by=admin, membership=acting, member=member, reason=" ")
    with pytest.raises(ValidationError, match="cannot deactivate yourself"):
        actions.deactivate_membership(by=admin, membership=acting, member=acting, reason="Bye")
    system = world.user(Role.SYSTEM_ADMIN, world.icb)
    with pytest.raises(ValidationError, match="only admin of Practice A"):
        actions.deactivate_membership(
            by=system, membership=system.memberships.get(), member=acting, reason="Bye"
        )
    assert Membership.objects.filter(active=True).count() == 3


def test_reactivating_restores_access(world, admin, acting, client):
    member = add(admin, acting, world.practice_a).membership
    actions.deactivate_membership(by=admin, membership=acting, member=member, reason="Leave")
    actions.reactivate_membership(by=admin, membership=acting, member=member, reason="Back")
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.active and member.user.is_active
    client.force_login(member.user)
    assert "working for Practice A" in client.get("/").content.decode()
    assert AuditEvent.objects.filter(action="membership.reactivate", reason="Back").exists()


def test_adding_someone_back_who_was_deactivated_everywhere(world, admin, acting):
    member = add(admin, acting, world.practice_a).membership
    actions.deactivate_membership(by=admin, membership=acting, member=member, reason="Left")
    with pytest.raises(ValidationError, match="deactivated: reactivate"):
        add(admin, acting, world.practice_a)
    again = add(admin, acting, world.practice_a, role=Role.CARE_COORDINATOR).membership
    again.user.refresh_from_db()
    assert again.user.is_active


# Teams


def test_teams_are_named_once_per_organisation(world, admin):
    team = actions.create_team(by=admin, organisation=world.practice_a, name="  Reception  ")
    assert team.name == "Reception"
    with pytest.raises(ValidationError, match="already has a team called"):
        actions.create_team(by=admin, organisation=world.practice_a, name="reception")
    with pytest.raises(ValidationError, match="Enter the team's name"):
        actions.create_team(by=admin, organisation=world.practice_a, name="")
    with pytest.raises(ValidationError, match="200 characters"):
        actions.create_team(by=admin, organisation=world.practice_a, name="x" * 201)
    actions.create_team(by=admin, organisation=world.practice_b, name="Reception")
    event = AuditEvent.objects.filter(action="team.create").first()
    assert event.organisation == world.practice_b and event.detail == {"name": "Reception"}


# The pages


def test_staff_page_lists_everyone_of_the_organisation(world, admin, acting, signed_in):
    nurse = add(admin, acting, world.practice_a).membership
    team = actions.create_team(by=admin, organisation=world.practice_a, name="Nursing")
    actions.change_membership(
        by=admin, membership=acting, member=nurse, role=Role.PRACTICE_NURSE, team=team
    )
    world.user(Role.GP, world.practice_b, username="not.here")
    page = signed_in.get(reverse("core:staff", args=[world.practice_a.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    for expected in ("Grace Owusu", "grace.new", "grace@example.org", "Practice nurse", "Nursing",
                     "Active", "Never", "helen.admin", "Organisation admin"):  # fmt: skip
        assert expected in text, expected
    assert "not.here" not in text
    assert "nhsuk-table-responsive__heading" in text


def test_staff_page_is_searchable_and_paged(world, admin, acting, signed_in):
    for n in range(30):
        world.user(Role.GP, world.practice_a, username=f"gp.{n:02d}")
    url = reverse("core:staff", args=[world.practice_a.pk])
    first = signed_in.get(url).content.decode()
    assert "31 members of staff" in first and "Page 1 of 2" in first
    second = signed_in.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second
    found = signed_in.get(url, {"q": "gp.07"}).content.decode()
    assert "1 member of staff" in found and "gp.07" in found and "gp.08" not in found
    assert "31 members of staff" in signed_in.get(url, {"q": "\x00\u202e"}).content.decode()
    none = signed_in.get(url, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "No one here matches" in none and "<script>alert(1)" not in none
    gone = signed_in.get(url, {"status": "deactivated"}).content.decode()
    assert "0 members of staff" in gone


def test_adding_through_the_page(world, admin, signed_in, django_capture_on_commit_callbacks):
    url = reverse("core:staff-add", args=[world.practice_a.pk])
    form = signed_in.get(url).content.decode()
    assert "Practice nurse" in form and "Social worker" not in form
    bad = signed_in.post(url, {"first_name": "", "username": "x y", "role": "gp"})
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    assert "Enter their first name" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = signed_in.post(url, {
            "first_name": "Grace", "last_name": "Owusu", "username": "grace.new",
            "email": "grace@example.org", "role": Role.PRACTICE_NURSE, "team": "",
        }, follow=True)  # fmt: skip
    text = done.content.decode()
    assert "Grace Owusu added as practice nurse" in text
    assert "emailed grace@example.org a link to set their password" in text
    assert len(mail.outbox) == 1


def test_changing_team_and_deactivating_through_the_pages(world, admin, acting, signed_in):
    member = add(admin, acting, world.practice_a).membership
    team = actions.create_team(by=admin, organisation=world.practice_a, name="Nursing")
    url = reverse("core:staff-member", args=[world.practice_a.pk, member.pk])
    changed = signed_in.post(
        url, {"form": "change", "role": Role.PRACTICE_NURSE, "team": team.pk}, follow=True
    )
    assert "Saved: Grace Owusu is practice nurse in Nursing" in changed.content.decode()
    access = reverse("core:staff-access", args=[world.practice_a.pk, member.pk])
    page = signed_in.get(access).content.decode()
    assert "Deactivate Grace Owusu" in page
    bad = signed_in.post(access, {"reason": ""})
    assert bad.status_code == 400 and "Say why" in bad.content.decode()
    done = signed_in.post(access, {"reason": "Left the practice"}, follow=True)
    assert "Grace Owusu can no longer work for Practice A" in done.content.decode()
    member.refresh_from_db()
    assert not member.active
    back = signed_in.post(access, {"reason": "Returned"}, follow=True)
    assert "Grace Owusu can work for Practice A again" in back.content.decode()


def test_own_page_offers_no_deactivation(world, admin, acting, signed_in):
    text = signed_in.get(
        reverse("core:staff-member", args=[world.practice_a.pk, acting.pk])
    ).content.decode()
    assert "You cannot deactivate yourself" in text
    answer = signed_in.post(
        reverse("core:staff-access", args=[world.practice_a.pk, acting.pk]), {"reason": "x"}
    )
    assert answer.status_code == 400
    acting.refresh_from_db()
    assert acting.active


def test_teams_page(world, admin, signed_in):
    url = reverse("core:teams", args=[world.practice_a.pk])
    assert "No teams yet" in signed_in.get(url).content.decode()
    done = signed_in.post(url, {"name": "Reception"}, follow=True)
    assert "Team Reception added" in done.content.decode()
    duplicate = signed_in.post(url, {"name": "reception"})
    assert duplicate.status_code == 400 and "already has a team" in duplicate.content.decode()
    assert Team.objects.filter(organisation=world.practice_a).count() == 1


def test_staff_link_in_the_header_and_home_for_admins_only(world, admin, signed_in, client):
    home = signed_in.get("/").content.decode()
    assert reverse("core:staff-home") in home
    assert signed_in.get(reverse("core:staff-home"))["Location"] == reverse(
        "core:staff", args=[world.practice_a.pk]
    )
    gp = world.user(Role.GP, world.practice_a)
    client.force_login(gp)
    assert reverse("core:staff-home") not in client.get("/").content.decode()


def all_urls(world, member, team=None):
    org = world.practice_a.pk
    return [
        reverse("core:staff-home"),
        reverse("core:staff", args=[org]),
        reverse("core:staff-add", args=[org]),
        reverse("core:staff-member", args=[org, member.pk]),
        reverse("core:staff-access", args=[org, member.pk]),
        reverse("core:teams", args=[org]),
    ]


def test_another_organisations_admin_and_a_gp_are_refused(world, admin, acting, client):
    member = add(admin, acting, world.practice_a).membership
    other_admin = world.user(Role.ORG_ADMIN, world.practice_b)
    gp = world.user(Role.GP, world.practice_a)
    for user in (other_admin, gp):
        client.force_login(user)
        for url in all_urls(world, member):
            if url == reverse("core:staff-home") and user == other_admin:
                continue  # their own organisation's staff
            assert client.get(url).status_code == 403, (user, url)
            assert client.post(url, {"reason": "x", "name": "Hack", "form": "change",
                                     "role": "gp", "first_name": "A", "last_name": "B",
                                     "username": "hack", "email": "h@example.org"}
                               ).status_code in (403, 405), (user, url)  # fmt: skip
    member.refresh_from_db()
    assert member.active and member.role == Role.PRACTICE_NURSE
    assert not Team.objects.exists() and not User.objects.filter(username="hack").exists()


def test_a_member_is_found_only_through_their_own_organisation(world, admin, acting, signed_in):
    theirs = world.user(Role.GP, world.practice_b).memberships.get()
    # Practice A's address with Practice B's member: not found.
    for name in ("core:staff-member", "core:staff-access"):
        url = reverse(name, args=[world.practice_a.pk, theirs.pk])
        assert signed_in.get(url).status_code == 404
        assert signed_in.post(url, {"reason": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.active


def test_a_system_admin_administers_any_organisation(world, client):
    system = world.user(Role.SYSTEM_ADMIN, world.icb)
    gp = world.user(Role.GP, world.practice_b, username="b.gp")
    client.force_login(system)
    chooser = client.get(reverse("core:staff-home"))
    assert chooser.status_code == 200 and "Practice B" in chooser.content.decode()
    chosen = client.get(reverse("core:staff-home"), {"organisation": world.practice_b.pk})
    assert chosen["Location"] == reverse("core:staff", args=[world.practice_b.pk])
    assert "b.gp" in client.get(chosen["Location"]).content.decode()
    member = gp.memberships.get()
    url = reverse("core:staff-member", args=[world.practice_b.pk, member.pk])
    assert client.get(url).status_code == 200


# Hostile input: markup comes back escaped, nothing half-saved.

HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "=HYPERLINK(\"x\")",
    "'; DROP TABLE core_user; --", "\u202e", "\x00", "a" * 20_000, "{{ 7*7 }}", "%s%s%n",
]) | st.text(max_size=80)  # fmt: skip
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestHostileStaffForms(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = World()
        cls.admin = cls.world.user(Role.ORG_ADMIN, cls.world.practice_a, username="h.admin")

    def assert_escaped(self, answer):
        page = answer.content.decode()
        assert answer.status_code in (200, 302, 400), answer.status_code
        assert "<script>alert(1)" not in page and "<img src=x" not in page

    @FAST
    @given(HOSTILE, HOSTILE, HOSTILE, HOSTILE)
    def test_add_form(self, first, last, username, email):
        self.client.force_login(self.admin)
        users = User.objects.count()
        answer = self.client.post(
            reverse("core:staff-add", args=[self.world.practice_a.pk]),
            {"first_name": first, "last_name": last, "username": username, "email": email,
             "role": Role.PRACTICE_NURSE, "team": "<b>"},
        )  # fmt: skip
        self.assert_escaped(answer)
        assert answer.status_code == 400  # the team is nonsense, so nothing is saved
        assert User.objects.count() == users

    @FAST
    @given(HOSTILE)
    def test_team_form(self, name):
        self.client.force_login(self.admin)
        answer = self.client.post(
            reverse("core:teams", args=[self.world.practice_a.pk]), {"name": name}
        )
        self.assert_escaped(answer)
        if answer.status_code == 302:
            team = Team.objects.get(organisation=self.world.practice_a, name=name.strip())
            assert "\x00" not in team.name
            page = self.client.get(reverse("core:teams", args=[self.world.practice_a.pk]))
            self.assert_escaped(page)

    @FAST
    @given(HOSTILE, HOSTILE)
    def test_member_and_access_forms(self, role, reason):
        self.client.force_login(self.admin)
        member = self.admin.memberships.get()
        org = self.world.practice_a.pk
        answer = self.client.post(
            reverse("core:staff-member", args=[org, member.pk]),
            {"form": "change", "role": role, "team": reason},
        )
        self.assert_escaped(answer)
        answer = self.client.post(
            reverse("core:staff-access", args=[org, member.pk]), {"reason": reason}
        )
        self.assert_escaped(answer)
        member.refresh_from_db()
        assert member.active and member.role == Role.ORG_ADMIN

    @FAST
    @given(HOSTILE, HOSTILE)
    def test_set_password_form(self, password, again):
        user = User.objects.create(username="h.new", first_name="H", last_name="New")
        user.set_unusable_password()
        user.save()
        path = tokens.set_password_path(user)
        answer = self.client.post(path, {"password": password, "password_again": again})
        self.assert_escaped(answer)


def test_ids_out_of_range_are_not_found(world, signed_in):
    huge = 10**30
    assert signed_in.get(f"/organisations/{huge}/staff").status_code == 404
    assert signed_in.get(f"/organisations/{world.practice_a.pk}/staff/{huge}").status_code == 404
    assert (
        signed_in.get(reverse("core:staff", args=[world.practice_a.pk]), {"page": huge}).status_code
        == 200
    )
    team = signed_in.post(
        reverse("core:staff-add", args=[world.practice_a.pk]), {"team": str(huge)}
    )
    assert team.status_code == 400 and "Choose a team from the list" in team.content.decode()
