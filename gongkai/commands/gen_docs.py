"""Regenerate the README's field reference from metadata_schema/ (the only field list).

    python3 scripts/gen_docs.py          # rewrite the section in README.md
    python3 scripts/gen_docs.py --check  # exit 1 if README.md is out of date"""
from __future__ import annotations

import argparse
import sys

from gongkai.core import schema
from gongkai.core.settings import ROOT

START, END = "<!-- fields:start -->", "<!-- fields:end -->"


def _cell(text) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def _allowed(prop: dict) -> str:
    if "enum" in prop:
        titles = prop.get("enumTitles", {})
        return "、".join(f"`{v}` {titles.get(v, '')}".strip() for v in prop["enum"])
    fmt = {"date": "YYYY-MM-DD", "local-datetime": "YYYY-MM-DD HH:MM", "index-no": "索引号格式",
           "doc-no": "发文字号", "topic": "主题分类词表", "email": "电子邮箱", "uri": "网址"}
    if prop.get("format") in fmt:
        return fmt[prop["format"]]
    return {"string": "文字", "integer": "整数", "number": "数字", "array": "列表", "object": "字段组"}.get(
        prop.get("type"), "")


def _rows(props: dict, required: list, prefix: str = ""):
    for key, prop in props.items():
        name = f"{prefix}{key}"
        yield (f"| `{name}` | {_cell(prop.get('title'))} | {'必填' if key in required else ''} | "
               f"{_cell(_allowed(prop))} | {_cell(prop.get('description'))} |")
        sub = prop.get("properties") or (prop.get("items") or {}).get("properties")
        if sub:
            sub_required = prop.get("required") or (prop.get("items") or {}).get("required") or []
            yield from _rows(sub, sub_required, f"{name}.")


def render() -> str:
    head = "| 字段 | 中文名 | 必填 | 取值 | 说明 |\n|---|---|---|---|---|"
    parts = [START, "<!-- 自动生成，请勿手动编辑：python3 scripts/gen_docs.py -->", "",
             "#### 公共字段（所有类型）", "", head]
    common = schema.schemas()["common"]
    parts += list(_rows(common["properties"], common.get("required", [])))
    for doc_type in (*schema.TYPES, schema.PAGE):
        sch = schema.schema_for(doc_type)
        folder = "pages" if doc_type == schema.PAGE else doc_type
        parts += ["", f"#### {sch['title']}（content/{folder}/）", "", _cell(sch.get("description")), ""]
        own = sch.get("properties", {})
        if own:
            parts += [head, *_rows(own, sch.get("required", []))]
        else:
            parts.append("只用公共字段。")
    parts += ["", END]
    return "\n".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="从 metadata_schema/ 重新生成 README 的字段表。")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print("README.md 中没有字段表标记", START, END, file=sys.stderr)
        return 1
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    new = before + render() + after
    if args.check:
        if new != text:
            print("README.md 的字段表不是最新的；请运行 python3 scripts/gen_docs.py", file=sys.stderr)
            return 1
        return 0
    readme.write_text(new, encoding="utf-8")
    return 0


