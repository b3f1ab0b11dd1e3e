"""修订记录 on each document page: the date and message of every commit that
changed its file, from one git log over content/ (gongkai.history)."""
from __future__ import annotations

from pathlib import Path

from pelican import signals

from gongkai.core.history import history

NEEDS = {}
PROVIDES = {"history": "all_generators_finalized"}


def attach(generators):
    gen = generators[0]
    revisions = history(Path(gen.path))
    for g in generators:
        for item in list(getattr(g, "articles", None) or []) + list(getattr(g, "pages", None) or []):
            item.facts.history = revisions.get(str(Path(item.source_path).resolve()), [])


def register():
    # all_generators_finalized: every article and page is known and none is written yet.
    signals.all_generators_finalized.connect(attach)
