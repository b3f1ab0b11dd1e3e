"""修订记录 on each document page: the marked commits that changed its file
(更正：…), from one git log over content/, and its `modified` date
(gongkai.core.history: never the bulk import)."""
from __future__ import annotations

from pathlib import Path

from pelican import signals

from gongkai.core.history import history, public_revisions

NEEDS = {}
PROVIDES = {"history": "all_generators_finalized"}


def attach(generators):
    gen = generators[0]
    revisions = history(Path(gen.path))
    for g in generators:
        for item in list(getattr(g, "articles", None) or []) + list(getattr(g, "pages", None) or []):
            doc = getattr(item, "metadata", {}).get("doc")
            modified = doc.meta.get("modified") if doc is not None else None
            item.facts.history = public_revisions(revisions.get(str(Path(item.source_path).resolve()), []), modified)


def register():
    # all_generators_finalized: every article and page is known and none is written yet.
    signals.all_generators_finalized.connect(attach)
