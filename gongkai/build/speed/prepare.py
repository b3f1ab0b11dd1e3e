"""The build's work on each content file that depends on that file alone:
read it (gongkai.core.model), render its body (gongkai.core.render), count
its words (相关信息), make its search keys, read its budget tables and draw
their rows, and run the document checks. Done once per changed file: the results ride on the Document
(doc.derived) in Pelican's content cache.

A cold build has thousands of such files and each is independent, so the
reader plugin hands them all to worker processes on every core
(prepare_many) and takes each one as Pelican reads it. The work is a pure
function of the file, the files it names and the reading settings, so doing
it here or in Pelican's own loop gives the same site."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from gongkai.build import templates
from gongkai.build.speed.travel import pickle_document, unpickle_document
from gongkai.core import related, render, schema, searchkeys
from gongkai.core.corpus import iter_files
from gongkai.core.model import read_document
from gongkai.core.settings import ours
from gongkai.core.validate import check_context, document_problems

# The settings reading a file depends on: the content cache is kept only while
# these are the same (speed.contentcache), and the workers get only these.
READING_KEYS = ("MARKDOWN", "THEME", "JINJA_ENVIRONMENT")


def reading_settings(settings: dict) -> dict:
    return {**ours(settings), **{k: settings[k] for k in READING_KEYS if k in settings}}


def derive(doc, settings: dict, content_root: Path, checks: dict | None = None):
    """(doc, body HTML), with doc.derived filled (checks: the check_context of the run)."""
    html = render.render(doc.body, settings.get("MARKDOWN"))
    if doc.type in schema.TYPES:
        related.term_counts(doc)
        searchkeys.document_keys(doc)
        if doc.type == "budget":
            templates.budget_rows(doc, settings)
        document_problems(doc, checks or check_context(settings, content_root))
    return doc, html


def derive_pickled(doc, settings: dict, content_root: Path, checks: dict):
    """derive() in a worker: the document goes back as its pickle (speed.travel)."""
    doc, html = derive(doc, settings, content_root, checks)
    return pickle_document(doc), html


def prepare(path, content_root: Path, settings: dict):
    return derive(read_document(path, content_root, settings), reading_settings(settings), content_root)


def prepare_many(paths, content_root: Path, settings: dict):
    """(path, (doc, html)) for many files, in order, as parallel worker processes finish them."""
    settings = reading_settings(settings)
    results = iter_files(paths, content_root, settings,
                         then=partial(derive_pickled, settings=settings, content_root=content_root,
                                      checks=check_context(settings, content_root)))
    for path, (doc, html) in zip(paths, results):
        yield path, (unpickle_document(doc), html)
