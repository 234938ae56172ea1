"""`joinedup backup --out FILE.tar`: the database and the data directory's kept files in
one file (core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from joinedup.core.actions import record_audit
from joinedup.core.backup import BackupError, write_backup


class Command(BaseCommand):
    help = "Back up the database and the analytics store to one .tar file."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the backup file to write (.tar)")

    def handle(self, *args, out: str, **options):
        # Audited first, so the backup holds the record of its own making.
        record_audit(by=None, organisation=None, action="backup.write", object_type="file",
                     object_id=Path(out).name[:60])  # fmt: skip
        try:
            manifest = write_backup(Path(out))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"{out}: {manifest['engine']} database, {len(manifest['tables'])} tables, "
            f"{rows:,} rows, {len(manifest['files'])} files"
        )
