"""The practice nurse's job (login ``nurse.practice``, at the demo's first practice): opens
the plans due for review, sees why one of the practice's patients was asked to be reviewed,
goes through the plan with them and records the review (what changed, the next review
date), then compares the plan's versions: the difference shows what the review changed."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from joinedup.care.models import CarePlan, Task, TaskKind, TaskStatus
from joinedup.core.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WHAT_CHANGED = "Home from hospital after a fall; now walks with a frame"


def test_practice_nurse(demo, pages):
    built = demo()
    practice = Membership.objects.get(user__username="nurse.practice").organisation
    asked = Task.objects.filter(kind=TaskKind.REVIEW, status=TaskStatus.REQUESTED)
    plan = (
        CarePlan.objects.filter(
            person__registered_practice=practice, person_id__in=asked.values("person_id")
        )
        .select_related("person")
        .first()
    )
    assert plan is not None, "the demo asks for no review of a plan at the nurse's practice"
    person, before = plan.person, plan.version

    page = pages.sign_in("nurse.practice", built.password)
    pages.check("home")

    # Reviews due, from the caseload.
    page.get_by_role("link", name="Caseload").first.click()
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    pages.check("caseload")
    page.get_by_role("link", name="Plan reviews due").click()
    expect(page.get_by_role("heading", name="Reviews due")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=person.full_name)
    expect(row).to_contain_text("Asked for: New hospital admission")
    expect(row).to_contain_text(practice.name)
    pages.check("reviews_due")

    # Records the review.
    row.get_by_role("link", name=person.full_name).click()
    expect(page.get_by_role("heading", name="Review the plan")).to_be_visible()
    expect(page.get_by_role("region", name=f"About {person.full_name}")).to_be_visible()
    expect(page.get_by_text("New hospital admission")).to_be_visible()
    pages.check("review_form")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    pages.check("review_errors")
    page.get_by_label("What changed").fill(WHAT_CHANGED)
    later = timezone.localdate() + timedelta(days=90)
    page.get_by_label("Day").fill(str(later.day))
    page.get_by_label("Month").fill(str(later.month))
    page.get_by_label("Year").fill(str(later.year))
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("heading", name="Personalised care and support plan")).to_be_visible()
    expect(page.get_by_text(re.compile("Review recorded"))).to_be_visible()
    expect(page.get_by_text(f"Version {before + 1}, reviewed:", exact=False)).to_be_visible()
    pages.check("reviewed")
    plan.refresh_from_db()
    assert plan.version == before + 1 and plan.review_date == later
    assert not Task.objects.filter(
        person=person, kind=TaskKind.REVIEW, status=TaskStatus.REQUESTED
    ).exists()

    # It has left the reviews due.
    pages.goto("/care/reviews/")
    expect(page.get_by_role("row").filter(has_text=person.full_name)).to_have_count(0)
    pages.check("reviews_after")

    # Compares the version before the review with the one it made.
    pages.goto(f"/care/people/{person.pk}/plan/")
    page.get_by_role("link", name="All versions and what changed").click()
    expect(page.get_by_role("heading", name="Plan versions")).to_be_visible()
    pages.check("versions")
    page.get_by_label("From version").select_option(str(before))
    page.get_by_label("To version").select_option(str(before + 1))
    page.get_by_role("button", name="Compare").click()
    diff = page.get_by_role("table", name=f"What changed between version {before} and version")
    expect(diff).to_contain_text(WHAT_CHANGED)
    expect(diff).to_contain_text(f"{later.day} {later:%B %Y}")
    pages.check("compare")
