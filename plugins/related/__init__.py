"""相关信息: sets article.related_auto (up to five related documents, from
gongkai.related) for theme/templates/components/related_auto.html. Documents
already linked explicitly (article.related_docs, from plugins/links) are not
repeated."""
from __future__ import annotations

import pickle
from pathlib import Path

from pelican import signals

from gongkai.related import related


def _load(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
        return {}  # no cache yet, or an unreadable one: segment everything again


def add_related(generator):
    articles = [a for a in generator.articles if getattr(a, "doc", None) is not None]
    cache_file = Path(generator.settings["CACHE_PATH"]) / "related-terms.pickle"
    use_cache = generator.settings.get("CACHE_CONTENT")
    cache = _load(cache_file) if use_cache else {}
    picks_per_doc = related([a.doc for a in articles], limit=10, cache=cache)
    if use_cache:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        # the entries this build used are the newest ones: keep only those
        live = dict(list(cache.items())[-len(articles):]) if articles else {}
        with open(cache_file, "wb") as fh:
            pickle.dump(live, fh, protocol=pickle.HIGHEST_PROTOCOL)
    for art, picks in zip(articles, picks_per_doc):
        explicit = {id(r) for r in getattr(art, "related_docs", None) or []}
        art.related_auto = [articles[j] for j in picks if id(articles[j]) not in explicit][:5]


def register():
    # article_generator_finalized: every document is read (so all can be compared),
    # after plugins/links has set the explicit links (plugin order in pelicanconf.py).
    signals.article_generator_finalized.connect(add_related)
