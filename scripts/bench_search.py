#!/usr/bin/env python3
"""Search measurements for make bench. The work is done in gongkai/commands/bench_search.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.bench_search import main

if __name__ == "__main__":
    sys.exit(main())
