"""The ``joinedup`` console command: Django's management commands under one name.

``joinedup synth --residents 20000``, ``joinedup serve``, ``joinedup token create --user U``,
and every standard command (``joinedup migrate``, ``joinedup createsuperuser``...).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["joinedup", *sys.argv[1:]])


if __name__ == "__main__":
    main()
