"""The search index is built beside the build: as soon as every document is
read, a forked child (speed.forked) draws each document's search record and
runs Pagefind over them, part after part, while the build writes the pages
on the other core. The records are written in memory (/dev/shm) when it has
room: creating tens of thousands of small files on the disk beside the
build's own cost both of them several seconds. A part whose records are the
same as in an earlier build gets that build's bundle back from the file cache
(speed.filecache: verified, copied). A failed build stops the child and
Pagefind (abandon) and leaves nothing behind."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from gongkai.build.errors import StaffError
from gongkai.build.pelican import body_html
from gongkai.build.speed.filecache import FileCache
from gongkai.build.speed.forked import Child, ChildFailed

# The search page's query table (gongkai.core.searchterms.browser_table), under the output.
TERMS_FILE = "search/terms.json"
# Free memory (/dev/shm) wanted for the work folder: one part's records.
SHM_NEEDED = 2 << 30


class SearchIndexError(StaffError):
    """The search index could not be built; the message is for staff."""


def bundle_dir(part: int) -> str:
    """The bundle folder of a part (0-based): pagefind, pagefind-2, pagefind-3…"""
    return "pagefind" if part == 0 else f"pagefind-{part + 1}"


def part_key(cmd: list, part: int, records: list) -> str:
    """What a part's bundle depends on: the Pagefind command and every record it indexes."""
    h = hashlib.sha1(repr((cmd, part)).encode())
    for path, html in sorted(records):
        h.update(path.encode() + b"\0" + hashlib.sha1(html.encode()).digest())
    return h.hexdigest()


def work_root(output: Path) -> Path:
    """Memory (/dev/shm) when it has room, else beside the output."""
    shm = Path("/dev/shm")
    try:
        room = os.statvfs(shm)
        if os.access(shm, os.W_OK) and room.f_bavail * room.f_frsize >= SHM_NEEDED:
            return shm
    except OSError:
        pass
    return output.parent


class Indexer:
    """Draws the search records and runs index(site, bundle) over them, part
    after part (one part in memory at a time), in a forked child; finish()
    waits for it, abandon() stops it and what it started."""

    def __init__(self, output: Path, cmd: list, index, cache: FileCache):
        self.output, self.cmd, self.index, self.cache = output, cmd, index, cache
        # The build's pid in the name: builds on one machine share /dev/shm, and a
        # folder left there says whose it was.
        self.work = Path(tempfile.mkdtemp(prefix=f".search-{os.getpid()}-", dir=work_root(output)))
        self.child = None
        self.report: dict = {}

    def start(self, parts: list, template, terms=None):
        """parts: the documents of each part; template: components/search_record;
        terms: a callable of the index's characters giving the search page's
        query table (written to search/terms.json), or None."""
        # Pagefind, the child's child, is in the child's process group: abandon() stops both.
        self.child = Child(lambda: self._index_all(parts, template, terms), describe=_describe,
                           died="搜索索引构建失败：建立索引的进程意外退出。")

    def _index_all(self, parts: list, template, terms=None) -> dict:
        """In the child: each part's bundle, made or taken from the cache, put
        into the output (the build's temporary folder) at once, so the build's
        last step only waits. Then the query table, for the characters indexed."""
        keys = []
        pages = 0
        chars: set = set()
        for number, docs in enumerate(parts):
            records = [(a.save_as, template.render(body=body_html(a), keys=a.facts.search_keys)) for a in docs]
            for _path, html in records:
                chars.update(html)
            key = part_key(self.cmd, number, records)
            bundle = self.output / bundle_dir(number)
            shutil.rmtree(bundle, ignore_errors=True)  # a build in place (make devserver) replaces its index
            self.cache.tree(key, bundle, lambda target, number=number, records=records:
                            self._make(number, records, target))
            keys.append(key)
            pages += len(records)
        self.cache.keep_only(keys)
        if terms is not None:
            table = self.output / TERMS_FILE
            table.parent.mkdir(parents=True, exist_ok=True)
            table.write_text(json.dumps(terms(chars), ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                             encoding="utf-8")
        return {"bundles": len(keys), "reused": self.cache.reused, "pages": pages}

    def _make(self, number: int, records: list, target: Path) -> None:
        """The bundle is made in the work folder and then moved: Pagefind does not
        always report a failed write (a full disk), a move does."""
        site, made = self.work / f"site-{number}", self.work / f"bundle-{number}"
        for path, html in records:
            page = site / path
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(html, encoding="utf-8")
        self.index(site, made)
        shutil.rmtree(site, ignore_errors=True)
        shutil.move(made, target)

    def finish(self) -> None:
        """In the build, once every page is written: wait for the bundles."""
        try:
            child, self.child = self.child, None
            self.report = child.result()
        except ChildFailed as exc:
            raise SearchIndexError(str(exc)) from None
        finally:
            shutil.rmtree(self.work, ignore_errors=True)

    def abandon(self) -> None:
        if self.child is not None:
            self.child.stop()
            self.child = None
        shutil.rmtree(self.work, ignore_errors=True)


def _describe(exc: BaseException) -> str:
    """A failure in the indexing child, as finish() reports it."""
    if isinstance(exc, SearchIndexError):
        return str(exc)
    return f"搜索索引构建失败：{type(exc).__name__}: {exc}"
