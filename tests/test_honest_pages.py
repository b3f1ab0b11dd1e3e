"""Honest pages (issue 16), on the real content built once: 修订记录 shows only real,
meaningful changes (never the bulk import); every declared 信息来源 and 施行日期 is shown;
what the source did not publish (an attachment, a notice) is said; the 已失效 banner
gives date, reason and replacement where known; a policy's interpretations are linked
near its top; 相关信息 marks items no longer in force."""
from __future__ import annotations

import pytest

from conftest import ROOT, axe_run, serious, url_of
from gongkai.core import history
from gongkai.core.corpus import read_tree

TRACTOR = "xxgk/11230129MB1848123X-2015-00009/"        # expired 2021-01-01: 有效期为5年
HOLIDAYS = "xxgk/000014349-2018-00213/"                  # 2019 holidays: expired, no date published
RIDER = "xxgk/11230129MB1848123X-2026-00002/"           # its 征求意见稿 attachment was not archived
LEGALITY = "xxgk/000014349-2018-00216/"                  # a policy with an interpretation


@pytest.fixture(scope="module")
def documents():
    return [d for d in read_tree(ROOT / "content") if d.type != "page"]


def rows(soup) -> dict:
    return {r.dt.get_text(strip=True): r.dd.get_text(strip=True) for r in soup.select(".gk-doc-meta__row")}


def test_change_history_never_shows_the_import(page, documents):
    for doc in documents:
        for item in page(url_of(doc)).select(".gk-history__item"):
            message = item.select_one(".gk-history__message").get_text(strip=True)
            when = item.time["datetime"]
            if message == history.MODIFIED_MESSAGE:
                assert when == doc.meta["modified"].isoformat(), doc.path
            else:
                assert history.is_public(message), (doc.path, when, message)


def test_a_modified_date_is_a_revision(page, documents):
    doc = next(d for d in documents if d.meta.get("modified"))
    items = page(url_of(doc)).select(".gk-history__item")
    assert (items[0].time["datetime"], items[0].select_one(".gk-history__message").get_text(strip=True)) == \
        (doc.meta["modified"].isoformat(), "内容更正或更新")


@pytest.mark.parametrize("field, label", [("source", "信息来源"), ("effective", "施行日期")])
def test_every_declared_source_and_effective_date_is_shown(page, documents, field, label):
    declared = [d for d in documents if d.meta.get(field)]
    assert declared
    for doc in declared:
        assert rows(page(url_of(doc))).get(label), (doc.path, label)


def test_the_missing_attachment_is_said(page):
    said = rows(page(RIDER))["未能获取的部分"]
    assert said.startswith("附件《外卖骑手“食安哨兵”小额举报奖励实施方案（征求意见稿）》未能获取")


def test_expired_banner_gives_date_and_reason(page):
    banner = page(TRACTOR).select_one(".gk-validity-banner")
    assert banner.select_one(".gk-banner__title").get_text(strip=True) == "本文件已失效（自2021年1月1日起）"
    assert banner.select_one(".gk-banner__title time")["datetime"] == "2021-01-01"
    assert banner.select_one(".gk-validity-banner__reason").get_text(strip=True).startswith("原因：有效期届满")
    holidays = page(HOLIDAYS).select_one(".gk-validity-banner")
    assert holidays.select_one(".gk-banner__title").get_text(strip=True) == "本文件已失效"   # no date was published
    assert holidays.select_one(".gk-validity-banner__reason").get_text(strip=True) == "原因：本通知安排的是2019年的节假日，年度已过。"


def test_interpretations_are_linked_near_the_top(page):
    soup = page(LEGALITY)
    top = soup.select_one(".gk-related-top")
    assert top.get_text(strip=True).startswith("本文件的解读：")
    assert top.a.get_text(strip=True) == "让“红头文件”不再任性——司法部有关负责人详解行政规范性文件合法性审核机制"
    html = str(soup.main)
    assert html.index("gk-doc-meta") < html.index("gk-related-top") < html.index("data-pagefind-body")


def test_related_information_marks_expired_items(page, documents):
    ended = {url_of(d): d for d in documents if d.meta.get("validity") in ("expired", "repealed")}
    seen = 0
    for doc in documents:
        for item in page(url_of(doc)).select(".gk-related-auto__item"):
            href = item.a["href"].split("xxgk/", 1)[-1]
            tag = item.select_one(".gk-tag--ended")
            if "xxgk/" + href in ended:
                seen += 1
                assert tag is not None and tag.get_text(strip=True) == "已失效", (doc.path, href)
            else:
                assert tag is None
    assert seen


AXE_PAGES = {"expired policy": TRACTOR, "policy with interpretation": LEGALITY,
             "solicitation with per-comment feedback": "xxgk/11230129MB1848123X-2023-00002/",
             "solicitation with overdue feedback": "xxgk/11230129MB1848123X-2023-00004/",
             "annual reports": "annual-report/"}


@pytest.mark.parametrize("width", [1280, 375])
def test_these_pages_pass_axe(browser, base_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        for name, rel in AXE_PAGES.items():
            page = context.new_page()
            page.goto(f"{base_url}/{rel}")
            bad = serious(axe_run(page))
            page.close()
            assert bad == [], f"{name}: {bad}"
    finally:
        context.close()
