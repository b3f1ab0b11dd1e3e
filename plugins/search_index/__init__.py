"""Public search: marks what Pagefind indexes on each document page (through
article.search_keys, drawn by theme/templates/components/search_meta.html)
and runs Pagefind's extended build over the finished output, so the search
index is rebuilt from scratch with every build. Only document pages carry
data-pagefind-body: navigation, footers and listings are never indexed.

Settings: GONGKAI_PAGEFIND — the command that runs Pagefind (default: the
PyPI build in this Python, `python -m pagefind`); False switches indexing off
(the bench compares builds with and without it)."""
from __future__ import annotations

import logging
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pelican import signals

from gongkai.searchkeys import page_keys

log = logging.getLogger(__name__)

# Pagefind's own words when it cannot segment Chinese; the build fails on them.
NON_EXTENDED = re.compile(r"non-extended|extended (?:version|build|mode)", re.I)
# Characters of document body per Pagefind run: 10 million is about 1 GB of
# Pagefind's memory (10,000 synthetic documents hold 29 million: 3 parts).
PART_CHARS = 10_000_000
PAGE_CHARS = 1000
PART_FILTER = "gk_part"
# The current build's document pages (paths under the output), one list per
# part; set when the documents are known (article_generator_finalized).
_parts: list = []


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


def assign_parts(generator):
    """Cut the documents, newest first, into parts of about equal text, each at
    most GONGKAI_SEARCH_PART_CHARS characters of body (Pagefind's memory follows
    the words it holds, not the number of pages); taken in order, the parts are
    in date order. Marks each document's search keys with its part (filter
    gk_part, only when there is more than one) and gives the search page the
    bundles (SEARCH_BUNDLES)."""
    budget = int(generator.settings.get("GONGKAI_SEARCH_PART_CHARS", PART_CHARS))
    docs = [a for group in ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
                            "drafts_translations")
            for a in getattr(generator, group, []) or [] if getattr(a, "search_keys", None)]
    docs = list({id(a): a for a in docs}.values())
    docs.sort(key=lambda a: (a.search_keys.get("sort_date") or "", a.search_keys.get("title") or ""), reverse=True)
    # The rendered body (before link rewriting: the cheap one), plus the keys block and metadata.
    sizes = [len(getattr(a, "_content", None) or "") + PAGE_CHARS for a in docs]
    total = sum(sizes)
    parts = max(1, math.ceil(total / budget))
    generator.context["SEARCH_BUNDLES"] = [f"{bundle_dir(i)}/" for i in range(parts)]
    _parts[:] = [[] for _ in range(parts)]
    done = 0
    for article, size in zip(docs, sizes):
        part = min(parts - 1, int(done * parts // total))
        done += size
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
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)


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


def index_site(pelican):
    cmd = command(pelican.settings)
    if cmd is None:
        return
    output = Path(pelican.output_path)
    start = time.perf_counter()
    total = 0
    if not any(_parts):
        # No documents: Pagefind over the whole output, as it comes.
        run_pagefind(output, cmd)
        log.info("搜索索引：没有文件页面，用时 %.1f 秒", time.perf_counter() - start)
        return
    # One run after another: the point of parts is that only one is in memory.
    for part, pages in enumerate(_parts):
        staging = Path(tempfile.mkdtemp(prefix=".search-part-", dir=output.parent))
        try:
            stage(output, pages, staging)
            report = run_pagefind(staging, cmd, output.resolve() / bundle_dir(part))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        found = re.search(r"Indexed (\d+) pages?", report)
        total += int(found.group(1)) if found else 0
    log.info("搜索索引：%s 个页面（%s 部分），用时 %.1f 秒", total, len(_parts), time.perf_counter() - start)


def register():
    # content_object_init: each document gets its search keys once, from its typed Document.
    signals.content_object_init.connect(add_keys)
    # article_generator_finalized: every document is known (and none written yet).
    signals.article_generator_finalized.connect(assign_parts)
    # finalized: every page is written (into the build's temporary folder); the
    # index is built there, so a failed index means no swap and the old site stays.
    signals.finalized.connect(index_site)
