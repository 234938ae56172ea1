"""The theme suggestions against the held-out set of labelled public comments
(tests/data/themes): good enough to count comments by Long Term Plan area, other languages
flagged, and the set kept apart from everything the model learns from."""

from pathlib import Path

import pytest
from rapidfuzz import fuzz, process, utils

from joinedup.engagement import themes

HELD_OUT = Path(__file__).resolve().parents[2] / "data" / "themes" / "held_out.csv"


@pytest.fixture(scope="module")
def held_out():
    return themes.read_labelled(HELD_OUT)


@pytest.fixture(scope="module")
def result(held_out):
    return themes.agreement(themes.train(), held_out)


def test_the_held_out_set_is_what_it_says(held_out):
    assert len(held_out) >= 300
    assert len({item.id for item in held_out}) == len(held_out)
    for item in held_out:
        assert item.text.strip() and item.language
        assert set(item.themes) <= set(themes.THEMES), item.id
    assert sum(len(item.themes) > 1 for item in held_out) >= 30
    assert sum(item.language != "en" for item in held_out) >= 20


def test_nothing_the_model_learns_from_is_near_a_held_out_comment(held_out):
    # The shipped examples, the lexicon and the demo's comments (which the demo confirms,
    # so the model learns them) against the held-out comments.
    from joinedup.synth.engagement import SAYINGS

    learned = [t for t, _ in themes.examples() + themes.lexicon()]
    learned += [saying for sayings in SAYINGS.values() for saying in sayings]
    scores = process.cdist(
        learned,
        [item.text for item in held_out],
        scorer=fuzz.ratio,
        processor=utils.default_process,
        workers=1,
    )
    closest = scores.max()
    assert closest < 85, f"a training text is a near-duplicate of a held-out one ({closest})"


def test_suggestions_agree_with_people_often_enough_to_count(result):
    assert result["share"] >= 0.85, result
    assert result["english_share"] >= 0.83, result


def test_other_languages_are_flagged_not_guessed(result, held_out):
    assert result["flagged"] == result["other_languages"]
    assert result["english_flagged"] <= 2
    other = next(item for item in held_out if item.language == "pl")
    (suggestion,) = themes.train().suggestions([other.text])
    assert suggestion.not_english and suggestion.theme is None


def test_each_area_is_found_and_mostly_right(result):
    for theme, figures in result["per_theme"].items():
        assert figures["recall"] >= 0.65, (theme, figures)
        assert figures["precision"] >= 0.55, (theme, figures)


def test_a_comment_about_two_areas_names_both():
    (suggestion,) = themes.train().suggestions(
        ["I couldn't get a GP appointment for a fortnight so I sat in A&E all night"]
    )
    assert {suggestion.theme, *suggestion.also} >= {"primary-social-community", "urgent-emergency"}
