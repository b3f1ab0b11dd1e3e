#!/usr/bin/env python3
"""Import pages saved from the old portal as Markdown documents. The work is done in gongkai/commands/import_html.py."""
import sys

from gongkai.commands.import_html import main

if __name__ == "__main__":
    sys.exit(main())
