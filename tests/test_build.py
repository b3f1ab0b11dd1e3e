"""The build on a temporary content tree: the document page shows the
metadata table and the validity banner; a broken tree leaves the previous
output exactly as it was."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ASOF, ROOT, WAIT_SECONDS, build_site, run_script, soup_of

SEED = ROOT / "content" / "policy" / "yanzhengfa-2018-10-executive-capacity.md"
HOLIDAYS = ROOT / "content" / "policy" / "sc-2018-guobanfamingdian15-2019-holidays.md"
EMPLOYMENT = ROOT / "content" / "policy" / "sc-2018-guofa39-promote-employment.md"


def make_tree(tmp_path, *docs):
    content = tmp_path / "content"
    (content / "policy").mkdir(parents=True)
    for doc in docs:
        shutil.copy(doc, content / "policy" / doc.name)
    return content


def meta_table(soup) -> dict:
    return {row.dt.get_text(strip=True): row.dd.get_text(strip=True)
            for row in soup.select("dl.gk-doc-meta div")}


def test_document_page_shows_the_metadata_table(tmp_path):
    content = make_tree(tmp_path, SEED)
    out = tmp_path / "out"
    result = build_site(content, out)
    assert result.returncode == 0, result.stderr
    soup = soup_of(out / "xxgk" / "11230129MB1848123X-2018-00010" / "index.html")
    assert soup.html["lang"] == "zh-CN"
    assert len(soup.find_all("h1")) == 1
    assert soup.h1.get_text(strip=True) == "延寿县人民政府印发关于进一步提升政府执行力的意见的通知"
    meta = meta_table(soup)
    assert meta["索引号"] == "11230129MB1848123X/2018-00010"
    assert meta["发布机构"] == "延寿县人民政府"
    assert meta["成文日期"] == "2018年11月12日"
    assert meta["发布日期"] == "2018年10月20日"
    assert meta["发文字号"] == "延政发〔2018〕10号"
    assert meta["主题分类"] == "综合政务/政务督查"
    assert meta["有效性"] == "有效"
    assert soup.select_one("dl.gk-doc-meta time")["datetime"] in ("2018-11-12", "2018-10-20")
    body = soup.select_one(".gk-doc__body").get_text()
    assert "九、深入推进政务公开" in body
    assert soup.select(".gk-banner") == []


def test_the_build_speaks_to_staff_in_chinese_only(tmp_path):
    """make html: Pelican's English console lines ("Done: Processed …", the feeds
    note of the local preview) are not shown; the build's own line is."""
    result = build_site(make_tree(tmp_path, SEED), tmp_path / "output")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("构建完成：")
    lines = (result.stdout + result.stderr).splitlines()
    english = [line for line in lines if re.search(r"[A-Za-z]{4,} [A-Za-z]{3,}", line)]
    assert english == []


def test_expired_and_repealed_documents_carry_a_banner(tmp_path):
    content = make_tree(tmp_path, HOLIDAYS, EMPLOYMENT)
    employment = content / "policy" / EMPLOYMENT.name
    holidays_index = next(l for l in HOLIDAYS.read_text(encoding="utf-8").splitlines() if l.startswith("index_no:"))
    target = holidays_index.split(":", 1)[1].strip().strip('"')
    text = employment.read_text(encoding="utf-8").replace('validity: "valid"', f'validity: "repealed"\nrepealed_by: "{target}"')
    assert "repealed_by" in text
    employment.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = build_site(content, out)
    assert result.returncode == 0, result.stderr
    pages = {p.parent.name: soup_of(p) for p in (out / "xxgk").glob("*/index.html")}
    holidays = pages[target.replace("/", "-")]
    assert holidays.select_one(".gk-banner__title").get_text(strip=True) == "本文件已失效"
    assert meta_table(holidays)["有效性"] == "已失效"
    repealed = next(s for s in pages.values() if "促进就业" in s.h1.get_text())
    banner = repealed.select_one(".gk-banner")
    assert banner.select_one(".gk-banner__title").get_text(strip=True) == "本文件已废止"
    link = banner.find("a")
    assert link.get_text(strip=True) == holidays.h1.get_text(strip=True)
    assert link["href"].rstrip("/").endswith(target.replace("/", "-"))


def test_a_broken_tree_leaves_the_previous_site_as_it_was(tmp_path):
    content = make_tree(tmp_path, SEED)
    out = tmp_path / "out"
    assert build_site(content, out).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    seed = content / "policy" / SEED.name
    seed.write_text(seed.read_text(encoding="utf-8").replace('date: "2018-10-20"', 'date: "2018-10-32"'), encoding="utf-8")
    result = build_site(content, out)
    assert result.returncode == 1
    assert "发布日期 (date) — “2018-10-32”不是有效的日期" in result.stderr
    assert "网站没有更新" in result.stderr
    assert "Traceback" not in result.stderr
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob(".out.building-*"))


class _OldCell:
    """Unpickles as a call that today's Cell refuses: a cache written by older code."""

    def __reduce__(self):
        from gongkai.core.budget import Cell
        return (Cell, ())


def test_content_cache_written_by_other_code_is_started_afresh(tmp_path):
    """After an update, Pelican's content cache may hold objects the new code
    cannot read back; the build starts the cache afresh instead of failing."""
    import pickle
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "ArticlesGenerator-Readers").write_bytes(pickle.dumps({"x": _OldCell()}))
    result = run_script("build.py", "--output", tmp_path / "output", "--cache-path", cache, env={"ASOF": ASOF})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "index.html").is_file()
    assert "Traceback" not in result.stderr


def test_a_failed_build_stops_the_search_index(tmp_path):
    """The search index starts as soon as the documents are read, before the
    checks across documents fail the build: the failed build leaves no work
    folder and no Pagefind behind. Other builds on the machine may be indexing
    meanwhile: this build's work folders carry its pid (.search-<pid>-…)."""
    content = make_tree(tmp_path, SEED, HOLIDAYS)
    twin = content / "policy" / "twin.md"
    twin.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")   # the same 索引号 twice
    build = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "build.py"), "--content", str(content),
                              "--output", str(tmp_path / "out"), "--no-cache", "--settings", str(ROOT / "pelicanconf.py")],
                             env=dict(os.environ, ASOF=ASOF), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _out, err = build.communicate(timeout=WAIT_SECONDS * 5)
    assert build.returncode == 1
    assert "索引号" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    mine = f".search-{build.pid}-*"
    assert not list(tmp_path.glob(".search-*")) and not list(Path("/dev/shm").glob(mine))
    running = subprocess.run(["pgrep", "-f", f"--site {tmp_path}"], capture_output=True, text=True).stdout
    running += subprocess.run(["pgrep", "-f", f"search-{build.pid}-.*site-0"], capture_output=True, text=True).stdout
    assert running == ""


def test_a_build_in_place_replaces_its_search_index(tmp_path):
    """make devserver runs Pelican into output/ itself, build after build: each
    build's search index replaces the one before (not nested inside it)."""
    import gzip
    import os
    import subprocess
    import sys
    content = make_tree(tmp_path, SEED, HOLIDAYS)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pelican", str(content), "-o", str(out), "-s", str(ROOT / "pelicanconf.py"),
           "--cache-path", str(tmp_path / "cache"), "-q"]
    for _ in range(2):
        result = subprocess.run(cmd, cwd=ROOT, env=dict(os.environ, ASOF=ASOF), capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    bundle = out / "pagefind"
    assert not (bundle / "pagefind").exists()
    fragments = [gzip.decompress(f.read_bytes()) for f in (bundle / "fragment").glob("*.pf_fragment")]
    assert len(fragments) == 2 and any("提升政府执行力".encode() in f for f in fragments)


def test_a_page_written_beside_the_build_that_fails_fails_the_build(tmp_path):
    """The annual reports are written in a forked child (gongkai.forked.beside): a
    template error there fails the build with one line, and the output stays as it was."""
    content = make_tree(tmp_path, SEED)
    out = tmp_path / "out"
    assert build_site(content, out).returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    report = theme / "templates" / "annual_report.html"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "{% block content %}", "{% block content %}{{ no_such_value.attribute.missing }}", 1), encoding="utf-8")
    settings = tmp_path / "broken_theme_conf.py"
    settings.write_text(f"__file__ = {str(ROOT / 'pelicanconf.py')!r}\n"
                        f"exec(open(__file__, encoding='utf-8').read())\nTHEME = {str(theme)!r}\n"
                        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
                        "GONGKAI_ANNUAL_REPORT_DRAFTS = True\n", encoding="utf-8")   # a report is written
    result = build_site(content, out, settings=str(settings))
    assert result.returncode == 1
    assert "构建失败" in result.stderr and "no_such_value" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_build_whose_plugins_do_not_load_stops(tmp_path):
    """Pelican only logs a plugin it cannot load and builds a site without it:
    an empty site would be swapped in. The build stops instead."""
    content = make_tree(tmp_path, SEED)
    settings = tmp_path / "no_plugins_conf.py"  # PLUGIN_PATHS = ["plugins"] now resolves beside this file
    settings.write_text(f"__file__ = {str(ROOT / 'pelicanconf.py')!r}\n"
                        f"exec(open(__file__, encoding='utf-8').read())\nTHEME = {str(ROOT / 'theme')!r}\n",
                        encoding="utf-8")
    out = tmp_path / "out"
    result = build_site(content, out, settings=str(settings))
    assert result.returncode == 1
    assert "插件没有加载：gongkai_reader" in result.stderr and "PLUGIN_PATHS" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


# --- one build at a time, interrupted builds, a full disk ----------------------------

FIXTURE = ROOT / "tests" / "fixtures" / "deploy_content"


def slow_settings(tmp_path, seconds: float) -> Path:
    """pelicanconf.py, read slowly: the build holds its lock that long before Pelican runs."""
    settings = tmp_path / "slow_conf.py"
    settings.write_text(f"__file__ = {str(ROOT / 'pelicanconf.py')!r}\n"
                        f"exec(open(__file__, encoding='utf-8').read())\nTHEME = {str(ROOT / 'theme')!r}\n"
                        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\nimport time\ntime.sleep({seconds})\n",
                        encoding="utf-8")
    return settings


def start_build(out: Path, *args, content=FIXTURE) -> subprocess.Popen:
    """scripts/build.py in its own process group (as a terminal runs it)."""
    return subprocess.Popen([sys.executable, str(ROOT / "scripts" / "build.py"), "--content", str(content),
                             "--output", str(out), "--no-cache", *map(str, args)], cwd=ROOT,
                            env=dict(os.environ, ASOF=ASOF), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def wait_for_work_folder(out: Path, proc: subprocess.Popen, timeout: float = 120) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list(out.parent.glob(f".{out.name}.building-*"))
        if found:
            return found[0]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    raise AssertionError("the build never started its work folder")


def staff_lines(stderr: str) -> list[str]:
    """What the build said, without the check's notices (documents, data/site.yaml, the cap on
    repeated notices) and Pelican's feed notice."""
    return [line for line in stderr.splitlines()
            if line and not line.startswith(("content/", "data/", "另有 ", str(FIXTURE))) and "SITEURL" not in line]


def tree(out: Path) -> dict:
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_two_builds_at_once_the_second_waits_for_the_first(tmp_path):
    out = tmp_path / "out"
    first = start_build(out, "--settings", slow_settings(tmp_path, 4))
    work = wait_for_work_folder(out, first)          # the first holds the lock, Pelican not yet started

    refused = run_script("build.py", "--content", FIXTURE, "--output", out, "--no-cache", "--no-wait",
                         env={"ASOF": ASOF})
    assert refused.returncode == 1
    assert staff_lines(refused.stderr) == [
        f"另一个构建（进程 {first.pid}）正在写入 {out}，没有等待（--no-wait），没有构建；请等它结束后再运行"]
    timed_out = run_script("build.py", "--content", FIXTURE, "--output", out, "--no-cache", "--wait", "0.5",
                           env={"ASOF": ASOF})
    assert timed_out.returncode == 1
    assert staff_lines(timed_out.stderr)[-1] == (
        f"另一个构建（进程 {first.pid}）正在写入 {out}，等了 0.5 秒仍未结束，没有构建；请等它结束后再运行")
    assert work.is_dir()                              # a live build's folder is not a leftover

    second = start_build(out)
    second_out, second_err = second.communicate(timeout=600)
    first_out, first_err = first.communicate(timeout=600)

    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    assert staff_lines(second_err) == [f"另一个构建（进程 {first.pid}）正在写入 {out}，等它结束后再开始……"]
    assert "Traceback" not in first_err + second_err
    assert f"构建完成：{out}" in first_out and f"构建完成：{out}" in second_out
    assert (out / "index.html").is_file()
    assert not list(tmp_path.glob(".out.building-*")) and not list(tmp_path.glob(".out.deleting-*"))


def test_ctrl_c_stops_the_build_with_one_line_and_leaves_the_site(tmp_path):
    out = tmp_path / "out"
    assert build_site(FIXTURE, out).returncode == 0
    before = tree(out)
    shm = set(Path("/dev/shm").glob(".search-*"))
    build = start_build(out, content=ROOT / "content")   # the real site: long enough to be stopped
    wait_for_work_folder(out, build)
    time.sleep(0.3)

    os.killpg(build.pid, signal.SIGINT)               # Ctrl+C: the whole foreground group
    _, stderr = build.communicate(timeout=120)

    assert build.returncode == 130, stderr
    assert staff_lines(stderr) == [f"构建已中断（Ctrl+C）：网站保持原样，{out} 没有改动。"]
    assert "Traceback" not in stderr
    assert tree(out) == before
    assert not list(tmp_path.glob(".out.building-*"))
    assert set(Path("/dev/shm").glob(".search-*")) <= shm


def test_the_next_build_removes_what_a_killed_build_left(tmp_path):
    out = tmp_path / "out"
    for name in (".out.building-k1ll3d", ".out.building-x2", ".out.deleting-4242"):
        (tmp_path / name / "xxgk").mkdir(parents=True)
        (tmp_path / name / "xxgk" / "index.html").write_text("half", encoding="utf-8")
    (tmp_path / ".other.building-keep").mkdir()      # another output's: not ours to remove

    result = build_site(FIXTURE, out)

    assert result.returncode == 0, result.stderr
    assert "已删除上次中断的构建留下的 3 个临时文件夹（.out.building-k1ll3d、.out.building-x2、.out.deleting-4242）" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.building-keep", ".out.lock", "out"]


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of its own, to fill (root only; skipped where mount is not permitted)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("模拟磁盘已满需要 root 权限挂载 tmpfs")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"不能挂载 tmpfs 来模拟磁盘已满：{mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def used(disk: Path) -> int:
    st = os.statvfs(disk)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def resize(disk: Path, size: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(disk)], check=True)


@pytest.mark.parametrize("room", [0.1, 0.5, 0.9])
def test_a_full_disk_is_one_short_line_and_the_site_stays(small_disk, site, room):
    """The disk fills at some point of the build (room: the share of a second
    build's size that is free): whatever was being written, one short line."""
    out = small_disk / "output"
    shutil.copytree(site, out, symlinks=True)         # the last build of the same content (the shared one)
    before, site = tree(out), used(small_disk)
    resize(small_disk, site + int(site * room))

    result = build_site(ROOT / "content", out)

    assert result.returncode == 1
    lines = staff_lines(result.stderr)
    assert len(lines) == 1, lines
    assert re.fullmatch(rf"磁盘空间不足：{re.escape(str(out))} 所在的磁盘只剩 [0-9.]+ (字节|KB|MB|GB|TB)；网站没有更新，"
                        rf"{re.escape(str(out))} 保持原样。请删除不用的文件后重试，例如旧版本（make releases）、\.cache/、output/",
                        lines[0]), lines[0]
    assert max(len(line) for line in result.stderr.splitlines()) < 300
    assert "Traceback" not in result.stderr and "Errno" not in result.stderr
    assert tree(out) == before
    assert not list(small_disk.glob(".output.building-*"))


def test_the_replaced_site_is_kept_until_the_next_build_removes_it(tmp_path):
    out = tmp_path / "out"
    assert build_site(FIXTURE, out).returncode == 0
    assert not (tmp_path / ".out.old").exists()       # nothing replaced yet
    first = tree(out)
    assert build_site(FIXTURE, out).returncode == 0
    old = tmp_path / ".out.old"
    assert tree(old) == first                         # the site this build replaced
    (old / "marker.txt").write_text("the first site", encoding="utf-8")

    result = build_site(FIXTURE, out)

    assert result.returncode == 0, result.stderr
    assert not (old / "marker.txt").exists()          # the first site is gone, removed beside the third build
    second, third = tree(old), tree(out)             # .old is now the second site (Pagefind names vary)
    assert second.keys() & third.keys() and second[Path("index.html")] == third[Path("index.html")]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", ".out.old", "out"]
