#!/usr/bin/env python3
"""make html: build the site into a fresh folder and swap it in. The work is done in gongkai/commands/build.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
from gongkai.commands.cli import finish
from gongkai.commands.build import main

if __name__ == "__main__":
    finish(main())
