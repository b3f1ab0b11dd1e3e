#!/usr/bin/env python3
"""Import pages saved from the old portal as Markdown documents. The work is done in gongkai/commands/import_html.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.import_html import main

if __name__ == "__main__":
    sys.exit(main())
