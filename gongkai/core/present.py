"""Values the templates show, computed here rather than in Jinja: metadata
rows, Chinese dates, attachment sizes. Registered as Jinja filters in
pelicanconf.py (JINJA_FILTERS)."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from gongkai.core import schema
from gongkai.core.settings import ROOT, TZ

# The parts of a page that show a field (x-show: {section: NAME} in metadata_schema/);
# the 信息索引 rows ({meta: N}) are meta_rows below.
SECTIONS = {
    "title": "the page's h1 (article.html, page.html), listings and feeds",
    "breadcrumb": "the breadcrumb (components/breadcrumb.html, gongkai.core.site.breadcrumb)",
    "relations": "the linked documents, both ways (components/relations.html)",
    "validity_banner": "the 已失效/已废止 banner and what replaced the document (components/validity_banner.html)",
    "attachments": "the downloads (components/attachments.html)",
    "summary": "the description in feeds and listings",
    "solicitation": "how to respond and the feedback (solicitation.html)",
    "budget": "the budget facts and tables (budget.html, gongkai.core.budget)",
    "project": "the approval table and stages (project.html, gongkai.core.project)",
}


def zh_date(value) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(TZ) if value.tzinfo else value
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return "" if value is None else str(value)


def iso(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat() if isinstance(value, date) else ""


def display(doc_type: str, field: str, value):
    """One field's value as the public reads it."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    props = schema.properties(doc_type).get(field, {})
    if "enumTitles" in props:
        return props["enumTitles"].get(value, value)
    return value


def meta_rows(doc) -> list:
    """[(label, value, field)] for the metadata table, empty values skipped."""
    rows = []
    for field in schema.meta_fields(doc.type):
        value = display(doc.type, field, doc.meta.get(field))
        if value != "":
            rows.append((schema.field_label(field, doc.type), value, field))
    return rows


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def file_kind(path: str) -> str:
    return Path(path).suffix.lstrip(".").upper() or "文件"


def attachments(doc, content_root: Path | None = None) -> list:
    """[{title, path, kind, size}] for each attachment that exists (paths are
    relative to the content folder, which holds the document's type folder)."""
    root = Path(content_root or (ROOT / doc.path).parent.parent)
    out = []
    for att in doc.meta.get("attachments") or []:
        f = root / att["path"]
        if f.is_file():
            out.append({"title": att["title"], "path": att["path"], "kind": file_kind(att["path"]),
                        "size": human_size(f.stat().st_size)})
    return out


def field_values(doc) -> dict:
    """Every front-matter field as written -> (raw value, text as the public reads
    it), keyed by dotted path (review.date, attachments[0].title), known fields
    in schema order, then any others. For reviewers: nothing is left out."""
    out = {}

    def text(prop, raw, typed):
        if isinstance(typed, (date, datetime)):
            return zh_date(typed)
        if isinstance(raw, bool):
            return "是" if raw else "否"
        if "enumTitles" in prop and isinstance(raw, str):
            return prop["enumTitles"].get(raw, raw)
        return "" if raw is None else str(typed if isinstance(typed, str) else raw)

    def walk(props, raw, typed, prefix):
        keys = [k for k in props if k in raw] + [k for k in raw if k not in props]
        for key in keys:
            name = f"{prefix}.{key}" if prefix else str(key)
            one(props.get(key, {}), raw[key], typed.get(key) if isinstance(typed, dict) else None, name)

    def one(prop, raw, typed, name):
        if isinstance(raw, dict):
            walk(prop.get("properties", {}), raw, typed or {}, name)
        elif isinstance(raw, list) and any(isinstance(v, (dict, list)) for v in raw):
            items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
            typed = typed if isinstance(typed, list) and len(typed) == len(raw) else [None] * len(raw)
            for i, (r, t) in enumerate(zip(raw, typed)):
                one(items, r, t, f"{name}[{i}]")
        elif isinstance(raw, list):
            items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
            typed = typed if isinstance(typed, list) and len(typed) == len(raw) else raw
            out[name] = (raw, "、".join(text(items, r, t) for r, t in zip(raw, typed)))
        else:
            out[name] = (raw, text(prop, raw, typed))

    props = schema.properties(doc.type) if doc.type in schema.TYPES + (schema.PAGE,) else {}
    walk(props, doc.raw, doc.meta, "")
    return out
