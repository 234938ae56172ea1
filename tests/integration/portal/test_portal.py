"""The resident portal: invitations, separate sign-in, a resident's own plan only."""

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from joinedup.care import actions as care_actions
from joinedup.core.models import AuditEvent, Role
from joinedup.portal import actions
from joinedup.portal.models import Invitation, ResidentAccount

PASSWORD = "correct horse battery staple"


@pytest.fixture
def residents(world, membership_of):
    gp = world.user(Role.GP, world.practice_a)
    m = membership_of(gp)
    mary = world.person(given_name="Mary", family_name="Jones", email="mary@example.org")
    other = world.person(given_name="Other", family_name="Person")
    for person in (mary, other):
        plan = care_actions.start_plan(by=gp, membership=m, person=person)
        care_actions.save_goal(
            by=gp,
            membership=m,
            plan=plan,
            base_version=1,
            data={"text": f"{person.given_name}'s own goal"},
        )

    class R:
        pass

    r = R()
    r.world, r.gp, r.m, r.mary, r.other = world, gp, m, mary, other
    return r


def _link_token(outbox) -> str:
    return re.search(r"/portal/(?:join|proxy)/(\S+)", outbox[-1].body).group(1)


def test_an_invitation_makes_an_account_once(residents, client, django_capture_on_commit_callbacks):
    client.force_login(residents.gp)
    invite_url = reverse("portal:invite", args=[residents.mary.pk])
    bad = client.post(invite_url, {"email": "not an address"})
    assert bad.status_code == 400 and "Enter an email address" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(invite_url, {"email": "Mary@Example.org"}).status_code == 200
    token = _link_token(mail.outbox)
    assert Invitation.objects.get().token_hash != token  # only a hash is kept
    join = reverse("portal:join", args=[token])
    page = client.get(join)
    assert page.status_code == 200 and "mary@example.org" in page.content.decode()
    # The staff session ends when the resident's begins.
    mismatch = client.post(join, {"password": PASSWORD, "password_again": "different"})
    assert mismatch.status_code == 400 and "not the same" in mismatch.content.decode()
    weak = client.post(join, {"password": "123", "password_again": "123"})
    assert weak.status_code == 400
    done = client.post(join, {"password": PASSWORD, "password_again": PASSWORD})
    assert done.url == reverse("portal:home")
    assert ResidentAccount.objects.get().person == residents.mary
    assert client.get(reverse("care:caseload")).status_code == 302  # no staff session left
    again = client.get(join)
    assert again.status_code == 404 and "has been used" in again.content.decode()
    assert client.get(reverse("portal:join", args=["guess" * 8])).status_code == 404


def test_expired_and_replaced_invitations_do_not_work(residents, client):
    def invite():
        return actions.invite_resident(
            by=residents.gp,
            membership=residents.m,
            person=residents.mary,
            email="mary@example.org",
            link_base="http://testserver/portal/join/",
        )

    first = invite()
    second = invite()  # a new invitation stops the old link
    assert client.get(reverse("portal:join", args=[first.token])).status_code == 404
    Invitation.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(1))
    expired = client.get(reverse("portal:join", args=[second.token]))
    assert expired.status_code == 404 and "expired" in expired.content.decode()


def test_a_resident_sees_only_their_own_plan(residents, client):
    account = actions.create_demo_account(
        person=residents.mary, email="mary@example.org", password=PASSWORD
    )
    actions.create_demo_account(person=residents.other, email="o@example.org", password=PASSWORD)
    assert client.get(reverse("portal:plan")).status_code == 302  # signed out
    response = client.post(
        reverse("portal:sign-in"), {"email": "mary@example.org", "password": PASSWORD}
    )
    assert response.url == reverse("portal:home")
    for name in ("portal:plan", "portal:plan-easy-read"):
        page = client.get(reverse(name)).content.decode()
        assert "Mary&#39;s own goal" in page or "Mary's own goal" in page
        assert "Other" not in page
    pdf = client.get(reverse("portal:plan-pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(
        action="portal.view.plan", person_id=residents.mary.pk, object_id=str(account.pk)
    ).exists()
    # A resident session opens no staff page, and another resident's record is unknown.
    assert client.get(reverse("care:plan", args=[residents.other.pk])).status_code == 302
    assert client.get(reverse("people:summary", args=[residents.other.pk])).status_code == 302
    client.post(reverse("portal:sign-out"))
    assert client.get(reverse("portal:plan")).status_code == 302


def test_sign_in_is_throttled_and_staff_sign_in_ends_the_resident_session(
    residents, client, settings
):
    settings.PORTAL_FAILURE_LIMIT = 3
    actions.create_demo_account(person=residents.mary, email="mary@example.org", password=PASSWORD)
    url = reverse("portal:sign-in")
    for _ in range(3):
        wrong = client.post(url, {"email": "mary@example.org", "password": "nope"})
        assert "not right" in wrong.content.decode()
    locked = client.post(url, {"email": "mary@example.org", "password": PASSWORD})
    assert locked.status_code == 400 and "Too many attempts" in locked.content.decode()
    settings.PORTAL_FAILURE_LIMIT = 10
    assert client.post(url, {"email": "mary@example.org", "password": PASSWORD}).status_code == 302
    assert client.get(reverse("portal:plan")).status_code == 200
    client.force_login(residents.gp)  # a staff sign-in in the same browser
    assert client.get(reverse("portal:plan")).status_code == 302
    # An open redirect is not followed after sign-in.
    client.logout()
    away = client.post(
        url, {"email": "mary@example.org", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert away.url == reverse("portal:home")


def test_residents_shape_their_plan_and_the_care_team_is_told(residents, client):
    from joinedup.care.models import CarePlan, PlanVersion, Task, TaskKind

    care_actions.add_team_member(
        by=residents.gp,
        membership=residents.m,
        person=residents.mary,
        organisation=residents.world.practice_a,
        user=residents.gp,
        role="GP",
        is_key_worker=True,
    )
    actions.create_demo_account(person=residents.mary, email="mary@example.org", password=PASSWORD)
    client.post(reverse("portal:sign-in"), {"email": "mary@example.org", "password": PASSWORD})
    url = reverse("portal:plan-change", args=["about_me"])
    hostile = "My garden <script>alert(1)</script>"
    saved = client.post(
        url, {"base_version": "2", "about_me-what_matters": hostile, "about_me-please_call_me": "M"}
    )
    assert saved.url == reverse("portal:plan")
    confirmed = html.unescape(client.get(saved.url).content.decode())
    assert "Saved: your changes to “About me”. Your care team will see this" in confirmed
    plan = CarePlan.objects.get(person=residents.mary)
    latest = PlanVersion.objects.filter(plan=plan).first()
    assert latest.by_person and latest.author is None
    assert latest.content["about_me"]["what_matters"] == hostile
    page = client.get(reverse("portal:plan")).content.decode()
    assert "&lt;script&gt;" in page and hostile not in page
    stale = client.post(url, {"base_version": "2", "about_me-what_matters": "old"})
    assert stale.status_code == 409
    assert client.get(reverse("portal:plan-change", args=["contingency"])).status_code == 404

    goal_id = latest.content["goals"][0]["id"]
    progress = client.post(
        reverse("portal:goal", args=[goal_id]),
        {"base_version": str(plan.version), "progress": "some_progress", "note": "Twice!"},
    )
    assert progress.status_code == 302
    goal = CarePlan.objects.get(person=residents.mary).versions.first().content["goals"][0]
    assert goal["progress"] == "some_progress" and goal["note"] == "Twice!"
    other_goal = actions_other_goal(residents)
    assert client.get(reverse("portal:goal", args=[other_goal])).status_code == 404

    # Two changes one after the other: one inbox item for the key worker, listing both.
    told = Task.objects.get(person=residents.mary, kind=TaskKind.MESSAGE)
    assert told.owner_user == residents.gp and told.status == "requested"
    assert told.description == "Mary JONES updated their plan (2 changes)"
    assert "changed About me" in told.detail and "changed progress on" in told.detail
    client.force_login(residents.gp)
    inbox = client.get(reverse("care:inbox")).content.decode()
    assert "Mary JONES updated their plan (2 changes)" in inbox
    versions = client.get(reverse("care:plan-versions", args=[residents.mary.pk])).content
    assert "Mary JONES (the person, online)" in versions.decode()


def actions_other_goal(residents) -> str:
    from joinedup.care.models import CarePlan

    plan = CarePlan.objects.get(person=residents.other)
    return care_actions.current_content(plan)["goals"][0]["id"]


def test_my_data_shows_who_looked_and_records_sharing_choices(residents, client):
    actions.create_demo_account(person=residents.mary, email="mary@example.org", password=PASSWORD)
    client.force_login(residents.gp)
    client.get(reverse("people:summary", args=[residents.mary.pk]))
    client.post(reverse("portal:sign-in"), {"email": "mary@example.org", "password": PASSWORD})
    page = client.get(reverse("portal:my-data")).content.decode()
    # In plain English: who (with their title and organisation), what, and when.
    said = f"Dr {residents.gp.get_full_name()} at {residents.world.practice_a.name} looked at"
    assert f"{said} your record on " in html.unescape(page)
    assert "person.view" not in page and "Summary" not in page
    client.post(
        reverse("portal:my-data"),
        {"sensitive_sharing_consent": "yes", "objects_to_sharing": "no"},
    )
    residents.mary.refresh_from_db()
    assert residents.mary.sensitive_sharing_consent and not residents.mary.objects_to_sharing
    assert AuditEvent.objects.filter(
        action="person.sharing_choices", person_id=residents.mary.pk, user=None
    ).exists()
    # Find support starts from Mary's own postcode and age.
    residents.mary.postcode = "JU1 1AA"
    residents.mary.save()
    support = client.get(reverse("portal:find-support")).content.decode()
    assert 'value="JU1 1AA"' in support and "Find support near me" in support


def test_carers_see_exactly_what_was_shared_until_it_is_taken_away(
    residents, client, django_capture_on_commit_callbacks
):
    from django.test import Client

    from joinedup.portal.models import ProxyGrant

    mary = actions.create_demo_account(
        person=residents.mary, email="mary@example.org", password=PASSWORD
    )
    # The other resident also cares for Mary: they see both, apart.
    actions.create_demo_account(person=residents.other, email="o@example.org", password=PASSWORD)
    client.post(reverse("portal:sign-in"), {"email": "mary@example.org", "password": PASSWORD})
    url = reverse("portal:carers")
    bad = client.post(
        url,
        {"name": "", "email": "x", "until-day": "1", "until-month": "1", "until-year": "2020"},
    )
    assert bad.status_code == 400
    assert {"name", "email", "sections", "until"} <= set(
        re.findall(r'href="#([a-z_]+)"', bad.content.decode())
    )
    until = timezone.localdate() + timedelta(days=30)
    dates = {"until-day": until.day, "until-month": until.month, "until-year": until.year}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {"name": "Sam Jones", "email": "sam@example.org", "sections": ["goals"], **dates}
        )
    sam_token = _link_token(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {"name": "Other", "email": "o@example.org", "sections": ["care_team"], **dates}
        )
    other_token = _link_token(mail.outbox)

    sam = Client()
    accept = reverse("portal:proxy-accept", args=[sam_token])
    assert sam.post(accept, {"password": PASSWORD, "password_again": PASSWORD}).status_code == 302
    home = sam.get(reverse("portal:home")).content.decode()
    assert "Mary JONES" in home
    shared = sam.get(reverse("portal:proxy-plan", args=[residents.mary.pk])).content.decode()
    assert "Mary&#39;s own goal" in shared and "Care team" not in shared
    assert sam.get(reverse("portal:proxy-plan", args=[residents.other.pk])).status_code == 404
    assert sam.get(reverse("portal:plan")).status_code == 404  # no plan of their own
    assert sam.get(reverse("portal:proxy-accept", args=[sam_token])).status_code == 404  # used

    other = Client()
    other.post(reverse("portal:sign-in"), {"email": "o@example.org", "password": PASSWORD})
    other.post(reverse("portal:proxy-accept", args=[other_token]))
    page = other.get(reverse("portal:home")).content.decode()
    assert "Your own plan" in page and "People who have shared their plan with you" in page
    assert (
        "Care team"
        in other.get(reverse("portal:proxy-plan", args=[residents.mary.pk])).content.decode()
    )

    grant = ProxyGrant.objects.get(name="Sam Jones")
    client.post(url, {"form": "revoke", "grant": grant.pk})
    assert sam.get(reverse("portal:proxy-plan", args=[residents.mary.pk])).status_code == 404
    ProxyGrant.objects.filter(name="Other").update(until=timezone.localdate() - timedelta(1))
    assert other.get(reverse("portal:proxy-plan", args=[residents.mary.pk])).status_code == 404
    assert mary.pk  # Mary's own access is untouched
    assert client.get(reverse("portal:plan")).status_code == 200


def test_two_factor_sign_in_for_residents(residents, client):
    from django_otp.oath import TOTP

    actions.create_demo_account(person=residents.mary, email="mary@example.org", password=PASSWORD)
    sign_in = {"email": "mary@example.org", "password": PASSWORD}
    client.post(reverse("portal:sign-in"), sign_in)
    assert "Scan this" in client.get(reverse("portal:two-factor")).content.decode()
    key = client.session["joinedup_resident_new_totp"]
    wrong = client.post(reverse("portal:two-factor"), {"code": "000000"})
    assert wrong.status_code == 400
    code = f"{TOTP(bytes.fromhex(key)).token():06d}"
    assert "now on" in client.post(reverse("portal:two-factor"), {"code": code}).content.decode()
    client.post(reverse("portal:sign-out"))

    half = client.post(reverse("portal:sign-in"), sign_in)
    assert half.url == reverse("portal:sign-in-code")
    assert client.get(reverse("portal:plan")).status_code == 302  # not in yet
    assert client.post(reverse("portal:sign-in-code"), {"code": "123456"}).status_code == 400
    code = f"{TOTP(bytes.fromhex(key)).token():06d}"
    assert client.post(reverse("portal:sign-in-code"), {"code": code}).status_code == 302
    assert client.get(reverse("portal:plan")).status_code == 200


def test_every_portal_address_with_someone_elses_id_is_not_found(residents, client):
    """Every portal URL that takes an id, tried as one resident with the other's."""
    from django.urls import get_resolver

    from joinedup.care.models import CarePlan

    actions.create_demo_account(person=residents.mary, email="mary@example.org", password=PASSWORD)
    client.post(reverse("portal:sign-in"), {"email": "mary@example.org", "password": PASSWORD})
    others_goal = actions_other_goal(residents)
    samples = {"person_id": residents.other.pk, "goal_id": others_goal}
    resolver = get_resolver().url_patterns
    portal = next(p for p in resolver if getattr(p, "namespace", "") == "portal")
    tried = 0
    for pattern in portal.url_patterns:
        names = list(pattern.pattern.converters)
        if not names or not set(names) <= set(samples):
            continue
        url = reverse(f"portal:{pattern.name}", kwargs={n: samples[n] for n in names})
        response = client.get(url)
        if pattern.name == "invite":  # a staff page: a resident is sent to staff sign-in
            assert response.url.startswith("/sign-in"), url
        else:
            assert response.status_code == 404, url
        tried += 1
    assert tried >= 2
    assert CarePlan.objects.filter(person=residents.other).exists()


def test_residents_find_support_and_report_a_wrong_listing(residents, client):
    import json

    from joinedup.directory import actions as directory_actions
    from joinedup.directory.models import ProblemReport

    feed = [
        {
            "id": "lunch",
            "name": "Lunch club",
            "organization": {"id": "o", "name": "Age Well"},
            "attributes": [{"taxonomy_term": {"id": "joinedup-needs:loneliness"}}],
            "service_at_locations": [
                {"location": {"id": "l", "latitude": 51.551, "longitude": -0.06}}
            ],
        }
    ]
    directory_actions.import_feed(by=None, source="f", data=json.dumps(feed).encode())
    actions.create_demo_account(person=residents.mary, email="mary@example.org", password=PASSWORD)
    client.post(reverse("portal:sign-in"), {"email": "mary@example.org", "password": PASSWORD})
    found = client.get(
        reverse("portal:find-support"), {"need": "loneliness", "distance": "2", "search": "1"}
    ).content.decode()
    assert "Lunch club" in found and "from JU1 1AA" in found
    assert reverse("portal:service", args=["lunch"]) in found
    page = client.get(reverse("portal:service", args=["lunch"])).content.decode()
    assert "Report a problem with this listing" in page
    url = reverse("portal:report", args=["lunch"])
    assert client.post(url, {"kind": "closed"}).status_code == 302
    report = ProblemReport.objects.get()
    assert report.reported_by_resident and report.reported_by is None
    # Staff pages of the directory stay closed to residents.
    assert client.get(reverse("directory:search")).status_code == 302
