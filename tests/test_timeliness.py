"""Timeliness (issue 6, 条例 第二十六条): a warning when 发布日期 is more than
20 working days after 成文日期, counting statutory holidays and adjusted
working days from chinese_calendar."""
from __future__ import annotations

from datetime import date

from conftest import run_script
from gongkai.core.timeliness import working_days_after
from publishing_docs import seed_policy, write


def test_national_day_2018_holidays_and_adjusted_weekend_workdays_are_counted():
    # 2018-09-14 (Fri) -> 2018-10-19 (Fri): 中秋 9-24 off, 9-29/9-30 (Sat/Sun) worked,
    # 国庆 10-01..10-07 off: 5 + 4 + 2 + 5 + 5 = 21 working days (Monday-Friday would say 25).
    assert working_days_after(date(2018, 9, 14), date(2018, 10, 19)) == (21, [])
    # 2018-09-20 -> 2018-10-19: 1 + 4 + 2 + 5 + 5 = 17 (Monday-Friday would say 21).
    assert working_days_after(date(2018, 9, 20), date(2018, 10, 19)) == (17, [])


def test_late_disclosure_is_a_warning_with_the_count(tmp_path):
    content = tmp_path / "content"
    doc = write(content, "policy/late.md", seed_policy(written="2018-09-14", date="2018-10-19"))
    on_time = write(content, "policy/on-time.md", seed_policy(
        index_no="11230129MB1848123X/2018-00011", doc_no="延政发〔2018〕11号", written="2018-09-20", date="2018-10-19"))
    result = run_script("check.py", "--content", content)
    line = doc.read_text(encoding="utf-8").split("\n").index("date: 2018-10-19") + 1
    assert result.stdout.splitlines() == [
        f"{doc}:{line}: 发布日期 (date) — 提醒： 发布日期 2018-10-19 比成文日期 2018-09-14 晚 21 个工作日，"
        "超过条例第二十六条规定的 20 个工作日；请核对日期，如确属延期公开请在正文说明原因",
        "共 0 个错误、1 个提醒，涉及 1 个文件。提醒不阻止发布，但请核对。",
    ]
    assert str(on_time) not in result.stdout
    assert result.returncode == 0


def test_year_without_calendar_data_is_estimated_monday_to_friday_and_says_so(tmp_path):
    # chinese_calendar 1.11.0 has data for 2004..2026 only.
    assert working_days_after(date(2027, 1, 4), date(2027, 3, 1)) == (40, [2027])
    content = tmp_path / "content"
    doc = write(content, "policy/2027.md", seed_policy(
        index_no="11230129MB1848123X/2027-00001", written="2027-01-04", date="2027-03-01"))
    result = run_script("check.py", "--content", content)
    assert ("发布日期 2027-03-01 比成文日期 2027-01-04 晚 40 个工作日，超过条例第二十六条规定的 20 个工作日"
            "（日历库没有 2027 年的节假日数据，按周一至周五估算）；") in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0
