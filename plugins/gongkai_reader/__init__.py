"""Reads content/*.md through gongkai.model: each file is parsed once into a
Document, which rides along in the article's metadata (and Pelican's content
cache) so every other plugin and template uses the same typed values.

Pelican reads one file after another; before it starts, the files its cache
cannot serve are prepared on every core (gongkai.prepare) and handed over."""
from __future__ import annotations

import gc
import logging
import os
import pickle
from pathlib import Path

from pelican import signals
from pelican.readers import BaseReader
from pelican.utils import SafeDatetime

from gongkai.core import render
from gongkai.core import schema
from gongkai.build.contract import ContractError, Facts, SiteFacts, check_plugins
from gongkai.build.speed.pagecache import code_digest
from gongkai.build.speed.prepare import prepare, prepare_many
from gongkai.core.settings import complete
from gongkai.core.site import slug_of

log = logging.getLogger(__name__)

# Every article's Document is article.doc (the reader's metadata, kept in
# Pelican's content cache); this plugin also gives each one its Facts and the
# site its SiteFacts (gongkai.build.contract), and holds the plugins to the
# contract when the build starts. It must come first in PLUGINS.
NEEDS: set = set()
PROVIDES: set = set()

# {absolute path: (Document, body HTML)} prepared ahead for this build's reads,
# taken from _stream (gongkai.prepare.prepare_many) as Pelican asks for them.
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
    stale = [p for p in paths if p.endswith(".md") and generator.readers.get_cached_data(p, (None, None))[0] is None]
    _prepared.clear()
    _failed.clear()
    _stream[:] = [prepare_many(stale, Path(settings["PATH"]), complete(settings))] if stale else []


def read_all(generator):
    """Every article is read: the workers are done (their pool closes), and what
    was loaded and prepared, which lives as long as the build, is set aside
    (never walked again by the collector); then collection resumes."""
    while _stream:
        _take(None)
    _prepared.clear()
    gc.freeze()
    gc.enable()
    if _failed:
        raise _failed.pop()


def pause_collector(pelican):
    """Pelican's content cache is about to load: ten million objects at 10,000
    documents, none of them garbage. Python's collector would walk the growing
    heap again and again meanwhile, and again whenever the heap grows by a
    quarter (loading took 5.3 s instead of 1.4 s), so it rests until every
    file is read (read_all)."""
    gc.disable()


def save_cache_whole(generator):
    """Pelican writes its content cache in place, and a failed write leaves
    half a file that the next build cannot read. It is written beside the
    file and renamed instead. (The documents in it are saved as the bytes
    they arrived as, gongkai.model: about a second at 10,000 documents.)
    Relies on Pelican's FileDataCacher internals; Pelican is pinned."""
    readers = generator.readers

    def save_then_rename():
        if not readers._cache_data_policy:
            return
        final = Path(readers._cache_path)
        part = final.with_name(f"{final.name}.{os.getpid()}")
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            with readers._cache_open(part, "wb") as fhandle:
                pickle.dump(readers._cache, fhandle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(part, final)
        except (OSError, pickle.PicklingError, TypeError) as err:
            part.unlink(missing_ok=True)
            log.warning("内容缓存未能保存（%s）：下次构建将重新读取全部文件。", err)

    readers.save_cache = save_then_rename


def thaw(pelican):
    """The build is over: what it set aside may be collected (a long-running
    `make devserver` builds again and again in one process)."""
    gc.unfreeze()


def check_contract(pelican):
    """The plugins keep the contract (gongkai.build.contract), or the build stops here."""
    if not pelican.plugins or pelican.plugins[0].__name__.rpartition(".")[2] != "gongkai_reader":
        raise ContractError("插件 gongkai_reader 必须排在 PLUGINS 的第一位")
    check_plugins(pelican.plugins)


def new_facts(content):
    """Each document's page starts with empty facts, every build (never from a cache)."""
    content.facts = Facts()


def new_site_facts(generator):
    generator.context.setdefault("gk", SiteFacts())


def pin_urls(content):
    """Pelican formats an address from settings on every .url and .save_as (a
    pathname and metadata copy each time, tens of times per page). Addresses
    are final once the object exists, so they are pinned with Pelican's own
    per-object override (what url:/save_as: metadata does)."""
    if "doc" in content.metadata:
        content.override_url = content.url
        content.override_save_as = content.save_as


CODE_STAMP = "gongkai-code"


def cache_for_this_code(pelican):
    """Pelican's content cache holds our Documents (and budget tables) pickled:
    one written by other code may not read back, or read back wrong. So it is
    kept only while the code that wrote it is the code running."""
    settings = pelican.settings
    if not settings.get("LOAD_CONTENT_CACHE") and not settings.get("CACHE_CONTENT"):
        return
    cache = Path(settings["CACHE_PATH"])
    stamp, digest = cache / CODE_STAMP, code_digest(settings, with_settings=False)
    try:
        same = stamp.read_text(encoding="utf-8") == digest
    except OSError:
        same = False
    if not same:
        for old in cache.glob("*Generator*"):
            if old.is_file():
                old.unlink()
        cache.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest, encoding="utf-8")


def register():
    # initialized: every plugin is loaded and nothing is read yet.
    signals.initialized.connect(check_contract)
    # content_object_init: before any other plugin's (this one is first), a fresh Facts.
    signals.content_object_init.connect(new_facts)
    # generator_init: the context all generators share exists.
    signals.generator_init.connect(new_site_facts)
    # initialized: before any generator loads the content cache.
    signals.initialized.connect(cache_for_this_code)
    signals.initialized.connect(pause_collector)
    signals.finalized.connect(thaw)
    # content_object_init: the article or page is complete (slug, date, category).
    signals.content_object_init.connect(pin_urls)
    # article_generator_init: the generator knows its files and its cache; nothing is read yet.
    signals.article_generator_init.connect(prepare_ahead)
    # article_generator_pretaxonomy: every article is read.
    signals.article_generator_pretaxonomy.connect(read_all)
    signals.article_generator_init.connect(save_cache_whole)
    # readers_init: replace Pelican's Markdown reader, so front-matter is YAML read by our model.
    signals.readers_init.connect(add_reader)
