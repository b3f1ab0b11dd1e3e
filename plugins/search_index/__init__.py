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
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

from pelican import signals

from gongkai.searchkeys import page_keys

log = logging.getLogger(__name__)

# Pagefind's own words when it cannot segment Chinese; the build fails on them.
NON_EXTENDED = re.compile(r"non-extended|extended (?:version|build|mode)", re.I)


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


def run_pagefind(output: Path, cmd: list) -> str:
    """Index output/ into output/pagefind/; returns Pagefind's report or raises SearchIndexError."""
    try:
        proc = subprocess.run([*cmd, "--site", str(output)], capture_output=True, text=True, timeout=1800)
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
    report = run_pagefind(output, cmd)
    pages = re.search(r"Indexed (\d+) pages?", report)
    log.info("搜索索引：%s 个页面，用时 %.1f 秒", pages.group(1) if pages else "?", time.perf_counter() - start)


def register():
    # content_object_init: each document gets its search keys once, from its typed Document.
    signals.content_object_init.connect(add_keys)
    # finalized: every page is written (into the build's temporary folder); the
    # index is built there, so a failed index means no swap and the old site stays.
    signals.finalized.connect(index_site)
