"""The Chinese message catalogue: one template per stable problem code.

Each message says what is wrong, then (after "；") what was expected, with an
example where one helps. tests/test_docs.py checks every code is documented in
the README's 常见错误 table.
"""
from __future__ import annotations

MESSAGES: dict[str, str] = {
    # reading the file
    "not_utf8": "文件不是 UTF-8 编码（第 {line} 行附近无法解码）；请用 UTF-8 重新保存",
    "no_front_matter": "文件开头没有元数据块；文件应以一行 --- 开始，写完字段后再以一行 --- 结束",
    "unclosed_front_matter": "元数据块没有结束；请在最后一个字段后加一行 ---",
    "yaml_syntax": "元数据格式错误：{detail}；请检查缩进、冒号后的空格和引号是否成对",
    "not_mapping": "元数据不是“字段: 值”的形式；每行应写作 字段名: 值",
    "duplicate_key": "此字段写了两次；每个字段只能出现一次",
    # one document, against its schema
    "required": "缺少此项；应填写{title}，例如 {example}",
    "unknown_field": "不认识的字段；请检查拼写，允许的字段有：{allowed}",
    "enum": "值“{value}”不在允许范围内；应为以下之一：{allowed}",
    "type": "值“{value}”的类型不对；应为{expected}",
    "empty": "不能为空；应填写{title}",
    "too_few": "至少要有 {limit} 项；请补充",
    "date": "“{value}”不是有效的日期；应写作 YYYY-MM-DD，例如 2018-10-20",
    "local_datetime": "“{value}”不是有效的日期时间；应写作 YYYY-MM-DD HH:MM（北京时间），例如 2026-12-01 09:00",
    "index_no": "“{value}”不符合索引号格式；应为 组织机构代码/年份-5位序号，例如 {example}",
    "doc_no": "“{value}”不是有效的发文字号；应写作 机关代字〔年份〕序号号，例如 延政发〔2018〕10号",
    "topic": "“{value}”不在主题分类词表中；应取自 metadata_schema/topics.yaml，例如 综合政务/政务公开",
    "email": "“{value}”不是有效的电子邮箱；例如 xxgk@yanshou.gov.cn",
    "uri": "“{value}”不是有效的网址；应以 https:// 开头",
    "pattern": "“{value}”格式不对；应符合 {pattern}",
    "minimum": "“{value}”太小；应不小于 {limit}",
    "maximum": "“{value}”太大；应不大于 {limit}",
    "type_mismatch": "写的是“{value}”，但文件在 {folder} 文件夹中；应为 {expected}，或把文件移到对应文件夹",
    "wrong_folder": "文件所在的文件夹 {folder} 不是已知的信息类型；应放在 content/ 下的 {allowed} 之一",
    # across documents
    "duplicate_index_no": "索引号 {value} 与 {other} 重复；索引号全站唯一，请改用下一个空闲序号",
    "duplicate_doc_no": "发文字号 {value} 与 {other} 重复；请核对发文字号",
    "unknown_reference": "索引号 {value} 找不到对应的文件；应填写 content/ 中已有文件的索引号",
    "missing_attachment": "附件 {value} 不存在；请把附件放到 content/{value}，或改正路径",
    "written_after_date": "成文日期 {written} 晚于发布日期 {date}；请核对两个日期（文件通常先成文后发布）",
    # anything unexpected: never a traceback
    "internal_error": "内部错误：{detail}；请把这一行告诉技术人员",
}


def message(code: str, params: dict) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return f"{code} {params}"
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def format_problem(p) -> str:
    """file:line: 中文名 (key) — message. Warnings are marked 提醒."""
    from .schema import field_label
    where = f"{p.path}:{p.line}:"
    label = field_label(p.field)
    what = "" if not p.field else (f" {label} ({p.field}) —" if label != p.field else f" {p.field} —")
    mark = "" if p.severity == "error" else " 提醒："
    return f"{where}{what}{mark} {message(p.code, p.params)}"


def summary(problems) -> str:
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    if not problems:
        return "检查通过，没有发现问题。"
    files = len({p.path for p in problems})
    text = f"共 {len(errors)} 个错误、{len(warnings)} 个提醒，涉及 {files} 个文件。"
    if errors:
        text += "修改后重新运行 make check。"
    else:
        text += "提醒不阻止发布，但请核对。"
    return text
