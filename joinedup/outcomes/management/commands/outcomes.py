from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from joinedup.outcomes import actions


class Command(BaseCommand):
    help = (
        "Outcomes: 'joinedup outcomes snapshot --month YYYY-MM' (or '--months N': this month "
        "and the N before it) works out and keeps the month's indicators (from the month's "
        "population snapshot and the records as they stand); 'joinedup outcomes export "
        "--month YYYY-MM --out DIR [--staff]' writes them as CSV (small numbers suppressed "
        "unless --staff); 'joinedup outcomes pack --board NAME --month YYYY-MM' makes the "
        "board's pack for the month (staff and public versions, HTML and PDF)."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["snapshot", "export", "pack"])
        parser.add_argument("--board", help="pack: the board's name")
        parser.add_argument("--month")
        parser.add_argument("--months", type=int, help="snapshot: this month and N before it")
        parser.add_argument("--out")
        parser.add_argument(
            "--staff", action="store_true", help="export: exact counts, for the staff view only"
        )

    def handle(self, *args, verb: str, month, months, out, staff: bool, board, **options):
        console = Console(stderr=False)
        try:
            if verb == "pack":
                from joinedup.engagement.models import Board

                found = Board.objects.filter(name__iexact=(board or "").strip()).first()
                if not month or found is None:
                    names = ", ".join(Board.objects.order_by("name").values_list("name", flat=True))
                    raise CommandError(f"pack needs --month YYYY-MM and --board, one of: {names}")
                pack = actions.make_pack(by=None, board=found, month=actions.parse_month(month))
                for public in (False, True):
                    console.print(f"Wrote {pack.path(public=public, pdf=True)}")
                console.print(
                    "The public version is released from the pack's page (Outcomes, board packs)."
                )
                return
            if verb == "export":
                if not month or not out:
                    raise CommandError("export needs --month YYYY-MM and --out DIR")
                first = actions.parse_month(month)
                done = actions.export_month(by=None, month=first, out=Path(out), public=not staff)
                console.print(f"Wrote {done.rows:,} figures to {done.path}")
                return
            if (month is None) == (months is None):
                raise CommandError("snapshot needs --month YYYY-MM or --months N")
            firsts = [actions.parse_month(month)] if month else actions.recent_months(months)
            for first in firsts:
                snapshot = actions.snapshot_month(by=None, month=first)
                run = f" (population run as of {snapshot.run.as_of})" if snapshot.run else ""
                console.print(
                    f"{first:%Y-%m}: {snapshot.values.count():,} figures in "
                    f"{snapshot.seconds:.1f} s{run}"
                )
                for key, why in snapshot.missing.items():
                    console.print(f"  not worked out: {key}: {why}")
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
