"""相关信息: up to five related documents for each document (gongkai.core.related),
for theme/templates/components/related_auto.html. Documents already linked
(its relations, from plugins/links) are not repeated."""
from __future__ import annotations

from pelican import signals

from gongkai.core.related import related

NEEDS = {"relations": "article_generator_finalized"}
PROVIDES = {"related_auto": "article_generator_finalized"}


def add_related(generator):
    articles = [a for a in generator.articles if "doc" in a.metadata]
    # Word counts come with each document (gongkai.build.speed.prepare, at read time).
    picks_per_doc = related([a.doc for a in articles], limit=10)
    for art, picks in zip(articles, picks_per_doc):
        linked = {id(r) for _heading, items in art.facts.relations for r in items}
        art.facts.related_auto = [articles[j] for j in picks if id(articles[j]) not in linked and articles[j] is not art][:5]


def register():
    # article_generator_finalized: every document is read (so all can be compared),
    # after plugins/links has set the explicit links (plugin order in pelicanconf.py).
    signals.article_generator_finalized.connect(add_related)
