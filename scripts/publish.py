#!/usr/bin/env python3
"""make publish / rollback / releases. The work is done in gongkai/commands/publish.py."""
import _venv  # noqa: F401  (first: runs this script with .venv/bin/python, whichever python was typed)
import signal
import sys

# Until main() takes over Ctrl+C, it just ends the process (no traceback): nothing is written yet.
signal.signal(signal.SIGINT, signal.SIG_DFL)

from gongkai.commands.publish import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
