"""The build's work on each content file that depends on that file alone:
read it (gongkai.model), render its body (gongkai.render), count its words
(相关信息), read and lay out its budget tables and run the document checks. Done once per
changed file: the results ride on the Document (doc.derived) in Pelican's
content cache.

A cold build has thousands of such files and each is independent, so the
reader plugin hands them all to worker processes on every core (prepare_many)
and takes each one as Pelican reads it."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from gongkai.core import budget
from gongkai.core import related
from gongkai.core import render
from gongkai.core import schema
from gongkai.core.corpus import iter_files
from gongkai.core.model import pickle_document, read_document, unpickle_document
from gongkai.core.validate import document_problems


def derive(doc, settings: dict, content_root: Path):
    """(doc, body HTML), with doc.derived filled."""
    html = render.render(doc.body, settings.get("MARKDOWN"))
    if doc.type in schema.TYPES:
        related.term_counts(doc)
        if doc.type == "budget":
            budget.table_views(doc, budget.load(doc), content_root, settings)
        document_problems(doc, {"settings": settings, "content_root": content_root})
    return doc, html


def derive_pickled(doc, settings: dict, content_root: Path):
    """derive() in a worker: the document goes back as its pickle (model.pickle_document)."""
    doc, html = derive(doc, settings, content_root)
    return pickle_document(doc), html


def _needed(settings: dict) -> dict:
    # What reading needs: Pelican's settings also hold things that do not pickle.
    return {k: v for k, v in settings.items() if k.startswith("GONGKAI_") or k in ("MARKDOWN", "THEME", "JINJA_ENVIRONMENT")}


def prepare(path, content_root: Path, settings: dict):
    return derive(read_document(path, content_root, settings), _needed(settings), content_root)


def prepare_many(paths, content_root: Path, settings: dict):
    """(path, (doc, html)) for many files, in order, as parallel worker processes finish them."""
    settings = _needed(settings)
    results = iter_files(paths, content_root, settings,
                         then=partial(derive_pickled, settings=settings, content_root=content_root))
    for path, (doc, html) in zip(paths, results):
        yield path, (unpickle_document(doc), html)
