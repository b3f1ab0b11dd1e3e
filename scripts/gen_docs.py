#!/usr/bin/env python3
"""Regenerate the documentation generated from metadata_schema/. The work is done in gongkai/commands/gen_docs.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.gen_docs import main

if __name__ == "__main__":
    sys.exit(main())
