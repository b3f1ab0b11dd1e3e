#!/usr/bin/env python3
"""Check every internal and attachment link of a built site. The work is done in gongkai/commands/linkcheck.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.linkcheck import main

if __name__ == "__main__":
    sys.exit(main())
