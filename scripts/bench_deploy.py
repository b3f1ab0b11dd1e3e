#!/usr/bin/env python3
"""make bench, deploy part: make publish and nginx under load. The work is done in gongkai/commands/bench_deploy.py."""
import sys

from gongkai.commands.bench_deploy import main

if __name__ == "__main__":
    sys.exit(main())
