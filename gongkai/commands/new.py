"""make new: write a new item for content/<type>/ with complete front-matter.

    make new                                   # asks for each field, in Chinese
    python scripts/new.py --type policy --title "…" --issuer "…" --date 2024-06-03 \
        --disclosure execution --review-result passed --review-reviewer 张某 --review-date 2024-06-01

The fields, their Chinese titles, descriptions and examples come from
metadata_schema/ (gongkai.schema): every field of the type's schema gets an
option (--doc-no, --review-reviewer, --stages-date …). index_no is the next
free number for GONGKAI_ORG_CODE and the year of `date`, found by reading
content/ through gongkai.corpus. The file gets a body skeleton for its type
whose 【待填写】 lines make check reports until they are written. The 保密审查
record (review) is never filled in for staff: what the reviewer does not type
stays a 【待核实】 value, as the importer writes it, which make check reports
until it is filled in. Optional fields are asked too when staff want them,
each as its schema says: lists (keywords, related) on one line, references
(related, superseded_by …) checked against content/ and shown by title, and
attachments as files on this computer, copied into content/<type>/<name>-files/.
Dates are written quoted, as the README writes them. An existing file is never
overwritten."""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from jsonschema import Draft202012Validator

from gongkai.core import boundary, messages, schema
from gongkai.core import settings as settings_mod
from gongkai.core.corpus import read_tree
from gongkai.core.index_no import next_index_no
from gongkai.core.markers import FILL, review_value
from gongkai.core.model import read_document
from gongkai.core.scaffold import front_matter
from gongkai.core.fields import FORMAT_CODES

SKIP_ASK = {"type", "index_no"}   # decided by the folder / assigned here
# The 保密审查 record (条例第十七条) says a review happened: only the reviewer
# types it, after the review. Never a default; left blank, each part is this
# marker, which make check reports (review_pending) until it is filled in.
REVIEW = "review"
REVIEW_PENDING = review_value("须经保密审查后由审查人填写")


class Abort(Exception):
    """A message for staff and an exit status; never a traceback."""

    def __init__(self, text, status=2):
        super().__init__(text)
        self.status = status


# --- the schema as options ---------------------------------------------------------

def _leaves(prop: dict, path: str):
    """(dotted path, schema) of every scalar a field holds; arrays of objects
    contribute their first item's fields (stages.stage, stages.date)."""
    if prop.get("type") == "object" and "properties" in prop:
        for key, sub in prop["properties"].items():
            yield from _leaves(sub, f"{path}.{key}")
    elif prop.get("type") == "array" and isinstance(prop.get("items"), dict) and "properties" in prop["items"]:
        for key, sub in prop["items"]["properties"].items():
            yield from _leaves(sub, f"{path}.{key}")
    elif prop.get("type") in ("string", "integer", "number"):
        yield path, prop


def option_name(path: str) -> str:
    return "--" + path.replace(".", "-").replace("_", "-")


def all_leaves() -> dict:
    """Dotted path -> schema, over every type (argparse needs them before --type is known)."""
    out = {}
    for doc_type in schema.TYPES:
        for key, prop in schema.properties(doc_type).items():
            for path, sub in _leaves(prop, key):
                out.setdefault(path, sub)
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="新建一条政务公开信息：按 metadata_schema/ 的字段逐项询问（或从选项读取），"
                    "自动分配索引号，写入 content/<类型>/。")
    parser.add_argument("--content", default=None, help="内容目录（默认 content/）")
    parser.add_argument("--file", default=None, help="文件名（默认 年份-序号.md，例如 2024-00011.md）")
    parser.add_argument("--no-input", action="store_true", help="不询问：缺少的必填项直接报错")
    parser.add_argument("--type", dest="type", default=None,
                        help="信息类型：" + "、".join(f"{t}（{schema.enum_title('common', 'type', t)}）"
                                                     for t in schema.TYPES))
    for path, prop in all_leaves().items():
        if path == "type":
            continue
        title = schema.field_label(path)
        parser.add_argument(option_name(path), dest=path, default=None, metavar="值",
                            help=f"{title}" + (f"：{prop['description']}" if prop.get("description") else ""))
    seen = set()
    for doc_type in schema.TYPES:
        for key, prop in schema.properties(doc_type).items():
            if is_list(prop) and key not in seen:
                seen.add(key)
                parser.add_argument(option_name(key), dest=key, default=None, metavar="值",
                                    help=f"{schema.field_label(key)}（多个用逗号分开）")
    return parser


def is_list(prop: dict) -> bool:
    """A list of plain values (keywords, related): asked and given on one line."""
    return prop.get("type") == "array" and (prop.get("items") or {}).get("type") in ("string", "integer", "number")


def file_field(prop: dict) -> str | None:
    """The item field naming a file, for a list of files (attachments: path)."""
    items = prop.get("items") or {}
    if prop.get("type") == "array" and items.get("type") == "object":
        return next((k for k, sub in items.get("properties", {}).items() if sub.get("x-file")), None)
    return None


def topic_choices(text: str) -> list:
    """Topics to offer after a word that is not one: those containing it, else every top-level one."""
    names = sorted(n for n in schema.topics() if not n.endswith("/"))
    near = [n for n in names if text and (text in n or n.split("/")[-1] in text)]
    return near[:30] or [n for n in names if "/" not in n]


# --- asking -------------------------------------------------------------------------

def _checker(conf):
    return schema._format_checker(conf)


def coerce(prop: dict, text: str, conf: dict):
    """Staff's answer -> the value to write, or raise ValueError(Chinese reason)."""
    text = text.strip()
    if "enum" in prop:
        titles = prop.get("enumTitles", {})
        for i, value in enumerate(prop["enum"], 1):
            if text in (value, titles.get(value), str(i)):
                return value
        allowed = "、".join(f"{v}（{titles[v]}）" if v in titles else v for v in prop["enum"])
        raise ValueError(f"“{text}”不在允许范围内；应为以下之一：{allowed}")
    value: object = text
    if prop.get("type") == "integer":
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"“{text}”不是整数；例如 {(prop.get('examples') or [2024])[0]}")
        value = int(text)
    elif prop.get("type") == "number":
        try:
            value = float(text) if "." in text else int(text)
        except ValueError:
            raise ValueError(f"“{text}”不是数字；例如 39600") from None
    errors = list(Draft202012Validator(prop, format_checker=_checker(conf)).iter_errors(value))
    if errors:
        err = errors[0]
        if err.validator == "format":
            code = FORMAT_CODES.get(err.validator_value, "pattern")
            raise ValueError(messages.message(code, {"value": text, "example": conf["GONGKAI_INDEX_NO_EXAMPLE"],
                                                     "pattern": err.validator_value}))
        if err.validator == "minLength":
            raise ValueError("不能为空")
        raise ValueError(messages.message(err.validator if err.validator in messages.MESSAGES else "pattern",
                                          {"value": text, "limit": err.validator_value, "pattern": err.message}))
    if prop.get("format") == "doc-no":
        value = schema.normalize_doc_no(text)
    return value


class Asker:
    def __init__(self, interactive: bool, conf: dict, out=sys.stdout, docs=()):
        self.interactive, self.conf, self.out = interactive, conf, out
        self.by_index = {d.meta.get("index_no"): d for d in docs if isinstance(d.meta.get("index_no"), str)}

    def reference(self, path: str, prop: dict, value):
        """An x-reference value must name a document in content/; shown by its title."""
        if "x-reference" not in prop or value in (None, ""):
            return value
        doc = self.by_index.get(value)
        if doc is None:
            raise ValueError(f"content/ 中没有索引号为 {value} 的文件；请核对，或先用 make search 查找")
        if self.interactive:
            print(f"  → 《{doc.meta.get('title')}》（{doc.path}）", file=self.out)
        return value

    def value(self, path: str, prop: dict, text: str):
        """coerce, then the checks that need content/ (references); topic errors list the choices."""
        if prop.get("format") == "topic" and text.isdigit() and getattr(self, "choices", None):
            number = int(text)
            if 1 <= number <= len(self.choices):
                text = self.choices[number - 1]
        try:
            value = coerce(prop, text, self.conf)
        except ValueError as err:
            if prop.get("format") != "topic":
                raise
            self.choices = topic_choices(text)
            listed = "\n".join(f"  {i}) {name}" for i, name in enumerate(self.choices, 1))
            if self.interactive:
                raise ValueError(f"“{text}”不在主题分类词表中；请从下面选一个，输入编号或名称：\n{listed}") from None
            raise ValueError(f"“{text}”不在主题分类词表中；可以写：" + "、".join(self.choices)) from None
        return self.reference(path, prop, value)

    def ask(self, path: str, prop: dict, default=None, optional=False, blank: str | None = None):
        """blank: what an empty answer means, shown beside the title (the
        answer is then None), for a required field that may be left for later."""
        title = schema.field_label(path)
        if not self.interactive:
            if optional or default is not None:
                return default
            raise Abort(f"缺少 {title} ({path})；请用 {option_name(path)} 提供，或去掉 --no-input 按提示填写")
        hint = f"（{blank}）" if blank else "（可选，直接回车跳过）" if optional else ""
        print(f"\n{title} ({path}){hint}", file=self.out)
        optional = optional or blank is not None
        help_text = prop.get("x-ask") or prop.get("description")
        if help_text:
            print(f"  {help_text}", file=self.out)
        if "enum" in prop:
            titles = prop.get("enumTitles", {})
            for i, value in enumerate(prop["enum"], 1):
                print(f"  {i}) {value} {titles.get(value, '')}".rstrip(), file=self.out)
        elif prop.get("examples"):
            print(f"  例如：{prop['examples'][0]}", file=self.out)
        while True:
            prompt = f"{title}" + (f" [{default}]" if default is not None else "") + "："
            print(prompt, end="", file=self.out, flush=True)
            line = sys.stdin.readline()
            if not line:
                raise Abort(f"\n输入已结束，还缺少 {title} ({path})；可以用 {option_name(path)} 提供")
            text = line.strip()
            if not text:
                if default is not None:
                    return default
                if optional:
                    return None
                print("  此项必填。", file=self.out)
                continue
            try:
                return self.value(path, prop, text)
            except ValueError as err:
                print(f"  {err}", file=self.out)

    def ask_list(self, path: str, prop: dict):
        """A list of values on one line (split at spaces, commas and 、)."""
        item = dict(prop.get("items") or {}, **{k: v for k, v in prop.items() if k == "x-reference"})
        while True:
            asked = {k: prop[k] for k in ("title", "x-ask", "description") if k in prop}
            text = self.ask(path, asked, optional=True)
            if text is None:
                return None
            try:
                return split_list(path, item, str(text), self)
            except ValueError as err:
                print(f"  {err}", file=self.out)

    def ask_files(self, key: str, prop: dict, path_key: str) -> list:
        """Files on this computer, one at a time, each with its title; Enter ends."""
        items = prop["items"]["properties"]
        title_key = next((k for k in items if k != path_key), None)
        chosen = []
        while True:
            where = self.ask(f"{key}.{path_key}", items[path_key], optional=True)
            if where is None:
                return chosen
            try:
                source = local_file(str(where))
            except ValueError as err:
                print(f"  {err}", file=self.out)
                continue
            record = {path_key: source}
            if title_key:
                record[title_key] = self.ask(f"{key}.{title_key}", items[title_key], default=source.stem)
            chosen.append(record)


def split_list(path: str, item: dict, text: str, asker: "Asker") -> list:
    values = []
    for part in (p for p in re.split(r"[\s,，、;；]+", text.strip()) if p):
        try:
            values.append(asker.value(path, item, part))
        except ValueError as err:
            raise ValueError(f"“{part}”：{err}") from None
    return values


def local_file(text: str) -> Path:
    """A file on this computer that may be published as an attachment, or ValueError (Chinese)."""
    source = Path(text.strip().strip("'\"")).expanduser()
    if not source.is_file():
        raise ValueError(f"找不到文件 {source}；请写本机上文件的完整路径")
    if boundary.kind_of(source) is None:
        raise ValueError(f"{source.name} 不能作为附件发布；附件只能是 {boundary.allowed_suffixes()} 文件")
    if not boundary.bytes_match(source):
        raise ValueError(f"{source.name} 的内容与扩展名 {source.suffix} 不符；请放入真正的该类型文件")
    return source.resolve()


def collect(doc_type: str, given: dict, asker: Asker, conf: dict, today: date) -> dict:
    """Front-matter values for the type: required fields (asked or given), and
    optional fields given as options (or asked, when staff want to)."""
    props = schema.properties(doc_type)
    required = schema.required(doc_type)
    values: dict = {}

    def take(path, prop, default=None, optional=False):
        if given.get(path) is not None:
            try:
                return asker.value(path, prop, str(given[path]))
            except ValueError as err:
                raise Abort(f"{schema.field_label(path)} ({path}) — {err}") from None
        return asker.ask(path, prop, default, optional)

    defaults = {"date": today.isoformat()}
    for key in props:
        if key in SKIP_ASK:
            continue
        prop = props[key]
        if key not in required:
            continue
        if key == REVIEW:
            values[key] = review_record(prop, given, asker, take)
        elif prop.get("type") == "object" and "properties" in prop:
            sub_req = prop.get("required", [])
            obj = {}
            for sub, sub_prop in prop["properties"].items():
                path = f"{key}.{sub}"
                value = take(path, sub_prop, defaults.get(path), optional=sub not in sub_req)
                if value is not None:
                    obj[sub] = value
            if prop.get("minProperties") and len(obj) < prop["minProperties"]:
                raise Abort(f"{schema.field_label(key)} ({key}) — 至少要填写一项："
                            + "、".join(f"{option_name(key + '.' + s)}" for s in prop["properties"]))
            values[key] = obj
        elif prop.get("type") == "array" and isinstance(prop.get("items"), dict) and "properties" in prop["items"]:
            item_prop = prop["items"]
            item = {}
            for sub, sub_prop in item_prop["properties"].items():
                path = f"{key}.{sub}"
                value = take(path, sub_prop, optional=sub not in item_prop.get("required", []))
                if value is not None:
                    item[sub] = value
            values[key] = [item]
        else:
            values[key] = take(key, prop, defaults.get(key))
    # optional fields: from options; interactively only when staff want them, each as the schema says
    optional = [k for k, p in props.items() if k not in required and k not in SKIP_ASK and askable(p)]
    want_more = False
    if asker.interactive and not all(given.get(k) is not None for k in optional):
        names = "、".join(schema.field_label(k) for k in optional if given.get(k) is None)
        print(f"\n还要填写可选字段吗（{names}）？输入 y 逐项填写，直接回车跳过：",
              end="", file=asker.out, flush=True)
        want_more = sys.stdin.readline().strip().lower() in ("y", "yes", "是")
    for key in optional:
        prop = props[key]
        path_key = file_field(prop)
        if path_key:
            where = given.get(f"{key}.{path_key}")
            if where is not None:
                try:
                    source = local_file(str(where))
                except ValueError as err:
                    raise Abort(f"{schema.field_label(key + '.' + path_key)} ({key}.{path_key}) — {err}") from None
                items = prop["items"]["properties"]
                title_key = next((k for k in items if k != path_key), None)
                record = {path_key: source}
                if title_key:
                    record[title_key] = given.get(f"{key}.{title_key}") or source.stem
                values[key] = [record]
            elif want_more:
                chosen = asker.ask_files(key, prop, path_key)
                if chosen:
                    values[key] = chosen
        elif is_list(prop):
            if given.get(key) is not None:
                try:
                    values[key] = split_list(key, dict(prop["items"], **{k: v for k, v in prop.items()
                                                                        if k == "x-reference"}), given[key], asker)
                except ValueError as err:
                    raise Abort(f"{schema.field_label(key)} ({key}) — {err}") from None
            elif want_more:
                value = asker.ask_list(key, prop)
                if value:
                    values[key] = value
        elif given.get(key) is not None:
            values[key] = take(key, prop)
        elif want_more:
            value = asker.ask(key, prop, default=prop.get("default"), optional=True)
            if value is not None:
                values[key] = value
    return values


def askable(prop: dict) -> bool:
    """An optional field make new asks for: a plain value, a list of values, or a list of files."""
    return prop.get("type") in ("string", "integer", "number") or is_list(prop) or file_field(prop) is not None


def review_record(prop: dict, given: dict, asker: Asker, take) -> dict:
    """The 保密审查 record as the reviewer gives it: from --review-* options or
    typed answers, nothing assumed. A part not given is REVIEW_PENDING; an
    empty 审查结论 means no review yet, so the reviewer and date are not asked."""
    parts = prop["properties"]
    if asker.interactive and any(given.get(f"{REVIEW}.{sub}") is None for sub in parts):
        print("\n保密审查 (review)：信息公开前须经保密审查（政府信息公开条例第十七条）。审查通过后，由审查人填写"
              "审查结论、审查人和审查日期；还没有审查的，直接回车，文件中留下【待核实】，审查后再填写，"
              "在此之前 make check 不会通过。", file=asker.out)
    record, reviewed = {}, True
    for sub, sub_prop in parts.items():
        path = f"{REVIEW}.{sub}"
        value = None
        if given.get(path) is not None:
            value = take(path, sub_prop)
        elif asker.interactive and reviewed:
            value = asker.ask(path, sub_prop, blank="还没有审查的直接回车")
            reviewed = value is not None or sub != "result"
        record[sub] = REVIEW_PENDING if value is None else value
    return record


def review_pending(values: dict) -> bool:
    return any(v == REVIEW_PENDING for v in (values.get(REVIEW) or {}).values())


# --- writing -------------------------------------------------------------------------

def zh_date(value: str | None) -> str:
    if not value:
        return f"{FILL}成文日期，例如 2018年11月12日"
    d = date.fromisoformat(value)
    return f"{d.year}年{d.month}月{d.day}日"


def body_skeleton(doc_type: str, values: dict) -> str:
    """The body a document of this type starts with; every 【待填写】 line is
    reported by make check until it is written."""
    issuer = values.get("issuer", "")
    if doc_type == "policy":
        parts = [f"{FILL}主送机关，例如：各乡（镇）人民政府，县政府各直属单位：",
                 f"{FILL}正文第一段：发文的目的和依据。",
                 f"一、{FILL}第一部分。段落之间空一行；层次用“一、”“（一）”“1.”编号。",
                 f"二、{FILL}第二部分。",
                 issuer, zh_date(values.get("written"))]
    elif doc_type == "solicitation":
        parts = ["## 征求意见说明",
                 f"{FILL}起草的背景和依据、草案的主要内容、需要重点听取意见的问题。",
                 "## 草案全文",
                 f"{FILL}草案全文，或在 attachments 中附上征求意见稿。",
                 issuer, zh_date(values.get("written"))]
    elif doc_type == "interpretation":
        parts = ["## 一、出台背景", f"{FILL}为什么制定这份文件。",
                 "## 二、主要内容", f"{FILL}文件规定了什么，对谁有影响。",
                 "## 三、解读机关和联系方式", f"{FILL}解读机关、解读人和咨询电话。"]
    elif doc_type == "decision":
        parts = ["## 决策事项", f"{FILL}决策的事项。",
                 "## 决策依据", f"{FILL}法律法规依据和前期征求意见情况。",
                 "## 决策结果", f"{FILL}会议作出的决定。"]
    elif doc_type == "budget":
        parts = ["## 说明", f"{FILL}预决算的总体情况和增减原因；数字放在 tables 所列的 CSV 文件中，网站自动生成表格。"]
    elif doc_type == "project":
        parts = ["## 项目概况", f"{FILL}建设内容、规模和资金来源。",
                 "## 建设进展", f"{FILL}各阶段的进展；阶段日期填在 stages 中。"]
    else:
        parts = [f"{FILL}正文。"]
    return "\n" + "\n\n".join(p for p in parts if p) + "\n"


def check_written(target: Path, text: str, content_root: Path, conf: dict) -> list:
    """Read the text as the model will (in a scratch copy of its folder) and
    return problems other than the body skeleton's 【待填写】 lines and the
    review left for the reviewer (REVIEW_PENDING)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scratch = root / target.parent.name / target.name
        scratch.parent.mkdir(parents=True)
        scratch.write_text(text, encoding="utf-8")
        doc = read_document(scratch, root, conf)
        return [p for p in doc.problems if p.code not in ("unfilled_body", "review_pending")]


def place_files(doc_type: str, values: dict, target: Path, content_root: Path) -> list:
    """Where each chosen file goes (content/<type>/<name>-files/<file name>): the front-matter
    gets its path relative to content/; returns [(source, copy)] to copy once all is checked."""
    copies = []
    for key, prop in schema.properties(doc_type).items():
        path_key = file_field(prop)
        if not path_key or key not in values:
            continue
        for record in values[key]:
            source = record[path_key]
            copy = target.parent / f"{target.stem}-files" / source.name
            if copy.exists() or any(c == copy for _, c in copies):
                raise Abort(f"{copy}: 已有同名文件，没有覆盖；请把附件改名后再试", 1)
            copies.append((source, copy))
            record[path_key] = copy.relative_to(content_root).as_posix()
    return copies


def main(argv=None) -> int:
    parser = build_parser()
    args = vars(parser.parse_args(argv))
    conf = settings_mod.load()
    content_root = Path(args.pop("content") or settings_mod.ROOT / "content")
    file_name, no_input = args.pop("file"), args.pop("no_input")
    interactive = not no_input
    docs = read_tree(content_root, conf) if content_root.is_dir() else []
    asker = Asker(interactive, conf, docs=docs)
    today = settings_mod.asof(conf).date()
    try:
        doc_type = args.get("type")
        type_prop = schema.properties("policy")["type"]
        if doc_type is None:
            doc_type = asker.ask("type", type_prop)
        else:
            try:
                doc_type = coerce(type_prop, doc_type, conf)
            except ValueError as err:
                raise Abort(f"信息类型 (type) — {err}") from None
        values = collect(doc_type, args, asker, conf, today)
        year = date.fromisoformat(values["date"]).year
        if args.get("index_no"):
            values["index_no"] = coerce(schema.properties(doc_type)["index_no"], args["index_no"], conf)
        else:
            values["index_no"] = next_index_no(conf["GONGKAI_ORG_CODE"], year, content_root, conf, docs=docs)
        name = file_name or f"{values['index_no'].rsplit('/', 1)[1]}.md"
        if not name.endswith(".md"):
            name += ".md"
        target = content_root / doc_type / name
        if target.exists():
            raise Abort(f"{target}: 文件已存在，没有覆盖；请用 --file 换一个文件名", 1)
        copies = place_files(doc_type, values, target, content_root)
        text = front_matter(doc_type, values) + body_skeleton(doc_type, values)
        problems = check_written(target, text, content_root, conf)
        if any(p.is_error for p in problems):
            for p in problems:
                print(f"{target}:{p.line}: {str(p).split(': ', 1)[1] if ': ' in str(p) else p}", file=sys.stderr)
            raise Abort("以上问题需要先改正；文件没有写入", 1)
        target.parent.mkdir(parents=True, exist_ok=True)
        for source, copy in copies:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
        with open(target, "x", encoding="utf-8") as fh:   # "x": never overwrite, even in a race
            fh.write(text)
    except Abort as err:
        print(str(err), file=sys.stderr)
        return err.status
    except FileExistsError:
        print(f"{target}: 文件已存在，没有覆盖；请用 --file 换一个文件名", file=sys.stderr)
        return 1
    rel = target.relative_to(settings_mod.ROOT) if target.resolve().is_relative_to(settings_mod.ROOT) else target
    print(f"已新建 {rel}（索引号 {values['index_no']}）。")
    for _, copy in copies:
        print(f"已复制附件 {copy.relative_to(content_root.parent) if copy.is_relative_to(content_root.parent) else copy}")
    print("下一步：打开文件，把正文中带【待填写】的内容写好，然后运行 make check。")
    if review_pending(values):
        print("保密审查 (review) 还没有填写：审查通过后由审查人填写审查结论、审查人和审查日期（条例第十七条），"
              "在此之前 make check 不会通过。")
    return 0


