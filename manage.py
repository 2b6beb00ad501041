#!/usr/bin/env python
import os
import sys

# Schema changes need the owner role; everything else runs as the app role,
# which row-level security always applies to.
OWNER_COMMANDS = {"migrate", "makemigrations", "showmigrations", "sqlmigrate"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
    if len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS:
        os.environ.setdefault("PRM_DB_ROLE", "owner")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
