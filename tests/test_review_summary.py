"""The review summary (issue 6): in a throwaway git repository, a branch that
changes a doc_no, adds an item and removes another shows each, with the old
and new values of the changed fields."""
from __future__ import annotations

import subprocess

import pytest

from conftest import run_script
from publishing_docs import seed_policy, write

GIT_ENV = {"GIT_AUTHOR_NAME": "信息中心", "GIT_AUTHOR_EMAIL": "xxgk@example.invalid",
           "GIT_COMMITTER_NAME": "信息中心", "GIT_COMMITTER_EMAIL": "xxgk@example.invalid"}


def git(repo, *args):
    import os
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env={**os.environ, **GIT_ENV})


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "content/policy/execution.md", seed_policy())
    write(repo, "content/policy/old.md", seed_policy(index_no="11230129MB1848123X/2018-00003", doc_no="延政发〔2018〕3号"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Publish 2018 policies")
    git(repo, "checkout", "-q", "-b", "fix-doc-no")
    write(repo, "content/policy/execution.md", seed_policy(doc_no="延政发〔2018〕11号", date="2018-10-22"))
    write(repo, "content/policy/new.md", seed_policy(index_no="11230129MB1848123X/2018-00012", doc_no="延政发〔2018〕12号"))
    write(repo, "content/policy/files/名单.csv", "姓名,金额\n")
    (repo / "content/policy/old.md").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Correct doc_no of the execution notice")
    return repo


def test_branch_that_changed_a_doc_no_shows_old_and_new_values(repo, tmp_path):
    out_file = tmp_path / "summary.md"
    result = run_script("review_summary.py", "--repo", repo, "--base", "main", "--head", "fix-doc-no",
                        "--output", out_file)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    title = "《延寿县人民政府印发关于进一步提升政府执行力的意见的通知》"
    assert lines[0] == "## 内容变更摘要（main → fix-doc-no）"
    assert "新增 1 项，修改 1 项，删除 1 项，其他文件 1 个。" in lines
    assert f"- {title}（政策文件，索引号 11230129MB1848123X/2018-00012） `content/policy/new.md`" in lines
    assert f"#### {title}（政策文件，索引号 11230129MB1848123X/2018-00010） `content/policy/execution.md`" in lines
    assert "| 发文字号 (doc_no) | 延政发〔2018〕10号 | 延政发〔2018〕11号 |" in lines
    assert "| 发布日期 (date) | 2018-10-20 | 2018-10-22 |" in lines
    assert not any(ln.startswith("| 标题 (title)") for ln in lines)       # unchanged fields are not listed
    assert f"- {title}（政策文件，索引号 11230129MB1848123X/2018-00003） `content/policy/old.md`" in lines
    assert "- 新增 `content/policy/files/名单.csv`" in lines
    assert out_file.read_text(encoding="utf-8") == result.stdout


def test_worktree_changes_are_summarised_too(repo, tmp_path):
    write(repo, "content/policy/execution.md", seed_policy(doc_no="延政发〔2018〕13号", date="2018-10-22"))
    git(repo, "checkout", "-q", "fix-doc-no")
    result = run_script("review_summary.py", "--repo", repo, "--base", "main", "--worktree",
                        "--output", tmp_path / "s.md")
    assert "| 发文字号 (doc_no) | 延政发〔2018〕10号 | 延政发〔2018〕13号 |" in result.stdout.splitlines()


def test_unknown_base_is_explained(repo, tmp_path):
    result = run_script("review_summary.py", "--repo", repo, "--base", "no-such-branch", "--output", tmp_path / "s.md")
    assert result.returncode == 2
    assert result.stderr.startswith("无法读取 git 历史：")
    assert "Traceback" not in result.stderr
