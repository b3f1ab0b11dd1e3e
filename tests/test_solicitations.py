"""意见征集 and 决策结果 (issue 5): the state a visitor sees at each moment of a
solicitation's life, everywhere it shows (page, open-now listing, state
pages, home, feed, calendar file), and each check make check runs.

The lifecycle tree (tests/fixtures/solicitations/lifecycle/) holds the real
2026 Pingtan solicitation with test feedback and a decision added (the file
says so), and the real 2023 Ningjin solicitation. It is built once per moment
with the real build script; the clock is ASOF, never the real one."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest

from conftest import FIXTURES, ROOT, build_site, run_script, soup_of
from gongkai.core import solicitation as sol
from gongkai.core.model import read_document

LIFECYCLE = FIXTURES / "solicitations" / "lifecycle"
CHECKS = FIXTURES / "solicitations" / "checks"
TZ = ZoneInfo("Asia/Shanghai")
RIDER = "xxgk/11230129MB1848123X-2026-00002/"        # opens 2026-09-01 10:00, closes 2026-09-10 17:30
NINGJIN = "xxgk/11230129MB1848123X-2023-00001/"      # closed 2023-04-05, no feedback
DECISION = "xxgk/11230129MB1848123X-2026-09001/"     # the fixture decision that follows RIDER
RIDER_TITLE = "关于公开征求《外卖骑手“食安哨兵”小额举报奖励实施方案》意见的通告"
MOMENTS = {
    "before": "2026-08-25T09:00",     # 未开始
    "during": "2026-09-05T09:00",     # 征集中（还剩 5 天）
    "after": "2026-09-15T09:00",      # 已结束; the fixture's feedback (2026-09-25) is not out yet
    "feedback": "2026-10-10T09:00",   # 已反馈
}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """built(moment) -> output folder of the lifecycle tree built at that moment (each built once)."""
    cache = {}

    def at(moment: str):
        if moment not in cache:
            out = tmp_path_factory.mktemp(f"solicitations-{moment}") / "output"
            result = build_site(LIFECYCLE, out, asof=MOMENTS[moment])
            assert result.returncode == 0, result.stderr + result.stdout
            cache[moment] = out
        return cache[moment]
    return at


def page_at(built, moment, rel):
    return soup_of(built(moment) / rel / "index.html")


def banner(soup) -> str:
    return soup.select_one(".gk-solicitation-banner__title").get_text(strip=True)


# --- the state, computed from the dates and asof --------------------------------

@pytest.fixture(scope="module")
def rider_doc():
    return read_document(LIFECYCLE / "solicitation" / "solicitation_with_feedback_and_decision.md", LIFECYCLE)


@pytest.mark.parametrize("asof, state, text", [
    ("2026-09-01T09:59", "upcoming", "未开始（2026年9月1日 10:00 开始征集）"),
    ("2026-09-01T10:00", "open", "征集中（还剩 9 天）"),
    ("2026-09-05T09:00", "open", "征集中（还剩 5 天）"),
    ("2026-09-09T23:59", "open", "征集中（还剩 1 天）"),
    ("2026-09-10T09:00", "open", "征集中（今天 17:30 截止）"),
    ("2026-09-10T17:30", "closed", "已结束"),
    ("2026-09-24T23:59", "closed", "已结束"),
    ("2026-09-25T00:00", "responded", "已反馈"),
])
def test_state_follows_the_clock(rider_doc, asof, state, text):
    st = sol.status(rider_doc, datetime.fromisoformat(asof).replace(tzinfo=TZ))
    assert (st.state, st.banner) == (state, text)
    assert (st.feedback is not None) == (state == "responded")


# --- the solicitation page at each moment ---------------------------------------

@pytest.mark.parametrize("moment, text", [
    ("before", "未开始（2026年9月1日 10:00 开始征集）"),
    ("during", "征集中（还剩 5 天）"),
    ("after", "已结束"),
    ("feedback", "已反馈"),
])
def test_page_banner_shows_state(built, moment, text):
    soup = page_at(built, moment, RIDER)
    assert banner(soup) == text
    state_row = soup.select_one(".gk-doc-meta__row--state dd").get_text(strip=True)
    assert state_row == text.split("（")[0]


def test_period_shows_full_closing_date_and_time(built):
    soup = page_at(built, "during", RIDER)
    period = soup.select_one(".gk-solicitation-banner__period")
    assert period.get_text("", strip=True) == "征集期：2026年9月1日 10:00至2026年9月10日 17:30（北京时间）"
    assert [t["datetime"] for t in period.find_all("time")] == ["2026-09-01T10:00+08:00", "2026-09-10T17:30+08:00"]
    rows = {r.dt.get_text(strip=True): r.dd for r in soup.select(".gk-doc-meta__row")}
    assert rows["截止时间"].time["datetime"] == "2026-09-10T17:30+08:00"
    assert rows["联系单位"].get_text(strip=True) == "平潭综合实验区市场监督管理局"


def test_ways_to_respond_while_open(built):
    soup = page_at(built, "during", RIDER)
    section = soup.select_one(".gk-solicitation-respond")
    assert section.h2.get_text(strip=True) == "如何提出意见"
    mail = section.select_one('a[href^="mailto:"]')
    parts = urlsplit(mail["href"])
    assert parts.path == "ptscjgspc@163.com"
    assert parse_qs(parts.query)["subject"] == [soup.h1.get_text(strip=True)] == [RIDER_TITLE]
    assert "%E5%A4%96%E5%8D%96" in parts.query          # the title is percent-encoded UTF-8, not raw
    assert mail.get_text(strip=True) == "发送电子邮件至 ptscjgspc@163.com"
    ways = {d.dt.get_text(strip=True): d.dd.get_text(strip=True) for d in section.select(".gk-solicitation-respond__way")}
    assert ways["通信地址"] == "平潭县金井湾商务营运中心7号楼5层512室"


def test_phone_is_a_tel_link_and_hidden_once_closed(built):
    doc = read_document(LIFECYCLE / "solicitation" / "solicitation_closed_without_feedback.md", LIFECYCLE)
    phone = next(w for w in sol.ways_to_respond(doc) if w["field"] == "phone")
    assert (phone["label"], phone["value"], phone["href"]) == ("联系电话", "0534-5426690", "tel:05345426690")
    # Ningjin closed in 2023: its page shows the notice, not the phone.
    soup = page_at(built, "during", NINGJIN)
    assert soup.select_one(".gk-solicitation-respond__way--phone") is None
    # Three years past the overdue limit: said plainly, not "正在整理" for ever (issue 16).
    assert soup.select_one(".gk-solicitation-respond__notice").get_text(strip=True) == (
        "本次意见征集已于 2023年4月5日 23:59 截止。意见采纳情况应在截止后 30 天内公布，至今尚未公布，"
        "自 2023年5月6日 23:59 起已逾期。")


def test_closed_page_replaces_ways_with_notice(built):
    soup = page_at(built, "after", RIDER)
    assert soup.select_one('a[href^="mailto:"]') is None
    assert soup.select_one(".gk-solicitation-respond__notice").get_text(strip=True) == "意见征集已结束，正在整理反馈意见"
    assert soup.select_one(".gk-solicitation-feedback") is None   # published 2026-09-25: not yet


def test_feedback_table_and_decision_once_published(built):
    soup = page_at(built, "feedback", RIDER)
    assert soup.select_one(".gk-solicitation-respond__notice").get_text(strip=True) == "意见征集已结束，意见采纳情况如下。"
    assert "正在整理反馈意见" not in soup.main.get_text()
    summary, not_adopted = soup.select(".gk-solicitation-feedback table")
    assert summary.caption.get_text(strip=True) == "意见采纳情况汇总"
    rows = {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in summary.find_all("tr")}
    assert all(th["scope"] == "row" for th in summary.find_all("th"))
    assert rows == {"反馈发布日期": "2026年9月25日", "收到意见": "12 条", "采纳意见": "9 条", "未采纳意见": "3 条"}
    assert not_adopted.caption.get_text(strip=True) == "未采纳的意见及理由"
    assert [(th.get_text(strip=True), th["scope"]) for th in not_adopted.find_all("th")] == [("意见", "col"), ("未采纳理由", "col")]
    link = soup.select_one(".gk-solicitation-feedback__decision a")
    assert link.get_text(strip=True) == "对国家开发银行福建省分行客户一处等12家金融机构予以表彰的决定"
    assert link["href"].endswith(DECISION)


def test_solicitation_and_decision_link_each_other_in_metadata(built):
    out = built("feedback")
    sol_rows = {r.dt.get_text(strip=True): r.dd for r in soup_of(out / RIDER / "index.html").select(".gk-doc-meta__row")}
    assert sol_rows["对应的决策结果"].a["href"].endswith(DECISION)
    dec = soup_of(out / DECISION / "index.html")
    dec_rows = {r.dt.get_text(strip=True): r.dd for r in dec.select(".gk-doc-meta__row")}
    assert dec_rows["对应的意见征集"].a["href"].endswith(RIDER)
    assert dec_rows["对应的意见征集"].a.get_text(strip=True) == RIDER_TITLE
    assert dec_rows["决策日期"].time["datetime"] == "2026-09-30"
    back = dec.select_one(".gk-decision-solicitation p").get_text(strip=True)
    assert back == f"{RIDER_TITLE}（已反馈）"


def test_calendar_link_on_page(built):
    link = page_at(built, "during", RIDER).select_one(".gk-solicitation-respond__ics")
    assert link["href"].endswith(RIDER + "closing.ics")
    assert link.get_text(strip=True) == "添加到日历：征集截止时间 2026年9月10日 17:30（ICS 文件）"


# --- listings ---------------------------------------------------------------------

def listed(soup) -> dict:
    """href tail -> the state text shown next to it."""
    return {a.select_one(".gk-solicitation-list__title")["href"].lstrip("./"):
            a.select_one(".gk-tag").get_text(strip=True) for a in soup.select(".gk-solicitation-list__item")}


def test_open_now_listing_follows_the_clock(built):
    assert listed(page_at(built, "during", "yjzj")) == {RIDER: "征集中（还剩 5 天）"}
    for moment in ("before", "after", "feedback"):
        soup = page_at(built, moment, "yjzj")
        assert listed(soup) == {}
        assert soup.select_one(".gk-solicitation-list__empty").get_text(strip=True) == "目前没有正在征集意见的草案。"


@pytest.mark.parametrize("moment, filter_page, expected", [
    ("before", "upcoming", {RIDER: "未开始（2026年9月1日 10:00 开始征集）"}),
    ("after", "closed", {RIDER: "已结束", NINGJIN: "已结束（反馈意见逾期未公布）"}),
    ("feedback", "closed", {NINGJIN: "已结束（反馈意见逾期未公布）"}),
    ("feedback", "responded", {RIDER: "已反馈"}),
    ("feedback", "all", {RIDER: "已反馈", NINGJIN: "已结束（反馈意见逾期未公布）"}),
])
def test_state_filter_pages(built, moment, filter_page, expected):
    soup = page_at(built, moment, f"yjzj/{filter_page}")
    assert listed(soup) == expected
    current = soup.select_one('.gk-solicitation-filter a[aria-current="page"]')
    assert current["href"].endswith(f"yjzj/{filter_page}/")


def test_filter_counts_and_feed_link(built):
    soup = page_at(built, "during", "yjzj")
    labels = [a.get_text(strip=True) for a in soup.select(".gk-solicitation-filter a")]
    assert labels == ["征集中（1）", "全部（2）", "未开始（0）", "已结束（1）", "已反馈（0）"]
    assert soup.find("link", rel="alternate", type="application/atom+xml")["href"].endswith("yjzj/atom.xml")


def test_home_page_lists_open_solicitations(built):
    """The home page (issue 3's template) shows open_solicitations from this plugin
    in its 正在征集意见 section."""
    def open_section(moment):
        home = soup_of(built(moment) / "index.html")
        heading = home.find("h2", string="正在征集意见")
        assert heading is not None, "home page has no 正在征集意见 section"
        section = heading.find_parent("section")
        return {a["href"].lstrip("./") for a in section.find_all("a") if "xxgk/" in a["href"]}, section.get_text()
    links, text = open_section("during")
    assert links == {RIDER}
    assert "还剩 5 天" in text
    links, text = open_section("after")
    assert links == set()
    assert "目前没有正在征集意见的草案。" in text


# --- feed ---------------------------------------------------------------------------

def feed_entries(out) -> dict:
    root = ET.parse(out / "yjzj" / "atom.xml").getroot()
    entries = {}
    for e in root.iter(f"{ATOM}entry"):
        href = e.find(f"{ATOM}link").get("href").lstrip("/")
        entries[href] = {"category": e.find(f"{ATOM}category").get("term"),
                         "summary": e.find(f"{ATOM}summary").text, "updated": e.find(f"{ATOM}updated").text,
                         "title": e.find(f"{ATOM}title").text}
    return entries


@pytest.mark.parametrize("moment, category, says", [
    ("before", "未开始", "未开始（2026年9月1日 10:00 开始征集）"),
    ("during", "征集中", "征集中（还剩 5 天）"),
    ("after", "已结束", "已结束：意见征集已结束，正在整理反馈意见"),
    ("feedback", "已反馈", "已反馈：意见采纳情况已公布"),
])
def test_feed_shows_state(built, moment, category, says):
    entry = feed_entries(built(moment))[RIDER]
    assert entry["title"] == RIDER_TITLE
    assert entry["category"] == category
    assert f"<p>{says}</p>" in entry["summary"]
    assert "征集期：2026年9月1日 10:00 至 2026年9月10日 17:30（北京时间）" in entry["summary"]


def test_feed_entry_updates_when_it_closes(built):
    assert feed_entries(built("during"))[RIDER]["updated"] == "2026-09-01T10:00:00+08:00"
    assert feed_entries(built("after"))[RIDER]["updated"] == "2026-09-10T17:30:00+08:00"


# --- calendar file ------------------------------------------------------------------

def test_ics_parses_back_with_closing_time(built):
    raw = (built("during") / RIDER / "closing.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(raw)
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    (event,) = cal.walk("VEVENT")
    assert event.end == datetime(2026, 9, 10, 17, 30, tzinfo=TZ)
    assert event.start < event.end
    assert str(event["SUMMARY"]) == f"意见征集截止：{RIDER_TITLE}"
    assert str(event["UID"]) == "11230129MB1848123X-2026-00002.closes@11230129MB1848123X"
    assert event["DTSTAMP"].dt.utcoffset().total_seconds() == 0
    text = raw.decode("utf-8")
    assert "DTEND;TZID=Asia/Shanghai:20260910T173000" in text
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"


def test_ics_is_reproducible(built):
    """The calendar file does not depend on the build clock (DTSTAMP from the document)."""
    assert (built("during") / RIDER / "closing.ics").read_bytes() == (built("after") / RIDER / "closing.ics").read_bytes()


# --- make check ---------------------------------------------------------------------

def rel(name: str) -> str:
    return str((CHECKS / name).relative_to(ROOT))


def line_of(name: str, key: str) -> int:
    """The line where `key` is written in the fixture (what the checker must point at)."""
    for n, text in enumerate((CHECKS / name).read_text(encoding="utf-8").split("\n"), start=1):
        if text.lstrip().startswith(key + ":"):
            return n
    raise AssertionError(f"{key} not in {name}")


def check(name: str, asof: str = "2026-09-05T09:00"):
    result = run_script("check.py", "--content", CHECKS, rel(name), env={"ASOF": asof})
    return result.returncode, result.stdout.splitlines()


CHECK_CASES = [
    ("solicitation/solicitation_closes_before_opens.md", "closes",
     "截止时间 (closes) — 早于开始时间 2026-09-01 10:00；应晚于开始时间"),
    ("solicitation/solicitation_period_too_short_without_reason.md", "closes",
     "截止时间 (closes) — 征集期只有 9 天，少于规定的 30 天；请把截止时间延到 2026-10-01 或以后，"
     "或填写征集期较短的理由 (short_period_reason)"),
    ("solicitation/solicitation_feedback_before_closes.md", "published",
     "反馈发布日期 (feedback.published) — 2026-09-08 早于征集截止时间 2026-09-10 17:30；反馈应在征集结束之后发布，请核对日期"),
    ("solicitation/solicitation_adopted_more_than_received.md", "adopted",
     "采纳意见（条） (feedback.adopted) — 采纳 5 条，多于收到的 3 条；采纳的意见数不能超过收到的意见数"),
    ("solicitation/solicitation_decision_is_a_policy.md", "decision",
     "对应的决策结果 (decision) — 索引号 11230129MB1848123X/2014-00001 是政策文件《关于加强全区电动自行车管理的通告》，"
     "不是决策结果；应填写 content/decision/ 中决策结果的索引号"),
    ("decision/decision_naming_missing_solicitation.md", "solicitation",
     "对应的意见征集 (solicitation) — 索引号 11230129MB1848123X/2026-09999 找不到对应的文件；应填写 content/ 中已有文件的索引号"),
    ("decision/decision_naming_a_policy.md", "solicitation",
     "对应的意见征集 (solicitation) — 索引号 11230129MB1848123X/2014-00001 是政策文件《关于加强全区电动自行车管理的通告》，"
     "不是意见征集；应填写 content/solicitation/ 中意见征集的索引号"),
    ("decision/decision_before_solicitation_closes.md", "decision_date",
     "决策日期 (decision_date) — 早于所对应意见征集（tests/fixtures/solicitations/checks/solicitation/"
     "solicitation_short_period_with_reason.md）的截止时间 2026-09-10 17:30；决策应在征集结束之后作出，请核对日期"),
]


@pytest.mark.parametrize("name, key, message", CHECK_CASES, ids=[c[0].split("/")[1][:-3] for c in CHECK_CASES])
def test_check_reports_error(name, key, message):
    code, lines = check(name)
    assert f"{rel(name)}:{line_of(name, key)}: {message}" in lines, "\n".join(lines)
    assert code == 1


def test_check_accepts_short_period_with_reason():
    code, lines = check("solicitation/solicitation_short_period_with_reason.md")
    assert [ln for ln in lines if ln.startswith(rel("solicitation/"))] == []
    assert code == 0


def test_check_warns_when_feedback_is_overdue():
    code, lines = check("solicitation/solicitation_closed_without_feedback.md")
    assert (f"{rel('solicitation/solicitation_closed_without_feedback.md')}:1: 意见反馈 (feedback) — 提醒： "
            "征集已于 2023-04-05 23:59 结束，已过 1248 天仍未公布意见反馈（期限 30 天）；"
            "请在 feedback 中公布收到和采纳意见的情况") in lines
    assert code == 0   # a warning: the public is waiting, but publishing is not blocked


@pytest.mark.parametrize("asof, warned", [("2026-10-10T17:30", False), ("2026-10-11T17:30", True)])
def test_overdue_warning_starts_after_the_configured_days(asof, warned):
    name = "solicitation/solicitation_short_period_with_reason.md"   # closes 2026-09-10 17:30
    code, lines = check(name, asof)
    overdue = [ln for ln in lines if ln.startswith(f"{rel(name)}:1: 意见反馈 (feedback) — 提醒：")]
    assert bool(overdue) == warned
    if warned:
        assert "已过 31 天仍未公布意见反馈（期限 30 天）" in overdue[0]
    assert code == 0
