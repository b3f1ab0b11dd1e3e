"""One validator, two doors: the build (plugins/validation) and make check
(scripts/check.py) both call this module over the same Documents.

check_document: one file against its schema (called once, when it is read).
check_corpus:   what needs every document (uniqueness, references, and the
                checks of each concern listed in CORPUS_CHECKS)."""
from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from gongkai.core import boundary
from gongkai.core import annual_report
from gongkai.core import budget
from gongkai.core import markers
from gongkai.core import privacy
from gongkai.core import project
from gongkai.core import schema
from gongkai.core import solicitation
from gongkai.core import timeliness
from gongkai.core.model import file_stamp, named_files, named_paths, relpath
from gongkai.core.problems import ERROR, WARNING, Problem, sort_key
from gongkai.core.settings import ROOT

TYPE_NAMES = {"string": "文字", "integer": "整数", "number": "数字", "array": "列表（每项以 - 开头）",
              "object": "一组字段", "boolean": "是或否（true/false）"}
FORMAT_CODES = {"date": "date", "local-datetime": "local_datetime", "index-no": "index_no",
                "doc-no": "doc_no", "topic": "topic", "email": "email", "uri": "uri"}


def _dotted(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _enum_text(prop: dict, values) -> str:
    titles = prop.get("enumTitles", {})
    return "、".join(f"{v}（{titles[v]}）" if v in titles else str(v) for v in values)


def _example(prop: dict) -> str:
    if prop.get("examples"):
        return str(prop["examples"][0])
    if "enum" in prop:
        return _enum_text(prop, prop["enum"][:1])
    return {"date": "2018-10-20", "local-datetime": "2026-12-01 09:00"}.get(prop.get("format"), "……")


def _schema_problems(doc, settings) -> list:
    """jsonschema errors -> Problems with field, line and a Chinese message."""
    out = []
    known = schema.properties(doc.type)
    for err in schema.validator(doc.type, settings).iter_errors(doc.raw):
        where = list(err.absolute_path)
        kind = err.validator
        if kind in ("unevaluatedProperties", "additionalProperties"):
            allowed = known if not where else (err.schema.get("properties") or {})
            for key in sorted(k for k in err.instance if k not in allowed):
                name = _dotted(where + [key])
                out.append(Problem(doc.path, doc.line_of(name), name, "unknown_field",
                                   {"allowed": "、".join(allowed)}))
            continue
        if kind == "required":
            parent = err.schema.get("properties", {})
            for key in err.validator_value:
                if isinstance(err.instance, dict) and key not in err.instance:
                    prop = parent.get(key) or known.get(key, {})
                    name = _dotted(where + [key])
                    line = doc.line_of(_dotted(where)) if where else 1
                    out.append(Problem(doc.path, line, name, "required",
                                       {"title": prop.get("title", key), "example": _example(prop)}))
            continue
        name = _dotted(where)
        line = doc.line_of(name)
        prop = err.schema
        value = err.instance
        if kind == "enum":
            out.append(Problem(doc.path, line, name, "enum",
                               {"value": value, "allowed": _enum_text(prop, err.validator_value)}))
        elif kind == "type":
            expected = err.validator_value if isinstance(err.validator_value, str) else err.validator_value[0]
            out.append(Problem(doc.path, line, name, "type",
                               {"value": value, "expected": TYPE_NAMES.get(expected, expected)}))
        elif kind == "format":
            code = FORMAT_CODES.get(err.validator_value, "pattern")
            out.append(Problem(doc.path, line, name, code,
                               {"value": value, "example": settings["GONGKAI_INDEX_NO_EXAMPLE"],
                                "pattern": err.validator_value}))
        elif kind == "minLength":
            out.append(Problem(doc.path, line, name, "empty", {"title": prop.get("title", name)}))
        elif kind == "maxLength":
            out.append(Problem(doc.path, line, name, "too_long", {"length": len(value), "limit": err.validator_value}))
        elif kind in ("minItems", "minProperties"):
            out.append(Problem(doc.path, line, name, "too_few", {"limit": err.validator_value}))
        elif kind in ("minimum", "maximum", "pattern"):
            out.append(Problem(doc.path, line, name, kind,
                               {"value": value, "limit": err.validator_value, "pattern": err.validator_value}))
        elif kind == "allOf":
            continue  # its sub-errors are reported on their own
        else:
            out.append(Problem(doc.path, line, name, "pattern", {"value": value, "pattern": err.message}))
    return out


def check_document(doc, settings=None) -> list:
    """Problems of one document on its own. Called once, when it is read."""
    settings = settings or _default_settings()
    # 【待核实】/【待填写】 left by make new and the importer replace the schema's complaint
    out = markers.apply(doc, _schema_problems(doc, settings))
    declared = doc.raw.get("type")
    if doc.type in schema.TYPES and declared is not None and declared != doc.type and declared in schema.TYPES:
        out.append(Problem(doc.path, doc.line_of("type"), "type", "type_mismatch",
                           {"value": declared, "folder": doc.type, "expected": doc.type}))
    if doc.body.strip() == "" and schema.body_required(doc.type):
        kind = doc.type_title if doc.type in schema.TYPES else "页面"
        out.append(Problem(doc.path, doc.body_line, None, "empty_body", {"kind": kind}))
    written, published = doc.meta.get("written"), doc.meta.get("date")
    if written and published and written > published:
        out.append(Problem(doc.path, doc.line_of("written"), "written", "written_after_date",
                           {"written": written.isoformat(), "date": published.isoformat()}, WARNING))
    return out


_SETTINGS = None


def _default_settings():
    global _SETTINGS
    if _SETTINGS is None:
        from gongkai.core.settings import load
        _SETTINGS = load()
    return _SETTINGS


# --- across documents -------------------------------------------------------

def _unique(docs, field, code, settings, new=None):
    """Documents that repeat another's value of field. One of each group keeps
    the value: the one already published (an index_no is part of its permanent
    address), so the blame falls on the others. Published means not in `new`
    (the resolved paths git counts as new or changed, given by make check);
    among equals (no git, or both old or both new) the earliest by date, then
    by path. The message names the keeper and, for an index_no, the next free
    number of its organization and year."""
    groups = {}
    for doc in docs:
        value = doc.meta.get(field)
        if value and isinstance(value, str):
            groups.setdefault(value, []).append(doc)
    taken = []
    for value, group in groups.items():
        if len(group) < 2:
            continue
        ordered = sorted(group, key=lambda d: (_is_new(d, new), _published(d), d.path))
        keeper = ordered[0]
        for doc in ordered[1:]:
            if _is_new(doc, new) and not _is_new(keeper, new):
                reason = "那个文件已经发布"
            elif _published(keeper) < _published(doc):
                reason = f"那个文件发布日期 {keeper.meta['date'].isoformat()} 较早，视为已经发布"
            else:
                reason = "两个文件发布日期相同，按路径排在前面的视为已经发布"
            params = {"value": value, "other": keeper.path, "other_file": keeper.path, "reason": reason}
            if field == "index_no":
                params["next"] = _next_free(value, docs, settings, taken)
            yield Problem(doc.path, doc.line_of(field), field, code, params)


def _is_new(doc, new) -> bool:
    return new is not None and str((ROOT / doc.path).resolve()) in new


def _published(doc) -> date:
    value = doc.meta.get("date")
    return value if isinstance(value, date) else date.max


def _next_free(value: str, docs, settings, taken: list) -> str:
    """"下一个空闲序号 org/YYYY-NNNNN" (one a blamed document, in report order),
    or a plain instruction when the number is not of the default shape."""
    from gongkai.core.index_no import next_index_no, split
    parts = split(value)
    if parts:
        suggestion = next_index_no(*parts, docs=docs, taken=taken)
        if re.match(settings["GONGKAI_INDEX_NO_PATTERN"], suggestion):
            taken.append(suggestion)
            return f"下一个空闲序号 {suggestion}"
    return "一个没有用过的索引号（make new 自动分配下一个空闲序号）"


def _references(docs, index):
    """Every field that names a 索引号 (x-reference in the schema) must resolve,
    to a document of a type the field allows."""
    for doc in docs:
        for field_path, value, ref in schema.reference_values(doc):
            target = index.get(value)
            if target is None:
                yield Problem(doc.path, doc.line_of(field_path), field_path, "unknown_reference", {"value": value})
            elif ref.to and target.type not in ref.to:
                expected = "或".join(schema.enum_titles("type")[t] for t in ref.to)
                yield Problem(doc.path, doc.line_of(field_path), field_path, "reference_wrong_type",
                              {"value": value, "kind": target.type_title, "title": target.meta.get("title", ""),
                               "expected": expected, "folders": "、".join(f"content/{t}/" for t in ref.to)})


# Where a named file belongs, said when its path leads elsewhere.
_PLACE = {"content": "附件应放在 content/ 中，路径相对于 content/，例如 policy/2024-notice.pdf",
          "document": "数据文件应与本文件放在同一文件夹中，只写文件名"}


def _named_files(docs):
    """Every file a document names stays inside content/, is a regular file
    of an allowed kind, and its bytes are what its name says."""
    for doc in docs:
        places = {key: where for key, _sub, where in schema.file_fields(doc.type)}
        for field_path, value, path, why in named_paths(doc):
            line = doc.line_of(field_path)
            if why == "outside":
                hint = _PLACE[places[field_path.split("[")[0]]]
                yield Problem(doc.path, line, field_path, "path_outside", {"value": value, "hint": hint})
            elif why == "not_regular":
                yield Problem(doc.path, line, field_path, "attachment_not_regular", {"value": value})
            elif why == "missing":
                if field_path.startswith("attachments"):  # a missing data table is the budget check's to report
                    yield Problem(doc.path, line, field_path, "missing_attachment", {"value": value})
            elif boundary.kind_of(path) is None:
                yield Problem(doc.path, line, field_path, "attachment_type",
                              {"value": value, "suffix": path.suffix or "（无扩展名）",
                               "allowed": boundary.allowed_suffixes()})
            elif not boundary.bytes_match(path):
                yield Problem(doc.path, line, field_path, "attachment_bytes",
                              {"value": value, "kind": boundary.kind_of(path).title})


def _boundary(docs, content_root: Path, settings: dict):
    """The publication boundary over the whole tree: symlinks (content/ and
    the theme), files the build would skip, and files no document names."""
    inventory = boundary.scan(content_root)
    theme = Path(settings.get("THEME") or ROOT / "theme")
    theme = theme if theme.is_absolute() else ROOT / theme
    for link in inventory.symlinks + boundary.symlinks_under(theme):
        yield Problem(relpath(link), 1, None, "symlink", {"target": os.readlink(link)})
    for special in inventory.special:
        yield Problem(relpath(special), 1, None, "not_regular_file", {})
    for skipped in inventory.skipped:
        yield Problem(relpath(skipped), 1, None, "skipped_document", {"suffix": skipped.suffix})
    named = {os.path.abspath(path) for doc in docs for _f, _v, path, why in named_paths(doc) if path}
    config = {os.path.abspath(content_root / name) for name in boundary.CONFIG_FILES}
    config.add(os.path.abspath(content_root / (settings.get("GONGKAI_PRIVACY_ALLOWLIST") or privacy.DEFAULT_ALLOWLIST)))
    for other in inventory.files:
        if os.path.abspath(other) not in named | config:
            yield Problem(relpath(other), 1, None, "stray_file", {})


# Checks of each concern, f(docs, index, ctx) -> Problems, with ctx holding
# "settings", "content_root" and "asof". Document checks look at one document
# (and its own files) at a time, so make check can run them in parallel;
# corpus checks need the documents together. Both run in report order.
DOCUMENT_CHECKS = [
    budget.check_budgets,            # CSV tables add up, required tables (#7)
    privacy.check_privacy_documents, # ID, mobile and bank card numbers in bodies (#6)
    timeliness.check_timeliness,     # 20 working days from written to date (#6)
]
CORPUS_CHECKS = [
    solicitation.corpus_checks,      # periods, feedback, decision links (#5)
    project.check_projects,          # stage order and documents (#7)
    annual_report.check_data_files,  # data/annual-report/<year>.yaml (#7)
    privacy.check_privacy_files,     # the same numbers in attachments (#6)
]


def document_problems(doc, ctx) -> list:
    """The document checks' problems of one document. They are kept on it
    (doc.derived, in Pelican's content cache) with what else they read: the
    GONGKAI_* settings, the allowlist and the files the document names."""
    if doc.type not in schema.TYPES:
        return []
    allowlist = Path(ctx["content_root"]) / (ctx["settings"].get("GONGKAI_PRIVACY_ALLOWLIST")
                                             or privacy.DEFAULT_ALLOWLIST)
    key = (repr(sorted((k, v) for k, v in ctx["settings"].items() if k.startswith("GONGKAI_"))),
           file_stamp(allowlist), named_files(doc))
    kept = doc.derived.get("checks")
    if kept is None or kept[0] != key:
        kept = doc.derived["checks"] = (key, [p for check in DOCUMENT_CHECKS for p in check([doc], {}, ctx)])
    return list(kept[1])


def with_document_checks(doc, ctx):
    """The document with its document checks' problems added (run in make check's workers)."""
    try:
        doc.problems.extend(document_problems(doc, ctx))
    except Exception as exc:  # noqa: BLE001 — shown to staff as 内部错误 naming the file, never a traceback
        doc.problems.append(internal_error(doc.path, exc))
    doc.derived.clear()  # budget tables and the like stay in the worker: make check needs only the problems
    return doc


def check_corpus(docs, settings=None, content_root: Path | None = None, asof=None,
                 document_checks: bool = True, new: set | None = None) -> list:
    """document_checks=False when with_document_checks already ran on each document.
    new: resolved paths of the files that are new or changed (make check asks
    git); None when unknown (the build): a duplicate is then blamed by date."""
    settings = settings or _default_settings()
    content_root = Path(content_root or ROOT / "content")
    items = [d for d in docs if d.type in schema.TYPES]
    index = {d.meta["index_no"]: d for d in items if isinstance(d.meta.get("index_no"), str)}
    out = list(_unique(items, "index_no", "duplicate_index_no", settings, new))
    out += _unique(items, "doc_no", "duplicate_doc_no", settings, new)
    out += _references(items, index)
    out += _named_files(items)
    out += _boundary(items, content_root, settings)
    ctx = {"settings": settings, "content_root": content_root, "asof": asof}
    if document_checks:
        out += [p for d in items for p in document_problems(d, ctx)]
    for check in CORPUS_CHECKS:
        out += list(check(items, index, ctx))
    return out


def all_problems(docs, **kwargs) -> list:
    """Each document's own problems plus the corpus checks, sorted for reading."""
    out = [p for d in docs for p in d.problems]
    out += check_corpus(docs, **kwargs)
    return sorted(set(out), key=sort_key)


def content_files(paths) -> list:
    """Documents (*.md) under the given files or folders, sorted; symlinks are
    never followed (they are reported by the boundary check, not read)."""
    files = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            files.extend(boundary.scan(p).documents)
        elif p.name.endswith(boundary.DOCUMENT_SUFFIX) and p.is_file() and not p.is_symlink():
            files.append(p)
    return files


def internal_error(path, exc) -> Problem:
    return Problem(str(path), 1, None, "internal_error", {"detail": f"{type(exc).__name__}: {exc}"}, ERROR)

