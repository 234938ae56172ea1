"""A commissioner looks at the partnership's outcomes: the indicators by Long Term Plan
area, one indicator's trend, inequality and funnel by practice; the pages pass axe-core,
also at 375 pixels wide."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

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
