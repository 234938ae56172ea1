"""Reading OpenCodelists CSV files (``code,term``) of SNOMED CT concepts."""

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

# Verhoeff check digit tables: every SNOMED CT identifier ends in one.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def verhoeff_digit(digits: str) -> str:
    """The Verhoeff check digit to append to ``digits``."""
    check = 0
    for i, digit in enumerate(reversed(digits)):
        check = _D[check][_P[(i + 1) % 8][int(digit)]]
    return str(_INV[check])


def is_snomed_id(code: str) -> bool:
    """A SNOMED CT identifier: 6–18 digits, no leading zero, valid Verhoeff check digit.

    >>> is_snomed_id("38341003"), is_snomed_id("38341004")
    (True, False)
    """
    if not (code.isdecimal() and 6 <= len(code) <= 18 and code[0] != "0"):
        return False
    check = 0
    for i, digit in enumerate(reversed(code)):
        check = _D[check][_P[i % 8][int(digit)]]
    return check == 0


@dataclass(frozen=True)
class CodelistFile:
    slug: str
    name: str
    source: str
    version: str
    codes: tuple[tuple[int, str], ...]


def read_codelist_csv(
    path: Path, *, slug: str, name: str, source: str, version: str
) -> CodelistFile:
    """Read one ``code,term`` file; any bad row raises ValidationError naming file and row."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise ValidationError(f"{path.name}: cannot read: {exc.strerror}") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "code" not in header or "term" not in header:
        found = ", ".join(header) or "none"
        raise ValidationError(f"{path.name}: the header must have columns code and term ({found})")
    reader.fieldnames = header
    codes: dict[int, str] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        if not is_snomed_id(code):
            raise ValidationError(
                f"{path.name} row {line}, field code: '{code[:40]}' is not a SNOMED CT identifier"
            )
        codes[int(code)] = (row.get("term") or "").strip()[:500]
    if not codes:
        raise ValidationError(f"{path.name}: no codes")
    return CodelistFile(
        slug=slug, name=name, source=source, version=version, codes=tuple(codes.items())
    )


def read_codelist_dir(folder: Path) -> list[CodelistFile]:
    """Every codelist in a folder. A ``manifest.json`` (slug, name, file, source, version)
    pins where each came from; without one, each ``*.csv`` is a list named after its file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(f"{folder}: not a folder")
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        try:
            entries = json.loads(manifest_path.read_text(encoding="utf-8"))["codelists"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValidationError(f"manifest.json: malformed ({exc})") from exc
        return [
            read_codelist_csv(
                folder / e["file"],
                slug=e["slug"],
                name=e.get("name", e["slug"]),
                source=e.get("source", ""),
                version=str(e.get("version", "")),
            )
            for e in entries
        ]
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise ValidationError(f"{folder}: no .csv codelists and no manifest.json")
    return [
        read_codelist_csv(
            f,
            slug=f.stem.lower()[:100],
            name=f.stem,
            source=f"file {f.name}",
            version="unversioned",
        )
        for f in files
    ]
