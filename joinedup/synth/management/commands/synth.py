from pathlib import Path
from time import perf_counter

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from joinedup.synth import actions
from joinedup.synth.borough import DEMO_PASSWORD, MAX_PLACES


class Command(BaseCommand):
    help = "Load the synthetic demo borough into the database and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--places",
            type=int,
            default=1,
            help=f"Places (boroughs) in the system, 1 to {MAX_PLACES}, each with its own settings",
        )
        parser.add_argument(
            "--files",
            metavar="DIR",
            help="Where to write the partnership's files that are loaded "
            "(default $JOINEDUP_DATA_DIR/demo-files)",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete a different demo borough first"
        )
        parser.add_argument(
            "--fhir", metavar="DIR", help="Also write each resident's record as a FHIR R4 Bundle"
        )
        parser.add_argument(
            "--agencies",
            metavar="DIR",
            help="Also write five agencies' person extracts and their ground truth",
        )
        parser.add_argument(
            "--link-agencies",
            action="store_true",
            help="With --agencies: load the extracts and link them to the person index",
        )

    def handle(
        self,
        *args,
        residents: int,
        seed: int,
        replace: bool,
        places: int = 1,
        files=None,
        fhir=None,
        agencies=None,
        **options,
    ):
        if residents < 1 or residents > 3_000_000:
            raise CommandError("--residents must be between 1 and 3,000,000")
        if not 1 <= places <= MAX_PLACES:
            raise CommandError(f"--places must be between 1 and {MAX_PLACES}")
        console = Console(width=max(Console().width, 130))
        run = actions.current_run()
        if run and run.residents == residents and run.seed == seed and run.places == places:
            console.print(f"The demo borough ({run}) is loaded.")
        else:
            if run or actions.has_borough():
                if not replace:
                    raise CommandError(
                        f"The database holds another borough ({run}); re-run with --replace"
                    )
                actions.remove_demo_borough()
            started = perf_counter()
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:,}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar:
                tasks = {}

                def progress(stage: str, done: int, total: int):
                    if stage not in tasks:
                        tasks[stage] = bar.add_task(stage, total=total)
                    bar.update(tasks[stage], completed=done)

                run = actions.load_demo_borough(
                    residents=residents,
                    seed=seed,
                    places=places,
                    files=Path(files) if files else None,
                    progress=progress,
                )
            seconds = perf_counter() - started
            where = f" in {places} places" if places > 1 else ""
            console.print(
                f"Loaded the demo borough{where}: {residents:,} residents in {seconds:.1f} s "
                f"({residents / seconds:,.0f} residents/s), from the files in "
                f"{files or actions.default_files()}."
            )
        if fhir:
            from joinedup.synth.fhir_export import write_bundles

            written = write_bundles(Path(fhir))
            console.print(f"Wrote {written:,} FHIR R4 Bundles to {fhir}")
        if agencies:
            from joinedup.synth.agencies import write_agency_extracts

            paths = write_agency_extracts(Path(agencies), seed=seed)
            console.print(f"Wrote {len(paths)} agency extracts and truth.csv to {agencies}")
            if options.get("link_agencies"):
                from joinedup.identity import actions as identity
                from joinedup.synth.agencies import agency_for

                for path in paths:
                    identity.load_extract(by=None, agency=agency_for(path), path=path)
                report = identity.link(by=None)
                console.print(
                    f"Linked agency records: {report.auto:,} automatically, {report.review:,} "
                    f"for review, {report.unlinked:,} not linked"
                )
        table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
        for column in ("username", "name", "role", "organisation", "note"):
            table.add_column(column)
        for login in run.logins:
            table.add_row(*(login[c] for c in ("username", "name", "role", "organisation", "note")))
        console.print(table)
