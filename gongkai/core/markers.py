"""Review markers: how scripts/new.py and scripts/import_html.py leave a value
or a piece of body text for a person to fill in, so that make check blocks it
until they do.

A marked value starts with 【待核实】 (the importer could not find it on the old
page) or 【待填写】 (a body skeleton written by scripts/new.py). The schema
errors a marked value would cause (a date that is not a date, a string where an
object is expected) are replaced by one clear needs_review problem per field;
in the 保密审查 record (review) it is review_pending: only the reviewer fills
it in, after the review."""
from __future__ import annotations

import re

from gongkai.core.problems import Problem

REVIEW = "【待核实】"
FILL = "【待填写】"
MARKER_RE = re.compile(r"【待(?:核实|填写)】")


def is_marked(value) -> bool:
    return isinstance(value, str) and bool(MARKER_RE.search(value))


def review_value(note: str = "") -> str:
    """The value the importer writes for a field it could not find."""
    return f"{REVIEW}{note}"


def marked_fields(raw, prefix: str = "") -> dict:
    """Dotted field path -> marked value, for every marked value in front-matter."""
    out = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(marked_fields(value, name))
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            out.update(marked_fields(value, f"{prefix}[{i}]"))
    elif is_marked(raw):
        out[prefix] = raw
    return out


def _under(field: str | None, marked: str) -> bool:
    return bool(field) and (field == marked or field.startswith(marked + ".") or field.startswith(marked + "["))


def apply(doc, problems: list) -> list:
    """Replace the schema problems of marked fields by needs_review, and add
    one unfilled_body problem per body line that still carries a marker."""
    from gongkai.core import schema

    marked = marked_fields(doc.raw)
    kept = [p for p in problems if not any(_under(p.field, m) for m in marked)]
    props = schema.properties(doc.type) if doc.type else {}
    for name in marked:   # a marked value is no value: uniqueness, references and pages never see it
        _drop(doc.meta, name)
    for name, value in marked.items():
        note = MARKER_RE.sub("", value).strip(" ：:；;") or "尚未填写"
        prop = props.get(name.split(".")[0].split("[")[0], {})
        code = "review_pending" if _under(name, "review") else "needs_review"
        kept.append(Problem(doc.path, doc.line_of(name), name, code,
                            {"note": note, "example": _example(prop, name)}))
    for offset, line in enumerate(doc.body.split("\n")):
        if MARKER_RE.search(line):
            kept.append(Problem(doc.path, doc.body_line + offset, None, "unfilled_body",
                                {"text": _shorten(line.strip())}))
    return kept


def _drop(meta: dict, name: str) -> None:
    parts = re.split(r"\.|(?=\[)", name)
    target = meta
    for part in parts[:-1]:
        key = int(part[1:-1]) if part.startswith("[") else part
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            return
    last = parts[-1]
    if isinstance(target, dict) and not last.startswith("["):
        target.pop(last, None)


def _example(prop: dict, name: str) -> str:
    sub = prop
    for part in name.split(".")[1:]:
        part = part.split("[")[0]
        sub = (sub.get("properties") or (sub.get("items") or {}).get("properties") or {}).get(part, {})
    if sub.get("examples"):
        return f"，例如 {sub['examples'][0]}"
    if sub.get("enum"):
        titles = sub.get("enumTitles", {})
        first = sub["enum"][0]
        return f"，例如 {first}（{titles[first]}）" if first in titles else f"，例如 {first}"
    fmt = sub.get("format")
    if fmt == "date":
        return "，例如 2018-10-20"
    if fmt == "local-datetime":
        return "，例如 2026-12-01 09:00"
    return ""


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "……"
