"""相关信息: up to five related documents per document, computed at build
time from shared key terms (TF-IDF over rjieba words, with the project
dictionary) and the same 主题分类.

Linear-ish by design (10,000 documents are benchmarked): each document keeps
only its top KEY_TERMS terms, candidates come from an inverted index over
those key terms, and terms held by more than MAX_DF_SHARE of documents are
not keys at all (they relate everything to everything)."""
from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict

from .staffsearch import words

KEY_TERMS = 12
MAX_DF_SHARE = 0.2
LIMIT = 5
SAME_TOPIC, SAME_TOP_TOPIC = 0.25, 0.1
_NOT_KEY = re.compile(r"^(?:[\d.,%]+|[a-z0-9]{1,2}|.)$", re.I)


def _text(doc) -> str:
    m = doc.meta
    keywords = " ".join(m.get("keywords") or [])
    # the title and keywords count three times: they say what a document is about
    return " ".join([str(m.get("title") or "")] * 3 + [keywords] * 3 + [re.sub(r"<[^>]+>", " ", doc.body or "")])


def term_counts(doc, cache: dict | None = None) -> Counter:
    """The document's word counts. Segmenting is the costly part, so counts are
    kept in `cache` by a digest of the text: a rebuild segments only what changed."""
    text = _text(doc)
    key = hashlib.sha1(text.encode("utf-8")).digest()
    if cache is not None and key in cache:
        cache[key] = cache.pop(key)  # most recently used last: see plugins/related
        return cache[key]
    counts = Counter(w for w, _s, _e in words(text) if not _NOT_KEY.match(w))
    if cache is not None:
        cache[key] = counts
    return counts


def key_terms(docs, cache: dict | None = None) -> list:
    """[{term: weight}] per document: its KEY_TERMS highest TF-IDF terms (unit length)."""
    counts = [term_counts(d, cache) for d in docs]
    df = Counter()
    for c in counts:
        df.update(c.keys())
    n = max(len(docs), 1)
    cap = max(10, int(n * MAX_DF_SHARE))
    out = []
    for c in counts:
        scored = {t: (1 + math.log(f)) * math.log(n / df[t]) for t, f in c.items() if 1 < df[t] <= cap}
        top = dict(sorted(scored.items(), key=lambda kv: -kv[1])[:KEY_TERMS])
        norm = math.sqrt(sum(v * v for v in top.values())) or 1.0
        out.append({t: v / norm for t, v in top.items()})
    return out


def related(docs, limit: int = LIMIT, cache: dict | None = None) -> list:
    """For each document (same order), up to `limit` indices of related documents:
    best first, never itself, a repealed one only when nothing else is related.
    `cache` keeps word counts between builds (see term_counts)."""
    keys = key_terms(docs, cache)
    postings = defaultdict(list)
    for i, k in enumerate(keys):
        for t, w in k.items():
            postings[t].append((i, w))
    topics = [d.meta.get("topic") if isinstance(d.meta.get("topic"), str) else "" for d in docs]
    repealed = [d.meta.get("validity") == "repealed" for d in docs]
    by_topic, by_top = defaultdict(list), defaultdict(list)
    for i, t in enumerate(topics):
        if t:
            by_topic[t].append(i)
            by_top[t.split("/")[0]].append(i)
    out = []
    for i, k in enumerate(keys):
        scores = defaultdict(float)
        for t, w in k.items():
            for j, wj in postings[t]:
                if j != i:
                    scores[j] += w * wj
        for j in scores:
            if topics[i] and topics[j] == topics[i]:
                scores[j] += SAME_TOPIC
            elif topics[i] and topics[j].split("/")[0] == topics[i].split("/")[0]:
                scores[j] += SAME_TOP_TOPIC
        ranked = sorted(scores, key=lambda j: (-scores[j], j))
        # Too few shared terms: fill from the same topic, then the same top-level topic.
        for group in (by_topic.get(topics[i]), by_top.get(topics[i].split("/")[0])):
            if len(ranked) >= limit * 2 or not topics[i]:
                break
            ranked += [j for j in (group or [])[:limit * 4] if j != i and j not in scores and j not in ranked]
        live = [j for j in ranked if not repealed[j]]
        out.append((live or ranked)[:limit])
    return out
