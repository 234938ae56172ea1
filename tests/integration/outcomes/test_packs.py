"""A board's monthly pack: made from the month's kept figures (so its numbers are the
indicator CSV's), with the board's decisions and what people told us; the public version
suppressed; published at its public address only once released."""

import csv
from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client

from joinedup.engagement import actions as engagement
from joinedup.outcomes import actions, packs
from joinedup.population.actions import run_population

TODAY = date(2026, 11, 20)
MONTH = date(2026, 11, 1)


@pytest.fixture
def board(db):
    with time_machine.travel(TODAY, tick=False):
        call_command("synth", "--residents", "900", "--seed", "6")
        run_population(by=None, as_of=TODAY)
        call_command("care", "build-caseload")
        actions.snapshot_month(by=None, month=MONTH)
        board = engagement.add_board(
            by=None, data={"name": "Operational board", "kind": "operational"}
        )
        meeting = engagement.add_meeting(
            by=None,
            board=board,
            data={"held_on-day": "10", "held_on-month": "11", "held_on-year": "2026"},
        )
        data = QueryDict(mutable=True)
        data.update({"text": "Open an evening clinic for carers"})
        data.setlist("themes", ["primary-social-community"])
        decision = engagement.add_decision(by=None, meeting=meeting, data=data)
        engagement.update_decision(by=None, decision=decision, status="done", progress="Open")
    return board


def test_the_pack_is_made_from_the_kept_figures_and_published_once_released(board, tmp_path):
    with time_machine.travel(TODAY, tick=False):
        pack = actions.make_pack(by=None, board=board, month=MONTH)
        staff_csv = actions.export_month(by=None, month=MONTH, out=tmp_path, public=False).path
        public_csv = actions.export_month(by=None, month=MONTH, out=tmp_path).path
    for public in (False, True):
        assert pack.path(public=public, pdf=True).read_bytes().startswith(b"%PDF")
        html = pack.path(public=public).read_text(encoding="utf-8")
        assert "Open an evening clinic for carers" in html  # the decisions log
        assert "You told us about primary, social and community care" in html
    # The pack's numbers are the CSV's: staff exactly, public as suppressed.
    for public, path in ((False, staff_csv), (True, public_csv)):
        with path.open(encoding="utf-8") as f:
            totals = {
                r["indicator"]: r
                for r in csv.DictReader(f)
                if r["place"] == "system" and r["breakdown"] == "total"
            }
        built = packs.build(board, MONTH, public=public)
        assert built.lines
        for line in built.lines:
            row = totals[line.indicator.key]
            if line.numerator:
                assert line.numerator.replace(",", "") == row["numerator"], line.indicator.key
            if row["value"] and line.indicator.unit == "percent":
                assert line.value == f"{float(row['value']):.1f}%", line.indicator.key
        if public:
            for line in built.lines:
                if line.numerator not in ("", "≤7", "0"):
                    assert int(line.numerator) % 5 == 0
    # Published only once released, and then to anyone.
    visitor = Client()
    address = f"/outcomes/public/{pack.token}/"
    assert visitor.get(address).status_code == 404
    with time_machine.travel(TODAY, tick=False):
        actions.release_pack(by=None, pack=pack)
    page = visitor.get(address)
    assert page.status_code == 200 and b"Public version" in page.content
    assert b"Staff version" not in page.content
    assert visitor.get(address + "pdf").status_code == 200


def test_a_pack_of_an_earlier_month_shows_that_month(board):
    with time_machine.travel(date(2026, 12, 3), tick=False):
        run_population(by=None, as_of=date(2026, 12, 3))
        actions.snapshot_month(by=None, month=date(2026, 12, 1))
        built = packs.build(board, MONTH, public=False)
    assert built.lines and all(line.trend[-1][0] == "Nov 2026" for line in built.lines)


def test_the_pack_command(board, capsys):
    with time_machine.travel(TODAY, tick=False):
        call_command("outcomes", "pack", "--board", "operational board", "--month", "2026-11")
    assert "Wrote" in capsys.readouterr().out  # (the paths, wrapped to the terminal)
    pack = board.packs.get()
    assert pack.path(public=True, pdf=True).exists() and pack.path(public=False, pdf=True).exists()
