"""The input to sortition: the quotas (features) and the respondents and households, from CSV."""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from joinedup.core.csv_input import CsvRows, refused_as


class SortitionError(ValueError):
    """A file or an instance that cannot be used, with what is wrong and where."""


@dataclass(frozen=True)
class Feature:
    category: str
    value: str
    low: int
    high: int


@dataclass
class Instance:
    """Respondents, each with one value per category, the quotas and the panel size."""

    k: int
    features: list[Feature]
    ids: list[str]
    values: list[dict[str, str]]  # per respondent: category → value
    households: list[str] = field(default_factory=list)  # per respondent ("" = none)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(f.category for f in self.features))

    def members(self, feature: Feature) -> np.ndarray:
        """Indices of the respondents with a feature."""
        return np.array(
            [i for i, v in enumerate(self.values) if v[feature.category] == feature.value],
            dtype=np.int32,
        )

    @classmethod
    def from_text(
        cls,
        categories_csv: str,
        respondents_csv: str,
        k: int,
        *,
        names=("categories", "respondents"),
    ) -> "Instance":
        features = read_categories(categories_csv, names[0])
        return read_respondents(respondents_csv, features, k, names[1])

    @classmethod
    def from_files(cls, categories: Path | str, respondents: Path | str, k: int) -> "Instance":
        return cls.from_text(
            _read_text(Path(categories)),
            _read_text(Path(respondents)),
            k,
            names=(Path(categories).name, Path(respondents).name),
        )


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise SortitionError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise SortitionError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None


@refused_as(SortitionError)
def read_categories(text: str, name: str = "categories") -> list[Feature]:
    """``category,feature,min,max`` rows; every problem named with its row."""
    reader = CsvRows(text, name)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if header[:4] != ["category", "feature", "min", "max"]:
        raise SortitionError(
            f"{name}: the columns must be category,feature,min,max (found {','.join(header)})"
        )
    features: list[Feature] = []
    seen = set()
    for row_number, row in enumerate(reader, start=2):
        cells = [str(v or "").strip() for v in row.values()][:4]
        category, value, low, high = cells + [""] * (4 - len(cells))
        if not category or not value:
            raise SortitionError(f"{name} row {row_number}: category and feature are needed")
        if not low.isdecimal() or not high.isdecimal():
            raise SortitionError(
                f"{name} row {row_number}: min and max must be whole numbers ({low!r}, {high!r})"
            )
        if int(low) > int(high):
            raise SortitionError(f"{name} row {row_number}: min {low} is more than max {high}")
        if (category, value) in seen:
            raise SortitionError(f"{name} row {row_number}: {category}={value} is listed twice")
        seen.add((category, value))
        features.append(Feature(category, value, int(low), int(high)))
    if not features:
        raise SortitionError(f"{name}: no categories")
    return features


@refused_as(SortitionError)
def read_respondents(
    text: str, features: list[Feature], k: int, name: str = "respondents"
) -> Instance:
    """One column per category, plus optional ``id`` and address columns (``address``,
    ``address_1``, ``address_2``, ``postcode``: respondents with the same address are one
    household, and at most one of a household is chosen)."""
    reader = CsvRows(text, name)
    columns = {(h or "").strip().lower(): h for h in (reader.fieldnames or [])}
    categories = list(dict.fromkeys(f.category for f in features))
    missing = [c for c in categories if c.lower() not in columns]
    if missing:
        raise SortitionError(f"{name}: no column for {', '.join(missing)}")
    allowed = defaultdict(set)
    for f in features:
        allowed[f.category].add(f.value)
    address_columns = [
        columns[c] for c in ("address", "address_1", "address_2", "postcode") if c in columns
    ]
    id_column = columns.get("id")
    ids, values, households = [], [], []
    seen_ids: dict[str, int] = {}
    for row_number, row in enumerate(reader, start=2):
        person = {}
        for category in categories:
            value = str(row.get(columns[category.lower()]) or "").strip()
            if value not in allowed[category]:
                raise SortitionError(
                    f"{name} row {row_number}: {category} {value!r} is not one of "
                    f"{', '.join(sorted(allowed[category]))}"
                )
            person[category] = value
        respondent = str(row.get(id_column) or "").strip() if id_column else str(row_number - 1)
        if not respondent:
            raise SortitionError(f"{name} row {row_number}: no id")
        if respondent in seen_ids:
            raise SortitionError(
                f"{name} row {row_number}: id {respondent} is also on row {seen_ids[respondent]}"
            )
        seen_ids[respondent] = row_number
        ids.append(respondent)
        values.append(person)
        address = " ".join(str(row.get(c) or "").strip().lower() for c in address_columns)
        households.append(" ".join(address.split()))
    if k < 1:
        raise SortitionError(f"the panel size must be 1 or more (got {k})")
    if k > len(ids):
        raise SortitionError(
            f"a panel of {k} needs at least {k} respondents (there are {len(ids)})"
        )
    return Instance(k=k, features=features, ids=ids, values=values, households=households)
