import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from joinedup.core import place_settings
from joinedup.core.loader_command import run_loader
from joinedup.core.loaders import load_places


class Command(BaseCommand):
    help = (
        "Places: 'joinedup places load FILE.csv' loads the partnership's system, places, "
        "local care networks and neighbourhoods (level,code,name,parent_code); all or nothing. "
        "'joinedup places settings export [--out FILE.json]' and 'joinedup places settings "
        "import FILE.json' write and read every place's settings."
    )

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("load", help="load places from a CSV file")
        load.add_argument("file")
        settings = verbs.add_parser("settings", help="export or import the places' settings")
        settings.add_argument("action", choices=["export", "import"])
        settings.add_argument("file", nargs="?", help="import: the settings file")
        settings.add_argument("--out", help="export: write here (otherwise to the screen)")
        settings.add_argument("--note", default="", help="import: why (kept with the version)")

    def handle(self, *args, verb: str, **options):
        if verb == "load":
            run_loader(self, lambda: load_places(by=None, path=options["file"]))
            return
        if options["action"] == "export":
            text = json.dumps(place_settings.export(), indent=2, ensure_ascii=False) + "\n"
            if options.get("out"):
                with open(options["out"], "w", encoding="utf-8") as f:
                    f.write(text)
                self.stdout.write(f"Wrote {options['out']}")
            else:
                self.stdout.write(text, ending="")
            return
        if not options.get("file"):
            raise CommandError("say which settings file to import")
        try:
            changed = place_settings.import_settings(
                by=None, path=options["file"], note=options["note"]
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            f"New settings for {', '.join(changed)}" if changed else "Nothing changed"
        )
