#!/usr/bin/env python3
"""make schedule: rebuilds at each coming opening and closing of a solicitation (systemd drop-in, crontab).
The work is done in gongkai/commands/schedule.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
from gongkai.commands.cli import finish
from gongkai.commands.schedule import main

if __name__ == "__main__":
    finish(main())
