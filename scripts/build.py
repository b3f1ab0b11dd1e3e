#!/usr/bin/env python3
"""make html: build the site into a fresh folder and swap it in. The work is done in gongkai/commands/build.py."""
import _venv  # noqa: F401,I001  (first: runs this script with .venv/bin/python, whichever python was typed)
import signal

# Until main() takes over Ctrl+C, it just ends the process (no traceback): nothing is written yet.
signal.signal(signal.SIGINT, signal.SIG_DFL)

from gongkai.commands.cli import finish  # noqa: E402
from gongkai.commands.build import main  # noqa: E402

if __name__ == "__main__":
    finish(main())
