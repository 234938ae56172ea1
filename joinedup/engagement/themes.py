"""Theme suggestions for written feedback, offline: a scikit-learn classifier trained on
example comments shipped with joinedup (``data/theme_examples.csv``), a lexicon of each
area's words (``data/theme_lexicon.csv``, one term an example) and every theme a person has
confirmed or corrected, so the suggestions learn the borough's own words. A person always
confirms or corrects a suggestion before it counts.

The features are TF-IDF of words and word pairs (what a comment is about) and of character
n-grams within words ("chemo" is close to "chemotherapy", "docter" to "doctor"); the
classifier is a linear support vector machine whose scores are calibrated into
probabilities, one per theme, so a comment about several areas can name them all
(:attr:`Suggestion.also`). A comment that is probably not in English is flagged and gets
no suggestion: a person has it translated first.

The themes are the seven NHS Long Term Plan areas plus "other" (the contract of
``joinedup engagement themes suggest``). ``bench/themes.py`` and
``tests/unit/engagement/test_theme_agreement.py`` measure the suggestions against the
held-out set in ``tests/data/themes``.

Example::

    model = train()
    model.suggest(["I waited six hours in A&E"])   # [("urgent-emergency", 0.93)]
"""

import csv
import functools
import io
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC

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
# A second theme is named when it is at least this likely and at least half as likely as
# the first: "no GP appointment so I went to A&E" is about both.
ALSO_AT_LEAST = 0.25


class ThemeError(ValueError):
    """A feedback file that cannot be read, with the row and what is wrong."""


def _data(name: str) -> list[dict]:
    text = resources.files("joinedup.engagement").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def examples() -> list[tuple[str, str]]:
    """The example comments joinedup ships, as (text, theme)."""
    return [(row["text"], row["theme"]) for row in _data("theme_examples.csv")]


def lexicon() -> list[tuple[str, str]]:
    """Each area's words ("midwife", "A&E", "CAMHS"), as (term, theme): each is an example
    of its own, so a comment in words no example uses is still placed by its key terms."""
    return [
        (term.strip(), row["theme"])
        for row in _data("theme_lexicon.csv")
        for term in row["terms"].split(";")
        if term.strip()
    ]


@dataclass
class Suggestion:
    """What the model suggests for one comment: its likeliest theme (None when the comment
    is probably not English, or empty), how sure it is (0–1), and other themes it is
    probably also about."""

    theme: str | None
    confidence: float
    also: list[str] = field(default_factory=list)
    not_english: bool = False


@dataclass
class ThemeModel:
    pipeline: object
    trained_on: int

    def probabilities(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        """The themes and, for each text, the probability of each."""
        return [str(c) for c in self.pipeline.classes_], self.pipeline.predict_proba(texts)

    def suggest(self, texts: list[str]) -> list[tuple[str, float]]:
        """The likeliest theme of each text and how sure the model is (0–1), whatever the
        language (:meth:`suggestions` flags other languages instead)."""
        if not texts:
            return []
        classes, probabilities = self.probabilities(texts)
        best = np.argmax(probabilities, axis=1)
        return [(classes[j], float(probabilities[i, j])) for i, j in enumerate(best)]

    def suggestions(self, texts: list[str]) -> list[Suggestion]:
        """A :class:`Suggestion` for each text: other languages flagged rather than
        guessed, empty texts "other" with confidence 0, several themes where a comment
        is about several."""
        results = [Suggestion(None, 0.0) for _ in texts]
        english = []
        for i, text in enumerate(texts):
            if not (text or "").strip():
                results[i].theme = "other"
            elif probably_not_english(text):
                results[i].not_english = True
            else:
                english.append(i)
        if english:
            classes, probabilities = self.probabilities([texts[i] for i in english])
            for i, row in zip(english, probabilities, strict=True):
                order = np.argsort(-row)
                top = row[order[0]]
                results[i].theme, results[i].confidence = classes[order[0]], float(top)
                results[i].also = [
                    classes[j] for j in order[1:3] if row[j] >= ALSO_AT_LEAST and row[j] >= top / 2
                ]
        return results


def train(confirmed: list[tuple[str, str]] = ()) -> ThemeModel:
    """A model from the shipped examples, the lexicon and the themes people have confirmed
    (in well under a second for the shipped data)."""
    pairs = examples() + [(t, th) for t, th in confirmed if th in THEMES and t and t.strip()]
    training = pairs + lexicon()
    features = make_union(
        TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            strip_accents="unicode",
            token_pattern=r"(?u)\b\w[\w&]*\b",
        ),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 6), sublinear_tf=True, strip_accents="unicode"
        ),
    )
    pipeline = make_pipeline(
        features, CalibratedClassifierCV(LinearSVC(C=0.5, random_state=0), cv=3)
    )
    pipeline.fit([t for t, _ in training], [th for _, th in training])
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
    """Write ``id,theme,confidence,also,flag`` for every row of an ``id,text`` file: ``also``
    the other themes a comment is probably about (``;`` between them); a comment probably
    not in English has no theme and the flag ``not-english``; an empty comment is "other"
    with confidence 0. Returns the number of rows."""
    rows = read_feedback(source)
    model = model or train()
    suggestions = model.suggestions([text for _, text in rows])
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "theme", "confidence", "also", "flag"])
        for (identifier, _), s in zip(rows, suggestions, strict=True):
            writer.writerow(
                [
                    safe_cell(identifier),
                    s.theme or "",
                    f"{s.confidence:.3f}",
                    ";".join(s.also),
                    "not-english" if s.not_english else "",
                ]
            )
    return len(rows)


# --- Before publishing -----------------------------------------------------------------------

_PERSONAL = (
    ("an email address", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    ("a phone number", re.compile(r"(?<!\d)(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\d)")),
    ("an NHS number", re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")),
    ("a postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)),
    ("a date", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")),
)
# The commonest English words, and the commonest words of the Latin-script languages most
# spoken in English boroughs after English (Polish, Romanian, Portuguese, Spanish, French,
# Italian, Lithuanian, Somali, Turkish, Albanian, German): a comment with more of theirs
# than of ours, or with words but none of ours, is probably not English.
_ENGLISH = set(
    "the and to of a i in is it was my for that not we have with be on are they this at "
    "but you he she his her our there no so all me would been had do get can an as by "
    "from or if when what who why how than then them their there's it's i'm im dont cant "
    "didnt wasnt wont isnt very too more much any some one two after before about again "
    "just only also still never always every nobody no-one anyone need needs needed "
    "should could will did does has got go going went come came see seen told said "
    "please help time long wait waited waiting hours weeks months years day days "
    "us him your up out over into here where which don't can't didn't won't".split()
)
_OTHER_LANGUAGES = (
    set(
        # Polish
        "i w z na nie się do jest że to jak po co ale tak za od mnie moja mój jestem przez "
        "bardzo już tylko czy dla mam być był była lekarza lekarz "
        # Romanian
        "și în nu să la cu pe de o un mai care este pentru am fost foarte după sunt eu "
        # Portuguese and Spanish
        "e o os as um uma não que com para por mais muito é da do dos das na no foi "
        "y el la los las en un una es por con para muy pero mi más está tiene sin "
        # French and Italian
        "le les des du et est une pour pas je ne avec dans sur mais très été il di che "
        "non per una sono della del mi mai ho ha alla gli "
        # Lithuanian
        "ir yra kad su į mano labai ne bet kaip pas "
        # Somali
        "iyo waa ku ka oo ayaa ayay waxaa aad ii aan kadib markii waxay uma ma "
        # Turkish and Albanian
        "ve bir bu da için çok ile ben ama değil në me të një për dhe nuk është tim "
        # German
        "der die das und ist nicht ich mit zu auf ein eine sehr".split()
    )
    - _ENGLISH
)
_NOT_ENGLISH_LETTERS = set("ąęłńśźżćőűșțăâîãõñçğışėįųūčšžëøåæœßàèìòùáéíóúêô")


def personal_details(text: str) -> list[str]:
    """What in a comment could identify someone (to redact before publishing)."""
    return [label for label, pattern in _PERSONAL if pattern.search(text or "")]


def probably_not_english(text: str) -> bool:
    """A comment that is probably not in English (for a person to have it translated
    rather than trust a suggestion): mostly letters of another script (Arabic, Bengali,
    Chinese, Gurmukhi, Cyrillic…), or Latin letters in words that are another language's
    commonest, or with letters English does not use and none of its commonest words.

    >>> probably_not_english("Czekałem dziewięć godzin na izbie przyjęć")
    True
    >>> probably_not_english("docter surgrey is imposible")
    False
    """
    letters = [c for c in (text or "") if c.isalpha()]
    if not letters:
        return False
    latin = sum(1 for c in letters if unicodedata.name(c, "").startswith("LATIN"))
    if latin < len(letters) / 2:
        return True
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
    ours = sum(w in _ENGLISH for w in words)
    theirs = sum(w in _OTHER_LANGUAGES for w in words)
    marked = sum(1 for w in words if _NOT_ENGLISH_LETTERS & set(w))
    if theirs > ours and theirs + marked >= 2:
        return True
    if ours == 0 and marked >= max(1, len(words) // 4):
        return True
    known = sum(w in _ENGLISH or w in _vocabulary() for w in words)
    return len(words) >= 3 and known / len(words) < 0.34


@functools.cache
def _vocabulary() -> frozenset[str]:
    """The words of the shipped English examples and lexicon."""
    texts = [t for t, _ in examples() + lexicon()]
    return frozenset(re.findall(r"[^\W\d_]+", " ".join(texts).lower()))


# --- How good the suggestions are -----------------------------------------------------------


@dataclass
class Labelled:
    """A comment a person has labelled: its language and the themes it is about (the main
    one first)."""

    id: str
    text: str
    language: str
    themes: list[str]


def read_labelled(path: Path) -> list[Labelled]:
    """``id,language,themes,text`` rows (``tests/data/themes/held_out.csv``)."""
    with open(path, encoding="utf-8", newline="") as f:
        return [
            Labelled(row["id"], row["text"], row["language"], row["themes"].split(";"))
            for row in csv.DictReader(f)
        ]


def agreement(model: ThemeModel, labelled: list[Labelled]) -> dict:
    """How often the suggestions agree with the labels: an English comment agrees when it
    is not flagged and its suggested theme is one of its labelled themes; another
    language's when it is flagged. With each theme's precision and recall (over every
    theme suggested, the first and the ``also`` ones, against every theme labelled) and
    the flags' hits and misses.

    >>> agreement(train(), read_labelled("tests/data/themes/held_out.csv"))["share"]
    0.86...
    """
    suggestions = model.suggestions([item.text for item in labelled])
    agreed = main_agreed = english = flagged_right = flagged_wrong = other_languages = 0
    counts = {theme: {"suggested": 0, "labelled": 0, "both": 0} for theme in THEMES}
    for item, suggestion in zip(labelled, suggestions, strict=True):
        if item.language != "en":
            other_languages += 1
            flagged_right += suggestion.not_english
            agreed += suggestion.not_english
            continue
        english += 1
        flagged_wrong += suggestion.not_english
        agreed += suggestion.theme in item.themes
        main_agreed += suggestion.theme == item.themes[0]
        suggested = {suggestion.theme, *suggestion.also} - {None}
        for theme in counts:
            counts[theme]["suggested"] += theme in suggested
            counts[theme]["labelled"] += theme in item.themes
            counts[theme]["both"] += theme in suggested and theme in item.themes
    per_theme = {
        theme: {
            "precision": c["both"] / c["suggested"] if c["suggested"] else None,
            "recall": c["both"] / c["labelled"] if c["labelled"] else None,
            "labelled": c["labelled"],
        }
        for theme, c in counts.items()
    }
    return {
        "comments": len(labelled),
        "agreed": agreed,
        "share": agreed / len(labelled) if labelled else None,
        "english": english,
        "english_share": (agreed - flagged_right) / english if english else None,
        "main_theme_share": main_agreed / english if english else None,
        "other_languages": other_languages,
        "flagged": flagged_right,
        "english_flagged": flagged_wrong,
        "per_theme": per_theme,
    }
