"""From a plan action to a service and back: "Find a service" searches for what the
action is about from the person's postcode, and a referral made from the action shows its
progress on the plan (sent, accepted, declined, finished with its wellbeing change)."""

import json
import re

import pytest
from django.urls import reverse

from joinedup.care import actions as care_actions
from joinedup.care.models import TaskStatus
from joinedup.core.models import OrganisationType, Role
from joinedup.directory import actions, needs, queries
from joinedup.directory.models import DirectoryOrganisation, Service, ServiceReferral
from joinedup.synth.directory import directory_feed

ACTION = "Find a befriending or lunch club near home"


@pytest.fixture
def planned(world, membership_of):
    actions.import_feed(
        by=None, source="demo", data=json.dumps(directory_feed(services=80, seed=3)).encode()
    )
    group = world.organisation("Age Well (voluntary)", OrganisationType.VOLUNTARY)
    DirectoryOrganisation.objects.update(partner=group)
    coordinator = world.user(Role.CARE_COORDINATOR, world.practice_a)
    member = membership_of(coordinator)
    person = world.person(given_name="Mary", family_name="Jones", postcode="JU1 1AA")
    plan = care_actions.start_plan(by=coordinator, membership=member, person=person)
    for what in (ACTION, "Check medicines with the practice pharmacist"):
        plan = care_actions.save_action(
            by=coordinator, membership=member, plan=plan, base_version=plan.version,
            data={"what": what, "who_type": "organisation", "who": "Care navigator",
                  "status": "to_do"},
        )  # fmt: skip
    action_id = care_actions.current_content(plan)["actions"][0]["id"]
    volunteer = world.user(Role.VOLUNTARY_WORKER, group)
    return coordinator, member, person, action_id, volunteer, membership_of(volunteer)


def test_the_need_is_read_from_the_words_of_the_action_not_the_whole_sentence():
    assert needs.for_text(ACTION) == ["loneliness"]
    assert needs.for_text("Help to claim pension credit and sort out the bills") == ["money"]
    assert needs.for_text("Ask about falls prevention classes") == ["mobility-falls"]
    assert needs.for_text("Check medicines with the practice pharmacist") == []
    # A need the action names (or its assessment domain) is used as it is.
    assert queries.needs_for_action({"what": "Anything", "need": "housing"}) == ["housing"]
    assert queries.needs_for_action({"what": "Get some company", "domain": "loneliness"}) == [
        "loneliness"
    ]


def test_find_a_service_from_a_plan_action_finds_services_near_the_person(planned, client):
    coordinator, _, person, action_id, *_ = planned
    client.force_login(coordinator)
    plan = client.get(reverse("care:plan", args=[person.pk])).content.decode()
    link = re.search(r'href="(/directory/\?[^"]*action=' + action_id + r'[^"]*)"', plan)[1]
    page = client.get(link.replace("&amp;", "&")).content.decode()
    found = re.search(r"([\d,]+) services? found", page)
    assert found and int(found[1].replace(",", "")) > 0, "no results for the plan action"
    assert "Loneliness and social contact" in page and "from JU1 1AA" in page
    assert f"“{ACTION}”" in page  # says what it searched for, and why
    checked = re.search(r'<input[^>]*value="loneliness"[^>]*>', page)[0]
    assert "checked" in checked
    assert 'value="JU1 1AA"' in page
    # Every result helps with the need.
    shown = min(int(found[1].replace(",", "")), 50)
    assert page.count("Helps with loneliness and social contact") >= shown


def test_the_advice_when_nothing_is_found_matches_what_was_chosen(planned, client):
    coordinator, *_ = planned
    client.force_login(coordinator)
    page = client.get(
        reverse("directory:search"), {"q": "zzzzzzzzqqq", "search": "1"}
    ).content.decode()
    assert "Nothing matched" in page and "fewer needs" not in page
    assert "different words" in page
    page = client.get(
        reverse("directory:search"),
        {"need": ["memory", "housing", "safety"], "postcode": "JU1 1AA", "distance": "1",
         "search": "1"},
    ).content.decode()  # fmt: skip
    # No service helps with all three.
    assert "Nothing matched" in page and "fewer needs" in page and "longer distance" in page


def test_a_referral_from_a_plan_action_shows_its_progress_on_the_plan(planned, client):
    coordinator, member, person, action_id, volunteer, volunteer_member = planned
    lunch = Service.objects.filter(name__startswith="Lunch club").first()
    client.force_login(coordinator)
    service_page = client.get(
        reverse("directory:service", args=[lunch.oruk_id]),
        {"person": person.pk, "action": action_id},
    ).content.decode()
    refer_url = reverse("directory:refer", args=[lunch.oruk_id, person.pk])
    assert f"{refer_url}?action={action_id}" in service_page
    client.post(
        f"{refer_url}?action={action_id}",
        {"action": action_id, "reason": "Lonely", "consent": "spoken",
         "before_satisfied": "4", "before_worthwhile": "5", "before_happy": "3",
         "before_anxious": "8"},
    )  # fmt: skip
    referral = ServiceReferral.objects.get()
    assert referral.plan_action == action_id

    def plan_row():
        page = client.get(reverse("care:plan", args=[person.pk])).content.decode()
        row = page.split(ACTION)[1].split("</tr>")[0]
        return " ".join(re.sub(r"<[^>]+>", "", row).split())

    assert f"Referred to {lunch.name}" in plan_row() and "Sent" in plan_row()
    task = referral.task
    task = care_actions.move_task(
        by=volunteer, membership=volunteer_member, task=task, status=TaskStatus.ACCEPTED,
        base_version=task.version,
    )  # fmt: skip
    assert "Accepted by Age Well (voluntary)" in plan_row()
    task = care_actions.move_task(
        by=volunteer, membership=volunteer_member, task=task, status=TaskStatus.IN_PROGRESS,
        base_version=task.version,
    )  # fmt: skip
    actions.record_outcome(
        by=volunteer, membership=volunteer_member, referral=referral,
        after={"satisfied": 7, "worthwhile": 7, "happy": 6, "anxious": 4},
    )  # fmt: skip
    care_actions.move_task(
        by=volunteer, membership=volunteer_member, task=task, status=TaskStatus.COMPLETED,
        base_version=task.version, outcome="Comes every Thursday",
    )  # fmt: skip
    row = plan_row()
    assert "Finished: Comes every Thursday" in row
    assert "life satisfaction 4 to 7" in row and "anxiety 8 to 4" in row
    # A referral declined says so, with the reason.
    second = actions.refer(
        by=coordinator, membership=member, person=person, service=lunch, reason="",
        consent="spoken", plan_action=action_id,
    )  # fmt: skip
    care_actions.move_task(
        by=volunteer, membership=volunteer_member, task=second.task, status=TaskStatus.REJECTED,
        base_version=second.task.version, reason="The club is full until spring",
    )  # fmt: skip
    assert "Declined by Age Well (voluntary): The club is full until spring" in plan_row()
    # An action id that is not in the person's plan is refused.
    with pytest.raises(Exception, match="not in"):
        actions.refer(
            by=coordinator, membership=member, person=person, service=lunch, reason="",
            consent="spoken", plan_action="made-up",
        )  # fmt: skip


def test_the_person_sees_on_their_own_plan_where_an_action_s_referral_has_got(planned, client):
    from joinedup.portal import actions as portal_actions

    coordinator, member, person, action_id, volunteer, volunteer_member = planned
    lunch = Service.objects.filter(name__startswith="Lunch club").first()
    referral = actions.refer(
        by=coordinator, membership=member, person=person, service=lunch, reason="Lonely",
        consent="spoken", plan_action=action_id,
    )  # fmt: skip
    task = care_actions.move_task(
        by=volunteer, membership=volunteer_member, task=referral.task,
        status=TaskStatus.ACCEPTED, base_version=referral.task.version,
    )  # fmt: skip
    care_actions.move_task(
        by=volunteer, membership=volunteer_member, task=task, status=TaskStatus.COMPLETED,
        base_version=task.version, outcome="Comes every Thursday",
    )  # fmt: skip
    portal_actions.create_demo_account(
        person=person, email="mary@example.org", password="correct horse battery staple"
    )
    client.post(
        reverse("portal:sign-in"),
        {"email": "mary@example.org", "password": "correct horse battery staple"},
    )
    page = client.get(reverse("portal:plan")).content.decode()
    row = " ".join(re.sub(r"<[^>]+>", "", page.split(ACTION)[1].split("</tr>")[0]).split())
    assert f"Referred to {lunch.name}" in row and "Finished: Comes every Thursday" in row
    # The service's page for residents, not the staff directory.
    assert reverse("portal:service", args=[lunch.oruk_id]) in page
    assert reverse("directory:service", args=[lunch.oruk_id]) not in page


def test_the_service_that_accepts_a_referral_sees_the_plan_action_it_is_for(planned, client):
    coordinator, member, person, action_id, volunteer, volunteer_member = planned
    lunch = Service.objects.filter(name__startswith="Lunch club").first()
    referral = actions.refer(
        by=coordinator, membership=member, person=person, service=lunch, reason="Lonely",
        consent="spoken", plan_action=action_id,
    )  # fmt: skip
    client.force_login(volunteer)
    url = reverse("care:task", args=[referral.task.pk])
    # Before accepting, the plan (the action's words) stays closed, like the record.
    assert ACTION not in client.get(url).content.decode()
    client.post(url, {"status": "accepted", "base_version": str(referral.task.version)})
    page = client.get(url).content.decode()
    assert f"For this action in {person.given_name}'s plan: “{ACTION}”" in page
