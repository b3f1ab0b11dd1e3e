"""The README is part of the contract: its field table is generated from the
schema and up to date, and every message code has a 常见错误 entry. The README
keeps what staff need on day one; the rest is in docs/, one guide per reader."""
from __future__ import annotations

from conftest import ROOT, run_script
from gongkai.core import schema
from gongkai.core.messages import MESSAGES

README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDES = {"docs/staff.md": "# 工作人员手册", "docs/review.md": "# 审核指南", "docs/operations.md": "# 运维",
          "docs/development.md": "# Development"}


def test_field_table_is_generated_and_current():
    result = run_script("gen_docs.py", "--check")
    assert result.returncode == 0, result.stderr


def test_every_field_is_in_the_readme():
    for doc_type in (*schema.TYPES, schema.PAGE):
        for key in schema.properties(doc_type):
            assert f"`{key}`" in README, key


def test_every_message_code_has_a_common_error_entry():
    table = README.split("### 常见错误")[1].split("\n## ")[0]
    missing = [code for code in MESSAGES if f"`{code}`" not in table]
    assert missing == []


def test_readme_opens_with_the_two_commands_in_chinese_first():
    head = README.split("# English")[0]
    assert "make serve" in head and "make test" in head
    assert head.index("make serve") < head.index("## 日常工作")


def test_the_readme_is_a_day_one_guide_and_sends_readers_to_theirs():
    head = README.split("# English")[0]
    sections = [line for line in head.splitlines() if line.startswith("## ")]
    assert sections == ["## 两条命令", "## 日常工作", "## 内容怎么写", "## 更多文档"]
    assert len(README.splitlines()) < 450
    for path, title in GUIDES.items():
        assert f"]({path})" in head, path
        assert (ROOT / path).read_text(encoding="utf-8").startswith(title + "\n"), path


def test_the_guides_hold_what_moved_out_of_the_readme():
    staff, review, operations = ((ROOT / p).read_text(encoding="utf-8") for p in list(GUIDES)[:3])
    assert "## 员工搜索（写新文件前先查重）" in staff and "### 导入旧网站的页面：`make import`" in staff
    assert "## 自动检查发现不了的（要人看）" in review and "## 审核合并请求时看什么" in review
    for heading in ("## 用 nginx 提供网站", "## 每天定时重建", "## 备份", "## 出了问题怎么恢复"):
        assert heading in operations
    assert "## Speed and `make bench`" in (ROOT / "docs/development.md").read_text(encoding="utf-8")
