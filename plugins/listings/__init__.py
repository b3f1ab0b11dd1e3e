"""The public site's structure around the documents: the home page, the 政务公开
overview, one section per disclosure, one listing per type, archives by year,
issuer and topic, the 政策文件库 with static filter pages, the disclosure
feeds, sitemap.xml and robots.txt. Page values come from gongkai.core.site; this
module only wires them to Pelican's writer."""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from pelican import signals

from gongkai.build.signals import pages_written
from gongkai.core import schema, site
from gongkai.core.present import iso, zh_date
from gongkai.core.settings import complete

NEEDS = {"solicitations_url": "all_generators_finalized", "solicitations_feed_url": "article_writer_finalized",
         # the home page and listings, written last
         "open_solicitations": "article_writer_finalized", "solicitation": "article_writer_finalized"}
PROVIDES = {fact: "all_generators_finalized" for fact in (
    "breadcrumb", "newer", "older", "nav", "pages", "root_url", "types", "disclosures", "validity")}


def _articles(generator) -> list:
    return [a for a in generator.articles if "doc" in a.metadata]


def _size(settings) -> int:
    return int(settings.get("GONGKAI_PAGE_SIZE") or settings.get("DEFAULT_PAGINATION") or 20)


def prepare(generators):
    """Everything the document pages and the header need, before anything is written."""
    arts = next((g for g in generators if hasattr(g, "articles")), None)
    pages = next((g for g in generators if hasattr(g, "pages") and not hasattr(g, "articles")), None)
    if arts is None:
        return
    gk = arts.context["gk"]
    articles = _articles(arts)
    for a, (newer, older) in zip(articles, site.prev_next(articles)):
        a.facts.breadcrumb, a.facts.newer, a.facts.older = site.breadcrumb(a.doc), newer, older
    page_list = site.order_pages(getattr(pages, "pages", []) if pages else [])
    for p in page_list:
        p.facts.breadcrumb, p.facts.newer, p.facts.older = [("首页", site.HOME_URL)], None, None
    gk.pages = page_list
    gk.nav = [("首页", site.HOME_URL), ("政务公开", site.XXGK_URL), ("政策文件库", site.LIBRARY_URL),
              ("意见征集", gk.solicitations_url)] + [(p.title, p.url) for p in page_list[:2]]
    gk.root_url = arts.settings.get("SITEURL", "")
    gk.disclosures = site.disclosures()
    gk.types = site.type_titles()
    gk.validity = schema.enum_titles("validity")
    _ISSUERS.clear()
    _ISSUERS.update({a.url: a.doc.meta.get("issuer") or "" for a in articles})


# Each document's issuer by address: the author of its entry in every feed.
_ISSUERS: dict = {}


class _Site:
    """Writes the listing pages."""

    def __init__(self, generator, writer):
        self.gen, self.writer = generator, writer
        self.settings = generator.settings
        self.ctx = generator.context
        self.relative = self.settings.get("RELATIVE_URLS", False)

    def write(self, url, template, **values):
        self.writer.write_file(site.save_as(url), self.gen.get_template(template), self.ctx,
                               relative_urls=self.relative, url=url, **values)

    def listing(self, base, title, items, trail, template="listing", feed=None, intro=None, **values):
        """A paginated newest-first list of documents at base, base/page/2/, ..."""
        for pager in site.paginate(items, base, _size(self.settings)):
            heading = title if pager.number == 1 else f"{title}（第 {pager.number} 页）"
            self.write(pager.url, template, gk_title=heading, gk_pager=pager, gk_trail=trail,
                       gk_feed=feed, gk_intro=intro, **values)

    def feed(self, items, name, title):
        path = site.feed_path(name)
        self.writer.write_feed(items, self.ctx, path, feed_title=title)
        return path


def write_site(generator, writer):
    settings = complete(generator.settings)
    articles = site.newest_first(_articles(generator))
    out = _Site(generator, writer)
    home = [("首页", site.HOME_URL)]
    xxgk = home + [("政务公开", site.XXGK_URL)]
    feeds_on = bool(settings.get("FEED_ALL_ATOM"))

    # One section per disclosure, one listing per type.
    disclosures = site.group_by(articles, lambda d: d.meta.get("disclosure"), site.disclosure_url,
                                order=site.disclosures())
    for g in disclosures:
        g.title = site.disclosures()[g.key]
        g.feed = out.feed(g.items, f"disclosure-{g.key}", g.title) if feeds_on else None
        out.listing(g.url, g.title, g.items, xxgk, feed=g.feed,
                    gk_types_in=site.group_by(g.items, lambda d: d.type, site.type_url, order=site.type_titles()))
    types = site.group_by(articles, lambda d: d.type, site.type_url, order=site.type_titles())
    for g in types:
        g.title = site.type_titles()[g.key]
        # The category feed Pelican writes for this type (CATEGORY_FEED_ATOM).
        pattern = settings.get("CATEGORY_FEED_ATOM")
        g.feed = pattern.format(slug=g.key) if pattern else None
        out.listing(g.url, g.title, g.items, xxgk, feed=g.feed)

    # Archives: year, issuer, topic — an index page each, then one listing per value.
    archives = {}
    for kind, label in site.ARCHIVE_KINDS.items():
        groups = site.facet_groups(articles, kind, site.archive_url)
        archives[kind] = groups
        trail = xxgk + [(label, site.archive_url(kind))]
        out.write(site.archive_url(kind), "archive", gk_title=f"{label}浏览", gk_trail=xxgk, gk_groups=groups)
        for g in groups:
            out.listing(g.url, f"{g.title}", g.items, trail)

    # 政策文件库: all policies, one static page per facet value (works without JS),
    # and a JSON index the library script filters with, for any combination.
    policies = [a for a in articles if a.doc.type in site.LIBRARY_TYPES]
    facets = {facet: site.facet_groups(policies, facet, site.library_url) for facet in site.LIBRARY_FACETS}
    library = home + [("政策文件库", site.LIBRARY_URL)]
    out.listing(site.LIBRARY_URL, "政策文件库", policies, home, template="library", gk_facets=facets,
                gk_filter=None)
    for facet, groups in facets.items():
        for g in groups:
            out.listing(g.url, f"政策文件库：{site.LIBRARY_FACETS[facet]} {g.title}", g.items, library,
                        template="library", gk_facets=facets, gk_filter=(facet, g.slug))
    _write_library_index(generator.output_path, policies)

    # 网站地图: the parts of the site for people (sitemap.xml lists every page for machines).
    for g in disclosures:
        g.types = site.group_by(g.items, lambda d: d.type, site.type_url, order=site.type_titles())
    feeds = ([("全部信息", settings["FEED_ALL_ATOM"])] if feeds_on else []) \
        + [(g.title, g.feed) for g in disclosures + types if g.feed] \
        + [("意见征集", generator.context["gk"].solicitations_feed_url)]
    out.write(site.SITEMAP_URL, "sitemap", gk_title="网站地图", gk_trail=home, gk_disclosure_groups=disclosures,
              gk_archive_kinds=[(f"{label}浏览", site.archive_url(kind)) for kind, label in site.ARCHIVE_KINDS.items()],
              gk_feeds=feeds)

    # 政务公开 overview and the home page.
    out.write(site.XXGK_URL, "xxgk", gk_title="政务公开", gk_trail=home, gk_disclosure_groups=disclosures,
              gk_type_groups=types, gk_archives=archives)
    # The open solicitations come from plugins/solicitations (open_solicitations in the context).
    latest = [(g, g.items[:5]) for g in disclosures]
    writer.write_file("index.html", generator.get_template("index"), generator.context,
                      relative_urls=out.relative, url="", gk_latest=latest)

    # sitemap.xml is written from the finished output (write_sitemap); here only the dates.
    _LASTMOD.clear()
    for a in articles:
        m = a.doc.meta
        _LASTMOD[a.url] = m.get("modified") or m.get("date")
    for p in generator.context["gk"].pages:
        doc = p.metadata.get("doc")
        _LASTMOD[p.url] = doc.meta.get("modified") if doc is not None else None


# A document's or page's address -> its date for sitemap.xml's <lastmod>.
_LASTMOD: dict = {}


def write_sitemap(pelican):
    """sitemap.xml and robots.txt from every public page that was written (issue 16):
    listings, documents and the pages other plugins write (意见征集, projects, annual reports)."""
    output = Path(pelican.output_path)
    urls = [(url, _LASTMOD.get(url)) for url in site.public_pages(output)]
    _write_sitemap(output, complete(pelican.settings), urls)
    # Browsers and crawlers ask for /favicon.ico whatever the pages link: the theme's copy.
    icon = output / site.FAVICON
    if icon.is_file():
        shutil.copyfile(icon, output / "favicon.ico")


def _write_library_index(output_path, policies):
    """policies/index.json: what theme/js/library.js needs to filter and draw the list."""
    rows = []
    for a in policies:
        m = a.doc.meta
        values = {f: site.facet_value(a.doc, f) for f in site.LIBRARY_FACETS}
        rows.append({"t": a.title, "u": a.url, "d": iso(m.get("date")), "z": zh_date(m.get("date")),
                     "n": m.get("doc_no") or "", "i": m.get("issuer") or "",
                     "v": values["validity"] if m.get("validity") not in (None, "valid") else "",
                     "f": {f: site.facet_key(f, v) for f, v in values.items() if v}})
    target = Path(output_path) / site.LIBRARY_URL / "index.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(rows, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def absolute_root(settings) -> str:
    """The site's absolute address when the build has one (publishconf.py), else ""."""
    url = settings.get("FEED_DOMAIN") or settings.get("SITEURL") or ""
    return url.rstrip("/") if url.startswith(("http://", "https://")) else ""


def _write_sitemap(output_path, settings, urls):
    root = absolute_root(settings)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, lastmod in urls:
        lines.append(f"<url><loc>{escape(root + '/' + url)}</loc>"
                     + (f"<lastmod>{lastmod.isoformat()}</lastmod>" if isinstance(lastmod, date) else "")
                     + "</url>")
    lines.append("</urlset>")
    out = Path(output_path)
    (out / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    robots = ["User-agent: *", "Disallow:"]
    if root:
        robots.append(f"Sitemap: {root}/sitemap.xml")
    (out / "robots.txt").write_text("\n".join(robots) + "\n", encoding="utf-8")


def tidy_feed(context, feed):
    """Every Atom feed Pelican writes (all, per type, per disclosure): a Chinese title,
    its own id, xml:lang and an author per entry (issue 16)."""
    site.tidy_feed(feed, context.get("SITENAME", ""), context.get("SITE_OWNER", ""), _ISSUERS)


def register():
    # pages_written (plugins/reuse_pages, at finalized): every page is in the output.
    pages_written.connect(write_sitemap)
    # feed_generated: the feed is built and not yet written.
    signals.feed_generated.connect(tidy_feed)

    # all_generators_finalized: every article and page is read and linked (plugins/links),
    # nothing is written yet — so document pages and the header can use the values.
    signals.all_generators_finalized.connect(prepare)
    # article_writer_finalized: the documents are written and the writer is at hand
    # for the listing pages and feeds (pages were read before any writing began).
    signals.article_writer_finalized.connect(write_site)
