"""Search keys shared by the public search (Pagefind), staff search and the
search page's JavaScript: how a typed 发文字号 or 索引号 becomes one exact key.

A 发文字号 is written many ways (延政发〔2018〕10号, 延政发[2018]10号,
延政发(2018)10号, 延政发2018年10号). gongkai.schema.normalize_doc_no gives the
canonical form for the bracket variants; query_doc_no() also accepts the
year-with-年 form people type. Word segmenters cut a 发文字号 into pieces
(延政发 / 2018 / 10 / 号) that many documents share, so each document also
carries one ASCII key per 发文字号 and 索引号 (gkdn…, gkix…) that no segmenter
splits; theme/static/js/gk-search-core.js computes the same keys from the query.
tests/test_search_keys.py holds both implementations to the same cases."""
from __future__ import annotations

import re

from gongkai.core import schema

# org, then year in any bracket (〔〕 [] () （） ［］ 【】) or followed by 年 (a space
# between year and number counts as 年: 国办发2018 115号), then the number, 号 optional.
QUERY_DOC_NO_RE = re.compile(
    r"^(?P<org>[^\s〔〕\[\]()（）［］【】\d]*[\u3400-\u9fff][^\s〔〕\[\]()（）［］【】\d]*?)"
    r"(?:[〔\[(（［【](?P<y1>\d{4})[〕\])）］】]|(?P<y2>\d{4})年)第?(?P<seq>\d+)号?$")
INDEX_NO_QUERY_RE = re.compile(r"^[0-9A-Za-z]+(?:[/\-][0-9A-Za-z]+)+$")
INDEX_TAIL_RE = re.compile(r"^(?P<year>\d{4})-(?P<seq>\d{1,5})$")


def query_doc_no(text: str) -> str | None:
    """The canonical 发文字号 a query stands for, or None when it is not one.

    >>> query_doc_no("延政发2018年10号")
    '延政发〔2018〕10号'"""
    spaced = re.sub(r"(\d{4})\s+(?=(?:第\s*)?\d)", r"\1年", (text or "").strip(), count=1)
    compact = re.sub(r"\s+", "", spaced)
    m = QUERY_DOC_NO_RE.match(compact)
    if not m:
        return None
    year = m["y1"] or m["y2"]
    return schema.normalize_doc_no(f"{m['org']}〔{year}〕{int(m['seq'])}号")


def doc_no_key(doc_no: str) -> str:
    """延政发〔2018〕10号 -> gkdn5ef6653f53d1y2018n10 (org as hex code points)."""
    canonical = query_doc_no(doc_no) or schema.normalize_doc_no(doc_no)
    m = re.match(r"^(?P<org>.+)〔(?P<year>\d{4})〕(?P<seq>\d+)号$", canonical)
    if not m:
        return ""
    org = "".join(f"{ord(c):x}" for c in m["org"])
    return f"gkdn{org}y{m['year']}n{int(m['seq'])}"


def doc_no_variants(doc_no: str) -> list:
    """The ways people type a 发文字号; all are indexed so each one is found."""
    canonical = query_doc_no(doc_no) or schema.normalize_doc_no(doc_no)
    m = re.match(r"^(?P<org>.+)〔(?P<year>\d{4})〕(?P<seq>\d+)号$", canonical)
    if not m:
        return [doc_no]
    org, year, seq = m["org"], m["year"], m["seq"]
    return [canonical, f"{org}[{year}]{seq}号", f"{org}({year}){seq}号", f"{org}{year}年{seq}号"]


def index_no_key(index_no: str) -> str:
    """11230129MB1848123X/2018-00010 -> gkix11230129mb1848123x201800010."""
    compact = re.sub(r"[^0-9A-Za-z]", "", index_no or "").lower()
    return f"gkix{compact}" if compact else ""


def index_tail_key(index_no: str) -> str:
    """The key of an 索引号's tail, what people copy from a page: …/2018-00216 -> gkit201800216."""
    m = INDEX_TAIL_RE.match((index_no or "").rsplit("/", 1)[-1])
    return f"gkit{m['year']}{m['seq'].zfill(5)}" if m else ""


def query_index_no(text: str) -> str | None:
    """The 索引号 key a query stands for (letters/digits joined by / or -), or
    the tail key for a tail alone (2018-00216, 2018-216), or None."""
    compact = re.sub(r"\s+", "", text or "")
    if INDEX_TAIL_RE.match(compact):
        return index_tail_key(compact)
    if len(compact) >= 8 and INDEX_NO_QUERY_RE.match(compact) and re.search(r"\d", compact):
        return index_no_key(compact)
    return None


# Pagefind filter names, as the search page shows them (五公开/类型/发布机构/年份/主题分类/有效性).
FILTERS = ("五公开", "类型", "发布机构", "年份", "主题分类", "有效性")


def _attr(value) -> str:
    """A value safe inside data-pagefind-filter/meta "key:value" (comma separates filters)."""
    return str(value).replace(",", "，").strip()


def page_keys(doc) -> dict | None:
    """What the search index holds for one document besides its body: the
    results' metadata, the filters, the date to sort by, and the weighted
    text (title, 发文字号 in every variant with its key, 发布机构, 索引号).
    None for pages (about, contact…), which are not searched."""
    if doc is None or doc.type not in schema.TYPES:
        return None
    meta = doc.meta
    published = meta.get("date")
    iso = published.isoformat() if hasattr(published, "isoformat") else ""
    doc_no = meta.get("doc_no") if isinstance(meta.get("doc_no"), str) else ""
    index_no = meta.get("index_no") if isinstance(meta.get("index_no"), str) else ""
    topic = meta.get("topic") if isinstance(meta.get("topic"), str) else ""
    validity = schema.enum_titles("validity").get(meta.get("validity"), "")
    title = str(meta.get("title") or "")
    filters = {
        "五公开": doc.disclosure_title,
        "类型": doc.type_title,
        "发布机构": str(meta.get("issuer") or ""),
        "年份": str(published.year) if hasattr(published, "year") else "",
        "主题分类": topic.split("/")[0],
        "有效性": validity,
    }
    return {
        "title": title,
        "meta": [(k, _attr(v)) for k, v in (("type", doc.type_title), ("issuer", meta.get("issuer") or ""),
                                             ("date", iso), ("doc_no", doc_no), ("index_no", index_no),
                                             ("validity", validity)) if v],
        "filters": [(k, _attr(v)) for k, v in filters.items() if v],
        "sort_date": iso,
        "doc_no": doc_no_variants(doc_no) + [doc_no_key(doc_no)] if doc_no else [],
        "issuer": str(meta.get("issuer") or ""),
        "index_no": [index_no, index_no_key(index_no), index_tail_key(index_no)] if index_no else [],
        # Every distinct character of the title, apart: a single character
        # (桥) then finds a title word it sits inside (石桥镇), lightly weighted.
        "chars": " ".join(dict.fromkeys(c for c in title if "\u3400" <= c <= "\u9fff")),
    }


def document_keys(doc) -> dict | None:
    """page_keys, computed once per document and kept with it (doc.derived, so
    in Pelican's content cache: a rebuild computes them only for changed files).
    The dict is the document's: copy it before changing it."""
    if doc is None or doc.type not in schema.TYPES:
        return None
    keys = doc.derived.get("search_keys")
    return keys if keys is not None else doc.derive("search_keys", page_keys(doc))
