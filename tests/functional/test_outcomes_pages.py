"""A commissioner looks at the partnership's outcomes: the indicators by Long Term Plan
area, one indicator's trend, inequality and funnel by practice; the pages pass axe-core,
also at 375 pixels wide."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from joinedup.engagement import actions as engagement
from joinedup.outcomes.actions import recent_months, snapshot_month
from joinedup.population.actions import backfill_months, run_population

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_sees_outcomes_trends_and_the_funnel(pages, transactional_db):
    call_command("synth", "--residents", "900", "--seed", "5")
    run_population(by=None)
    backfill_months(by=None, months=3)
    call_command("care", "build-caseload")
    for month in recent_months(3):
        snapshot_month(by=None, month=month)
    page = pages.sign_in("analyst", "joinedup-demo-2026")
    page.get_by_role("link", name="Outcomes").first.click()
    expect(page.get_by_role("heading", name="Outcomes", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Primary, social and community care")).to_be_visible()
    pages.check("outcomes_index")
    pages.check_narrow("outcomes_index_narrow")
    page.get_by_role("link", name="3 or more long-term conditions: share of adults").click()
    expect(page.get_by_role("heading", name="Month by month")).to_be_visible()
    expect(page.get_by_role("img", name="Line chart").first).to_be_visible()
    expect(page.get_by_role("img", name="Funnel plot")).to_be_visible()
    expect(page.get_by_role("heading", name="Inequality")).to_be_visible()
    pages.check("outcomes_indicator")
    pages.check_narrow("outcomes_indicator_narrow")


def test_an_engagement_officer_makes_and_releases_a_board_pack(pages, transactional_db):
    from joinedup.outcomes.actions import snapshot_month

    call_command("synth", "--residents", "600", "--seed", "5")
    run_population(by=None)
    snapshot_month(by=None, month=recent_months(0)[0])
    engagement.add_board(by=None, data={"name": "Operational board", "kind": "operational"})
    page = pages.sign_in("engagement", "joinedup-demo-2026")
    pages.goto("/engage/boards/")
    page.get_by_role("link", name="Operational board").click()
    page.get_by_label("Pack for (YYYY-MM)").fill(recent_months(0)[0].strftime("%Y-%m"))
    page.get_by_role("button", name="Make the pack").click()
    expect(page.get_by_role("heading", name="Operational board: board pack")).to_be_visible()
    pages.check("board_pack")
    pages.check_narrow("board_pack_narrow")
    page.get_by_role("button", name="Release the public version").click()
    address = page.locator(".nhsuk-inset-text a").first.get_attribute("href")
    page.get_by_role("button", name="Sign out").click()
    pages.goto(address)  # anyone, signed out
    expect(page.get_by_text("Public version")).to_be_visible()
    pages.check("board_pack_public")
    pages.check_narrow("board_pack_public_narrow")
