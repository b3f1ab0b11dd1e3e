"""Synthetic corpora for make bench: N valid documents made by recombining
the real documents in content/ (every type, real bodies and lengths, unique
索引号 and 发文字号). Also writes the same documents in Pelican's native
metadata format, so plain Pelican can be measured on the same corpus."""
from __future__ import annotations

import copy
import shutil
from collections import defaultdict
from pathlib import Path

import yaml

from gongkai.core import schema
from gongkai.core.corpus import read_tree
from gongkai.core.settings import ROOT, load


def _repoint(raw: dict, doc_type: str, made: dict, i: int) -> bool:
    """References (x-reference) would name the real corpus: an optional one is
    dropped, a required one re-pointed at a synthetic document of a type it may
    name. False when there is none yet to name."""
    needed = schema.required(doc_type)
    for ref in schema.references(doc_type):
        if ref.item is not None:
            for entry in raw.get(ref.field) or []:
                if isinstance(entry, dict):
                    entry.pop(ref.item, None)
        elif ref.field not in needed:
            raw.pop(ref.field, None)
        else:
            targets = [no for t in (ref.to or schema.TYPES) for no in made[t]]
            if not targets:
                return False
            raw[ref.field] = [targets[i % len(targets)]] if ref.many else targets[i % len(targets)]
    return True


def _templates(content_root: Path):
    docs = [d for d in read_tree(content_root) if d.type in schema.TYPES and d.is_valid]
    by_type = defaultdict(list)
    for d in docs:
        by_type[d.type].append(d)
    return by_type


def generate(n: int, dest: Path, content_root: Path | None = None) -> dict:
    """Write dest/gongkai (our format) and dest/plain (Pelican's); return counts per type."""
    content_root = Path(content_root or ROOT / "content")
    settings = load()
    org = settings["GONGKAI_ORG_CODE"]
    by_type = _templates(content_root)
    order = [t for t in schema.TYPES if by_type.get(t)]
    ours, plain = dest / "gongkai", dest / "plain"
    for root in (ours, plain):
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
    # attachments and data files travel with the documents
    for f in content_root.rglob("*"):
        if f.is_file() and f.suffix != ".md":
            target = ours / f.relative_to(content_root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)
    if (content_root / "pages").is_dir():
        shutil.copytree(content_root / "pages", ours / "pages", dirs_exist_ok=True)
    seq = defaultdict(int)
    made, counts = defaultdict(list), defaultdict(int)
    for i in range(n):
        doc_type = order[i % len(order)]
        pool = by_type[doc_type]
        tpl = pool[(i // len(order)) % len(pool)]
        other = pool[(i // len(order) + 1) % len(pool)]
        raw = copy.deepcopy(tpl.raw)
        raw.pop("type", None)
        year = tpl.meta["date"].year
        seq[year] += 1
        raw["index_no"] = f"{org}/{year}-{seq[year]:05d}"
        raw["title"] = f"{tpl.meta['title']}（样本{i + 1}）"
        if tpl.meta.get("doc_no"):
            m = schema.DOC_NO_RE.match(tpl.meta["doc_no"])
            raw["doc_no"] = f"{m['org']}〔{m['year']}〕{1000 + i}号" if m else f"样本〔{year}〕{i + 1}号"
        if not _repoint(raw, doc_type, made, i):
            continue
        made[doc_type].append(raw["index_no"])
        # realistic lengths: the template's body, sometimes followed by another's
        body = tpl.body if i % 3 else tpl.body + "\n\n" + other.body
        name = f"synth-{i + 1:05d}"
        target = ours / doc_type / f"{name}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        head = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1000)
        target.write_text(f"---\n{head}---\n{body}", encoding="utf-8")
        native = (f"Title: {raw['title']}\nDate: {tpl.meta['date'].isoformat()}\n"
                  f"Category: {doc_type}\nSlug: {name}\n\n{body}")
        (plain / doc_type).mkdir(exist_ok=True)
        (plain / doc_type / f"{name}.md").write_text(native, encoding="utf-8")
        counts[doc_type] += 1
    return dict(counts)
