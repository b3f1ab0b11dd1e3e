"""意见征集 on the public site: each solicitation's state at the build clock
(gongkai.core.solicitation.status, never stored), the listings (征集中 and one
static page per state), an Atom feed, and a .ics file per solicitation with
its closing time. Decision results get their solicitation in their metadata."""
from __future__ import annotations

import html
import os
import uuid
from dataclasses import dataclass

from feedgenerator import Atom1Feed
from pelican import signals
from pelican.generators import ArticlesGenerator

from gongkai.build.speed.forked import written_beside
from gongkai.core import present
from gongkai.core import solicitation as sol
from gongkai.core.settings import asof, complete

NEEDS = {"refs": "all_generators_finalized", "back": "all_generators_finalized",
         # its listing pages, written last, show the header
         "nav": "article_writer_finalized", "pages": "article_writer_finalized"}
PROVIDES = {fact: "all_generators_finalized" for fact in (
    "solicitation", "decision", "open_solicitations", "solicitations", "solicitations_by_state",
    "solicitations_url", "solicitations_feed_url")}

LISTING = "yjzj/"
FEED = "yjzj/atom.xml"
ICS = "closing.ics"   # next to the solicitation's page: xxgk/<slug>/closing.ics
# One static page per filter, so filtering needs no JavaScript. 征集中 is the listing's front page.
FILTERS = (("open", "征集中", LISTING), ("all", "全部", LISTING + "all/"),
           ("upcoming", "未开始", LISTING + "upcoming/"), ("closed", "已结束", LISTING + "closed/"),
           ("responded", "已反馈", LISTING + "responded/"))
HEADINGS = {"open": "正在征集意见的草案", "all": "全部意见征集", "upcoming": "即将开始的意见征集",
            "closed": "已结束、正在整理反馈意见的意见征集", "responded": "已公布反馈意见的意见征集"}
EMPTY = {"open": "目前没有正在征集意见的草案。", "all": "暂无意见征集。", "upcoming": "目前没有即将开始的意见征集。",
         "closed": "目前没有正在整理反馈意见的意见征集。", "responded": "暂无已公布反馈意见的意见征集。"}


@dataclass
class SolicitationPage:
    status: object            # gongkai.core.solicitation.Status at the build clock
    rows: list                # [(label, value, field)] for the metadata block
    ways: list                # ways to respond
    feedback_rows: list
    decision: object          # the decision article that followed, or None
    ics_url: str
    view: dict                # every moment and text of its states, for solicitation.js (sol.view_data)
    comments: dict | None     # the per-comment table of the published feedback (sol.comment_table)


@dataclass
class DecisionPage:
    rows: list
    solicitation: object      # the solicitation article it followed, or None


def _articles(generators):
    return next((g for g in generators if isinstance(g, ArticlesGenerator)), None)


def _first(article, field, back_field):
    """The document a field names, or the first that names this one back in back_field."""
    return article.facts.refs.get(field) or next(iter(article.facts.back.get(back_field, [])), None)


def attach(generators):
    gen = _articles(generators)
    if gen is None:
        return
    settings = complete(gen.settings)
    now = asof(settings)
    limit = int(settings["GONGKAI_FEEDBACK_OVERDUE_DAYS"])
    items = []
    for art in gen.articles:
        doc = art.metadata.get("doc")
        if doc is None:
            continue
        art.facts.solicitation = art.facts.decision = None
        if doc.type == "solicitation":
            st = sol.status(doc, now, limit)
            if st is None:
                continue  # invalid dates: the validation plugin stops the build
            art.facts.solicitation = SolicitationPage(
                st, sol.meta_rows(present.meta_rows(doc), st), sol.ways_to_respond(doc),
                sol.feedback_rows(st.feedback), _first(art, "decision", "solicitation"), art.url + ICS,
                sol.view_data(st), sol.comment_table(st.feedback))
            items.append(art)
        elif doc.type == "decision":
            art.facts.decision = DecisionPage(present.meta_rows(doc),
                                              _first(art, "solicitation", "decision"))
    items.sort(key=lambda a: a.facts.solicitation.status.opens, reverse=True)
    by_state = {state: [a for a in items if a.facts.solicitation.status.state == state] for state in sol.STATES}
    by_state["open"].sort(key=lambda a: a.facts.solicitation.status.closes)
    by_state["upcoming"].sort(key=lambda a: a.facts.solicitation.status.opens)
    by_state["all"] = items
    gk = gen.context["gk"]
    gk.open_solicitations = by_state["open"]
    gk.solicitations = items
    gk.solicitations_by_state = by_state
    gk.solicitations_url = LISTING
    gk.solicitations_feed_url = FEED


def write(generator, writer):
    context = generator.context
    by_state = context["gk"].solicitations_by_state
    relative = generator.settings.get("RELATIVE_URLS", False)
    template = generator.get_template("solicitations")
    for key, label, url in FILTERS:
        filters = [{"key": k, "label": lab, "url": u, "count": len(by_state[k]), "current": k == key}
                   for k, lab, u in FILTERS]
        writer.write_file(url + "index.html", template, context, relative, url=url, template_name="solicitations",
                          filter_key=key, filter_label=label, filters=filters, heading=HEADINGS[key],
                          empty_text=EMPTY[key], items=by_state[key])
    _write_feed(generator, by_state["all"])
    _write_ics(generator, by_state["all"])


def _base(settings) -> str:
    return (settings.get("FEED_DOMAIN") or settings.get("SITEURL") or "").rstrip("/")


def _write_feed(generator, items):
    settings = generator.settings
    base = _base(settings)
    feed = Atom1Feed(title=f"{settings['SITENAME']} — 意见征集", link=f"{base}/{LISTING}",
                     description="公开征求意见的草案及其征集状态", language="zh-CN",
                     feed_url=f"{base}/{FEED}", feed_guid=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'gongkai:' + FEED)}")
    for art in items:
        st = art.facts.solicitation.status
        changes = [st.opens] + ([st.closes] if st.state in (sol.CLOSED, sol.RESPONDED) else [])
        summary = (f"<p>{html.escape(st.summary)}</p>"
                   f"<p>征集期：{present.zh_date(st.opens)} 至 {present.zh_date(st.closes)}（北京时间）</p>")
        feed.add_item(title=art.title, link=f"{base}/{art.url}", description=summary,
                      author_name=art.doc.meta.get("issuer"), pubdate=st.opens, updateddate=max(changes),
                      unique_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'gongkai:' + art.doc.meta['index_no'])}",
                      categories=[sol.LABELS[st.state]])
    if not items:  # feedgenerator would date an empty feed by the wall clock: use the build's
        feed.latest_post_date = lambda: asof(complete(settings))
    path = os.path.join(generator.output_path, FEED)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        feed.write(fh, "utf-8")


def _write_ics(generator, items):
    settings = complete(generator.settings)
    base = _base(settings)
    for art in items:
        url = f"{base}/{art.url}" if base.startswith("http") else ""
        data = sol.ics(art.doc, art.facts.solicitation.status, url, settings["GONGKAI_ORG_CODE"])
        path = os.path.join(generator.output_path, art.facts.solicitation.ics_url)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)


def register():
    # all_generators_finalized: every article is read and the links plugin has
    # resolved references (article_generator_finalized), and nothing is written
    # yet, so the home page and listings all see the same states.
    signals.all_generators_finalized.connect(attach)
    # article_writer_finalized: the articles are written; add the listings,
    # feed and calendar files with the same writer (same output folder).
    # Written beside the build (gongkai.forked.beside), on the other core.
    signals.article_writer_finalized.connect(written_beside(write), weak=False)
