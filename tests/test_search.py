"""Public search in the real browser (Chromium via Playwright) on the real
site: words, phrases, every 发文字号 variant, 索引号, filters, sorting,
hostile and odd queries, the live region and the page without JavaScript."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import yaml

from conftest import ROOT

SEED_URL = "/xxgk/11230129MB1848123X-2018-00010/"
SEED_TITLE = "延寿县人民政府印发关于进一步提升政府执行力的意见的通知"
CASES = yaml.safe_load((ROOT / "tests" / "relevance.yaml").read_text(encoding="utf-8"))["queries"]
from gongkai.commands.bench_search import JS_RUN  # the bench and the tests run the same search


def url_of(index_no: str) -> str:
    return f"/xxgk/{index_no.replace('/', '-')}/"


@pytest.fixture()
def tab(browser, base_url):
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


STATUS = "#gk-search-status"


def wait_done(page):
    page.wait_for_function(
        "() => { const t = document.querySelector('#gk-search-status').textContent; return t && t !== '正在搜索……'; }")
    page.wait_for_function(
        "() => !/^找到/.test(document.querySelector('#gk-search-status').textContent)"
        " || document.querySelectorAll('#gk-search-results li').length > 0")


def search(page, q: str, extra: str = ""):
    page.goto(f"/search/?q={quote(q)}{extra}")
    wait_done(page)
    return [a.get_attribute("href") for a in page.query_selector_all("#gk-search-results .gk-result__link")]


def type_and_submit(page, q: str):
    page.goto("/search/")
    page.fill("#gk-search-input", q)
    page.press("#gk-search-input", "Enter")
    wait_done(page)
    return [a.get_attribute("href") for a in page.query_selector_all("#gk-search-results .gk-result__link")]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['kind']}:{c['q']}" for c in CASES])
def test_relevance_set(tab, case):
    tab.goto("/search/")
    found = tab.evaluate(JS_RUN, [case["q"], None, None])
    urls = found["urls"]
    if case["kind"] == "nothing":
        assert found["total"] == 0, (case["q"], urls)      # never a confident answer
        return
    want = [url_of(ix) for ix in case["top5"]]
    if case.get("any"):
        assert any(w in urls for w in want), (case["q"], urls)
    else:
        assert all(w in urls for w in want), (case["q"], urls)
    if case.get("first"):
        assert urls[0] == want[0]


def test_a_number_that_only_begins_a_real_one_loads_no_document(tab):
    # 延政发〔2018〕1号 is no document; its key begins the seed's (…n10). Checking
    # such near misses would cost a fragment each (about 11 KB) for nothing.
    tab.goto("/search/")
    found = tab.evaluate(JS_RUN, ["延政发〔2018〕1号", None, None])
    fragments = tab.evaluate(
        "() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.pf_fragment')).length")
    assert (found["total"], found["partial"], fragments) == (0, 0, 0)


@pytest.mark.parametrize("q", ["延政发〔2018〕10号", "延政发[2018]10号", "延政发(2018)10号", "延政发（2018）10号",
                               "延政发2018年10号", "11230129MB1848123X/2018-00010"])
def test_doc_no_variants_and_index_no_put_the_seed_first(tab, q):
    urls = type_and_submit(tab, q)
    assert urls[0] == SEED_URL
    assert tab.inner_text(STATUS).startswith("找到 ")


def test_result_shows_metadata_and_highlighted_excerpt(tab):
    urls = search(tab, "提升政府执行力")
    assert urls[0] == SEED_URL
    first = tab.query_selector("#gk-search-results li")
    assert first.query_selector(".gk-result__link").inner_text() == SEED_TITLE
    meta = dict(zip([e.inner_text() for e in first.query_selector_all("dt")],
                    [e.inner_text() for e in first.query_selector_all("dd")]))
    assert meta == {"类型": "政策文件", "发布机构": "延寿县人民政府", "发布日期": "2018年10月20日",
                    "发文字号": "延政发〔2018〕10号"}
    marks = [m.inner_text() for m in first.query_selector_all(".gk-result__excerpt mark")]
    assert marks and all(m in "提升政府执行力" for m in marks)
    assert "gkdn" not in first.inner_text() and "gkix" not in first.inner_text()


def test_live_region_announces_the_count(tab):
    search(tab, "养老保险")
    region = tab.query_selector(STATUS)
    assert region.get_attribute("role") == "status" and region.get_attribute("aria-live") == "polite"
    count = len(tab.query_selector_all("#gk-search-results li"))
    assert re.fullmatch(rf"找到 {count} 条与“养老保险”相关的信息，按相关度排列。", region.inner_text())


@pytest.mark.parametrize("q", ["网站地图", "政策文件库", "承办", "跳到正文"])
def test_only_document_pages_are_found(tab, q):
    """Navigation, footer and listing words lead to documents only (never to a listing)."""
    urls = search(tab, q)
    assert all(re.fullmatch(r"/xxgk/[0-9A-Z]+-\d{4}-\d{5}/", u) for u in urls), urls


def test_sort_by_date_newest_first(tab):
    search(tab, "通知", "&sort=date")
    assert tab.is_checked("input[name=sort][value=date]")
    dates = [d.inner_text() for d in tab.query_selector_all(".gk-result__meta-row:has(dt:text('发布日期')) dd")]
    as_tuples = [tuple(int(x) for x in re.findall(r"\d+", d)) for d in dates]
    assert len(as_tuples) >= 5 and as_tuples == sorted(as_tuples, reverse=True)
    assert tab.inner_text(STATUS).endswith("按发布日期排列。")


def test_sort_switch_reorders(tab):
    search(tab, "通知")
    by_relevance = [a.get_attribute("href") for a in tab.query_selector_all(".gk-result__link")]
    tab.check("input[name=sort][value=date]")
    tab.wait_for_function("() => /按发布日期排列/.test(document.querySelector('#gk-search-status').textContent)")
    wait_done(tab)
    by_date = [a.get_attribute("href") for a in tab.query_selector_all(".gk-result__link")]
    assert sorted(by_relevance) != [] and by_date != by_relevance
    assert "sort=date" in tab.url


@pytest.mark.parametrize("name", ["五公开", "类型", "发布机构", "年份", "主题分类", "有效性"])
def test_each_filter_narrows_to_its_count(tab, name):
    search(tab, "平潭")
    before = len(tab.query_selector_all("#gk-search-results li"))
    group = tab.locator("fieldset.gk-search__filter", has=tab.locator("legend", has_text=re.compile(f"^{name}$")))
    options = group.locator("label")
    options.first.wait_for()  # on a first search the filters come after the results (search.js)
    # pick the smallest value, so the filter visibly narrows the results
    counts = [int(re.search(r"（(\d+)）", options.nth(i).inner_text())[1]) for i in range(options.count())]
    pick = counts.index(min(counts))
    value = options.nth(pick).locator("input").get_attribute("value")
    options.nth(pick).locator("input").check()
    tab.wait_for_function(f"() => /^找到 {counts[pick]} 条/.test(document.querySelector('#gk-search-status').textContent)")
    wait_done(tab)
    assert counts[pick] < before
    assert f"filter={quote(name)}%3A" in tab.url or f"filter={quote(name + ':' + value)}" in tab.url
    if name in ("类型", "发布机构"):
        key = {"类型": "类型", "发布机构": "发布机构"}[name]
        shown = [d.inner_text() for d in tab.query_selector_all(f".gk-result__meta-row:has(dt:text('{key}')) dd")]
        assert shown and set(shown) == {value}


@pytest.mark.parametrize("q", ['<img src=x onerror=alert(1)>', '"><script>alert(1)</script>',
                               "<svg/onload=alert(document.domain)>"])
def test_hostile_queries_are_inert_text(tab, q):
    search(tab, q)
    assert tab.dialogs == []
    assert q in tab.inner_text(STATUS)
    assert tab.input_value("#gk-search-input") == q
    assert tab.query_selector_all("#gk-search img, #gk-search svg, #gk-search-results script") == []


@pytest.mark.parametrize("q,message", [
    ("", "请输入要搜索的词语、发文字号或索引号。"),
    ("政" * 2000, "搜索词太长（2000 个字），请缩短到 100 个字以内。"),
    ("。，！？……", "搜索词只有标点符号，请输入文字、发文字号或索引号。"),
])
def test_odd_queries_get_a_clear_message(tab, q, message):
    tab.goto("/search/")
    tab.fill("#gk-search-input", q)
    tab.press("#gk-search-input", "Enter")
    tab.wait_for_function(f"() => document.querySelector('#gk-search-status').textContent === {message!r}")
    assert tab.query_selector_all("#gk-search-results li") == []


def test_typo_finds_partial_matches_and_says_so(tab):
    urls = search(tab, "水土保待")
    assert url_of("11230129MB1848123X/2015-00011") in urls
    assert tab.inner_text(STATUS).startswith("没有找到完全符合“水土保待”的信息。以下 1 条部分匹配")
    assert tab.inner_text(".gk-result__partial") == "部分匹配：只含“水土保”（查询的 4 个字中的 3 个）"


# Issue 17: every query ends with an answer, and the answer is true.

def visible_results(page):
    return [(li.query_selector(".gk-result__link").get_attribute("href"),
             bool(li.query_selector(".gk-result__partial"))) for li in page.query_selector_all("#gk-search-results li")]


@pytest.mark.parametrize("q", ["国办发〔2018〕1234567890123456789012号", "延政发〔2018〕" + "9" * 60 + "号",
                               "2018-99999", "𠀀𠀁𠀂", "a" * 100])
def test_odd_numbers_and_characters_end_with_an_answer(tab, q):
    search(tab, q)
    status = tab.inner_text(STATUS)
    assert status.startswith("没有找到") and q in status
    assert tab.is_visible("#gk-search-nojs a[href$='/policies/']")      # the browse routes are offered


@pytest.mark.parametrize("broken", ["**/pagefind/pagefind.js", "**/pagefind/index/*", "**/pagefind/fragment/*"])
def test_a_failing_index_still_ends_with_a_chinese_answer(browser, base_url, broken):
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.route(broken, lambda route: route.abort())
    try:
        page.goto(f"/search/?q={quote('养老保险')}")
        wait_done(page)
        status = page.inner_text(STATUS)
        assert "搜索" in status and "正在搜索" not in status and re.search(r"[\u4e00-\u9fff]", status)
        if broken != "**/pagefind/fragment/*":
            assert "无法使用" in status or "出现问题" in status
            assert page.is_visible("#gk-search-nojs a[href$='/policies/']")
    finally:
        context.close()


@pytest.mark.parametrize("q", ["养犬管理", "个人所得税", "新冠疫苗接种", "高考志愿填报", "医保报销比例"])
def test_should_find_nothing_is_never_a_confident_answer(tab, q):
    shown = search(tab, q) and visible_results(tab)
    status = tab.inner_text(STATUS)
    assert not status.startswith("找到")
    if shown:
        m = re.match(rf"没有找到完全符合“{q}”的信息(?:（同时搜索了[^）]*）)?。以下 (\d+) 条部分匹配", status)
        assert m and int(m[1]) >= len(shown)
        assert all(partial for _url, partial in shown)
    else:
        assert status.startswith(f"没有找到与“{q}”相关的信息")


def test_partial_matches_say_what_they_hold(tab):
    search(tab, "养犬管理")
    notes = [n.inner_text() for n in tab.query_selector_all(".gk-result__partial")]
    assert notes and set(notes) == {"部分匹配：只含“管理”（查询的 4 个字中的 2 个）"}


def test_a_count_counts_only_real_matches(tab, site):
    """执行力: Pagefind alone also returns the pages holding only 力 or 执行."""
    search(tab, "执行力")
    from conftest import soup_of
    holding = set()
    for page in (site / "xxgk").glob("*-*/index.html"):
        soup = soup_of(page)
        if "执行力" in soup.select_one("h1").get_text() + soup.select_one(".gk-doc__body").get_text():
            holding.add(f"/{page.parent.relative_to(site).as_posix()}/")
    shown = visible_results(tab)
    full = [url for url, partial in shown if not partial]
    assert set(full) == holding and len(holding) == 2
    m = re.match(r"找到 2 条与“执行力”相关的信息，按相关度排列；另有 (\d+) 条部分匹配的信息列在后面。", tab.inner_text(STATUS))
    assert m and int(m[1]) >= len(shown) - 2 and full == [url for url, _p in shown[:2]]


@pytest.mark.parametrize("typed,plain", [("養老保險", "养老保险"), ("執行力", "执行力"), ("Pingtan", "平潭"),
                                         ("yan shou", "延寿")])
def test_traditional_and_pinyin_find_what_the_chinese_finds(tab, typed, plain):
    assert search(tab, typed) == search(tab, plain) != []


@pytest.mark.parametrize("q,also,first", [
    ("公租房", "“公共租赁住房”、“保障性住房”", "11230129MB1848123X/2015-00010"),
    ("噪音", "“噪声”", "11230129MB1848123X/2013-00001"),
    ("红头文件", "“规范性文件”", None),
])
def test_everyday_words_find_the_documents_words(tab, q, also, first):
    urls = search(tab, q)
    assert f"（同时搜索了{also}）" in tab.inner_text(STATUS)
    assert urls and (first is None or urls[0] == url_of(first))


def test_issuer_outranks_a_mention_in_the_body(tab):
    urls = search(tab, "行政审批局")
    issuers = [d.inner_text() for d in tab.query_selector_all(".gk-result__meta-row:has(dt:text('发布机构')) dd")]
    assert issuers[:4] == ["平潭综合实验区行政审批局"] * 4 and len(urls) > 4


def test_header_form_reaches_results_by_keyboard(tab):
    tab.goto(SEED_URL)
    tab.focus("header input[name=q]")
    tab.keyboard.type("延政发[2018]10号")
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/search/\?q="))
    wait_done(tab)
    assert tab.query_selector(".gk-result__link").get_attribute("href") == SEED_URL
    label = tab.query_selector("label[for=gk-search-input]")
    assert label and label.inner_text() == "搜索政务公开信息"


def test_without_javascript_the_page_offers_static_routes(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/search/?q=营商环境")
    assert page.is_visible("#gk-search-nojs-message")
    assert "需要浏览器启用 JavaScript" in page.inner_text("#gk-search-nojs-message")
    links = {a.inner_text(): a.evaluate("a => new URL(a.href).pathname")
             for a in page.query_selector_all("#gk-search-nojs a")}
    assert set(links.values()) >= {"/policies/", "/xxgk/year/", "/xxgk/issuer/", "/xxgk/topic/"}
    for href in links.values():
        assert page.request.get(href).status == 200, href
    context.close()


def test_index_holds_only_document_pages(site):
    import json
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    pages = sum(lang["page_count"] for lang in entry["languages"].values())
    documents = len(list((site / "xxgk").glob("*-*/index.html")))
    assert pages == documents > 30


@pytest.fixture(scope="module")
def parted_site(tmp_path_factory):
    """The real site indexed in three parts (a large site's layout), its base URL."""
    from conftest import build_site, serve
    tmp = tmp_path_factory.mktemp("parted")
    settings = tmp / "partedconf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                        f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
                        f"CACHE_PATH = {str(tmp / 'cache')!r}\nGONGKAI_SEARCH_PART_CHARS = 60000\n", encoding="utf-8")
    out = tmp / "output"
    result = build_site(ROOT / "content", out, settings=str(settings))
    assert result.returncode == 0, result.stderr + result.stdout
    server, url = serve(out)
    yield out, url
    server.shutdown()


# The parts are merged once Pagefind's WebAssembly is there: merged earlier,
# Pagefind waits for it in steps of 50 ms (a quarter of a cold search).
JS_MERGE_ORDER = """async () => {
  const core = await import('/theme/js/gk-search-core.js');
  const bundles = core.pageBundles();
  const pf = await import(bundles[0] + 'pagefind.js');
  const real = WebAssembly.instantiate;
  let settled = false;
  WebAssembly.instantiate = function (...args) {
    const pending = real.apply(this, args);
    pending.then(() => { settled = true; }, () => {});
    return pending;
  };
  const merged = [];
  const watched = { ...pf, mergeIndex: (path, options) => { merged.push(settled); return pf.mergeIndex(path, options); } };
  await core.openPagefind(watched, bundles);
  WebAssembly.instantiate = real;
  const found = await core.runSearch(watched, '通知');
  return { merged, total: found.total };
}"""


def test_parts_are_merged_once_the_webassembly_is_ready(parted_site, browser):
    out, url = parted_site
    context = browser.new_context(base_url=url)
    tab = context.new_page()
    try:
        tab.goto("/search/")
        opened = tab.evaluate(JS_MERGE_ORDER)
        assert opened["merged"] == [True, True]
        assert opened["total"] > 10
    finally:
        context.close()


def test_large_site_parts_are_merged_in_the_browser(parted_site, browser):
    out, url = parted_site
    bundles = sorted(p.parent.name for p in out.glob("pagefind*/pagefind-entry.json"))
    assert bundles == ["pagefind", "pagefind-2", "pagefind-3"]
    assert not list(out.parent.glob(".search-*"))               # work folders removed
    context = browser.new_context(base_url=url)
    tab = context.new_page()
    try:
        # Every 发文字号 / 索引号 key still puts its document first, whichever part holds it.
        # (Word queries are ranked within each part, so their order across parts is not held here.)
        for case in [c for c in CASES if c.get("first") and c.get("kind") in ("doc_no", "index_no", "loose_no")]:
            tab.goto("/search/")
            assert tab.evaluate(JS_RUN, [case["q"], None, None])["urls"][0] == url_of(case["top5"][0]), case["q"]
        # By date: the parts' lists joined in date order, no document twice, no gk_part filter shown.
        search(tab, "通知", "&sort=date")
        while tab.is_visible("#gk-search-more"):
            count = len(tab.query_selector_all("#gk-search-results li"))
            tab.click("#gk-search-more")
            tab.wait_for_function(f"() => document.querySelectorAll('#gk-search-results li').length > {count}")
        links = [a.get_attribute("href") for a in tab.query_selector_all(".gk-result__link")]
        dates = [tuple(int(x) for x in re.findall(r"\d+", d.inner_text()))
                 for d in tab.query_selector_all(".gk-result__meta-row:has(dt:text('发布日期')) dd")]
        assert len(links) == len(set(links)) >= 10 and dates == sorted(dates, reverse=True)
        assert tab.inner_text(STATUS).startswith(f"找到 {len(links)} 条")
        assert "gk_part" not in tab.inner_text("#gk-search-filters")
    finally:
        context.close()
