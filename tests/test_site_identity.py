"""What 《政府网站发展指引》 and gov.cn pages carry (issue 16), read from the built
site with BeautifulSoup: the site identity from data/site.yaml (footer, 联系我们,
依申请公开, 政府信息公开指南, make check's warnings), the gov.cn meta tags, the
canonical link and favicon, the Atom feeds, sitemap.xml, the 网站地图 page and a
breadcrumb on every page."""
from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from functools import lru_cache

import pytest
import yaml

from conftest import ROOT, build_site, run_script, soup_of
from gongkai.core import identity, schema
from gongkai.core import site as structure
from gongkai.core.corpus import read_tree

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@lru_cache(maxsize=None)
def documents() -> tuple:
    return tuple(d for d in read_tree(ROOT / "content") if d.type in schema.TYPES)


def html_pages(site):
    """(address, path) of every page of the built site a visitor can open."""
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.split("/", 1)[0] in ("theme", "pagefind"):
            continue
        yield (rel[:-len("index.html")] if rel.endswith("index.html") else rel), path


# --- the identity, in one place ---------------------------------------------------------

FILLED = {
    "site_name": "测试县人民政府 政务公开", "county": "测试县", "domain": "www.test.example.gov.cn",
    "owner": "测试县人民政府", "operator": "测试县信息中心", "site_id_code": "9999999999",
    "icp": "测ICP备00000001号", "police_record": "测公网安备 00000000000001号",
    "police_record_url": "https://beian.example/record/1", "error_report": "https://report.example/find?site=9999999999",
    "contact": {"address": "测试县测试路1号", "postcode": "000001", "phone": "0000-0000001",
                "email": "contact@test.example.gov.cn", "hours": "工作日 9:00—17:00"},
    "apply": {"office": "测试县人民政府办公室", "address": "测试县测试路2号", "postcode": "000002",
              "hours": "工作日 9:00—16:00", "phone": "0000-0000002", "email": "apply@test.example.gov.cn",
              "form": "https://test.example.gov.cn/apply-form"},
}


@pytest.fixture(scope="module")
def filled_site(tmp_path_factory):
    """The real content built with every identity item filled (a settings file that reads another data/site.yaml)."""
    tmp = tmp_path_factory.mktemp("identity")
    data = tmp / "site.yaml"
    data.write_text(yaml.safe_dump(FILLED, allow_unicode=True), encoding="utf-8")
    conf = tmp / "identityconf.py"
    conf.write_text(
        "import sys\nsys.path.insert(0, %r)\nfrom pelicanconf import *  # noqa\n"
        "from gongkai.core import identity as _identity\n"
        "GONGKAI_SITE = _identity.load(%r)\nSITENAME = GONGKAI_SITE['site_name']\n"
        "SITE_OWNER = GONGKAI_SITE['owner']\nSITE_OPERATOR = GONGKAI_SITE['operator']\n"
        "PLUGIN_PATHS = [%r]\nTHEME = %r\n" % (str(ROOT), str(data), str(ROOT / "plugins"), str(ROOT / "theme")),
        encoding="utf-8")
    out = tmp / "output"
    result = build_site(ROOT / "content", out, settings=conf)
    assert result.returncode == 0, result.stderr + result.stdout
    return out


def test_footer_and_fixed_pages_come_from_the_identity(filled_site):
    for url in ("", "xxgk/", document_url()):
        footer = soup_of(filled_site / url / "index.html").select_one("footer.gk-footer").get_text(" ", strip=True)
        for text in ("主办：测试县人民政府", "承办：测试县信息中心", "网站标识码：9999999999", "测ICP备00000001号",
                     "测公网安备 00000000000001号", "0000-0000001", "contact@test.example.gov.cn", "我为政府网站找错"):
            assert text in footer, (url, text)
    home = soup_of(filled_site / "index.html")
    assert home.find("a", string="我为政府网站找错")["href"] == FILLED["error_report"]
    assert home.find("a", string=FILLED["icp"])["href"] == "https://beian.miit.gov.cn/"
    assert home.select_one(".gk-header__home").get_text(strip=True) == "测试县人民政府 政务公开"

    def rows(slug):
        page = soup_of(filled_site / slug / "index.html")
        return {dt.get_text(strip=True): dd for dt, dd in
                ((r.dt, r.dd) for r in page.select(".gk-identity .gk-doc-meta__row"))}

    contact = rows("contact")
    assert contact["联系地址"].get_text(strip=True) == "测试县测试路1号"
    assert contact["联系电话"].a["href"] == "tel:0000-0000001"
    assert contact["办公时间"].get_text(strip=True) == "工作日 9:00—17:00"
    for slug in ("apply", "guide"):
        channels = rows(slug)
        assert channels["受理机构"].get_text(strip=True) == "测试县人民政府办公室", slug
        assert channels["受理地址"].get_text(strip=True) == "测试县测试路2号", slug
        assert channels["受理时间"].get_text(strip=True) == "工作日 9:00—16:00", slug
        assert channels["电子邮箱（数据电文）"].a["href"] == "mailto:apply@test.example.gov.cn", slug
        assert channels["申请表或在线申请网址"].a["href"] == FILLED["apply"]["form"], slug
    meta = {m["name"]: m["content"] for m in soup_of(filled_site / "index.html").select("meta[name]")}
    assert meta["SiteIDCode"] == "9999999999" and meta["SiteDomain"] == "www.test.example.gov.cn"


def test_the_real_identity_shows_only_what_is_known(page):
    """The real county's data/site.yaml leaves unknown items empty: nothing is invented on the pages."""
    real = identity.load(ROOT / identity.FILE)
    footer = page("").select_one("footer.gk-footer").get_text(" ", strip=True)
    assert f"主办：{real['owner']}" in footer and f"承办：{real['operator']}" in footer
    if not real["contact"]["phone"]:
        assert "电话：" not in footer
    if not real["site_id_code"]:
        assert "网站标识码" not in footer


def test_make_check_warns_for_each_empty_identity_item(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    (tmp_path / "data").mkdir()
    partial = dict(FILLED, site_id_code="", contact=dict(FILLED["contact"], phone=""),
                   apply=dict(FILLED["apply"], email="", form=""))
    (tmp_path / "data" / "site.yaml").write_text(yaml.safe_dump(partial, allow_unicode=True, sort_keys=False),
                                                 encoding="utf-8")
    result = run_script("check.py", "--content", content)
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("data/site.yaml")]
    assert result.returncode == 0, result.stdout + result.stderr
    assert any(re.match(r"data/site\.yaml:\d+: 网站标识码 \(site_id_code\) — 提醒： 网站信息中的网站标识码还没有填写", ln)
               for ln in lines), lines
    assert any(re.match(r"data/site\.yaml:\d+: 联系电话 \(contact\.phone\) — 提醒：", ln) for ln in lines), lines
    assert any("依申请公开没有书面申请渠道" in ln for ln in lines), lines
    assert len(lines) == 3, lines
    # Filled in, no warning is left.
    (tmp_path / "data" / "site.yaml").write_text(yaml.safe_dump(FILLED, allow_unicode=True), encoding="utf-8")
    result = run_script("check.py", "--content", content)
    assert "data/site.yaml" not in result.stdout, result.stdout


def test_the_real_site_yaml_is_checked():
    result = run_script("check.py")
    real = identity.load(ROOT / identity.FILE)
    empty = [n for n in identity.required() if not identity.value(real, n)]
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("data/site.yaml")]
    assert len([ln for ln in lines if "还没有填写" in ln]) == len(empty), lines


# --- gov.cn meta tags, canonical, favicon -------------------------------------------------

def document_url() -> str:
    d = next(d for d in documents() if d.type == "policy" and d.meta.get("doc_no"))
    return "xxgk/" + d.meta["index_no"].replace("/", "-") + "/"


def test_every_page_carries_the_gov_cn_meta_tags_and_a_canonical_link(site):
    for url, path in html_pages(site):
        soup = soup_of(path)
        meta = {m["name"]: m.get("content") for m in soup.select("head meta[name]")}
        missing = [n for n in identity.META_NAMES if n not in meta]
        assert not missing, (url, missing)
        assert meta["SiteName"] and meta["ColumnName"] and meta["ArticleTitle"], url
        if url == "404.html":
            continue
        canonical = soup.select_one('head link[rel="canonical"]')
        assert canonical is not None, url
        assert canonical["href"].rstrip("/").endswith("/" + url.rstrip("/")) or (url == "" and canonical["href"] in ("./", "/")), (url, canonical["href"])


def test_a_document_page_meta_describes_the_document(page):
    d = next(d for d in documents() if d.type == "policy" and d.meta.get("doc_no"))
    soup = page(document_url())
    meta = {m["name"]: m["content"] for m in soup.select("head meta[name]")}
    assert meta["ArticleTitle"] == soup.h1.get_text(strip=True) == d.meta["title"]
    assert meta["ColumnName"] == schema.enum_title("common", "type", "policy")
    assert meta["PubDate"] == d.meta["date"].isoformat()
    assert meta["ContentSource"] == d.meta["issuer"]
    assert meta["Keywords"] == ",".join(d.meta["keywords"])
    assert 20 <= len(meta["Description"]) <= identity.DESCRIPTION_CHARS


def test_the_favicon_exists(site):
    soup = soup_of(site / "index.html")
    icons = [link["href"] for link in soup.select('head link[rel="icon"]')]
    assert icons
    for href in icons:
        assert (site / href.lstrip("./")).is_file(), href
    assert (site / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"   # an ICO, served at /favicon.ico


# --- feeds ------------------------------------------------------------------------------

def test_feeds_have_chinese_titles_own_ids_authors_and_a_language(site):
    ids = set()
    feeds = sorted((site / "feeds").glob("*.atom.xml")) + [site / "yjzj" / "atom.xml"]
    assert len(feeds) >= 10
    for path in feeds:
        root = ET.parse(path).getroot()
        title = root.find(f"{ATOM}title").text
        assert root.get(XML_LANG) == "zh-CN", path.name
        assert re.search(r"[\u4e00-\u9fff]$", title) and not re.search(r" - [a-z]+$", title), (path.name, title)
        feed_id = root.find(f"{ATOM}id").text
        assert feed_id not in ids and feed_id != "/", path.name
        ids.add(feed_id)
        for entry in root.findall(f"{ATOM}entry"):
            assert (entry.findtext(f"{ATOM}author/{ATOM}name") or "").strip(), (path.name, entry.findtext(f"{ATOM}title"))
            assert not entry.findtext(f"{ATOM}id").startswith("tag:None"), path.name
    policy = ET.parse(site / "feeds" / "policy.atom.xml").getroot()
    assert policy.find(f"{ATOM}title").text.endswith("：政策文件")


def test_atom_is_explained_in_chinese_where_it_is_shown(site):
    for url, path in html_pages(site):
        for a in soup_of(path).find_all("a", href=re.compile(r"atom\.xml$")):
            around = [a.parent, a.find_parent("section")]
            assert any(el is not None and "订阅源" in el.get_text() for el in around), (url, a.get_text())


# --- sitemap.xml, 网站地图, breadcrumbs ---------------------------------------------------

def test_sitemap_lists_every_public_page_that_was_written(site):
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = [u.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc") for u in root]
    listed = {loc.lstrip("/") for loc in locs}
    written = {url for url, _path in html_pages(site)} - {"404.html"}
    assert listed == written
    assert len(locs) == len(listed)
    # Written by other plugins than the listings: 意见征集, projects, annual reports.
    for url in ("yjzj/", "yjzj/closed/", "project/list/", "sitemap/", "policies/"):
        assert url in listed, url
    for d in documents():
        assert "xxgk/" + d.meta["index_no"].replace("/", "-") + "/" in listed


def test_the_footer_site_map_is_a_real_page(site, page):
    home = page("")
    link = home.select_one("footer").find("a", string="网站地图")
    assert link["href"].rstrip("/").endswith("sitemap")
    smap = page("sitemap/")
    assert smap.h1.get_text(strip=True) == "网站地图"
    hrefs = {re.sub(r"^(\.\./)+", "", a["href"]) for a in smap.select("main a")}
    for code in structure.disclosures():
        if any(d.meta.get("disclosure") == code for d in documents()):
            assert structure.disclosure_url(code) in hrefs, code
    for t in {d.type for d in documents()}:
        assert structure.type_url(t) in hrefs, t
    for p in ("guide/", "apply/", "contact/", "policies/", "search/", "xxgk/year/"):
        assert p in hrefs, p


def test_every_page_but_the_home_page_has_a_breadcrumb_with_separators(site):
    for url, path in html_pages(site):
        soup = soup_of(path)
        crumb = soup.select_one('nav.gk-breadcrumb[aria-label="面包屑"]')
        if url == "":
            assert crumb is None
            continue
        assert crumb is not None, url
        items = crumb.select("ol > li")
        assert items and all("gk-breadcrumb__item" in li.get("class", []) for li in items), url
        assert items[0].get_text(strip=True) == "首页", url
    closed = soup_of(site / "yjzj" / "closed" / "index.html").select("nav.gk-breadcrumb li.gk-breadcrumb__item")
    assert [li.get_text(strip=True) for li in closed] == ["首页", "意见征集"]
