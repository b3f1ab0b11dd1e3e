"""Real solicitation cycles in content/ (issue 16), from ../shared/corpus/solicitation-cycles/:
each page links its feedback and decision both ways, shows per-comment adoption where the
source listed it, and says plainly what the source did not publish."""
from __future__ import annotations

import pytest

MINHANG = "xxgk/11230129MB1848123X-2023-00002/"           # feedback + issued plan, notice missing
MINHANG_PLAN = "xxgk/11230129MB1848123X-2023-00003/"
PUTUO = "xxgk/11230129MB1848123X-2024-00003/"             # feedback + executive meeting, notice missing
PUTUO_MEETING = "xxgk/11230129MB1848123X-2024-00004/"
PUTUO_POLLUTION = "xxgk/11230129MB1848123X-2023-00004/"   # notice, feedback never published


def rows(soup) -> dict:
    return {r.dt.get_text(strip=True): r.dd for r in soup.select(".gk-doc-meta__row")}


@pytest.mark.parametrize("sol, decision, decision_title", [
    (MINHANG, MINHANG_PLAN, "关于印发《上海市闵行区突发地质灾害应急预案》的通知"),
    (PUTUO, PUTUO_MEETING, "审议《上海市普陀区持续优化生活垃圾全程分类体系工作方案》"),
])
def test_a_real_cycle_links_its_decision_both_ways(page, sol, decision, decision_title):
    soup = page(sol)
    assert soup.select_one(".gk-solicitation-banner__title").get_text(strip=True) == "已反馈"
    assert rows(soup)["对应的决策结果"].a["href"].endswith(decision)
    assert soup.select_one(".gk-solicitation-feedback__decision a").get_text(strip=True) == decision_title
    back = page(decision)
    assert rows(back)["对应的意见征集"].a["href"].endswith(sol)
    assert back.select_one(".gk-decision-solicitation a")["href"].endswith(sol)


@pytest.mark.parametrize("rel, says", [
    (MINHANG, "原征求意见公告及征求意见稿全文未能获取"),
    (MINHANG_PLAN, "所存页面为节选"),
    (PUTUO, "原征求意见公告及草案全文未能获取"),
    (PUTUO_MEETING, "方案的印发通知和正式文本未能获取"),
    (PUTUO_POLLUTION, "意见采纳情况反馈未能找到"),
])
def test_what_the_source_did_not_publish_is_said(page, rel, says):
    assert says in rows(page(rel))["未能获取的部分"].get_text()


def test_feedback_as_the_source_states_it(page):
    soup = page(PUTUO)
    summary = soup.select_one(".gk-solicitation-feedback table")
    cells = {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in summary.find_all("tr")}
    assert cells == {"反馈发布日期": "2024年5月15日", "收到意见": "0 条", "采纳意见": "0 条", "未采纳意见": "0 条"}
    period = soup.select_one(".gk-solicitation-banner__period").get_text("", strip=True)
    assert period == "征集期：2024年3月29日 00:00至2024年4月29日 23:59（北京时间）"
    assert rows(page(PUTUO_MEETING))["决策会议"].get_text(strip=True) == "普陀区政府第64次常务会议"


def test_per_comment_adoption_table(page):
    table = page(MINHANG).select_one(".gk-solicitation-feedback__comments")
    assert table.caption.get_text(strip=True) == "逐条意见及采纳情况"
    assert [th.get_text(strip=True) for th in table.thead.find_all("th")] == ["序号", "提出者", "意见", "是否采纳", "理由"]
    body = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
    assert body[0][:2] == ["1", "区委宣传部（征询单位）"]
    assert body[0][3:] == ["采纳", "原文未说明理由"]     # the source gave no reason: said, not made up
    assert len(body) == 2


def test_a_real_solicitation_whose_feedback_never_came(page):
    soup = page(PUTUO_POLLUTION)
    assert soup.select_one(".gk-solicitation-banner__title").get_text(strip=True) == "已结束（反馈意见逾期未公布）"
    assert soup.select_one(".gk-solicitation-respond__notice").get_text(strip=True) == (
        "本次意见征集已于 2023年5月26日 23:59 截止。意见采纳情况应在截止后 30 天内公布，至今尚未公布，"
        "自 2023年6月26日 23:59 起已逾期。")
    assert "正在整理反馈意见" not in soup.main.get_text()


@pytest.mark.parametrize("width", [375, 1280])
def test_per_comment_table_reads_on_a_phone(browser, base_url, width):
    """At 375 px each comment is a block of labelled lines, no sideways scroll; at 1280 a table."""
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(f"{base_url}/{MINHANG}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        cell = page.locator(".gk-solicitation-feedback__comments td").nth(2)   # 意见 of the first comment
        box = cell.bounding_box()
        if width == 375:
            assert box["width"] > 300
            assert page.evaluate("el => getComputedStyle(el, '::before').content", cell.element_handle()) == '"意见："'
        else:
            assert page.locator(".gk-solicitation-feedback__comments thead").is_visible()
    finally:
        page.close()
