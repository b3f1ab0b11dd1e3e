"""In Debian's Chromium: axe-core (npm, pinned in package.json) finds no
serious or critical WCAG 2.1 AA violation on the home page, a listing, a
document page, the policy library and a solicitation page; screenshots at
375 px and 1280 px go to test-artifacts/screenshots/. Also what only a
browser can show: the text-size control, the library's combined filter and
the print stylesheet."""
from __future__ import annotations

import pytest

from conftest import ARTIFACTS, AXE, axe_run, documents, serious, url_of

SHOTS = ARTIFACTS / "screenshots"


def document_page() -> str:
    """A policy with a 发文字号: the most common document page."""
    return url_of(next(d for d in documents() if d.type == "policy" and d.meta.get("doc_no")))


def solicitation_page() -> str:
    return url_of(next(d for d in documents() if d.type == "solicitation"))


PAGES = {
    "home": lambda: "",
    "listing": lambda: "policy/",
    "document": document_page,
    "library": lambda: "policies/",
    "solicitation": solicitation_page,
}


@pytest.fixture(scope="module")
def context(browser):
    if not AXE.is_file():
        pytest.fail("node_modules/axe-core 不存在：请先运行 npm ci（make 会自动运行）")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_or_critical_axe_violations(context, base_url, name):
    page = context.new_page()
    page.goto(f"{base_url}/{PAGES[name]()}")
    result = axe_run(page)
    bad = serious(result)
    page.close()
    assert bad == [], f"{name}: {bad}"
    assert len(result["passes"]) > 10  # axe really ran


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_home_and_a_document(browser, base_url, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    for name, url in (("home", ""), ("document", document_page())):
        page.goto(f"{base_url}/{url}")
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        target = SHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
    ctx.close()


def _root_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_text_size_control_with_and_without_javascript(browser, base_url):
    for js in (False, True):
        ctx = browser.new_context(java_script_enabled=js)
        page = ctx.new_page()
        page.goto(f"{base_url}/{document_page()}")
        standard = _root_font_px(page)
        page.get_by_label("特大").check()
        assert _root_font_px(page) == pytest.approx(standard * 1.5), f"javascript={js}"
        page.get_by_label("大", exact=True).check()
        assert _root_font_px(page) == pytest.approx(standard * 1.25), f"javascript={js}"
        # With JavaScript the choice follows the reader to the next page.
        page.goto(f"{base_url}/policies/")
        expected = standard * 1.25 if js else standard
        assert _root_font_px(page) == pytest.approx(expected), f"javascript={js}"
        ctx.close()


def test_library_filters_combine_with_javascript(browser, base_url):
    policies = [d for d in documents() if d.type == "policy"]
    year = str(policies[0].meta["date"].year)
    issuer = policies[0].meta["issuer"]
    expected = sum(1 for d in policies if str(d.meta["date"].year) == year and d.meta["issuer"] == issuer)
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{base_url}/policies/")
    form = page.locator("#gk-filter")
    form.wait_for(state="visible")
    page.select_option("#gk-filter-year", value=year)
    page.locator("#gk-filter-issuer option", has_text=issuer).first.wait_for(state="attached")
    label = page.locator("#gk-filter-issuer option", has_text=issuer).first.get_attribute("value")
    page.select_option("#gk-filter-issuer", value=label)
    assert page.locator("#gk-library-results .gk-doc-list__item").count() == expected
    assert page.locator("#gk-filter-status").inner_text() == f"共 {expected} 件政策文件。"
    assert f"year={year}" in page.url
    ctx.close()


def test_print_shows_the_document_and_its_metadata_only(browser, base_url):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{base_url}/{document_page()}")
    page.emulate_media(media="print")
    for hidden in (".gk-header", ".gk-breadcrumb", ".gk-footer", ".gk-textsize", ".gk-prev-next"):
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in (".gk-doc__title", ".gk-doc-meta", ".gk-doc__body"):
        assert page.locator(shown).first.is_visible(), shown
    assert page.pdf(format="A4")[:4] == b"%PDF"
    ctx.close()
