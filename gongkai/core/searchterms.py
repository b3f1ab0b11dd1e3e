"""The one query normaliser shared by both searches: what a typed query means
before any index is asked.

    fold("養老 Ｐｉｎｇｔａｎ")  -> "养老 pingtan"       (NFKC, Traditional -> Simplified, lower case)
    parse(text, terms)          -> [Chunk(term, alts)]  (one chunk per space-separated part)

A chunk's alternatives are the term itself, the term with an everyday word
replaced by the documents' words from the staff-edited synonym table
(content/search-synonyms.yaml: 公租房 -> 公共租赁住房, 保障性住房) and, for a
pinyin name of the site's own places and issuers (Pingtan), the Chinese name.

Traditional characters are folded with OpenCC (t2s). The staff search calls
fold() directly; the public search gets, at build time, browser_table(): the
same OpenCC mapping for only the characters that occur in the index, the
synonym table and the pinyin aliases, as one small JSON
(theme/static/js/gk-search-core.js applies it the same way;
tests/test_search_terms.py holds both to the same cases)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from gongkai.core.problems import WARNING, Problem

SYNONYMS_FILE = "search-synonyms.yaml"      # relative to the content root
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Where a place name ends inside an issuer's name (延寿县人民政府 -> 延寿县, 平潭综合实验区 -> 平潭).
PLACE_END = re.compile(r"^(?P<place>[\u4e00-\u9fff]{2,3}?)(?P<suffix>省|市|县|区|镇|乡|综合实验区)")


@lru_cache(maxsize=1)
def _opencc():
    import opencc   # a compiled library: loaded on first use only
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters (and phrases) to Simplified, by OpenCC's t2s."""
    return _opencc().convert(text) if text and not text.isascii() else text


def fold(text: str) -> str:
    """NFKC (full-width letters and digits, compatibility ideographs), OpenCC
    t2s, ASCII lower case, runs of white space as one space."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"\s+", " ", to_simplified(text).lower()).strip()


def t2s_table(chars) -> tuple:
    """(traditional, simplified): two strings of equal length, one pair per
    character that OpenCC folds to a character in `chars` (the index's)."""
    wanted = set(chars)
    source = [chr(c) for r in ((0x3400, 0x4dc0), (0x4e00, 0xa000), (0xf900, 0xfb00)) for c in range(*r)]
    target = _opencc().convert("\n".join(source)).split("\n")
    pairs = sorted((s, t) for s, t in zip(source, target)
                   if s != t and len(t) == 1 and t in wanted and unicodedata.normalize("NFKC", s) == s)
    return "".join(s for s, _ in pairs), "".join(t for _, t in pairs)


# --- the synonym table (content/search-synonyms.yaml) ------------------------------

def load_synonyms(path: Path) -> tuple:
    """({everyday word: [the documents' words]}, problems). A missing file is an empty table."""
    from gongkai.core.model import relpath
    if not path.is_file():
        return {}, []
    rel = relpath(path)
    try:
        data = yaml.compose(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        return {}, [Problem(rel, line, None, "synonyms_syntax", {"detail": str(exc).splitlines()[0]})]
    if data is None:
        return {}, []
    if not isinstance(data, yaml.MappingNode):
        return {}, [Problem(rel, data.start_mark.line + 1, None, "synonyms_shape", {})]
    table, problems = {}, []
    for key_node, value_node in data.value:
        line = key_node.start_mark.line + 1
        key = fold(key_node.value) if isinstance(key_node, yaml.ScalarNode) else ""
        values = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        words = [fold(v.value) for v in values if isinstance(v, yaml.ScalarNode) and v.value]
        if not key or " " in key or not words or len(words) != len(values) or any(" " in w for w in words):
            problems.append(Problem(rel, line, None, "synonyms_shape", {}))
            continue
        if key in table:
            problems.append(Problem(rel, line, None, "synonyms_duplicate", {"word": key}))
            continue
        if key in words:
            problems.append(Problem(rel, line, None, "synonyms_self", {"word": key}))
            continue
        table[key] = list(dict.fromkeys(words))
    return table, problems


def synonyms_path(ctx_or_root) -> Path:
    root = ctx_or_root["content_root"] if isinstance(ctx_or_root, dict) else ctx_or_root
    return Path(root) / SYNONYMS_FILE


def check_synonyms(docs, index, ctx):
    """Corpus check: the synonym table is well formed, and each word it leads
    to occurs in some document (a word no document uses finds nothing)."""
    from gongkai.core.model import relpath
    path = synonyms_path(ctx)
    table, problems = load_synonyms(path)
    if not table:
        return problems
    text = "".join(fold(f"{d.meta.get('title') or ''} {d.meta.get('issuer') or ''} {d.body or ''}")
                   for d in docs if getattr(d, "type", None))
    lines = {}
    for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        key = fold(line.split(":", 1)[0].split("：", 1)[0])
        lines.setdefault(key, i)
    for key, words in table.items():
        for word in words:
            if word not in text:
                problems.append(Problem(relpath(path), lines.get(key, 1), None, "synonyms_unused",
                                        {"word": key, "target": word}, WARNING))
    return problems


# --- pinyin names of the site's own places and issuers -------------------------------

def place_names(names) -> list:
    """The places in issuers' names: 延寿县人民政府 -> 延寿县, 延寿; 平潭综合实验区… -> 平潭综合实验区, 平潭."""
    out = []
    for name in names:
        m = PLACE_END.match(name or "")
        if m:
            out += [m["place"] + m["suffix"], m["place"]]
    return list(dict.fromkeys(out))


def pinyin_aliases(names) -> dict:
    """{pinyin without tones or spaces: Chinese}: every place in the names, and
    each whole name. A pinyin shared by two names is left out (ambiguous)."""
    from pypinyin import lazy_pinyin
    seen: dict = {}
    for name in [*place_names(names), *names]:
        if not name or not HAN.search(name):
            continue
        key = "".join(lazy_pinyin(name)).lower()
        if re.fullmatch(r"[a-z]{4,}", key):
            seen.setdefault(key, set()).add(name)
    return {k: v.pop() for k, v in sorted(seen.items()) if len(v) == 1}


# --- the query -----------------------------------------------------------------------

@dataclass
class Terms:
    """What the normaliser applies besides folding: synonyms and pinyin aliases."""
    synonyms: dict = field(default_factory=dict)
    pinyin: dict = field(default_factory=dict)


@dataclass
class Chunk:
    term: str        # the folded part of the query
    alts: list       # term first, then what it may also be written as


def _alternatives(term: str, terms: Terms) -> list:
    alts = [term]
    compact = re.sub(r"[\s'’\-]", "", term)
    if compact in terms.pinyin:
        alts = [terms.pinyin[compact]]
    for word in list(alts):
        for key, targets in terms.synonyms.items():
            if key in word:
                alts += [word.replace(key, t) for t in targets]
    return list(dict.fromkeys(alts))


def parse(text: str, terms: Terms | None = None) -> list:
    """The folded query cut at spaces into chunks, each with its alternatives.
    Several ASCII words that together are one pinyin name (ping tan) are one chunk."""
    terms = terms or Terms()
    folded = fold(text)
    joined = re.sub(r"[\s'’\-]", "", folded)
    if folded and folded.isascii() and joined in terms.pinyin:
        return [Chunk(folded, [terms.pinyin[joined]])]
    return [Chunk(part, _alternatives(part, terms)) for part in folded.split(" ") if part]


def browser_table(chars, terms: Terms) -> dict:
    """The JSON the search page folds queries with (gk-search-core.js loadTerms)."""
    trad, simp = t2s_table(chars)
    return {"t2s": [trad, simp], "synonyms": terms.synonyms, "pinyin": terms.pinyin}


# --- what a result really holds (the same rule as gk-search-core.js coverage) ----------

PARTIAL_SHARE = 0.5     # a partial match holds at least half of the typed characters
_RUN_OK = re.compile(r"[\u3400-\u9fff]|[a-z]{3,}|\d{4,}")


def match_text(*values) -> str:
    """The text a result is matched against: NFKC, lower case, white space
    removed (published text is Simplified: OpenCC is for what people type)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", " ".join(str(v or "") for v in values)).lower())


def held_runs(term: str, text: str) -> list:
    """The runs of two characters or more of `term` that `text` holds, longest
    first from the left (水土保待 in a text with 水土保持 -> [水土保]); runs of
    digits or punctuation alone (the 20 of 2018) do not count."""
    chars = re.sub(r"\s+", "", term)
    runs, i = [], 0
    while i < len(chars):
        j = len(chars)
        while j - i >= 2 and chars[i:j] not in text:
            j -= 1
        if j - i >= 2 and _RUN_OK.search(chars[i:j]):
            runs.append(chars[i:j])
            i = j
        else:
            i += 1
    return runs


def coverage(chunks: list, text: str) -> tuple:
    """(full, share, found words): every chunk whole (or one of its
    alternatives), else the share of the typed characters held in runs."""
    weight = held = 0.0
    full, found = True, []
    for chunk in chunks:
        typed = re.sub(r"\s+", "", chunk.alts[0])
        whole = next((a for a in chunk.alts if re.sub(r"\s+", "", a) in text), None)
        weight += len(typed)
        if whole is not None:
            held += len(typed)
            found.append(whole)
            continue
        full = False
        runs = held_runs(typed, text) if len(typed) > 1 else []
        held += len(typed) * min(sum(map(len, runs)) / len(typed), 0.99) if typed else 0
        found += runs
    return full, (held / weight if weight else 0.0), list(dict.fromkeys(found))
