"""Sortition: LEXIMIN against the paper's published results, the legacy method, quotas
that cannot be met, bad files, households, the reproducible draw and the lottery."""

import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from joinedup.engagement import sortition
from joinedup.engagement.sortition import Instance, SortitionError
from tests.reference_data import SORTITION as DATA
from tests.reference_data import require

CATEGORIES = (
    "category,feature,min,max\ngender,female,2,3\ngender,male,2,3\nage,young,1,4\nage,old,1,4\n"
)


def respondents(rows: list[tuple], header="gender,age") -> str:
    return header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


SMALL = respondents(
    [("female", "young")] * 3
    + [("female", "old")] * 2
    + [("male", "young")] * 4
    + [("male", "old")]
)


def test_leximin_on_the_papers_small_instance():
    folder = require(DATA / "example_small_20")
    instance = Instance.from_files(folder / "categories.csv", folder / "respondents.csv", 20)
    result = sortition.leximin(instance)
    stats = sortition.summary(result.marginals)
    assert stats["minimum"] == pytest.approx(0.10, abs=1e-4)  # published: 10.0%
    assert stats["gini"] == pytest.approx(0.0, abs=1e-3)
    assert result.probabilities.sum() == pytest.approx(1.0)
    assert all(len(p) == 20 for p in result.panels)
    legacy = sortition.legacy(instance, runs=300, seed=1)
    assert sortition.summary(legacy.marginals)["minimum"] < 0.05  # published: ≤ 1.21%


def test_leximin_is_fairer_than_legacy_and_every_panel_meets_the_quotas():
    instance = Instance.from_text(CATEGORIES, SMALL, 4)
    result = sortition.leximin(instance)
    for panel in result.panels:
        values = [instance.values[i] for i in panel]
        assert len(panel) == 4
        assert 2 <= sum(v["gender"] == "female" for v in values) <= 3
        assert 1 <= sum(v["age"] == "old" for v in values) <= 4
    # LEXIMIN gives the least likely person as much as any method can.
    lex = sortition.summary(result.marginals)
    leg = sortition.summary(sortition.legacy(instance, runs=500, seed=2).marginals)
    assert lex["minimum"] >= leg["minimum"] - 0.02
    assert result.marginals.sum() == pytest.approx(4.0)


def test_households_give_at_most_one_person():
    text = respondents(
        [("female", "young", "1 High St"), ("female", "young", "1 high st "),
         ("female", "old", "2 Low Rd"), ("male", "young", "3 Mill Ln"),
         ("male", "old", "4 Oak Ave"), ("male", "young", "5 Elm Ct")],
        header="gender,age,address",
    )  # fmt: skip
    instance = Instance.from_text(CATEGORIES, text, 4)
    result = sortition.leximin(instance)
    for panel in result.panels:
        assert not {0, 1} <= panel
    assert result.marginals[0] + result.marginals[1] <= 1.0 + 1e-6


def test_quotas_that_cannot_be_met_are_explained_with_a_relaxation():
    categories = "category,feature,min,max\ngender,female,3,3\ngender,male,3,3\n"
    instance = Instance.from_text(
        categories, respondents([("female",)] * 5 + [("male",)] * 2, "gender"), 6
    )
    with pytest.raises(SortitionError) as caught:
        sortition.leximin(instance)
    message = str(caught.value)
    assert "gender=male needs at least 3 but only 2 responded" in message
    assert "this relaxation works: gender=female 3–4; gender=male 2–3" in message
    too_many = "category,feature,min,max\ngender,female,4,6\ngender,male,4,6\n"
    instance = Instance.from_text(
        too_many, respondents([("female",)] * 5 + [("male",)] * 5, "gender"), 6
    )
    with pytest.raises(
        SortitionError, match="minimums for gender add up to 8, more than the panel of 6"
    ):
        sortition.leximin(instance)


@pytest.mark.parametrize(
    ("categories", "people", "message"),
    [
        ("cat,feat,min,max\n", "gender\n", "the columns must be category,feature,min,max"),
        (
            "category,feature,min,max\ngender,female,x,2\n",
            "gender\n",
            "row 2: min and max must be whole numbers",
        ),
        (
            "category,feature,min,max\ngender,female,3,2\n",
            "gender\n",
            "row 2: min 3 is more than max 2",
        ),
        (
            "category,feature,min,max\ngender,f,1,2\ngender,f,1,2\n",
            "gender\n",
            "row 3: gender=f is listed twice",
        ),
        (CATEGORIES, "gender\nfemale\n", "no column for age"),
        (
            CATEGORIES,
            "gender,age\nfemale,young\nfemale,ancient\n",
            "row 3: age 'ancient' is not one of old, young",
        ),
        (CATEGORIES, "id,gender,age\n7,female,young\n7,male,old\n", "row 3: id 7 is also on row 2"),
    ],
)
def test_bad_files_say_where(categories, people, message):
    with pytest.raises(SortitionError, match=message):
        Instance.from_text(categories, people, 1)


def test_the_draw_is_reproducible_and_the_lottery_keeps_the_odds():
    instance = Instance.from_text(CATEGORIES, SMALL, 4)
    result = sortition.leximin(instance)
    assert sortition.draw(result, seed=11) == sortition.draw(result, seed=11)
    tickets = sortition.lottery(result, 1000, seed=4)
    assert len(tickets) == 1000 and all(len(t) == 4 for t in tickets)
    assert tickets == sortition.lottery(result, 1000, seed=4)
    # Each person's share of the tickets stays close to their LEXIMIN probability.
    shares = np.zeros(instance.n)
    for ticket in tickets:
        shares[list(ticket)] += 1 / 1000
    assert np.abs(shares - result.marginals).max() <= 0.01


def test_summary_statistics():
    stats = sortition.summary(np.array([0.1, 0.1, 0.1, 0.1]))
    assert stats == {"minimum": 0.1, "gini": 0.0, "geometric_mean": pytest.approx(0.1)}
    assert sortition.summary(np.array([0.0, 0.2]))["geometric_mean"] == 0.0
    assert sortition.summary(np.array([0.0, 0.2]))["gini"] == pytest.approx(0.5)


def test_the_command_contract(tmp_path):
    (tmp_path / "c.csv").write_text(CATEGORIES)
    (tmp_path / "r.csv").write_text(SMALL)
    out = tmp_path / "out"
    call_command("engagement", "select", "--categories", str(tmp_path / "c.csv"),
                 "--respondents", str(tmp_path / "r.csv"), "--size", "4", "--seed", "3",
                 "--out", str(out))  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert {"minimum_probability", "gini", "geometric_mean", "seconds"} <= set(summary)
    lines = (out / "probabilities.csv").read_text().splitlines()
    assert lines[0] == "respondent,probability" and len(lines) == 11
    assert len((out / "panel.csv").read_text().splitlines()) == 5
    first = (out / "panel.csv").read_text()
    call_command("engagement", "select", "--categories", str(tmp_path / "c.csv"),
                 "--respondents", str(tmp_path / "r.csv"), "--size", "4", "--seed", "3",
                 "--out", str(out))  # fmt: skip
    assert (out / "panel.csv").read_text() == first  # the same seed, the same panel
    with pytest.raises(CommandError, match="no such file"):
        call_command("engagement", "select", "--categories", str(tmp_path / "none.csv"),
                     "--respondents", str(tmp_path / "r.csv"), "--size", "4",
                     "--out", str(out))  # fmt: skip
