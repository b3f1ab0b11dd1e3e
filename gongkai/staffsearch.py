"""Staff search over the content repository (make search Q="..."): a whoosh
index of content/ read through gongkai.corpus.read_tree, so files not yet
built (or not yet valid) are found too. Also the Chinese tokenizer shared
with plugins/related.

Chinese is segmented by rjieba with the project dictionary
(gongkai/data/dict.txt). Text is indexed twice: in jieba's default mode with
positions, for phrases ("提升政府执行力"), and in search mode, which adds the
part-words of long words (财政局 -> 财政, 政局), for part-word queries.

Query syntax (parts are ANDed):
    营商环境                     a word, in title, body, 发布机构 or 发文字号
    "政府执行力"                 a phrase
    title:执行力 issuer:县财政局  field queries: title issuer doc_no index_no
    type:policy / type:政策文件   type disclosure topic (code or Chinese title)
    year:2018  year:2015-2018    years and year ranges (also year:[2015 TO 2018])
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import rjieba
from whoosh import fields, highlight, query as Q, scoring
from whoosh.analysis import LowercaseFilter, Token, Tokenizer
from whoosh.filedb.filestore import RamStorage

from . import schema
from .corpus import read_tree
from .searchkeys import query_doc_no, query_index_no, index_no_key
from .present import zh_date
from .settings import ROOT

DICT_PATH = ROOT / "gongkai" / "data" / "dict.txt"
FIELDS = ("title", "issuer", "doc_no", "index_no", "type", "disclosure", "topic", "year")
WORD_FIELDS = {"title": 4.0, "issuer": 2.0, "body": 1.0}   # where a plain word is looked for, with boosts
_PUNCT = re.compile(r"^[\W_]+$", re.U)


@lru_cache(maxsize=None)
def segmenter() -> rjieba.Jieba:
    """rjieba with the project dictionary loaded (once per process)."""
    jieba = rjieba.Jieba()
    for line in DICT_PATH.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            jieba.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None, None)
    return jieba


def words(text: str, mode: str = "default") -> list:
    """Tokens of text without spaces and punctuation: [(word, start, end)]."""
    return [(w, s, e) for w, s, e in segmenter().tokenize(text or "", mode=mode)
            if w.strip() and not _PUNCT.match(w)]


class JiebaTokenizer(Tokenizer):
    """whoosh tokenizer on rjieba. search=True indexes in search mode (part-words
    too); queries are always cut in default mode."""

    def __init__(self, search: bool = False):
        self.search = search

    def __eq__(self, other):
        return type(other) is type(self) and other.search == self.search

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, mode="", **kwargs):
        tokmode = "search" if self.search and mode != "query" else "default"
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, (word, start, end) in enumerate(words(value, tokmode)):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def analyzer(search: bool = False):
    return JiebaTokenizer(search) | LowercaseFilter()


def make_schema() -> fields.Schema:
    default, search = analyzer(False), analyzer(True)
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=default, stored=True, field_boost=WORD_FIELDS["title"]),
        title_s=fields.TEXT(analyzer=search, phrase=False, field_boost=WORD_FIELDS["title"]),
        body=fields.TEXT(analyzer=default, stored=True),
        body_s=fields.TEXT(analyzer=search, phrase=False),
        issuer=fields.TEXT(analyzer=default, stored=True, field_boost=WORD_FIELDS["issuer"]),
        issuer_s=fields.TEXT(analyzer=search, phrase=False, field_boost=WORD_FIELDS["issuer"]),
        doc_no=fields.ID(stored=True),
        index_no=fields.ID(stored=True),
        index_key=fields.ID,
        type=fields.ID(stored=True),
        disclosure=fields.ID(stored=True),
        topic=fields.KEYWORD(stored=True, commas=True),
        year=fields.NUMERIC(int, stored=True),
        date=fields.STORED,
    )


def _body_text(doc) -> str:
    """The Markdown body as plain text (markup characters are not words)."""
    text = re.sub(r"<[^>]+>", " ", doc.body or "")
    return re.sub(r"[#*_>`|\[\]()!-]{1,}", " ", text)


def document_fields(doc) -> dict:
    meta = doc.meta
    published = meta.get("date")
    topic = meta.get("topic") if isinstance(meta.get("topic"), str) else ""
    topics = ",".join(dict.fromkeys(t for t in (topic, topic.split("/")[0]) if t))
    return {
        "path": doc.path,
        "title": str(meta.get("title") or ""),
        "title_s": str(meta.get("title") or ""),
        "body": _body_text(doc),
        "body_s": _body_text(doc),
        "issuer": str(meta.get("issuer") or ""),
        "issuer_s": str(meta.get("issuer") or ""),
        "doc_no": str(meta.get("doc_no") or ""),
        "index_no": str(meta.get("index_no") or ""),
        "index_key": index_no_key(str(meta.get("index_no") or "")),
        "type": doc.type,
        "disclosure": str(meta.get("disclosure") or ""),
        "topic": topics,
        "year": published.year if hasattr(published, "year") else None,
        "date": published.isoformat() if hasattr(published, "isoformat") else "",
    }


def build_index(docs):
    """An in-memory whoosh index of the documents (pages included, skipped if untyped)."""
    storage = RamStorage()
    ix = storage.create_index(make_schema())
    writer = ix.writer()
    for doc in docs:
        if not doc.type:
            continue
        data = document_fields(doc)
        if data["year"] is None:
            data.pop("year")
        writer.add_document(**data)
    writer.commit()
    return ix


# --- queries -------------------------------------------------------------------

class QueryError(ValueError):
    """A query staff typed that cannot be run; the message says how to write it."""


TOKEN_RE = re.compile(r'(?P<field>[a-z_]+):(?P<fvalue>"[^"]*"|\[[^\]]*\]|\S+)|"(?P<phrase>[^"]*)"|(?P<word>\S+)')


def _enum_code(field: str, value: str) -> str:
    titles = schema.enum_titles(field)
    if value in titles:
        return value
    for code, title in titles.items():
        if title == value:
            return code
    raise QueryError(f"{schema.field_label(field)}（{field}）没有“{value}”这一项；可用："
                     + "、".join(f"{c}（{t}）" for c, t in titles.items()))


def _word_query(searcher, fieldname: str, text: str):
    """One typed word in a text field: its default-mode tokens, each matched
    whole (word field) or, when the word field does not have it, through its
    search-mode part-words (县财政局 finds 延寿县财政局)."""
    reader = searcher.reader()
    parts = []
    for word, _s, _e in words(text):
        word = word.lower()
        whole = Q.Term(fieldname, word)
        if reader.doc_frequency(fieldname, word):
            parts.append(Q.Or([whole, Q.Term(f"{fieldname}_s", word)]))
            continue
        if reader.doc_frequency(f"{fieldname}_s", word):
            parts.append(Q.Term(f"{fieldname}_s", word))
            continue
        subs = [w.lower() for w, _, _ in words(word, "search") if w.lower() != word and len(w) > 1]
        present = [w for w in subs if reader.doc_frequency(f"{fieldname}_s", w)]
        maximal = [w for w in present if not any(w != o and w in o for o in present)]
        parts.append(Q.And([Q.Term(f"{fieldname}_s", w) for w in maximal]) if maximal else whole)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _phrase_query(fieldname: str, text: str):
    toks = [w.lower() for w, _s, _e in words(text)]
    if not toks:
        return None
    return Q.Term(fieldname, toks[0]) if len(toks) == 1 else Q.Phrase(fieldname, toks)


def _years(value: str):
    m = re.fullmatch(r"\[?\s*(\d{4})?\s*(?:-|TO|to|～|~|至)\s*(\d{4})?\s*\]?", value)
    if m and (m[1] or m[2]):
        return Q.NumericRange("year", int(m[1]) if m[1] else None, int(m[2]) if m[2] else None)
    if re.fullmatch(r"\d{4}", value):
        return Q.Term("year", int(value))
    raise QueryError(f"年份（year）写作 year:2018 或 year:2015-2018，收到“{value}”")


def parse(searcher, text: str):
    """Staff query text -> whoosh query; raises QueryError with a Chinese message."""
    if not text or not text.strip():
        raise QueryError("请输入要搜索的词，例如 make search Q=\"营商环境 issuer:县财政局\"")
    parts = []
    for m in TOKEN_RE.finditer(text):
        if m["field"]:
            field, value = m["field"], m["fvalue"].strip('"')
            if field not in FIELDS:
                raise QueryError(f"没有“{field}:”这一字段；可用：" + "、".join(f + ":" for f in FIELDS))
            if not value:
                raise QueryError(f"“{field}:”后面缺少要搜索的内容，例如 {field}:{_EXAMPLES[field]}")
            if field in ("title", "issuer"):
                q = _word_query(searcher, field, value)
            elif field == "doc_no":
                q = Q.Term("doc_no", query_doc_no(value) or schema.normalize_doc_no(value))
            elif field == "index_no":
                q = Q.Term("index_key", index_no_key(value))
            elif field in ("type", "disclosure"):
                q = Q.Term(field, _enum_code(field, value))
            elif field == "topic":
                q = Q.Term("topic", schema.normalize_topic(value))
            else:
                q = _years(value)
        elif m["phrase"] is not None:
            q = Q.Or([p for p in (_phrase_query(f, m["phrase"]) for f in ("title", "body")) if p]) or None
        else:
            word = m["word"]
            dn, ix = query_doc_no(word), query_index_no(word)
            alternatives = [q for q in (_word_query(searcher, f, word) for f in WORD_FIELDS) if q]
            if dn:
                alternatives.append(Q.Term("doc_no", dn))
            if ix:
                alternatives.append(Q.Term("index_key", ix))
            q = Q.Or(alternatives) if alternatives else None
        if q is not None:
            parts.append(q)
    if not parts:
        raise QueryError("搜索词只有标点符号，请输入文字、发文字号或索引号")
    return parts[0] if len(parts) == 1 else Q.And(parts)


_EXAMPLES = {"title": "执行力", "issuer": "县财政局", "doc_no": "延政发〔2018〕10号",
             "index_no": "11230129MB1848123X/2018-00010", "type": "policy", "disclosure": "decision",
             "topic": "综合政务", "year": "2015-2018"}


@dataclass
class Hit:
    path: str
    title: str
    date: str
    type: str
    issuer: str
    doc_no: str
    snippet: str
    score: float


class _Brackets(highlight.Formatter):
    """Snippet terms in 【】 (plain text for the terminal)."""
    between = "…"

    def format_token(self, text, token, replace=False):
        return f"【{highlight.get_text(text, token, replace)}】"


def search(text: str, docs=None, ix=None, limit: int = 20) -> tuple:
    """Run a staff query over the repository; returns (hits, total)."""
    if ix is None:
        ix = build_index(docs if docs is not None else read_tree())
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        q = parse(searcher, text)
        results = searcher.search(q, limit=limit, terms=True)
        results.fragmenter = highlight.ContextFragmenter(maxchars=120, surround=30)
        results.formatter = _Brackets()
        hits = []
        for r in results:
            snippet = (r.highlights("body", top=2) or r.highlights("body_s", text=r["body"], top=2)
                       or r.highlights("title") or r["body"][:80])
            day = r.get("date", "")
            hits.append(Hit(r["path"], r["title"], zh_date(date.fromisoformat(day)) if day else "", schema.enum_titles("type").get(r["type"], "页面"),
                            r.get("issuer", ""), r.get("doc_no", ""), re.sub(r"\s+", " ", snippet).strip(),
                            r.score))
        return hits, len(results)


def format_hits(hits, total: int) -> str:
    if not hits:
        return "没有找到符合条件的文件。可以换一个词，或去掉部分条件。"
    lines = []
    for h in hits:
        facts = " · ".join(x for x in (h.date, h.type, h.issuer, h.doc_no) if x)
        lines += [h.path, f"  {h.title}", f"  {facts}", f"  {h.snippet}", ""]
    shown = f"，显示前 {len(hits)} 个" if total > len(hits) else ""
    lines.append(f"共找到 {total} 个文件{shown}。")
    return "\n".join(lines)
