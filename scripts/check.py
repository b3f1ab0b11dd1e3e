#!/usr/bin/env python3
"""make check: validate content/ and print every problem. The work is done in gongkai/commands/check.py."""
from gongkai.commands.cli import finish
from gongkai.commands.check import main

if __name__ == "__main__":
    finish(main())
