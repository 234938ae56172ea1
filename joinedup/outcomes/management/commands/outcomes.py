from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from joinedup.outcomes import actions


class Command(BaseCommand):
    help = (
        "Outcomes: 'joinedup outcomes snapshot --month YYYY-MM' works out and keeps the "
        "month's indicators (from the month's population snapshot and the records as they "
        "stand); 'joinedup outcomes export --month YYYY-MM --out DIR [--staff]' writes them "
        "as CSV (small numbers suppressed unless --staff)."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["snapshot", "export"])
        parser.add_argument("--month", required=True)
        parser.add_argument("--out")
        parser.add_argument(
            "--staff", action="store_true", help="export: exact counts, for the staff view only"
        )

    def handle(self, *args, verb: str, month: str, out, staff: bool, **options):
        console = Console(stderr=False)
        try:
            first = actions.parse_month(month)
            if verb == "snapshot":
                snapshot = actions.snapshot_month(by=None, month=first)
                console.print(
                    f"{first:%Y-%m}: {snapshot.values.count():,} figures in "
                    f"{snapshot.seconds:.1f} s"
                    + (
                        f" (population run {snapshot.run_id} as of {snapshot.run.as_of})"
                        if snapshot.run
                        else ""
                    )  # fmt: skip
                )
                for key, why in snapshot.missing.items():
                    console.print(f"  not worked out: {key}: {why}")
            else:
                if not out:
                    raise CommandError("--out DIR is required for export")
                done = actions.export_month(by=None, month=first, out=Path(out), public=not staff)
                console.print(f"Wrote {done.rows:,} figures to {done.path}")
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
