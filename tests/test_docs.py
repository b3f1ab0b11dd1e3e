"""The README is part of the contract: its field table is generated from the
schema and up to date, and every message code has a 常见错误 entry."""
from __future__ import annotations

from conftest import ROOT, run_script
from gongkai.core import schema
from gongkai.core.messages import MESSAGES

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_field_table_is_generated_and_current():
    result = run_script("gen_docs.py", "--check")
    assert result.returncode == 0, result.stderr


def test_every_field_is_in_the_readme():
    for doc_type in (*schema.TYPES, schema.PAGE):
        for key in schema.properties(doc_type):
            assert f"`{key}`" in README, key


def test_every_message_code_has_a_common_error_entry():
    missing = [code for code in MESSAGES if f"`{code}`" not in README]
    assert missing == []


def test_readme_opens_with_the_two_commands_in_chinese_first():
    head = README.split("# English")[0]
    assert "make serve" in head and "make test" in head
    assert head.index("make serve") < head.index("## 日常工作")
