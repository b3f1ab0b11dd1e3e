#!/usr/bin/env python3
"""make search: staff search over content/. The work is done in gongkai/commands/search.py."""
import sys

from gongkai.commands.search import main

if __name__ == "__main__":
    sys.exit(main())
