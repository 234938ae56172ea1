from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from joinedup.core.actions import load_postcode_lookup


class Command(BaseCommand):
    help = "Load postcode → LSOA rows from an ONS Postcode Directory-style CSV (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        try:
            report = load_postcode_lookup(by=None, path=path)
        except (ValidationError, OSError) as exc:
            raise CommandError(getattr(exc, "messages", [str(exc)])[0]) from exc
        self.stdout.write(
            f"{report.rows:,} rows: {report.created:,} postcodes added, {report.updated:,} "
            f"moved to another LSOA, {report.skipped_other_areas:,} outside this system skipped"
        )
