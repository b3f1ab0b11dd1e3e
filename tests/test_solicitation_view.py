"""意见征集 true when read (issue 16): a page built at 00:05 is read at 10:01 or
17:31. The build writes every moment and text (gongkai.core.solicitation.view_data);
theme/static/js/solicitation.js corrects the state, countdown, ways to respond and
the home page's 正在征集意见 at view time. Checked in Chromium with a faked clock,
under the site's Content-Security-Policy; without JavaScript the build's state stands."""
from __future__ import annotations

import functools
import http.server
import re
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, build_site, soup_of
from test_solicitations import LIFECYCLE, NINGJIN, RIDER   # opens 2026-09-01 10:00, closes 2026-09-10 17:30

TZ = ZoneInfo("Asia/Shanghai")
# The Content-Security-Policy the site is served with (deploy/nginx.conf).
CSP = re.search(r'Content-Security-Policy "([^"]+)"', (ROOT / "deploy" / "nginx.conf").read_text()).group(1)


class _CSPHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """served(build_moment) -> base URL of the lifecycle tree built at that moment, served with the CSP."""
    servers, urls = [], {}

    def at(moment: str) -> str:
        if moment not in urls:
            out = tmp_path_factory.mktemp("view") / "output"
            result = build_site(LIFECYCLE, out, asof=moment)
            assert result.returncode == 0, result.stderr + result.stdout
            server = http.server.ThreadingHTTPServer(
                ("127.0.0.1", 0), functools.partial(_CSPHandler, directory=str(out)))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            urls[moment] = (f"http://127.0.0.1:{server.server_address[1]}", out)
        return urls[moment]
    yield at
    for server in servers:
        server.shutdown()


def visit(browser, url: str, when: str, javascript: bool = True):
    """Open url with the browser's clock at `when` (Beijing time); returns (page, context, violations)."""
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    if javascript:
        page.clock.install(time=datetime.fromisoformat(when).replace(tzinfo=TZ))
    page.goto(url)
    if javascript:
        page.clock.run_for(1000)   # let the deferred script run
    return page, context, violations


def text(page, selector) -> str:
    return page.locator(selector).first.inner_text().strip()


def test_a_draft_opening_at_ten_is_open_at_ten_past_one_though_built_at_midnight(served, browser):
    base, out = served("2026-09-01T00:05")
    built = soup_of(out / RIDER / "index.html")
    assert built.select_one(".gk-solicitation-banner__title").get_text(strip=True).startswith("未开始")
    page, context, violations = visit(browser, f"{base}/{RIDER}", "2026-09-01T10:01")
    try:
        assert text(page, ".gk-solicitation-banner__title") == "征集中（还剩 9 天）"
        assert text(page, ".gk-doc-meta__row--state dd") == "征集中"
        assert "gk-solicitation-banner--open" in page.locator(".gk-solicitation-banner").get_attribute("class")
        respond = page.locator("section.gk-solicitation-respond", has_text="如何提出意见")
        assert respond.is_visible()
        assert respond.locator("p").first.inner_text().startswith("请在 2026年9月10日 17:30（北京时间）前")
        assert page.locator('a[href^="mailto:"]').is_visible()
        assert not page.locator(".gk-solicitation-respond--closed").is_visible()
        assert violations == []
    finally:
        context.close()


def test_the_home_page_lists_it_from_ten(served, browser):
    base, out = served("2026-09-01T00:05")
    home = soup_of(out / "index.html").find("h2", string="正在征集意见").find_parent("section")
    assert home.find("p", class_="gk-empty").get("hidden") is None   # the build's view: nothing open yet
    for when, listed in (("2026-09-01T09:59", False), ("2026-09-01T10:01", True)):
        page, context, violations = visit(browser, base + "/", when)
        try:
            section = page.locator("section.gk-home__solicitations")
            link = section.locator(f'a[href$="{RIDER}"]')
            assert link.is_visible() == listed, when
            assert section.get_by_text("目前没有正在征集意见的草案。").is_visible() == (not listed), when
            if listed:
                assert section.locator(".gk-days-left").first.inner_text() == "还剩 9 天"
            assert violations == []
        finally:
            context.close()


def test_a_draft_closing_at_half_past_five_is_closed_at_five_thirty_one(served, browser):
    base, out = served("2026-09-10T00:05")
    built = soup_of(out / RIDER / "index.html")
    assert built.select_one(".gk-solicitation-banner__title").get_text(strip=True) == "征集中（今天 17:30 截止）"
    page, context, violations = visit(browser, f"{base}/{RIDER}", "2026-09-10T17:31")
    try:
        assert text(page, ".gk-solicitation-banner__title") == "已结束"
        assert text(page, ".gk-doc-meta__row--state dd") == "已结束"
        assert not page.locator('a[href^="mailto:"]').is_visible()
        assert text(page, ".gk-solicitation-respond__notice") == "意见征集已结束，正在整理反馈意见"
        assert violations == []
    finally:
        context.close()
    # The open-now listing and the home page drop it too.
    for path in ("/", "/yjzj/"):
        page, context, _ = visit(browser, base + path, "2026-09-10T17:31")
        try:
            if path == "/":
                assert not page.locator(f'.gk-home__solicitations a[href$="{RIDER}"]').is_visible()
                assert page.get_by_text("目前没有正在征集意见的草案。").is_visible()
            else:   # 征集中 listing: no longer listed, and it says none is open
                assert not page.locator(f'.gk-solicitation-list a[href$="{RIDER}"]').is_visible()
                assert page.get_by_text("目前没有正在征集意见的草案。").is_visible()
        finally:
            context.close()
    page, context, _ = visit(browser, base + "/yjzj/all/", "2026-09-10T17:31")
    try:   # the list of all: still listed, its tag says the truth
        assert text(page, f'.gk-solicitation-list__item:has(a[href$="{RIDER}"]) .gk-tag') == "已结束"
    finally:
        context.close()


def test_still_open_the_same_morning(served, browser):
    base, _ = served("2026-09-10T00:05")
    page, context, _ = visit(browser, f"{base}/{RIDER}", "2026-09-10T17:29")
    try:
        assert text(page, ".gk-solicitation-banner__title") == "征集中（今天 17:30 截止）"
        assert page.locator('a[href^="mailto:"]').is_visible()
        page.clock.run_for(2 * 60 * 1000)      # the page left open past the closing moment
        assert text(page, ".gk-solicitation-banner__title") == "已结束"
        assert not page.locator('a[href^="mailto:"]').is_visible()
    finally:
        context.close()


def test_without_javascript_the_builds_state_stands(served, browser):
    base, _ = served("2026-09-01T00:05")
    page, context, _ = visit(browser, f"{base}/{RIDER}", "2026-09-01T10:01", javascript=False)
    try:
        assert text(page, ".gk-solicitation-banner__title") == "未开始（2026年9月1日 10:00 开始征集）"
        assert page.get_by_text("征集尚未开始，将于 2026年9月1日 10:00 开始").is_visible()
    finally:
        context.close()


def test_an_overdue_feedback_is_said_plainly_at_view_time(served, browser):
    """Ningjin closed 2023-04-05 23:59 and never published feedback."""
    base, out = served("2026-09-01T00:05")
    notice = "本次意见征集已于 2023年4月5日 23:59 截止。意见采纳情况应在截止后 30 天内公布，至今尚未公布，自 2023年5月6日 23:59 起已逾期。"
    built = soup_of(out / NINGJIN / "index.html")
    assert built.select_one(".gk-solicitation-respond__notice").get_text(strip=True) == notice
    page, context, _ = visit(browser, f"{base}/{NINGJIN}", "2026-09-01T10:01")
    try:
        assert text(page, ".gk-solicitation-respond__notice") == notice
        assert text(page, ".gk-solicitation-banner__title") == "已结束（反馈意见逾期未公布）"
    finally:
        context.close()


@pytest.mark.parametrize("asof, banner", [
    ("2026-10-11T17:29", "已结束"),
    ("2026-10-11T17:30", "已结束（反馈意见逾期未公布）"),   # the moment make check starts to warn
])
def test_overdue_starts_with_the_check_warning(asof, banner):
    from gongkai.core import solicitation as sol
    from gongkai.core.model import read_document
    doc = read_document(LIFECYCLE / "solicitation" / "solicitation_with_feedback_and_decision.md", LIFECYCLE)
    doc.meta.pop("feedback")   # as if it were never published
    st = sol.status(doc, datetime.fromisoformat(asof).replace(tzinfo=TZ), 30)
    assert st.banner == banner


def test_a_reader_clock_behind_the_build_does_not_reopen_it(served, browser):
    """Built after closing; a reader whose clock is a day behind still reads 已结束."""
    base, _ = served("2026-09-10T17:45")
    page, context, _ = visit(browser, f"{base}/{RIDER}", "2026-09-09T12:00")
    try:
        assert text(page, ".gk-solicitation-banner__title") == "已结束"
        assert text(page, ".gk-doc-meta__row--state dd") == "已结束"
    finally:
        context.close()
