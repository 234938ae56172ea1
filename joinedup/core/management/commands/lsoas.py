from django.core.management.base import BaseCommand

from joinedup.core.loader_command import run_loader
from joinedup.core.loaders import load_lsoas


class Command(BaseCommand):
    help = (
        "LSOAs: 'joinedup lsoas load FILE.csv [--lookup LSOA11_LSOA21.csv]' loads areas with "
        "their IMD decile and neighbourhood (lsoa_code,name,imd_decile,neighbourhood_code), or "
        "the English Indices of Deprivation 2019 file as published; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["load"])
        parser.add_argument("file")
        parser.add_argument(
            "--lookup",
            help="the ONS LSOA (2011) to LSOA (2021) lookup, to move 2011 LSOAs onto 2021 ones",
        )

    def handle(self, *args, verb: str, file: str, lookup: str | None, **options):
        run_loader(self, lambda: load_lsoas(by=None, path=file, lookup=lookup))
