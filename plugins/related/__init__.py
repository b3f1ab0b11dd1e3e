"""相关信息: up to five related documents for each document (gongkai.core.related),
for theme/templates/components/related_auto.html. Documents already linked
(its relations, from plugins/links) are not repeated.

Comparing every document with every other is the largest piece of work on the
build's own core, and it needs only what each document read as. So it starts
in a forked child (gongkai.build.speed.forked.Child) as soon as every document
is read, and runs on the other core while the build orders, checks and links
them; its picks are taken just before the pages are written."""
from __future__ import annotations

from pelican import signals

from gongkai.build.errors import StaffError
from gongkai.build.signals import build_failed
from gongkai.build.speed.forked import Child, ChildFailed
from gongkai.core.related import related

NEEDS = {"relations": "all_generators_finalized"}
PROVIDES = {"related_auto": "all_generators_finalized"}

_running: list = []   # (articles, Child) of this build


def abandon(*_args, **_kwargs):
    while _running:
        _running.pop()[1].stop()


def start(generator):
    """Every document is read and in its final order: compare them beside the build."""
    abandon()
    articles = [a for a in generator.articles if "doc" in a.metadata]
    docs = [a.doc for a in articles]
    _running.append((articles, Child(lambda: related(docs, limit=10), died="计算相关信息的进程意外退出")))


def add_related(_pelican_or_generators):
    if not _running:
        return
    articles, child = _running.pop()
    try:
        picks_per_doc = child.result()
    except ChildFailed as exc:
        raise StaffError(f"计算相关信息时出错：{exc}") from None
    for art, picks in zip(articles, picks_per_doc):
        linked = {id(r) for _heading, items in art.facts.relations for r in items}
        art.facts.related_auto = [articles[j] for j in picks if id(articles[j]) not in linked and articles[j] is not art][:5]


def register():
    # article_generator_pretaxonomy: every document is read (so all can be compared).
    signals.article_generator_pretaxonomy.connect(start)
    # all_generators_finalized: the last moment before pages are written; plugins/links
    # has set the explicit links by then.
    signals.all_generators_finalized.connect(add_related)
    build_failed.connect(abandon)
