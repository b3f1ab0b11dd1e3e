"""相关信息: up to five related documents per document, computed at build
time from shared key terms (TF-IDF over rjieba words, with the project
dictionary) and the same 主题分类.

Linear-ish by design (10,000 documents are benchmarked): each document keeps
only its top KEY_TERMS terms, candidates come from an inverted index over
those key terms (at most MAX_POSTINGS per term), and terms held by more than
MAX_DF_SHARE of documents are not keys at all (they relate everything to everything)."""
from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from operator import itemgetter

from gongkai.core.words import is_word, segmenter

KEY_TERMS = 12
MAX_DF_SHARE = 0.2
# Candidates through one term: the documents it matters most to. Keeps the
# work per document bounded however common a key term is (linear in documents).
MAX_POSTINGS = 100
LIMIT = 5
SAME_TOPIC, SAME_TOP_TOPIC = 0.25, 0.1
_NOT_KEY = re.compile(r"^(?:[\d.,%]+|[a-z0-9]{1,2}|.)$", re.I)


def _text(doc) -> str:
    m = doc.meta
    keywords = " ".join(m.get("keywords") or [])
    # the title and keywords count three times: they say what a document is about
    return " ".join([str(m.get("title") or "")] * 3 + [keywords] * 3 + [re.sub(r"<[^>]+>", " ", doc.body or "")])


def term_counts(doc) -> Counter:
    """The document's word counts. Segmenting is the costly part: the counts are
    kept on the document (doc.derived), which the build computes when it reads
    the file and Pelican's content cache keeps, so a rebuild segments only what changed."""
    counts = doc.derived.get("terms")
    if counts is None:
        # Count every token, then drop what is not a word or not a key: the
        # distinct tokens are far fewer than the tokens (same result as words()).
        counts = Counter(segmenter().cut(_text(doc)))
        for w in [w for w in counts if not is_word(w) or _NOT_KEY.match(w)]:
            del counts[w]
        doc.derive("terms", counts)
    return counts


def key_terms(docs) -> list:
    """[{term: weight}] per document: its KEY_TERMS highest TF-IDF terms (unit length)."""
    counts = [term_counts(d) for d in docs]
    df = Counter()
    for c in counts:
        df.update(c.keys())
    n = max(len(docs), 1)
    cap = max(10, int(n * MAX_DF_SHARE))
    # Once per term and per count, not once per (document, term).
    idf = {t: math.log(n / d) for t, d in df.items() if 1 < d <= cap}
    tf = {f: 1 + math.log(f) for f in {f for c in counts for f in c.values()}}
    out = []
    for c in counts:
        scored = [(t, tf[f] * idf[t]) for t, f in c.items() if t in idf]
        top = dict(heapq.nlargest(KEY_TERMS, scored, key=itemgetter(1)))  # ties: first counted first
        norm = math.sqrt(sum(v * v for v in top.values())) or 1.0
        out.append({t: v / norm for t, v in top.items()})
    return out


def related(docs, limit: int = LIMIT) -> list:
    """For each document (same order), up to `limit` indices of related documents:
    best first, never itself, a repealed one only when nothing else is related."""
    keys = key_terms(docs)
    postings = defaultdict(list)
    for i, k in enumerate(keys):
        for t, w in k.items():
            postings[t].append((i, w))
    for t, held in postings.items():
        if len(held) > MAX_POSTINGS:
            postings[t] = sorted(held, key=lambda iw: -iw[1])[:MAX_POSTINGS]
    topics = [d.meta.get("topic") if isinstance(d.meta.get("topic"), str) else "" for d in docs]
    repealed = [d.meta.get("validity") == "repealed" for d in docs]
    by_topic, by_top = defaultdict(list), defaultdict(list)
    for i, t in enumerate(topics):
        if t:
            by_topic[t].append(i)
            by_top[t.split("/")[0]].append(i)
    tops = [t.split("/")[0] for t in topics]
    out = []
    for i, k in enumerate(keys):
        scores: dict = {}
        get = scores.get
        for t, w in k.items():
            for j, wj in postings[t]:
                scores[j] = get(j, 0.0) + w * wj
        scores.pop(i, None)
        topic, top = topics[i], tops[i]
        if topic:
            for j in scores:
                if topics[j] == topic:
                    scores[j] += SAME_TOPIC
                elif tops[j] == top:
                    scores[j] += SAME_TOP_TOPIC
        ranked = sorted(scores, key=lambda j: (-scores[j], j))
        # Too few shared terms: fill from the same topic, then the same top-level topic.
        for group in (by_topic.get(topic), by_top.get(top)):
            if len(ranked) >= limit * 2 or not topic:
                break
            ranked += [j for j in (group or [])[:limit * 4] if j != i and j not in scores and j not in ranked]
        live = [j for j in ranked if not repealed[j]]
        out.append((live or ranked)[:limit])
    return out
