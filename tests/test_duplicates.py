"""A 索引号 or 发文字号 used twice (issue 14): make check blames the file git
counts as new or changed, never the published one (its index_no is part of its
permanent address), tells staff the next free number, and reports the pair
whichever of the two FILES= names. Without git, the later file by date (then
by path) is blamed; the build fails either way.

Each test copies the real content/ into a scratch git repository, commits it
(the published site), then does what staff do and runs scripts/check.py."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import ROOT, build_site, run_script

SEED = "content/policy/yanzhengfa-2018-10-executive-capacity.md"          # 2018-10-20, 2018-00010
PENSION = "content/policy/pingtan-2015-minimum-living-allowance-regulation.md"  # 2015-03-20, 2015-00002
NEW = "content/policy/yanzhengfa-2018-09-forest-fire.md"
GIT_ENV = {"GIT_AUTHOR_NAME": "县政府办公室", "GIT_AUTHOR_EMAIL": "xxgk@yanshou.gov.cn",
           "GIT_COMMITTER_NAME": "县政府办公室", "GIT_COMMITTER_EMAIL": "xxgk@yanshou.gov.cn"}

INDEX_LINE = ("{new}:8: 索引号 (index_no) — 索引号 11230129MB1848123X/2018-00010 已由 {old} 使用（{reason}），"
              "索引号是网址的一部分，那个文件保留它；请把本文件的索引号改为下一个空闲序号 11230129MB1848123X/2018-00011")
DOC_NO_LINE = ("{new}:9: 发文字号 (doc_no) — 发文字号 延政发〔2018〕10号 已由 {old} 使用（{reason}），那个文件保留它；"
               "请核对本文件原件上的发文字号，同一份文件不要重复发布")
PUBLISHED = "那个文件已经发布"


def git(repo, *args):
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env=dict(os.environ, **GIT_ENV))
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def repo(tmp_path):
    """The real content/, committed on main: what the public site shows."""
    repo = tmp_path / "site"
    shutil.copytree(ROOT / "content", repo / "content")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "content")
    git(repo, "commit", "--quiet", "-m", "已发布的内容")
    return repo


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def copy_seed_as_template(repo):
    """Staff start a September 2018 notice from the published 延政发〔2018〕10号
    and forget to change its two numbers. It is dated before the original, so
    going by date alone would blame the published file."""
    new = repo / NEW
    shutil.copy(repo / SEED, new)
    edit(new, "延寿县人民政府印发关于进一步提升政府执行力的意见的通知", "延寿县人民政府关于做好2018年秋季森林防火工作的通知")
    edit(new, 'date: "2018-10-20"', 'date: "2018-09-28"')
    edit(new, 'written: "2018-11-12"', 'written: "2018-09-26"')
    return new


def check(repo, *args):
    result = run_script("check.py", "--content", repo / "content", *args)
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, result.stdout.splitlines()


def blamed(lines):
    return [line for line in lines if "已由" in line]


def test_new_file_that_repeats_published_numbers_is_blamed_untracked_or_staged(repo):
    new = copy_seed_as_template(repo)
    expected = [INDEX_LINE.format(new=new, old=repo / SEED, reason=PUBLISHED),
                DOC_NO_LINE.format(new=new, old=repo / SEED, reason=PUBLISHED)]
    code, lines = check(repo)
    assert blamed(lines) == expected
    assert code == 1
    git(repo, "add", NEW)                     # staged: still new against HEAD
    code, lines = check(repo)
    assert blamed(lines) == expected
    assert code == 1


def test_files_reports_the_pair_whichever_file_is_named(repo):
    new = copy_seed_as_template(repo)
    expected = [INDEX_LINE.format(new=new, old=repo / SEED, reason=PUBLISHED),
                DOC_NO_LINE.format(new=new, old=repo / SEED, reason=PUBLISHED)]
    for named in (new, repo / SEED):
        code, lines = check(repo, named)
        assert blamed(lines) == expected, named
        assert code == 1
    code, lines = check(repo, repo / PENSION)          # neither file of the pair
    documents = sum(1 for _ in (repo / "content").rglob("*.md"))   # the content, and the copy
    assert lines == [f"检查通过：{documents} 个文件，没有发现问题。"]
    assert code == 0


def test_changed_file_that_takes_a_published_number_is_blamed(repo):
    """Editing an older published file (2015) to carry the 2018 number: by date
    the 2018 file would be blamed; git says the 2015 one changed."""
    edit(repo / PENSION, 'index_no: "11230129MB1848123X/2015-00002"', 'index_no: "11230129MB1848123X/2018-00010"')
    code, lines = check(repo)
    assert blamed(lines) == [
        f"{repo / PENSION}:7: 索引号 (index_no) — 索引号 11230129MB1848123X/2018-00010 已由 {repo / SEED} 使用（{PUBLISHED}），"
        "索引号是网址的一部分，那个文件保留它；请把本文件的索引号改为下一个空闲序号 11230129MB1848123X/2018-00011"]
    assert code == 1


def test_committed_on_a_branch_is_new_against_the_base(repo):
    git(repo, "checkout", "--quiet", "-b", "forest-fire")
    new = copy_seed_as_template(repo)
    git(repo, "add", NEW)
    git(repo, "commit", "--quiet", "-m", "新增：秋季森林防火通知")
    code, lines = check(repo, "--base", "main")
    assert blamed(lines) == [INDEX_LINE.format(new=new, old=repo / SEED, reason=PUBLISHED),
                             DOC_NO_LINE.format(new=new, old=repo / SEED, reason=PUBLISHED)]
    assert code == 1
    # both committed and no base named: the later one by date keeps the blame on the other
    code, lines = check(repo)
    reason = "那个文件发布日期 2018-09-28 较早，视为已经发布"
    assert blamed(lines) == [INDEX_LINE.format(new=repo / SEED, old=new, reason=reason),
                             DOC_NO_LINE.format(new=repo / SEED, old=new, reason=reason)]
    result = run_script("check.py", "--content", repo / "content", "--base", "origin/main")
    assert result.stderr.strip() == "--base origin/main: git 中找不到这个分支或提交；请确认名称，例如 origin/main（需要先 git fetch）"
    assert result.returncode == 2


def test_without_git_the_later_file_is_blamed_by_date_then_path(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    copy = content / "policy" / "yanzhengfa-2018-10-executive-capacity2.md"   # same date: the later path
    shutil.copy(content / "policy" / "yanzhengfa-2018-10-executive-capacity.md", copy)
    result = run_script("check.py", "--content", content)
    reason = "两个文件发布日期相同，按路径排在前面的视为已经发布"
    old = content / "policy" / "yanzhengfa-2018-10-executive-capacity.md"
    assert blamed(result.stdout.splitlines()) == [INDEX_LINE.format(new=copy, old=old, reason=reason),
                                                  DOC_NO_LINE.format(new=copy, old=old, reason=reason)]
    assert result.returncode == 1


def test_build_still_fails_on_a_duplicate(repo, tmp_path):
    new = copy_seed_as_template(repo)
    output = tmp_path / "output"
    result = build_site(repo / "content", output)
    assert result.returncode == 1
    assert "索引号 11230129MB1848123X/2018-00010 已由" in result.stderr
    assert f"网站没有更新：{output} 保持原样。" in result.stderr
    assert not output.exists()
