#!/usr/bin/env python3
"""make review-summary: what a branch changes, for the pull request. The work is done in gongkai/commands/review_summary.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.review_summary import main

if __name__ == "__main__":
    sys.exit(main())
