"""Access that follows the work: what a worker receives gives them what it needs while it
is open, and a role is offered (and allowed) only what it may do."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from joinedup.care import actions
from joinedup.care.models import CareTeamMember, CaseloadEntry, TaskKind
from joinedup.core.models import AuditEvent, Role
from joinedup.people import access


def _befriending(care, **fields):
    return actions.create_task(
        by=care.coordinator,
        membership=care.m[care.coordinator],
        person=care.person,
        description="Befriending: weekly visits",
        owner_organisation=care.vcs,
        due=timezone.localdate() + timedelta(days=14),
        **fields,
    )


def test_a_volunteer_who_accepts_a_task_sees_what_it_needs_while_it_is_open(care, client):
    care.person.phone = "020 7946 0123"
    care.person.communication_needs = ["large_print"]
    care.person.save()
    volunteer = care.m[care.volunteer]
    task = _befriending(care)
    assert access.access_basis(volunteer, care.person.pk) is None

    client.force_login(care.volunteer)
    page = client.get(reverse("care:task", args=[task.pk])).content.decode()
    assert "Detail" not in page or "None" not in page  # no "Detail: None"
    assert "Accepting this task lets you see" in page
    client.post(reverse("care:task", args=[task.pk]), {"status": "accepted", "base_version": "1"})
    task.refresh_from_db()
    assert task.status == "accepted" and task.owner_user == care.volunteer
    assert access.access_basis(volunteer, care.person.pk) == "accepted_task"

    # The person's care page: name, phone and communication needs; audited.
    care_page = client.get(reverse("care:person", args=[care.person.pk]))
    assert care_page.status_code == 200
    html = care_page.content.decode()
    assert "020 7946 0123" in html and "Large print" in html
    assert AuditEvent.objects.filter(
        user=care.volunteer, person_id=care.person.pk, action="person.view.care"
    ).exists()
    # Sensitive sections are still withheld: the person has not consented.
    assert not access.sees_sensitive(volunteer, care.person, "accepted_task")

    # Someone else at the same organisation is not given it: the task is the volunteer's.
    other = care.world.user(Role.VOLUNTARY_WORKER, care.vcs)
    other_m = other.memberships.get()
    assert access.access_basis(other_m, care.person.pk) is None

    # Finishing the task ends it.
    actions.move_task(
        by=care.volunteer,
        membership=volunteer,
        task=task,
        status="completed",
        base_version=task.version,
        outcome="Matched with a befriender, first visit Tuesday",
    )
    assert access.access_basis(volunteer, care.person.pk) is None
    assert client.get(reverse("care:person", args=[care.person.pk])).status_code == 403


def test_a_volunteer_is_not_offered_what_their_role_may_not_do(care, client):
    actions.build_caseload(by=None)
    gp = care.m[care.gp]
    actions.add_team_member(
        by=care.gp,
        membership=gp,
        person=care.person,
        organisation=care.world.practice_a,
        user=care.gp,
        role="GP",
        is_lead=True,
        is_key_worker=True,
    )
    volunteer_place = actions.add_team_member(
        by=care.gp,
        membership=gp,
        person=care.person,
        organisation=care.vcs,
        user=care.volunteer,
        role="Befriender",
    )
    client.force_login(care.volunteer)
    page = client.get(reverse("care:person", args=[care.person.pk])).content.decode()
    assert "Change stage" not in page
    assert "Flag for MDT discussion" not in page
    assert "Add someone to the care team" not in page
    # The volunteer may leave the team themselves, but not remove the GP.
    assert "Remove<span" not in page and page.count("Leave the care team") == 1

    entry = CaseloadEntry.objects.get(person=care.person)
    refused = client.post(
        reverse("care:person-update", args=[care.person.pk]),
        {"form": "stage", "stage": "contacted"},
    )
    assert refused.status_code == 403
    entry.refresh_from_db()
    assert entry.stage == "identified"
    lead = CareTeamMember.objects.get(person=care.person, user=care.gp)
    refused = client.post(
        reverse("care:person-update", args=[care.person.pk]),
        {"form": "team-remove", "member": lead.pk},
    )
    assert refused.status_code == 403
    lead.refresh_from_db()
    assert lead.left_at is None
    with pytest.raises(PermissionDenied):
        actions.move_stage(
            by=care.volunteer, membership=care.m[care.volunteer], entry=entry, stage="contacted"
        )
    # Leaving themselves is allowed.
    left = client.post(
        reverse("care:person-update", args=[care.person.pk]),
        {"form": "team-remove", "member": volunteer_place.pk},
    )
    assert left.status_code == 302
    volunteer_place.refresh_from_db()
    assert volunteer_place.left_at is not None

    # The GP (the lead) is offered all of it.
    client.force_login(care.gp)
    page = client.get(reverse("care:person", args=[care.person.pk])).content.decode()
    assert "Change stage" in page and "Add someone to the care team" in page


def test_a_link_worker_receives_referrals_and_has_a_caseload_of_them(care, client):
    navigator = care.world.user(Role.CARE_NAVIGATOR, care.vcs, username="link.worker")
    referral = actions.create_task(
        by=care.gp,
        membership=care.m[care.gp],
        person=care.person,
        kind=TaskKind.REFERRAL,
        description="Social prescribing: isolated since bereavement",
        owner_organisation=care.vcs,
    )
    client.force_login(navigator)
    # Sent but not yet accepted: in the organisation's inbox, not yet openable.
    assert "Social prescribing" in client.get(reverse("care:inbox")).content.decode()
    assert client.get(reverse("care:person", args=[care.person.pk])).status_code == 403
    client.post(
        reverse("care:task", args=[referral.pk]), {"status": "accepted", "base_version": "1"}
    )
    caseload = client.get(reverse("care:caseload"), {"scope": "mine"}).content.decode()
    assert "Mary JONES" in caseload
    assert "Social prescribing: isolated since bereavement" in caseload  # the next action
    # Finding the person now offers their record, not only break glass.
    found = client.get(reverse("people:search"), {"q": care.person.nhs_number})
    assert reverse("people:summary", args=[care.person.pk]) in found.content.decode()


def test_a_new_deadline_cannot_be_in_the_past(care):
    from django.core.exceptions import ValidationError

    gp = care.m[care.gp]
    plan = actions.start_plan(by=care.gp, membership=gp, person=care.person)
    action = {"what": "Home visit", "who_type": "organisation", "who": "Age Concern"}
    past = {"by_when-day": "1", "by_when-month": "1", "by_when-year": "1999"}
    with pytest.raises(ValidationError, match="today or in the future"):
        actions.save_action(
            by=care.gp, membership=gp, plan=plan, base_version=plan.version, data=action | past
        )
    # An action already late can be saved as it is (its status changed, say).
    plan = actions.save_action(
        by=care.gp,
        membership=gp,
        plan=plan,
        base_version=plan.version,
        data=action | past,
        today=date(1998, 12, 1),
    )
    stored = actions.current_content(plan)["actions"][0]
    plan = actions.save_action(
        by=care.gp,
        membership=gp,
        plan=plan,
        base_version=plan.version,
        data=action | past | {"status": "done"},
        action_id=stored["id"],
    )
    assert actions.current_content(plan)["actions"][0]["status"] == "done"


def test_a_completed_assessment_sums_up_the_needs_and_starts_the_plan(care, client):
    gp = care.m[care.gp]
    item = actions.start_assessment(by=care.gp, membership=gp, person=care.person)
    item = actions.save_assessment_domain(
        by=care.gp,
        membership=gp,
        item=item,
        base_version=item.version,
        domain="loneliness",
        data={"loneliness.how_often": "often", "loneliness.detail": "My daughter, Sundays"},
    )
    item = actions.save_assessment_domain(
        by=care.gp,
        membership=gp,
        item=item,
        base_version=item.version,
        domain="wellbeing",
        data={"wellbeing.mood": "low", "wellbeing.detail": ""},
    )
    client.force_login(care.gp)
    url = reverse("care:assessment", args=[care.person.pk, item.pk])
    done = client.post(url, {"base_version": item.version}, follow=True)
    page = done.content.decode()
    assert "Assessment complete" in page and "What the assessment found" in page
    assert "Company and social contact" in page and "Support with low mood" in page
    assert "Start the plan with Mary" in page
    # A volunteer working a task for her is not shown the sensitive need.
    task = _befriending(care)
    actions.move_task(
        by=care.volunteer,
        membership=care.m[care.volunteer],
        task=task,
        status="accepted",
        base_version=task.version,
    )
    client.force_login(care.volunteer)
    page = client.get(url).content.decode()
    assert "Company and social contact" in page and "low mood" not in page


def test_the_banner_shows_who_the_person_is_and_what_to_notice(care, client):
    from joinedup.portal.models import ProxyGrant

    person = care.person
    person.objects_to_sharing = True
    person.interpreter_needed, person.preferred_language = True, "Polish"
    person.save()
    now = timezone.now()
    ProxyGrant.objects.create(
        person=person,
        name="Sam Carter",
        email="sam@example.org",
        sections=["about_me"],
        until=timezone.localdate() + timedelta(days=30),
        token_hash="a" * 64,
        created_at=now,
        accepted_at=now,
    )
    client.force_login(care.gp)
    page = client.get(reverse("care:person", args=[person.pk])).content.decode()
    assert "Objects to sharing their record" in page
    assert "Needs a Polish interpreter" in page
    assert "Sam Carter (carer) sees parts of the plan online" in page
    assert person.nhs_number_display in page and "Key worker" in page


def test_assessment_errors_are_in_words():
    from django.core.exceptions import ValidationError

    from joinedup.care import assessment

    falls = next(
        q for d in assessment.DOMAINS for q in d.questions if q.link_id == "mobility.falls"
    )
    with pytest.raises(ValidationError) as bad:
        assessment.clean_answer(falls, "lots")
    message = bad.value.messages[0]
    assert message.startswith("Enter how many falls in the last 12 months as a whole number")
    assert "?:" not in message


def test_a_task_s_detail_starts_on_its_first_line(care, client):
    """The detail keeps the requester's line breaks, and only theirs: no blank lines from
    the page's own layout above or below it."""
    task = _befriending(care, detail="Lives alone.\nDaughter visits at weekends.")
    client.force_login(care.coordinator)
    page = client.get(reverse("care:task", args=[task.pk])).content.decode()
    detail = re.search(r'<span class="joinedup-pre-line">(.*?)</span>', page, re.S)
    assert detail, "the detail is not in a span of its own"
    assert re.fullmatch(r"Lives alone\.\n\s*Daughter visits at weekends\.", detail[1])
    assert 'class="nhsuk-summary-list__value joinedup-pre-line"' not in page


def test_a_volunteer_with_a_task_reads_the_plan_but_only_the_care_team_changes_it(care, client):
    gp = care.m[care.gp]
    plan = actions.start_plan(by=care.gp, membership=gp, person=care.person)
    plan = actions.save_goal(
        by=care.gp, membership=gp, plan=plan, base_version=plan.version, data={"text": "Walk"}
    )
    task = _befriending(care)
    volunteer = care.m[care.volunteer]
    actions.move_task(
        by=care.volunteer, membership=volunteer, task=task, status="accepted", base_version=1
    )
    client.force_login(care.volunteer)
    page = client.get(reverse("care:plan", args=[care.person.pk])).content.decode()
    assert "“Walk”" in page and "You can read this plan" in page
    for offered in ("Add a goal", "Add an action", "Record a review", "Update<span", "Change<"):
        assert offered not in page, offered
    goal_page = reverse("care:plan-item-new", args=[care.person.pk, "goal"])
    assert client.get(goal_page).status_code == 403
    refused = client.post(goal_page, {"text": "Mine", "base_version": plan.version})
    assert refused.status_code == 403
    with pytest.raises(PermissionDenied):
        actions.save_goal(
            by=care.volunteer,
            membership=volunteer,
            plan=plan,
            base_version=plan.version,
            data={"text": "Mine"},
        )
    plan.refresh_from_db()
    assert plan.version == 2

    # Once in the person's care team, they change it as the others do.
    actions.add_team_member(
        by=care.gp,
        membership=gp,
        person=care.person,
        organisation=care.vcs,
        user=care.volunteer,
        role="Befriender",
    )
    page = client.get(reverse("care:plan", args=[care.person.pk])).content.decode()
    assert "Add a goal" in page and "You can read this plan" not in page
    assert client.post(goal_page, {"text": "Tea on Tuesdays", "base_version": 2}).status_code == 302


def test_the_task_page_asks_each_side_only_for_what_it_may_do(care, client):
    """The requester may only cancel: asked why, never for an outcome. The owner may accept,
    reject or complete: asked for both. The detail reads as written, with no blank line
    above it."""
    task = _befriending(care, detail="Lives alone\nLikes gardening")
    url = reverse("care:task", args=[task.pk])
    client.force_login(care.coordinator)
    page = client.get(url).content.decode()
    assert "Cancelled" in page and "Outcome (needed to complete" not in page
    assert "Why you are cancelling it" in page
    assert re.search(
        r'<span class="joinedup-pre-line">Lives alone\n\s*Likes gardening</span>', page
    )

    client.force_login(care.volunteer)
    page = client.get(url).content.decode()
    # Not yet accepted: no outcome to record.
    assert "Reason (needed to reject" in page and "Outcome (needed to complete" not in page
    client.post(url, {"status": "accepted", "base_version": "1"})
    page = client.get(url).content.decode()
    assert "Outcome (needed to complete: the requester sees this)" in page
    assert "Reason (needed" not in page  # it can no longer be rejected
