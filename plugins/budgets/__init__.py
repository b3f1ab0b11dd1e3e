"""Budget pages (财政预决算): each budget article gets its page values
(facts.budget: the tables read from its CSV files with their charts and
year-on-year changes, computed in gongkai.core.budget), and an .xlsx copy of
every table is written next to the published CSV (plugins/published_files)."""
from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from pelican import signals

from gongkai.build import speed, templates
from gongkai.build.speed.forked import written_beside
from gongkai.core import budget
from gongkai.core.budget import xlsx

log = logging.getLogger(__name__)

NEEDS = {}
PROVIDES = {"budget": "article_generator_finalized"}


def _static(settings, key: str, path: str) -> str:
    return settings[key].format(path=path)


def attach(generator):
    content_root = Path(generator.path)
    by_year = budget.year_index(a.doc for a in generator.articles if "doc" in a.metadata)
    article_of = {id(a.metadata["doc"]): a for a in generator.articles if "doc" in a.metadata}
    settings = generator.settings
    for article in generator.articles:
        doc = article.metadata.get("doc")
        article.facts.budget = None
        if doc is None or doc.type != "budget":
            continue
        view = budget.page_view(doc, by_year, content_root)
        rows_html = templates.budget_rows(doc, settings)
        for t in view.tables:
            t.rows_html = rows_html[t.anchor]
            t.csv_url = _static(settings, "STATIC_URL", t.csv_path)
            t.xlsx_url = _static(settings, "STATIC_URL", t.xlsx_path)
            t.xlsx_save_as = _static(settings, "STATIC_SAVE_AS", t.xlsx_path)
        if view.previous is not None:
            view.previous_article = article_of.get(id(view.previous))
        article.facts.budget = view


def write_xlsx(generator, writer):
    """Writing a workbook is slow (openpyxl): each is kept in the build's file
    cache by what it is made from (gongkai.build.speed.filecache)."""
    output = Path(writer.output_path)
    cache = speed.file_cache(generator.settings, "xlsx")
    for article in generator.articles:
        view = article.facts.budget
        for t in (view.tables if view else []):
            cache.file(xlsx.cache_key(t.table), output / t.xlsx_save_as, partial(budget.write_xlsx, t.table))


def add_filters(generator):
    generator.env.filters.update({"money": budget.money, "budget_facts": budget.facts})


def register():
    # generator_init: the templates' Jinja environment exists; our filters join it.
    signals.generator_init.connect(add_filters)
    # article_generator_finalized: every article is read, so the previous year's
    # document can be found; nothing is written yet.
    signals.article_generator_finalized.connect(attach)
    # article_writer_finalized: the output folder exists; the .xlsx copies go beside the CSVs.
    # Written beside the build (gongkai.build.speed.forked), on the other core.
    signals.article_writer_finalized.connect(written_beside(write_xlsx), weak=False)
