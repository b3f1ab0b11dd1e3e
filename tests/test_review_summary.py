"""The review summary (issues 6 and 14): what reviewers approve in a pull request.

A throwaway git repository holds a copy of the real content/ tree; a branch
adds a document (with a mobile number planted in its body), edits another's
body and a field, deletes a third (that another document interprets) and adds
a stray file. scripts/review_summary.py is run on it as staff and CI run it,
and the Markdown is read as the reviewer reads it."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, run_script
from publishing_docs import seed_policy, write

GIT_ENV = {"GIT_AUTHOR_NAME": "信息中心", "GIT_AUTHOR_EMAIL": "xxgk@example.invalid",
           "GIT_COMMITTER_NAME": "信息中心", "GIT_COMMITTER_EMAIL": "xxgk@example.invalid"}
ASOF = {"ASOF": "2026-12-01"}   # the solicitations' 意见反馈 reminders depend on the day

NEW = "content/policy/yanzhengfa-2018-12-executive-capacity-followup.md"
EDITED = "content/policy/pingtan-2015-minimum-living-allowance-regulation.md"
DELETED = "content/policy/sc-2018-guobanfa115-normative-doc-legality-review.md"
INTERPRETS_DELETED = "content/interpretation/moj-2018-guobanfa115-legality-review-interpretation.md"
STRAY = "content/policy/draft-notes.txt"
MOBILE = "13945067218"
OLD_SENTENCE = "现将有关事项通知如下："
NEW_SENTENCE = "现将有关事项通知如下，请各单位于2015年4月底前报送落实情况："


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def summarise(repo, tmp_path, *args):
    return run_script("review_summary.py", "--repo", repo, "--base", "main", *args,
                      "--output", tmp_path / "review-summary.md", env=ASOF)


@pytest.fixture
def content_repo(tmp_path):
    """A repository whose main holds a copy of the real content/ tree."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copytree(ROOT / "content", repo / "content")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Content as published")
    return repo


@pytest.fixture
def branch(content_repo):
    """The branch a reviewer is asked to approve."""
    repo = content_repo
    git(repo, "checkout", "-q", "-b", "followup")
    source = (ROOT / "content/policy/yanzhengfa-2018-10-executive-capacity.md").read_text(encoding="utf-8")
    new = (source.replace("延寿县人民政府印发关于进一步提升政府执行力的意见的通知", "延寿县人民政府关于落实提升政府执行力意见的通知")
           .replace("11230129MB1848123X/2018-00010", "11230129MB1848123X/2018-00020")
           .replace("延政发〔2018〕10号", "延政发〔2018〕20号")
           .rstrip("\n") + f"\n\n联系人：县政府办公室王某，手机 {MOBILE}。\n")
    write(repo, NEW, new)
    edited = (repo / EDITED).read_text(encoding="utf-8")
    assert OLD_SENTENCE in edited and 'doc_no: "岚综管综〔2015〕63号"' in edited
    write(repo, EDITED, edited.replace(OLD_SENTENCE, NEW_SENTENCE)
          .replace('doc_no: "岚综管综〔2015〕63号"', 'doc_no: "岚综管综〔2015〕64号"'))
    (repo / DELETED).unlink()
    write(repo, STRAY, "内部讨论稿，请勿公开。\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Follow-up notice; correct 63号; withdraw the 2018 legality review")
    return repo


def file_line(repo, path, text) -> int:
    """The line number of the line holding text in the branch's file."""
    lines = (repo / path).read_text(encoding="utf-8").split("\n")
    return next(i for i, ln in enumerate(lines, 1) if text in ln)


def test_reviewer_sees_fields_body_checks_deletions_and_stray_files(branch, tmp_path):
    result = summarise(branch, tmp_path, "--head", "followup")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    lines = text.splitlines()
    assert (tmp_path / "review-summary.md").read_text(encoding="utf-8") == text

    # status and counts first
    assert lines[0] == "## 内容变更摘要（main → followup）"
    assert lines[2] == "**检查未通过**：本分支的改动有 4 个错误；请按下面的提示修改后再提交，有错误不能合并发布。"
    assert lines[4] == "新增 1 项，修改 1 项，删除 1 项，其他文件 1 个；4 个错误，1 个提醒。"

    # what make check finds, as it prints it: the planted number masked, never in clear
    number_line = file_line(branch, NEW, "联系人")
    assert (f"{NEW}:{number_line}: 发现手机号码 139****7218；个人手机号不得公开，请删除或遮盖；"
            "部门公开的服务电话请加入 content/privacy-allowlist.txt") in lines
    assert MOBILE not in text
    assert "联系人：县政府办公室王某，手机 139****7218。" in lines           # the body, masked too
    # (the copied document's dates are those of the real one, which make check questions)
    assert (f"{NEW}:5: 成文日期 (written) — 提醒： 成文日期 2018-11-12 晚于发布日期 2018-10-20；"
            "请核对两个日期（文件通常先成文后发布）") in lines
    # what the deletion breaks elsewhere: the interpretation names the deleted policy twice
    for line, field in ((11, "解读的文件 (interprets)"), (12, "相关文件 (related[0])")):
        assert (f"{INTERPRETS_DELETED}:{line}: {field} — 索引号 000014349/2018-00216 "
                "找不到对应的文件；应填写 content/ 中已有文件的索引号") in lines

    # the new document: every field as the public reads it, its address, its body
    assert "#### 《延寿县人民政府关于落实提升政府执行力意见的通知》（政策文件）" in lines
    assert "- 公开地址：https://www.yanshou.gov.cn/xxgk/11230129MB1848123X-2018-00020/" in lines
    for row in ("| 索引号 (index\\_no) | 11230129MB1848123X/2018-00020 |",
                "| 五公开类别 (disclosure) | 决策公开 |",
                "| 发布日期 (date) | 2018年10月20日 |",
                "| 主题词 (keywords) | 政府执行力、集体决策、政务公开、行政问责、督查 |",
                "| 有效性 (validity) | 有效 |",
                "| 审查结论 (review.result) | 通过 |",
                "| 审查人 (review.reviewer) | 县政府办公室保密审查组 |"):
        assert row in lines
    assert any(ln.startswith("<details><summary>正文（") for ln in lines)   # a long body is folded

    # the changed document: the field, old and new, and the body as a diff with the file's line numbers
    assert "| 发文字号 (doc\\_no) | 岚综管综〔2015〕63号 | 岚综管综〔2015〕64号 |" in lines
    assert not any(ln.startswith("| 标题 (title)") for ln in lines[lines.index("### 修改（1 项）"):])
    changed_at = file_line(branch, EDITED, NEW_SENTENCE)
    assert f"--- a/{EDITED}" in lines and f"+++ b/{EDITED}" in lines
    assert f"@@ -{changed_at - 3},7 +{changed_at - 3},7 @@" in lines
    assert any(ln.startswith("-") and ln.endswith(OLD_SENTENCE) for ln in lines)
    assert any(ln.startswith("+") and ln.endswith(NEW_SENTENCE) for ln in lines)

    # the deleted document: its public address and what to do instead
    deleted = lines.index("### 删除（1 项）")
    assert lines[deleted + 2].startswith("#### 《国务院办公厅关于全面推行行政规范性文件合法性审核机制的指导意见》")
    assert ("- 公开地址：https://www.yanshou.gov.cn/xxgk/000014349-2018-00216/ —— 删除后这个地址将无法访问，"
            "已有的链接、收藏和搜索结果都会失效。") in lines
    advice = next(ln for ln in lines if ln.startswith("- **建议不要删除**"))
    assert "有效性 (validity) 改为 `expired`（已失效）或 `repealed`（已废止）" in advice

    # a file no document names: make check's error, and where it is listed
    assert (f"{STRAY}:1: 没有任何文件引用这个文件（attachments 或 tables 中都没有），它不会发布；"
            "请在对应文件的 attachments 中登记它，或删除它") in lines
    stray = lines.index(f"- 新增 `{STRAY}`：文件（不属于任何文件的附件）。它不会发布，make check 把它报为错误；"
                        "请在相应文件的附件 (attachments) 中列出它，或从分支中删除")
    assert lines[stray + 2:stray + 8] == ["```diff", "--- /dev/null", f"+++ b/{STRAY}", "@@ -0,0 +1 @@",
                                          "+内部讨论稿，请勿公开。", "```"]


def test_a_clean_branch_passes_and_says_so(content_repo, tmp_path):
    git(content_repo, "checkout", "-q", "-b", "fix-title")
    path = content_repo / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
    git(content_repo, "commit", "-q", "-am", "Ask for a report")
    result = summarise(content_repo, tmp_path, "--head", "fix-title")
    lines = result.stdout.splitlines()
    assert lines[2] == "**检查通过**：没有发现错误。"
    assert lines[4] == "新增 0 项，修改 1 项，删除 0 项；0 个错误，0 个提醒。"
    assert "### 检查结果（与 make check 相同）" not in lines
    # the solicitations' reminders are on main already: counted apart, not blamed on this branch
    assert re.fullmatch(r"另有 0 个错误、\d+ 个提醒在本分支没有改动的文件中，基准分支上已经存在；运行 make check 查看。",
                        lines[6])


def test_worktree_changes_are_summarised_too(branch, tmp_path):
    path = branch / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace("岚综管综〔2015〕64号", "岚综管综〔2015〕65号"),
                    encoding="utf-8")
    result = summarise(branch, tmp_path, "--worktree")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "## 内容变更摘要（main → 工作区）"
    assert "| 发文字号 (doc\\_no) | 岚综管综〔2015〕63号 | 岚综管综〔2015〕65号 |" in lines


def test_comment_output_fits_a_pull_request_comment(branch, tmp_path):
    """Many new documents: the comment keeps whole sections and says where the rest is."""
    for i in range(40):
        text = seed_policy(index_no=f"11230129MB1848123X/2018-{100 + i:05d}", doc_no=f"延政发〔2018〕{100 + i}号",
                           body_extra=[f"第 {i} 份文件的正文。" * 200])
        write(branch, f"content/policy/bulk-{i:02d}.md", text)
    comment = tmp_path / "comment.md"
    result = summarise(branch, tmp_path, "--worktree", "--comment-output", comment)
    assert result.returncode == 0, result.stderr
    body = comment.read_text(encoding="utf-8")
    assert len(body) <= 60000 < len(result.stdout)
    assert body.startswith("<!-- gongkai-review-summary -->\n## 内容变更摘要（main → 工作区）\n")
    assert re.search(r"^……摘要太长，以下 \d+ 部分没有显示；完整摘要见本次检查的产物 review-summary.md，"
                     r"或在本地运行 make review-summary BASE=main。$", body, re.M)
    assert body.count("```") % 2 == 0     # no block left open


def test_unknown_base_is_explained(content_repo, tmp_path):
    result = run_script("review_summary.py", "--repo", content_repo, "--base", "no-such-branch",
                        "--output", tmp_path / "s.md")
    assert result.returncode == 2
    assert result.stderr.startswith("无法读取 git 历史：")
    assert "Traceback" not in result.stderr


def test_markup_in_a_body_is_shown_not_rendered(content_repo, tmp_path):
    """A body cannot close the block it is shown in, nor hide text in an HTML comment."""
    git(content_repo, "checkout", "-q", "-b", "sneaky")
    text = seed_policy(index_no="11230129MB1848123X/2018-00030", doc_no="延政发〔2018〕30号",
                       body_extra=["```", "</details>", "<!-- 下面这句不想让审查人看到 -->"])
    write(content_repo, "content/policy/sneaky.md", text.replace("title: 延寿县", "title: <b>延寿县"))
    git(content_repo, "add", "-A")
    git(content_repo, "commit", "-q", "-m", "Add")
    lines = summarise(content_repo, tmp_path, "--head", "sneaky").stdout.splitlines()
    start = lines.index("````markdown")          # a fence longer than any in the body
    end = lines.index("````", start)
    assert {"```", "</details>", "<!-- 下面这句不想让审查人看到 -->"} <= set(lines[start:end])
    assert "#### 《&lt;b&gt;延寿县人民政府印发关于进一步提升政府执行力的意见的通知》（政策文件）" in lines


def test_a_new_index_no_says_the_old_address_goes(content_repo, tmp_path):
    git(content_repo, "checkout", "-q", "-b", "renumber")
    path = content_repo / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace("11230129MB1848123X/2015-00002",
                                                             "11230129MB1848123X/2015-00099"), encoding="utf-8")
    git(content_repo, "commit", "-q", "-am", "Renumber")
    lines = summarise(content_repo, tmp_path, "--head", "renumber").stdout.splitlines()
    assert ("- **公开地址改变**：https://www.yanshou.gov.cn/xxgk/11230129MB1848123X-2015-00002/ → "
            "https://www.yanshou.gov.cn/xxgk/11230129MB1848123X-2015-00099/；原地址将无法访问，"
            "已有的链接和收藏都会失效。已公开文件的索引号请不要修改") in lines
    assert "| 索引号 (index\\_no) | 11230129MB1848123X/2015-00002 | 11230129MB1848123X/2015-00099 |" in lines


def test_a_document_moved_to_another_file_is_one_change(content_repo, tmp_path):
    """Removed here, added there under the same 索引号: its address stays, nothing is deleted."""
    git(content_repo, "checkout", "-q", "-b", "move")
    text = (content_repo / EDITED).read_text(encoding="utf-8")
    (content_repo / EDITED).unlink()
    write(content_repo, "content/policy/2015-minimum-living-allowance.md",
          text.replace(OLD_SENTENCE, NEW_SENTENCE) + "\n" + "补充说明。\n" * 60)   # too different for git's rename
    git(content_repo, "add", "-A")
    git(content_repo, "commit", "-q", "-m", "Move")
    lines = summarise(content_repo, tmp_path, "--head", "move").stdout.splitlines()
    assert lines[4] == "新增 0 项，修改 1 项，删除 0 项；0 个错误，0 个提醒。"
    assert (f"- 文件：`content/policy/2015-minimum-living-allowance.md`（原为 `{EDITED}`）") in lines


def test_a_changed_data_table_is_named_with_its_document_and_diffed(content_repo, tmp_path):
    git(content_repo, "checkout", "-q", "-b", "csv")
    table = content_repo / "content/budget/pingtan-2016-sangong-final-accounts.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("累计137人次", "累计137人次（含随行翻译）"),
                     encoding="utf-8")
    git(content_repo, "commit", "-q", "-am", "Explain")
    lines = summarise(content_repo, tmp_path, "--head", "csv").stdout.splitlines()
    assert lines[4] == "新增 0 项，修改 0 项，删除 0 项，其他文件 1 个；0 个错误，0 个提醒。"
    assert ("- 修改 `content/budget/pingtan-2016-sangong-final-accounts.csv`："
            "《2016年度平潭综合实验区一般公共预算“三公”经费支出决算情况》（财政预决算）的数据表"
            "“2016年度平潭综合实验区一般公共预算“三公”经费支出决算情况”") in lines
    assert "-因公出国（境）费,177.06,-74.45,-29.6%,出国团组43个，累计137人次" in lines
    assert "+因公出国（境）费,177.06,-74.45,-29.6%,出国团组43个，累计137人次（含随行翻译）" in lines


def test_a_symlink_is_reported_never_shown(content_repo, tmp_path):
    """A symlink named like a text file would put the CI machine's files into the comment."""
    secret = tmp_path / "secret.txt"
    secret.write_text("CI_SECRET=do-not-show\n", encoding="utf-8")
    git(content_repo, "checkout", "-q", "-b", "link")
    (content_repo / "content/policy/notes.txt").symlink_to(secret)
    git(content_repo, "add", "-A")
    git(content_repo, "commit", "-q", "-m", "Link")
    result = summarise(content_repo, tmp_path, "--head", "link")
    assert result.returncode == 0, result.stderr
    assert "do-not-show" not in result.stdout
    assert (f"content/policy/notes.txt:1: 是符号链接（指向 {secret}）；content/ 和 theme/ 中不能有符号链接，"
            "请换成文件本身，或删除它") in result.stdout.splitlines()
