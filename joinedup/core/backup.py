"""Backing up and restoring everything joinedup keeps: the database (SQLite or
PostgreSQL) and the files in the data directory that are not made again from it (the
analytics store and the trained linkage model).

A backup is one tar file: ``manifest.json`` (engine, migrations, per-table row counts and
digests, per-file SHA-256), the database (an SQLite copy made with SQLite's online backup,
or ``pg_dump --format=custom``) and ``files/``. It is written beside the target and
renamed into place, so a backup that is interrupted leaves nothing that looks whole.

A restore checks the file against its manifest first, restores the database in one
transaction (SQLite's backup API; ``pg_restore --single-transaction``), swaps the
directories in, and then recomputes every table's digest and every file's hash and
compares them with the manifest.

Example::

    write_backup(Path("joinedup-2026-12-01.tar"))
    restore_backup(Path("joinedup-2026-12-01.tar"))
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
# Directories of the data directory that hold what the database does not.
KEPT_DIRECTORIES = ("analytics", "identity")


class BackupError(Exception):
    """A backup that cannot be written or restored, and why."""


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def table_digests() -> dict[str, dict]:
    """Each table's row count and a SHA-256 of its rows in primary-key order."""
    result = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")  # noqa: S608 (names from the schema)
            digest, count = hashlib.sha256(), 0
            while rows := cursor.fetchmany(2000):
                for row in rows:
                    digest.update(repr(tuple(_plain(v) for v in row)).encode())
                count += len(rows)
            result[table] = {"rows": count, "sha256": digest.hexdigest()}
    return result


def _plain(value):
    """Values as the same text whichever way the driver returned them."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _file_hashes(root: Path) -> dict[str, str]:
    hashes = {}
    for name in KEPT_DIRECTORIES:
        base = root / name
        if not base.exists():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            hashes[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _migrations() -> list[str]:
    return sorted(
        f"{app}.{name}"
        for app, name in MigrationRecorder.Migration.objects.values_list("app", "name")
    )


def _client(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client programs")
    return found


def _pg_env() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _dump_database(engine: str, target: Path) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return
    args, env = _pg_env()
    done = subprocess.run(  # noqa: S603 (our arguments, no shell)
        [
            _client("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(target),
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")


def write_backup(out: Path, *, data_dir: Path | None = None) -> dict:
    """Write a backup of the database and the kept files to ``out`` (a .tar file);
    returns the manifest."""
    engine = _engine()
    data_dir = Path(data_dir or settings.DATA_DIR)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        database = Path(work) / ("database.sqlite3" if engine == "sqlite" else "database.pgdump")
        with connection.cursor():  # one consistent moment for the digests and the copy
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(),
                "engine": engine,
                "migrations": _migrations(),
                "tables": table_digests(),
                "files": _file_hashes(data_dir),
            }
            _dump_database(engine, database)
        manifest["database"] = {
            "name": database.name,
            "sha256": hashlib.sha256(database.read_bytes()).hexdigest(),
        }
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w") as tar:
            body = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
            tar.add(database, arcname=database.name)
            for relative in manifest["files"]:
                tar.add(data_dir / relative, arcname=f"files/{relative}")
        os.replace(partial, out)
    return manifest


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r") as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError
            manifest = json.loads(member.read())
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (tarfile.TarError, KeyError, json.JSONDecodeError, UnicodeDecodeError):
        raise BackupError(f"{path}: not a joinedup backup (no readable manifest)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')} is not {FORMAT}")
    return manifest


def restore_backup(path: Path, *, data_dir: Path | None = None) -> dict:
    """Replace the database and the kept files with a backup's, then check that every
    table and file is exactly as it was backed up. Returns the manifest."""
    path = Path(path)
    data_dir = Path(data_dir or settings.DATA_DIR)
    manifest = read_manifest(path)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"the backup is of a {manifest['engine']} database; this is {engine} "
            "(restore it into the same kind of database)"
        )
    if manifest["migrations"] != _migrations():
        missing = sorted(set(manifest["migrations"]) - set(_migrations()))
        raise BackupError(
            "the backup's schema differs from this database's: run 'joinedup migrate' so they "
            f"match first (the backup has {len(manifest['migrations'])} migrations"
            + (f"; unknown here: {', '.join(missing[:5])}" if missing else "")
            + ")"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir) as work:
        work = Path(work)
        with tarfile.open(path, "r") as tar:
            tar.extractall(work, filter="data")
        database = work / manifest["database"]["name"]
        if hashlib.sha256(database.read_bytes()).hexdigest() != manifest["database"]["sha256"]:
            raise BackupError(f"{path}: the database copy is damaged (checksum differs)")
        for relative, digest in manifest["files"].items():
            copy = work / "files" / relative
            if not copy.exists() or hashlib.sha256(copy.read_bytes()).hexdigest() != digest:
                raise BackupError(f"{path}: {relative} is missing or damaged")
        _load_database(engine, database)
        for name in KEPT_DIRECTORIES:
            incoming, current = work / "files" / name, data_dir / name
            old = work / f"old-{name}"
            if current.exists():
                os.replace(current, old)
            if incoming.exists():
                os.replace(incoming, current)
    problems = [
        table
        for table, facts in table_digests().items()
        if table in manifest["tables"] and facts != manifest["tables"][table]
    ]
    problems += [t for t in manifest["tables"] if t not in table_digests()]
    if _file_hashes(data_dir) != manifest["files"]:
        problems.append("files")
    if problems:
        raise BackupError(f"restored, but these differ from the backup: {', '.join(problems)}")
    return manifest


def _load_database(engine: str, database: Path) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(database)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    args, env = _pg_env()
    connection.close()  # pg_restore drops and recreates every table
    done = subprocess.run(  # noqa: S603 (our arguments, no shell)
        [
            _client("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            *args,
            str(database),
        ],  # fmt: skip
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was changed): {done.stderr.strip()[:500]}")
