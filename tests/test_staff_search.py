"""make search / scripts/search.py: staff find what is already in content/
(built or not) by words, phrases and field queries; wording is part of the contract."""
from __future__ import annotations

import shutil

import pytest

from conftest import ROOT, run_script

SEED = "content/policy/yanzhengfa-2018-10-executive-capacity.md"


def paths(result) -> list:
    """The file paths printed (each result starts with its path, unindented)."""
    return [line for line in result.stdout.splitlines() if line.endswith(".md") and not line[:1].isspace()]


@pytest.mark.parametrize("query", ["doc_no:延政发[2018]10号", "doc_no:延政发2018年10号", "延政发(2018)10号",
                                   "index_no:11230129MB1848123X/2018-00010", "11230129MB1848123X/2018-00010"])
def test_doc_no_and_index_no_find_the_seed_first(query):
    result = run_script("search.py", query)
    assert result.returncode == 0, result.stderr
    assert paths(result)[0] == SEED


def test_output_shows_path_title_date_and_snippet():
    result = run_script("search.py", "政府执行力")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    at = lines.index(SEED)
    assert lines[at + 1].strip() == "延寿县人民政府印发关于进一步提升政府执行力的意见的通知"
    assert "2018年10月20日" in lines[at + 2] and "延政发〔2018〕10号" in lines[at + 2]
    assert "【政府执行力】" in lines[at + 3]
    assert lines[-1].startswith("共找到 ")


def test_phrase_needs_words_in_order():
    assert SEED in paths(run_script("search.py", '"提升政府执行力"'))
    assert paths(run_script("search.py", '"执行力政府提升"')) == []


def test_part_word_found_through_search_mode():
    # 行政审批局 is inside the issuer 平潭综合实验区行政审批局 (one word for jieba).
    found = paths(run_script("search.py", "issuer:行政审批局"))
    assert found and all(p.startswith("content/project/") for p in found)


def test_field_queries_combine():
    found = paths(run_script("search.py", "营商环境 issuer:国务院"))
    assert "content/policy/sc-2019-guofa5-double-random-inspection.md" in found
    assert all("pingtan" not in p for p in found)
    years = paths(run_script("search.py", "type:政策文件 year:2014"))
    assert years and all(p.startswith("content/policy/pingtan-2014") for p in years)
    ranged = paths(run_script("search.py", "type:budget year:2015-2017"))
    assert len(ranged) == 2
    assert SEED in paths(run_script("search.py", "topic:综合政务 disclosure:决策公开 title:执行力"))


def test_files_not_yet_built_are_found(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    (content / "policy").mkdir(parents=True)
    draft = (ROOT / SEED).read_text(encoding="utf-8").replace(
        "延寿县人民政府印发关于进一步提升政府执行力的意见的通知", "关于推进乡村客运站点改造的通知")
    (content / "policy" / "draft-rural-bus-stops.md").write_text(draft, encoding="utf-8")
    result = run_script("search.py", "--content", content, "title:客运站点")
    assert result.returncode == 0, result.stderr
    assert paths(result) == [str(content / "policy" / "draft-rural-bus-stops.md")]


def test_nothing_found_says_so():
    result = run_script("search.py", "title:不存在的词语组合")
    assert result.returncode == 1
    assert result.stdout.strip() == "没有找到符合条件的文件。可以换一个词，或去掉部分条件。"


@pytest.mark.parametrize("query,message", [
    ("colour:红", "搜索词有误：没有“colour:”这一字段；可用：title:、issuer:、doc_no:、index_no:、type:、disclosure:、topic:、year:"),
    ("type:通知", "搜索词有误：信息类型（type）没有“通知”这一项；可用：policy（政策文件）、interpretation（政策解读）、"
                  "budget（财政预决算）、project（重大建设项目）、decision（决策结果）、solicitation（意见征集）"),
    ("year:去年", "搜索词有误：年份（year）写作 year:2018 或 year:2015-2018，收到“去年”"),
    ("", "搜索词有误：请输入要搜索的词，例如 make search Q=\"营商环境 issuer:县财政局\""),
    ("。，！", "搜索词有误：搜索词只有标点符号，请输入文字、发文字号或索引号"),
])
def test_bad_queries_get_one_chinese_line(query, message):
    result = run_script("search.py", query)
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert "Traceback" not in result.stderr


def test_make_search_passes_the_whole_query():
    import subprocess
    result = subprocess.run(["make", "-s", "search", 'Q=营商环境 issuer:国务院'], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert "content/policy/sc-2019-guofa5-double-random-inspection.md" in result.stdout, result.stderr
