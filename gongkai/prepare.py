"""The build's work on each content file that depends on that file alone:
read it (gongkai.model), render its body (gongkai.render), count its words
(相关信息) and read its budget tables. Done once per changed file: the results
ride on the Document (doc.derived) in Pelican's content cache.

A cold build has thousands of such files and each is independent, so the
reader plugin prepares them all up front on every core (prepare_many)."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from . import budget, related, render, schema
from .corpus import read_files
from .model import read_document


def derive(doc, markdown: dict | None = None):
    """(doc, body HTML), with doc.derived filled."""
    html = render.render(doc.body, markdown)
    if doc.type in schema.TYPES:
        related.term_counts(doc)
    if doc.type == "budget":
        budget.load(doc)
    return doc, html


def prepare(path, content_root: Path, settings: dict):
    return derive(read_document(path, content_root, settings), settings.get("MARKDOWN"))


def prepare_many(paths, content_root: Path, settings: dict) -> dict:
    """{path: (doc, html)} for many files, in parallel worker processes."""
    # Workers get only what reading needs: Pelican's settings hold things that do not pickle.
    settings = {k: v for k, v in settings.items() if k.startswith("GONGKAI_") or k == "MARKDOWN"}
    results = read_files(paths, content_root, settings, then=partial(derive, markdown=settings.get("MARKDOWN")))
    return dict(zip(paths, results))
