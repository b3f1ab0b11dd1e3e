#!/usr/bin/env python3
"""make search: staff search over content/. The work is done in gongkai/commands/search.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.search import main

if __name__ == "__main__":
    sys.exit(main())
