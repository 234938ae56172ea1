"""The evaluation: people taken onto the caseload are paired with people like them not yet
taken on, and the difference in differences of their emergency admissions is the mean of
the pairs' differences, with its interval and caveats; the page shows it."""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from joinedup.care import actions as care
from joinedup.care.models import CaseloadEntry, Stage
from joinedup.core.models import Membership, Role
from joinedup.outcomes.evaluation import evaluate_caseload
from joinedup.population.actions import run_population

TODAY = date(2026, 11, 20)


@pytest.mark.django_db
def test_taken_on_against_matched_people_not_yet_taken_on(client):
    with time_machine.travel(date(2026, 6, 1), tick=False):
        call_command("synth", "--residents", "1500", "--seed", "6")
        run_population(by=None, as_of=date(2026, 6, 1))
        call_command("care", "build-caseload")
        coordinator = Membership.objects.filter(role=Role.CARE_COORDINATOR, active=True).first()
        for entry in CaseloadEntry.objects.order_by("-priority")[:40]:
            care.move_stage(
                by=coordinator.user, membership=coordinator, entry=entry, stage=Stage.CONTACTED
            )
    with time_machine.travel(TODAY, tick=False):
        run = run_population(by=None, as_of=TODAY).run
        result = evaluate_caseload(run)
    assert result.taken_on == 40
    assert result.pairs + result.unmatched == 40 and result.pairs > 0
    # The estimate is the difference of the two groups' changes (the mean of the pairs').
    expected = (result.after_taken - result.before_taken) - (
        result.after_waiting - result.before_waiting
    )
    assert result.estimate == pytest.approx(expected)
    if result.pairs > 1:
        assert result.lower <= result.estimate <= result.upper
    assert any("matched pairs" in c for c in result.caveats)
    assert any("regression to the mean" in c for c in result.caveats)
    client.force_login(coordinator.user)
    with time_machine.travel(TODAY, tick=False):
        page = client.get("/outcomes/evaluation/")
    assert page.status_code == 200 and b"Difference in differences" in page.content
