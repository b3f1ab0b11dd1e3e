#!/usr/bin/env python3
"""make check: validate content/ and print every problem. The work is done in gongkai/commands/check.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
from gongkai.commands.cli import finish
from gongkai.commands.check import main

if __name__ == "__main__":
    finish(main())
