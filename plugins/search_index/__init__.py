"""Public search: marks what Pagefind indexes on each document page (through
article.search_keys, drawn by theme/templates/components/search_meta.html)
and runs Pagefind's extended build over the finished output, so the search
index is rebuilt from scratch with every build. Only document pages carry
data-pagefind-body: navigation, footers and listings are never indexed.

Settings: GONGKAI_PAGEFIND — the command that runs Pagefind (default: the
PyPI build in this Python, `python -m pagefind`); False switches indexing off
(the bench compares builds with and without it)."""
from __future__ import annotations

import hashlib
import logging
import queue
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pelican import signals

from gongkai.files import link_or_copy
from gongkai.searchkeys import page_keys

log = logging.getLogger(__name__)

# Pagefind's own words when it cannot segment Chinese; the build fails on them.
NON_EXTENDED = re.compile(r"non-extended|extended (?:version|build|mode)", re.I)
# Characters of document body per Pagefind run: 10 million is about 1.1 GB of
# Pagefind's memory (10,000 synthetic documents hold 29 million: 3 parts).
PART_CHARS = 12_000_000
PAGE_CHARS = 1000
PART_FILTER = "gk_part"
# The current build's document pages (paths under the output), one list per
# part; set when the documents are known (article_generator_finalized).
_parts: list = []
# id(first document of part k) -> k, for k > 0: when it is written, part k-1 is done.
_part_starts: dict = {}


class SearchIndexError(RuntimeError):
    """The search index could not be built; the message is for staff."""


def command(settings) -> list | None:
    value = settings.get("GONGKAI_PAGEFIND", "python -m pagefind")
    if value is False or value is None:
        return None
    if isinstance(value, str):
        value = shlex.split(value)
    value = list(value)
    if value and value[0] == "python":
        value[0] = sys.executable
    return value


def add_keys(content):
    doc = getattr(content, "doc", None) or content.metadata.get("doc")
    content.search_keys = page_keys(doc)


def bundle_dir(part: int) -> str:
    """The bundle folder of a part (0-based): pagefind, pagefind-2, pagefind-3…"""
    return "pagefind" if part == 0 else f"pagefind-{part + 1}"


def _write_order(generator) -> list:
    """The documents in the order Pelican writes them (ArticlesGenerator.generate_articles)."""
    groups = ("translations", "articles", "hidden_translations", "hidden_articles")
    docs = [a for g in groups for a in getattr(generator, g, []) or [] if getattr(a, "search_keys", None)]
    return list({id(a): a for a in docs}.values())


def assign_parts(generator):
    """Cut the documents, in the order Pelican writes them (newest first), into
    parts of GONGKAI_SEARCH_PART_CHARS characters of body (Pagefind's memory
    follows the words it holds, not the number of pages). A part is indexed as
    soon as its last page is written, while the rest of the site is still being
    written; the last part, which has nothing left to overlap with, holds the
    remainder, so it is the smallest. Marks each document's search keys
    with its part (filter gk_part, only when there is more than one) and gives
    the search page the bundles (SEARCH_BUNDLES)."""
    budget = int(generator.settings.get("GONGKAI_SEARCH_PART_CHARS", PART_CHARS))
    docs = _write_order(generator)
    # The rendered body (before link rewriting: the cheap one), plus the keys block and metadata.
    sizes = [len(getattr(a, "_content", None) or "") + PAGE_CHARS for a in docs]
    # Part k takes the documents that start within its budget; a document larger
    # than the budget can leave a number unused, so the numbers are then closed up.
    starts = [0]
    for size in sizes[:-1]:
        starts.append(starts[-1] + size)
    numbers = sorted({start // budget for start in starts})
    renumber = {n: i for i, n in enumerate(numbers)}
    of_doc = [renumber[start // budget] for start in starts] if docs else []
    parts = max(1, len(numbers))
    generator.context["SEARCH_BUNDLES"] = [f"{bundle_dir(i)}/" for i in range(parts)]
    _parts[:] = [[] for _ in range(parts)]
    _part_starts.clear()
    for article, part in zip(docs, of_doc):
        if not _parts[part] and part > 0:
            _part_starts[id(article)] = part
        _parts[part].append(article.save_as)
        if parts > 1:
            keys = article.search_keys
            keys["filters"] = [*keys["filters"], (PART_FILTER, str(part))]


def stage(output: Path, pages: list, into: Path):
    """The part's pages at their paths under `into`: hard links, copies where linking fails."""
    for rel in pages:
        src = output / rel
        if not src.is_file():
            continue
        dst = into / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(src, dst)


def run_pagefind(output: Path, cmd: list, bundle: Path | None = None) -> str:
    """Index the site in output/ into output/pagefind/ (or into `bundle`);
    returns Pagefind's report or raises SearchIndexError."""
    where = ["--output-path", str(bundle)] if bundle else []
    try:
        proc = subprocess.run([*cmd, "--site", str(output), *where], capture_output=True, text=True, timeout=1800)
    except FileNotFoundError:
        raise SearchIndexError(
            f"搜索索引构建失败：找不到 Pagefind（{shlex.join(cmd)}）。请运行 make setup 安装 pagefind[extended]。"
        ) from None
    report = proc.stdout + proc.stderr
    if proc.returncode != 0:
        tail = "\n".join(report.strip().splitlines()[-5:])
        raise SearchIndexError(f"搜索索引构建失败：Pagefind 退出码 {proc.returncode}。\n{tail}")
    if NON_EXTENDED.search(report) or "(Extended)" not in report:
        raise SearchIndexError(
            "搜索索引构建失败：Pagefind 不是扩展版（extended），无法切分中文词语，搜索将几乎找不到中文内容。"
            "请安装 pagefind[extended]（make setup）。")
    return report


def part_key(staging: Path, cmd: list, part: int) -> str:
    """What a part's bundle depends on: the Pagefind command and every page it indexes."""
    h = hashlib.sha1(repr((cmd, part)).encode())
    for page in sorted(staging.rglob("*.html")):
        h.update(str(page.relative_to(staging)).encode() + b"\0" + hashlib.sha1(page.read_bytes()).digest())
    return h.hexdigest()


def copy_tree(src: Path, dst: Path):
    shutil.copytree(src, dst, copy_function=link_or_copy)


class Indexer:
    """Runs Pagefind over finished parts in a background thread, one part after
    another (one part in memory at a time), while Pelican writes the rest of
    the site on the other core. With a cache folder, a part whose pages are all
    unchanged since a previous build gets that build's bundle back instead."""

    def __init__(self, output: Path, cmd: list, cache: Path | None):
        self.output, self.cmd, self.cache = output, cmd, cache
        self.jobs: queue.Queue = queue.Queue()
        self.error: Exception | None = None
        self.pages = self.reused = 0
        self.used_keys: set = set()
        self.thread = threading.Thread(target=self._run, name="pagefind", daemon=True)
        self.thread.start()

    def submit(self, part: int, pages: list):
        self.jobs.put((part, pages))

    def finish(self) -> None:
        self.jobs.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        if self.cache is not None and self.cache.is_dir():
            for old in self.cache.iterdir():  # keep only what this build used
                if old.name not in self.used_keys:
                    shutil.rmtree(old, ignore_errors=True)

    def _run(self):
        while (job := self.jobs.get()) is not None:
            if self.error is None:
                try:
                    self._index(*job)
                except Exception as exc:  # noqa: BLE001 — raised in the build's thread by finish()
                    self.error = exc

    def _index(self, part: int, pages: list):
        bundle = self.output / bundle_dir(part)
        staging = Path(tempfile.mkdtemp(prefix=".search-part-", dir=self.output.parent))
        try:
            stage(self.output, pages, staging)
            key = part_key(staging, self.cmd, part) if self.cache is not None else None
            kept = self.cache / key if key else None
            if kept is not None and (kept / "pagefind-entry.json").is_file():
                copy_tree(kept, bundle)
                self.reused += 1
            else:
                report = run_pagefind(staging, self.cmd, bundle)
                if kept is not None:
                    shutil.rmtree(kept, ignore_errors=True)
                    copy_tree(bundle, kept)
            if key:
                self.used_keys.add(key)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.pages += len(pages)


_indexer: list = []  # the running Indexer of this build, if any


def start_indexer(generator):
    """The indexer waits for finished parts (after assign_parts, before any page is written)."""
    _indexer.clear()
    cmd = command(generator.settings)
    if cmd is None or not any(_parts):
        return
    settings = generator.settings
    cache = Path(settings["CACHE_PATH"]) / "pagefind" if settings.get("CACHE_CONTENT") else None
    _indexer.append(Indexer(Path(generator.output_path).resolve(), cmd, cache.resolve() if cache else None))


def part_written(generator, content):
    """A part's first page is about to be written, so the part before it is complete."""
    part = _part_starts.get(id(content))
    if part is not None and _indexer:
        _indexer[0].submit(part - 1, _parts[part - 1])


def last_part_written(generator, writer):
    if _indexer:
        _indexer[0].submit(len(_parts) - 1, _parts[-1])


def index_site(pelican):
    """Every page is written: wait for the indexer (or, with no document pages, index the whole output)."""
    cmd = command(pelican.settings)
    if cmd is None:
        return
    start = time.perf_counter()
    if not _indexer:
        # No documents: Pagefind over the whole output, as it comes.
        run_pagefind(Path(pelican.output_path), cmd)
        log.info("搜索索引：没有文件页面，用时 %.1f 秒", time.perf_counter() - start)
        return
    indexer = _indexer.pop()
    indexer.finish()
    log.info("搜索索引：%s 个页面（%s 部分，%s 部分沿用上次构建），最后等待 %.1f 秒",
             indexer.pages, len(_parts), indexer.reused, time.perf_counter() - start)


def register():
    # content_object_init: each document gets its search keys once, from its typed Document.
    signals.content_object_init.connect(add_keys)
    # article_generator_finalized: every document is known (and none written yet).
    signals.article_generator_finalized.connect(assign_parts)
    signals.article_generator_finalized.connect(start_indexer)
    # article_generator_write_article: fires before each document page is written.
    signals.article_generator_write_article.connect(part_written)
    # article_writer_finalized: every document page is written; the last part is complete.
    signals.article_writer_finalized.connect(last_part_written)
    # finalized: every page is written (into the build's temporary folder); the
    # index is built there, so a failed index means no swap and the old site stays.
    signals.finalized.connect(index_site)
