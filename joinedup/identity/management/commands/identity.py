from pathlib import Path
from time import perf_counter

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from joinedup.identity import actions
from joinedup.identity.models import Merge
from joinedup.jobs.queue import hand_to_worker
from joinedup.people.merging import in_words
from joinedup.people.models import Person


class Command(BaseCommand):
    help = (
        "Identity: 'joinedup identity load --agency NAME FILE.csv', 'joinedup identity link "
        "[--retrain]', 'joinedup identity export --out FILE.csv'."
    )

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("load", help="Keep an agency's person extract")
        load.add_argument("--agency", required=True, help="Organisation name or ODS code")
        load.add_argument("file")
        link = verbs.add_parser("link", help="Link new records to the person index")
        link.add_argument("--retrain", action="store_true", help="Train a new model version")
        link.add_argument(
            "--engine",
            choices=["duckdb", "spark"],
            default="duckdb",
            help="Where Splink runs: DuckDB on this machine (default) or Spark "
            "(JOINEDUP_SPARK_MASTER, local[2] by default)",
        )
        link.add_argument(
            "--background",
            action="store_true",
            help="hand the work to the worker (`joinedup worker`) and return at once",
        )
        export = verbs.add_parser("export", help="agency,local_id,person_id,band")
        export.add_argument("--out", required=True)
        merge = verbs.add_parser("merge", help="Make two records of one person one")
        merge.add_argument("--keep", type=int, required=True, help="Person id that survives")
        merge.add_argument("--absorb", type=int, required=True, help="Person id merged into it")
        merge.add_argument("--reason", required=True)
        unmerge = verbs.add_parser("unmerge", help="Undo a merge exactly")
        unmerge.add_argument("--merge", type=int, required=True, help="Merge id")
        unmerge.add_argument("--reason", required=True)

    def handle(self, *args, verb, **options):
        file, agency = options.get("file"), options.get("agency")
        out, retrain = options.get("out"), options.get("retrain", False)
        console = Console()
        try:
            if verb == "load":
                if not (file and agency):
                    raise CommandError("usage: joinedup identity load --agency NAME FILE.csv")
                load = actions.load_extract(by=None, agency=actions.find_agency(agency), path=file)
                console.print(
                    f"{load.file_name}: {load.rows:,} rows, {load.kept:,} new or changed "
                    f"records kept, {load.quarantined:,} quarantined"
                    + (f" (report: {load.quarantine_report})" if load.quarantine_report else "")
                )
            elif verb == "link" and options.get("background"):
                hand_to_worker(
                    self, "identity.link", label="Link records", args={"retrain": retrain}
                )
            elif verb == "link":
                started = perf_counter()
                spark = None
                if options.get("engine") == "spark":
                    from joinedup.population.spark import spark_session

                    spark = spark_session()
                with console.status("Linking") as status:
                    report = actions.link(
                        by=None,
                        retrain=retrain,
                        spark=spark,
                        progress=lambda step: status.update(f"Linking: {step}"),
                    )
                seconds = perf_counter() - started
                console.print(
                    f"{report.records:,} records: {report.auto:,} linked automatically "
                    f"({report.deterministic:,} by NHS number), {report.review:,} for review, "
                    f"{report.unlinked:,} not linked; model {report.model or '-'}"
                    f"{' (trained)' if report.trained else ''}; {seconds:.1f} s "
                    f"({report.records / max(seconds, 1e-9):,.0f} records/s)"
                )
            elif verb == "export":
                count = actions.export_links(Path(out))
                console.print(f"Wrote {count:,} records to {out}")
            elif verb == "merge":
                people = Person.objects.in_bulk([options["keep"], options["absorb"]])
                if len(people) != 2:
                    raise CommandError("Both --keep and --absorb must be person ids")
                merge = actions.merge_persons(
                    by=None,
                    survivor=people[options["keep"]],
                    absorbed=people[options["absorb"]],
                    reason=options["reason"],
                )
                stayed = in_words(merge.stayed)
                console.print(
                    f"Merge {merge.pk}: person {merge.absorbed_id} merged into {merge.survivor_id}"
                    f"; moved: {in_words(merge.moved) or 'nothing'}"
                    + (f"; stayed with {merge.absorbed_id}: {stayed}" if stayed else "")
                )
            else:
                merge = Merge.objects.filter(pk=options["merge"]).first()
                if merge is None:
                    raise CommandError(f"No merge {options['merge']}")
                actions.unmerge(by=None, merge=merge, reason=options["reason"])
                console.print(f"Merge {merge.pk} undone")
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
