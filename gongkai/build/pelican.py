"""The one module that knows Pelican's private attributes (Pelican is pinned in
pyproject.toml; a new version is checked here first). Plugins and the speed
devices go through these functions instead of reaching into Pelican."""
from __future__ import annotations

import logging
from pathlib import Path


def body_html(content) -> str:
    """An article's rendered body as the reader returned it, before Pelican
    rewrites its internal links (same text: what the search index reads)."""
    return content._content


def replace_cache_saver(readers, save) -> None:
    """Have Pelican's content cache saved by save(cache dict, path) (it writes in place)."""
    def saver():
        if readers._cache_data_policy:
            save(readers._cache, Path(readers._cache_path))
    readers.save_cache = saver


def is_cached(readers, path: str) -> bool:
    """Whether Pelican's content cache can serve this file (unchanged since it was cached)."""
    return readers.get_cached_data(path, (None, None))[0] is not None


class _NotForStaff(logging.Filter):
    """Pelican's English notes that say nothing staff can act on: feeds of the
    local preview have no site address by design (publishconf.py sets one)."""
    def filter(self, record) -> bool:
        return not str(record.msg).startswith("Feeds generated without SITEURL")


def speak_to_staff(verbose: bool) -> None:
    """Pelican's own console lines ("Done: Processed …") only when asked for;
    the build says what it did in Chinese."""
    from pelican.log import console
    console.quiet = not verbose
    logging.getLogger("pelican.settings").addFilter(_NotForStaff())
