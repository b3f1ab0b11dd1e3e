"""One validator, two doors: every error class of the foundation, as staff see
it from make check (exact Chinese line, exit code), on real documents with
one thing broken."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_script
from gongkai.core.model import read_document
from gongkai.core.schema import normalize_doc_no

SEED = ROOT / "content" / "policy" / "yanzhengfa-2018-10-executive-capacity.md"
HOLIDAYS = ROOT / "content" / "policy" / "sc-2018-guobanfamingdian15-2019-holidays.md"


def tree(tmp_path: Path, *docs: Path) -> Path:
    content = tmp_path / "content"
    for doc in docs:
        target = content / doc.parent.name / doc.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(doc, target)
    return content


def edit(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(content: Path):
    result = run_script("check.py", "--content", content)
    return result.returncode, result.stdout.strip().splitlines()


def seed_copy(tmp_path):
    content = tree(tmp_path, SEED)
    return content, content / "policy" / SEED.name


def line_for(lines, fragment):
    hits = [line for line in lines if fragment in line]
    assert hits, "\n".join(lines)
    return hits[0]


def test_real_content_passes_with_the_seed_date_warning():
    code, lines = check(ROOT / "content")
    assert code == 0, "\n".join(lines)
    warning = line_for(lines, "yanzhengfa-2018-10-executive-capacity.md")
    assert warning.endswith("成文日期 (written) — 提醒： 成文日期 2018-11-12 晚于发布日期 2018-10-20；请核对两个日期（文件通常先成文后发布）")


@pytest.mark.parametrize("old,new,expected", [
    ('disclosure: "decision"', 'disclosure: "decisions"',
     ':3: 五公开类别 (disclosure) — 值“decisions”不在允许范围内；应为以下之一：decision（决策公开）、execution（执行公开）、management（管理公开）、service（服务公开）、result（结果公开）'),
    ('date: "2018-10-20"', 'date: "2018-02-30"',
     ':4: 发布日期 (date) — “2018-02-30”不是有效的日期；应写作 YYYY-MM-DD，例如 2018-10-20'),
    ('date: "2018-10-20"', 'date: "2018/10/20"',
     ':4: 发布日期 (date) — “2018/10/20”不是有效的日期；应写作 YYYY-MM-DD，例如 2018-10-20'),
    ('issuer: "延寿县人民政府"\n', '',
     ':1: 发布机构 (issuer) — 缺少此项；应填写发布机构，例如 延寿县人民政府'),
    ('author: "延寿县信息中心"', 'autor: "延寿县信息中心"',
     ':7: autor — 不认识的字段；请检查拼写，允许的字段有：'),
    ('index_no: "11230129MB1848123X/2018-00010"', 'index_no: "11230129MB1848123X/2018-10"',
     ':8: 索引号 (index_no) — “11230129MB1848123X/2018-10”不符合索引号格式；应为 组织机构代码/年份-5位序号，例如 11230129MB1848123X/2024-00001'),
    ('topic: "综合政务/政务督查"', 'topic: "综合政务/督查"',
     ':10: 主题分类 (topic) — “综合政务/督查”不在主题分类词表中；应取自 metadata_schema/topics.yaml，例如 综合政务/政务公开'),
    ('  result: "passed"', '  result: "pending"',
     ':14: 审查结论 (review.result) — 值“pending”不在允许范围内；应为以下之一：passed（通过）'),
    ('title: "延寿县人民政府印发关于进一步提升政府执行力的意见的通知"', 'title: 延寿县人民政府印发: 意见',
     ':2: 元数据格式错误：这里不能出现冒号（值里有冒号时请给整个值加引号）；'),
])
def test_one_broken_field_gives_one_clear_line(tmp_path, old, new, expected):
    content, seed = seed_copy(tmp_path)
    edit(seed, old, new)
    code, lines = check(content)
    assert code == 1
    line = line_for(lines, expected)
    assert line.startswith(str(seed)) or line.startswith("content/")
    assert "Traceback" not in "\n".join(lines)
    assert lines[-1].startswith("共 ") and lines[-1].endswith("修改后重新运行 make check。")


def test_yaml_error_names_the_line(tmp_path):
    content, seed = seed_copy(tmp_path)
    edit(seed, 'keywords: ["政府执行力"', 'keywords: ["政府执行力')
    code, lines = check(content)
    assert code == 1
    assert any(":11: 元数据格式错误" in line for line in lines), lines


def test_not_utf8(tmp_path):
    content, seed = seed_copy(tmp_path)
    seed.write_bytes(seed.read_text(encoding="utf-8").encode("gb18030"))
    code, lines = check(content)
    assert code == 1
    assert lines[0].endswith(":2: 文件不是 UTF-8 编码（第 2 行附近无法解码）；请用 UTF-8 重新保存")


def test_no_front_matter(tmp_path):
    content, seed = seed_copy(tmp_path)
    seed.write_text(SEED.read_text(encoding="utf-8").split("---", 2)[2], encoding="utf-8")
    code, lines = check(content)
    assert code == 1
    assert lines[0].endswith(":1: 文件开头没有元数据块；文件应以一行 --- 开始，写完字段后再以一行 --- 结束")


def test_every_problem_of_a_run_is_reported_together(tmp_path):
    content, seed = seed_copy(tmp_path)
    edit(seed, 'disclosure: "decision"', 'disclosure: "x"')
    edit(seed, 'date: "2018-10-20"', 'date: "2018-13-01"')
    other = content / "policy" / HOLIDAYS.name
    shutil.copy(HOLIDAYS, other)
    edit(other, "validity: ", "validity: gone\nold_validity: ")
    code, lines = check(content)
    assert code == 1
    assert sum("(disclosure)" in line or "(date)" in line for line in lines) == 2
    assert any("sc-2018-guobanfamingdian15-2019-holidays.md" in line and "(validity)" in line for line in lines)
    assert lines[-1].startswith("共 ") and "涉及 2 个文件" in lines[-1]


def test_duplicate_index_no_and_doc_no_after_normalisation(tmp_path):
    content = tree(tmp_path, SEED, HOLIDAYS)
    other = content / "policy" / HOLIDAYS.name
    text = other.read_text(encoding="utf-8")
    import re
    text = re.sub(r'index_no: .*', 'index_no: "11230129MB1848123X/2018-00010"', text)
    text = re.sub(r'doc_no: .*', 'doc_no: "延政发(2018)10号"', text)
    other.write_text(text, encoding="utf-8")
    code, lines = check(content)
    assert code == 1
    # no git here: the later one by date (2018-12-06) is blamed, the seed (2018-10-20) keeps both numbers
    seed = content / "policy" / SEED.name
    assert f"{other}:7: 索引号 (index_no) — 索引号 11230129MB1848123X/2018-00010 已由 {seed} 使用（那个文件发布日期 2018-10-20 较早，视为已经发布），索引号是网址的一部分，那个文件保留它；请把本文件的索引号改为下一个空闲序号 11230129MB1848123X/2018-00011" in lines
    assert f"{other}:8: 发文字号 (doc_no) — 发文字号 延政发〔2018〕10号 已由 {seed} 使用（那个文件发布日期 2018-10-20 较早，视为已经发布），那个文件保留它；请核对本文件原件上的发文字号，同一份文件不要重复发布" in lines
    assert not any(line.startswith(f"{seed}:") and "已由" in line for line in lines)


def test_unknown_reference_and_missing_attachment(tmp_path):
    content, seed = seed_copy(tmp_path)
    edit(seed, 'source: ', 'related: ["11230129MB1848123X/2018-99999"]\nattachments:\n  - {path: policy/附件1.pdf, title: 附件1}\nsource: ')
    code, lines = check(content)
    assert code == 1
    assert line_for(lines, "(related[0]) — 索引号 11230129MB1848123X/2018-99999 找不到对应的文件")
    assert line_for(lines, "(attachments[0].path) — 附件 policy/附件1.pdf 不存在")


def test_type_must_agree_with_folder(tmp_path):
    content, seed = seed_copy(tmp_path)
    edit(seed, 'disclosure: ', 'type: budget\ndisclosure: ')
    code, lines = check(content)
    assert code == 1
    assert line_for(lines, "(type) — 写的是“budget”，但文件在 policy 文件夹中")


def test_paths_argument_limits_the_report(tmp_path):
    content = tree(tmp_path, SEED, HOLIDAYS)
    edit(content / "policy" / HOLIDAYS.name, "validity: ", "validity: gone\nold_validity: ")
    result = run_script("check.py", "--content", content, content / "policy" / SEED.name)
    assert result.returncode == 0
    assert "holidays" not in result.stdout


def test_doc_no_variants_normalise():
    for variant in ("延政发[2018]10号", "延政发(2018)10号", "延政发（2018）10号", "延政发〔2018〕10号"):
        assert normalize_doc_no(variant) == "延政发〔2018〕10号"


def test_document_is_typed_at_the_boundary():
    doc = read_document(SEED)
    from datetime import date
    assert doc.meta["date"] == date(2018, 10, 20)
    assert doc.meta["written"] == date(2018, 11, 12)
    assert doc.meta["type"] == "policy"
    assert doc.lines["index_no"] == 8
    assert doc.body.lstrip().startswith("各乡(镇)人民政府")


def test_a_file_pelican_could_not_process_stops_the_build():
    """Pelican logs a file its read loop fails on and builds without it; the
    validation plugin turns it into an error line, so the build stops."""
    import sys
    from types import SimpleNamespace

    sys.path.insert(0, str(ROOT / "plugins"))
    from validation import unread

    content = ROOT / "content"
    gen = SimpleNamespace(path=str(content), context={"generated_content": {
        "policy/yanzhengfa-2018-10-executive-capacity.md": None, "policy/other.md": object()}})
    problems = unread([gen, gen])  # generators share one context: each file once
    assert [(p.path, p.code, p.is_error) for p in problems] == [
        ("content/policy/yanzhengfa-2018-10-executive-capacity.md", "internal_error", True)]
    assert "无法处理" in str(problems[0])
