"""metadata_schema/ is the only list of fields. This module loads it once and
answers questions about it: which fields a type has, their Chinese titles,
and a jsonschema validator per type with our formats."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, FormatChecker

from gongkai.core.settings import ROOT

SCHEMA_DIR = ROOT / "metadata_schema"
PAGE = "page"

DOC_NO_RE = re.compile(r"^(?P<org>[^\s〔〕\[\]()（）]+?)[〔\[(（](?P<year>\d{4})[〕\])）](?P<seq>\d+)号$")
LOCAL_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _load_yaml(path: Path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=None)
def schemas() -> dict:
    """Every schema by name. The content types are the files marked x-type (in
    their x-type order); common.yaml's `type` field takes its values and titles
    from them, so a new type is one new file."""
    found = {p.stem: _load_yaml(p) for p in sorted(SCHEMA_DIR.glob("*.yaml")) if p.stem != "topics"}
    types = sorted((s["x-type"].get("order", 1000), name) for name, s in found.items() if "x-type" in s)
    type_field = found["common"]["properties"]["type"]
    type_field["enum"] = [name for _order, name in types]
    type_field["enumTitles"] = {name: found[name]["title"] for _order, name in types}
    return found


def content_types() -> tuple:
    """The content types, each with a folder content/<type>/, in listing order."""
    return tuple(schemas()["common"]["properties"]["type"]["enum"])


@lru_cache(maxsize=None)
def topics() -> frozenset:
    names = set()
    for top in _load_yaml(SCHEMA_DIR / "topics.yaml")["topics"]:
        names.add(top["name"])
        names.update(f"{top['name']}/{child}" for child in top.get("children", []))
    return frozenset(names)


def topic_list() -> list:
    """Every 主题分类 name in topics.yaml order: each 一级类, then its 一级类/二级类."""
    out = []
    for top in _load_yaml(SCHEMA_DIR / "topics.yaml")["topics"]:
        out.append(top["name"])
        out.extend(f"{top['name']}/{child}" for child in top.get("children", []))
    return out


def normalize_topic(value: str) -> str:
    return value.replace("\\", "/").strip()


def normalize_doc_no(value: str) -> str:
    """延政发[2018]10号, 延政发(2018)10号, 延政发（2018）10号 -> 延政发〔2018〕10号."""
    m = DOC_NO_RE.match(value.strip().replace(" ", ""))
    if not m:
        return value.strip()
    return f"{m['org']}〔{m['year']}〕{m['seq']}号"


def schema_for(doc_type: str) -> dict:
    return schemas()[doc_type]


def properties(doc_type: str) -> dict:
    """Field name -> its schema, common fields first, in schema order."""
    out = {}
    if doc_type in TYPES:  # content types share common.yaml; page and data-file schemas do not
        out.update(schemas()["common"]["properties"])
    out.update(schema_for(doc_type).get("properties", {}))
    return out


def required(doc_type: str) -> list:
    req = [] if doc_type == PAGE else list(schemas()["common"].get("required", []))
    return req + [r for r in schema_for(doc_type).get("required", []) if r not in req]


def body_required(doc_type: str) -> bool:
    """x-body of the type's schema, else of common.yaml: must the body hold text?"""
    own = schema_for(doc_type).get("x-body")
    if own is None and doc_type in TYPES:
        own = schemas()["common"].get("x-body")
    return own == "required"


@lru_cache(maxsize=None)
def file_fields(doc_type: str) -> tuple:
    """((list field, item key, relative to), ...) for every field marked x-file:
    (attachments, path, content), (tables, file, document)."""
    out = []
    for key, prop in properties(doc_type).items():
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        for sub, sub_prop in (items.get("properties") or {}).items():
            if sub_prop.get("x-file"):
                out.append((key, sub, sub_prop["x-file"]))
        if prop.get("x-file"):
            out.append((key, None, prop["x-file"]))
    return tuple(out)


@dataclass(frozen=True)
class Reference:
    """A field that names other documents by 索引号 (x-reference in the schema)."""
    field: str                  # front-matter key
    item: str | None = None     # the key inside each list entry (stages[].documents), or None
    many: bool = False          # a list of 索引号
    to: tuple = ()              # the types it may name; () for any
    heading: str | None = None  # the list it makes on this document's page
    back: str | None = None     # the list it makes on the named document's page
    symmetric: bool = False     # both pages show `heading`
    top: bool = False           # the named document also lists `back` near its top (本文件的解读)


def _reference(key, prop, item=None) -> Reference | None:
    spec = prop.get("x-reference")
    if spec is None:
        return None
    return Reference(key, item, prop.get("type") == "array", tuple(spec.get("to") or ()),
                     spec.get("heading"), spec.get("back"), bool(spec.get("symmetric")), bool(spec.get("top")))


@lru_cache(maxsize=None)
def references(doc_type: str) -> tuple:
    """Every reference field of a type, in schema order."""
    out = []
    for key, prop in properties(doc_type).items():
        ref = _reference(key, prop)
        if ref is not None:
            out.append(ref)
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        for sub_key, sub_prop in (items.get("properties") or {}).items():
            ref = _reference(key, sub_prop, sub_key)
            if ref is not None:
                out.append(ref)
    return tuple(out)


def all_references() -> tuple:
    """Reference fields over every type, each once (same key, same declaration)."""
    return tuple(dict.fromkeys(r for t in TYPES for r in references(t)))


def reference_values(doc) -> list:
    """[(dotted field path, 索引号, Reference)] for every reference a document makes."""
    out = []
    meta = doc.meta
    for ref in references(doc.type) if doc.type in TYPES else ():
        value = meta.get(ref.field)
        if ref.item is None:
            values = [(ref.field, value)] if not ref.many else \
                [(f"{ref.field}[{i}]", v) for i, v in enumerate(value if isinstance(value, list) else [])]
        else:
            values = [(f"{ref.field}[{i}].{ref.item}[{j}]", v)
                      for i, entry in enumerate(value if isinstance(value, list) else [])
                      if isinstance(entry, dict)
                      for j, v in enumerate(entry.get(ref.item) if isinstance(entry.get(ref.item), list) else [])]
        out.extend((path, v, ref) for path, v in values if isinstance(v, str))
    return out


@lru_cache(maxsize=None)
def _all_titles() -> dict:
    """Dotted field path (list indices dropped) -> Chinese title, over every schema."""
    titles = {}

    def walk(props, prefix):
        for key, sub in props.items():
            name = f"{prefix}{key}"
            if "title" in sub and name not in titles:
                titles[name] = sub["title"]
            if "properties" in sub:
                walk(sub["properties"], name + ".")
            items = sub.get("items")
            if isinstance(items, dict) and "properties" in items:
                walk(items["properties"], name + ".")

    for name, sch in schemas().items():
        walk(sch.get("properties", {}), "")
    return titles


def _title_in(props: dict, plain: str):
    """The title of a dotted field path within one schema's properties, or None."""
    head, _, rest = plain.partition(".")
    prop = props.get(head)
    if prop is None:
        return None
    if not rest:
        return prop.get("title")
    sub = prop.get("properties") or (prop.get("items") or {}).get("properties") or {}
    return _title_in(sub, rest)


def field_label(field: str | None, doc_type: str | None = None) -> str:
    """The Chinese title of a field (dotted, list indices allowed). A type's own
    title wins: the same key may mean another thing in another type."""
    if not field:
        return ""
    plain = re.sub(r"\[\d+\]", "", field)
    if doc_type in schemas() or doc_type in TYPES:
        own = _title_in(properties(doc_type), plain)
        if own:
            return own
    return _all_titles().get(plain, plain)


def show(doc_type: str) -> dict:
    """{field: x-show} for a type's top-level fields: {"meta": n}, {"section": name} or "none"."""
    return {key: prop.get("x-show") for key, prop in properties(doc_type).items()}


def meta_fields(doc_type: str) -> list:
    """The fields shown as rows of the page's 信息索引, in their x-show order."""
    rows = [(spec["meta"], key) for key, spec in show(doc_type).items() if isinstance(spec, dict) and "meta" in spec]
    return [key for _n, key in sorted(rows)]


def section_fields(doc_type: str, section: str) -> list:
    """The fields a named part of the page shows, in schema order."""
    return [key for key, spec in show(doc_type).items() if isinstance(spec, dict) and spec.get("section") == section]


def enum_title(doc_type: str, field: str, value) -> str:
    """The Chinese title of an enum value (policy -> 政策文件), or the value itself."""
    prop = properties(doc_type).get(field) or {}
    return prop.get("enumTitles", {}).get(value, value)


def enum_titles(field: str) -> dict:
    for sch in schemas().values():
        prop = sch.get("properties", {}).get(field)
        if prop and "enumTitles" in prop:
            return prop["enumTitles"]
    return {}


def _format_checker(settings: dict) -> FormatChecker:
    checker = FormatChecker(formats=())
    index_re = re.compile(settings["GONGKAI_INDEX_NO_PATTERN"])

    @checker.checks("date", raises=ValueError)
    def _date(value):
        if not isinstance(value, str):
            return True
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return False
        date.fromisoformat(value)  # raises for 2018-02-30
        return True

    @checker.checks("local-datetime", raises=ValueError)
    def _local_datetime(value):
        if not isinstance(value, str):
            return True
        if not LOCAL_DATETIME_RE.match(value):
            return False
        datetime.fromisoformat(value.replace(" ", "T"))
        return True

    checker.checks("index-no")(lambda v: not isinstance(v, str) or bool(index_re.match(v)))
    checker.checks("doc-no")(lambda v: not isinstance(v, str) or bool(DOC_NO_RE.match(v.strip().replace(" ", ""))))
    checker.checks("topic")(lambda v: not isinstance(v, str) or normalize_topic(v) in topics())
    checker.checks("email")(lambda v: not isinstance(v, str) or bool(EMAIL_RE.match(v)))
    checker.checks("uri")(lambda v: not isinstance(v, str) or bool(re.match(r"^https?://[^\s]+$", v)))
    return checker


def _inline_refs(node, by_name: dict):
    """A copy of a schema with each {$ref: other.yaml} replaced by that schema:
    the same rules, without a registry look-up for every document validated."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in by_name and len(node) == 1:
            target = {k: v for k, v in by_name[ref].items() if k not in ("$id", "$schema")}
            return _inline_refs(target, by_name)
        return {k: _inline_refs(v, by_name) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, by_name) for v in node]
    return node


def validator(doc_type: str, settings: dict) -> Draft202012Validator:
    key = (doc_type, settings["GONGKAI_INDEX_NO_PATTERN"])
    if key not in _VALIDATORS:
        by_name = {f"{name}.yaml": sch for name, sch in schemas().items()}
        _VALIDATORS[key] = Draft202012Validator(
            _inline_refs(schema_for(doc_type), by_name), format_checker=_format_checker(settings))
    return _VALIDATORS[key]


_VALIDATORS: dict = {}


TYPES = content_types()
