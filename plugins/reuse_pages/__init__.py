"""Rebuilds render only the pages that changed: Pelican writes every page
through gongkai.build.speed.pages.ReusingWriter, which links a page from the
previous output when nothing it is made from changed (and says why, with
`python3 scripts/build.py --explain URL`)."""
from __future__ import annotations

from pelican import signals

from gongkai.build.signals import build_failed, pages_written
from gongkai.build.speed import pages

NEEDS = {}
PROVIDES = {}


def get_writer(pelican):
    return pages.ReusingWriter


def finish(pelican):
    pages.finish(then=lambda: pages_written.send(pelican))


def abandon(*_args, **_kwargs):
    pages.abandon()


def register():
    # get_writer: Pelican writes every page through this writer.
    signals.get_writer.connect(get_writer)
    # finalized (this plugin is last in PLUGINS): everything, the search index
    # included, succeeded; only then is the record of this build kept.
    signals.finalized.connect(finish)
    # A build that fails (gongkai/commands/build.py) leaves nothing writing beside it.
    build_failed.connect(abandon)
