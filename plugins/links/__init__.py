"""Turns the 索引号 references in front-matter into links between pages, both
ways: a policy knows its interpretations, a solicitation its decision, a
repealed document what replaced it."""
from __future__ import annotations

from pelican import signals

# field -> the attribute the referenced document gets pointing back
BACK_LINKS = {"interprets": "interpreted_by", "solicitation": "decisions", "decision": "solicitations",
              "superseded_by": "supersedes", "repealed_by": "repeals"}


def link(generator):
    by_index = {a.doc.meta.get("index_no"): a for a in generator.articles if "doc" in a.metadata}
    for art in by_index.values():
        art.refs = {}
        art.related_docs = []
        for back in BACK_LINKS.values():
            setattr(art, back, [])
    for art in by_index.values():
        meta = art.doc.meta
        for field, back in BACK_LINKS.items():
            target = by_index.get(meta.get(field))
            if target is not None:
                art.refs[field] = target
                getattr(target, back).append(art)
        for value in meta.get("related") or []:
            target = by_index.get(value)
            if target is not None and target is not art:
                if target not in art.related_docs:
                    art.related_docs.append(target)
                if art not in target.related_docs:
                    target.related_docs.append(art)


def register():
    # article_generator_finalized: all articles are read; templates are not yet written.
    signals.article_generator_finalized.connect(link)
