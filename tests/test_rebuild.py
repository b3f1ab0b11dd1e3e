"""scripts/rebuild.sh, the daily cron/systemd job: in a real clone of a real
origin, a good commit is pulled and published; a broken one exits non-zero,
says so in the log and leaves the live release untouched."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ASOF, FIXTURES, ROOT

SKIP = {".git", ".venv", "output", "content", "tests", ".cache", "test-artifacts", "node_modules",
        "releases", "current", ".pytest_cache", "__pycache__", "notes"}
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main"]


def git(cwd: Path, *args):
    return subprocess.run([*GIT, "-C", str(cwd), *args], capture_output=True, text=True, check=True)


@pytest.fixture
def clone(tmp_path):
    origin = tmp_path / "origin"
    shutil.copytree(ROOT, origin, ignore=lambda d, names: [n for n in names if n in SKIP or n.startswith(".lock")])
    shutil.copytree(FIXTURES / "deploy_content", origin / "content")
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "Site")
    work = tmp_path / "work"
    subprocess.run([*GIT, "clone", "-q", str(origin), str(work)], check=True)
    venv = Path(sys.prefix)             # the venv running the tests (make test: .venv)
    if not (venv / ".installed").is_file():
        pytest.skip("rebuild.sh runs make, which needs the .venv made by make setup")
    (work / ".venv").symlink_to(venv)
    # make's setup rule reinstalls when pyproject.toml is newer than .venv/.installed;
    # the shared .venv must never be reinstalled from this clone.
    for name in ("pyproject.toml", "package.json", "package-lock.json"):
        if (work / name).exists():
            os.utime(work / name, (0, 0))
    return origin, work


def rebuild(work: Path, tmp: Path):
    # make -o: never remake .venv/.installed, i.e. never `pip install -e` the clone into the
    # shared .venv (that would point everyone's `import gongkai` at this temporary clone).
    wrapper = tmp / "make-keep-venv"
    wrapper.write_text('#!/bin/sh\nexec make -o .venv/.installed "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    stamp = Path(sys.prefix) / ".installed"
    before = stamp.stat().st_mtime_ns
    env = dict(os.environ, MAKE=str(wrapper), DEPLOY_DIR=str(tmp / "deploy"), REBUILD_LOG=str(tmp / "rebuild.log"), ASOF=ASOF,
               # this clone's code, not the shared venv's editable install of the main checkout
               PYTHONPATH=str(work))
    result = subprocess.run([str(work / "scripts" / "rebuild.sh")], cwd=tmp, env=env,
                            capture_output=True, text=True, timeout=600)
    assert stamp.stat().st_mtime_ns == before, "rebuild.sh reinstalled the shared .venv"
    return result


def test_rebuild_publishes_a_good_commit_and_keeps_the_site_on_a_broken_one(clone, tmp_path):
    origin, work = clone
    log = tmp_path / "rebuild.log"

    result = rebuild(work, tmp_path)
    assert result.returncode == 0, log.read_text(encoding="utf-8")
    live = os.readlink(tmp_path / "deploy" / "current")
    assert "完成：当前版本 " + live in log.read_text(encoding="utf-8")
    # and the rebuilds at the coming openings and closings were written (make schedule, issue 16)
    assert "开始：安排意见征集开始、截止时的重建（make schedule）" in log.read_text(encoding="utf-8")
    assert (tmp_path / "deploy" / "schedule" / "moments.conf").read_text(encoding="utf-8").count("[Timer]") == 1

    doc = origin / "content" / "policy" / "2019-double-random-inspection.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("issuer: 国务院\n", ""), encoding="utf-8")
    git(origin, "commit", "-qam", "Break a document")

    result = rebuild(work, tmp_path)
    assert result.returncode == 1
    assert "重建失败：检查内容 没有成功；网站保持原样" in result.stderr
    text = log.read_text(encoding="utf-8")
    assert "失败：检查内容 没有成功，网站保持原样（current 未改变）" in text
    assert "(issuer) — 缺少此项" in text
    assert git(work, "log", "-1", "--format=%s").stdout.strip() == "Break a document"   # it did pull
    assert os.readlink(tmp_path / "deploy" / "current") == live
    assert len(list((tmp_path / "deploy" / "releases").iterdir())) == 1


def test_rebuild_stops_when_the_pull_fails(clone, tmp_path):
    origin, work = clone
    git(work, "remote", "set-url", "origin", str(tmp_path / "gone"))
    result = rebuild(work, tmp_path)
    assert result.returncode == 1
    assert "失败：拉取最新提交 没有成功" in (tmp_path / "rebuild.log").read_text(encoding="utf-8")
    assert not (tmp_path / "deploy" / "current").exists()
