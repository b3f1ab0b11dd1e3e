"""Timeliness (条例 第二十六条): information is to be disclosed within 20
working days of being made. A warning when `date` (发布日期) is more than 20
working days after `written` (成文日期).

Working days come from chinese_calendar (statutory holidays and adjusted
working days as the State Council announces them). The library only knows the
years it ships data for; for a day outside them this module counts Monday to
Friday instead and says so in the warning. Holidays only ever remove working
days, so when the Monday-to-Friday count is within the limit the real count
is too, and no warning is given."""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from gongkai.core.problems import WARNING, Problem

LIMIT = 20   # working days, 条例 第二十六条


def working_days_after(start: date, end: date):
    """Working days in (start, end]: (count, years without calendar data)."""
    count, unknown = 0, set()
    day = start + timedelta(days=1)
    while day <= end:
        try:
            workday = chinese_calendar.is_workday(day)
        except NotImplementedError:   # year outside the library's data
            unknown.add(day.year)
            workday = day.weekday() < 5
        count += workday
        day += timedelta(days=1)
    return count, sorted(unknown)


def check_timeliness(docs, index, ctx):
    """CORPUS_CHECKS entry."""
    for doc in docs:
        written, published = doc.meta.get("written"), doc.meta.get("date")
        if not isinstance(written, date) or not isinstance(published, date):
            continue
        if (published - written).days <= LIMIT:   # cannot hold more than 20 working days
            continue
        days, unknown = working_days_after(written, published)
        if days <= LIMIT:
            continue
        note = ""
        if unknown:
            years = "、".join(str(y) for y in unknown)
            note = f"（日历库没有 {years} 年的节假日数据，按周一至周五估算）"
        yield Problem(doc.path, doc.line_of("date"), "date", "late_disclosure",
                      {"date": published.isoformat(), "written": written.isoformat(),
                       "days": days, "note": note}, WARNING)
