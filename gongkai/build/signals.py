"""The build's own signal, beside Pelican's (blinker, as Pelican's are)."""
from blinker import signal

# Sent by scripts/build.py when a build fails: plugins stop their background work.
build_failed = signal("gongkai_build_failed")

# Sent by plugins/reuse_pages at finalized, once every page is in the output (the pages
# written beside the build joined), before the build's record is kept: plugins/listings
# writes sitemap.xml from the pages that are there. Receives the Pelican object.
pages_written = signal("gongkai_pages_written")
