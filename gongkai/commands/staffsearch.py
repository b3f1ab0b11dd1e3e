"""Staff search over the content repository (make search Q="..."): a whoosh
index of content/ read through gongkai.model.read_document, so files not yet
built (or not yet valid) are found too. Also the Chinese tokenizer shared
with plugins/related.

The index is kept on disk (.cache/staffsearch/<key of the content root>/index,
see open_index) and brought up to date on each search: only new or changed
files (by mtime and size) are read again, vanished ones are deleted. A change
of the dictionary, the tokenizer or this code (index_version) rebuilds it.

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

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path, PurePosixPath

import whoosh
import whoosh.index
from whoosh import columns, fields, highlight, scoring
from whoosh import query as Q
from whoosh.analysis import LowercaseFilter, Token, Tokenizer
from whoosh.filedb.filestore import RamStorage
from whoosh.index import LockError
from whoosh.searching import Searcher

from gongkai.core import schema, searchterms
from gongkai.core.boundary import documents_in
from gongkai.core.corpus import read_files, read_tree
from gongkai.core.present import zh_date
from gongkai.core.searchkeys import index_no_key, index_tail_key, query_doc_no, query_index_no
from gongkai.core.settings import ROOT
from gongkai.core.words import DICT_PATH, PUNCT, words

CACHE_DIR = ROOT / ".cache" / "staffsearch"
log = logging.getLogger(__name__)
FIELDS = ("title", "issuer", "doc_no", "index_no", "type", "disclosure", "topic", "year")
WORD_FIELDS = {"title": 4.0, "issuer": 2.0, "body": 1.0}   # where a plain word is looked for, with boosts
SCORED = ("title", "title_s", "body", "body_s", "issuer", "issuer_s")   # the fields with lengths (BM25F)


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
        index_tail=fields.ID,                  # …/2018-00216 -> gkit201800216: the tail people copy
        issuer_name=fields.ID,                 # the whole name, for issuer: with part of a name
        type=fields.ID(stored=True),
        disclosure=fields.ID(stored=True),
        topic=fields.KEYWORD(stored=True, commas=True),
        year=fields.NUMERIC(int, stored=True),
        date=fields.STORED,
        # On-disk index only: the file (relative to the content root) and its
        # mtime:size when read; "unread" marks a file kept only so that it is
        # not read again (no type: build_index leaves it out, and so do searches).
        file=fields.ID(stored=True, unique=True, sortable=True),
        sig=fields.ID(stored=True, sortable=True),
        unread=fields.ID,
        lengths=fields.COLUMN(columns.VarBytesColumn()),   # exact token counts of SCORED, "12,30,..."
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
        "index_tail": index_tail_key(str(meta.get("index_no") or "")),
        "issuer_name": searchterms.fold(str(meta.get("issuer") or "")),
        "type": doc.type,
        "disclosure": str(meta.get("disclosure") or ""),
        "topic": topics,
        "year": published.year if hasattr(published, "year") else None,
        "date": published.isoformat() if hasattr(published, "isoformat") else "",
    }


def _index_fields(doc) -> dict:
    data = document_fields(doc)
    if data["year"] is None:
        data.pop("year")
    return data


def build_index(docs):
    """An in-memory whoosh index of the documents (pages included, skipped if untyped)."""
    storage = RamStorage()
    ix = storage.create_index(make_schema())
    writer = ix.writer()
    for doc in docs:
        if doc.type:
            writer.add_document(**_index_fields(doc))
    writer.commit()
    return ix


# --- the index on disk, updated by mtime and size ---------------------------------

VERSION_FILE = "gongkai-version.txt"   # inside the index folder; whoosh ignores it
LOCK_WAIT = 120                        # seconds to wait for another search's update
# what the indexed values depend on
_SOURCES = (Path(__file__), ROOT / "gongkai/core/words.py", ROOT / "gongkai/core/searchkeys.py",
            ROOT / "gongkai/core/searchterms.py", ROOT / "gongkai/core/model.py")


class IndexUnavailable(RuntimeError):
    """The on-disk index can neither be used nor rebuilt; the message is for staff."""


@dataclass
class Update:
    """What open_index did to the index (for the debug log and the tests)."""
    rebuilt: str = ""     # why it was built from scratch: missing, version, corrupt, requested; "" if not
    added: int = 0        # files read and indexed that were not in the index
    changed: int = 0      # files read again because their mtime or size changed
    removed: int = 0      # entries of files that no longer exist
    unchanged: int = 0    # files left as they were

    @property
    def reindexed(self) -> int:
        return self.added + self.changed


def index_version() -> str:
    """Changes whenever indexed values may change: the dictionary, the tokenizer
    and whoosh versions, or the code computing the fields."""
    h = hashlib.sha256()
    for part in (f"rjieba {metadata.version('rjieba')}", f"whoosh {whoosh.versionstring()}",
                 f"punct {PUNCT.pattern}", "modes default,search"):
        h.update(part.encode() + b"\n")
    for path in (DICT_PATH, *_SOURCES):
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def index_dir(content_root: Path, cache_dir: Path | None = None) -> Path:
    """The cache folder of one content tree, keyed by its absolute path (two trees never share one)."""
    key = hashlib.sha256(str(Path(content_root).resolve()).encode("utf-8")).hexdigest()[:16]
    return Path(cache_dir or CACHE_DIR) / key


def _listing(content_root: Path) -> dict:
    """{file relative to the root: (path, "mtime_ns:size")} in read_tree's order, from stat alone."""
    found = {}
    for path in documents_in([content_root]):
        try:
            st = path.stat()
        except OSError:          # vanished meanwhile: treated as deleted
            continue
        found[path.relative_to(content_root).as_posix()] = (path, f"{st.st_mtime_ns}:{st.st_size}")
    return found


def _diff(reader, listing: dict):
    """What brings the index up to the listing: (docnums to delete, their files,
    files to read, number of entries left as they are)."""
    files, sigs = reader.column_reader("file"), reader.column_reader("sig")
    stale, stale_files, current = [], set(), set()
    for docnum in reader.all_doc_ids():
        key = files[docnum]
        if key in current or key not in listing or listing[key][1] != sigs[docnum]:
            stale.append(docnum)
            stale_files.add(key)
        else:
            current.add(key)
    return stale, stale_files, [k for k in listing if k not in current], len(current)


def _entry(doc) -> dict:
    """A document's index fields and exact field lengths (run in read_files' workers)."""
    if not doc.type:
        return {"path": doc.path, "unread": "1", "lengths": ",".join("0" * len(SCORED)).encode()}
    data = _index_fields(doc)
    data["lengths"] = ",".join(str(len(words(data[f], "search" if f.endswith("_s") else "default")))
                               for f in SCORED).encode()
    return data


def _add(writer, keys, listing: dict, content_root: Path) -> None:
    """Read the files through the model (in parallel when many) and index them. Every
    entry gets every column: whoosh misreads a column missing from a segment's last documents."""
    for key, data in zip(keys, read_files([listing[k][0] for k in keys], content_root, then=_entry)):
        writer.add_document(file=key, sig=listing[key][1], **data)


def _update(ix, content_root: Path, listing: dict) -> Update:
    with ix.reader() as reader:
        stale, _files, new, unchanged = _diff(reader, listing)
    if not stale and not new:
        return Update(unchanged=unchanged)
    if len(new) > 200:
        log.info("正在更新员工搜索索引（%d 个文件有变化）…", len(new))
    writer = ix.writer(timeout=LOCK_WAIT, delay=0.25, limitmb=128)
    try:
        with writer.reader() as reader:   # again, under the lock: another search may have updated it
            stale, stale_files, new, unchanged = _diff(reader, listing)
        for docnum in stale:
            writer.delete_document(docnum)
        _add(writer, new, listing, content_root)
        writer.commit(optimize=False)
    except BaseException:
        writer.cancel()
        raise
    changed = len(stale_files & set(new))
    return Update(added=len(new) - changed, changed=changed, removed=len(stale_files) - changed,
                  unchanged=unchanged)


def _build_writer_args(count: int) -> dict:
    """One writer per core for a large first build (1,000 files: 5.9 s -> 3.9 s on 2 cores).
    Each leaves its own segment (multisegment): merging them would cost what was saved."""
    procs = min(os.cpu_count() or 1, 4)
    if procs > 1 and count > 500:
        return {"procs": procs, "multisegment": True, "limitmb": 128}
    return {"limitmb": 256}


def _build(where: Path, content_root: Path, listing: dict, version: str):
    """Build a fresh index next to the old one, then swap it in."""
    where.mkdir(parents=True, exist_ok=True)
    for old in where.glob("index.*-*"):   # left by an interrupted build or swap
        if old.name.startswith("index.old-") or time.time() - old.stat().st_mtime > 3600:
            shutil.rmtree(old, ignore_errors=True)
    if len(listing) > 200:
        log.info("正在建立员工搜索索引（%d 个文件，只在第一次或词典、程序更新后需要）…", len(listing))
    tmp = Path(tempfile.mkdtemp(prefix="index.new-", dir=where))
    try:
        ix = whoosh.index.create_in(tmp, make_schema())
        writer = ix.writer(**_build_writer_args(len(listing)))
        _add(writer, list(listing), listing, content_root)
        writer.commit(optimize=False)
        (tmp / VERSION_FILE).write_text(version + "\n", encoding="utf-8")
        target, trash = where / "index", where / f"index.old-{os.getpid()}"
        try:
            target.rename(trash)
        except FileNotFoundError:
            pass
        try:
            tmp.rename(target)
        except OSError:          # another search swapped its own fresh index in first
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(trash, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return whoosh.index.open_dir(target)


def _stale_reason(where: Path, version: str) -> str:
    try:
        stored = (where / "index" / VERSION_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return "missing"
    except (OSError, UnicodeDecodeError):
        return "corrupt"
    return "" if stored == version else "version"


def open_index(content_root: Path | None = None, cache_dir: Path | None = None, rebuild: bool = False):
    """The on-disk index of a content tree, brought up to date; returns (index, Update).

    Raises IndexUnavailable (Chinese message) when another search holds the
    write lock too long or the index cannot be built."""
    content_root = Path(content_root or ROOT / "content")
    where = index_dir(content_root, cache_dir)
    listing = _listing(content_root)
    version = index_version()
    reason = "requested" if rebuild else _stale_reason(where, version)
    if not reason:
        try:
            ix = whoosh.index.open_dir(where / "index")
            update = _update(ix, content_root, listing)
            log.debug("staff search index %s: %s", where, update)
            return ix, update
        except LockError:
            raise IndexUnavailable(f"搜索索引正在被另一个搜索更新，请稍后再试（索引目录 {where}）") from None
        except Exception as exc:  # noqa: BLE001 — a damaged index is rebuilt, never a traceback
            log.warning("搜索索引已损坏（%s: %s），正在重建：%s", type(exc).__name__, exc, where)
            reason = "corrupt"
    try:
        ix = _build(where, content_root, listing, version)
    except Exception as exc:  # noqa: BLE001
        raise IndexUnavailable(f"无法建立搜索索引（{type(exc).__name__}: {exc}）；"
                               f"可以删除 {where} 后重试") from None
    update = Update(rebuilt=reason, added=len(listing))
    log.debug("staff search index %s: %s", where, update)
    return ix, update


class _LiveSearcher(Searcher):
    """A searcher whose BM25F statistics are those of a freshly built index.

    whoosh keeps deleted documents in a segment's document count, term
    frequencies and field lengths until the segment is merged, merged segments
    sum rounded per-document lengths, and the on-disk index holds "unread"
    entries. When any of that applies, document frequency and count come from
    the live postings and field lengths from each document's exact token
    counts (the lengths column), so an updated index scores like a new one.
    A fresh single-segment index behaves exactly like a plain Searcher."""

    def __init__(self, reader, **kwargs):
        super().__init__(reader, **kwargs)
        self._live = None
        if self.parent is None:
            unread = self._live_frequency("unread", "1")
            if unread or reader.has_deletions() or not reader.is_atomic():
                lengths, totals = reader.column_reader("lengths"), [0] * len(SCORED)
                for docnum in reader.all_doc_ids():
                    for i, n in enumerate(lengths[docnum].split(b",")):
                        totals[i] += int(n)
                self._live = {"count": reader.doc_count() - unread, "lengths": dict(zip(SCORED, totals))}
                self.doc_frequency = self._live_frequency

    def _live_frequency(self, fieldname, text):
        if (fieldname, text) not in self.ixreader:
            return 0
        return sum(1 for _ in self.ixreader.postings(fieldname, text).all_ids())   # skips deleted

    def idf(self, fieldname, text):
        if self.parent is not None or not self._live:
            return super().idf(fieldname, text)
        term = (fieldname, text)
        if term not in self._idf_cache:
            self._idf_cache[term] = self.weighting.idf(_LiveStats(self), fieldname, text)
        return self._idf_cache[term]

    def field_length(self, fieldname):
        if self.parent is not None or not self._live or fieldname not in self._live["lengths"]:
            return super().field_length(fieldname)
        return self._live["lengths"][fieldname]

    def avg_field_length(self, fieldname, default=None):
        if self.parent is not None or not self._live or not self.schema[fieldname].scorable:
            return super().avg_field_length(fieldname, default)
        return self.field_length(fieldname) / (self._live["count"] or 1)


class _LiveStats:
    """What WeightingModel.idf asks of a searcher, counting live documents only
    (doc_count_all of the searcher itself must stay whole: it sizes docnum sets)."""

    def __init__(self, searcher):
        self.doc_frequency = searcher.doc_frequency
        self.doc_count_all = lambda: searcher._live["count"]

    def get_parent(self):
        return self


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
    frequency = searcher.doc_frequency   # live documents only (_LiveSearcher)
    parts = []
    for word, _s, _e in words(text):
        word = word.lower()
        whole = Q.Term(fieldname, word)
        if frequency(fieldname, word):
            parts.append(Q.Or([whole, Q.Term(f"{fieldname}_s", word)]))
            continue
        if frequency(f"{fieldname}_s", word):
            parts.append(Q.Term(f"{fieldname}_s", word))
            continue
        subs = [w.lower() for w, _, _ in words(word, "search") if w.lower() != word and len(w) > 1]
        present = [w for w in subs if frequency(f"{fieldname}_s", w)]
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


def _number_query(text: str):
    """A 发文字号 or 索引号 (whole or its tail) however loosely typed, or None."""
    dn, ix = query_doc_no(text), query_index_no(text)
    alternatives = []
    if dn:
        alternatives.append(Q.Term("doc_no", dn))
    if ix:
        alternatives.append(Q.Term("index_tail" if ix.startswith("gkit") else "index_key", ix))
    return Q.Or(alternatives) if alternatives else None


def _issuer_query(searcher, value: str):
    """issuer: with a whole name or part of one (延寿县人民政府 finds 延寿县人民政府办公室 too)."""
    names = [n for n in searcher.lexicon("issuer_name") if value in n.decode("utf-8") if isinstance(n, bytes)] \
        if "issuer_name" in searcher.schema else []
    names = [n.decode("utf-8") for n in names]
    if names:
        return Q.Or([Q.Term("issuer_name", n) for n in names])
    return _word_query(searcher, "issuer", value)


def query_terms(searcher, content_root: Path | None = None) -> searchterms.Terms:
    """The synonym table of the content tree and pinyin names of the issuers in the index."""
    synonyms = {}
    if content_root is not None:
        synonyms, _problems = searchterms.load_synonyms(searchterms.synonyms_path(content_root))
    names = [n.decode("utf-8") for n in searcher.lexicon("issuer_name")] if "issuer_name" in searcher.schema else []
    return searchterms.Terms(synonyms, searchterms.pinyin_aliases(names))


def parse(searcher, text: str, terms: searchterms.Terms | None = None, relaxed: bool = False):
    """Staff query text -> whoosh query; raises QueryError with a Chinese message.
    The text is folded as the public search folds it (Traditional, full-width,
    case; gongkai.core.searchterms), each word also stands for its synonyms and
    a pinyin name for the Chinese; relaxed=True asks for any of a word's parts
    (a typo: 水土保待 finds 水土保持) instead of all."""
    if not text or not text.strip():
        raise QueryError("请输入要搜索的词，例如 make search Q=\"营商环境 issuer:县财政局\"")
    text = searchterms.fold(text)
    terms = terms or searchterms.Terms()
    if not TOKEN_RE.search(text) or ":" not in text:
        whole = _number_query(text)      # 国办发2018 115号: one number, though it holds a space
        if whole is not None:
            return whole
    joined = re.sub(r"[\s'’\-]", "", text)
    if text.isascii() and joined in terms.pinyin:
        text = terms.pinyin[joined]
    parts = []
    for m in TOKEN_RE.finditer(text):
        if m["field"]:
            field, value = m["field"], m["fvalue"].strip('"')
            if field not in FIELDS:
                raise QueryError(f"没有“{field}:”这一字段；可用：" + "、".join(f + ":" for f in FIELDS))
            if not value:
                raise QueryError(f"“{field}:”后面缺少要搜索的内容，例如 {field}:{_EXAMPLES[field]}")
            if field == "title":
                q = _word_query(searcher, field, value)
            elif field == "issuer":
                q = _issuer_query(searcher, value)
            elif field == "doc_no":
                q = Q.Term("doc_no", query_doc_no(value) or schema.normalize_doc_no(value))
            elif field == "index_no":
                ix = query_index_no(value)
                q = Q.Term("index_tail", ix) if ix and ix.startswith("gkit") else Q.Term("index_key", index_no_key(value))
            elif field in ("type", "disclosure"):
                q = Q.Term(field, _enum_code(field, value))
            elif field == "topic":
                q = Q.Term("topic", schema.normalize_topic(value))
            else:
                q = _years(value)
        elif m["phrase"] is not None:
            q = Q.Or([p for p in (_phrase_query(f, m["phrase"]) for f in ("title", "body")) if p]) or None
        else:
            alternatives = []
            for alt in searchterms.parse(m["word"], terms)[0].alts if searchterms.parse(m["word"], terms) else []:
                pieces = [alt]
                if relaxed:
                    pieces = [w for w, _s, _e in words(alt, "search") if len(w) > 1 and w != alt] or [alt]
                for piece in pieces:
                    alternatives += [q for q in (_word_query(searcher, f, piece) for f in WORD_FIELDS) if q]
                if len(alt) == 1 and searchterms.HAN.match(alt):
                    # One character inside the words it is part of (坪 in 大坪), as the public search finds it.
                    alternatives += [Q.Wildcard(f, f"*{alt}*") for f in ("title_s", "issuer_s", "body_s")]
            number = _number_query(m["word"])
            if number is not None:
                alternatives.append(number)
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
    partial: bool = False     # holds only some of the query's words
    found: list = field(default_factory=list)   # for a partial hit: the words it holds


class _Brackets(highlight.Formatter):
    """Snippet terms in 【】 (plain text for the terminal)."""
    between = "…"

    def format_token(self, text, token, replace=False):
        return f"【{highlight.get_text(text, token, replace)}】"


def _ranked(searcher, q, limit: int | None):
    """Results by score, ties in read_tree's order (the file order of a fresh
    index, kept after updates have appended re-read files at the end)."""
    results = searcher.search(q, limit=None, terms=True)
    files = searcher.reader().column_reader("file")
    results.top_n = sorted(results.top_n, key=lambda sd: (-sd[0], PurePosixPath(files[sd[1]]), sd[1]))[:limit]
    return results


# Hits whose text is checked against the query's words (each reads its stored text).
CHECK_LIMIT = 200


def plain_chunks(text: str, terms: searchterms.Terms) -> list:
    """The query's words and phrases (not field queries or numbers), as the
    public search cuts them: what a hit's text must hold to be a full match."""
    folded = searchterms.fold(text)
    if _number_query(folded) is not None:
        return []
    pieces = [m["phrase"] or m["word"] for m in TOKEN_RE.finditer(folded) if not m["field"]]
    pieces = [p for p in pieces if p and _number_query(p) is None]
    return searchterms.parse(" ".join(pieces), terms) if pieces else []


def _classify(searcher, results, chunks: list, seen: set) -> tuple:
    """(full hits, partial hits as (hit, share, words)) of whoosh results, by
    what their text holds (gongkai.core.searchterms.coverage)."""
    full, partial = [], []
    for n, hit in enumerate(results):
        if hit.docnum in seen:
            continue
        seen.add(hit.docnum)
        if not chunks or n >= CHECK_LIMIT:
            full.append(hit)
            continue
        text = searchterms.match_text(hit.get("title"), hit.get("issuer"), hit.get("doc_no"), hit.get("body"))
        whole, share, found = searchterms.coverage(chunks, text)
        if whole:
            full.append(hit)
        elif share >= searchterms.PARTIAL_SHARE:
            partial.append((hit, share, found))
    return full, partial


def search(text: str, docs=None, ix=None, limit: int = 20, content_root: Path | None = None) -> tuple:
    """Run a staff query over the repository; returns (hits, total): the
    full matches first (total of them), then partial ones (Hit.partial).
    As in the public search, a hit is full only when its text holds every
    word of the query whole (or a synonym of it); when there are fewer full
    hits than the limit, the words' parts are asked for too (a typo: 水土保待)
    and hits holding at least half of the typed characters are partial."""
    if ix is None:
        ix = build_index(docs if docs is not None else read_tree())
    with _LiveSearcher(ix.reader(), weighting=scoring.BM25F(), fromindex=ix) as searcher:
        terms = query_terms(searcher, content_root or ROOT / "content")
        chunks = plain_chunks(text, terms)
        q = parse(searcher, text, terms)
        results = _ranked(searcher, q, None)
        seen: set = set()
        full, partial = _classify(searcher, results, chunks, seen)
        sources = [results]
        if len(full) < limit and (chunks or not full):
            relaxed = parse(searcher, text, terms, relaxed=True)
            if relaxed != q:
                more = _ranked(searcher, relaxed, None)
                sources.append(more)
                full2, partial2 = _classify(searcher, more, chunks, seen)
                if chunks:
                    full += full2          # holds every word, though not as the index cut them
                    partial += partial2
                else:
                    partial += [(h, 0.0, []) for h in full2]
        partial.sort(key=lambda p: -p[1])
        for one in sources:
            one.fragmenter = highlight.ContextFragmenter(maxchars=120, surround=30)
            one.formatter = _Brackets()
        chosen = [(h, None) for h in full[:limit]] + [(h, (s, w)) for h, s, w in partial[:max(0, limit - len(full))]]
        hits = []
        for r, part in chosen:
            snippet = (r.highlights("body", top=2) or r.highlights("body_s", text=r["body"], top=2)
                       or r.highlights("title") or r["body"][:80])
            day = r.get("date", "")
            hits.append(Hit(r["path"], r["title"], zh_date(date.fromisoformat(day)) if day else "",
                            schema.enum_titles("type").get(r["type"], "页面"), r.get("issuer", ""),
                            r.get("doc_no", ""), re.sub(r"\s+", " ", snippet).strip(), r.score,
                            part is not None, part[1] if part else []))
        return hits, len(full)


def search_tree(text: str, content_root: Path | None = None, cache_dir: Path | None = None,
                rebuild: bool = False, limit: int = 20) -> tuple:
    """Search a content tree through its on-disk index (see open_index); returns (hits, total).
    An index that fails while searching is rebuilt once; QueryError and IndexUnavailable pass."""
    ix, _update = open_index(content_root, cache_dir, rebuild=rebuild)
    try:
        return search(text, ix=ix, limit=limit, content_root=content_root)
    except QueryError:
        raise
    except Exception as exc:  # noqa: BLE001 — a damaged segment shows only when read
        log.warning("搜索索引已损坏（%s: %s），正在重建", type(exc).__name__, exc)
    ix, _update = open_index(content_root, cache_dir, rebuild=True)
    return search(text, ix=ix, limit=limit, content_root=content_root)


def format_hits(hits, total: int) -> str:
    if not hits:
        return "没有找到符合条件的文件。可以换一个词，或去掉部分条件。"
    lines = []
    for h in hits:
        facts = " · ".join(x for x in (h.date, h.type, h.issuer, h.doc_no) if x)
        lines += [h.path, f"  {h.title}", f"  {facts}"]
        if h.partial:
            held = "、".join(f"“{w}”" for w in h.found)
            lines.append(f"  部分匹配：只含{held}" if held else "  部分匹配：只含其中的部分词语")
        lines += [f"  {h.snippet}", ""]
    full = sum(not h.partial for h in hits)
    partial = len(hits) - full
    if not full:
        lines.append(f"没有完全符合的文件；以上 {partial} 个文件只含其中的部分词语（可能有错别字）。")
        return "\n".join(lines)
    shown = f"，显示前 {full} 个" if total > full else ""
    rest = f"；只含部分词语、列在后面的另有 {partial} 个文件" if partial else ""
    lines.append(f"共找到 {total} 个文件{shown}{rest}。")
    return "\n".join(lines)
