from django.core.management.base import BaseCommand

from joinedup.core.loader_command import run_loader
from joinedup.core.loaders import load_places


class Command(BaseCommand):
    help = (
        "Places: 'joinedup places load FILE.csv' loads the partnership's system, places, "
        "local care networks and neighbourhoods (level,code,name,parent_code); all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["load"])
        parser.add_argument("file")

    def handle(self, *args, verb: str, file: str, **options):
        run_loader(self, lambda: load_places(by=None, path=file))
