import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from joinedup.directory import actions


class Command(BaseCommand):
    help = (
        "Service directory: 'joinedup directory import FILE|URL [--report FILE]' imports an "
        "Open Referral feed (HSDS 3.0 or ORUK 1.0) and says what it rejected and repaired."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["import"])
        parser.add_argument("source")
        parser.add_argument("--report", help="write every rejection and repair here (JSON)")

    def handle(self, *args, verb: str, source: str, report: str | None, **options):
        try:
            done = actions.import_feed(by=None, source=source)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        self.stdout.write(
            f"{source} ({done.shape}): {done.created} new, {done.updated} updated, "
            f"{done.unchanged} unchanged, {len(done.rejected)} rejected, "
            f"{len(done.repaired)} repairs"
        )
        for item in done.rejected[:20]:
            self.stdout.write(f"  rejected record {item['record']} ({item['id']}): {item['why']}")
        if report:
            with open(report, "w") as f:
                json.dump({"rejected": done.rejected, "repaired": done.repaired}, f, indent=1)
