from pathlib import Path

from django.core.management.base import BaseCommand
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from joinedup.core.loader_command import run_loader
from joinedup.people.registrations import load_people


def _lines(path: Path) -> int:
    try:
        with path.open("rb") as f:
            return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return 0


class Command(BaseCommand):
    help = (
        "People: 'joinedup people load FILE.csv|FILE.json [--format csv|fhir]' loads the "
        "registered population (CSV, or FHIR R4 Patient resources, UK Core) into the person "
        "index; bad rows are quarantined and named in a report, the rest load."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["load"])
        parser.add_argument("file")
        parser.add_argument("--format", dest="file_format", default="", choices=["", "csv", "fhir"])

    def handle(self, *args, verb: str, file: str, file_format: str, **options):
        done = {}
        with Progress(
            TextColumn("Loading people"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task("rows", total=max(_lines(Path(file)) - 1, 1) or None)

            def load():
                result = load_people(
                    by=None,
                    path=file,
                    file_format=file_format,
                    progress=lambda rows: bar.update(task, completed=rows),
                )
                done["result"] = result
                return result.run

            run_loader(self, load)
        result = done["result"]
        self.stdout.write(
            f"{result.run.rows / max(result.seconds, 1e-9):,.0f} rows a second"
            + (f"; quarantined rows: {result.report}" if result.report else "")
        )
