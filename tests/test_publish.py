"""make publish / rollback / releases (scripts/publish.py): releases are
complete or absent, `current` switches atomically, a failing check or build
switches nothing, old releases are pruned but the live one is kept."""
from __future__ import annotations

import fcntl
import gzip
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import brotli
import pytest

from conftest import ASOF, FIXTURES, ROOT, WAIT_SECONDS, run_script

CONTENT = FIXTURES / "deploy_content"


def _publish_module():
    from gongkai.commands import publish as module
    return module


def publish(deploy: Path, content: Path = CONTENT, *extra, keep: int | None = None):
    env = {"DEPLOY_DIR": str(deploy), "ASOF": ASOF}
    if keep is not None:
        env["GONGKAI_KEEP_RELEASES"] = str(keep)
    return run_script("publish.py", "publish", "--content", content, *extra, env=env)


def cli(deploy: Path, *args):
    return run_script("publish.py", *args, env={"DEPLOY_DIR": str(deploy)})


def live(deploy: Path) -> str:
    return os.readlink(deploy / "current")


def names(deploy: Path) -> list[str]:
    return sorted(p.name for p in (deploy / "releases").iterdir())


@pytest.fixture
def deploy(tmp_path) -> Path:
    return tmp_path / "deploy"


@pytest.fixture
def two_releases(deploy):
    for _ in range(2):
        result = publish(deploy)
        assert result.returncode == 0, result.stderr + result.stdout
    return deploy


def test_publish_twice_makes_two_releases_and_current_is_newest(two_releases):
    deploy = two_releases
    releases = names(deploy)
    assert len(releases) == 2
    assert releases[0] != releases[1]
    assert live(deploy) == f"releases/{releases[-1]}"      # relative: the layout can be rsynced
    assert (deploy / "current" / "index.html").is_file()
    assert (deploy / "current" / "404.html").is_file()


def test_release_json_records_commit_time_asof_and_counts(two_releases):
    info = json.loads((two_releases / "current" / "release.json").read_text(encoding="utf-8"))
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    assert info["commit"].startswith(head) and info["commit"] in (head, head + "-dirty")
    assert info["release"] == os.path.basename(live(two_releases))
    assert f"-{info['commit']}" in info["release"]          # <time>-<commit>[-n]
    assert info["asof"] == "2026-09-05T09:00:00+08:00"
    assert info["built_at"][:4] == info["release"][:4] and info["built_at"].endswith("+08:00")
    assert info["documents"] == {"policy": 2}
    assert info["settings"] == "publishconf.py"


def test_text_files_are_precompressed_beside_the_originals(two_releases):
    current = two_releases / "current"
    doc = current / "xxgk" / "000014349-2018-00221" / "index.html"
    for page in (current / "index.html", doc, current / "feeds" / "all.atom.xml"):
        original = page.read_bytes()
        assert gzip.decompress(page.with_name(page.name + ".gz").read_bytes()) == original
        assert brotli.decompress(page.with_name(page.name + ".br").read_bytes()) == original
    # Published with publishconf.py: absolute links and feeds.
    assert 'href="https://' in doc.read_text(encoding="utf-8")


def test_releases_lists_commit_and_date_and_marks_current(two_releases):
    result = cli(two_releases, "releases")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "提交" in line]
    newest, older = names(two_releases)[::-1]
    assert lines[0].startswith(f"→ {newest}") and lines[0].endswith("（当前）")
    assert older in lines[1] and "（当前）" not in lines[1]
    assert "构建于 20" in lines[0]


def test_broken_content_exits_1_and_switches_nothing(two_releases, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(CONTENT, broken)
    doc = broken / "policy" / "2019-double-random-inspection.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("issuer: 国务院\n", ""), encoding="utf-8")
    before, before_names = live(two_releases), names(two_releases)

    result = publish(two_releases, broken)

    assert result.returncode == 1
    assert "(issuer) — 缺少此项" in result.stdout
    assert "检查未通过，没有发布。网站保持原样" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert live(two_releases) == before
    assert names(two_releases) == before_names            # no half release, hidden or not


def test_failing_build_after_a_passing_check_leaves_no_release(two_releases, tmp_path):
    # The check passes; Pelican then fails (the theme does not exist).
    settings = tmp_path / "badconf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                        "from publishconf import *\nTHEME = '/nonexistent-theme'\n", encoding="utf-8")
    before, before_names = live(two_releases), names(two_releases)

    result = run_script("publish.py", "publish", "--content", CONTENT, "--settings", settings,
                        env={"DEPLOY_DIR": str(two_releases), "ASOF": ASOF}, cwd=ROOT)

    assert result.returncode == 1, result.stdout
    assert "检查通过" in result.stdout
    assert "构建失败，没有发布。网站保持原样" in result.stderr
    assert live(two_releases) == before
    assert names(two_releases) == before_names


def test_rollback_goes_to_the_previous_release_and_stops_at_the_oldest(two_releases):
    older, newest = names(two_releases)

    result = cli(two_releases, "rollback")
    assert result.returncode == 0, result.stderr
    assert live(two_releases) == f"releases/{older}"
    assert f"已回退：当前版本 {older}（原来是 {newest}）" in result.stdout

    result = cli(two_releases, "rollback")
    assert result.returncode == 1
    assert f"当前版本 {older} 已是最早的版本" in result.stderr
    assert live(two_releases) == f"releases/{older}"

    result = cli(two_releases, "rollback", "--to", newest)     # undo the rollback
    assert result.returncode == 0, result.stderr
    assert live(two_releases) == f"releases/{newest}"

    result = cli(two_releases, "rollback", "--to", "20000101-000000-nope")
    assert result.returncode == 1 and "找不到版本 20000101-000000-nope" in result.stderr


def test_rollback_without_any_release_says_what_to_do(deploy):
    result = cli(deploy, "rollback")
    assert result.returncode == 1
    assert "请先运行 make publish" in result.stderr


def test_only_the_newest_n_releases_are_kept(deploy):
    for _ in range(3):
        result = publish(deploy, keep=2)
        assert result.returncode == 0, result.stderr + result.stdout
    kept = names(deploy)
    assert len(kept) == 2
    assert live(deploy) == f"releases/{kept[-1]}"
    assert "已删除旧版本（保留最近 2 个）" in result.stdout


def test_pruning_never_deletes_the_live_release(two_releases):
    older, newest = names(two_releases)
    assert cli(two_releases, "rollback").returncode == 0
    removed = _publish_module().prune(two_releases, 1)
    assert removed == []                         # the newest is kept by count, the older is live
    assert names(two_releases) == [older, newest]


def test_invalid_keep_setting_is_explained(deploy):
    result = publish(deploy, keep=0)
    assert result.returncode == 1
    assert "GONGKAI_KEEP_RELEASES='0' 无效" in result.stderr
    assert not (deploy / "current").exists()


def test_a_publish_while_another_runs_is_refused(two_releases):
    before = live(two_releases)
    with open(two_releases / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = publish(two_releases)
    assert result.returncode == 1
    assert "另一个发布或回退正在进行" in result.stderr
    assert live(two_releases) == before


def test_nginx_conf_fills_in_the_root(deploy):
    result = cli(deploy, "nginx-conf", "--listen", "8080", "--server-name", "www.yanshou.gov.cn")
    assert result.returncode == 0, result.stderr
    assert f"root {deploy / 'current'};" in result.stdout
    assert "listen 8080;" in result.stdout and "server_name www.yanshou.gov.cn;" in result.stdout
    assert "@" not in "".join(line for line in result.stdout.splitlines() if not line.lstrip().startswith("#"))


def test_a_reserved_port_is_kept_for_nginx_alone():
    """test_nginx and make bench name the port in SITEURL, publish for minutes, then start
    nginx on it: meanwhile no other program may take it, but nginx must be able to."""
    with _publish_module().reserved_port() as port:
        with socket.socket() as other, pytest.raises(OSError):
            other.bind(("127.0.0.1", port))
        with socket.socket() as like_nginx:
            like_nginx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            like_nginx.bind(("127.0.0.1", port))
            like_nginx.listen()
            socket.create_connection(("127.0.0.1", port), timeout=WAIT_SECONDS).close()
