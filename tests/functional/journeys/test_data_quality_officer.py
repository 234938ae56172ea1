"""The data-quality officer's day on the demo borough: the match review queue from the
header (link, not the same, decide later; a pair decided meanwhile in another tab), then
two records of one person merged from "Merged records", the survivor's pages as its GP
sees them, and the merge undone."""

import re

import pytest
from playwright.sync_api import expect

from joinedup.care.models import CarePlan, CaseloadEntry
from joinedup.core.models import Membership
from joinedup.identity.models import Band, Merge, ReviewItem
from joinedup.people.models import Person
from joinedup.population.models import PersonProfile

pytestmark = [pytest.mark.browser]


def menu(page, name: str):
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=name)


def waiting(page) -> int:
    lede = page.locator(".nhsuk-lede-text").inner_text()
    return int(re.match(r"([\d,]+) agency record", lede).group(1).replace(",", ""))


def test_data_quality_officer(demo, pages):
    # The queue fills from a few thousand residents up (none are borderline at 1,000).
    built = demo(residents=3000, agencies=True, directory=False, portal=False)
    page = pages.sign_in("dataquality", built.password)
    pages.check("home")

    # Match review, from the header.
    menu(page, "Match review").click()
    expect(page.get_by_role("heading", name="Match review")).to_be_visible()
    pages.check("queue")
    before = waiting(page)
    assert before >= 3, "the demo has too few records waiting for review"
    rows = page.locator("tbody tr")

    # Link: the first pair. It is open in a second tab too, as a colleague's would be.
    rows.nth(0).get_by_role("link").click()
    expect(page.get_by_role("heading", name="Are these the same person?")).to_be_visible()
    pages.check("pair")
    linked_url = page.url
    linked = ReviewItem.objects.get(pk=int(linked_url.rstrip("/").rsplit("/", 1)[1]))
    other_tab = page.context.new_page()
    other_tab.goto(linked_url)
    page.get_by_role("button", name="Link: same person").click()
    expect(page.get_by_role("heading", name="Match review")).to_be_visible()
    assert waiting(page) == before - 1
    linked.refresh_from_db()
    assert linked.status == ReviewItem.Status.LINKED
    assert linked.record.person_id == linked.person_id and linked.record.band == Band.MANUAL

    # The other tab still shows the buttons; deciding there changes nothing and says so.
    main_page, pages.page = pages.page, other_tab
    other_tab.get_by_role("button", name="Not the same person").click()
    expect(other_tab.get_by_text("This pair has already been decided")).to_be_visible()
    expect(other_tab.get_by_text("Linked: the same person")).to_be_visible()
    expect(other_tab.locator("#maincontent").get_by_text("Nadia Haddad")).to_be_visible()
    expect(other_tab.get_by_role("button", name="Link: same person")).to_have_count(0)
    pages.check("pair_decided_meanwhile")
    pages.page = main_page
    other_tab.close()
    linked.refresh_from_db()
    assert linked.status == ReviewItem.Status.LINKED

    # Not the same person: the next pair.
    rows.nth(0).get_by_role("link").click()
    not_same = ReviewItem.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    page.get_by_role("button", name="Not the same person").click()
    expect(page.get_by_role("heading", name="Match review")).to_be_visible()
    not_same.refresh_from_db()
    assert not_same.status == ReviewItem.Status.NOT_LINKED

    # Decide later: the next one stays in the queue, marked.
    rows.nth(0).get_by_role("link").click()
    later = ReviewItem.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    page.get_by_role("button", name="Decide later").click()
    expect(page.get_by_role("heading", name="Match review")).to_be_visible()
    later_row = rows.filter(has_text=later.record.local_id)
    expect(later_row.get_by_role("cell", name="Deferred")).to_be_visible()
    pages.check("queue_after")

    # A decided pair shows the decision, not the buttons.
    pages.goto(linked_url.removeprefix(pages.base_url))
    expect(page.get_by_role("heading", name="Decision")).to_be_visible()
    expect(page.get_by_role("button", name="Link: same person")).to_have_count(0)
    pages.check("pair_decided")
    pages.goto(f"/identity/review/{later.pk}/")
    expect(page.get_by_text("Left to decide later by Nadia Haddad")).to_be_visible()

    # Merged records, from the header. Two records that each have a care plan are refused.
    gp_practice = Membership.objects.get(user__username="gp.a", organisation__type="gp_practice")
    with_plans = list(
        CarePlan.objects.order_by("person_id").values_list("person__nhs_number", flat=True)[:2]
    )
    menu(page, "Merged records").click()
    expect(page.get_by_role("heading", name="Merged records")).to_be_visible()
    pages.check("merges")
    page.get_by_role("button", name="Merge two records").click()
    page.get_by_label("First record: NHS number or record number").fill(with_plans[0])
    page.get_by_label("Second record: NHS number or record number").fill(with_plans[1])
    page.get_by_role("button", name="Compare the records").click()
    expect(page.get_by_text("The two records side by side")).to_be_visible()
    page.get_by_role("radio").first.check()
    page.get_by_label("Why are these the same person?").fill("Registered twice")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_text(re.compile("Both records have a .*care plan")).first).to_be_visible()
    pages.check("merge_refused")
    assert not Merge.objects.exists()

    # Two records of the GP's practice, both profiled by the population run: the one with
    # a care plan is merged into the one without (which is not on the caseload).
    practice = gp_practice.organisation
    dup = (
        Person.objects.filter(registered_practice=practice, care_plan__isnull=False)
        .order_by("pk")
        .first()
    )
    assert dup is not None, "the demo has no care plan at gp.a's practice"
    keep = (
        Person.objects.filter(
            registered_practice=practice,
            care_plan__isnull=True,
            caseload_entry__isnull=True,
            portal_account__isnull=True,
            date_of_death__isnull=True,
            profiles__run__current=True,
        )
        .exclude(pk=dup.pk)
        .order_by("pk")
        .first()
    )
    run_of = PersonProfile.objects.filter(run__current=True)
    assert run_of.filter(person=dup).exists() and run_of.filter(person=keep).exists()
    menu(page, "Merged records").click()
    page.get_by_role("button", name="Merge two records").click()
    page.get_by_label("First record: NHS number or record number").fill(dup.nhs_number)
    page.get_by_label("Second record: NHS number or record number").fill(str(keep.pk))
    page.get_by_role("button", name="Compare the records").click()
    expect(page.get_by_text("The two records side by side")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("care plan"))).to_be_visible()
    pages.check("merge_compare")
    page.get_by_label(f"Record {keep.pk} ({keep.full_name})").check()
    page.get_by_role("button", name="Merge the records").click()
    expect(page.get_by_text("Give the reason for the merge").first).to_be_visible()
    pages.check("merge_no_reason")
    page.get_by_label("Why are these the same person?").fill("Registered twice at one practice")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.get_by_text(f"Record {dup.pk} merged into record {keep.pk}")).to_be_visible()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("care plan (1)")
    expect(row).to_contain_text(f"Stayed with record {dup.pk}: ")
    expect(row).to_contain_text("population profiles (1)")
    pages.check("merged")
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk
    assert CarePlan.objects.filter(person=keep).exists()
    assert CaseloadEntry.objects.filter(person=dup).count() == 0

    # The GP of that practice finds one person: the survivor, with the plan; the merged
    # record's addresses lead there.
    page.get_by_role("button", name="Sign out").click()
    page = pages.sign_in("gp.a", built.password)
    pages.goto(f"/people/{keep.pk}/")
    expect(page.get_by_role("heading", name=keep.full_name).first).to_be_visible()
    pages.check("gp_survivor_summary")
    pages.goto(f"/care/people/{keep.pk}/")
    expect(
        page.get_by_role("link", name="Personalised care and support plan", exact=True)
    ).to_be_visible()
    pages.check("gp_survivor_care")
    for path in (f"/people/{dup.pk}/", f"/care/people/{dup.pk}/", f"/care/people/{dup.pk}/plan/"):
        pages.goto(path)
        assert page.url == pages.base_url + path.replace(str(dup.pk), str(keep.pk))
    pages.check("gp_survivor_plan")

    # Not one person after all: the officer undoes the merge.
    page.get_by_role("button", name="Sign out").click()
    page = pages.sign_in("dataquality", built.password)
    menu(page, "Merged records").click()
    page.get_by_role("link", name=re.compile("^Undo")).click()
    pages.check("unmerge")
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.get_by_text("Give the reason for undoing the merge").first).to_be_visible()
    page.get_by_label("Why are these different people?").fill("Two people: checked with the GP")
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.get_by_text(f"record {dup.pk} is a record of its own again")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("^Undone"))).to_be_visible()
    pages.check("unmerged")
    dup.refresh_from_db()
    assert dup.merged_into_id is None
    assert CarePlan.objects.filter(person=dup).exists()
    assert not CarePlan.objects.filter(person=keep).exists()
