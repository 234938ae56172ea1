"""What every reader produces: event records ready for the store, and a quarantine of
the records that could not be kept, each naming file, entry or row, field and reason."""

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from joinedup.core.spreadsheets import safe_cell
from joinedup.population.codelists import is_snomed_id
from joinedup.population.store import EVENT_SCHEMA

# Code systems accepted, by the names extracts use for them.
CODE_SYSTEMS = {
    "http://snomed.info/sct": "snomed",
    "snomed": "snomed",
    "snomed ct": "snomed",
    "sct": "snomed",
    "https://dmd.nhs.uk": "dmd",
    "https://fhir.nhs.uk/id/dmd": "dmd",
    "dmd": "dmd",
    "dm+d": "dmd",
}


def code_system(value: str) -> str | None:
    return CODE_SYSTEMS.get((value or "").strip().lower())


def mask(nhs_number: str) -> str:
    """Quarantine reports name the record, not the person: ``*******919``."""
    return "*" * max(len(nhs_number) - 3, 0) + nhs_number[-3:] if nhs_number else ""


@dataclass
class Quarantine:
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def add(self, file: str, where: str, field_name: str, reason: str, value: str = "") -> None:
        self.rows.append((file, where, field_name, reason, value[:80]))

    def __len__(self) -> int:
        return len(self.rows)

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["file", "entry_or_row", "field", "reason", "value"])
            writer.writerows([safe_cell(cell) for cell in row] for row in self.rows)
        return path


class EventBuffer:
    """Columns of accepted events. With ``spill``, every ``limit`` events are handed on as
    an Arrow table (a part of the batch), so a huge file never sits in memory whole."""

    def __init__(self, spill=None, limit: int = 1_000_000):
        self.spill, self.limit, self.spilled = spill, limit, 0
        self._reset()

    def _reset(self) -> None:
        self.person_id: list[int] = []
        self.system: list[str] = []
        self.code: list[int] = []
        self.day: list[date] = []
        self.value: list[float | None] = []
        self.unit: list[str | None] = []

    def add(self, person_id: int, system: str, code: int, day: date, value=None, unit=None):
        self.person_id.append(person_id)
        self.system.append(system)
        self.code.append(code)
        self.day.append(day)
        self.value.append(value)
        self.unit.append(unit or None)
        if self.spill is not None and len(self.person_id) >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self.person_id and self.spill is not None:
            self.spill(self.table())
            self.spilled += len(self.person_id)
            self._reset()

    def __len__(self) -> int:
        return self.spilled + len(self.person_id)

    def table(self) -> pa.Table:
        order = np.lexsort((np.array(self.code, dtype=np.int64), np.array(self.person_id)))
        table = pa.table(
            {
                "person_id": pa.array(self.person_id, pa.int64()),
                "system": pa.array(self.system, pa.string()).dictionary_encode(),
                "code": pa.array(self.code, pa.int64()),
                "date": pa.array(self.day, pa.date32()),
                "value": pa.array(self.value, pa.float64()),
                "unit": pa.array(self.unit, pa.string()).dictionary_encode(),
            }
        )
        return table.take(pa.array(order)).cast(EVENT_SCHEMA)


def check_code(system: str, code: str) -> str | None:
    """Why a code cannot be kept, or None. SNOMED CT and dm+d ids both carry a Verhoeff
    check digit."""
    if not code.isdecimal():
        return "code must be a number (SNOMED CT or dm+d identifier)"
    if not is_snomed_id(code):
        return f"not a valid {'SNOMED CT' if system == 'snomed' else 'dm+d'} identifier"
    return None


def check_date(text: str, today: date, birth: date | None = None) -> tuple[date | None, str]:
    text = (text or "").strip()
    if not text:
        return None, "date is missing"
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None, "not a real date (expected YYYY-MM-DD)"
    if day > today:
        return None, "date is in the future"
    if day.year < 1900:
        return None, "date is before 1900"
    if birth and day < birth:
        return None, "date is before the person was born"
    return day, ""
