"""The plan's content read back in words: dates as people write them, not as stored."""

from joinedup.care.plans import differences, shown_sections


def test_what_changed_between_versions_reads_dates_as_people_write_them():
    old = {"review": {"date": "2027-03-21"}, "actions": [{"id": "a", "what": "Check feet"}]}
    new = {
        "review": {"date": "2027-03-05", "last_reviewed": "2026-12-05"},
        "actions": [{"id": "a", "what": "Check feet", "by_when": "2027-01-09"}],
    }
    rows = differences(old, new)
    assert {
        "section": "Review",
        "item": "Next review date",
        "before": "21 March 2027",
        "after": "5 March 2027",
    } in rows
    assert any(r["item"] == "Last reviewed" and r["after"] == "5 December 2026" for r in rows)
    assert any(r["section"] == "Actions" and "by 9 January 2027" in r["after"] for r in rows)
    assert "2027-" not in str(rows)


def test_the_plan_shows_its_dates_the_same_way():
    rows = dict(shown_sections({"review": {"date": "2027-03-05"}})["review"]["rows"])
    assert rows["Next review date"] == "5 March 2027"
