"""意见征集 (comment solicitations): their state at a given moment, the values
their pages show, and the checks make check and the build run over them.

The state is never stored. It is computed from opens/closes/feedback and an
`asof` moment (the build clock, gongkai.settings.asof), so a build is
reproducible and a solicitation moves on by itself at the next build:

    upcoming  未开始   asof < opens
    open      征集中   opens <= asof < closes     (with days left)
    closed    已结束   closes <= asof, feedback not yet published by asof
    responded 已反馈   closes <= asof, feedback.published <= asof's date

A closed solicitation whose feedback is later than the overdue limit
(GONGKAI_FEEDBACK_OVERDUE_DAYS after closing) says so plainly (Status.overdue).

A page is read long after it was built, so the build also writes, with
`view_data`, every moment and every text the state can take; the theme's
solicitation.js corrects the state at view time from them (without
JavaScript the build's state stands).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from urllib.parse import quote

from gongkai.core import schema
from gongkai.core.problems import WARNING, Problem
from gongkai.core.settings import TZ

UPCOMING, OPEN, CLOSED, RESPONDED = "upcoming", "open", "closed", "responded"
STATES = (OPEN, UPCOMING, CLOSED, RESPONDED)   # the order listings offer them
LABELS = {UPCOMING: "未开始", OPEN: "征集中", CLOSED: "已结束", RESPONDED: "已反馈"}
CLOSED_NOTICE = "意见征集已结束，正在整理反馈意见"
STATE_LABEL = "征集状态"   # computed, so not a schema field


def _fmt(value) -> str:
    """How staff write a moment in front-matter (and so how messages quote it)."""
    if isinstance(value, datetime):
        return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, date) else str(value)


def _zh(value: datetime) -> str:
    value = value.astimezone(TZ)
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


@dataclass(frozen=True)
class Status:
    """A solicitation seen at one moment (asof)."""
    state: str
    opens: datetime
    closes: datetime
    asof: datetime
    feedback: dict | None     # the feedback, only once it is published by asof
    limit: int | None = None  # GONGKAI_FEEDBACK_OVERDUE_DAYS: days to publish the feedback in

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def overdue_at(self) -> datetime | None:
        """From this moment on, unpublished feedback is overdue (make check warns)."""
        return None if self.limit is None else self.closes + timedelta(days=self.limit + 1)

    @property
    def overdue(self) -> bool:
        return self.state == CLOSED and self.overdue_at is not None and self.asof >= self.overdue_at

    @property
    def days_text(self) -> str:
        """The countdown of an open solicitation: 还剩 5 天, or 今天 17:30 截止."""
        if self.state != OPEN:
            return ""
        if self.days_left == 0:
            return _today_text(self.closes)
        return f"还剩 {self.days_left} 天"

    @property
    def shows_ways(self) -> bool:
        """The ways to respond are shown until the period closes."""
        return self.state in (UPCOMING, OPEN)

    @property
    def days_left(self) -> int | None:
        """Calendar days until the closing day (0 on the closing day itself)."""
        if self.state != OPEN:
            return None
        return (self.closes.astimezone(TZ).date() - self.asof.astimezone(TZ).date()).days

    @property
    def period_days(self) -> int:
        return period_days(self.opens, self.closes)

    @property
    def banner(self) -> str:
        """The one line a visitor reads first: 征集中（还剩 5 天）."""
        if self.state == OPEN:
            return f"征集中（{self.days_text}）"
        if self.state == UPCOMING:
            return f"未开始（{_zh(self.opens)} 开始征集）"
        if self.state == CLOSED:
            return OVERDUE_BANNER if self.overdue else "已结束"
        return "已反馈"

    @property
    def summary(self) -> str:
        """One sentence for feeds: the state and what it means."""
        if self.state == CLOSED:
            return f"已结束：{self.notice}"
        if self.state == RESPONDED:
            return "已反馈：意见采纳情况已公布"
        return self.banner

    @property
    def notice(self) -> str:
        """What stands where the ways to respond were, once they no longer apply."""
        if self.state == UPCOMING:
            return f"征集尚未开始，将于 {_zh(self.opens)} 开始，届时可按下列方式提出意见。"
        if self.state == CLOSED:
            return _overdue_notice(self) if self.overdue else CLOSED_NOTICE
        if self.state == RESPONDED:
            return "意见征集已结束，意见采纳情况如下。"
        return f"请在 {_zh(self.closes)}（北京时间）前，通过以下任一方式提出意见。"

    @property
    def closed_notice(self) -> str:
        """The notice once the period is over: this one's, or what it will say when it closes."""
        return self.notice if not self.shows_ways else CLOSED_NOTICE


OVERDUE_BANNER = "已结束（反馈意见逾期未公布）"


def _today_text(closes: datetime) -> str:
    return f"今天 {closes.astimezone(TZ):%H:%M} 截止"


def _overdue_notice(st: Status) -> str:
    """Said plainly, and true whenever it is read: no count of days that would go stale."""
    return (f"本次意见征集已于 {_zh(st.closes)} 截止。意见采纳情况应在截止后 {st.limit} 天内公布，"
            f"至今尚未公布，自 {_zh(st.overdue_at)} 起已逾期。")


def view_data(st: Status) -> dict:
    """What solicitation.js needs to show the state at the moment a page is read:
    the moments (ISO 8601 with the offset) and the text of each state, all from
    this module, so the browser repeats no wording. `{days}` stands for the days left."""
    at = {state: Status(state, st.opens, st.closes, st.asof, st.feedback, st.limit) for state in LABELS}
    open_days = f"还剩 {{days}} 天"
    data = {
        "state": st.state,
        "opens": st.opens.isoformat(), "closes": st.closes.isoformat(),
        "overdue": st.overdue_at.isoformat() if st.overdue_at else None,
        "label": dict(LABELS),
        "banner": {UPCOMING: at[UPCOMING].banner, OPEN: f"征集中（{open_days}）",
                   "today": f"征集中（{_today_text(st.closes)}）", CLOSED: "已结束", "overdue": OVERDUE_BANNER,
                   RESPONDED: "已反馈"},
        "days": {OPEN: open_days, "today": _today_text(st.closes)},
        "notice": {UPCOMING: at[UPCOMING].notice, OPEN: at[OPEN].notice, CLOSED: CLOSED_NOTICE,
                   RESPONDED: at[RESPONDED].notice},
    }
    if st.overdue_at is not None:
        data["notice"]["overdue"] = _overdue_notice(at[CLOSED])
    return data


def moments(doc) -> list:
    """[(moment, what)] at which a solicitation's page changes by itself: it opens,
    it closes, its feedback is published (at 00:00 that day). For scheduled rebuilds."""
    if doc.type != "solicitation":
        return []
    opens, closes = _moment(doc.meta.get("opens")), _moment(doc.meta.get("closes"))
    out = []
    if opens is not None:
        out.append((opens, "opens"))
    if closes is not None:
        out.append((closes, "closes"))
    feedback = doc.meta.get("feedback")
    published = feedback.get("published") if isinstance(feedback, dict) else None
    if isinstance(published, date):
        out.append((datetime.combine(published, time(0, 0), TZ), "feedback"))
    return out


def period_days(opens: datetime, closes: datetime) -> int:
    """The period in calendar days, as notices state it (3月6日至4月5日: 30 天)."""
    return (closes.astimezone(TZ).date() - opens.astimezone(TZ).date()).days


def _moment(value) -> datetime | None:
    return value if isinstance(value, datetime) else None


def status(doc, asof: datetime, limit: int | None = None) -> Status | None:
    """The state of a solicitation Document at `asof`; None if not a
    solicitation or its dates are unusable (the validator reports those).
    limit: GONGKAI_FEEDBACK_OVERDUE_DAYS, for Status.overdue."""
    if doc.type != "solicitation":
        return None
    opens, closes = _moment(doc.meta.get("opens")), _moment(doc.meta.get("closes"))
    if opens is None or closes is None:
        return None
    if asof.tzinfo is None:
        asof = asof.replace(tzinfo=TZ)
    feedback = doc.meta.get("feedback")
    published = feedback.get("published") if isinstance(feedback, dict) else None
    if asof < opens:
        return Status(UPCOMING, opens, closes, asof, None, limit)
    if asof < closes:
        return Status(OPEN, opens, closes, asof, None, limit)
    if isinstance(published, date) and published <= asof.astimezone(TZ).date():
        return Status(RESPONDED, opens, closes, asof, feedback, limit)
    return Status(CLOSED, opens, closes, asof, None, limit)


# --- values for the pages -----------------------------------------------------

def meta_rows(rows: list, st: Status) -> list:
    """A solicitation's 信息索引 rows (present.meta_rows) with its state at the
    build clock before the period."""
    at = next((i for i, (_label, _value, field) in enumerate(rows) if field == "opens"), len(rows))
    return rows[:at] + [(STATE_LABEL, st.label, "state")] + rows[at:]


def mailto(address: str, title: str) -> str:
    """mailto: link with the subject pre-filled (UTF-8, percent-encoded)."""
    return f"mailto:{address}?subject={quote(title, safe='')}"


def ways_to_respond(doc) -> list:
    """[{field, label, value, href}] in the order the schema lists them."""
    ways = doc.meta.get("ways_to_respond") or {}
    title = doc.meta.get("title") or ""
    out = []
    for field in schema.properties("solicitation")["ways_to_respond"]["properties"]:
        value = ways.get(field)
        if not value:
            continue
        href = None
        if field == "email":
            href = mailto(value, title)
        elif field == "phone":
            href = "tel:" + "".join(ch for ch in value if ch.isdigit() or ch == "+")
        elif field == "online_form":
            href = value
        out.append({"field": field, "label": schema.field_label(f"ways_to_respond.{field}"),
                    "value": value, "href": href})
    return out


def feedback_rows(feedback: dict | None) -> list:
    """[(label, value)] for the feedback summary table."""
    if not feedback:
        return []
    received, adopted = feedback.get("received"), feedback.get("adopted")
    rows = [(schema.field_label("feedback.published"), feedback.get("published")),
            ("收到意见", f"{received} 条"), ("采纳意见", f"{adopted} 条")]
    if isinstance(received, int) and isinstance(adopted, int):
        rows.append(("未采纳意见", f"{received - adopted} 条"))
    return rows


def comment_table(feedback: dict | None) -> dict | None:
    """The per-comment table (feedback.comments): {caption, headings, rows}; headings
    are the schema's titles, a missing reason says the source gave none."""
    comments = (feedback or {}).get("comments")
    if not comments:
        return None
    spec = schema.properties("solicitation")["feedback"]["properties"]["comments"]
    titles = {k: v.get("title", k) for k, v in spec["items"]["properties"].items()}
    rows = [[str(i), item.get("from") or "", item.get("comment") or "",
             "采纳" if item.get("adopted") else "未采纳", item.get("reason") or "原文未说明理由"]
            for i, item in enumerate(comments, 1)]
    return {"caption": spec["title"], "headings": ["序号", titles["from"], titles["comment"], titles["adopted"],
                                                    titles["reason"]], "rows": rows}


# --- calendar ------------------------------------------------------------------

@lru_cache(maxsize=1)
def _vtimezone():
    """Asia/Shanghai as a VTIMEZONE, computed once (about 40 ms) and shared by every file."""
    from icalendar import Timezone
    return Timezone.from_tzid("Asia/Shanghai")


def ics(doc, st: Status, url: str, org: str) -> bytes:
    """An iCalendar file with one event that ends at the closing moment, and
    a reminder a day before. Written with the icalendar library."""
    from icalendar import Alarm, Calendar, Event

    stamp_day = doc.meta.get("modified") or doc.meta.get("date") or st.opens.date()
    stamp = datetime.combine(stamp_day, time(0, 0), TZ).astimezone(timezone.utc)
    uid = f"{str(doc.meta.get('index_no')).replace('/', '-')}.closes@{org}"
    title = doc.meta.get("title") or ""
    ways = "；".join(f"{w['label']}：{w['value']}" for w in ways_to_respond(doc))
    description = f"{title}\n截止时间：{_zh(st.closes)}（北京时间）\n{ways}\n{url}".strip()
    event = Event.new(uid=uid, stamp=stamp, start=st.closes - timedelta(minutes=30), end=st.closes,
                      summary=f"意见征集截止：{title}", description=description,
                      url=url or None, last_modified=stamp)
    alarm = Alarm.new(description=f"意见征集明天截止：{title}")
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    cal = Calendar.new(prodid="-//延寿县人民政府//政务公开 意见征集//ZH", name=f"意见征集：{title}",
                       uid=uid.replace(".closes@", ".calendar@"), subcomponents=[event])
    cal.subcomponents.insert(0, _vtimezone())  # what add_missing_timezones() would add
    return cal.to_ical()


# --- checks (registered in gongkai.validate.CORPUS_CHECKS) ----------------------

def corpus_checks(docs, index, ctx):
    """Every solicitation's period and feedback; every decision's link to it."""
    settings = ctx["settings"]
    min_days = int(settings["GONGKAI_MIN_SOLICITATION_DAYS"])
    overdue_days = int(settings["GONGKAI_FEEDBACK_OVERDUE_DAYS"])
    asof = ctx.get("asof")
    for doc in docs:
        if doc.type == "solicitation":
            yield from _check_solicitation(doc, index, min_days, overdue_days, asof)
        elif doc.type == "decision":
            yield from _check_decision(doc, index)


def _check_solicitation(doc, index, min_days, overdue_days, asof):
    opens, closes = _moment(doc.meta.get("opens")), _moment(doc.meta.get("closes"))
    if opens is None or closes is None:
        return  # missing or malformed: the schema check has said so
    if closes < opens:
        yield Problem(doc.path, doc.line_of("closes"), "closes", "solicitation_closes_before_opens",
                      {"opens": _fmt(opens), "closes": _fmt(closes)})
        return
    days = period_days(opens, closes)
    if days < min_days and not doc.meta.get("short_period_reason"):
        yield Problem(doc.path, doc.line_of("closes"), "closes", "solicitation_period_too_short",
                      {"days": days, "min_days": min_days,
                       "suggested": _fmt((opens + timedelta(days=min_days)).date())})
    feedback = doc.meta.get("feedback")
    published = feedback.get("published") if isinstance(feedback, dict) else None
    if isinstance(published, date) and published < closes.astimezone(TZ).date():
        yield Problem(doc.path, doc.line_of("feedback.published"), "feedback.published",
                      "solicitation_feedback_before_closes",
                      {"published": _fmt(published), "closes": _fmt(closes)})
    if isinstance(feedback, dict):
        received, adopted = feedback.get("received"), feedback.get("adopted")
        if isinstance(received, int) and isinstance(adopted, int) and adopted > received:
            yield Problem(doc.path, doc.line_of("feedback.adopted"), "feedback.adopted",
                          "solicitation_adopted_exceeds_received", {"adopted": adopted, "received": received})
    if asof is not None:
        st = status(doc, asof, overdue_days)
        if st is not None and st.overdue:
            waited = (asof - closes).days
            if waited > overdue_days:
                yield Problem(doc.path, 1, "feedback", "solicitation_feedback_overdue",
                              {"closes": _fmt(closes), "days": waited, "limit": overdue_days}, WARNING)


def _check_decision(doc, index):
    target = index.get(doc.meta.get("solicitation"))
    decided = doc.meta.get("decision_date")
    if target is None or target.type != "solicitation" or not isinstance(decided, date):
        return
    closes = _moment(target.meta.get("closes"))
    if closes is not None and decided < closes.astimezone(TZ).date():
        yield Problem(doc.path, doc.line_of("decision_date"), "decision_date",
                      "decision_before_solicitation_closes", {"closes": _fmt(closes), "other": target.path})
