"""What every loader of a partnership's files shares (``joinedup places|lsoas|
organisations|staff|people load``): reading a CSV file as a stream with its columns named
the loader's way, collecting every bad row (file, row, field, reason) before refusing the
file, and keeping a ``LoadRun`` with a ``LoadChange`` for each record a file changed.

A reference-data file is all or nothing: one bad row and nothing is saved, with every bad
row named. Loading the same file twice changes nothing.
"""

import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import LoadChange, LoadRun, User

SHOWN_PROBLEMS = 20  # named in the message that refuses a file
KEPT_PROBLEMS = 1000  # kept on the LoadRun (all of them go to the report file)
csv.field_size_limit(1024 * 1024)


@dataclass(frozen=True)
class Problem:
    row: int  # the file's line number (the header is line 1)
    field: str
    reason: str

    def text(self, file_name: str) -> str:
        where = f"{file_name} row {self.row}" if self.row else file_name
        return f"{where}, {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "reason": self.reason}


class FileRefused(ValidationError):
    """The file was not loaded (nothing was saved); ``problems`` names every bad row."""

    def __init__(self, file_name: str, problems: list[Problem]):
        self.file_name, self.problems = file_name, problems
        lines = [p.text(file_name) for p in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            lines.append(f"… and {len(problems) - SHOWN_PROBLEMS} more")
        rows = len({p.row for p in problems})
        head = f"{file_name}: nothing loaded, " + (
            f"{rows} bad row{'s' if rows != 1 else ''}" if any(p.row for p in problems) else ""
        )
        super().__init__("\n".join([head.rstrip(", ")] + lines))


def refuse(file_name: str, reason: str, row: int = 0, column: str = "") -> FileRefused:
    return FileRefused(file_name, [Problem(row, column, reason)])


@dataclass
class Columns:
    """The columns a loader reads: ``required``, ``optional``, and other names a file may
    use for them (``aliases``: {other name: our name}), matched without regard to case,
    spaces or punctuation."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)

    def match(self, header: list[str], file_name: str) -> dict[str, int]:
        """{our name: column index} for this header, or FileRefused naming what is missing."""
        ours = {_squash(n): n for n in (*self.required, *self.optional)}
        ours.update({_squash(k): v for k, v in self.aliases.items()})
        found: dict[str, int] = {}
        for index, name in enumerate(header):
            known = ours.get(_squash(name))
            if known and known not in found:
                found[known] = index
        missing = [n for n in self.required if n not in found]
        if missing:
            raise refuse(
                file_name,
                f"no column {', '.join(missing)} (the columns are {', '.join(self.required)}"
                + (f", and optionally {', '.join(self.optional)}" if self.optional else "")
                + f"; this file has {', '.join(h for h in header if h) or 'no header row'})",
                row=1,
            )
        return found


def _squash(name: str) -> str:
    return "".join(c for c in (name or "").casefold() if c.isalnum())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def csv_rows(
    path: Path | str, columns: Columns | None, *, header: list[str] | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {our column: stripped text}) for every row of a CSV file, read as a
    stream. ``header`` gives the names of a file that has no header row (``epraccur``).
    An unreadable file (not there, not UTF-8, broken quoting) is FileRefused, naming the
    line."""
    path = Path(path)
    if not path.is_file():
        raise refuse(path.name, "no such file")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        try:
            names = header if header is not None else next(reader, [])
            index = (
                columns.match(names, path.name)
                if columns
                else {name: i for i, name in enumerate(names)}
            )
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                yield (
                    reader.line_num,
                    {name: (row[i].strip() if i < len(row) else "") for name, i in index.items()},
                )
        except UnicodeDecodeError as exc:
            raise refuse(
                path.name,
                f"not UTF-8 text (near line {reader.line_num + 1}); save it as UTF-8 CSV",
            ) from exc
        except csv.Error as exc:
            raise refuse(path.name, f"unreadable CSV ({exc})", row=reader.line_num) from exc


def choice(value: str, choices, what: str) -> str:
    """A value of a Django ``TextChoices`` given as its value or its label, any case."""
    wanted = _squash(value)
    for member_value, label in choices.choices:
        if wanted in (_squash(member_value), _squash(label)):
            return member_value
    raise ValueError(f"'{value[:40]}' is not a {what} joinedup knows ({', '.join(choices.values)})")


@dataclass
class Load:
    """A load under way: count what it does, note every change, collect problems."""

    kind: str
    path: Path
    by: User | None
    run: LoadRun | None = None
    problems: list[Problem] = field(default_factory=list)
    changes: list[LoadChange] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("rows", "created", "updated", "unchanged", "ended", "quarantined"), 0
        )
    )

    def problem(self, row: int, column: str, reason: str) -> None:
        self.problems.append(Problem(row, column, reason))

    def refuse_if_problems(self) -> None:
        if self.problems:
            raise FileRefused(self.path.name, self.problems)

    def changed(self, key, action: str, changes: dict) -> None:
        self.counts["updated" if action == "updated" else "ended"] += 1
        self.changes.append(
            LoadChange(kind=self.kind, key=str(key), action=action, changes=changes)
        )

    def save(self, *, problems: list[Problem] | None = None) -> LoadRun:
        """Keep the LoadRun and its changes (inside the loader's transaction)."""
        self.run = LoadRun.objects.create(
            kind=self.kind,
            file_name=self.path.name[:300],
            sha256=sha256_of(self.path),
            loaded_at=timezone.now(),
            by=by_user(self.by),
            problems=[p.as_dict() for p in (problems or [])[:KEPT_PROBLEMS]],
            **self.counts,
        )
        for change in self.changes:
            change.load = self.run
        LoadChange.objects.bulk_create(self.changes, batch_size=2000)
        self.changes = []
        return self.run


def keep_load(load: Load, action: str, *, problems: list[Problem] | None = None) -> LoadRun:
    """Keep the load's run and changes and audit it (``action``: "places.load"...)."""
    from .actions import record_audit

    run = load.save(problems=problems)
    record_audit(
        by=load.by,
        action=action,
        object_type="load",
        object_id=run.pk,
        detail={"file": run.file_name, **load.counts},
    )
    return run


def by_user(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def differences(record, values: dict, *, shown: Callable | None = None) -> dict:
    """{field: [before, after]} where ``values`` differ from the record's (as text)."""
    shown = shown or (lambda v: "" if v is None else str(v))
    return {
        name: [shown(getattr(record, name)), shown(value)]
        for name, value in values.items()
        if getattr(record, name) != value
    }
