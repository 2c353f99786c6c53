"""`python -m tsunagari <command>`: the project's commands (Django management commands)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # Commands are spelled with hyphens on the command line (export-hsds); Django modules use _.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
