"""The Decap CMS configuration (editor/config.yml), generated from metadata_schema/.

One collection per content type, in its folder content/<type>/; each field with
its Chinese title (label), description (hint), required flag and a widget chosen
from the schema: date and datetime pickers by format, a select for enumerations
(with their Chinese titles) and for 主题分类, a list for arrays, a file widget for
x-file fields (the file goes beside the document), a relation widget for x-reference
fields (by 索引号) and a pattern with the catalogue's Chinese message for formats
a browser can check (索引号, 发文字号, email, 网址).

Nothing here knows a field by name except the 保密审查 record (review), which the
form never fills in (the schema says so: only the reviewer writes it), and the
type (the folder decides it). What is filled in when `make edit` serves the file
(the proxy's port, the branch, the next free 索引号) is added by `served()`."""
from __future__ import annotations

import re

import yaml

from gongkai.core import messages, schema

CONFIG_PATH = schema.SCHEMA_DIR.parent / "editor" / "config.yml"
HEADER = ("# 自动生成，请勿手动编辑：由 metadata_schema/ 生成（gongkai/core/editor.py），"
          "改了 schema 后运行 python3 scripts/edit.py --write-config。\n"
          "# make edit 提供这个文件时会填上本机代理的端口、当前分支和下一个空闲的索引号。\n")
# A hidden collection of every document: the target of references that may name any type.
ALL = "all_documents"
REVIEW = "review"          # never pre-filled: only the reviewer writes it (see new.py)
SKIP = {"type"}            # decided by the folder
DEFAULT_PROXY = "http://127.0.0.1:8081/api/v1"
DATE_ONLY = {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False}
LOCAL_DATETIME = {"widget": "datetime", "format": "YYYY-MM-DD HH:mm", "date_format": "YYYY-MM-DD",
                  "time_format": "HH:mm"}


def js_pattern(python_regex: str) -> str:
    """A Python regular expression as JavaScript reads it (named groups lose their names)."""
    return re.sub(r"\(\?P<\w+>", "(", python_regex)


def _patterns(settings: dict) -> dict:
    """format -> (JavaScript pattern, Chinese message) for the formats a form can check as typed."""
    example = settings["GONGKAI_INDEX_NO_EXAMPLE"]
    return {
        "index-no": (js_pattern(settings["GONGKAI_INDEX_NO_PATTERN"]),
                     messages.form_message("index_no", {"example": example})),
        "doc-no": (js_pattern(schema.DOC_NO_RE.pattern), messages.form_message("doc_no", {})),
        "email": (js_pattern(schema.EMAIL_RE.pattern), messages.form_message("email", {})),
        "uri": (r"^https?://[^\s]+$", messages.form_message("uri", {})),
    }


def _document_filter() -> dict:
    """What tells a document from a page in the hidden collection of everything under
    content/: the first required common field with allowed values (every document has it)."""
    common = schema.schemas()["common"]
    key = next(k for k in common["required"] if "enum" in common["properties"][k])
    return {"field": key, "values": list(common["properties"][key]["enum"])}


def _relation(ref_to: tuple, many: bool) -> dict:
    target = ref_to[0] if len(ref_to) == 1 else ALL
    out = {"widget": "relation", "collection": target, "value_field": "index_no",
           "search_fields": ["title", "index_no"], "display_fields": ["{{title}}（{{index_no}}）"]}
    if target == ALL:
        out["filters"] = [_document_filter()]
    if many:
        out["multiple"] = True
    return out


def field(key: str, prop: dict, required: bool, settings: dict, file_kind_folder: str) -> dict | None:
    """The Decap field for one schema property, or None when a form cannot hold it."""
    out = {"label": prop.get("title", key), "name": key}
    if prop.get("description"):
        out["hint"] = " ".join(str(prop["description"]).split())
    out["required"] = bool(required)
    fmt = prop.get("format")
    kind = prop.get("type")
    ref = prop.get("x-reference")
    if ref is not None:
        out.update(_relation(tuple(ref.get("to") or ()), kind == "array"))
    elif prop.get("x-file"):
        out["widget"] = "file"
        # beside the document: its folder is the media folder; the value is relative to
        # the document (x-file: document) or to content/ (x-file: content)
        out["media_folder"] = ""
        out["public_folder"] = "" if prop["x-file"] == "document" else file_kind_folder
        out["choose_url"] = False
    elif "enum" in prop:
        titles = prop.get("enumTitles", {})
        out["widget"] = "select"
        out["options"] = [{"label": titles.get(v, str(v)), "value": v} for v in prop["enum"]]
    elif fmt == "topic":
        out["widget"] = "select"
        out["options"] = schema.topic_list()
    elif fmt == "date":
        out.update(DATE_ONLY)         # no default: left empty, the field is not written
    elif fmt == "local-datetime":
        out.update(LOCAL_DATETIME)
    elif kind == "integer" or kind == "number":
        out["widget"] = "number"
        out["value_type"] = "int" if kind == "integer" else "float"
        for bound in ("minimum", "maximum"):
            if bound in prop:
                out[bound[:3]] = prop[bound]
    elif kind == "object" and "properties" in prop:
        sub_required = prop.get("required", []) if required else []
        out["widget"] = "object"
        out["collapsed"] = False
        out["fields"] = [f for sub, sub_prop in prop["properties"].items()
                         if (f := field(sub, sub_prop, sub in sub_required, settings, file_kind_folder))]
    elif kind == "object":
        return None   # a free-form mapping (a budget table's columns): no Decap widget holds one
    elif kind == "array":
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        out["widget"] = "list"
        if "properties" in items:
            item_required = items.get("required", [])
            out["fields"] = [f for sub, sub_prop in items["properties"].items()
                             if (f := field(sub, sub_prop, sub in item_required, settings, file_kind_folder))]
            out["collapsed"] = False
        else:
            item = field(key, items, True, settings, file_kind_folder) or {"widget": "string"}
            item.update(label=out["label"], name=key.rstrip("s") or key)
            item.pop("hint", None)
            out["field"] = item
        if prop.get("minItems"):
            out["min"] = prop["minItems"]
    else:
        out["widget"] = "text" if (prop.get("maxLength") or 0) > 200 or key == "summary" else "string"
    if fmt in _patterns(settings):
        out["pattern"] = list(_patterns(settings)[fmt])
    if "default" in prop and key != REVIEW:
        out["default"] = prop["default"]
    return out


def _review_field(field_: dict) -> dict:
    """The 保密审查 record: optional in the form (a draft is saved before the review),
    never pre-filled; make check reports it until the reviewer writes it."""
    field_["required"] = False
    for sub in field_.get("fields", []):
        sub["required"] = False
        sub.pop("default", None)
    return field_


def collection(doc_type: str, settings: dict) -> dict:
    sch = schema.schema_for(doc_type)
    required = schema.required(doc_type)
    fields = []
    for key, prop in schema.properties(doc_type).items():
        if key in SKIP:
            continue
        f = field(key, prop, key in required, settings, doc_type)
        if f is None:
            continue
        fields.append(_review_field(f) if key == REVIEW else f)
    fields.append({"label": "正文", "name": "body", "widget": "markdown",
                   "required": schema.body_required(doc_type), "modes": ["rich_text", "raw"]})
    return {
        "name": doc_type,
        "label": sch["title"],
        "label_singular": sch["title"],
        "description": " ".join(str(sch.get("description", "")).split()),
        "folder": f"content/{doc_type}",
        "create": True,
        # no 发布 button: a branch is published as before, after make review-summary, by a merge
        "publish": False,
        # deleting a published document would commit to the branch directly, past review
        "delete": False,
        "extension": "md",
        "format": "yaml-frontmatter",
        # the file is named after its 索引号 ("/" becomes "-"), as make new names it after the number
        "slug": "{{index_no}}",
        "identifier_field": "title",
        "summary": "{{index_no}}　{{title}}",
        "sortable_fields": ["date", "title", "index_no"],
        "media_folder": "",
        "public_folder": "",
        "fields": fields,
    }


def config(settings: dict) -> dict:
    """The whole Decap configuration, as committed in editor/config.yml."""
    collections = [collection(t, settings) for t in schema.TYPES]
    collections.append({
        "name": ALL, "label": "全部信息", "hide": True, "create": False, "delete": False,
        "folder": "content", "extension": "md", "format": "yaml-frontmatter", "nested": {"depth": 2},
        "identifier_field": "title",
        "fields": [{"label": "标题", "name": "title", "widget": "string"},
                   {"label": "索引号", "name": "index_no", "widget": "string"}],
    })
    return {
        "backend": {"name": "proxy", "proxy_url": DEFAULT_PROXY, "branch": "main",
                    "commit_messages": {"create": "新建 {{collection}}：{{slug}}",
                                        "update": "修改 {{collection}}：{{slug}}",
                                        "delete": "删除 {{collection}}：{{slug}}",
                                        "uploadMedia": "上传 {{path}}", "deleteMedia": "删除 {{path}}"}},
        "publish_mode": "editorial_workflow",
        "locale": "zh_Hans",
        "media_folder": "content",
        "public_folder": "",
        "slug": {"encoding": "unicode", "clean_accents": False, "sanitize_replacement": "-"},
        "editor": {"preview": True},
        "collections": collections,
    }


def render(settings: dict) -> str:
    return HEADER + yaml.safe_dump(config(settings), allow_unicode=True, sort_keys=False, width=100)


def served(text: str, *, proxy_url: str, branch: str, defaults: dict) -> str:
    """The committed configuration as make edit serves it: this machine's proxy,
    the branch entries start from, and what a new entry starts with, as make new
    offers it ({type: {field: value}}: the next free 索引号, today's date)."""
    conf = yaml.safe_load(text)
    conf["backend"]["proxy_url"] = proxy_url
    conf["backend"]["branch"] = branch
    for coll in conf["collections"]:
        for f in coll["fields"]:
            if f["name"] in defaults.get(coll["name"], {}):
                f["default"] = defaults[coll["name"]][f["name"]]
    return yaml.safe_dump(conf, allow_unicode=True, sort_keys=False, width=100)
