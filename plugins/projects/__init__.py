"""Project pages (重大建设项目): each project article gets its ProjectPage
(facts.project: approval rows, stages with the current one marked, stage documents resolved
to pages), and the listing /project/list/ sorted by investment, with one
static page per stage (/project/list/<stage>/) as the filter."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pelican import signals

from gongkai.core import project
from gongkai.core.settings import asof, complete

NEEDS = {"nav": "article_writer_finalized", "pages": "article_writer_finalized"}
PROVIDES = {"project": "article_generator_finalized"}

LIST_URL = "project/list/"


def stage_url(stage: str | None) -> str:
    return LIST_URL if stage is None else f"{LIST_URL}{stage}/"


@dataclass
class ProjectPage:
    approval: list
    stages: list                     # [project.StageView]; .links added: [(title, url or None, index_no)]
    current: str | None
    current_title: str
    listing_url: str = LIST_URL
    links: dict = field(default_factory=dict)


def _today(settings):
    return asof(complete(settings)).date()


def attach(generator):
    today = _today(generator.settings)
    by_index = {a.doc.meta.get("index_no"): a for a in generator.articles if "doc" in a.metadata}
    for article in generator.articles:
        doc = article.metadata.get("doc")
        article.facts.project = None
        if doc is None or doc.type != "project":
            continue
        views = project.stage_views(doc, today)
        for v in views:
            v.links = [(by_index[i].title, by_index[i].url) if i in by_index else (i, None) for i in v.documents]
        current = project.current_stage(doc, today)
        article.facts.project = ProjectPage(project.approval_rows(doc), views, current,
                                      project.stage_titles().get(current, "尚未开始") if current else "尚未开始",
                                      stage_url(current) if current else LIST_URL)


def _investment(article):
    value = article.doc.meta.get("investment")
    return Decimal(str(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def sorted_by_investment(articles):
    """Largest investment first; projects without one last, by title."""
    return sorted(articles, key=lambda a: (_investment(a) is None, -(_investment(a) or 0), a.title))


def write_listing(generator, writer):
    projects = [a for a in generator.articles if "doc" in a.metadata and a.facts.project is not None]
    if not projects:
        return
    titles = project.stage_titles()
    filters = [(None, "全部阶段", len(projects), stage_url(None))]
    filters += [(s, titles[s], sum(1 for a in projects if a.facts.project.current == s), stage_url(s))
                for s in project.stage_enum()]
    template = generator.get_template("projects")
    relative = generator.settings.get("RELATIVE_URLS", False)
    for stage, title, _n, url in filters:
        items = sorted_by_investment([a for a in projects if stage is None or a.facts.project.current == stage])
        rows = [(a, project.investment_text(a.doc.meta.get("investment"))) for a in items]
        heading = "重大建设项目" if stage is None else f"重大建设项目：当前阶段为{title}"
        writer.write_file(f"{url}index.html", template, generator.context, relative_urls=relative, url=url,
                          gk_title=heading, gk_rows=rows, gk_filters=filters, gk_stage=stage)


def register():
    # article_generator_finalized: every article is read, so stage documents resolve to pages.
    signals.article_generator_finalized.connect(attach)
    # article_writer_finalized: the writer is available for the listing pages.
    signals.article_writer_finalized.connect(write_listing)
