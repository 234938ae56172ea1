"""`joinedup engagement select --categories CATEGORIES.csv --respondents RESPONDENTS.csv
--size K [--algorithm leximin|legacy] [--seed N] --out DIR` (the contract in issue 8).

DIR receives probabilities.csv (respondent, probability), panel.csv (the panel drawn from
the seed: respondent and their values) and summary.json (minimum probability, gini,
geometric mean, time and how it was run)."""

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from joinedup.core.faults import crash_point
from joinedup.core.spreadsheets import safe_cell
from joinedup.engagement import sortition


class Command(BaseCommand):
    help = (
        "Citizens' assembly selection by sortition: 'joinedup engagement select ...'; theme "
        "suggestions for feedback: 'joinedup engagement themes suggest --in F --out F'."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        select = sub.add_parser("select", help="choose a panel fairly (LEXIMIN) or by legacy")
        select.add_argument("--categories", required=True, help="category,feature,min,max")
        select.add_argument("--respondents", required=True, help="one column per category")
        select.add_argument("--size", type=int, required=True, help="panel size K")
        select.add_argument("--algorithm", choices=["leximin", "legacy"], default="leximin")
        select.add_argument("--seed", type=int, default=0, help="for a reproducible draw")
        select.add_argument("--runs", type=int, default=1000, help="legacy: draws to estimate")
        select.add_argument("--lottery", type=int, default=1000, help="tickets (equally likely)")
        select.add_argument("--out", required=True, help="folder for the results")
        margins = sub.add_parser("margins", help="load population shares (category,value,share)")
        margins.add_argument("file")
        margins.add_argument("--source", default="", help="where the shares come from")
        themes_parser = sub.add_parser("themes", help="theme suggestions for feedback")
        themes_sub = themes_parser.add_subparsers(dest="themes_verb", required=True)
        suggest = themes_sub.add_parser("suggest", help="id,text in; id,theme,confidence out")
        suggest.add_argument("--in", dest="source", required=True, help="FEEDBACK.csv (id,text)")
        suggest.add_argument("--out", required=True, help="THEMES.csv")

    def handle(self, *args, verb: str, **options):
        if verb == "margins":
            from django.core.exceptions import ValidationError

            from joinedup.engagement.actions import load_margins

            try:
                count = load_margins(by=None, path=options["file"], source=options["source"])
            except ValidationError as exc:
                raise CommandError(exc.messages[0]) from exc
            self.stdout.write(f"{count} population shares loaded")
            return
        if verb == "themes":
            from joinedup.engagement import themes

            try:
                count = themes.suggest_file(options["source"], options["out"])
            except themes.ThemeError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{count} comments: suggested themes in {options['out']}")
            return
        try:
            instance = sortition.Instance.from_files(
                options["categories"], options["respondents"], options["size"]
            )
            if options["algorithm"] == "leximin":
                result = sortition.leximin(
                    instance, say=lambda m: self.stderr.write(m), seed=options["seed"]
                )
            else:
                result = sortition.legacy(instance, runs=options["runs"], seed=options["seed"])
        except sortition.SortitionError as exc:
            raise CommandError(str(exc)) from exc
        panel = sortition.draw(result, seed=options["seed"])
        tickets = sortition.lottery(result, options["lottery"]) if result.panels else []
        # Written beside DIR and renamed into place: a run that is killed leaves DIR as
        # it was (absent, or the previous complete results), never half-written.
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        for stale in out.parent.glob(f".{out.name}-*"):  # left by a run that was killed
            shutil.rmtree(stale, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
        with open(work / "probabilities.csv", "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["respondent", "probability"])
            for respondent, p in zip(instance.ids, result.marginals, strict=True):
                writer.writerow([safe_cell(respondent), f"{p:.6f}"])
        crash_point("sortition.writing")  # one file of three written
        with open(work / "panel.csv", "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([safe_cell(cell) for cell in ["respondent", *instance.categories]])
            for i in sorted(panel, key=lambda i: instance.ids[i]):
                row = [instance.ids[i], *(instance.values[i][c] for c in instance.categories)]
                writer.writerow([safe_cell(cell) for cell in row])
        stats = sortition.summary(result.marginals)
        summary = {
            "algorithm": result.algorithm,
            "respondents": instance.n,
            "panel_size": instance.k,
            "minimum_probability": round(stats["minimum"], 6),
            "gini": round(stats["gini"], 6),
            "geometric_mean": round(stats["geometric_mean"], 6),
            "seconds": round(result.seconds, 2),
            "seed": options["seed"],
            "panels_in_distribution": len(result.panels),
            "lottery_tickets": len(tickets),
            **{k: v for k, v in result.notes.items()},
        }
        (work / "summary.json").write_text(json.dumps(summary, indent=1))
        if out.exists():
            old = out.parent / f"{work.name}-old"
            os.replace(out, old)
            os.replace(work, out)
            shutil.rmtree(old)
        else:
            os.replace(work, out)
        self.stdout.write(
            f"{result.algorithm}: {instance.n} respondents, panel of {instance.k}: minimum "
            f"probability {stats['minimum']:.1%}, gini {stats['gini']:.1%}, geometric mean "
            f"{stats['geometric_mean']:.1%}, {result.seconds:.1f} s; results in {out}"
        )
