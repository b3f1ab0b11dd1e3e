#!/usr/bin/env python3
"""make bench, deploy part: make publish and nginx under load. The work is done in gongkai/commands/bench_deploy.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import sys

from gongkai.commands.bench_deploy import main

if __name__ == "__main__":
    sys.exit(main())
