#!/usr/bin/env python3
"""make bench: build speed against plain Pelican. The work is done in gongkai/commands/bench.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.bench import main

if __name__ == "__main__":
    sys.exit(main())
