"""CSV event extracts: ``nhs_number, system, code, date[, value, unit]``, one row an event."""

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

from joinedup.people.validation import clean_nhs_number

from .records import EventBuffer, Quarantine, check_code, check_date, code_system, mask

REQUIRED = ("nhs_number", "system", "code", "date")
ALIASES = {
    "person": "nhs_number",
    "nhs_no": "nhs_number",
    "code_system": "system",
    "event_date": "date",
    "units": "unit",
}


class FileRefused(Exception):
    """The whole file cannot be read (encoding, header): nothing from it is kept."""


def read_events_csv(
    path: Path,
    *,
    people: dict[str, tuple[int, date]],
    today: date,
    events: EventBuffer,
    quarantine: Quarantine,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Validate every row; keep the good ones in ``events`` and name every bad one in
    ``quarantine``. Returns the number of rows read."""
    name = path.name
    # Streamed: a file of any size is read a row at a time.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            return _read_rows(name, reader, people, today, events, quarantine, progress)
        except UnicodeDecodeError as exc:
            raise FileRefused(
                f"{name}: not UTF-8 text near row {reader.line_num + 1}; save the extract as "
                "UTF-8 CSV"
            ) from exc
        except csv.Error as exc:
            raise FileRefused(f"{name} row {reader.line_num}: unreadable CSV ({exc})") from exc


def _read_rows(name, reader, people, today, events, quarantine, progress) -> int:
    try:
        header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in next(reader)]
    except StopIteration as exc:
        raise FileRefused(f"{name}: the file is empty") from exc
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileRefused(
            f"{name}: missing column(s) {', '.join(missing)}; found {', '.join(header)}"
        )
    col = {c: header.index(c) for c in header}
    has_value, has_unit = "value" in col, "unit" in col
    rows = 0
    for rows, fields in enumerate(reader, start=1):
        where = f"row {rows + 1}"
        if progress and rows % 50_000 == 0:
            progress(rows)
        if len(fields) != len(header):
            quarantine.add(
                name, where, "", f"has {len(fields)} fields, the header has {len(header)}"
            )
            continue
        raw_number = fields[col["nhs_number"]].strip()
        if not raw_number:
            quarantine.add(name, where, "nhs_number", "person identifier is missing")
            continue
        try:
            number = clean_nhs_number(raw_number)
        except Exception:  # noqa: BLE001 - any failure is a quarantine reason
            quarantine.add(name, where, "nhs_number", "not a valid NHS number", mask(raw_number))
            continue
        person = people.get(number)
        if person is None:
            quarantine.add(
                name, where, "nhs_number", "no resident has this NHS number", mask(number)
            )
            continue
        system = code_system(fields[col["system"]])
        if system is None:
            quarantine.add(name, where, "system", "unknown code system", fields[col["system"]])
            continue
        code = fields[col["code"]].strip()
        problem = check_code(system, code)
        if problem:
            quarantine.add(name, where, "code", problem, code)
            continue
        day, problem = check_date(fields[col["date"]], today, person[1])
        if problem:
            quarantine.add(name, where, "date", problem, fields[col["date"]])
            continue
        value = None
        if has_value and fields[col["value"]].strip():
            try:
                value = float(fields[col["value"]])
            except ValueError:
                quarantine.add(name, where, "value", "value must be a number", fields[col["value"]])
                continue
        unit = fields[col["unit"]].strip() if has_unit else None
        events.add(person[0], system, int(code), day, value, unit)
    return rows
