"""Reads content/*.md through gongkai.core.model: each file is parsed once
into a Document, which rides along in the article's metadata (and Pelican's
content cache) so every other plugin and template uses the same typed values.

Pelican reads one file after another; before it starts, the files its cache
cannot serve are prepared on every core (gongkai.build.speed.prepare) and
handed over as Pelican asks for them."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from pelican import signals
from pelican.readers import BaseReader
from pelican.utils import SafeDatetime

from gongkai.build import pelican as adapter
from gongkai.build import speed
from gongkai.build.contract import ContractError, Facts, SiteFacts, check_plugins
from gongkai.build.speed import contentcache
from gongkai.build.speed.prepare import prepare, prepare_many
from gongkai.core import render, schema
from gongkai.core.settings import complete
from gongkai.core.site import slug_of

log = logging.getLogger(__name__)

# Every article's Document is article.doc (the reader's metadata, kept in
# Pelican's content cache); this plugin also gives each one its Facts and the
# site its SiteFacts (gongkai.build.contract), and holds the plugins to the
# contract when the build starts. It must come first in PLUGINS.
NEEDS = {}
PROVIDES = {}

# {absolute path: (Document, body HTML)} prepared ahead for this build's reads,
# taken from _stream (gongkai.build.speed.prepare.prepare_many) as Pelican asks for them.
_prepared: dict = {}
_stream: list = []
_failed: list = []  # what stopped the workers


def _take(path: str):
    """The prepared file, waiting for the workers as long as it takes: Pelican
    reads the files in the order they were handed to them, so its own work on
    each file overlaps theirs on the next ones."""
    while path not in _prepared and _stream:
        try:
            done, result = next(_stream[0])
        except StopIteration:
            _stream.clear()
            break
        except Exception as exc:  # noqa: BLE001 — Pelican would skip the file: read_all fails the build
            _stream.clear()
            _failed.append(exc)
            break
        _prepared[done] = result
    return _prepared.pop(path, None)


def _theme_has(settings, name: str) -> bool:
    return (Path(settings["THEME"]) / "templates" / name).is_file()


class GongkaiReader(BaseReader):
    enabled = True
    file_extensions = ["md"]

    def read(self, source_path):
        settings = complete(self.settings)
        content_root = Path(self.settings["PATH"])
        ready = _take(os.path.abspath(source_path))
        doc, html = ready or prepare(source_path, content_root, settings)
        meta = {"title": doc.meta.get("title") or Path(source_path).stem, "slug": slug_of(doc), "doc": doc}
        published = doc.meta.get("date")
        if published and hasattr(published, "year"):
            meta["date"] = SafeDatetime(published.year, published.month, published.day)
        elif doc.type != schema.PAGE:
            meta["date"] = SafeDatetime(1970, 1, 1)  # invalid: validation stops the build
        modified = doc.meta.get("modified")
        if modified and hasattr(modified, "year"):
            meta["modified"] = SafeDatetime(modified.year, modified.month, modified.day)
        if doc.type in schema.TYPES:
            meta["category"] = self.process_metadata("category", doc.type)
            # A type may have its own page template (theme/templates/solicitation.html
            # extends article.html); otherwise article.html serves.
            if _theme_has(self.settings, f"{doc.type}.html"):
                meta["template"] = doc.type
        if isinstance(doc.meta.get("summary"), str):
            meta["summary"] = render.clean(doc.meta["summary"])
        return html, meta


def add_reader(readers):
    readers.reader_classes["md"] = GongkaiReader
    readers.reader_classes["markdown"] = None
    readers.reader_classes["mkd"] = None
    readers.reader_classes["mdown"] = None


def prepare_ahead(generator):
    """The files this generator will read that the content cache cannot serve, prepared in parallel."""
    settings = generator.settings
    paths = [os.path.abspath(os.path.join(generator.path, f))
             for f in generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])]
    stale = [p for p in paths if p.endswith(".md") and not adapter.is_cached(generator.readers, p)]
    _prepared.clear()
    _failed.clear()
    _stream[:] = [prepare_many(stale, Path(settings["PATH"]), complete(settings))] if stale else []


def read_all(generator):
    """Every article is read: the workers are done (their pool closes)."""
    while _stream:
        _take(None)
    _prepared.clear()
    contentcache.all_read()
    if _failed:
        raise _failed.pop()


def start(pelican):
    """Before anything is read: the plugins keep the contract, the reuse switch
    is applied, and the content cache is kept only if it is this code's and whole."""
    if not pelican.plugins or pelican.plugins[0].__name__.rpartition(".")[2] != "gongkai_reader":
        raise ContractError("插件 gongkai_reader 必须排在 PLUGINS 的第一位")
    check_plugins(pelican.plugins)
    speed.apply_switch(pelican.settings)
    contentcache.before_loading(pelican.settings)


def build_over(pelican):
    contentcache.build_over()


def new_facts(content):
    """Each document's page starts with empty facts, every build (never from a cache)."""
    content.facts = Facts()


def each_generator(generator):
    """Every generator: the site's facts exist, and its content cache is saved whole (speed.contentcache)."""
    generator.context.setdefault("gk", SiteFacts())
    if getattr(generator, "readers", None) is not None:
        adapter.replace_cache_saver(generator.readers, contentcache.save)


def pin_urls(content):
    """Pelican formats an address from settings on every .url and .save_as (a
    pathname and metadata copy each time, tens of times per page). Addresses
    are final once the object exists, so they are pinned with Pelican's own
    per-object override (what url:/save_as: metadata does)."""
    if "doc" in content.metadata:
        content.override_url = content.url
        content.override_save_as = content.save_as


def register():
    # initialized: every plugin is loaded; no generator exists yet, nothing is read.
    signals.initialized.connect(start)
    signals.finalized.connect(build_over)
    # readers_init: replace Pelican's Markdown reader, so front-matter is YAML read by our model.
    signals.readers_init.connect(add_reader)
    # generator_init: the context all generators share exists.
    signals.generator_init.connect(each_generator)
    # article_generator_init: the generator knows its files and its cache; nothing is read yet.
    signals.article_generator_init.connect(prepare_ahead)
    # content_object_init: first of all plugins (this one is first), a fresh Facts; then the address is pinned.
    signals.content_object_init.connect(new_facts)
    signals.content_object_init.connect(pin_urls)
    # article_generator_pretaxonomy: every article is read.
    signals.article_generator_pretaxonomy.connect(read_all)
