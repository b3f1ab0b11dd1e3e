"""Stops the build when content is invalid: the same validator as make check,
over the Documents the reader already parsed (each file is parsed once)."""
from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from pelican import signals

from gongkai.core import messages
from gongkai.core.model import relpath
from gongkai.core.problems import internal_error
from gongkai.core.settings import asof, complete
from gongkai.core.validate import all_problems

log = logging.getLogger(__name__)

NEEDS = {}
PROVIDES = {}
WARNINGS_PER_CODE = 5


class ContentInvalid(Exception):
    """Raised after every problem has been logged; scripts/build.py reports it."""

    def __init__(self, problems):
        super().__init__(messages.summary(problems))
        self.problems = problems


def documents(generators):
    for gen in generators:
        for attr in ("articles", "drafts", "hidden_articles", "pages", "hidden_pages", "draft_pages"):
            for item in getattr(gen, attr, None) or []:
                doc = item.metadata.get("doc")
                if doc is not None:
                    yield doc


def unread(generators) -> list:
    """Files Pelican could not process: it logs them and builds without them.
    (Its generators share one context, where such a file's entry is None.)"""
    gen = generators[0]
    return [internal_error(relpath(Path(gen.path) / path), RuntimeError("Pelican 无法处理这个文件，构建时跳过了它"))
            for path, item in gen.context.get("generated_content", {}).items() if item is None]


def check(generators):
    gen = generators[0]
    settings = complete(gen.settings)
    problems = all_problems(list(documents(generators)), settings=settings,
                            content_root=gen.path, asof=asof(settings)) + unread(generators)
    shown = Counter()
    for p in problems:
        if p.is_error:
            log.error("%s", p)
            continue
        # Every error is shown; warnings of one kind are capped, make check lists them all.
        shown[p.code] += 1
        if shown[p.code] <= WARNINGS_PER_CODE:
            log.warning("%s", p)
    for code, count in shown.items():
        if count > WARNINGS_PER_CODE:
            log.warning("另有 %d 个同类提醒（%s）未列出；运行 make check 查看全部。", count - WARNINGS_PER_CODE, code)
    if any(p.is_error for p in problems):
        raise ContentInvalid(problems)


def register():
    # all_generators_finalized: every file has been read and nothing written yet,
    # so invalid content stops the build before it touches the output.
    signals.all_generators_finalized.connect(check)
