"""make search / scripts/search.py: staff find what is already in content/
(built or not) by words, phrases and field queries; wording is part of the contract."""
from __future__ import annotations

import os
import shutil

import pytest

from conftest import ROOT, run_script
from gongkai.commands import staffsearch

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
    result = run_script("search.py", "--content", content, "--cache-path", tmp_path / "cache", "title:客运站点")
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


# --- the index on disk (.cache/staffsearch/), updated by mtime and size ------------------

TITLE = "延寿县人民政府印发关于进一步提升政府执行力的意见的通知"


@pytest.fixture
def tree(tmp_path):
    """A small content tree of real documents, and a search over it with its own index cache."""
    content = tmp_path / "content"
    for folder in ("pages", "policy", "budget"):
        shutil.copytree(ROOT / "content" / folder, content / folder)
    cache = tmp_path / "cache"

    def search(query, **kwargs):
        return run_script("search.py", "--content", content, "--cache-path", cache, query, **kwargs)
    return content, cache, search


def edit(path, old, new):
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    st = path.stat()   # a later mtime even on coarse file-system clocks
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_an_edit_shows_up_in_the_next_search(tree):
    content, _cache, search = tree
    assert paths(search("title:执行力")) == [str(content / "policy" / SEED.split("/")[-1])]
    edit(content / "policy" / SEED.split("/")[-1], TITLE, "关于推进乡村客运站点改造的通知")
    assert paths(search("title:执行力")) == []
    result = search("title:客运站点")
    assert paths(result) == [str(content / "policy" / SEED.split("/")[-1])]
    assert "关于推进乡村客运站点改造的通知" in result.stdout


def test_a_deleted_file_disappears(tree):
    content, _cache, search = tree
    seed = content / "policy" / SEED.split("/")[-1]
    assert str(seed) in paths(search("政府执行力"))
    seed.unlink()
    assert str(seed) not in paths(search("政府执行力"))


def test_unchanged_files_are_not_read_again(tree):
    content, cache, _search = tree
    count = len(list(content.rglob("*.md")))
    _ix, first = staffsearch.open_index(content, cache)
    assert (first.rebuilt, first.added) == ("missing", count)
    _ix, second = staffsearch.open_index(content, cache)
    assert (second.rebuilt, second.reindexed, second.removed, second.unchanged) == ("", 0, 0, count)
    edit(content / "policy" / SEED.split("/")[-1], TITLE, "关于推进乡村客运站点改造的通知")
    (content / "policy" / "new-draft.md").write_text(
        (ROOT / SEED).read_text(encoding="utf-8").replace(TITLE, "新草稿"), encoding="utf-8")
    next(content.glob("budget/*.md")).unlink()
    _ix, third = staffsearch.open_index(content, cache)
    assert (third.rebuilt, third.added, third.changed, third.removed, third.unchanged) == ("", 1, 1, 1, count - 2)


def test_two_trees_never_share_an_index(tmp_path):
    assert staffsearch.index_dir(tmp_path / "a", tmp_path) != staffsearch.index_dir(tmp_path / "b", tmp_path)
    assert staffsearch.index_dir(tmp_path / "a", tmp_path) == staffsearch.index_dir(tmp_path / "x" / ".." / "a", tmp_path)


def test_a_dictionary_change_rebuilds(tree, tmp_path, monkeypatch):
    content, cache, _search = tree
    staffsearch.open_index(content, cache)
    changed = tmp_path / "dict.txt"
    changed.write_text(staffsearch.DICT_PATH.read_text(encoding="utf-8") + "乡村客运站点 10\n", encoding="utf-8")
    monkeypatch.setattr(staffsearch, "DICT_PATH", changed)
    _ix, update = staffsearch.open_index(content, cache)
    assert update.rebuilt == "version"
    _ix, update = staffsearch.open_index(content, cache)
    assert (update.rebuilt, update.reindexed) == ("", 0)


def test_rebuild_on_request(tree):
    content, cache, search = tree
    staffsearch.open_index(content, cache)
    _ix, update = staffsearch.open_index(content, cache, rebuild=True)
    assert update.rebuilt == "requested"
    result = run_script("search.py", "--content", content, "--cache-path", cache, "--rebuild", "-v", "政府执行力")
    assert result.returncode == 0, result.stderr
    assert "rebuilt='requested'" in result.stderr   # the debug line of -v


def test_an_updated_index_ranks_like_a_new_one(tree):
    # whoosh keeps deleted documents in its statistics until segments merge;
    # the searcher counts live documents only, so scores match a fresh index.
    content, cache, _search = tree
    staffsearch.open_index(content, cache)
    edit(content / "policy" / SEED.split("/")[-1], "营商环境", "营商环境、营商环境")
    for path in sorted(content.glob("budget/*.md"))[:2]:
        path.unlink()
    ix, update = staffsearch.open_index(content, cache)
    assert update.reindexed and update.removed
    from gongkai.core.corpus import read_tree
    fresh = staffsearch.build_index(read_tree(content))
    for query in ("营商环境", "政府执行力", "issuer:县财政局", "type:budget", "year:2015-2018", '"提升政府执行力"'):
        kept, new = staffsearch.search(query, ix=ix), staffsearch.search(query, ix=fresh)
        assert [(h.path, round(h.score, 9)) for h in kept[0]] == [(h.path, round(h.score, 9)) for h in new[0]], query
        assert kept[1] == new[1]


def test_a_damaged_index_is_rebuilt(tree):
    content, cache, search = tree
    assert search("政府执行力").returncode == 0
    for toc in cache.glob("*/index/_MAIN_*.toc"):
        toc.write_bytes(b"not an index")
    result = search("政府执行力")
    assert result.returncode == 0, result.stderr
    assert str(content / "policy" / SEED.split("/")[-1]) in paths(result)
    assert "搜索索引已损坏" in result.stderr and "Traceback" not in result.stderr


def test_a_locked_index_is_reported_in_chinese(tree, monkeypatch):
    content, cache, _search = tree
    ix, _update = staffsearch.open_index(content, cache)
    edit(content / "policy" / SEED.split("/")[-1], TITLE, "另一个标题")
    monkeypatch.setattr(staffsearch, "LOCK_WAIT", 0.3)
    writer = ix.writer()   # another search is updating the index
    try:
        with pytest.raises(staffsearch.IndexUnavailable, match="搜索索引正在被另一个搜索更新，请稍后再试"):
            staffsearch.open_index(content, cache)
    finally:
        writer.cancel()


# --- issue 17: the public search's normaliser, synonyms, loose numbers, typos ------------

@pytest.mark.parametrize("query,first", [
    ("国办发2018 115号", "content/policy/sc-2018-guobanfa115-normative-doc-legality-review.md"),
    ("国办发〔2018〕115", "content/policy/sc-2018-guobanfa115-normative-doc-legality-review.md"),
    ("2018-00216", "content/policy/sc-2018-guobanfa115-normative-doc-legality-review.md"),
    ("index_no:2018-00216", "content/policy/sc-2018-guobanfa115-normative-doc-legality-review.md"),
    ("岚综管办2015 145号",
     "content/interpretation/pingtan-2015-public-gathering-dwellings-rules-supplementary-explanation.md"),
    ("執行力", SEED),
    ("Yanshou", SEED),
    ("公租房", "content/policy/pingtan-2015-affordable-housing-joint-eligibility-review.md"),
    ("噪音", "content/solicitation/pingtan-2013-sound-environment-zoning-draft-consultation.md"),
])
def test_everyday_queries_find_the_document_first(query, first):
    hits, _total = staffsearch.search(query)
    assert hits and hits[0].path == first and not hits[0].partial


def test_a_typo_finds_partial_matches_and_says_so():
    result = run_script("search.py", "水土保待")
    assert result.returncode == 0
    assert paths(result)[0] == "content/policy/pingtan-2015-soil-water-conservation-five-measures.md"
    assert result.stdout.splitlines()[-1] == "没有完全符合的文件；以上 1 个文件只含其中的部分词语（可能有错别字）。"


def test_issuer_takes_part_of_a_name(tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(ROOT / "content", tree)
    seed = tree / SEED.removeprefix("content/")
    seed.write_text(seed.read_text(encoding="utf-8").replace('issuer: "延寿县人民政府"', 'issuer: "延寿县人民政府办公室"'),
                    encoding="utf-8")
    hits, _total = staffsearch.search_tree("issuer:延寿县人民政府", tree, tmp_path / "cache")
    assert [h.path.rsplit("/content/", 1)[-1] for h in hits] == [SEED.removeprefix("content/")]
