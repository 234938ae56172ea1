"""An analyst looks at population health; the page passes axe-core."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from joinedup.population.actions import run_population

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_sees_population_health(pages, transactional_db):
    call_command("synth", "--residents", "600", "--seed", "5")
    run_population(by=None)
    page = pages.sign_in("analyst", "joinedup-demo-2026")
    page.get_by_role("link", name="Population health").first.click()
    expect(page.get_by_role("heading", name="Population health", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Bar chart").first).to_be_visible()
    pages.check("population_dashboard")
    page.get_by_label("Show 3 or more conditions by").select_option("practice")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("columnheader", name="GP practice")).to_be_visible()
    pages.check("population_by_practice")


def test_gp_sees_a_patients_long_term_conditions(pages, transactional_db):
    from joinedup.population.models import PersonProfile

    call_command("synth", "--residents", "600", "--seed", "5")
    run_population(by=None)
    profile = PersonProfile.objects.filter(practice__ods_code="Z90002", ltc_count__gte=1).first()
    page = pages.sign_in("gp.b", "joinedup-demo-2026")
    pages.goto(f"/people/{profile.person_id}/")
    expect(page.get_by_role("heading", name="Long-term conditions")).to_be_visible()
    pages.check("person_with_profile")
