"""Postcodes: their usual form, and loading the postcode → LSOA lookup."""

import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from ..csv_input import CsvRows, refused_as
from ..models import Lsoa, Postcode, User
from .audit import record_audit


def normalise_postcode(value: str) -> str:
    """``'nw12db'`` → ``'NW1 2DB'``. Raises ValidationError if it cannot be a UK postcode."""
    compact = re.sub(r"\s+", "", (value or "")).upper()
    if not re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", compact):
        raise ValidationError({"postcode": f"'{value}' is not a UK postcode"})
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_or_blank(value) -> str:
    """A UK postcode in its usual form (``'JU1 2AB'``), or ``""`` when it cannot be one (for
    input that is checked later, or repaired rather than refused)."""
    try:
        return normalise_postcode(str(value or ""))
    except ValidationError:
        return ""


@dataclass
class PostcodeLoadReport:
    rows: int
    created: int
    updated: int
    skipped_other_areas: int


# Column names used by the ONS Postcode Directory (and its smaller lookups),
# newest first: whichever is present is used.
_POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "postcode")
_LSOA_COLUMNS = ("lsoa21cd", "lsoa21", "lsoa11cd", "lsoa11", "lsoa", "lsoa_code")
_LATITUDE_COLUMNS = ("lat", "latitude")
_LONGITUDE_COLUMNS = ("long", "lon", "longitude")
# ONSPD gives 99.999999 / 0.000000 to postcodes with no grid reference.
_NO_COORDINATES = 99.999999


def _coordinate(value: str, low: float, high: float, where: str) -> float | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValidationError(f"{where}: '{text[:20]}' is not a number") from None
    if number == _NO_COORDINATES:
        return None
    if not low <= number <= high:
        raise ValidationError(f"{where}: {number} is outside {low} to {high}")
    return number


@refused_as(ValidationError)
@transaction.atomic
def load_postcode_lookup(*, by: User | None, path: Path | str) -> PostcodeLoadReport:
    """Load postcode → LSOA rows from an ONS Postcode Directory-style CSV, with each
    postcode's latitude and longitude when the file has them (``lat``, ``long``).

    All or nothing: the first bad row (unknown LSOA, malformed postcode, missing
    column, wrong encoding) raises ``ValidationError`` naming file, row and field,
    and nothing is saved. Postcodes for LSOAs outside this system are skipped
    (the ONSPD covers the whole country) and counted.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path.name}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV"
        ) from exc
    reader = CsvRows(text, path.name)
    header = {(h or "").strip().lower(): h for h in (reader.fieldnames or [])}
    pc_col = next((header[c] for c in _POSTCODE_COLUMNS if c in header), None)
    lsoa_col = next((header[c] for c in _LSOA_COLUMNS if c in header), None)
    if not pc_col or not lsoa_col:
        raise ValidationError(
            f"{path.name}: needs a postcode column ({', '.join(_POSTCODE_COLUMNS)}) and an LSOA "
            f"column ({', '.join(_LSOA_COLUMNS)}); found {', '.join(header) or 'no header'}"
        )
    lat_col = next((header[c] for c in _LATITUDE_COLUMNS if c in header), None)
    lon_col = next((header[c] for c in _LONGITUDE_COLUMNS if c in header), None)
    lsoas = dict(Lsoa.objects.values_list("code", "id"))
    existing = {
        p: (lsoa_id, lat, lon)
        for p, lsoa_id, lat, lon in Postcode.objects.values_list(
            "postcode", "lsoa_id", "latitude", "longitude"
        )
    }
    to_create: dict[str, tuple] = {}
    to_update: dict[str, tuple] = {}
    rows = skipped = 0
    for rows, row in enumerate(reader, start=1):
        line = rows + 1
        lsoa_code = (row.get(lsoa_col) or "").strip().upper()
        if lsoa_code not in lsoas:
            # Another area's postcode; the national file has 2.7 million of them.
            if re.fullmatch(r"[EWSN]\d{8}", lsoa_code) or lsoa_code == "":
                skipped += 1
                continue
            raise ValidationError(
                f"{path.name} row {line}, field {lsoa_col}: '{lsoa_code}' is not an LSOA code"
            )
        try:
            postcode = normalise_postcode(row.get(pc_col) or "")
        except ValidationError as exc:
            raise ValidationError(
                f"{path.name} row {line}, field {pc_col}: {exc.messages[0]}"
            ) from exc
        lat = lon = None
        if lat_col and lon_col:
            lat = _coordinate(row.get(lat_col), 49.0, 61.0, f"{path.name} row {line}, {lat_col}")
            lon = _coordinate(row.get(lon_col), -9.0, 2.0, f"{path.name} row {line}, {lon_col}")
            if lat is None or lon is None:
                lat = lon = None
        values = (lsoas[lsoa_code], lat, lon)
        if postcode in existing:
            if existing[postcode] != values:
                to_update[postcode] = values
        else:
            to_create[postcode] = values
    Postcode.objects.bulk_create(
        [
            Postcode(postcode=p, lsoa_id=lsoa_id, latitude=lat, longitude=lon)
            for p, (lsoa_id, lat, lon) in to_create.items()
        ],
        batch_size=5000,
    )
    for postcode, (lsoa_id, lat, lon) in to_update.items():
        Postcode.objects.filter(postcode=postcode).update(
            lsoa_id=lsoa_id, latitude=lat, longitude=lon
        )
    record_audit(
        by=by,
        action="postcodes.load",
        object_type="file",
        object_id=path.name[:60],
        detail={
            "rows": rows,
            "created": len(to_create),
            "updated": len(to_update),
            "skipped_other_areas": skipped,
        },
    )
    return PostcodeLoadReport(
        rows=rows, created=len(to_create), updated=len(to_update), skipped_other_areas=skipped
    )
