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

from gongkai.core import (
    annual_report,
    boundary,
    budget,
    identity,
    privacy,
    project,
    schema,
    searchterms,
    solicitation,
    timeliness,
)
from gongkai.core.fields import check_document, default_settings  # noqa: F401  (check_document: one door for make check and the build)
from gongkai.core.index_no import next_index_no, split
from gongkai.core.model import file_stamp, named_files, named_paths, relpath
from gongkai.core.problems import Problem, internal_error, sort_key
from gongkai.core.settings import ROOT, ours


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
    identity.check_identity,         # data/site.yaml: the site identity is filled (#16)
    privacy.check_privacy_files,     # the same numbers in attachments (#6)
    searchterms.check_synonyms,      # content/search-synonyms.yaml (#17)
]


def check_context(settings: dict, content_root: Path, asof=None) -> dict:
    """What the checks of one run read besides the documents: the settings, the
    content folder, the build clock, and (made once per run, not per document)
    the part of a document check's key that is the same for every document."""
    allowlist = Path(content_root) / (settings.get("GONGKAI_PRIVACY_ALLOWLIST") or privacy.DEFAULT_ALLOWLIST)
    return {"settings": settings, "content_root": content_root, "asof": asof,
            "key": (repr(sorted(ours(settings).items())), file_stamp(allowlist))}


def document_problems(doc, ctx) -> list:
    """The document checks' problems of one document (ctx: check_context). They
    are kept on it (doc.derived, in Pelican's content cache) with what else they
    read: the GONGKAI_* settings, the allowlist and the files the document names."""
    if doc.type not in schema.TYPES:
        return []
    key = (*ctx["key"], named_files(doc))
    kept = doc.derived.get("checks")
    if kept is None or kept[0] != key:
        kept = doc.derive("checks", (key, [p for check in DOCUMENT_CHECKS for p in check([doc], {}, ctx)]))
    return list(kept[1])


def with_document_checks(doc, ctx):
    """The document with its document checks' problems added (run in make check's workers)."""
    try:
        doc.problems.extend(document_problems(doc, ctx))
    except Exception as exc:  # noqa: BLE001 — shown to staff as 内部错误 naming the file, never a traceback
        doc.problems.append(internal_error(doc.path, exc))
    doc.forget_derived()  # budget tables and the like stay in the worker: make check needs only the problems
    return doc


def check_corpus(docs, settings=None, content_root: Path | None = None, asof=None,
                 document_checks: bool = True, new: set | None = None) -> list:
    """document_checks=False when with_document_checks already ran on each document.
    new: resolved paths of the files that are new or changed (make check asks
    git); None when unknown (the build): a duplicate is then blamed by date."""
    settings = settings or default_settings()
    content_root = Path(content_root or ROOT / "content")
    items = [d for d in docs if d.type in schema.TYPES]
    index = {d.meta["index_no"]: d for d in items if isinstance(d.meta.get("index_no"), str)}
    out = list(_unique(items, "index_no", "duplicate_index_no", settings, new))
    out += _unique(items, "doc_no", "duplicate_doc_no", settings, new)
    out += _references(items, index)
    out += _named_files(items)
    out += _boundary(items, content_root, settings)
    ctx = check_context(settings, content_root, asof)
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
