"""The build's speed devices, in one package, behind one switch.

Each device keeps its invariant in code, and none changes what the site is:
with GONGKAI_REUSE = False (`python3 scripts/build.py --no-reuse`, and always
in make publish) nothing from an earlier build is used, and the output is
byte-identical to a build that reused everything (tests/test_incremental.py).

- prepare      per-file work (parse, Markdown, words, budget tables, document
               checks) on every core before Pelican reads the file; a pure
               function of the file and the reading settings.
- travel       documents cross process and cache boundaries as their pickle;
               any change to a document drops the bytes, so nothing set later is lost.
- contentcache Pelican's content cache, kept only for the same code and
               reading settings, written whole with a digest, verified before
               it is loaded: a damaged one is discarded with one line.
- pages        a page whose code, template and every value its templates can
               read are the same as last time is linked from the previous
               output; `--explain URL` says why a page was reused or rendered.
- filecache    made files (.xlsx copies, Pagefind bundles) kept by what they
               are made from, verified before reuse, copied (never linked).
- forked       work beside the build on the other core (the search index,
               相关信息, the pages written last), in a child that reports back or fails the build.
- collector    Python's garbage collector rests while the cache loads and the
               files are read (ten million objects, none of them garbage).

Reused work uses CACHE_PATH (.cache/pelican by default)."""
from __future__ import annotations

from pathlib import Path

from gongkai.build.speed.filecache import FileCache


def reuse(settings: dict) -> bool:
    """Whether this build may use anything an earlier build made."""
    return settings.get("GONGKAI_REUSE", True) is not False and bool(settings.get("CACHE_CONTENT", True))


def file_cache(settings: dict, name: str) -> FileCache:
    """The file cache of one kind of made thing (xlsx, pagefind), or a disabled one."""
    return FileCache(Path(settings["CACHE_PATH"]) / name if reuse(settings) else None)


def apply_switch(settings: dict) -> None:
    """At `initialized`: GONGKAI_REUSE = False also keeps Pelican from loading or saving its content cache."""
    if settings.get("GONGKAI_REUSE", True) is False:
        settings["LOAD_CONTENT_CACHE"] = settings["CACHE_CONTENT"] = False
