"""A data-quality officer works through the match review queue; pages pass axe-core."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from joinedup.core.models import Role
from joinedup.identity.models import AgencyLoad, Band, ReviewItem, SourceRecord
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_a_candidate_pair(pages, transactional_db):
    world = World()
    world.user(Role.DATA_QUALITY, world.icb, username="dq.browser")
    person = world.person(given_name="Joan", family_name="Smith", birth_date=date(1944, 3, 15))
    load = AgencyLoad.objects.create(
        agency=world.icb, file_name="x.csv", sha256="1" * 64, loaded_at="2026-01-01T00:00Z"
    )
    record = SourceRecord.objects.create(
        agency=world.icb,
        load=load,
        local_id="Q1",
        given_name="Jo",
        family_name="Smyth",
        birth_date=date(1944, 3, 15),
        postcode="JU1 1AA",
        postcode_valid=True,
        band=Band.REVIEW,
    )
    ReviewItem.objects.create(
        record=record,
        person=person,
        match_probability=0.71,
        match_weight=1.3,
        field_weights={"forename_surname": 1.8, "birth_date": 6.4, "postcode": 3.9},
    )
    page = pages.sign_in("dq.browser", PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Match review").click()
    expect(page.get_by_role("heading", name="Match review")).to_be_visible()
    pages.check("review_queue")
    page.get_by_role("link", name="Jo Smyth").click()
    expect(page.get_by_role("heading", name="Are these the same person?")).to_be_visible()
    pages.check("review_pair")
    page.get_by_role("button", name="Link: same person").click()
    expect(page.get_by_text("Nothing to review.")).to_be_visible()
    record.refresh_from_db()
    assert record.person_id == person.pk
    # The GP of that person now sees who else knows them.
    world.user(Role.GP, world.practice_a, username="gp.known")
    page.get_by_role("button", name="Sign out").click()
    page = pages.sign_in("gp.known", PASSWORD)
    pages.goto(f"/people/{person.pk}/")
    expect(page.get_by_role("heading", name="Known to")).to_be_visible()
    expect(page.get_by_text("Differs").first).to_be_visible()
    pages.check("person_known_to")


def test_merge_two_records_and_undo_it(pages, transactional_db):
    world = World()
    world.user(Role.DATA_QUALITY, world.icb, username="dq.merge")
    keep = world.person(given_name="Joan", family_name="Smith", birth_date=date(1944, 3, 15))
    dup = world.person(
        given_name="Joanne", family_name="Smith", birth_date=date(1944, 3, 15), nhs_number=None
    )
    page = pages.sign_in("dq.merge", PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Merged records").click()
    expect(page.get_by_role("heading", name="Merged records")).to_be_visible()
    pages.check("merges_empty")
    page.get_by_role("button", name="Merge two records").click()
    page.get_by_label("First record: NHS number or record number").fill(keep.nhs_number)
    page.get_by_label("Second record: NHS number or record number").fill("12345")
    page.get_by_role("button", name="Compare the records").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    pages.check("merge_not_found")
    page.get_by_label("Second record: NHS number or record number").fill(str(dup.pk))
    page.get_by_role("button", name="Compare the records").click()
    expect(page.get_by_text("The two records side by side")).to_be_visible()
    page.get_by_label(f"Record {keep.pk} (Joan SMITH)").check()
    page.get_by_role("button", name="Merge the records").click()
    expect(page.get_by_text("Give the reason for the merge").first).to_be_visible()
    pages.check("merge_compare_error")
    page.get_by_label("Why are these the same person?").fill("Duplicate registration")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.get_by_role("cell", name="Duplicate registration")).to_be_visible()
    pages.check("merges_listed")
    page.get_by_role("link", name="Undo").click()
    pages.check("unmerge")
    page.get_by_label("Why are these different people?").fill("Sisters, not one person")
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.get_by_role("cell", name=re.compile("^Undone"))).to_be_visible()
    dup.refresh_from_db()
    assert dup.merged_into is None
