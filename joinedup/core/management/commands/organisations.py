from django.core.management.base import BaseCommand

from joinedup.core.loader_command import run_loader
from joinedup.core.loaders import load_organisations


class Command(BaseCommand):
    help = (
        "Organisations: 'joinedup organisations load FILE.csv' (ods_code,name,type,place_code"
        "[,postcode]) or 'joinedup organisations load epraccur.csv --format epraccur --place "
        "CODE [--commissioner CODE]' (NHS Digital's GP practice file); all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["load"])
        parser.add_argument("file")
        parser.add_argument(
            "--format", dest="file_format", default="csv", choices=["csv", "epraccur"]
        )
        parser.add_argument("--place", default="", help="epraccur: the place its practices are in")
        parser.add_argument(
            "--commissioner",
            action="append",
            default=[],
            help="epraccur: keep only practices of this commissioner (sub-ICB) code; repeatable",
        )

    def handle(
        self, *args, verb: str, file: str, file_format: str, place: str, commissioner, **options
    ):
        run_loader(
            self,
            lambda: load_organisations(
                by=None,
                path=file,
                file_format=file_format,
                place=place,
                commissioners=tuple(commissioner),
            ),
        )
