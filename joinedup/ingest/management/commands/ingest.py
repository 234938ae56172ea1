from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import Progress

from joinedup.ingest import actions


class Command(BaseCommand):
    help = (
        "Bring coded records into the analytics store: 'joinedup ingest fhir PATH' (a bundle "
        "file or a folder of them) or 'joinedup ingest events FILE.csv'."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["fhir", "events"])
        parser.add_argument("path")

    def handle(self, *args, kind: str, path: str, **options):
        console = Console()
        try:
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task(f"Importing {path}", total=None)
                if kind == "fhir":
                    report = actions.import_fhir(
                        by=None,
                        path=path,
                        progress=lambda done, total: bar.update(task, completed=done, total=total),
                    )
                else:
                    report = actions.import_events_csv(
                        by=None, path=path, progress=lambda done: bar.update(task, completed=done)
                    )
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        run = report.run
        if report.already_imported:
            console.print(f"{path} was imported before (run {run.pk}); nothing changed.")
            return
        console.print(
            f"{run.records_read:,} records read, {run.records_kept:,} kept, "
            f"{run.records_quarantined:,} quarantined."
        )
        if run.resources_skipped:
            skipped = ", ".join(f"{k} {v:,}" for k, v in sorted(run.resources_skipped.items()))
            console.print(f"Resource types not needed, skipped: {skipped}")
        if run.quarantine_report:
            console.print(f"Quarantine report: {run.quarantine_report}")
