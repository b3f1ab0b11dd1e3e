#!/usr/bin/env python3
"""make new: write a new document with complete front-matter. The work is done in gongkai/commands/new.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.new import main

if __name__ == "__main__":
    sys.exit(main())
