"""The analytics store: Parquet files under ``$JOINEDUP_DATA_DIR/analytics``.

- ``events/<batch>/part-NNNN.parquet``: coded events, one row each: ``person_id``
  (int64), ``system`` ('snomed' or 'dmd'), ``code`` (int64), ``date`` (date), ``value``
  (float, optional), ``unit`` (string, optional). A batch is written in a hidden folder
  and renamed into place whole, so readers see all of it or none; it is never changed.
- ``persons.parquet``: the people the engine counts, exported from the relational
  database at the start of each run (or written directly by the synthetic generator at
  system scale).
- ``merged.parquet``: ``person_id`` → ``survivor_id`` for each record merged into
  another (identity), written with the persons; the engines read the merged record's
  events as the survivor's, so one person is counted once, with all their coded record.
"""

import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

EVENT_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("system", pa.dictionary(pa.int8(), pa.string())),
        ("code", pa.int64()),
        ("date", pa.date32()),
        ("value", pa.float64()),
        ("unit", pa.dictionary(pa.int16(), pa.string())),
    ]
)
PERSON_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("nhs_number", pa.string()),
        ("birth_date", pa.date32()),
        ("date_of_death", pa.date32()),
        ("sex", pa.string()),
        ("ethnicity", pa.string()),
        ("imd_quintile", pa.int8()),
        ("lsoa_id", pa.int64()),
        ("practice_id", pa.int64()),
        ("practice", pa.string()),
        ("neighbourhood_id", pa.int64()),
        ("neighbourhood", pa.string()),
        ("lcn", pa.string()),
        ("place", pa.string()),  # the practice's place (whose cohort rule applies)
    ]
)


class AnalyticsStore:
    def __init__(self, root: Path | str | None = None):
        self.root = Path(root or Path(settings.DATA_DIR) / "analytics")

    @property
    def events_dir(self) -> Path:
        return self.root / "events"

    @property
    def persons_path(self) -> Path:
        return self.root / "persons.parquet"

    @property
    def merged_path(self) -> Path:
        return self.root / "merged.parquet"

    def event_files(self) -> list[Path]:
        return sorted(self.events_dir.glob("*/*.parquet")) if self.events_dir.exists() else []

    def events_glob(self) -> str:
        return str(self.events_dir / "*" / "*.parquet")

    def has_batch(self, batch: str) -> bool:
        return (self.events_dir / batch).is_dir()

    def batch_writer(self, batch: str) -> "BatchWriter":
        return BatchWriter(self, batch)

    def write_batch(self, batch: str, table: pa.Table) -> Path:
        """Write a whole batch at once (see BatchWriter for batches written in parts)."""
        writer = self.batch_writer(batch)
        writer.add(table)
        return writer.commit()

    def write_persons(self, table: pa.Table, merged: dict[int, int] | None = None) -> Path:
        """The people to count and, for records merged into one of them, which
        (``{merged record: survivor}``; none: the file is removed)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if "place" not in table.column_names:  # written by a tool that knows no places
            table = table.append_column("place", pa.nulls(table.num_rows, pa.string()))
        if merged:
            temp = self.merged_path.with_suffix(".parquet.tmp")
            pq.write_table(
                pa.table(
                    {
                        "person_id": pa.array(list(merged), pa.int64()),
                        "survivor_id": pa.array(list(merged.values()), pa.int64()),
                    }
                ),
                temp,
            )
            os.replace(temp, self.merged_path)
        else:
            self.merged_path.unlink(missing_ok=True)
        temp = self.persons_path.with_suffix(".parquet.tmp")
        pq.write_table(table.cast(PERSON_SCHEMA), temp, compression="zstd")
        os.replace(temp, self.persons_path)
        return self.persons_path

    def clear_events(self, prefix: str) -> None:
        """Remove the batches whose names start with ``prefix`` (e.g. a synthetic load)."""
        for path in self.events_dir.glob(f"{prefix}*"):
            shutil.rmtree(path)


class BatchWriter:
    """Parts of one batch, written into a hidden folder and renamed into place by
    ``commit()``; ``discard()`` (or a crash) leaves nothing visible."""

    def __init__(self, store: AnalyticsStore, batch: str):
        self.final = store.events_dir / batch
        # Outside events/, so no reader's glob ever sees a half-written batch.
        self.temp = store.root / "incoming" / f"{batch}-{uuid.uuid4().hex[:8]}"
        self.parts = 0

    def add(self, table: pa.Table) -> None:
        self.temp.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            table.cast(EVENT_SCHEMA),
            self.temp / f"part-{self.parts:04d}.parquet",
            compression="zstd",
        )
        self.parts += 1

    def commit(self) -> Path:
        self.final.parent.mkdir(parents=True, exist_ok=True)
        if self.final.exists():
            shutil.rmtree(self.final)
        os.replace(self.temp, self.final)
        return self.final

    def discard(self) -> None:
        shutil.rmtree(self.temp, ignore_errors=True)
