"""The build's own signal, beside Pelican's (blinker, as Pelican's are)."""
from blinker import signal

# Sent by scripts/build.py when a build fails: plugins stop their background work.
build_failed = signal("gongkai_build_failed")
