"""Turns the 索引号 references in front-matter into links between pages, both
ways, as the schema declares them (x-reference): a policy knows its
interpretations, a solicitation its decision, a repealed document what
replaced it. gongkai.core.site.relations orders them for the page."""
from __future__ import annotations

from pelican import signals

from gongkai.core import schema, site

NEEDS = {}
PROVIDES = {"refs": "article_generator_finalized", "back": "article_generator_finalized",
            "relations": "article_generator_finalized"}


def link(generator):
    articles = [a for a in generator.articles if "doc" in a.metadata]
    by_index = {a.doc.meta.get("index_no"): a for a in articles}
    for art in articles:
        art.facts.refs, art.facts.back = {}, {}
    for art in articles:
        refs = art.facts.refs
        for _path, value, ref in schema.reference_values(art.doc):
            target = by_index.get(value)
            if target is None or target is art:
                continue  # unknown: make check and the build's validation say so
            if ref.many:
                found = refs.setdefault(ref.field, [])
                if target not in found:
                    found.append(target)
            else:
                refs[ref.field] = target
            pointing = target.facts.back.setdefault(ref.field, [])
            if art not in pointing:
                pointing.append(art)
    for art in articles:
        art.facts.relations = site.relations(art.doc.type, art.facts.refs, art.facts.back)


def register():
    # article_generator_finalized: all articles are read; templates are not yet written.
    signals.article_generator_finalized.connect(link)
