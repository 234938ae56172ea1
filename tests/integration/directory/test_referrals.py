"""Referring a person to a directory service: consent recorded, the provider's inbox,
accept or decline, contact and completion seen by the referrer (closed loop), wellbeing
before and after, and outcomes per service only from 5 people up."""

import json

import pytest
from django.urls import reverse

from joinedup.care import actions as care_actions
from joinedup.care.models import Task, TaskStatus
from joinedup.core.models import AuditEvent, OrganisationType, Role
from joinedup.directory import actions
from joinedup.directory.models import DirectoryOrganisation, Service, ServiceReferral

FEED = [
    {
        "id": "lunch",
        "name": "Lunch club",
        "organization": {"id": "age-well", "name": "Age Well"},
    },
    {
        "id": "choir",
        "name": "Community choir",
        "organization": {"id": "church", "name": "St Mary's Church"},
    },
]
BEFORE = {"before_satisfied": "4", "before_worthwhile": "5", "before_happy": "3",
          "before_anxious": "8"}  # fmt: skip
AFTER = {"after_satisfied": "7", "after_worthwhile": "7", "after_happy": "6", "after_anxious": "4"}


@pytest.fixture
def setting(world, membership_of):
    actions.import_feed(by=None, source="feed", data=json.dumps(FEED).encode())
    group = world.organisation("Age Well (voluntary)", OrganisationType.VOLUNTARY)
    DirectoryOrganisation.objects.filter(oruk_id="age-well").update(partner=group)

    class Setting:
        navigator = world.user(Role.CARE_NAVIGATOR, world.practice_a)
        volunteer = world.user(Role.VOLUNTARY_WORKER, group)
        stranger = world.user(Role.VOLUNTARY_WORKER, world.organisation("Other group", "voluntary"))
        person = world.person(given_name="Mary", family_name="Jones")
        lunch = Service.objects.get(oruk_id="lunch")
        choir = Service.objects.get(oruk_id="choir")

    Setting.membership = membership_of(Setting.navigator)
    Setting.volunteer_membership = membership_of(Setting.volunteer)
    return Setting


def test_the_loop_from_referral_to_outcome(setting, client):
    s = setting
    client.force_login(s.navigator)
    url = reverse("directory:refer", args=["lunch", s.person.pk])
    form = client.get(url).content.decode()
    assert "Refer Mary JONES to Lunch club" in form and "Age Well (voluntary)" in form
    # No consent, half the wellbeing questions: nothing is sent.
    answer = client.post(url, {"reason": "Lonely since her husband died", "before_satisfied": "4"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Say how the person agreed" in page or "Answer all four" in page
    assert not Task.objects.exists()
    answer = client.post(url, {"reason": "Lonely since her husband died", "consent": "spoken",
                               **BEFORE})  # fmt: skip
    referral = ServiceReferral.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/tasks/{referral.task_id}/")
    assert referral.before == {"satisfied": 4, "worthwhile": 5, "happy": 3, "anxious": 8}
    assert referral.task.owner_organisation.name == "Age Well (voluntary)"
    assert AuditEvent.objects.filter(
        action="directory.referral.create", person_id=s.person.pk
    ).exists()

    # The volunteer sees it in their organisation's inbox and accepts it, then makes contact.
    client.force_login(s.volunteer)
    inbox = client.get(reverse("care:inbox")).content.decode()
    assert "Referral to Lunch club" in inbox
    task = referral.task
    for status in (TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS):
        task = care_actions.move_task(
            by=s.volunteer, membership=s.volunteer_membership, task=task, status=status,
            base_version=task.version,
        )  # fmt: skip
    # Someone from another group cannot record the outcome.
    client.force_login(s.stranger)
    assert client.get(reverse("directory:outcome", args=[referral.pk])).status_code == 403
    client.force_login(s.volunteer)
    page = client.get(reverse("care:task", args=[task.pk])).content.decode()
    assert "Record how they feel at the end" in page
    assert client.post(reverse("directory:outcome", args=[referral.pk]), {"after_happy": "11"}
                       ).status_code == 400  # fmt: skip
    # Nothing answered: each of the four questions says what to enter.
    blank = client.post(reverse("directory:outcome", args=[referral.pk]), {}).content.decode()
    for words in ("how satisfied they are", "how worthwhile", "how happy", "how anxious"):
        assert f"Enter {words}" in blank, words
    client.post(reverse("directory:outcome", args=[referral.pk]), AFTER)
    care_actions.move_task(
        by=s.volunteer, membership=s.volunteer_membership, task=task,
        status=TaskStatus.COMPLETED, base_version=task.version, outcome="Comes every Thursday",
    )  # fmt: skip
    referral.refresh_from_db()
    assert referral.after["happy"] == 6

    # The navigator sees it done.
    client.force_login(s.navigator)
    sent = client.get(reverse("care:inbox")).content.decode()
    assert "Comes every Thursday" in sent or "Completed" in sent
    # One person's answers are never shown on the service page.
    page = client.get(reverse("directory:service", args=["lunch"])).content.decode()
    assert "fewer than 5" in page and "Average change" not in page


def test_outcomes_show_from_five_people(setting):
    s = setting
    for n in range(5):
        person = (
            s.person if n == 0 else type(s.person).objects.get(pk=s.person.pk)
        )  # the same person may be referred more than once
        referral = actions.refer(
            by=s.navigator, membership=s.membership, person=person, service=s.lunch,
            reason="", consent="written",
            before={"satisfied": 4, "worthwhile": 5, "happy": 3, "anxious": 8},
        )  # fmt: skip
        task = referral.task
        for status in (TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS):
            task = care_actions.move_task(
                by=s.volunteer, membership=s.volunteer_membership, task=task, status=status,
                base_version=task.version,
            )  # fmt: skip
        referral.task = task
        actions.record_outcome(
            by=s.volunteer, membership=s.volunteer_membership, referral=referral,
            after={"satisfied": 6, "worthwhile": 6, "happy": 5, "anxious": 6 + n % 2},
        )  # fmt: skip
    result = actions.outcomes(s.lunch)
    assert result["referred"] == "5" and result["paired"] == 5
    assert result["changes"] == {"satisfied": 2.0, "worthwhile": 1.0, "happy": 2.0,
                                 "anxious": -1.6}  # fmt: skip


def test_referrals_are_refused_where_they_should_be(setting, client, world):
    s = setting
    with pytest.raises(Exception, match="does not take referrals through joinedup"):
        actions.refer(by=s.navigator, membership=s.membership, person=s.person, service=s.choir,
                      reason="", consent="spoken")  # fmt: skip
    with pytest.raises(Exception, match="Say how the person agreed"):
        actions.refer(by=s.navigator, membership=s.membership, person=s.person, service=s.lunch,
                      reason="", consent="")  # fmt: skip
    # Someone with no relationship to the person cannot refer them, or search for them.
    client.force_login(s.stranger)
    assert client.get(reverse("directory:refer", args=["lunch", s.person.pk])).status_code == 403
    assert client.get(reverse("directory:search"), {"person": s.person.pk}).status_code == 403
    # A person from another practice is out of the navigator's reach.
    other = world.person(practice=world.practice_b, given_name="Other")
    client.force_login(s.navigator)
    assert client.get(reverse("directory:refer", args=["lunch", other.pk])).status_code == 403
    # The search for a person starts from their postcode, and the choir says to phone.
    page = client.get(reverse("directory:search"), {"person": s.person.pk}).content.decode()
    assert 'value="JU1 1AA"' in page and "Find services for Mary JONES" in page
    page = client.get(reverse("directory:service", args=["choir"]), {"person": s.person.pk})
    assert "does not take referrals through joinedup" in page.content.decode()


def test_a_shortlist_is_put_together_given_and_seen_by_the_person(setting, client):
    from joinedup.directory.models import Shortlist
    from joinedup.portal import actions as portal_actions
    from tests.factories import PASSWORD

    s = setting
    client.force_login(s.navigator)
    for oruk_id in ("lunch", "choir", "lunch"):  # the same service twice is kept once
        client.post(reverse("directory:shortlist-add", args=[oruk_id, s.person.pk]))
    page = client.get(reverse("directory:shortlist", args=[s.person.pk])).content.decode()
    assert "Lunch club" in page and "Community choir" in page
    url = reverse("directory:shortlist", args=[s.person.pk])
    client.post(url, {"remove": "choir"})
    client.post(url, {"note": "Try the lunch club first: Thursdays are friendliest"})
    shortlist = Shortlist.objects.get()
    assert shortlist.given_at and [i.service.oruk_id for i in shortlist.items.all()] == ["lunch"]
    pdf = client.get(reverse("directory:shortlist-pdf", args=[shortlist.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # Given means fixed; the next add starts a new shortlist.
    client.post(reverse("directory:shortlist-add", args=["choir", s.person.pk]))
    assert Shortlist.objects.count() == 2
    # Someone with no relationship to the person can neither see nor add.
    client.force_login(s.stranger)
    assert client.get(url).status_code == 403
    assert client.get(reverse("directory:shortlist-pdf", args=[shortlist.pk])).status_code == 403
    # The person sees what they were given in the portal, and only that.
    portal_actions.create_demo_account(person=s.person, email="mary@example.org", password=PASSWORD)
    client.logout()
    client.post(reverse("portal:sign-in"), {"email": "mary@example.org", "password": PASSWORD})
    page = client.get(reverse("portal:find-support")).content.decode()
    assert "Services your care team suggested" in page
    mine = client.get(reverse("portal:shortlist", args=[shortlist.pk]))
    assert mine.content.startswith(b"%PDF")
    other = Shortlist.objects.exclude(pk=shortlist.pk).get()  # not given yet
    assert client.get(reverse("portal:shortlist", args=[other.pk])).status_code == 404


def test_a_practice_list_catchment_counts_for_that_practices_patients(setting, client, world):
    feed = [
        {
            "id": "practice-only",
            "name": "Practice walking group",
            "organization": {"id": "pa", "name": "Practice A health team"},
            "service_areas": [{"name": world.practice_a.ods_code}],
        }
    ]
    actions.import_feed(by=None, source="p", data=json.dumps(feed).encode())
    other = world.person(practice=world.practice_b, given_name="Bea", postcode="JU1 1AA")
    client.force_login(setting.navigator)
    mine = client.get(reverse("directory:search"), {"person": setting.person.pk, "q": "walking"})
    assert "Practice walking group" in mine.content.decode()
    # A patient of another practice living at the same postcode is outside the list.
    client.force_login(world.user(Role.GP, world.practice_b))
    theirs = client.get(reverse("directory:search"), {"person": other.pk, "q": "walking"})
    assert "Practice walking group" not in theirs.content.decode()


def test_the_form_says_exactly_whose_inbox_the_referral_goes_to(setting, client):
    """The service is Age Well's; Age Well (voluntary) works its referrals in joinedup: the
    form names both, and the one it names as the inbox is the one the task goes to."""
    s = setting
    client.force_login(s.navigator)
    url = reverse("directory:refer", args=["lunch", s.person.pk])
    form = client.get(url).content.decode()
    assert (
        "This referral goes to the inbox of <strong>Age Well (voluntary)</strong>, "
        "who take referrals for Age Well in joinedup." in form
    )
    answer = client.post(url, {"reason": "", "consent": "spoken"}, follow=True)
    task = Task.objects.get()
    assert task.owner_organisation.name == "Age Well (voluntary)"
    assert "Referral sent to the inbox of Age Well (voluntary)" in answer.content.decode()
    # When the service's organisation works its own referrals, it is named once.
    DirectoryOrganisation.objects.filter(oruk_id="age-well").update(name="Age Well (voluntary)")
    form = client.get(url).content.decode()
    assert "This referral goes to the inbox of <strong>Age Well (voluntary)</strong>." in form


def test_every_wellbeing_error_is_shown_at_once_in_words(setting, client):
    s = setting
    client.force_login(s.navigator)
    url = reverse("directory:refer", args=["lunch", s.person.pk])
    answer = client.post(
        url, {"reason": "Lonely", "before_satisfied": "x", "before_happy": "11"}
    )  # no consent, two bad answers, two missing
    assert answer.status_code == 400 and not Task.objects.exists()
    page = answer.content.decode()
    summary = page.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    for field, words in (
        ("consent", "Say how the person agreed"),
        ("before_satisfied", "Enter how satisfied they are with their life nowadays"),
        ("before_worthwhile", "Enter how worthwhile they feel the things they do are"),
        ("before_happy", "Enter how happy they felt yesterday"),
        ("before_anxious", "Enter how anxious they felt yesterday"),
    ):
        assert f'href="#{field}"' in summary and words in summary, field
        assert f'id="{field}--error-message"' in page or f'id="{field}-error"' in page, field
    assert "from 0 to 10" in summary and "or leave all four blank" in summary
    assert "?: " not in summary and "? Enter" not in summary
    # The end-of-referral form is the same.
    with pytest.raises(Exception) as caught:
        actions.ons4_scores({"after_satisfied": "3", "after_anxious": "-1"}, "after_")
    assert set(caught.value.message_dict) == {
        "after_worthwhile", "after_happy", "after_anxious"
    }  # fmt: skip


def test_someone_is_referred_from_the_service_page(setting, client, world):
    """A service's page offers "Refer someone to this service" to those who may refer, and
    lists only the people they have a relationship with."""
    s = setting
    world.person(practice=world.practice_b, given_name="Olive", family_name="Jones")
    client.force_login(s.navigator)
    page = client.get(reverse("directory:service", args=["lunch"])).content.decode()
    who = reverse("directory:refer-who", args=["lunch"])
    assert f'href="{who}"' in page and "Refer someone to this service" in page
    listed = client.get(who).content.decode()
    refer = reverse("directory:refer", args=["lunch", s.person.pk])
    assert f'href="{refer}"' in listed and "Olive" not in listed
    found = client.get(who, {"q": "jones"}).content.decode()
    assert f'href="{refer}"' in found and "Olive" not in found
    assert "No one you work with matches" in client.get(who, {"q": "olive"}).content.decode()
    # The choir's organisation takes no referrals here: it is not offered.
    page = client.get(reverse("directory:service", args=["choir"])).content.decode()
    assert "Refer someone" not in page and "does not take referrals through joinedup" in page
    # Roles that do not refer are offered nothing, and cannot open the page.
    curator = world.user(Role.DIRECTORY_CURATOR, world.practice_a)
    client.force_login(curator)
    page = client.get(reverse("directory:service", args=["lunch"])).content.decode()
    assert "Refer someone" not in page and "does not take referrals" not in page
    assert client.get(who).status_code == 403


def test_the_outcome_page_is_reached_only_through_the_accepted_referral_and_audited(
    setting, client
):
    """Recording the outcome shows the person's name: it is opened as their record is, on
    the basis the accepted referral gives, and the view is audited."""
    s = setting
    task = directory_actions_refer(s)
    referral = ServiceReferral.objects.get()
    client.force_login(s.volunteer)
    url = reverse("directory:outcome", args=[referral.pk])
    # Not yet accepted: the organisation has no relationship with the person.
    assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="person.view.referral outcome").exists()
    care_actions.move_task(
        by=s.volunteer, membership=s.volunteer_membership, task=task,
        status=TaskStatus.ACCEPTED, base_version=task.version,
    )  # fmt: skip
    assert client.get(url).status_code == 200
    seen = AuditEvent.objects.get(action="person.view.referral outcome")
    assert seen.person_id == s.person.pk and seen.user == s.volunteer
    assert seen.detail["basis"] == "accepted_referral"


def directory_actions_refer(s):
    actions.refer(
        by=s.navigator, membership=s.membership, person=s.person, service=s.lunch,
        reason="Lonely", consent="spoken", before={"satisfied": 4, "worthwhile": 5,
                                                   "happy": 3, "anxious": 8},
    )  # fmt: skip
    return ServiceReferral.objects.get().task


def test_a_search_for_a_resident_starts_within_their_places_catchment(setting, client):
    import re

    from joinedup.core import place_settings
    from joinedup.directory.jobs import feed_urls

    s = setting
    client.force_login(s.navigator)

    def distance() -> str:
        page = client.get(reverse("directory:search"), {"person": s.person.pk}).content.decode()
        chosen = re.search(r'<option value="(\d*)" selected', page)
        return chosen.group(1) if chosen else ""

    assert distance() == ""  # any distance, by default
    place = s.person.registered_practice.home_place
    place_settings.save(
        by=None,
        place=place,
        values={"directory": {"search_km": 2, "feeds": ["https://feeds.example.org/borough.json"]}},
    )
    assert distance() == "2"
    # The place's own feed is refreshed with the rest.
    assert "https://feeds.example.org/borough.json" in feed_urls()
    with pytest.raises(Exception, match="search_km must be one of"):
        place_settings.save(by=None, place=place, values={"directory": {"search_km": 3}})
