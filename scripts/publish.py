#!/usr/bin/env python3
"""make publish / rollback / releases. The work is done in gongkai/commands/publish.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.publish import main

if __name__ == "__main__":
    sys.exit(main())
