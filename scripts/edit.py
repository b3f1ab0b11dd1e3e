#!/usr/bin/env python3
"""make edit: staff edit in a browser (Decap CMS). The work is done in gongkai/commands/edit.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.edit import main

if __name__ == "__main__":
    sys.exit(main())
