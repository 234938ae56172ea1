"""Raking and margins of error, against figures worked out by hand."""

import numpy as np
import pytest

from joinedup.engagement.weighting import effective_size, rake, shares


def test_one_category_is_post_stratification():
    weights, notes = rake(
        {"sex": ["female", "male", "male"]}, {"sex": {"female": 0.5, "male": 0.5}}
    )
    # One woman stands for half the population, two men for the other half.
    assert weights == pytest.approx([1.5, 0.75, 0.75]) and notes == []


def test_two_categories_match_both_margins_at_once():
    rng = np.random.default_rng(3)
    sex = rng.choice(["female", "male"], size=400, p=[0.7, 0.3])
    age = rng.choice(["young", "old"], size=400, p=[0.2, 0.8])
    targets = {"sex": {"female": 0.51, "male": 0.49}, "age": {"young": 0.6, "old": 0.4}}
    weights, _ = rake({"sex": list(sex), "age": list(age)}, targets)
    total = weights.sum()
    assert weights[sex == "female"].sum() / total == pytest.approx(0.51, abs=1e-4)
    assert weights[age == "young"].sum() / total == pytest.approx(0.6, abs=1e-4)
    assert weights.mean() == pytest.approx(1.0)


def test_not_said_keeps_its_weight_and_missing_groups_are_noted():
    weights, notes = rake(
        {"sex": ["female", "female", "male", "not_said"]},
        {
            "sex": {"female": 0.5, "male": 0.5},
        },
    )
    # Female and male get half of the three who said each; "not said" keeps weight 1
    # (before the mean is put back to 1).
    assert weights[0] == pytest.approx(weights[1]) and weights[2] == pytest.approx(2 * weights[0])
    assert weights[0] * 2 == pytest.approx(weights[3] * 1.5)
    _, notes = rake({"age": ["old", "old"]}, {"age": {"old": 0.5, "young": 0.5}})
    assert notes and "no one answered from young" in notes[0]


def test_weights_are_capped():
    weights, _ = rake({"g": ["a"] + ["b"] * 99}, {"g": {"a": 0.5, "b": 0.5}})
    assert weights.max() / weights.mean() <= 5.0 + 1e-9


def test_margin_of_error_uses_the_effective_sample_size():
    equal = np.ones(100)
    assert effective_size(equal) == pytest.approx(100)
    assert effective_size(np.array([2.0, 1, 1, 1])) == pytest.approx(25 / 7)
    result = shares(["Yes", "No"], [0] * 50 + [1] * 50, equal)
    assert result[0].answers == 50 and result[0].weighted == pytest.approx(0.5)
    assert result[0].margin == pytest.approx(1.96 * (0.25 / 100) ** 0.5)  # ±9.8 points
    unequal = np.array([3.0] * 50 + [1.0] * 50)
    wider = shares(["Yes", "No"], [0] * 50 + [1] * 50, unequal)
    # n_eff = 200² / (50 × 9 + 50) = 80, fewer than the 100 who answered.
    assert wider[0].weighted == pytest.approx(0.75)
    assert wider[0].margin == pytest.approx(1.96 * (0.75 * 0.25 / 80) ** 0.5)
