"""The public site built from the real content/: every page type exists and is
reachable from the navigation; document pages carry breadcrumb, metadata,
both-way relations, history and prev/next; feeds, sitemap and robots.txt;
the output is strict-CSP safe and light; hostile Markdown is neutralised."""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from functools import lru_cache

from bs4 import BeautifulSoup

from conftest import ROOT, build_site, soup_of
from gongkai.core import schema
from gongkai.core import site as structure
from gongkai.core.corpus import read_tree
from gongkai.core.settings import load as load_settings

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@lru_cache(maxsize=None)
def documents() -> tuple:
    return tuple(d for d in read_tree(ROOT / "content") if d.type in schema.TYPES)


def url_of(doc) -> str:
    return "xxgk/" + doc.meta["index_no"].replace("/", "-") + "/"


def hrefs(soup) -> set:
    """Links of a page as site paths ('xxgk/…/'), whatever the relative prefix."""
    out = set()
    for a in soup.find_all("a", href=True):
        href = re.sub(r"^(\.\./|\./)+", "", a["href"]).lstrip("/")
        out.add(href.split("#")[0])
    return out


def exists(site, url: str) -> bool:
    return (site / url / "index.html").is_file() if url.endswith("/") or url == "" else (site / url).is_file()


# --- pages and navigation ---------------------------------------------------------

def test_navigation_reaches_every_page_type(site, page):
    home = page("")
    nav = home.find("nav", attrs={"aria-label": "主导航"})
    nav_links = hrefs(nav)
    assert {"", "xxgk/", "policies/"} <= nav_links
    assert any(u.startswith(("yjzj/", "solicitation/")) for u in nav_links)
    # The fixed pages: 政府信息公开指南, 依申请公开, 联系我们 — from the home page.
    for slug in ("guide", "apply", "contact"):
        assert f"{slug}/" in hrefs(home), slug
        assert exists(site, f"{slug}/")
    # The home page shows each disclosure's latest items and links its section.
    used = {d.meta["disclosure"] for d in documents()}
    for code, title in structure.disclosures().items():
        if code in used:
            section = home.find("h2", string=title).find_parent("section")
            assert f"xxgk/{code}/" in hrefs(section)
            assert section.select(".gk-doc-list__item"), code
    # 政务公开 links every disclosure section, every type listing and every archive.
    xxgk = hrefs(page("xxgk/"))
    for code in used:
        assert f"xxgk/{code}/" in xxgk and exists(site, f"xxgk/{code}/")
    for t in {d.type for d in documents()}:
        assert f"{t}/" in xxgk and exists(site, f"{t}/")
    for kind in structure.ARCHIVE_KINDS:
        assert f"xxgk/{kind}/" in xxgk and exists(site, f"xxgk/{kind}/")
        archive = page(f"xxgk/{kind}/")
        values = archive.select(".gk-facet-list a")
        assert values, kind
        for a in values:
            assert exists(site, hrefs(BeautifulSoup(str(a), "html.parser")).pop())
    assert "policies/" in xxgk
    assert (site / "404.html").is_file()
    assert page("404.html").h1.get_text(strip=True) == "页面不存在"


def test_404_links_from_the_site_root(page):
    """Served at any address, the error page cannot use relative links."""
    soup = page("404.html")
    assert soup.find("link", rel="stylesheet")["href"] == "/theme/css/site.css"
    assert all(a["href"].startswith(("/", "#")) for a in soup.find_all("a", href=True))


def test_type_listing_is_newest_first_paginated_and_complete(site, page):
    policies = [d for d in documents() if d.type == "policy"]
    first = page("policy/")
    assert first.h1.get_text(strip=True) == "政策文件"
    seen, dates, number = [], [], 1
    soup = first
    while True:
        for item in soup.select(".gk-doc-list__item"):
            seen.append(hrefs(BeautifulSoup(str(item.a), "html.parser")).pop())
            dates.append(item.time["datetime"])
        nxt = soup.find("a", rel="next")
        if nxt is None:
            break
        number += 1
        assert nxt["href"].endswith(f"policy/page/{number}/")
        soup = page(f"policy/page/{number}/")
        assert soup.find("a", attrs={"aria-current": "page"}).get_text(strip=True) == str(number)
    assert sorted(seen) == sorted(url_of(d) for d in policies)
    assert dates == sorted(dates, reverse=True)
    assert number == -(-len(policies) // 20)  # DEFAULT_PAGINATION


def test_archives_list_each_document_under_its_year_issuer_and_topic(page):
    doc = next(d for d in documents() if d.meta.get("topic") and d.meta.get("issuer"))
    for kind in structure.ARCHIVE_KINDS:
        value = structure.facet_value(doc, kind)
        url = structure.archive_url(kind, structure.facet_key(kind, value))
        soup = page(url)
        assert soup.h1.get_text(strip=True) == value
        expected = {url_of(d) for d in documents() if structure.facet_value(d, kind) == value}
        listed = {hrefs(BeautifulSoup(str(i.a), "html.parser")).pop() for i in soup.select(".gk-doc-list__item")}
        assert listed == expected or (len(listed) == 20 and listed <= expected), kind


def test_policy_library_has_a_static_page_per_filter_value(site, page):
    policies = [d for d in documents() if d.type == "policy"]
    library = page("policies/")
    assert library.h1.get_text(strip=True) == "政策文件库"
    facet_links = library.select(".gk-facets a")
    for facet in structure.LIBRARY_FACETS:
        values = {structure.facet_value(d, facet) for d in policies} - {None}
        for value in values:
            url = structure.library_url(facet, structure.facet_key(facet, value))
            assert any(a["href"].endswith(url) for a in facet_links), (facet, value)
            listed = {hrefs(BeautifulSoup(str(i.a), "html.parser")).pop()
                      for i in page(url).select(".gk-doc-list__item")}
            expected = {url_of(d) for d in policies if structure.facet_value(d, facet) == value}
            assert listed == expected or (len(listed) == 20 and listed <= expected), (facet, value)
    # The library's script filters this index; it holds every policy once.
    import json
    rows = json.loads((site / "policies" / "index.json").read_text(encoding="utf-8"))
    assert sorted(r["u"] for r in rows) == sorted(url_of(d) for d in policies)
    # The combined filter form is hidden until library.js shows it.
    assert library.find("form", id="gk-filter").has_attr("hidden")


# --- the document page -------------------------------------------------------------

def test_document_page_breadcrumb(page):
    doc = next(d for d in documents() if d.type == "policy" and d.meta["disclosure"] == "decision")
    crumb = page(url_of(doc)).find("nav", attrs={"aria-label": "面包屑"})
    assert [li.get_text(strip=True) for li in crumb.find_all("li")] == ["首页", "政务公开", "决策公开", "政策文件"]
    assert [re.sub(r"^(\.\./)+", "", a["href"]) for a in crumb.find_all("a")] == [
        "", "xxgk/", "xxgk/decision/", "policy/"]


def test_document_page_metadata_table(page):
    doc = next(d for d in documents() if d.type == "policy" and d.meta.get("doc_no"))
    soup = page(url_of(doc))
    rows = {row.dt.get_text(strip=True): row.dd.get_text(strip=True) for row in soup.select("dl.gk-doc-meta div")}
    assert rows["索引号"] == doc.meta["index_no"]
    assert rows["发布机构"] == doc.meta["issuer"]
    assert rows["发文字号"] == doc.meta["doc_no"]
    assert len(soup.find_all("h1")) == 1


def test_interpretation_and_policy_link_both_ways(page):
    interp = next(d for d in documents() if d.type == "interpretation" and d.meta.get("interprets"))
    policy = next(d for d in documents() if d.meta["index_no"] == interp.meta["interprets"])

    def section(soup, heading):
        h = soup.find("h2", string=heading)
        assert h is not None, heading
        return hrefs(h.find_parent("section"))

    assert url_of(interp) in section(page(url_of(policy)), "本文件的解读")
    interp_page = page(url_of(interp))
    assert url_of(policy) in section(interp_page, "解读的文件")
    # The same policy is not listed again under 相关文件.
    related = interp_page.find("h2", string="相关文件")
    assert related is None or url_of(policy) not in hrefs(related.find_parent("section"))


def test_previous_and_next_document_of_the_same_type(page):
    policies = sorted((d for d in documents() if d.type == "policy"),
                      key=lambda d: (d.meta["date"], d.meta["index_no"]), reverse=True)
    middle = policies[1]
    nav = page(url_of(middle)).find("nav", attrs={"aria-label": "上一篇和下一篇"})
    assert nav.find("a", rel="prev")["href"].endswith(url_of(policies[0]))
    assert nav.find("a", rel="next")["href"].endswith(url_of(policies[2]))
    newest = page(url_of(policies[0])).find("nav", attrs={"aria-label": "上一篇和下一篇"})
    assert newest.find("a", rel="prev") is None


def test_change_history_comes_from_git(tmp_path):
    """修订记录: each marked change (更正：…), newest first, with its date and message, and the
    document's modified date; never the first publication or an unmarked commit (issue 16)."""
    content = tmp_path / "content"
    (content / "policy").mkdir(parents=True)
    doc = ROOT / "content" / "policy" / "sc-2018-guofa39-promote-employment.md"
    target = content / "policy" / doc.name
    shutil.copy(doc, target)
    env = {"GIT_AUTHOR_NAME": "县政府办公室", "GIT_AUTHOR_EMAIL": "xxgk@example.invalid",
           "GIT_COMMITTER_NAME": "县政府办公室", "GIT_COMMITTER_EMAIL": "xxgk@example.invalid",
           "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args, when=None):
        extra = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {}
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, env={**env, **extra,
                       "PATH": "/usr/bin:/bin"})

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "发布：关于做好当前和今后一个时期促进就业工作的若干意见", when="2018-12-05T10:00:00+08:00")
    target.write_text(target.read_text(encoding="utf-8") + "\n（此件公开发布）\n",
                      encoding="utf-8")
    git("commit", "-q", "-am", "更正：补充公开方式说明", when="2019-01-10T09:30:00+08:00")
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    git("commit", "-q", "-am", "Normalise line endings (#12)", when="2019-02-01T09:00:00+08:00")
    target.write_text(target.read_text(encoding="utf-8").replace('index_no:', 'modified: "2019-03-01"\nindex_no:', 1),
                      encoding="utf-8")
    git("commit", "-q", "-am", "批量导入 2019 年文件", when="2026-11-25T09:00:00+08:00")
    out = tmp_path / "out"
    result = build_site(content, out)
    assert result.returncode == 0, result.stderr
    soup = soup_of(out / "xxgk" / "000014349-2018-00212" / "index.html")
    items = soup.select(".gk-history__item")
    # the import, the English commit and the publication are not revisions; modified is
    assert [(i.time["datetime"], i.select_one(".gk-history__message").get_text(strip=True)) for i in items] == [
        ("2019-03-01", "内容更正或更新"),
        ("2019-01-10", "更正：补充公开方式说明")]
    assert soup.find("h2", string="修订记录") is not None


# --- feeds, sitemap, robots -----------------------------------------------------

def _atom(path):
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    return root


def test_atom_feeds_for_everything_each_disclosure_and_each_type(site, page):
    docs = documents()
    everything = _atom(site / "feeds" / "all.atom.xml")
    entries = everything.findall(f"{ATOM}entry")
    assert len(entries) == min(50, len(docs))
    newest = max(docs, key=lambda d: (d.meta["date"], d.meta["index_no"]))
    assert any(e.find(f"{ATOM}link").get("href").endswith(url_of(newest)) for e in entries)
    for t in {d.type for d in docs}:
        feed = _atom(site / "feeds" / f"{t}.atom.xml")
        assert len(feed.findall(f"{ATOM}entry")) == min(50, sum(d.type == t for d in docs))
        assert page(f"{t}/").find("link", rel="alternate", type="application/atom+xml")
    for code in {d.meta["disclosure"] for d in docs}:
        feed = _atom(site / "feeds" / f"disclosure-{code}.atom.xml")
        assert len(feed.findall(f"{ATOM}entry")) == min(50, sum(d.meta["disclosure"] == code for d in docs))
    link = page("").find("link", rel="alternate", type="application/atom+xml")
    assert link["href"].endswith("feeds/all.atom.xml")


def test_each_document_is_at_the_address_reviewers_are_shown(site):
    """gongkai.core.site.document_url, the 公开地址 of the review summary, is where the build writes the page."""
    conf = load_settings()
    pages = [d for d in read_tree(ROOT / "content") if d.type == schema.PAGE]
    assert pages
    for d in list(documents()) + pages:
        url = structure.document_url(d, conf)
        assert exists(site, url.lstrip("/")), (d.path, url)
        if d.type != schema.PAGE:
            assert url == f"/{url_of(d)}"


def test_sitemap_lists_every_document_and_robots_points_nowhere_private(site):
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = [u.find(f"{SITEMAP}loc").text for u in root.findall(f"{SITEMAP}url")]
    for d in documents():
        assert f"/{url_of(d)}" in {loc[loc.index("/xxgk/"):] for loc in locs if "/xxgk/" in loc}, d.path
    assert any(loc.endswith("/policies/") for loc in locs)
    assert len(locs) == len(set(locs))
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots and "Disallow: /" not in robots


def test_publish_build_has_absolute_sitemap_and_robots(tmp_path):
    content = tmp_path / "content"
    (content / "policy").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "policy" / "sc-2018-guofa39-promote-employment.md", content / "policy")
    out = tmp_path / "out"
    result = build_site(content, out, settings="publishconf.py")
    assert result.returncode == 0, result.stderr
    assert "<loc>https://www.yanshou.gov.cn/xxgk/000014349-2018-00212/</loc>" in (out / "sitemap.xml").read_text()
    assert "Sitemap: https://www.yanshou.gov.cn/sitemap.xml" in (out / "robots.txt").read_text()


# --- strict CSP, weight ------------------------------------------------------------

def test_no_inline_scripts_styles_or_handlers_anywhere(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(documents())
    for path in pages:
        soup = soup_of(path)
        rel = path.relative_to(site)
        for script in soup.find_all("script"):
            assert script.get("src") and not script.get_text(strip=True), f"{rel}: inline script"
        assert soup.find("style") is None, f"{rel}: <style>"
        for tag in soup.find_all(True):
            for attr, value in tag.attrs.items():
                assert not attr.lower().startswith("on"), f"{rel}: {tag.name} {attr}"
                assert attr.lower() != "style", f"{rel}: {tag.name} style="
                if attr in ("href", "src"):
                    assert not str(value).strip().lower().startswith(("javascript:", "data:")), f"{rel}: {value}"


def test_document_page_weighs_at_most_100_kb(site, page):
    doc = max(documents(), key=lambda d: len(d.body))  # the longest body
    path = site / url_of(doc) / "index.html"
    soup = page(url_of(doc))
    total = path.stat().st_size
    for tag in soup.find_all(["link", "script", "img"]):
        ref = tag.get("href") if tag.name == "link" else tag.get("src")
        if not ref or (tag.name == "link" and "stylesheet" not in tag.get("rel", [])):
            continue
        assert not ref.startswith(("http:", "https:", "//")), f"third-party request: {ref}"
        total += (path.parent / ref).resolve().stat().st_size
    assert total <= 100 * 1024, f"{url_of(doc)}: {total} bytes"


# --- hostile Markdown -------------------------------------------------------------

HOSTILE = """

<script>alert(1)</script>
<img src=x onerror=alert(1)>
<a href="javascript:alert(1)">点我</a>
<img src="data:image/png;base64,iVBORw0KGgo=" alt="数据">
<iframe src="https://example.com/"></iframe>
<style>body{display:none}</style>
<p style="color:red" onclick="alert(1)">红字</p>

| 项目 | 金额 |
| --- | --- |
| 就业补助 | 100 |

参见[国务院政策文件库](https://www.gov.cn/zhengce/)。
"""


def test_hostile_markdown_is_neutralised(tmp_path):
    content = tmp_path / "content"
    (content / "policy").mkdir(parents=True)
    source = ROOT / "content" / "policy" / "sc-2018-guofa39-promote-employment.md"
    (content / "policy" / "policy_with_hostile_html.md").write_text(
        source.read_text(encoding="utf-8") + HOSTILE, encoding="utf-8")
    out = tmp_path / "out"
    result = build_site(content, out)
    assert result.returncode == 0, result.stderr
    html = (out / "xxgk" / "000014349-2018-00212" / "index.html").read_text(encoding="utf-8")
    body = BeautifulSoup(html, "html.parser").select_one(".gk-doc__body")
    assert body.find("script") is None and "alert(1)</script>" not in html
    assert body.find("iframe") is None and body.find("style") is None
    assert "body{display:none}" not in html
    for tag in body.find_all(True):
        assert not any(a.startswith("on") or a == "style" for a in tag.attrs), tag
    assert all(not a.get("href", "").lower().startswith("javascript:") for a in body.find_all("a"))
    assert all(not i.get("src", "").lower().startswith("data:") for i in body.find_all("img"))
    # What is legitimate stays: the table and the link.
    table = body.find("table")
    assert [th.get_text(strip=True) for th in table.find_all("th")] == ["项目", "金额"]
    assert body.find("a", href="https://www.gov.cn/zhengce/").get_text() == "国务院政策文件库"
    assert "红字" in body.get_text()
