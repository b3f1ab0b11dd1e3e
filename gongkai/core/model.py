"""The content model: a Markdown file with YAML front-matter becomes a
Document once, here. Dates become datetime.date, opens/closes aware
datetimes (Asia/Shanghai), doc_no and topic are normalised. Everything that
goes wrong while reading becomes a Problem on the document, never an exception."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml

from gongkai.core import schema
from gongkai.core.boundary import (
    MAX_BODY_BYTES,
    MAX_FRONT_MATTER_BYTES,
    MAX_FRONT_MATTER_DEPTH,
    merge_conflict_line,
    resolve_inside,
)
from gongkai.core.fields import check_document
from gongkai.core.present import human_size
from gongkai.core.problems import Problem
from gongkai.core.settings import ROOT, TZ


class _StringDatesLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """Safe loader that leaves dates as strings: the schema checks their form,
    and an impossible date (2018-02-30) becomes a clear error, not a crash."""


_StringDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# Where the build's speed devices keep a copy of the document as bytes
# (gongkai.build.speed.travel); any change to the document drops it.
KEPT_BYTES = "_pickled"


class Derived(dict):
    """doc.derived: read-only. A value is added with doc.derive(key, value),
    so no change can slip past a copy of the document kept as bytes."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("doc.derived is read-only: add values with doc.derive(key, value)")

    __setitem__ = __delitem__ = setdefault = update = pop = popitem = clear = __ior__ = _refuse

    def __reduce__(self):
        return Derived, (dict(self),)


@dataclass
class Document:
    path: str                      # repository-relative, e.g. content/policy/x.md
    type: str                      # one of schema.TYPES, or "page"
    raw: dict                      # front-matter as written (strings, for the schema)
    meta: dict                     # typed values (dates, normalised doc_no/topic)
    body: str                      # Markdown after the front-matter
    body_line: int                 # line number of the body's first line
    lines: dict = field(default_factory=dict)   # dotted field path -> line
    problems: list = field(default_factory=list)
    # Values computed from this file alone (word counts, budget tables), kept
    # with it in Pelican's content cache so a rebuild computes them only for
    # files that changed (gongkai.build.speed.prepare). Read-only: see derive().
    derived: dict = field(default_factory=Derived)
    root: str = ""                 # the content folder it was read from (absolute)

    def __getattr__(self, name):   # doc.title, doc.index_no ... ; None when absent
        meta = self.__dict__.get("meta")
        if meta is not None and not name.startswith("__"):
            return meta.get(name)
        raise AttributeError(name)

    def line_of(self, field_path: str) -> int:
        while field_path:
            if field_path in self.lines:
                return self.lines[field_path]
            field_path = field_path.rpartition(".")[0]
        return 1

    @property
    def is_valid(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def type_title(self) -> str:
        return schema.enum_title("common", "type", self.type) if self.type != schema.PAGE else "页面"

    @property
    def ended_title(self) -> str:
        """已失效 / 已废止 when the document is no longer in force, else empty."""
        value = self.meta.get("validity")
        return schema.enum_titles("validity").get(value, "") if value in ("expired", "repealed") else ""

    @property
    def disclosure_title(self) -> str:
        return schema.enum_titles("disclosure").get(self.meta.get("disclosure"), "")

    def derive(self, key: str, value):
        """Keep a value computed from this document alone with it (and so in
        Pelican's content cache); returns the value."""
        dict.__setitem__(self.derived, key, value)
        self.__dict__.pop(KEPT_BYTES, None)
        return value

    def forget_derived(self) -> None:
        self.derived = Derived()

    def __setattr__(self, name, value):
        # A changed document is no longer the bytes kept of it: it is pickled whole again.
        self.__dict__.pop(KEPT_BYTES, None)
        object.__setattr__(self, name, value)


def relpath(path: Path) -> str:
    """Repository-relative when inside it. The last part is never resolved: a
    symlink is named as itself, not as what it points at."""
    path = os.path.abspath(path)
    folder, name = os.path.split(path)
    rel = os.path.relpath(os.path.join(os.path.realpath(folder), name), ROOT)
    return path if rel == ".." or rel.startswith(".." + os.sep) else rel


def type_of(path: Path, content_root: Path) -> str | None:
    """The type implied by the folder: content/<type>/..., content/pages/... -> page."""
    try:
        first = Path(path).resolve().relative_to(Path(content_root).resolve()).parts[0]
    except (ValueError, IndexError):
        return None
    if first == "pages":
        return schema.PAGE
    return first if first in schema.TYPES else None


def split_front_matter(text: str):
    """Return (yaml_text, body, body_line) or raise ValueError(code)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ValueError("no_front_matter")
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    raise ValueError("unclosed_front_matter")


class FrontMatterRefused(ValueError):
    """Front-matter refused before it is expanded: (code, line, params)."""

    def __init__(self, code: str, line: int = 1, **params):
        super().__init__(code)
        self.code, self.line, self.params = code, line, params


def _refuse_anchors(text: str, offset: int) -> None:
    """Anchors and aliases (&a, *a) have no use in front-matter, and nine lines
    of them expand to a billion values ("billion laughs"): refused by the
    parser's events, before anything is built."""
    if "&" not in text and "*" not in text:
        return
    for event in yaml.parse(text, Loader=_StringDatesLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise FrontMatterRefused("yaml_anchor", event.start_mark.line + offset)


def _walk_lines(root, lines, dups, offset):
    """Each field's line (dotted path -> line) and duplicate keys; iterative,
    and refusing nesting deeper than any real document needs."""
    stack = [(root, "", 0)]
    while stack:
        node, prefix, depth = stack.pop()
        if depth > MAX_FRONT_MATTER_DEPTH:
            raise FrontMatterRefused("front_matter_too_large", node.start_mark.line + offset,
                                     detail=f"嵌套超过 {MAX_FRONT_MATTER_DEPTH} 层")
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                name = f"{prefix}.{key}" if prefix else key
                if key in seen:
                    dups.append((name, key_node.start_mark.line + offset))
                seen.add(key)
                lines.setdefault(name, key_node.start_mark.line + offset)
                stack.append((value_node, name, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                name = f"{prefix}[{i}]"
                lines[name] = item.start_mark.line + offset
                stack.append((item, name, depth + 1))


def parse_yaml(text: str, offset: int):
    """Parse front-matter text; return (data, lines, duplicate_keys)."""
    _refuse_anchors(text, offset)
    loader = _StringDatesLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines, dups = {}, []
    if node is not None:
        _walk_lines(node, lines, dups, offset)
    return data, lines, dups


def _typed(doc_type: str, raw: dict) -> dict:
    """Convert by the schema's formats: the schema is the only field list."""
    props = schema.properties(doc_type)

    def convert(prop, value):
        fmt = prop.get("format")
        try:
            if fmt == "date" and isinstance(value, str):
                return date.fromisoformat(value)
            if fmt == "local-datetime" and isinstance(value, str):
                return datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=TZ)
        except ValueError:
            return None
        if fmt == "doc-no" and isinstance(value, str):
            return schema.normalize_doc_no(value)
        if fmt == "topic" and isinstance(value, str):
            return schema.normalize_topic(value)
        if isinstance(value, dict) and "properties" in prop:
            return {k: convert(prop["properties"].get(k, {}), v) for k, v in value.items()}
        if isinstance(value, list) and isinstance(prop.get("items"), dict):
            return [convert(prop["items"], v) for v in value]
        return value

    meta = {k: convert(props.get(k, {}), v) for k, v in raw.items()}
    if doc_type != schema.PAGE:
        meta.setdefault("validity", "valid")
        meta["type"] = doc_type
    return meta


def read_document(path, content_root: Path | None = None, settings: dict | None = None) -> Document:
    """Read one file into a Document. Problems found on the way (encoding,
    YAML, schema) are stored on it; it is never None and never raises for bad
    content. Cross-document checks live in validate.py."""

    path = Path(path)
    content_root = Path(content_root or ROOT / "content")
    rel = relpath(path)
    doc_type = type_of(path, content_root)
    doc = Document(path=rel, type=doc_type or "", raw={}, meta={}, body="", body_line=1,
                   root=str(content_root.resolve()))

    def fail(code, at=1, field=None, **params):
        doc.problems.append(Problem(rel, at, field, code, params))
        return doc

    size = path.stat().st_size
    if size > MAX_FRONT_MATTER_BYTES + MAX_BODY_BYTES:
        return fail("body_too_large", size=human_size(size), limit=human_size(MAX_BODY_BYTES))
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return fail("not_utf8", line, line=line)
    text = text.replace("\r\n", "\n")
    conflict = merge_conflict_line(text)
    if conflict is not None:
        return fail("unresolved_merge", conflict, None, row=conflict)
    if doc_type is None:
        return fail("wrong_folder", folder=Path(rel).parent.name,
                    allowed="、".join(schema.TYPES + ("pages",)))
    try:
        head, doc.body, doc.body_line = split_front_matter(text)
    except ValueError as err:
        return fail(str(err))
    if len(head.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        return fail("front_matter_too_large", 2, detail=f"超过 {human_size(MAX_FRONT_MATTER_BYTES)}")
    body_size = len(doc.body.encode("utf-8"))
    if body_size > MAX_BODY_BYTES:
        return fail("body_too_large", doc.body_line, size=human_size(body_size), limit=human_size(MAX_BODY_BYTES))
    try:
        raw, doc.lines, dups = parse_yaml(head, offset=2)
    except FrontMatterRefused as err:
        return fail(err.code, err.line, **err.params)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 2 if mark else 1
        detail = (err.problem or err.context or "无法解析").strip()
        return fail("yaml_syntax", line, detail=_yaml_detail_zh(detail))
    except yaml.YAMLError as err:
        return fail("yaml_syntax", detail=str(err))
    if not isinstance(raw, dict):
        return fail("not_mapping", 2)
    for name, line in dups:
        fail("duplicate_key", line, name)
    doc.raw = raw
    doc.meta = _typed(doc_type, raw)
    doc.problems.extend(check_document(doc, settings))
    return doc


def file_stamp(path) -> tuple:
    """A file as far as caches are concerned: its path, size and mtime."""
    try:
        st = os.stat(path)
        return (str(path), st.st_size, st.st_mtime_ns)
    except OSError:
        return (str(path), None)


def named_paths(doc: Document) -> list:
    """Every file the document names (fields marked x-file in its schema):
    [(field path, value, resolved path or None, None or why not)]. A path
    must stay inside the content folder (gongkai.core.boundary.resolve_inside)."""
    if doc.type not in schema.TYPES or not doc.root:
        return []
    root = doc.root
    folder = os.path.dirname(os.path.join(ROOT, doc.path))
    out = []
    for key, sub, relative_to in schema.file_fields(doc.type):
        value = doc.meta.get(key)
        entries = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, entry in entries:
            name = entry.get(sub) if sub and isinstance(entry, dict) else (entry if not sub else None)
            if not isinstance(name, str):
                continue
            field_path = key + (f"[{i}]" if i is not None else "") + (f".{sub}" if sub else "")
            base = root if relative_to == "content" else folder
            out.append((field_path, name, *resolve_inside(root, base, name)))
    return out


def named_files(doc: Document) -> tuple:
    """The stamps of the files a document names: checks and pages read them."""
    return tuple(file_stamp(path) if path else (value, reason) for _f, value, path, reason in named_paths(doc))


# libyaml's messages, in the words staff need (matched by prefix).
_YAML_DETAILS = {
    "mapping values are not allowed": "这里不能出现冒号（值里有冒号时请给整个值加引号）",
    "could not find expected ':'": "缺少冒号",
    "found character that cannot start any token": "有不能出现在开头的字符（Tab 缩进请改用空格；@ ` 开头的值请加引号）",
    "found unexpected end of stream": "引号没有配对",
    "found unknown escape character": "双引号里的反斜杠 \\ 请写成两个，或改用单引号",
    "did not find expected key": "缩进不一致",
    "did not find expected ',' or ']'": "方括号列表没有闭合，或缺少逗号",
    "did not find expected ',' or '}'": "花括号没有闭合，或缺少逗号",
    "did not find expected '-' indicator": "列表的缩进不一致",
    "found undefined alias": "不能使用 * 开头的值（请加引号）",
    "found duplicate anchor": "不能使用 & 开头的值（请加引号）",
    "expected <block end>": "缩进不一致",
}


def _yaml_detail_zh(detail: str) -> str:
    for en, zh in _YAML_DETAILS.items():
        if detail.startswith(en):
            return zh
    return "这一行无法解析"
