"""`joinedup restore FILE.tar`: put back a backup made by `joinedup backup`, checked
table by table and file by file (core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from joinedup.core.actions import record_audit
from joinedup.core.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Replace the database and the analytics store with a backup's (asks first)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask")

    def handle(self, *args, file: str, yes: bool, **options):
        try:
            manifest = read_manifest(Path(file))
            if not yes:
                answer = input(
                    f"Replace everything with the backup of {manifest['created_at']}? [y/N] "
                )
                if answer.strip().lower() not in ("y", "yes"):
                    raise CommandError("Nothing restored")
            restore_backup(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        record_audit(by=None, organisation=None, action="backup.restore", object_type="file",
                     object_id=Path(file).name[:60])  # fmt: skip
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"restored {len(manifest['tables'])} tables ({rows:,} rows) and "
            f"{len(manifest['files'])} files; every one checked against the backup"
        )
