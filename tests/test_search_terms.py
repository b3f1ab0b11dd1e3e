"""The query normaliser both searches share (gongkai/core/searchterms.py and
theme/static/js/gk-search-core.js): the same cases give the same answer in
Python and in Chromium; the staff-edited synonym table is checked by make check."""
from __future__ import annotations

import json

import pytest

from conftest import ROOT, run_script
from gongkai.core import searchterms
from test_privacy import seed_policy, write

TERMS = searchterms.Terms({"公租房": ["公共租赁住房", "保障性住房"], "噪音": ["噪声"]},
                          searchterms.pinyin_aliases(["平潭综合实验区管委会", "延寿县人民政府"]))
# (typed, [(term, alternatives)])
CASES = [
    ("養老保險", [("养老保险", ["养老保险"])]),
    ("執行力", [("执行力", ["执行力"])]),
    ("ＰＩＮＧＴＡＮ", [("pingtan", ["平潭"])]),
    ("ping tan", [("ping tan", ["平潭"])]),
    ("Yanshou", [("yanshou", ["延寿"])]),
    ("公租房申请  噪音", [("公租房申请", ["公租房申请", "公共租赁住房申请", "保障性住房申请"]), ("噪音", ["噪音", "噪声"])]),
    ("国辦發〔2018〕115号", [("国办发〔2018〕115号", ["国办发〔2018〕115号"])]),
    ("", []),
]


def test_pinyin_names_come_from_the_issuers():
    assert TERMS.pinyin["pingtan"] == "平潭" and TERMS.pinyin["yanshouxian"] == "延寿县"
    assert TERMS.pinyin["yanshouxianrenminzhengfu"] == "延寿县人民政府"


@pytest.mark.parametrize("typed,parts", CASES)
def test_python_parse(typed, parts):
    assert [(c.term, c.alts) for c in searchterms.parse(typed, TERMS)] == [(t, a) for t, a in parts]


def test_browser_parse_agrees(browser, base_url):
    chars = "".join(t for _typed, parts in CASES for term, alts in parts for t in [term, *alts])
    table = searchterms.browser_table(chars, TERMS)
    page = browser.new_page()
    try:
        page.goto(base_url + "/search/")
        got = page.evaluate("""async ([table, cases]) => {
          const core = await import('/theme/js/gk-search-core.js');
          core.setTerms(table);
          return cases.map((q) => core.parseQuery(q).map((p) => [p.term, p.alts]));
        }""", [table, [typed for typed, _parts in CASES]])
    finally:
        page.close()
    assert got == [[[t, a] for t, a in parts] for _typed, parts in CASES]


def test_the_browser_table_is_small_and_only_for_indexed_characters(site):
    table = json.loads((site / "search" / "terms.json").read_text(encoding="utf-8"))
    trad, simp = table["t2s"]
    assert len(trad) == len(simp) and "養" in trad and simp[trad.index("養")] == "养"
    assert len((site / "search" / "terms.json").read_bytes()) < 20_000
    assert table["synonyms"]["噪音"] == ["噪声"] and table["pinyin"]["pingtan"] == "平潭"


@pytest.mark.parametrize("text,line", [
    ("公租房: [公共租赁住房]\n公租房: [保障性住房]\n",
     "search-synonyms.yaml:2: “公租房”在同义词表中写了两次；请把它的文件用语合并到一行"),
    ("噪音: [噪音, 噪声]\n", "search-synonyms.yaml:1: “噪音”的文件用语里又写了它自己；右边只写文件中的其他说法"),
    ("噪音:\n  - 噪 声\n", "search-synonyms.yaml:1: 这一行不是“常用说法: [文件用语, …]”的形式；左边写一个词，"
                        "右边写方括号括起的一个或几个词（词中不要有空格），例如 噪音: [噪声]"),
    ("噪音: [噪声\n", "search-synonyms.yaml:2: 搜索同义词表格式错误："),
])
def test_a_bad_synonym_table_stops_make_check(tmp_path, text, line):
    content = tmp_path / "content"
    write(content, "policy/2018-execution.md", seed_policy())
    write(content, "search-synonyms.yaml", text)
    result = run_script("check.py", "--content", content)
    assert result.returncode == 1
    assert any(out.startswith(f"{content}/{line}") for out in result.stdout.splitlines()), result.stdout


def test_a_word_no_document_uses_is_a_warning(tmp_path):
    content = tmp_path / "content"
    write(content, "policy/2018-execution.md", seed_policy())
    write(content, "search-synonyms.yaml", "红头文件: [规范性文件]\n")
    result = run_script("check.py", "--content", content)
    assert result.returncode == 0, result.stdout
    assert (f"{content}/search-synonyms.yaml:1: 提醒： “红头文件”对应的文件用语“规范性文件”没有出现在任何文件中，"
            "搜索它找不到内容；请核对用字，或改成文件中实际使用的说法") in result.stdout.splitlines()


def test_the_real_table_is_clean():
    table, problems = searchterms.load_synonyms(ROOT / "content" / searchterms.SYNONYMS_FILE)
    assert not problems and table["公租房"] == ["公共租赁住房", "保障性住房"]
