"""make schedule (issue 16): rebuilds at every coming opening, closing and feedback
moment of a solicitation, generated from content/ as a systemd drop-in for
gongkai-rebuild.timer and as crontab lines. systemd's own parser checks the units."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT, run_script
from test_solicitations import LIFECYCLE   # the 2026 rider solicitation: opens 09-01 10:00, closes 09-10 17:30,
                                           # feedback 2026-09-25; Ningjin closed in 2023

TITLE = "关于公开征求《外卖骑手“食安哨兵”小额举报奖励实施方案》意见的通告"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def schedule(tmp_path, asof: str):
    out = tmp_path / "schedule"
    result = run_script("schedule.py", "--content", LIFECYCLE, "--output", out, env={"ASOF": asof})
    assert result.returncode == 0, result.stderr
    return result.stdout, (out / "moments.conf").read_text(encoding="utf-8"), (out / "crontab").read_text(encoding="utf-8")


def entries(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def test_every_coming_moment_becomes_a_timer_and_a_cron_line(tmp_path):
    stdout, timer, cron = schedule(tmp_path, "2026-08-25T09:00")
    assert entries(timer, "OnCalendar=") == ["OnCalendar=2026-09-01 10:00:00 Asia/Shanghai",
                                             "OnCalendar=2026-09-10 17:30:00 Asia/Shanghai",
                                             "OnCalendar=2026-09-25 00:00:00 Asia/Shanghai"]
    assert f"# 征集截止：{TITLE}" in timer
    daily = entries((ROOT / "deploy" / "crontab").read_text(encoding="utf-8"), "5 0 ")[0]
    command = daily.split(None, 5)[5]
    assert [ln for ln in cron.splitlines() if ln and not ln.startswith("#")] == [
        daily, f"0 10 1 9 * {command}", f"30 17 10 9 * {command}", f"0 0 25 9 * {command}"]
    assert "共 3 个即将到来的时刻" in stdout
    assert f"2026-09-10 17:30  征集截止：{TITLE}" in stdout


def test_only_moments_still_to_come(tmp_path):
    _, timer, cron = schedule(tmp_path, "2026-09-05T09:00")      # open: the opening has passed
    assert entries(timer, "OnCalendar=") == ["OnCalendar=2026-09-10 17:30:00 Asia/Shanghai",
                                             "OnCalendar=2026-09-25 00:00:00 Asia/Shanghai"]
    stdout, timer, cron = schedule(tmp_path, "2026-10-10T09:00")  # all passed: the daily line stays
    assert entries(timer, "OnCalendar=") == []
    assert [ln for ln in cron.splitlines() if ln and not ln.startswith("#")] == \
        entries((ROOT / "deploy" / "crontab").read_text(encoding="utf-8"), "5 0 ")
    assert "没有即将到来的意见征集时刻" in stdout


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_drop_in_and_the_units(tmp_path):
    _, timer, _ = schedule(tmp_path, "2026-08-25T09:00")
    units = tmp_path / "units"
    (units / "gongkai-rebuild.timer.d").mkdir(parents=True)
    for name in ("gongkai-rebuild.service", "gongkai-rebuild.timer", "gongkai-schedule.path", "gongkai-schedule.service"):
        shutil.copy(ROOT / "deploy" / name, units / name)
    # installed as docs/operations.md says: a link to the file make schedule rewrites
    (units / "gongkai-rebuild.timer.d" / "moments.conf").symlink_to(tmp_path / "schedule" / "moments.conf")
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", "gongkai-rebuild.timer", "gongkai-schedule.path"],
                            cwd=units, env={"SYSTEMD_UNIT_PATH": f"{units}:", "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    for line in entries(timer, "OnCalendar="):
        spec = line.split("=", 1)[1]
        parsed = subprocess.run([SYSTEMD_ANALYZE, "calendar", spec], capture_output=True, text=True)
        assert f"Normalized form: {spec}" in parsed.stdout, parsed.stderr
    # a broken line would be reported (so the check above means something)
    (tmp_path / "schedule" / "moments.conf").write_text(timer + "OnCalendar=2026-13-45 99:00\n", encoding="utf-8")
    broken = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", "gongkai-rebuild.timer"], cwd=units,
                            env={"SYSTEMD_UNIT_PATH": f"{units}:", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert "Failed to parse calendar specification" in broken.stderr


def test_make_schedule_and_the_rebuild_script_run_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\nschedule: " in makefile and "scripts/schedule.py" in makefile
    assert "schedule" in (ROOT / "scripts" / "rebuild.sh").read_text(encoding="utf-8")
    ops = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert "make schedule" in ops and "gongkai-schedule.path" in ops and "moments.conf" in ops
