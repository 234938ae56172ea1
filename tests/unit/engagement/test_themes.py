"""Theme suggestions: the contract, learning from confirmations, what is flagged before
publishing, and bad files."""

import csv

import pytest
from django.core.management import CommandError, call_command

from joinedup.engagement import themes


def test_suggest_file_follows_the_contract(tmp_path):
    source = tmp_path / "feedback.csv"
    source.write_text(
        "id,text\n"
        "1,I waited seven hours in A&E with my father\n"
        "2,My GP surgery never answers the phone in the morning\n"
        "3,\n"
        '4,"The midwife was lovely, but the antenatal classes were full"\n'
        "5,Czekałem dziewięć godzin na izbie przyjęć z moim synem\n",
        encoding="utf-8",
    )
    out = tmp_path / "themes.csv"
    call_command("engagement", "themes", "suggest", "--in", str(source), "--out", str(out))
    rows = list(csv.DictReader(out.open()))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert set(rows[0]) == {"id", "theme", "confidence", "also", "flag"}
    assert all(r["theme"] in themes.THEMES for r in rows[:4])
    assert rows[0]["theme"] == "urgent-emergency"
    assert rows[1]["theme"] == "primary-social-community"
    assert rows[2] == {"id": "3", "theme": "other", "confidence": "0.000", "also": "", "flag": ""}
    assert rows[3]["theme"] == "maternity-children"
    assert all(0 <= float(r["confidence"]) <= 1 for r in rows)
    # Another language is flagged for translation, not guessed.
    assert (rows[4]["theme"], rows[4]["flag"]) == ("", "not-english")


def test_confirmed_themes_teach_the_model():
    comment = "The phlebotomy queue at the health centre is endless"
    before = themes.train().suggest([comment])[0][0]
    confirmed = [(comment.replace("endless", e), "primary-social-community") for e in
                 ("endless", "too long", "awful", "slow")]  # fmt: skip
    after = themes.train(confirmed).suggest([comment])[0][0]
    assert after == "primary-social-community"
    assert themes.train(confirmed).trained_on == len(themes.examples()) + 4
    del before


def test_personal_details_and_other_languages_are_flagged():
    found = themes.personal_details(
        "Ring me on 07700 900123 or jo@example.org; I live at JU1 1AA, born 02/03/1950"
    )
    assert found == ["an email address", "a phone number", "a postcode", "a date"]
    assert themes.personal_details("The nurse was kind") == []
    assert themes.probably_not_english("Bardzo długo czekałem na wizytę u lekarza w przychodni")
    assert not themes.probably_not_english("I waited a very long time for the doctor")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"comment\nhello\n", "the columns must be id,text"),
        (b"id,text\n,hello\n", "row 2: no id"),
        (b"id,text\n1,a\n1,b\n", "row 3: id 1 is also on row 2"),
        (b"id,text\n1,caf\xe9\n", "not UTF-8"),
    ],
)
def test_bad_feedback_files_say_where(tmp_path, content, message):
    source = tmp_path / "feedback.csv"
    source.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("engagement", "themes", "suggest", "--in", str(source), "--out",
                     str(tmp_path / "out.csv"))  # fmt: skip
    assert not (tmp_path / "out.csv").exists()
