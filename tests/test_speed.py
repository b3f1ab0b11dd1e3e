"""The speed devices keep their invariants (gongkai/build/speed/): a value set
on a document after it travelled as bytes is kept; a damaged cache is
discarded with one line and never reaches the output; the output never
shares a file with a cache entry an earlier build made; `--explain` says why
a page was reused or rendered. (That reusing nothing gives the same site is
tests/test_incremental.py.)"""
from __future__ import annotations

import os
import pickle
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import ASOF, ROOT, run_script
from gongkai.build.speed.travel import pickle_document, unpickle_document
from gongkai.core.model import read_document

SEED = ROOT / "content" / "policy" / "yanzhengfa-2018-10-executive-capacity.md"
SEED_URL = "/xxgk/11230129MB1848123X-2018-00010/"


def test_a_value_set_after_a_document_travelled_is_kept():
    doc = unpickle_document(pickle_document(read_document(SEED, ROOT / "content")))
    doc.derive("checked", "yes")
    back = pickle.loads(pickle.dumps({"doc": doc}, protocol=pickle.HIGHEST_PROTOCOL))["doc"]
    assert back.derived["checked"] == "yes"
    doc.path = "content/policy/moved.md"       # any field: the document is pickled whole again
    assert pickle.loads(pickle.dumps(doc)).path == "content/policy/moved.md"


def test_derived_values_cannot_be_set_behind_the_documents_back():
    doc = read_document(SEED, ROOT / "content")
    with pytest.raises(TypeError, match="derive"):
        doc.derived["x"] = 1
    with pytest.raises(TypeError):
        doc.derived.setdefault("x", {})


class Build:
    def __init__(self, tmp: Path):
        self.tmp, self.out, self.cache = tmp, tmp / "output", tmp / "cache"

    def run(self, *flags):
        result = run_script("build.py", "--output", self.out, "--cache-path", self.cache, *flags, env={"ASOF": ASOF})
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        return result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    b = Build(tmp_path_factory.mktemp("speed"))
    b.run()
    return b


def test_a_damaged_content_cache_is_discarded_with_one_line(built):
    cache = built.cache / "ArticlesGenerator-Readers"
    cache.write_bytes(b"")                      # a full disk, a crash
    result = built.run()
    warned = [line for line in result.stderr.splitlines() if "内容缓存" in line]
    assert warned == [f"内容缓存 {cache} 已损坏，已丢弃：本次构建将重新读取全部文件。"]
    assert cache.stat().st_size > 0             # saved whole again
    assert "已损坏" not in built.run().stderr   # and trusted the next time


def _entries(folder: Path, suffix: str) -> list:
    return sorted(p for p in folder.rglob(f"*{suffix}"))


def test_a_damaged_workbook_in_the_cache_is_made_again_and_the_output_is_whole(built):
    kept = _entries(built.cache / "xlsx", ".xlsx")
    assert kept
    kept[0].write_bytes(b"")                    # what a kill mid-write left, in the old cache
    result = built.run()
    assert "已损坏（内容与清单不符），已丢弃并重新生成" in result.stderr
    for workbook in (built.out / "files" / "budget").glob("*.xlsx"):
        assert workbook.stat().st_size > 0 and zipfile.is_zipfile(workbook)


def test_a_damaged_search_bundle_in_the_cache_is_made_again(built):
    chunk = _entries(built.cache / "pagefind", ".pf_fragment")[0]
    chunk.write_bytes(b"damaged")
    result = built.run()
    assert "已损坏（内容与清单不符），已丢弃并重新生成" in result.stderr
    name = chunk.name
    published = next((built.out / "pagefind").rglob(name), None)
    assert published is None or published.read_bytes() != b"damaged"


def test_the_output_shares_no_file_with_the_cache_it_reused(built):
    built.run()                                  # everything reusable is reused now
    cached = {(st.st_dev, st.st_ino) for p in built.cache.rglob("*") if p.is_file() for st in [p.stat()]}
    reused = [p for folder in ("pagefind", "files") for p in (built.out / folder).rglob("*") if p.is_file()]
    assert reused
    assert [str(p) for p in reused if (p.stat().st_dev, p.stat().st_ino) in cached] == []


def test_explain_says_why_a_page_was_reused_or_rendered(built, tmp_path):
    key = (built.cache / "gongkai-code").read_text(encoding="utf-8")
    same = built.run("--explain", SEED_URL)
    # Asking why keeps the content cache: --explain is not a setting files are read with.
    assert (built.cache / "gongkai-code").read_text(encoding="utf-8") == key
    assert "xxgk/11230129MB1848123X-2018-00010/index.html：沿用上次构建：代码和设置、模板、页面读到的每个值都与上次相同" \
        in same.stdout
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    with open(content / "policy" / SEED.name, "a", encoding="utf-8") as fh:
        fh.write("\n（更正）\n")
    b = Build(tmp_path)
    b.run("--content", content)
    (content / "policy" / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    os.utime(content / "policy" / SEED.name)
    changed = b.run("--content", content, "--explain", "https://www.yanshou.gov.cn" + SEED_URL)
    assert "xxgk/11230129MB1848123X-2018-00010/index.html：重新生成：页面读到的这些值变了：article" in changed.stdout
    off = b.run("--content", content, "--no-reuse", "--explain", SEED_URL)
    assert "重新生成：本次构建不沿用以前的结果" in off.stdout


def test_the_build_reuses_the_document_checks_its_workers_ran(monkeypatch):
    """The workers check each document with the reading settings; the build's
    validation asks again with all its settings, including those that only say
    how this build runs. The kept result must serve it (at 10,000 documents,
    checking again cost the build 7 s)."""
    from gongkai.core import validate
    from gongkai.core.settings import complete, load
    calls = []
    monkeypatch.setattr(validate, "DOCUMENT_CHECKS", [lambda docs, index, ctx: calls.append(1) or []])
    doc = read_document(SEED, ROOT / "content")
    settings = complete(load())
    validate.document_problems(doc, validate.check_context(settings, ROOT / "content"))
    build_settings = dict(settings, GONGKAI_PREVIOUS_OUTPUT="/tmp/output", GONGKAI_REUSE=True, GONGKAI_EXPLAIN="/x/")
    validate.document_problems(doc, validate.check_context(build_settings, ROOT / "content"))
    assert len(calls) == 1


def test_a_page_that_shows_only_its_own_content_shares_the_digests_of_what_it_lists():
    """A document page reads article.content; its listings show the same articles
    without content. When the templates read content only on the page's own
    variable, the objects it shows are digested without content (once, for both
    kinds of page) and its own content apart; anything else counts every content."""
    import jinja2

    from gongkai.build.speed.digests import template_reads
    env = jinja2.Environment(loader=jinja2.DictLoader({
        "own.html": "{{ article.content }}{% include 'meta.html' %}",
        "meta.html": "{% macro m(article) %}{{ article.title }}{% endmacro %}{{ m(article) }}",
        "loop.html": "{{ article.content }}{% for a in article.related %}{{ a.summary }}{% endfor %}",
        "shadow.html": "{% set article = others[0] %}{% include 'reads.html' %}",
        "reads.html": "{{ article.content }}",
        "deep.html": "{{ article.related[0].content }}",
        "loop_include.html": "{% for article in others %}{% include 'reads.html' %}{% endfor %}",
        "listing.html": "{% for a in items %}{{ a.title }}{% endfor %}",
    }))
    reads = {name: template_reads(env.get_template(name)) for name in env.loader.mapping}
    assert not reads["own.html"].content_inside() and reads["own.html"].content_of() == {"article"}
    assert not reads["listing.html"].content_inside() and not reads["listing.html"].content_of()
    for name in ("loop.html", "shadow.html", "deep.html", "loop_include.html"):   # content read on something else
        assert reads[name].content_inside(), name
