"""相关信息: sets article.related_auto (up to five related documents, from
gongkai.related) for theme/templates/components/related_auto.html. Documents
already linked explicitly (article.related_docs, from plugins/links) are not
repeated."""
from __future__ import annotations

from pelican import signals

from gongkai.core.related import related


def add_related(generator):
    articles = [a for a in generator.articles if getattr(a, "doc", None) is not None]
    # Word counts come with each document (gongkai.prepare, at read time).
    picks_per_doc = related([a.doc for a in articles], limit=10)
    for art, picks in zip(articles, picks_per_doc):
        explicit = {id(r) for r in getattr(art, "related_docs", None) or []}
        art.related_auto = [articles[j] for j in picks if id(articles[j]) not in explicit][:5]


def register():
    # article_generator_finalized: every document is read (so all can be compared),
    # after plugins/links has set the explicit links (plugin order in pelicanconf.py).
    signals.article_generator_finalized.connect(add_related)
