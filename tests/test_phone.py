"""Phones and large text (issue 16), in Debian's Chromium: every page of the real
site at 1280 px, 375 px and with 特大 text at 320 px — no page more than 2.5× taller
on a phone, no sideways scroll, the page's own heading in the first screen, chart
text never under 11 px; budget tables whose row names keep their width and stay in
view; results before filters on the search page and in the 政策文件库; axe-core at
375 px and with 特大 text. Screenshots at 375 px go to test-artifacts/screenshots/."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from conftest import ARTIFACTS, AXE, ROOT, axe_run, documents, serious, url_of
from gongkai.core import schema

SHOTS = ARTIFACTS / "screenshots"
SCREEN_HEIGHT = 800
MAX_PHONE_RATIO = 2.5
MIN_CHART_TEXT_PX = 11

# What one page looks like to the browser: its size, whether it scrolls sideways,
# where its h1 is and the smallest chart text as drawn (SVG font size × the SVG's scale).
MEASURE = """() => {
  const root = document.documentElement, h1 = document.querySelector('main h1');
  const box = h1 ? h1.getBoundingClientRect() : null;
  let chart = 99;
  document.querySelectorAll('svg.gk-chart__svg').forEach(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    svg.querySelectorAll('text').forEach(t => {
      chart = Math.min(chart, parseFloat(getComputedStyle(t).fontSize) * scale); });
  });
  return {height: root.scrollHeight, width: root.scrollWidth, client: root.clientWidth,
          h1top: box ? box.top : null, h1bottom: box ? box.bottom : null, chart};
}"""


def biggest_budget() -> str:
    """The budget page with the most table rows (the 2015 units table: 235 rows)."""
    budgets = [d for d in documents() if d.type == "budget"]
    return url_of(max(budgets, key=lambda d: sum((ROOT / d.path).parent.joinpath(t["file"]).read_text(
        encoding="utf-8").count("\n") for t in d.meta.get("tables") or [])))


def all_pages(site) -> list:
    out = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.split("/", 1)[0] in ("theme", "pagefind", "files"):
            continue
        out.append(rel[:-len("index.html")] if rel.endswith("index.html") else rel)
    return out


def _context(browser, width, size="m", js=True):
    ctx = browser.new_context(viewport={"width": width, "height": SCREEN_HEIGHT}, java_script_enabled=js)
    # The reader's text size, as textsize.js remembers it from page to page.
    ctx.add_init_script(f"try {{ localStorage.setItem('gk-textsize', '{size}'); }} catch (e) {{}}")
    return ctx


def measure_all(browser, base_url, pages, width, size):
    ctx = _context(browser, width, size)
    tab = ctx.new_page()
    out = {}
    for url in pages:
        tab.goto(f"{base_url}/{url}")
        out[url] = tab.evaluate(MEASURE)
    ctx.close()
    return out


@pytest.fixture(scope="module")
def measured(browser, base_url, site):
    pages = all_pages(site)
    return {key: measure_all(browser, base_url, pages, width, size)
            for key, (width, size) in {"wide": (1280, "m"), "phone": (375, "m"), "small_xl": (320, "xl"),
                                       "phone_xl": (375, "xl")}.items()}


def test_no_page_is_more_than_two_and_a_half_times_taller_on_a_phone(measured):
    ratios = {url: measured["phone"][url]["height"] / measured["wide"][url]["height"] for url in measured["wide"]}
    too_tall = {url: round(r, 2) for url, r in ratios.items() if r > MAX_PHONE_RATIO}
    assert not too_tall, too_tall
    assert len(ratios) > 120   # every page of the site (annual reports only once final: none in content/)


@pytest.mark.parametrize("key", ["phone", "small_xl", "phone_xl"])
def test_no_page_scrolls_sideways(measured, key):
    wide = {url: m["width"] for url, m in measured[key].items() if m["width"] > m["client"]}
    assert not wide, (key, wide)


@pytest.mark.parametrize("key", ["phone", "small_xl", "phone_xl"])
def test_the_pages_own_heading_is_in_the_first_screen(measured, key):
    # 404.html is the web server's page; the heading is there too.
    missing = {url: m["h1bottom"] for url, m in measured[key].items()
               if m["h1top"] is None or m["h1top"] < 0 or m["h1top"] > SCREEN_HEIGHT * 0.6}
    assert not missing, (key, missing)
    # A heading of up to four lines is whole in the first screen.
    cut = {url: m["h1bottom"] for url, m in measured[key].items()
           if m["h1bottom"] > SCREEN_HEIGHT and (m["h1bottom"] - m["h1top"]) < SCREEN_HEIGHT / 4}
    assert not cut, (key, cut)


def test_chart_text_is_never_under_11_px(measured):
    for key in ("phone", "small_xl"):
        small = {url: round(m["chart"], 1) for url, m in measured[key].items() if m["chart"] < MIN_CHART_TEXT_PX}
        assert not small, (key, small)
    assert any(m["chart"] < 99 for m in measured["phone"].values())   # charts were measured


def test_header_text_size_buttons_stay_on_one_line(browser, base_url):
    ctx = _context(browser, 320, "xl")
    tab = ctx.new_page()
    tab.goto(f"{base_url}/")
    boxes = [tab.locator(f"label[for=gk-textsize-{v}]").bounding_box() for v in ("m", "l", "xl")]
    assert len({round(b["y"]) for b in boxes}) == 1, boxes          # side by side
    assert all(b["height"] < 50 for b in boxes), boxes              # one line of text each
    header = tab.locator("header.gk-header").bounding_box()
    assert header["height"] < SCREEN_HEIGHT / 3, header
    ctx.close()


def test_budget_table_row_names_keep_their_width_and_stay_in_view(browser, base_url):
    ctx = _context(browser, 375)
    tab = ctx.new_page()
    tab.goto(f"{base_url}/{biggest_budget()}")
    region = tab.locator(".gk-table-wrap").last
    region.scroll_into_view_if_needed()
    name = region.locator("tbody th").nth(3)
    before = name.bounding_box()
    assert before["width"] >= 120, before            # not one character per line
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    after = name.bounding_box()
    assert region.evaluate("el => el.scrollLeft") > 0   # the numbers scrolled
    assert abs(after["x"] - before["x"]) < 1, (before, after)   # the row name did not
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "phone-budget-table-375.png"))
    ctx.close()


def _first_result_and_filters(tab, results, fold):
    first = tab.locator(results).first.bounding_box()
    summary = tab.locator(f"{fold} > summary").bounding_box()
    return first, summary, tab.locator(fold).evaluate("el => el.open")


def test_policy_library_results_come_first_and_filters_fold_without_javascript(browser, base_url):
    for js in (True, False):
        ctx = _context(browser, 375, js=js)
        tab = ctx.new_page()
        tab.goto(f"{base_url}/policies/")
        first, summary, is_open = _first_result_and_filters(tab, ".gk-doc-list__item", "details.gk-facets")
        assert not is_open, js
        assert first["y"] < SCREEN_HEIGHT, (js, first)         # a result in the first screen
        if not js:   # the folded filters open with a tap and are links to the static filter pages
            tab.locator("details.gk-facets > summary").click()
            link = tab.locator("details.gk-facets .gk-facet-list a").first
            assert link.is_visible()
            link.click()
            tab.wait_for_load_state()
            assert "/policies/" in tab.url and tab.url.rstrip("/") != f"{base_url}/policies"
        ctx.close()


def test_search_results_come_first_on_a_phone(browser, base_url):
    ctx = _context(browser, 375)
    tab = ctx.new_page()
    tab.goto(f"{base_url}/search/?q={quote('政府')}")
    tab.locator("#gk-search-results li").first.wait_for()
    tab.locator("#gk-search-filters").wait_for()
    first, summary, is_open = _first_result_and_filters(tab, "#gk-search-results li", "details.gk-search__fold")
    assert not is_open
    assert first["y"] < SCREEN_HEIGHT, first
    assert summary["height"] < 80, summary          # the filters are one line until opened
    tab.locator("details.gk-search__fold > summary").click()
    assert tab.locator("#gk-search-filter-groups input[type=checkbox]").first.is_visible()
    ctx.close()
    # On a wide screen the filters are open beside the results.
    ctx = _context(browser, 1280)
    tab = ctx.new_page()
    tab.goto(f"{base_url}/search/?q={quote('政府')}")
    tab.locator("#gk-search-filter-groups input[type=checkbox]").first.wait_for()
    assert tab.locator("details.gk-search__fold").evaluate("el => el.open")
    ctx.close()


def _page_types() -> dict:
    docs = documents()
    first = {t: url_of(next(d for d in docs if d.type == t)) for t in schema.TYPES if any(d.type == t for d in docs)}
    return {"home": "", "listing": "policy/", "xxgk": "xxgk/", "archive": "xxgk/year/", "library": "policies/",
            "solicitations": "yjzj/", "projects": "project/list/", "contact": "contact/", "guide": "guide/",
            "sitemap": "sitemap/", "search": "search/?q=" + quote("政府"), "budget-big": biggest_budget(),
            **{f"doc-{t}": u for t, u in first.items()}}


@pytest.mark.parametrize("width,size", [(375, "m"), (320, "xl"), (1280, "xl")])
def test_no_serious_axe_violations_on_phones_and_with_large_text(browser, base_url, width, size):
    if not AXE.is_file():
        pytest.fail("node_modules/axe-core 不存在：请先运行 npm ci（make 会自动运行）")
    ctx = _context(browser, width, size)
    bad = {}
    for name, url in _page_types().items():
        tab = ctx.new_page()
        tab.goto(f"{base_url}/{url}")
        if url.startswith("search/"):
            tab.locator("#gk-search-results li").first.wait_for()
        found = serious(axe_run(tab))
        if found:
            bad[name] = found
        tab.close()
    ctx.close()
    assert not bad, bad


def test_screenshots_at_375(browser, base_url):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sol = url_of(next(d for d in documents() if d.type == "solicitation"))
    doc = url_of(next(d for d in documents() if d.type == "policy" and d.meta.get("doc_no")))
    ctx = _context(browser, 375)
    tab = ctx.new_page()
    for name, url in (("home", ""), ("document", doc), ("budget", biggest_budget()), ("solicitation", sol),
                      ("search", "search/?q=" + quote("政府"))):
        tab.goto(f"{base_url}/{url}")
        if name == "search":
            tab.locator("#gk-search-results li").first.wait_for()
        target = SHOTS / f"phone-{name}-375.png"
        tab.screenshot(path=str(target))
        assert target.stat().st_size > 10_000
    ctx.close()
