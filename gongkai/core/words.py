"""Chinese words: rjieba with the project dictionary (gongkai/data/dict.txt).
One segmenter for the public build (相关信息) and the staff search."""
from __future__ import annotations

import re
from functools import lru_cache

import rjieba

from gongkai.core.settings import ROOT

DICT_PATH = ROOT / "gongkai" / "data" / "dict.txt"
PUNCT = re.compile(r"^[\W_]+$", re.U)


@lru_cache(maxsize=None)
def segmenter() -> rjieba.Jieba:
    """rjieba with the project dictionary loaded (once per process)."""
    jieba = rjieba.Jieba()
    for line in DICT_PATH.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            jieba.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None, None)
    return jieba


def is_word(token: str) -> bool:
    """Not space, not punctuation."""
    return bool(token.strip()) and not PUNCT.match(token)


def words(text: str, mode: str = "default") -> list:
    """Tokens of text without spaces and punctuation: [(word, start, end)]."""
    return [(w, s, e) for w, s, e in segmenter().tokenize(text or "", mode=mode) if is_word(w)]
