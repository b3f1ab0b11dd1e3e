"""发文字号 / 索引号 keys: gongkai/searchkeys.py and theme/static/js/gk-search-core.js
give the same answer on the same cases (the JS runs in Chromium), and the
Python rule agrees with gongkai.schema.normalize_doc_no where both apply."""
from __future__ import annotations

import pytest

from conftest import ROOT
from gongkai.core import schema
from gongkai.core.searchkeys import doc_no_key, doc_no_variants, index_no_key, query_doc_no, query_index_no

# (typed, canonical 发文字号 or None)
DOC_NO_CASES = [
    ("延政发〔2018〕10号", "延政发〔2018〕10号"),
    ("延政发[2018]10号", "延政发〔2018〕10号"),
    ("延政发(2018)10号", "延政发〔2018〕10号"),
    ("延政发（2018）10号", "延政发〔2018〕10号"),
    ("延政发［2018］10号", "延政发〔2018〕10号"),
    ("延政发【2018】10号", "延政发〔2018〕10号"),
    ("延政发2018年10号", "延政发〔2018〕10号"),
    (" 延政发 〔2018〕 10号 ", "延政发〔2018〕10号"),
    ("延政发〔2018〕第10号", "延政发〔2018〕10号"),
    ("延政发〔2018〕010号", "延政发〔2018〕10号"),
    ("国办发明电〔2018〕15号", "国办发明电〔2018〕15号"),
    ("闽岚综实管综2014年99号", "闽岚综实管综〔2014〕99号"),
    # loose forms people type (issue 17): a space for 年, no 号, a number too long for a float
    ("国办发2018 115号", "国办发〔2018〕115号"),
    ("国办发〔2018〕115", "国办发〔2018〕115号"),
    ("岚综管办2015 145号", "岚综管办〔2015〕145号"),
    ("国办发〔2018〕1234567890123456789012号", "国办发〔2018〕1234567890123456789012号"),
    ("国办发〔2018〕0000000000000000000000012号", "国办发〔2018〕12号"),
    ("营商环境", None),
    ("2018年10号", None),
    ("延政发10号", None),
    ("<img src=x onerror=alert(1)>", None),
    ("", None),
]
INDEX_NO_CASES = [
    ("11230129MB1848123X/2018-00010", "gkix11230129mb1848123x201800010"),
    ("11230129mb1848123x/2018-00010", "gkix11230129mb1848123x201800010"),
    ("000014349/2019-00007", "gkix000014349201900007"),
    ("2018-00216", "gkit201800216"),
    ("2018-216", "gkit201800216"),
    ("营商环境", ""),
    ("2018", ""),
    ("abc-def/ghi", ""),
]


@pytest.mark.parametrize("typed,canonical", DOC_NO_CASES)
def test_python_doc_no(typed, canonical):
    assert query_doc_no(typed) == canonical


def test_python_rule_agrees_with_schema_normaliser():
    for typed, canonical in DOC_NO_CASES:
        if canonical and schema.DOC_NO_RE.match(typed.strip().replace(" ", "")):
            assert schema.normalize_doc_no(typed) == query_doc_no(typed) or "第" in typed or "〕0" in typed


def test_every_variant_has_the_same_key():
    variants = doc_no_variants("延政发〔2018〕10号")
    assert variants == ["延政发〔2018〕10号", "延政发[2018]10号", "延政发(2018)10号", "延政发2018年10号"]
    assert {doc_no_key(v) for v in variants} == {"gkdn5ef6653f53d1y2018n10"}
    assert doc_no_key("延政发〔2018〕1号") != doc_no_key("延政发〔2018〕10号")


@pytest.mark.parametrize("typed,key", INDEX_NO_CASES)
def test_python_index_no(typed, key):
    assert (query_index_no(typed) or "") == key
    if key.startswith("gkix"):
        assert index_no_key(typed) == key


@pytest.fixture(scope="module")
def js(browser):
    """A page that has imported gk-search-core.js (served from the theme folder)."""
    context = browser.new_context()
    page = context.new_page()
    js_dir = ROOT / "theme" / "static" / "js"
    page.route("http://gk.test/**", lambda route: route.fulfill(
        path=str(js_dir / route.request.url.rsplit("/", 1)[1]) if route.request.url.endswith(".js") else None,
        body=None if route.request.url.endswith(".js") else "<!doctype html><title>t</title>",
        content_type="text/javascript" if route.request.url.endswith(".js") else "text/html"))
    page.goto("http://gk.test/")
    page.evaluate("async () => { window.core = await import('/gk-search-core.js'); }")
    yield page
    context.close()


def test_javascript_doc_no_matches_python(js):
    typed = [t for t, _ in DOC_NO_CASES]
    got = js.evaluate("(xs) => xs.map((x) => [core.normalizeDocNo(x), core.docNoKey(x)])", typed)
    want = [[query_doc_no(t), doc_no_key(t) if query_doc_no(t) else ""] for t in typed]
    assert got == want


def test_javascript_index_no_matches_python(js):
    typed = [t for t, _ in INDEX_NO_CASES]
    assert js.evaluate("(xs) => xs.map((x) => core.indexNoKey(x))", typed) == [k for _, k in INDEX_NO_CASES]


def test_query_checks(js):
    got = js.evaluate("""() => ['', '   ', 'x'.repeat(2000), '。，！？……', '<img src=x onerror=alert(1)>', '营商环境']
        .map((q) => core.checkQuery(q).kind)""")
    assert got == ["empty", "empty", "too_long", "punctuation", "ok", "ok"]


def test_excerpt_keeps_only_mark(js):
    raw = ('优化<mark>营商</mark>环境 &lt;img src=x onerror=alert(1)&gt; <b onclick="x()">粗</b> '
           'gkdn5ef6653f53d1y2018n10 <mark>gkix000014349201900007</mark>')
    html = js.evaluate("(x) => core.cleanExcerpt(x)", raw)
    assert html == "优化<mark>营商</mark>环境 &lt;img src=x onerror=alert(1)&gt; 粗"
    parts = js.evaluate("(x) => core.excerptParts(x)", raw)
    assert ["营商", True] in parts and all("<" not in t or not m for t, m in parts)
