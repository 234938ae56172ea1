"""Theme suggestions for written feedback, offline: a scikit-learn classifier (TF-IDF of
character n-grams within words, logistic regression) trained on example comments shipped with
joinedup (``data/theme_examples.csv``) and on every theme a person has confirmed or
corrected, so the suggestions learn the borough's own words. A person always confirms
or corrects a suggestion before it counts.

The themes are the seven NHS Long Term Plan areas plus "other" (the contract of
``joinedup engagement themes suggest``).

Example::

    model = train()
    model.suggest(["I waited six hours in A&E"])   # [("urgent-emergency", 0.41)]
"""

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from joinedup.core.csv_input import CsvRows, refused_as
from joinedup.core.spreadsheets import safe_cell

THEMES = {
    "prevention": "Healthy communities and prevention",
    "maternity-children": "Maternity, children and young people",
    "primary-social-community": "Primary, social and community care",
    "urgent-emergency": "Urgent and emergency care",
    "mental-health": "Mental health, including learning disabilities and autism",
    "cancer": "Cancer care",
    "hospital-specialist": "Hospital and specialist care",
    "other": "Other",
}
MAX_TEXT = 10_000
MAX_ROWS = 200_000


class ThemeError(ValueError):
    """A feedback file that cannot be read, with the row and what is wrong."""


def examples() -> list[tuple[str, str]]:
    """The example comments joinedup ships, as (text, theme)."""
    text = resources.files("joinedup.engagement").joinpath("data/theme_examples.csv").read_text()
    return [(row["text"], row["theme"]) for row in csv.DictReader(io.StringIO(text))]


@dataclass
class ThemeModel:
    pipeline: object
    trained_on: int

    def suggest(self, texts: list[str]) -> list[tuple[str, float]]:
        """The likeliest theme of each text and how sure the model is (0–1)."""
        if not texts:
            return []
        probabilities = self.pipeline.predict_proba(texts)
        classes = self.pipeline.classes_
        best = np.argmax(probabilities, axis=1)
        return [(str(classes[j]), float(probabilities[i, j])) for i, j in enumerate(best)]


def train(confirmed: list[tuple[str, str]] = ()) -> ThemeModel:
    """A model from the shipped examples and the themes people have confirmed."""
    pairs = examples() + [(t, th) for t, th in confirmed if th in THEMES and t.strip()]
    texts = [t for t, _ in pairs]
    labels = [th for _, th in pairs]
    pipeline = make_pipeline(
        # Character n-grams within words: "chemo" is close to "chemotherapy", and
        # misspellings still match.
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
        LogisticRegression(C=20.0, max_iter=3000),
    )
    pipeline.fit(texts, labels)
    return ThemeModel(pipeline, len(pairs))


@refused_as(ThemeError)
def read_feedback(path: Path) -> list[tuple[str, str]]:
    """``id,text`` rows from a CSV file; every problem named with its row."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ThemeError(f"{path}: no such file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ThemeError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None
    reader = CsvRows(text, path.name)
    columns = [(c or "").strip().lower() for c in (reader.fieldnames or [])]
    if columns[:2] != ["id", "text"]:
        raise ThemeError(f"{path.name}: the columns must be id,text (found {','.join(columns)})")
    rows, seen = [], {}
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise ThemeError(f"{path.name}: more than {MAX_ROWS:,} rows")
        values = list(row.values())
        identifier, comment = str(values[0] or "").strip(), str(values[1] or "").strip()
        if not identifier:
            raise ThemeError(f"{path.name} row {number}: no id")
        if identifier in seen:
            raise ThemeError(
                f"{path.name} row {number}: id {identifier} is also on row {seen[identifier]}"
            )
        if len(comment) > MAX_TEXT:
            raise ThemeError(f"{path.name} row {number}: longer than {MAX_TEXT:,} characters")
        seen[identifier] = number
        rows.append((identifier, comment))
    return rows


def suggest_file(source: Path, out: Path, model: ThemeModel | None = None) -> int:
    """Write ``id,theme,confidence`` for every row of an ``id,text`` file; an empty
    comment is "other" with confidence 0. Returns the number of rows."""
    rows = read_feedback(source)
    model = model or train()
    texts = [text for _, text in rows if text]
    suggestions = iter(model.suggest(texts))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "theme", "confidence"])
        for identifier, text in rows:
            theme, confidence = next(suggestions) if text else ("other", 0.0)
            writer.writerow([safe_cell(identifier), theme, f"{confidence:.3f}"])
    return len(rows)


# --- Before publishing -----------------------------------------------------------------------

_PERSONAL = (
    ("an email address", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    ("a phone number", re.compile(r"(?<!\d)(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\d)")),
    ("an NHS number", re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")),
    ("a postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)),
    ("a date", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")),
)
_ENGLISH = set(
    "the and to of a i in is it was my for that not we have with be on are they this at "
    "but you he she his her our there no so all me would been had do get can".split()
)


def personal_details(text: str) -> list[str]:
    """What in a comment could identify someone (to redact before publishing)."""
    return [label for label, pattern in _PERSONAL if pattern.search(text or "")]


def probably_not_english(text: str) -> bool:
    """A comment with words but almost none of the commonest English ones (for a person
    to route to translation rather than trust the suggestion)."""
    words = re.findall(r"[^\W\d_]+", (text or "").lower())
    if len(words) < 4:
        return False
    return sum(w in _ENGLISH for w in words) / len(words) < 0.08
