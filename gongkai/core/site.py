"""The public site's structure: addresses of listings, archives and the policy
library, pagination, breadcrumbs and the home page's data. Pure functions over
Documents (or anything with .doc and .url); plugins/listings writes the pages.

Every function here is linear in the number of documents: each document is
visited a fixed number of times, whatever the size of the site."""
from __future__ import annotations

import hashlib
import math
import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gongkai.core import schema

HOME_URL = ""
XXGK_URL = "xxgk/"                 # 政务公开: the five disclosures, types and archives
LIBRARY_URL = "policies/"          # 政策文件库
FAVICON = "theme/images/favicon.ico"  # copied to /favicon.ico (pages link theme/images/favicon.png)
SITEMAP_URL = "sitemap/"           # 网站地图 (the footer link); sitemap.xml is for machines
ARCHIVE_KINDS = {"year": "按年份", "issuer": "按发布机构", "topic": "按主题分类"}
LIBRARY_FACETS = {"issuer": "发布机构", "year": "年份", "topic": "主题分类", "validity": "有效性"}
LIBRARY_TYPES = ("policy",)        # what the policy library holds
# Pages shown in the header and on the home page, in this order; any other page follows by title.
PAGE_ORDER = ("guide", "apply", "annual-report", "contact")


def slug_of(doc) -> str:
    """The permanent address part: the 索引号 with '/' made '-' (a page: its slug or file name)."""
    if doc.type == schema.PAGE:
        return str(doc.meta.get("slug") or Path(doc.path).stem)
    index_no = doc.meta.get("index_no")
    return str(index_no).replace("/", "-") if isinstance(index_no, str) else Path(doc.path).stem


def document_url(doc, settings: dict) -> str:
    """A document's page address as Pelican writes it: ARTICLE_URL (PAGE_URL for
    a page) with slug_of, under SITEURL (publishconf.py's when given its settings)."""
    pattern = settings["PAGE_URL" if doc.type == schema.PAGE else "ARTICLE_URL"]
    path = pattern.format(slug=slug_of(doc))
    base = str(settings.get("SITEURL") or "").rstrip("/")
    return f"{base}/{path}" if base else f"/{path}"


def disclosures() -> dict:
    return schema.enum_titles("disclosure")


def type_titles() -> dict:
    return schema.enum_titles("type")


def key_of(name: str) -> str:
    """A short ASCII address part for a free-text value (an issuer, a topic).
    Stable for as long as the value is spelled the same."""
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def type_url(doc_type: str) -> str:
    return f"{doc_type}/"          # same as CATEGORY_URL: the category is the type


def disclosure_url(code: str) -> str:
    return f"{XXGK_URL}{code}/"


def archive_url(kind: str, key: str | None = None) -> str:
    return f"{XXGK_URL}{kind}/" + (f"{key}/" if key is not None else "")


def library_url(facet: str | None = None, key: str | None = None) -> str:
    if facet is None:
        return LIBRARY_URL
    return f"{LIBRARY_URL}{facet}/{key}/"


def save_as(url: str) -> str:
    return f"{url}index.html"


def feed_path(name: str) -> str:
    return f"feeds/{name}.atom.xml"


# --- values of one document --------------------------------------------------

def year_of(doc) -> str | None:
    d = doc.meta.get("date")
    return str(d.year) if hasattr(d, "year") else None


def top_topic(doc) -> str | None:
    t = doc.meta.get("topic")
    return t.split("/", 1)[0] if isinstance(t, str) and t else None


def facet_value(doc, facet: str) -> str | None:
    """The title shown for a facet (年份 2018, 发布机构, 一级主题, 有效性 有效)."""
    if facet == "year":
        return year_of(doc)
    if facet == "topic":
        return top_topic(doc)
    if facet == "validity":
        return schema.enum_titles("validity").get(doc.meta.get("validity") or "valid")
    value = doc.meta.get(facet)
    return value if isinstance(value, str) and value else None


def facet_key(facet: str, value: str) -> str:
    if facet == "year":
        return value
    if facet == "validity":
        return {v: k for k, v in schema.enum_titles("validity").items()}.get(value, key_of(value))
    return key_of(value)


# --- pagination ----------------------------------------------------------------

@dataclass
class Pager:
    """One page of a listing: its items and the links around it."""
    number: int
    count: int
    items: list
    url: str
    save_as: str
    total: int
    urls: list = field(default_factory=list)   # [(number, url)] for the page links

    @property
    def prev_url(self):
        return self.urls[self.number - 2][1] if self.number > 1 else None

    @property
    def next_url(self):
        return self.urls[self.number][1] if self.number < self.count else None

    @property
    def window(self):
        """Page links to show: first, last and two either side of this one (None marks a gap)."""
        shown, last = [], 0
        for n, url in self.urls:
            if n in (1, self.count) or abs(n - self.number) <= 2:
                if n - last > 1:
                    shown.append(None)
                shown.append((n, url))
                last = n
        return shown


def page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def paginate(items: list, base_url: str, size: int) -> list:
    """Split a (newest-first) list into pages at base, base/page/2/, ...; always at least one page."""
    size = max(1, int(size))
    count = max(1, math.ceil(len(items) / size))
    urls = [(n, page_url(base_url, n)) for n in range(1, count + 1)]
    return [Pager(n, count, items[(n - 1) * size:n * size], url, save_as(url), len(items), urls)
            for n, url in urls]


# --- grouping ------------------------------------------------------------------

@dataclass
class Group:
    """A set of documents under one heading: a type, a disclosure, a year, an issuer…"""
    key: str
    title: str
    url: str
    items: list
    feed: str | None = None
    slug: str = ""           # the address part of a facet value (2018, a1b2c3d4, valid)

    @property
    def count(self):
        return len(self.items)


def group_by(articles, value_of, url_of, order=None, slug_of=None) -> list:
    """[Group] of articles by value_of(article.doc), keeping each group newest first."""
    buckets = defaultdict(list)
    for a in articles:
        v = value_of(a.doc)
        if v:
            buckets[v].append(a)
    keys = list(order) if order is not None else sorted(buckets)
    return [Group(k, k, url_of(k), buckets[k], slug=slug_of(k) if slug_of else k)
            for k in keys if buckets.get(k)]


def facet_groups(articles, facet: str, url_of) -> list:
    """Groups for one facet (year newest first, others by name); url_of(facet, slug) -> url."""
    groups = group_by(articles, lambda d: facet_value(d, facet), lambda v: url_of(facet, facet_key(facet, v)),
                      slug_of=lambda v: facet_key(facet, v))
    if facet == "year":
        groups.reverse()
    return groups


def newest_first(articles) -> list:
    return sorted(articles, key=lambda a: (a.doc.meta.get("date") or datetime.min.date(),
                                           a.doc.meta.get("index_no") or ""), reverse=True)


# --- navigation ----------------------------------------------------------------

def breadcrumb(doc) -> list:
    """首页 › 政务公开 › 决策公开 › 政策文件 for a document: [(title, url)]."""
    trail = [("首页", HOME_URL), ("政务公开", XXGK_URL)]
    d = doc.meta.get("disclosure")
    if d in disclosures():
        trail.append((disclosures()[d], disclosure_url(d)))
    if doc.type in type_titles():
        trail.append((type_titles()[doc.type], type_url(doc.type)))
    return trail


def order_pages(pages) -> list:
    rank = {slug: i for i, slug in enumerate(PAGE_ORDER)}
    return sorted(pages, key=lambda p: (rank.get(p.slug, len(rank)), p.title))


def prev_next(articles) -> list:
    """[(newer, older)] for each article (in the given order), within its type in listing order."""
    by_type = defaultdict(list)
    for a in newest_first(articles):
        by_type[a.doc.type].append(a)
    around = {}
    for items in by_type.values():
        for i, a in enumerate(items):
            around[id(a)] = (items[i - 1] if i > 0 else None, items[i + 1] if i + 1 < len(items) else None)
    return [around[id(a)] for a in articles]


# --- relations shown on the document page ----------------------------------------

class RelationGroup(tuple):
    """(heading, [article]) with `.top`: listed near the page's top as well (x-reference top)."""
    top = False


def relations(doc_type: str, refs: dict, back: dict) -> list:
    """[(heading, [article])] for a document's page, from the schema's
    x-reference declarations: what this document names (heading), what names
    it (back), and the symmetric lists (相关文件) last. Lists with the same
    heading are merged; each article is listed once."""
    groups: dict = {}
    seen: set = set()
    top: set = set()

    def add(heading, items, at_top=False):
        if not heading:
            return
        if at_top and items:
            top.add(heading)
        for a in items:
            if id(a) not in seen:
                seen.add(id(a))
                groups.setdefault(heading, []).append(a)

    def listed(value):
        return value if isinstance(value, list) else ([value] if value is not None else [])

    own = {r.field for r in schema.references(doc_type)} if doc_type in schema.TYPES else set()
    for ref in schema.all_references():
        if ref.symmetric:
            continue
        if ref.field in own:
            add(ref.heading, listed(refs.get(ref.field)))
        add(ref.back, back.get(ref.field, []), ref.top)
    for ref in schema.all_references():
        if ref.symmetric:
            add(ref.heading, listed(refs.get(ref.field)) + back.get(ref.field, []))
    out = []
    for heading, items in groups.items():
        group = RelationGroup((heading, items))
        group.top = heading in top
        out.append(group)
    return out


# --- feeds -----------------------------------------------------------------------

def feed_id(path: str) -> str:
    """A feed's or entry's permanent id from its address on the site (not the domain)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'gongkai:' + path.split('://', 1)[-1].split('/', 1)[-1])}"


def tidy_feed(feed, sitename: str, owner: str, issuers: dict | None = None) -> None:
    """Pelican's Atom feed made for this site, in place: "网站名称：政策文件" instead of
    "网站名称 - policy", a unique id per feed, xml:lang, an author (the issuer) per entry."""
    title = str(feed.feed.get("title") or sitename)
    part = title[len(sitename):].lstrip(" -") if title.startswith(sitename) else title
    part = type_titles().get(part, part) or "全部信息"
    feed.feed["title"] = f"{sitename}：{part}"
    feed.feed["id"] = feed_id(str(feed.feed.get("feed_url") or part))
    feed.feed["language"] = "zh-CN"
    issuers = issuers or {}
    for item in feed.items:
        link = str(item.get("link") or "")
        item["unique_id"] = feed_id(link)
        path = link.split("://", 1)[-1].split("/", 1)[-1] if "://" in link else link.lstrip("/")
        item["author_name"] = issuers.get(path) or str(item.get("author_name") or "") or owner


# --- sitemap.xml -----------------------------------------------------------------

NOT_PAGES = ("theme", "pagefind", "files")     # folders of the output that hold no public page
NOINDEX = b'name="robots" content="noindex'


def public_pages(output: Path) -> list:
    """The address of every public page in a built site, sorted: each .html file but
    the web server's 404.html and any page marked noindex (a staff draft)."""
    output = Path(output)
    urls = []
    for folder, dirs, files in os.walk(output):
        if folder == str(output):  # theme/, files/ and the search bundles hold no page: not walked
            dirs[:] = [d for d in dirs if not d.startswith(NOT_PAGES)]
        for name in files:
            if not name.endswith(".html"):
                continue
            path = os.path.join(folder, name)
            url = os.path.relpath(path, output).replace(os.sep, "/")
            if url == "404.html":
                continue
            with open(path, "rb") as fh:
                if NOINDEX in fh.read(4096):
                    continue
            urls.append(url[:-len("index.html")] if url.endswith("index.html") else url)
    return sorted(urls, key=lambda u: (u.count("/"), u))
