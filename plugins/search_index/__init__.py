"""Public search: marks what Pagefind indexes on each document page (through
facts.search_keys, drawn by theme/templates/components/search_meta.html)
and runs Pagefind's extended build, so the search index is rebuilt with every
build. Only document pages carry data-pagefind-body: navigation, footers and
listings are never indexed.

Pagefind does not wait for the pages. As soon as every document is read, each
one is drawn as a search record (components/search_record.html: the same
data-pagefind-body elements as its page, from the same macros, at the same
address) and a background thread runs Pagefind over the records, part after
part, while Pelican writes the site on the other core. The bundles are moved
into the output when the build finishes; a build that fails stops Pagefind
(gongkai.signals.build_failed) and leaves nothing behind.

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

from gongkai.build import speed
from gongkai.build.pelican import body_html
from gongkai.build.signals import build_failed
from gongkai.build.speed.searchindex import Indexer, SearchIndexError, bundle_dir
from gongkai.core import searchterms
from gongkai.core.searchkeys import document_keys

log = logging.getLogger(__name__)

NEEDS = {}
PROVIDES = {"search_keys": "content_object_init", "search_bundles": "article_generator_pretaxonomy"}

# Pagefind's own words when it cannot segment Chinese; the build fails on them.
NON_EXTENDED = re.compile(r"non-extended|extended (?:version|build|mode)", re.I)
# Characters of document body per Pagefind run: 10 million is about 1.1 GB of
# Pagefind's memory (10,000 synthetic documents hold 29 million: 3 parts).
PART_CHARS = 12_000_000
PAGE_CHARS = 1000
PART_FILTER = "gk_part"


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
    keys = document_keys(doc)
    # A copy: the part filter is added to it later, and the kept keys stay as read.
    content.facts.search_keys = dict(keys) if keys is not None else None


def _write_order(generator) -> list:
    """The documents in the order Pelican writes them (ArticlesGenerator.generate_articles)."""
    groups = ("translations", "articles", "hidden_translations", "hidden_articles")
    docs = [a for g in groups for a in getattr(generator, g, []) or [] if a.facts.search_keys]
    return list({id(a): a for a in docs}.values())


def assign_parts(generator) -> list:
    """Cut the documents, newest first, into parts of GONGKAI_SEARCH_PART_CHARS
    characters of body: Pagefind's memory follows the words it holds, not the
    number of pages, and one part is in memory at a time. An edit changes one
    part, whose bundle alone is built again. Marks each document's search keys
    with its part (filter gk_part, only when there is more than one), gives
    the search page the bundles (search_bundles) and returns the parts, each a
    list of documents."""
    budget = int(generator.settings.get("GONGKAI_SEARCH_PART_CHARS", PART_CHARS))
    docs = _write_order(generator)
    # The rendered body (before link rewriting: the cheap one), plus the keys block and metadata.
    sizes = [len(body_html(a) or "") + PAGE_CHARS for a in docs]
    # Part k takes the documents that start within its budget; a document larger
    # than the budget can leave a number unused, so the numbers are then closed up.
    starts = [0]
    for size in sizes[:-1]:
        starts.append(starts[-1] + size)
    numbers = sorted({start // budget for start in starts})
    renumber = {n: i for i, n in enumerate(numbers)}
    of_doc = [renumber[start // budget] for start in starts] if docs else []
    parts: list = [[] for _ in range(max(1, len(numbers)))]
    generator.context["gk"].search_bundles = [f"{bundle_dir(i)}/" for i in range(len(parts))]
    for article, part in zip(docs, of_doc):
        parts[part].append(article)
        if len(parts) > 1:
            keys = article.facts.search_keys
            keys["filters"] = [*keys["filters"], (PART_FILTER, str(part))]
    return parts


def run_pagefind(site: Path, cmd: list, bundle: Path | None = None) -> str:
    """Index the pages under `site` into site/pagefind/ (or into `bundle`);
    returns Pagefind's report or raises SearchIndexError."""
    where = ["--output-path", str(bundle)] if bundle else []
    try:
        proc = subprocess.run([*cmd, "--site", str(site), *where], capture_output=True, text=True, timeout=1800)
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


_indexer: list = []  # the running Indexer of this build, if any


def abandon(*_args, **_kwargs):
    """Stop the running indexer, if any (a failed build, or a new one)."""
    while _indexer:
        _indexer.pop().abandon()


def start_indexer(generator):
    """Every document is read and none written: cut the parts and start indexing them."""
    abandon()
    parts = assign_parts(generator)
    cmd = command(generator.settings)
    if cmd is None or not any(parts):
        return
    indexer = Indexer(Path(generator.output_path).resolve(), cmd, lambda site, bundle: run_pagefind(site, cmd, bundle),
                      speed.file_cache(generator.settings, "pagefind"))
    _indexer.append(indexer)  # before the child starts: an interrupted build finds it and stops it
    indexer.start(parts, generator.get_template("components/search_record"), query_table(generator, parts))


def query_table(generator, parts):
    """What the search page folds queries with: the synonym table of the content
    (checked by make check) and pinyin names of the issuers; the Traditional
    characters are chosen in the indexing child, from the characters indexed."""
    synonyms, _problems = searchterms.load_synonyms(searchterms.synonyms_path(generator.settings["PATH"]))
    issuers = sorted({str(a.doc.meta.get("issuer") or "") for docs in parts for a in docs if getattr(a, "doc", None)})
    return lambda chars: searchterms.browser_table(
        chars, searchterms.Terms(synonyms, searchterms.pinyin_aliases(issuers)))


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
    indexer = _indexer[-1]
    indexer.finish()  # an interrupt before it is done still finds the indexer in _indexer
    _indexer.pop()
    log.info("搜索索引：%s 个页面（%s 部分，%s 部分沿用上次构建），最后等待 %.1f 秒",
             indexer.report["pages"], indexer.report["bundles"], indexer.report["reused"],
             time.perf_counter() - start)


def register():
    # content_object_init: each document gets its search keys once, from its typed Document.
    signals.content_object_init.connect(add_keys)
    # article_generator_pretaxonomy: every document is read and ordered; none is written.
    signals.article_generator_pretaxonomy.connect(start_indexer)
    # finalized: every page is written (into the build's temporary folder); the
    # bundles go in there, so a failed index means no swap and the old site stays.
    signals.finalized.connect(index_site)
    # A build that fails (scripts/build.py) leaves no Pagefind running.
    build_failed.connect(abandon)
