"""make schedule: rebuilds at every coming moment a solicitation's page changes
by itself (it opens, it closes, its feedback is published), generated from
content/ (gongkai.core.solicitation.moments).

The daily rebuild (deploy/gongkai-rebuild.timer, deploy/crontab) runs at 00:05;
a draft opening at 10:00 or closing at 17:30 would otherwise be shown in the
wrong state until the next midnight to anyone without JavaScript, and in the
feed, the .ics and the listings to everyone. Two forms are written into
DEPLOY_DIR/schedule/ (or --output), rewritten whole on every run:

  moments.conf  a systemd drop-in for gongkai-rebuild.timer: one OnCalendar= per
                moment (deploy/gongkai-schedule.path reloads systemd when it changes)
  crontab       the daily line of deploy/crontab plus one line per moment
                (cron has no year: the file is rewritten after every rebuild, so a
                line never outlives its moment by a year)

scripts/rebuild.sh runs it after each publish, so the schedule follows content.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from gongkai.core import solicitation as sol
from gongkai.core.boundary import documents_in
from gongkai.core.corpus import read_files
from gongkai.core.settings import ROOT, TZ, asof, load

WHAT = {"opens": "开始征集", "closes": "征集截止", "feedback": "公布意见采纳情况"}
HEADER = "# 由 make schedule 根据 content/ 生成（{now}），每次重建后重写；请勿手动编辑。\n"
CRONTAB = ROOT / "deploy" / "crontab"
MESSAGES = {
    "written": "已写入 {path}",
    "count": "共 {count} 个即将到来的时刻（意见征集开始、截止、公布反馈），每个时刻重建一次网站：",
    "none": "没有即将到来的意见征集时刻；只保留每天 00:05 的重建。",
    "moment": "  {when}  {what}：{title}",
    "no_daily_line": "发布失败：deploy/crontab 中没有每日重建的那一行；请恢复该文件",
}


def coming(content: Path, now: datetime, settings: dict | None = None) -> list[tuple[datetime, str, str]]:
    """[(moment, what, title)] after `now`, in order; one entry per moment (the first title)."""
    folder = content / "solicitation"
    if not folder.is_dir():
        return []
    seen, out = set(), []
    for doc in read_files(documents_in([folder]), content, settings):
        for moment, what in sol.moments(doc):
            if moment > now and moment not in seen:
                seen.add(moment)
                out.append((moment, what, str(doc.meta.get("title") or doc.path)))
    return sorted(out)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(TZ)


def systemd_dropin(moments, now: datetime) -> str:
    """A drop-in adding each moment to gongkai-rebuild.timer (its daily OnCalendar stays)."""
    lines = [HEADER.format(now=f"{_local(now):%Y-%m-%d %H:%M}"),
             "# 安装见 docs/operations.md：链接到 /etc/systemd/system/gongkai-rebuild.timer.d/moments.conf\n",
             "[Timer]\n"]
    for moment, what, title in moments:
        lines.append(f"# {WHAT[what]}：{title}\n")
        lines.append(f"OnCalendar={_local(moment):%Y-%m-%d %H:%M:%S} Asia/Shanghai\n")
    return "".join(lines)


def daily_line(crontab: Path = CRONTAB) -> str:
    """The rebuild line of deploy/crontab: its command is the one each moment runs."""
    for line in crontab.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and len(line.split(None, 5)) == 6:
            return line
    raise ValueError(MESSAGES["no_daily_line"])


def cron_table(moments, now: datetime, crontab: Path = CRONTAB) -> str:
    """deploy/crontab's daily line plus one line per moment (server clock in Beijing time)."""
    daily = daily_line(crontab)
    command = daily.split(None, 5)[5]
    lines = [HEADER.format(now=f"{_local(now):%Y-%m-%d %H:%M}"),
             "# 服务器时钟须为北京时间（与每日 00:05 那一行相同）。安装：crontab -u gongkai 本文件\n",
             daily + "\n"]
    for moment, what, title in moments:
        at = _local(moment)
        lines.append(f"# {at:%Y-%m-%d %H:%M} {WHAT[what]}：{title}\n")
        lines.append(f"{at.minute} {at.hour} {at.day} {at.month} * {command}\n")
    return "".join(lines)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)   # a reader (systemd's path unit, crontab) never sees half a file


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="按意见征集的开始、截止时刻安排重建（systemd 定时器和 cron）")
    parser.add_argument("--content", default=str(ROOT / "content"))
    parser.add_argument("--output", default=None, help="输出目录（默认 DEPLOY_DIR/schedule）")
    args = parser.parse_args(argv)
    settings = load()
    now = asof(settings)
    deploy = Path(os.environ.get("DEPLOY_DIR") or ROOT / "deploy")
    out = Path(args.output) if args.output else (deploy if deploy.is_absolute() else ROOT / deploy) / "schedule"
    try:
        moments = coming(Path(args.content).absolute(), now, settings)
        cron = cron_table(moments, now)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "moments.conf", systemd_dropin(moments, now))
    _write(out / "crontab", cron)
    print(MESSAGES["count"].format(count=len(moments)) if moments else MESSAGES["none"])
    for moment, what, title in moments:
        print(MESSAGES["moment"].format(when=f"{_local(moment):%Y-%m-%d %H:%M}", what=WHAT[what], title=title))
    for name in ("moments.conf", "crontab"):
        print(MESSAGES["written"].format(path=out / name))
    return 0
