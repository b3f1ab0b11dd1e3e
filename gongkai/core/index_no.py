"""The next free 索引号 (index_no) for an organization and a year, found by
reading the content tree through gongkai.core.corpus (the one parser)."""
from __future__ import annotations

import re
from pathlib import Path

from gongkai.core.corpus import read_tree


def used_numbers(docs, org: str, year: int) -> set:
    pattern = re.compile(rf"^{re.escape(org)}/{year:04d}-(\d{{5}})$")
    used = set()
    for doc in docs:
        value = doc.meta.get("index_no")
        m = pattern.match(value) if isinstance(value, str) else None
        if m:
            used.add(int(m.group(1)))
    return used


def split(value: str):
    """(org, year) of an index_no of the default shape org/YYYY-NNNNN, else None."""
    m = re.fullmatch(r"(.+)/(\d{4})-\d{5}", value or "")
    return (m.group(1), int(m.group(2))) if m else None


def next_index_no(org: str, year: int, content_root: Path | None = None, settings: dict | None = None,
                  docs=None, taken=()) -> str:
    """org/year-NNNNN, one above the highest number used for that org and year
    (and above any in `taken`, numbers handed out in the same run)."""
    if docs is None:
        docs = read_tree(content_root, settings)
    used = used_numbers(docs, org, year)
    used.update(int(t.rsplit("-", 1)[1]) for t in taken if t.startswith(f"{org}/{year:04d}-"))
    return f"{org}/{year:04d}-{max(used, default=0) + 1:05d}"
