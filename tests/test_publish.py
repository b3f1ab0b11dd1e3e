"""make publish / rollback / releases (scripts/publish.py): releases are
complete or absent, `current` switches atomically, a failing check or build
switches nothing; every file is verified before the switch and recorded in
release.json's manifest; rollback follows the publication history (a release
rolled away from is withdrawn) and refuses a damaged release; old releases are
pruned but the live one and the rollback target are kept."""
from __future__ import annotations

import fcntl
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import zipfile
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


def own_copy(made: Path, tmp_path: Path) -> Path:
    """A test's own copy of a deploy folder published once for the module: releases,
    history, lock and the relative `current` link as publish left them (file times
    kept; no hard link back, so the test may damage it or publish into it)."""
    deploy = tmp_path / "deploy"
    shutil.copytree(made, deploy, symlinks=True)
    return deploy


@pytest.fixture(scope="module")
def two_releases_made(tmp_path_factory) -> Path:
    """Two publishes of the deploy fixture, made once; tests use two_releases, a copy."""
    deploy = tmp_path_factory.mktemp("two-releases") / "deploy"
    for _ in range(2):
        result = publish(deploy)
        assert result.returncode == 0, result.stderr + result.stdout
    return deploy


@pytest.fixture
def two_releases(two_releases_made, tmp_path):
    return own_copy(two_releases_made, tmp_path)


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
    assert "已删除旧版本（保留 2 个）" in result.stdout


def test_pruning_never_deletes_the_live_release(two_releases):
    older, newest = names(two_releases)
    assert cli(two_releases, "rollback").returncode == 0
    removed = _publish_module().prune(two_releases, 1)
    assert removed == [newest]                   # withdrawn; the older one is live, whatever its age
    assert names(two_releases) == [older]


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


# --- the publication history -------------------------------------------------------

def history(deploy: Path) -> list[dict]:
    return [json.loads(line) for line in (deploy / "history.jsonl").read_text(encoding="utf-8").splitlines()]


def release_rows(deploy: Path) -> dict:
    """make releases: release name -> its line."""
    result = cli(deploy, "releases")
    assert result.returncode == 0, result.stderr
    return {line[2:].split()[0]: line for line in result.stdout.splitlines() if "提交" in line}


@pytest.fixture(scope="module")
def a_b_back_c_made(tmp_path_factory):
    """Publish A, publish B, roll back (to A: B is withdrawn), publish C: made once."""
    deploy = tmp_path_factory.mktemp("a-b-back-c") / "deploy"
    made = []
    for step in ("publish", "publish", "rollback", "publish"):
        result = publish(deploy) if step == "publish" else cli(deploy, "rollback")
        assert result.returncode == 0, result.stderr + result.stdout
        if step == "publish":
            made.append(os.path.basename(live(deploy)))
    return deploy, made


@pytest.fixture
def a_b_back_c(a_b_back_c_made, tmp_path):
    """A test's own copy of A, B, back to A, C."""
    made, names_made = a_b_back_c_made
    return own_copy(made, tmp_path), list(names_made)


def test_rollback_goes_back_in_publication_history_never_to_a_withdrawn_release(a_b_back_c):
    deploy, (a, b, c) = a_b_back_c
    assert a < b < c                                   # by name, B is the one before C

    result = cli(deploy, "rollback")

    assert result.returncode == 0, result.stderr
    assert live(deploy) == f"releases/{a}"
    assert f"已回退：当前版本 {a}（原来是 {c}）" in result.stdout
    rows = release_rows(deploy)
    assert rows[a].startswith(f"→ {a}") and rows[a].endswith("（当前）")
    for gone in (b, c):
        assert "撤回（" in rows[gone] and "只能用 TO= 回到这个版本" in rows[gone]
    # Nothing is below A on the line: B stays withdrawn.
    result = cli(deploy, "rollback")
    assert result.returncode == 1
    assert result.stderr.strip() == (f"操作失败：当前版本 {a} 已是最早的版本，没有可以回退的版本"
                                     "（撤回的版本只能用 TO= 指定）")
    assert live(deploy) == f"releases/{a}"
    # Every switch is in the history: when, from, to, why.
    assert [(e["from"], e["to"], e["why"]) for e in history(deploy)] == [
        (None, a, "publish"), (a, b, "publish"), (b, a, "rollback"), (a, c, "publish"), (c, a, "rollback")]
    assert all(e["at"].endswith("+08:00") for e in history(deploy))


def test_to_names_a_withdrawn_release_and_puts_it_back(a_b_back_c):
    deploy, (a, b, c) = a_b_back_c
    assert "撤回（" in release_rows(deploy)[b]

    result = cli(deploy, "rollback", "--to", b)

    assert result.returncode == 0, result.stderr
    assert live(deploy) == f"releases/{b}"
    assert f"已回退：当前版本 {b}（原来是 {c}）" in result.stdout
    assert history(deploy)[-1]["why"] == "to" and history(deploy)[-1]["to"] == b
    rows = release_rows(deploy)
    assert "撤回" not in rows[b] and rows[b].endswith("（当前）")
    result = cli(deploy, "releases")
    assert f"make rollback 将回到：{c}" in result.stdout       # B went live on top of C
    assert cli(deploy, "rollback").returncode == 0
    assert live(deploy) == f"releases/{c}"
    assert cli(deploy, "rollback").returncode == 0
    assert live(deploy) == f"releases/{a}"


def test_releases_says_where_a_rollback_goes_and_lists_the_last_switches(a_b_back_c):
    deploy, (a, b, c) = a_b_back_c
    result = cli(deploy, "releases")
    assert f"make rollback 将回到：{a}" in result.stdout
    assert f"最近的切换（全部记录见 {deploy / 'history.jsonl'}）：" in result.stdout
    assert f"回退  {b} → {a}" in result.stdout and f"发布  {a} → {c}" in result.stdout


def test_pruning_keeps_the_rollback_target_before_a_withdrawn_release(a_b_back_c):
    deploy, (a, b, c) = a_b_back_c
    removed = _publish_module().prune(deploy, 2)
    assert removed == [b]
    assert names(deploy) == [a, c]
    assert cli(deploy, "rollback").returncode == 0
    assert live(deploy) == f"releases/{a}"


def test_a_damaged_history_is_named_not_guessed(two_releases):
    with open(two_releases / "history.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"to": \n')
    before = live(two_releases)
    result = cli(two_releases, "rollback")
    assert result.returncode == 1
    assert result.stderr.strip() == (f"操作失败：发布记录 {two_releases / 'history.jsonl'} 第 3 行无法读取；"
                                     "请从备份恢复这个文件（删除它则回退按版本名的先后）")
    assert live(two_releases) == before


# --- verification before the switch, and the manifest -------------------------------

DAMAGED_PUBLISH = '''
import sys
from pathlib import Path
from gongkai.commands import publish as module

real = module.precompress


def precompress_then_damage(folder, previous=None):
    """The build and the precompression are done; the switch is not."""
    stats = real(folder, previous)
    damage(Path(folder))
    return stats


{damage}


module.precompress = precompress_then_damage
sys.exit(module.main(sys.argv[1:]))
'''


def publish_damaged(tmp_path: Path, deploy: Path, damage: str, content: Path = CONTENT):
    """make publish, with a file of the staged release damaged between build and switch."""
    script = tmp_path / "publish_damaged.py"
    script.write_text(DAMAGED_PUBLISH.format(damage=textwrap.dedent(damage)), encoding="utf-8")
    return subprocess.run([sys.executable, str(script), "publish", "--content", str(content)], cwd=ROOT,
                          env=dict(os.environ, DEPLOY_DIR=str(deploy), ASOF=ASOF),
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def budget_content(tmp_path_factory) -> Path:
    """The deploy fixture plus the real budgets of content/budget (their .xlsx copies)."""
    content = tmp_path_factory.mktemp("budget") / "content"
    shutil.copytree(CONTENT, content)
    shutil.copytree(ROOT / "content" / "budget", content / "budget")
    return content


@pytest.fixture(scope="module")
def published(tmp_path_factory, budget_content) -> Path:
    """One good release; the damaged publishes below must leave it live and alone."""
    deploy = tmp_path_factory.mktemp("published") / "deploy"
    result = publish(deploy, budget_content)
    assert result.returncode == 0, result.stderr + result.stdout
    return deploy


XLSX = "files/budget/pingtan-2015-dept-budget-sangong-table.xlsx"
DAMAGES = {
    "empty_xlsx": (f'''
        def damage(folder):
            (folder / "{XLSX}").write_bytes(b"")
        ''', [f"{XLSX}: 文件是空的（0 字节）"]),
    "broken_xlsx": (f'''
        def damage(folder):
            path = folder / "{XLSX}"
            path.write_bytes(path.read_bytes()[:2000])
        ''', [f"{XLSX}: 不是完整的 .xlsx 文件（无法作为 zip 打开，或其中的内容损坏）"]),
    "disguised_attachment": ('''
        def damage(folder):
            sheet = folder / "files" / "policy" / "2018-gov-new-media-contacts.csv"
            sheet.write_text("<html><script>alert(1)</script></html>", encoding="utf-8")
        ''', ["files/policy/2018-gov-new-media-contacts.csv: 内容不是 CSV 文件（与扩展名不符）"]),
    "truncated_page": ('''
        def damage(folder):
            page = folder / "index.html"
            page.write_bytes(page.read_bytes()[:3000].decode("utf-8", "ignore").encode("utf-8"))  # whole characters
        ''', ["index.html: 网页不完整（应以 <!DOCTYPE html> 开始、以 </html> 结束）",
              "index.html.br: 预压缩文件解压后与 index.html 不同",
              "index.html.gz: 预压缩文件解压后与 index.html 不同"]),
    "wrong_gzip": ('''
        import gzip
        def damage(folder):
            (folder / "sitemap.xml.gz").write_bytes(gzip.compress(b"<urlset/>"))
        ''', ["sitemap.xml.gz: 预压缩文件解压后与 sitemap.xml 不同"]),
    "broken_feed": ('''
        def damage(folder):
            feed = folder / "feeds" / "all.atom.xml"
            feed.write_bytes(feed.read_bytes()[:500])
        ''', ["feeds/all.atom.xml: 不是有效的 XML（第 ",
              "feeds/all.atom.xml.br: 预压缩文件解压后与 all.atom.xml 不同",
              "feeds/all.atom.xml.gz: 预压缩文件解压后与 all.atom.xml 不同"]),
    "symlink": ('''
        def damage(folder):
            (folder / "files" / "passwd.txt").symlink_to("/etc/passwd")
        ''', ["files/passwd.txt: 是符号链接；版本里只能有普通文件"]),
    "editor_backup": ('''
        def damage(folder):
            (folder / "index.html~").write_text("draft", encoding="utf-8")
        ''', ["index.html~: 不是网站发布的文件类型（.html~）；nginx 不会提供它，请从 content/ 中删除或换成允许的格式"]),
    "orphan_gzip": ('''
        import gzip
        def damage(folder):
            (folder / "gone.html.gz").write_bytes(gzip.compress(b"<!DOCTYPE html></html>"))
        ''', ["gone.html.gz: 预压缩文件没有对应的原文件 gone.html"]),
    # Pagefind's files are stored decompressed: a cut one no longer matches its .gz/.br ...
    "search_index": ('''
        def damage(folder):
            chunk = sorted((folder / "pagefind" / "fragment").glob("*.pf_fragment"))[0]
            chunk.write_bytes(chunk.read_bytes()[:40])
        ''', ["pagefind/fragment/", ".pf_fragment: 搜索索引文件损坏（无法解压，或内容不完整）",
              ".pf_fragment.gz: 预压缩文件解压后与 ", ".pf_fragment.br: 预压缩文件解压后与 "]),
    # ... and is caught by its format alone when its companions were cut the same way:
    # JSON for a fragment, CBOR for the page list, index and filter chunks.
    "search_fragment_cut_with_its_companions": ('''
        import gzip, brotli
        def damage(folder):
            chunk = sorted((folder / "pagefind" / "fragment").glob("*.pf_fragment"))[0]
            cut = chunk.read_bytes()[:-1]
            chunk.write_bytes(cut)
            chunk.with_name(chunk.name + ".gz").write_bytes(gzip.compress(cut))
            chunk.with_name(chunk.name + ".br").write_bytes(brotli.compress(cut))
        ''', ["pagefind/fragment/", ".pf_fragment: 搜索索引文件损坏（无法解压，或内容不完整）"]),
    "search_meta_cut_with_its_companions": ('''
        import gzip, brotli
        def damage(folder):
            meta = sorted((folder / "pagefind").glob("*.pf_meta"))[0]
            cut = meta.read_bytes()[:-3]
            meta.write_bytes(cut)
            meta.with_name(meta.name + ".gz").write_bytes(gzip.compress(cut))
            meta.with_name(meta.name + ".br").write_bytes(brotli.compress(cut))
        ''', ["pagefind/pagefind.", ".pf_meta: 搜索索引文件损坏（无法解压，或内容不完整）"]),
}
# Files named in the last line, where the expected lines are not one file each.
DAMAGED_FILES = {"search_index": 3, "search_fragment_cut_with_its_companions": 1,
                 "search_meta_cut_with_its_companions": 1}


@pytest.mark.parametrize("case", DAMAGES)
def test_a_file_damaged_before_the_switch_is_never_published(tmp_path, published, budget_content, case):
    damage, expected = DAMAGES[case]
    before, before_names = live(published), names(published)

    result = publish_damaged(tmp_path, published, damage, budget_content)

    assert result.returncode == 1, result.stdout + result.stderr
    for text in expected:
        assert text in result.stderr, (text, result.stderr)
    count = DAMAGED_FILES.get(case, len(expected))
    assert result.stderr.splitlines()[-1] == (
        f"发布失败：新版本有 {count} 个文件没有通过校验（见上），没有发布。网站保持原样（当前版本：{before.split('/')[1]}）；"
        "请重新运行 make publish，仍然失败时先运行 make clean 清除缓存")
    assert "发布完成" not in result.stdout and "Traceback" not in result.stderr
    assert live(published) == before
    assert names(published) == before_names              # no release, no hidden leftover


def test_a_zero_byte_xlsx_in_the_cache_never_reaches_the_site(tmp_path, budget_content):
    """After a disk-full or a kill, a 0-byte workbook stayed in the .xlsx cache and
    every later publish served it. make publish reuses nothing an earlier build made
    (GONGKAI_REUSE = False): a damaged cache cannot reach a release."""
    cache = tmp_path / "cache"
    built = run_script("build.py", "--content", budget_content, "--output", tmp_path / "output",
                       "--cache-path", cache, env={"ASOF": ASOF})
    assert built.returncode == 0, built.stderr
    cached = sorted((cache / "xlsx").rglob("*.xlsx"))
    assert cached
    for workbook in cached:
        workbook.write_bytes(b"")
    settings = tmp_path / "cachedconf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom publishconf import *\n"
                        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\nTHEME = {str(ROOT / 'theme')!r}\n"
                        f"CACHE_PATH = {str(cache)!r}\n", encoding="utf-8")
    deploy = tmp_path / "deploy"

    result = publish(deploy, budget_content, "--settings", settings)

    assert result.returncode == 0, result.stderr + result.stdout
    workbooks = list((deploy / "current" / "files" / "budget").glob("*.xlsx"))
    assert workbooks
    for workbook in workbooks:
        with zipfile.ZipFile(workbook) as archive:
            assert archive.testzip() is None
    assert all(w.stat().st_size == 0 for w in cached)   # the cache was not even read


def test_hard_links_are_copied_so_the_release_owns_its_bytes(tmp_path, deploy):
    outside = tmp_path / "cache-copy.html"
    result = publish_damaged(tmp_path, deploy, f'''
        import os
        def damage(folder):
            os.link(folder / "index.html", {str(outside)!r})   # as a cache that hard-links into the output
        ''')
    assert result.returncode == 0, result.stderr + result.stdout
    page = deploy / "current" / "index.html"
    assert page.stat().st_nlink == 1
    assert not os.path.samefile(page, outside)
    outside.write_text("rewritten by a later build", encoding="utf-8")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads((deploy / "current" / "release.json").read_text(encoding="utf-8"))["hard_links_copied"] >= 1


def test_search_index_is_stored_decompressed_with_companions(published):
    """Pagefind gzips its files weakly; a release holds them decompressed (they start
    with pagefind_dcd, which pagefind.js accepts as is) with .gz/.br companions."""
    root = published / "current"
    files = [p for p in root.glob("pagefind*/**/*") if p.suffix in _publish_module().PAGEFIND_SUFFIXES]
    assert {p.suffix for p in files} == {".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind"}
    for path in files:
        data = path.read_bytes()
        assert data.startswith(b"pagefind_dcd"), path
        if len(data) >= 256:
            assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == data
            assert brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == data


def test_unpacking_the_search_index_never_rewrites_a_linked_file(tmp_path, published):
    """The build may hard-link Pagefind's files with its cache: unpacking writes a new
    file and renames it into place, so the other name keeps Pagefind's bytes."""
    module = _publish_module()
    chunk = sorted((published / "current" / "pagefind" / "fragment").glob("*.pf_fragment"))[0]
    as_pagefind_wrote_it = gzip.compress(chunk.read_bytes())
    site = tmp_path / "site"
    (site / "pagefind" / "fragment").mkdir(parents=True)
    staged = site / "pagefind" / "fragment" / chunk.name
    staged.write_bytes(as_pagefind_wrote_it)
    os.link(staged, tmp_path / "cache-copy")

    module.precompress(site)

    assert staged.read_bytes() == chunk.read_bytes()
    assert (tmp_path / "cache-copy").read_bytes() == as_pagefind_wrote_it
    assert staged.stat().st_nlink == 1
    assert brotli.decompress(staged.with_name(staged.name + ".br").read_bytes()) == chunk.read_bytes()
    manifest, problems, _copied = module.verify_staged(site)
    assert problems == [] and len(manifest) == 3


def test_release_json_has_a_manifest_of_every_file(two_releases):
    import hashlib
    root = two_releases / "current"
    manifest = json.loads((root / "release.json").read_text(encoding="utf-8"))["manifest"]
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "release.json")
    assert sorted(manifest) == files
    for rel in ("index.html", "index.html.gz", "feeds/all.atom.xml"):
        data = (root / rel).read_bytes()
        assert manifest[rel] == [hashlib.sha256(data).hexdigest(), len(data)]


def test_rollback_refuses_a_damaged_release(two_releases):
    older, newest = names(two_releases)
    page = two_releases / "releases" / older / "index.html"
    data = bytearray(page.read_bytes())
    data[-20] ^= 1                                    # same size, different bytes
    page.write_bytes(bytes(data))

    assert "已损坏" not in release_rows(two_releases)[older]          # the quick listing checks sizes
    verified = cli(two_releases, "releases", "--verify")
    assert "已损坏：1 个文件与清单不符（例如 index.html：内容与发布时不同）" in verified.stdout

    result = cli(two_releases, "rollback")

    assert result.returncode == 1
    assert result.stderr.strip() == (f"操作失败：版本 {older} 已损坏（1 个文件与发布时的清单不符，"
                                     "例如 index.html：内容与发布时不同），没有回退；请用 make rollback TO=版本名 选择另一个版本")
    assert live(two_releases) == f"releases/{newest}"
    # Files lost or added since are damage too, and the quick listing sees them.
    page.unlink()
    (two_releases / "releases" / older / "dump.sql").write_text("x", encoding="utf-8")
    row = release_rows(two_releases)[older]
    assert "已损坏：2 个文件与清单不符" in row
    result = cli(two_releases, "rollback", "--to", older)
    assert result.returncode == 1 and "已损坏（2 个文件" in result.stderr
    assert live(two_releases) == f"releases/{newest}"


def test_leftovers_of_a_killed_publish_are_removed_by_the_next(two_releases):
    folder = two_releases / "releases"
    (folder / ".20261201-000000-abc.partial" / "xxgk").mkdir(parents=True)
    (folder / ".20261201-000000-abc.partial.building-x1y2").mkdir()
    (folder / ".20261130-000000-old.deleting").mkdir()
    (two_releases / ".current.999.tmp").symlink_to("releases/nowhere")

    result = publish(two_releases)

    assert result.returncode == 0, result.stderr
    assert "已删除上次中断的发布留下的 4 个临时文件和文件夹" in result.stdout
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    assert not (two_releases / ".current.999.tmp").is_symlink()


# --- a full disk, Ctrl+C -------------------------------------------------------------

def disk_full_line(deploy: Path, live_name: str) -> str:
    return (rf"发布失败：磁盘空间不足：{re.escape(str(deploy))} 所在的磁盘只剩 [0-9.]+ (字节|KB|MB|GB|TB)；没有切换，"
            rf"网站保持原样（当前版本：{re.escape(live_name)}）。请删除不用的文件后重试，例如旧版本（make releases 查看，"
            r"GONGKAI_KEEP_RELEASES 可调小）、\.cache/、output/")


def test_a_full_disk_while_compressing_names_the_deploy_folder_not_a_live_file(tmp_path, two_releases):
    """shutil reports ENOSPC naming the file it copied from: the live release's .gz."""
    live_name = os.path.basename(live(two_releases))
    live_gz = two_releases / "releases" / live_name / "index.html.gz"
    before = names(two_releases)
    result = publish_damaged(tmp_path, two_releases, f'''
        import errno
        def damage(folder):
            raise OSError(errno.ENOSPC, "No space left on device", {str(live_gz)!r})
        ''')
    assert result.returncode == 1
    assert re.fullmatch(disk_full_line(two_releases, live_name), result.stderr.strip()), result.stderr
    assert f"releases/{live_name}" not in result.stderr
    assert live(two_releases) == f"releases/{live_name}" and names(two_releases) == before


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


def _used(disk: Path) -> int:
    st = os.statvfs(disk)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


@pytest.mark.parametrize("step", ["build", "precompress"])
def test_a_full_disk_is_one_short_line_and_nothing_switches(small_disk, step):
    deploy = small_disk / "deploy"
    first = run_script("publish.py", "publish", env={"DEPLOY_DIR": str(deploy), "ASOF": ASOF})
    assert first.returncode == 0, first.stderr + first.stdout
    live_name = os.path.basename(live(deploy))
    release = used = _used(small_disk)
    packed = json.loads((deploy / "current" / "release.json").read_text(encoding="utf-8"))["precompressed"]
    compressed = packed["gzip_bytes"] + packed["brotli_bytes"]
    # Room for a third of the next build, or for the build and half its compressed copies.
    room = release // 3 if step == "build" else release - compressed // 2
    subprocess.run(["mount", "-o", f"remount,size={used + room}", str(small_disk)], check=True)

    result = run_script("publish.py", "publish", env={"DEPLOY_DIR": str(deploy), "ASOF": ASOF})

    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if not line.startswith(("content/", "data/", "另有 ")) and "SITEURL" not in line]
    assert len(lines) == 1, lines
    assert re.fullmatch(disk_full_line(deploy, live_name), lines[0]), lines[0]
    assert f"releases/{live_name}/" not in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 300
    assert "发布完成" not in result.stdout and "Traceback" not in result.stderr
    if step == "precompress":
        assert "第 3 步：预压缩" in result.stdout       # the build fitted; its copies did not
    assert live(deploy) == f"releases/{live_name}"
    assert names(deploy) == [live_name]                 # no release, no hidden leftover


def test_ctrl_c_during_publish_switches_nothing(two_releases):
    before, before_names = live(two_releases), names(two_releases)
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "publish.py"), "publish", "--content",
                             str(ROOT / "content")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            env=dict(os.environ, DEPLOY_DIR=str(two_releases), ASOF=ASOF))
    deadline = time.monotonic() + 120
    while not list((two_releases / "releases").glob(".*.partial.building-*")):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.01)
    time.sleep(0.3)

    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)

    assert proc.returncode == 130, stderr
    assert stderr.splitlines()[-1] == (f"发布已中断（Ctrl+C）：没有切换，网站保持原样（当前版本：{before.split('/')[1]}）")
    assert "Traceback" not in stderr
    assert live(two_releases) == before and names(two_releases) == before_names


def test_every_line_build_and_publish_say_is_in_the_operations_table():
    from gongkai.commands import build as build_mod
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    table = guide.split("## 构建和发布时的提示（常见错误）")[1].split("\n## ")[0]
    # Progress and listings (shown in the section's examples), not problems.
    progress = {"done", "step_check", "step_build", "step_compress", "step_verify", "step_switch", "published",
                "now_live", "pruned", "publish_failed", "failed", "verify_problem", "verify_more", "rolled_back",
                "rolled_back_info", "releases_none", "releases_head", "releases_row", "status_live",
                "status_withdrawn", "status_damaged", "status_unverified", "releases_target", "releases_no_target",
                "releases_no_current", "history_head", "history_row"}
    missing = []
    for module in (build_mod, _publish_module()):
        for key, template in module.MESSAGES.items():
            if key in progress:
                continue
            chunks = [c.strip(" ：；，。（）") for c in re.split(r"\{[^}]*\}", template)]
            lead = next(c for c in chunks if len(c) >= 2)
            lead = re.split(r"[：；，。（）]", lead)[0]
            if lead not in table:
                missing.append((module.__name__, key, lead))
    assert missing == []


def test_a_damaged_gzip_in_the_live_release_is_not_carried_into_the_next(two_releases):
    """Unchanged files reuse the live release's .gz/.br; a damaged one is made again."""
    live_gz = two_releases / "current" / "index.html.gz"
    live_gz.write_bytes(gzip.compress(b"damaged since"))

    result = publish(two_releases)

    assert result.returncode == 0, result.stderr
    page = two_releases / "current" / "index.html"
    assert gzip.decompress(page.with_name("index.html.gz").read_bytes()) == page.read_bytes()


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
