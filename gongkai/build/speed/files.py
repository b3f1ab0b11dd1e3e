"""Files the build places rather than writes."""
from __future__ import annotations

import os
import shutil


def link_or_copy(src, dst):
    """A hard link (the build's files are written once, never changed in place),
    a copy where linking fails (another file system)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
