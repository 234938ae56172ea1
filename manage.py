#!/usr/bin/env python
"""Django's manage.py; the same as the ``joinedup`` command."""

from joinedup.cli import main

if __name__ == "__main__":
    main()
