"""Care coordination: caseload, care team and referrals as relationships, the versioned
plan, tasks — and who is refused."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from joinedup.care import actions
from joinedup.care.models import CaseloadEntry, PlanVersion, Stage, TaskKind, TaskStatus
from joinedup.core.models import AuditEvent, OrganisationType
from joinedup.people import access


def test_caseload_is_built_from_the_cohort_and_prioritised(care):
    world = care.world
    two = world.person(given_name="Two")
    world.profile(two, ltc_count=2)
    child = world.person(given_name="Child", birth_date=date(2015, 1, 1))
    world.profile(child, ltc_count=3, age=11)
    higher = world.person(given_name="Higher")
    world.profile(higher, ltc_count=5, cms=4.0, efi_band="severe", admissions=3)
    counts = actions.build_caseload(by=care.gp, membership=care.m[care.gp])
    assert counts == {"added": 2, "refreshed": 0, "cohort": 2, "reviews": 0}
    entries = list(CaseloadEntry.objects.order_by("-priority"))
    assert [e.person for e in entries] == [higher, care.person]
    assert entries[1].priority == pytest.approx(2.0 + 1.5 + 1.0 + 1.0)
    actions.move_stage(
        by=care.gp, membership=care.m[care.gp], entry=entries[1], stage=Stage.CONTACTED
    )
    again = actions.build_caseload(by=care.gp, membership=care.m[care.gp])
    assert again == {"added": 0, "refreshed": 2, "cohort": 2, "reviews": 0}
    assert CaseloadEntry.objects.get(person=care.person).stage == Stage.CONTACTED


def test_stage_moves_follow_the_journey_and_closing_needs_a_reason(care):
    actions.build_caseload(by=None)
    entry = CaseloadEntry.objects.get()
    m = care.m[care.gp]
    with pytest.raises(ValidationError, match="cannot move to plan agreed"):
        actions.move_stage(by=care.gp, membership=m, entry=entry, stage=Stage.PLAN_AGREED)
    with pytest.raises(ValidationError, match="why the person is leaving"):
        actions.move_stage(by=care.gp, membership=m, entry=entry, stage=Stage.CLOSED)
    actions.move_stage(
        by=care.gp, membership=m, entry=entry, stage=Stage.CLOSED, closed_reason="declined"
    )
    assert AuditEvent.objects.filter(action="care.caseload.stage", person_id=care.person.pk)


def test_care_team_membership_gives_access_and_leaving_removes_it(care, client):
    summary = reverse("people:summary", args=[care.person.pk])
    client.force_login(care.social)
    assert client.get(summary).status_code == 302  # to break glass: no relationship
    member = actions.add_team_member(
        by=care.gp,
        membership=care.m[care.gp],
        person=care.person,
        organisation=care.asc,
        user=care.social,
        role="Social worker",
        is_key_worker=True,
    )
    assert access.access_basis(care.m[care.social], care.person.pk) == "care_team"
    assert client.get(summary).status_code == 200
    assert client.get(reverse("care:plan", args=[care.person.pk])).status_code == 200
    actions.remove_team_member(by=care.gp, membership=care.m[care.gp], member=member)
    assert access.access_basis(care.m[care.social], care.person.pk) is None
    assert client.get(reverse("care:person", args=[care.person.pk])).status_code == 403
    # A whole organisation in the team gives each of its direct-care staff access.
    actions.add_team_member(
        by=care.gp,
        membership=care.m[care.gp],
        person=care.person,
        organisation=care.vcs,
        role="Befriending",
    )
    assert access.access_basis(care.m[care.volunteer], care.person.pk) == "care_team"


def test_team_members_come_from_the_partnership(care):
    from joinedup.core import actions as core_actions
    from joinedup.core.models import Place

    elsewhere_place = Place.objects.create(
        system=care.world.place.system, code="E09000111", name="Elsewhere"
    )
    elsewhere = core_actions.create_organisation(
        by=None,
        name="Elsewhere Council",
        type=OrganisationType.ADULT_SOCIAL_CARE,
        ods_code="ZC999",
        places=[elsewhere_place],
    )
    with pytest.raises(ValidationError, match="not part of this partnership"):
        actions.add_team_member(
            by=care.gp,
            membership=care.m[care.gp],
            person=care.person,
            organisation=elsewhere,
            role="Social worker",
        )
    with pytest.raises(ValidationError, match="not part of this partnership"):
        actions.create_task(
            by=care.gp,
            membership=care.m[care.gp],
            person=care.person,
            description="Assess",
            owner_organisation=elsewhere,
        )
    with pytest.raises(ValidationError, match="does not work for"):
        actions.add_team_member(
            by=care.gp,
            membership=care.m[care.gp],
            person=care.person,
            organisation=care.asc,
            user=care.volunteer,
            role="Social worker",
        )


def test_an_accepted_referral_gives_access_until_it_is_finished(care):
    m_gp, m_social = care.m[care.gp], care.m[care.social]
    referral = actions.create_task(
        by=care.gp,
        membership=m_gp,
        person=care.person,
        kind=TaskKind.REFERRAL,
        description="Care Act assessment",
        owner_organisation=care.asc,
        due=timezone.localdate() + timedelta(days=14),
    )
    assert access.access_basis(m_social, care.person.pk) is None
    with pytest.raises(PermissionDenied):
        actions.move_task(
            by=care.gp, membership=m_gp, task=referral, status="accepted", base_version=1
        )
    referral = actions.move_task(
        by=care.social, membership=m_social, task=referral, status="accepted", base_version=1
    )
    assert access.access_basis(m_social, care.person.pk) == "accepted_referral"
    with pytest.raises(ValidationError, match="Say what happened"):
        actions.move_task(
            by=care.social,
            membership=m_social,
            task=referral,
            status="completed",
            base_version=referral.version,
        )
    actions.move_task(
        by=care.social,
        membership=m_social,
        task=referral,
        status="completed",
        base_version=referral.version,
        outcome="Assessed: package of care from Monday",
    )
    assert access.access_basis(m_social, care.person.pk) is None


def test_task_rules_and_bad_input(care):
    m_gp, m_social = care.m[care.gp], care.m[care.social]
    with pytest.raises(ValidationError, match="cannot be in the past"):
        actions.create_task(
            by=care.gp,
            membership=m_gp,
            person=care.person,
            description="x",
            owner_organisation=care.asc,
            due=date(2020, 1, 1),
        )
    with pytest.raises(ValidationError, match="500 characters"):
        actions.create_task(
            by=care.gp,
            membership=m_gp,
            person=care.person,
            description="x" * 501,
            owner_organisation=care.asc,
        )
    task = actions.create_task(
        by=care.gp,
        membership=m_gp,
        person=care.person,
        description="Home visit",
        owner_organisation=care.asc,
    )
    with pytest.raises(ValidationError, match="Give the reason"):
        actions.move_task(
            by=care.social, membership=m_social, task=task, status="rejected", base_version=1
        )
    with pytest.raises(PermissionDenied, match="organisation that asked"):
        actions.move_task(
            by=care.social,
            membership=m_social,
            task=task,
            status="cancelled",
            base_version=1,
            reason="no",
        )
    with pytest.raises(ValidationError, match="cannot become in progress"):
        actions.move_task(
            by=care.social,
            membership=m_social,
            task=task,
            status=TaskStatus.IN_PROGRESS,
            base_version=1,
        )
    actions.move_task(
        by=care.gp,
        membership=m_gp,
        task=task,
        status="cancelled",
        base_version=1,
        reason="Family are arranging it",
    )
    with pytest.raises(actions.StaleEdit):
        actions.move_task(
            by=care.gp,
            membership=m_gp,
            task=task,
            status="cancelled",
            base_version=1,
            reason="again",
        )


def test_every_change_makes_a_plan_version_and_stale_edits_lose_nothing(care):
    from joinedup.people.actions import add_relationship

    add_relationship(
        by=None,
        organisation=None,
        person=care.person,
        type="carer",
        contact_name="Tom Jones",
        contact_phone="07700 900222",
        relationship_description="son",
    )
    m = care.m[care.gp]
    plan = actions.start_plan(by=care.gp, membership=m, person=care.person)
    first = PlanVersion.objects.get(plan=plan, number=1).content
    assert first["about_me"]["please_call_me"] == "Mary"
    assert first["important_people"][0]["name"] == "Tom Jones"
    plan = actions.save_section(
        by=care.gp,
        membership=m,
        plan=plan,
        base_version=1,
        section="about_me",
        data={
            "about_me-what_matters": "Seeing my grandchildren",
            "about_me-please_call_me": "Molly",
        },
    )
    assert plan.version == 2
    with pytest.raises(actions.StaleEdit, match="Your change was not saved"):
        actions.save_section(
            by=care.social,
            membership=care.m[care.social],
            plan=plan,
            base_version=1,
            section="about_me",
            data={"about_me-what_matters": "Overwritten?"},
        )
    assert actions.current_content(plan)["about_me"]["what_matters"] == "Seeing my grandchildren"
    with pytest.raises(ValidationError, match="must be in the future"):
        actions.save_section(
            by=care.gp,
            membership=m,
            plan=plan,
            base_version=2,
            section="review",
            data={"review-date-day": "1", "review-date-month": "1", "review-date-year": "2020"},
        )
    with pytest.raises(ValidationError, match="2,000 characters"):
        actions.save_section(
            by=care.gp,
            membership=m,
            plan=plan,
            base_version=2,
            section="about_me",
            data={"about_me-what_matters": "x" * 2001},
        )
    plan = actions.save_goal(
        by=care.gp,
        membership=m,
        plan=plan,
        base_version=2,
        data={"text": "Walk to the shops", "progress": "started"},
    )
    goal_id = actions.current_content(plan)["goals"][0]["id"]
    plan = actions.save_goal(
        by=care.gp,
        membership=m,
        plan=plan,
        base_version=3,
        goal_id=goal_id,
        data={"text": "Walk to the shops", "progress": "achieved", "note": "Did it!"},
    )
    from joinedup.care.plans import differences

    old = PlanVersion.objects.get(plan=plan, number=1).content
    new = PlanVersion.objects.get(plan=plan, number=4).content
    rows = differences(old, new)
    assert {
        "section": "About me",
        "item": "Please call me",
        "before": "Mary",
        "after": "Molly",
    } in rows
    assert any(r["section"] == "Goals" and "Achieved" in r["after"] for r in rows)


def test_pages_for_the_care_team(care, client):
    actions.build_caseload(by=None)
    actions.add_team_member(
        by=care.gp,
        membership=care.m[care.gp],
        person=care.person,
        organisation=care.asc,
        user=care.social,
        role="Social worker",
    )
    client.force_login(care.coordinator)
    page = client.get(reverse("care:caseload")).content.decode()
    assert "Mary JONES" in page  # the coordinator works the area's caseload
    client.force_login(care.volunteer)
    assert "Mary JONES" not in client.get(reverse("care:caseload")).content.decode()
    client.force_login(care.gp)
    base = reverse("care:person", args=[care.person.pk])
    assert client.get(base).status_code == 200
    client.post(reverse("care:plan-start", args=[care.person.pk]))
    section = reverse("care:plan-section", args=[care.person.pk, "about_me"])
    hostile = "<script>alert(1)</script>"
    response = client.post(section, {"base_version": "1", "about_me-what_matters": hostile})
    assert response.status_code == 302
    plan_page = client.get(reverse("care:plan", args=[care.person.pk])).content.decode()
    assert hostile not in plan_page and "&lt;script&gt;" in plan_page
    stale = client.post(section, {"base_version": "1", "about_me-what_matters": "old"})
    assert stale.status_code == 409 and "not saved" in stale.content.decode()
    compare = client.get(
        reverse("care:plan-versions", args=[care.person.pk]), {"from": "1", "to": "2"}
    )
    assert "What matters to me" in compare.content.decode()
    response = client.post(
        reverse("care:person-update", args=[care.person.pk]),
        {
            "form": "task",
            "kind": "referral",
            "description": "Assess for a care package",
            "owner_organisation": care.asc.pk,
        },
    )
    assert response.status_code == 302
    client.force_login(care.social)
    inbox = client.get(reverse("care:inbox")).content.decode()
    assert "Assess for a care package" in inbox
    client.force_login(care.volunteer)
    from joinedup.care.models import Task

    assert client.get(reverse("care:task", args=[Task.objects.get().pk])).status_code == 403


def test_demo_care_activity_and_replacing_the_borough(db, capsys):
    from django.core.management import call_command

    from joinedup.care.models import (
        AgendaItem,
        Assessment,
        CarePlan,
        Meeting,
        MeetingStatus,
        Task,
        TaskKind,
    )

    call_command("synth", "--residents", "3000", "--seed", "4")
    call_command("population", "run")
    call_command("care", "build-caseload")
    call_command("demo", "care")
    assert CarePlan.objects.count() > 5 and Task.objects.filter(status="completed").exists()
    assert Task.objects.filter(due__lt=timezone.localdate(), status="requested").exists()
    assert Assessment.objects.filter(status="completed").count() > 5
    assert Assessment.objects.filter(status="in-progress").exists()
    assert Meeting.objects.filter(status=MeetingStatus.HELD).count() == 1
    # Every neighbourhood with people on the caseload has its coming meeting: whoever the
    # coordinator flags in the demo has a meeting to be discussed at.
    coming = Meeting.objects.filter(starts_at__gt=timezone.now())
    areas = CaseloadEntry.objects.exclude(neighbourhood=None).values("neighbourhood_id")
    assert set(coming.values_list("neighbourhood_id", flat=True)) == {
        a["neighbourhood_id"] for a in areas
    }
    assert AgendaItem.objects.exclude(discussed_at=None).count() == 2
    assert Task.objects.filter(kind=TaskKind.REVIEW).exists()
    assert Task.objects.filter(source__startswith="MDT").count() == 2
    call_command("demo", "care")
    assert "left as it is" in capsys.readouterr().out
    call_command("synth", "--residents", "300", "--seed", "4", "--replace")
    assert not CarePlan.objects.exists()


def test_reviews_due_lists_plans_whose_review_date_is_near(care, client):
    from datetime import timedelta

    from joinedup.care.models import CarePlan

    m = care.m[care.gp]
    plan = actions.start_plan(by=care.gp, membership=m, person=care.person)
    soon = timezone.localdate() + timedelta(days=5)
    actions.save_section(
        by=care.gp,
        membership=m,
        plan=plan,
        base_version=1,
        section="review",
        data={
            "review-date-day": str(soon.day),
            "review-date-month": str(soon.month),
            "review-date-year": str(soon.year),
        },
    )
    assert CarePlan.objects.get().review_date == soon
    client.force_login(care.gp)
    page = client.get(reverse("care:reviews")).content.decode()
    assert "Mary JONES" in page and "1 plan is due" in page
    client.force_login(care.volunteer)
    assert "Mary JONES" not in client.get(reverse("care:reviews")).content.decode()


def test_a_task_for_a_team_reaches_the_team_inbox(care, client, membership_of):
    from joinedup.care import queries
    from joinedup.care.models import Task
    from joinedup.core import actions as core_actions
    from joinedup.core.models import Membership

    team = core_actions.create_team(by=None, organisation=care.asc, name="Reablement")
    nurse = care.world.user("social_worker", care.asc)
    Membership.objects.filter(user=nurse).update(team=team)
    client.force_login(care.gp)
    form = client.get(reverse("care:task-new", args=[care.person.pk])).content.decode()
    assert "Reablement (Council ASC)" in form
    response = client.post(
        reverse("care:person-update", args=[care.person.pk]),
        {
            "form": "task",
            "kind": "task",
            "description": "Reablement after discharge",
            "owner_organisation": care.asc.pk,
            "owner_team": team.pk,
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.owner_team == team
    boxes = queries.inbox(membership_of(nurse), today=timezone.localdate())
    assert list(boxes["team"]) == [task]
    missing = client.post(
        reverse("care:person-update", args=[care.person.pk]),
        {"form": "task", "kind": "task", "description": "", "owner_organisation": care.asc.pk},
    )
    assert missing.status_code == 400
    assert "Say what needs doing" in missing.content.decode()
    assert "Ask another organisation to do something" in missing.content.decode()


def test_my_team_says_so_when_someone_is_in_no_team(care, client):
    from joinedup.core import actions as core_actions
    from joinedup.core.models import Membership

    url = reverse("care:caseload")
    client.force_login(care.social)
    page = client.get(url, {"scope": "team"}).content.decode()
    assert "You are not in a team at Council ASC" in page
    assert "your organisation admin can add you to one" in page
    team = core_actions.create_team(by=None, organisation=care.asc, name="Reablement")
    Membership.objects.filter(user=care.social).update(team=team)
    page = client.get(url, {"scope": "team"}).content.decode()
    assert "You are not in a team" not in page
    assert "0 people your team is caring for or has work for." in page


def test_the_caseload_filters_by_network_neighbourhood_and_practice(care, client):
    actions.build_caseload(by=None)
    entry = CaseloadEntry.objects.get()
    client.force_login(care.coordinator)
    url = reverse("care:caseload")
    for area in (f"lcn:{entry.network_id}", f"hood:{entry.neighbourhood_id}"):
        page = client.get(url, {"area": area}).content.decode()
        assert "Mary JONES" in page and f'value="{area}" selected' in page
    elsewhere = client.get(url, {"practice": care.world.practice_b.pk}).content.decode()
    assert "Mary JONES" not in elsewhere
    assert "Mary JONES" not in client.get(url, {"area": "lcn:999999"}).content.decode()


def test_the_caseload_count_is_kept_under_a_key_without_what_was_searched(care):
    import warnings

    from django.core.cache import cache
    from django.core.cache.backends.base import CacheKeyWarning

    from joinedup.care import queries

    actions.build_caseload(by=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)  # a name with a space broke memcached
        page = queries.caseload_page(care.m[care.coordinator], 1, text="Mary Jones")
    assert [e.person for e in page.object_list] == [care.person]
    keys = list(cache._cache)  # the local-memory cache the tests use
    assert keys and not any("Mary" in key or "Jones" in key for key in keys)


def test_caseload_pages_hold_only_people_the_viewer_may_open(care):
    from joinedup.care import queries

    world = care.world
    for n in range(70):
        practice = world.practice_a if n % 7 else world.practice_b  # every 7th elsewhere
        person = world.person(practice=practice, given_name=f"P{n}")
        world.profile(person, ltc_count=3, cms=10.0 - n / 10)
    actions.build_caseload(by=None)
    gp = care.m[care.gp]
    mine = {
        e.person_id
        for e in CaseloadEntry.objects.filter(person__registered_practice=world.practice_a)
    }
    first = queries.caseload_page(gp, 1, per_page=50)
    second = queries.caseload_page(gp, 2, per_page=50)
    assert first.paginator.count == len(mine) == 61  # 60 of the 70, and Mary
    shown = [e.person_id for e in first.object_list] + [e.person_id for e in second]
    assert len(first.object_list) == 50 and set(shown) == mine
    priorities = [e.priority for e in first.object_list]
    assert priorities == sorted(priorities, reverse=True)
    assert queries.caseload_page(gp, 99, per_page=50).number == 2  # past the end: the last
    by_name = queries.caseload_page(gp, 1, sort="name", text="jon")
    assert [e.person for e in by_name.object_list] == [care.person]
    by_number = queries.caseload_page(gp, 1, text=care.person.nhs_number_display)
    assert [e.person for e in by_number.object_list] == [care.person]
    assert queries.caseload_page(care.m[care.volunteer], 1).paginator.count == 0


def test_the_stage_offered_first_is_the_next_one_forward(care, client):
    """After "moved to contacted", the stage already chosen is the next one (assessed), not
    a step back to identified that one press of "Change stage" would make."""
    actions.build_caseload(by=None)
    entry = CaseloadEntry.objects.get()
    actions.move_stage(by=care.gp, membership=care.m[care.gp], entry=entry, stage="contacted")
    client.force_login(care.gp)
    page = client.get(reverse("care:person", args=[care.person.pk])).content.decode()
    select = page[page.index('id="stage"') : page.index("</select>", page.index('id="stage"'))]
    options = re.findall(r'<option value="([a-z_]+)"', select)
    assert options == ["assessed", "closed", "identified"]


def test_changing_the_plan_says_what_was_saved(care, client):
    """Each change to the plan is confirmed, with the version it made."""
    actions.start_plan(by=care.gp, membership=care.m[care.gp], person=care.person)
    client.force_login(care.gp)
    pk = care.person.pk
    page = client.post(
        reverse("care:plan-item-new", args=[pk, "goal"]),
        {"base_version": "1", "text": "Walk to the shops", "progress": "not_started"},
        follow=True,
    ).content.decode()
    assert "Goal added: the plan is now version 2." in page
    page = client.post(
        reverse("care:plan-item-new", args=[pk, "action"]),
        {"base_version": "2", "what": "Weekly walk", "who_type": "person", "status": "to_do"},
        follow=True,
    ).content.decode()
    assert "Action added: the plan is now version 3." in page
    page = client.post(
        reverse("care:plan-section", args=[pk, "about_me"]),
        {"base_version": "3", "about_me-what_matters": "My garden"},
        follow=True,
    ).content.decode()
    assert "About me saved: the plan is now version 4." in page
