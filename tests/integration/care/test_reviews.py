"""Continual review: triggers that raise a review task (review date, new condition, frailty
change, hospital use, a change of carer), and recording a review as a new plan version."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from joinedup.care import actions, queries
from joinedup.care.models import CarePlan, CaseloadEntry, Stage, Task, TaskKind, TaskStatus
from joinedup.people.actions import add_relationship


@pytest.fixture
def planned(care):
    """Mary on the caseload with an agreed plan and a social worker as key worker."""
    actions.build_caseload(by=None)
    gp = care.m[care.gp]
    entry = CaseloadEntry.objects.get()
    for stage in (Stage.CONTACTED, Stage.ASSESSED, Stage.PLAN_AGREED):
        entry = actions.move_stage(by=care.gp, membership=gp, entry=entry, stage=stage)
    actions.start_plan(by=care.gp, membership=gp, person=care.person)
    actions.add_team_member(
        by=care.gp,
        membership=gp,
        person=care.person,
        organisation=care.asc,
        user=care.social,
        role="Social worker",
        is_key_worker=True,
    )
    return care


def _reviews():
    return list(Task.objects.filter(kind=TaskKind.REVIEW))


def test_population_changes_raise_one_review_for_the_key_worker(planned):
    care = planned
    profile = care.person.profiles.get()
    profile.ltc_count, profile.efi_band, profile.admissions_12m = 5, "severe", 2
    profile.save()
    counts = actions.build_caseload(by=None)
    assert counts["reviews"] == 1
    (task,) = _reviews()
    assert task.owner_user == care.social and task.owner_organisation == care.asc
    assert "New long-term condition (4 → 5)" in task.detail
    assert "Frailty changed from moderate to severe" in task.detail
    assert "New hospital admission" in task.detail
    assert task.due == timezone.localdate() + timedelta(days=14)
    assert CaseloadEntry.objects.get().stage == Stage.UNDER_REVIEW
    inbox = queries.inbox(care.m[care.social], today=timezone.localdate())
    assert list(inbox["mine"]) == [task]
    # Nothing changed since: no second review.
    assert actions.build_caseload(by=None)["reviews"] == 0
    assert len(_reviews()) == 1


def test_review_date_and_carer_changes_are_found_by_the_daily_check(planned):
    care = planned
    assert actions.check_review_triggers()["reviews"] == 0
    add_relationship(
        by=None, organisation=None, person=care.person, type="carer", contact_name="New Carer"
    )
    counts = actions.check_review_triggers()
    assert counts == {"due": 0, "carer_changes": 1, "reviews": 1}
    assert "Their carer changed" in _reviews()[0].detail
    CarePlan.objects.update(review_date=timezone.localdate())
    call_command("care", "review-check")
    (task,) = _reviews()  # the open review gains the reason; no second task
    assert "reached" in task.detail
    plans_due = queries.reviews_due(care.m[care.social], today=timezone.localdate())
    assert [p.person for p in plans_due] == [care.person]


def test_recording_a_review_makes_a_version_and_closes_the_loop(planned):
    care = planned
    social = care.m[care.social]
    plan = CarePlan.objects.get()
    actions.raise_reviews({care.person.pk: ["Asked for by the person"]}, source="test")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as bad:
        actions.record_review(
            by=care.social,
            membership=social,
            plan=plan,
            base_version=plan.version,
            what_changed="",
            next_review=today,
        )
    assert set(bad.value.message_dict) == {"what_changed", "next_review"}
    plan = actions.record_review(
        by=care.social,
        membership=social,
        plan=plan,
        base_version=plan.version,
        what_changed="Walking better; carer now visits daily",
        next_review=today + timedelta(days=90),
    )
    review = actions.current_content(plan)["review"]
    assert review["last_reviewed"] == today.isoformat()
    assert review["what_changed"] == "Walking better; carer now visits daily"
    assert plan.review_date == today + timedelta(days=90)
    assert plan.versions.first().summary.startswith("Reviewed: Walking better")
    (task,) = _reviews()
    assert task.status == TaskStatus.COMPLETED and task.outcome.startswith("Walking")
    assert CaseloadEntry.objects.get().stage == Stage.PLAN_AGREED
    # Editing the review section keeps what the review recorded.
    plan = actions.save_section(
        by=care.social,
        membership=social,
        plan=plan,
        base_version=plan.version,
        section="review",
        data={"review-date-day": "1", "review-date-month": "1", "review-date-year": "2099"},
    )
    review = actions.current_content(plan)["review"]
    assert review["date"] == "2099-01-01" and review["what_changed"].startswith("Walking")


def test_review_page(planned, client):
    care = planned
    client.force_login(care.social)
    url = reverse("care:plan-review", args=[care.person.pk])
    past = date(2020, 1, 1)
    response = client.post(
        url,
        {
            "base_version": "1",
            "what_changed": "<img src=x onerror=alert(1)>",
            "next_review-day": past.day,
            "next_review-month": past.month,
            "next_review-year": past.year,
        },
    )
    assert response.status_code == 400
    assert "must be in the future" in response.content.decode()
    assert "<img src=x" not in response.content.decode()
    stale = client.post(
        url,
        {
            "base_version": "0",
            "what_changed": "x",
            "next_review-day": "1",
            "next_review-month": "1",
            "next_review-year": "2099",
        },
    )
    assert stale.status_code == 409


def test_the_inbox_shows_due_and_overdue_tasks(planned, client):
    care = planned
    actions.raise_reviews({care.person.pk: ["Asked for"]}, source="test")
    Task.objects.update(due=timezone.localdate() - timedelta(days=1))
    client.force_login(care.social)
    page = client.get(reverse("care:inbox"))
    assert page.status_code == 200
    assert "Overdue" in page.content.decode() and "1 overdue" in page.content.decode()


def test_reviews_due_says_why_a_plan_not_yet_at_its_review_date_is_listed(planned, client):
    care = planned
    plan = CarePlan.objects.get()
    later = timezone.localdate() + timedelta(days=90)
    actions.save_section(
        by=care.gp,
        membership=care.m[care.gp],
        plan=plan,
        base_version=plan.version,
        section="review",
        data={
            "review-date-day": str(later.day),
            "review-date-month": str(later.month),
            "review-date-year": str(later.year),
        },
    )
    actions.raise_reviews({care.person.pk: ["New hospital admission"]}, source="test")
    client.force_login(care.gp)
    page = client.get(reverse("care:reviews")).content.decode()
    assert "Mary JONES" in page
    assert "Asked for: New hospital admission" in page


def test_the_demo_gives_its_practice_staff_a_plan_to_review(db):
    """The README's first ten minutes: the practice nurse (``nurse.practice``) starts at
    Reviews due, on the demo at its smallest."""
    from joinedup.core.models import Membership

    for command in (
        ("synth", "--residents", "1000", "--seed", "1"),
        ("population", "run"),
        ("care", "build-caseload"),
        ("demo", "care"),
    ):
        call_command(*command)
    nurse = Membership.objects.get(user__username="nurse.practice")
    assert queries.reviews_due(nurse, today=timezone.localdate()).exists()


def test_recording_a_review_says_it_is_recorded_and_when_the_next_one_is(planned, client):
    care = planned
    client.force_login(care.social)
    later = date(2099, 3, 15)
    response = client.post(
        reverse("care:plan-review", args=[care.person.pk]),
        {
            "base_version": "1",
            "what_changed": "Walking better",
            "next_review-day": later.day,
            "next_review-month": later.month,
            "next_review-year": later.year,
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("care:plan", args=[care.person.pk])
    assert "Review recorded: the plan is now version 2. Next review 15 March 2099." in page


def test_reviews_due_is_on_the_home_page_of_those_who_give_care(planned, client):
    client.force_login(planned.social)
    home = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("care:reviews")}"' in home and "Plan reviews due" in home


def test_the_next_review_is_suggested_from_the_places_interval(planned, client):
    from joinedup.core import place_settings

    care = planned
    client.force_login(care.social)
    url = reverse("care:plan-review", args=[care.person.pk])
    place = care.person.registered_practice.home_place
    place_settings.save(by=None, place=place, values={"review_interval_days": 90})
    due = timezone.localdate() + timedelta(days=90)
    assert boxes(client.get(url).content.decode()) == [due.day, due.month, due.year]
    place_settings.save(by=None, place=place, values={})
    default = timezone.localdate() + timedelta(days=182)
    assert boxes(client.get(url).content.decode()) == [default.day, default.month, default.year]


def boxes(page: str) -> list[int]:
    """The values in the next-review date boxes."""
    import re

    found = []
    for part in ("day", "month", "year"):
        tag = re.search(rf'<input[^>]*id="next_review-{part}"[^>]*>', page).group(0)
        found.append(int(re.search(r'value="(\d+)"', tag).group(1)))
    return found
