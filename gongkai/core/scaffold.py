"""Writing front-matter for staff: every field of the type's schema in schema
order, a Chinese comment above each (title, description, allowed values), the
given values, and optional fields left as "# key:" lines to fill in later.
Used by scripts/new.py and the importer (gongkai/importer.py)."""
from __future__ import annotations

import re

import yaml

from gongkai.core import schema


def scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", text):
        return f'"{text}"'   # as the README writes them: a quoted date stays the text typed
    dumped = yaml.safe_dump(text, allow_unicode=True, default_flow_style=True, width=10**6)
    return dumped.split("\n...")[0].strip()


def _comment(prop: dict, key: str, indent: str, required: bool) -> list:
    title = prop.get("title", key)
    text = f"{indent}# {title}" + ("（必填）" if required else "（可选）")
    if prop.get("description"):
        text += f"：{prop['description']}"
    lines = [text]
    if "enum" in prop:
        titles = prop.get("enumTitles", {})
        lines.append(f"{indent}#   可选值：" + "、".join(f"{v}={titles[v]}" if v in titles else v for v in prop["enum"]))
    return lines


def _example_line(key: str, prop: dict, indent: str) -> str:
    example = (prop.get("examples") or [""])[0]
    return f"{indent}# {key}: {scalar(example) if example != '' else ''}".rstrip()


def front_matter(doc_type: str, values: dict, heading: str | None = None) -> str:
    props = schema.properties(doc_type)
    required = schema.required(doc_type)
    type_title = schema.enum_title("common", "type", doc_type)
    lines = ["---",
             f"# {heading or type_title}。以 # 开头的行是说明，不会显示在网站上。",
             "# 可选字段写成“# 字段名:”：需要时删去行首的“# ”再填写。改完后运行 make check。"]
    for key, prop in props.items():
        lines.append("")
        lines.extend(_comment(prop, key, "", key in required))
        value = values.get(key)
        if value is None:
            lines.append(_example_line(key, prop, ""))
            continue
        if isinstance(value, dict):
            lines.append(f"{key}:")
            sub_props = prop.get("properties", {})
            for sub, sub_value in value.items():
                sub_prop = sub_props.get(sub, {})
                lines.extend(_comment(sub_prop, sub, "  ", sub in prop.get("required", [])))
                lines.append(f"  {sub}: {scalar(sub_value)}")
        elif isinstance(value, list):
            lines.append(f"{key}:")
            item_props = (prop.get("items") or {}).get("properties", {})
            for item in value:
                if isinstance(item, dict):
                    first = True
                    for sub, sub_value in item.items():
                        lines.extend(_comment(item_props.get(sub, {}), sub, "    ", True))
                        lines.append(f"  {'- ' if first else '  '}{sub}: {scalar(sub_value)}")
                        first = False
                else:
                    lines.append(f"  - {scalar(item)}")
        else:
            lines.append(f"{key}: {scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"
