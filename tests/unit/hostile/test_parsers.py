"""Property-based tests of every file parser: random bytes, random text, huge fields and
deeply nested JSON give a clear error of the parser's own kind (or a result), never a
crash; spreadsheet cells that a spreadsheet would run are always neutralised."""

import csv
import io
import json
from collections import Counter
from datetime import date

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.core.spreadsheets import safe_cell
from joinedup.directory import feeds
from joinedup.engagement import sortition, themes, weighting
from joinedup.ingest.csv_events import FileRefused, read_events_csv
from joinedup.ingest.fhir_bundles import read_bundle_file
from joinedup.ingest.records import EventBuffer, Quarantine

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEEP = b"[" * 50_000 + b"]" * 50_000
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=40,
)


def csv_text(columns: list[str]):
    """CSV files with the right header and hostile cells."""
    cell = st.text(max_size=30) | st.sampled_from(["", "=1+1", "<script>", "∞", "\x00", "9" * 400])
    rows = st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns)), max_size=8)

    def build(body):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(body)
        return out.getvalue()

    return rows.map(build)


@FAST
@given(st.binary(max_size=400))
def test_events_csv_any_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("csv") / "x.csv"
    path.write_bytes(data)
    quarantine = Quarantine()
    try:
        read_events_csv(path, people={}, today=date(2026, 12, 1), events=EventBuffer(None, None),
                        quarantine=quarantine)  # fmt: skip
    except FileRefused as exc:
        assert "x.csv" in str(exc)


@FAST
@given(st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode())))
def test_fhir_bundles_any_bytes_or_json(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fhir") / "b.json"
    path.write_bytes(data)
    read_bundle_file(path, people={}, today=date(2026, 12, 1), events=EventBuffer(None, None),
                     quarantine=Quarantine(), skipped=Counter())  # fmt: skip


def test_fhir_bundle_nested_too_deeply_is_quarantined(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(DEEP)
    quarantine = Quarantine()
    read_bundle_file(path, people={}, today=date(2026, 12, 1), events=EventBuffer(None, None),
                     quarantine=quarantine, skipped=Counter())  # fmt: skip
    assert "nested too deeply" in str(quarantine.rows)


@FAST
@given(json_values)
def test_open_referral_records_of_any_shape(raw):
    from django.core.exceptions import ValidationError

    try:
        shape, records = feeds.detect_shape(raw)
    except ValidationError as exc:
        assert "Open Referral" in str(exc)
        return
    for number, record in enumerate(records[:5], start=1):
        feeds.clean_record(number, record, shape)
    feeds.clean_record(1, raw, "hsds3")


@FAST
@given(st.text(max_size=300), st.integers(min_value=-3, max_value=60))
def test_sortition_files_any_text(categories, k):
    try:
        features = sortition.read_categories(categories)
    except sortition.SortitionError:
        return
    try:
        sortition.read_respondents(categories, features, k)
    except sortition.SortitionError:
        pass


@FAST
@given(csv_text(["category", "feature", "min", "max"]))
def test_sortition_quota_files_with_the_right_columns(text):
    try:
        sortition.read_categories(text)
    except sortition.SortitionError as exc:
        assert "row" in str(exc) or "categories" in str(exc)


@FAST
@given(st.binary(max_size=300))
def test_theme_files_any_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("themes") / "f.csv"
    path.write_bytes(data)
    try:
        themes.read_feedback(path)
    except themes.ThemeError as exc:
        assert "f.csv" in str(exc)


@given(st.text(max_size=60))
def test_formula_cells_are_always_neutralised(value):
    cell = safe_cell(value)
    if value and value[0] in "=@\t\r":
        assert cell == "'" + value
    if value[:1] in ("+", "-") and cell == value:
        assert any(c.isdigit() for c in value)  # kept only when it is a number (a phone number)
    assert cell in (value, "'" + value)


def test_theme_suggestions_neutralise_formula_ids(tmp_path):
    source = tmp_path / "feedback.csv"
    source.write_text('id,text\n"=1+1",The wait for a GP appointment is too long\n')
    themes.suggest_file(source, tmp_path / "out.csv")
    written = list(csv.reader(open(tmp_path / "out.csv", encoding="utf-8")))
    assert written[1][0] == "'=1+1"


def test_quarantine_reports_neutralise_formulas(tmp_path):
    quarantine = Quarantine()
    quarantine.add("=x.csv", "row 2", "@field", "not a code", value='=HYPERLINK("http://x")')
    written = list(csv.reader(open(quarantine.write(tmp_path / "q.csv"), encoding="utf-8")))
    assert written[1] == ["'=x.csv", "row 2", "'@field", "not a code", '\'=HYPERLINK("http://x")']


@FAST
@given(
    st.lists(st.sampled_from(["a", "b", "c", "not_said"]), min_size=1, max_size=60),
    st.lists(st.floats(min_value=0.01, max_value=1), min_size=3, max_size=3),
)
def test_raking_weights_are_finite_positive_and_average_one(values, shares):
    targets = {"g": dict(zip(["a", "b", "c"], shares, strict=True))}
    weights, _ = weighting.rake({"g": values}, targets)
    assert np.all(np.isfinite(weights)) and np.all(weights > 0)
    assert abs(weights.mean() - 1) < 1e-9 and weights.max() <= weighting.CAP + 1e-9


@given(st.text(max_size=200))
def test_listing_text_keeps_no_markup(value):
    text, _ = feeds.plain_text(f"<script>{value}</script><b onclick='x'>{value}</b>")
    assert "<script" not in text and "onclick" not in text
