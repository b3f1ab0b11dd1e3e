"""Convert pages saved from the old portal into Markdown documents.

    python scripts/import_html.py 旧网站/政府文件/ --type policy
    python scripts/import_html.py page.html --type solicitation --out content/solicitation

Each page becomes content/<type>/<page name>.md. What the page does not say
is written as a 【待核实】 value, listed file by file at the end; make check
reports those fields until someone fills them in. What the importer cleaned
in the body is listed too, and a page that looks like a document already in
content/ (same 发文字号, 索引号 or title) is pointed out. A folder is imported
in one run and ends with a summary table. Existing files are never
overwritten. Exit status: 0 when every page was imported, 1 otherwise."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from gongkai.commands import importer
from gongkai.core import schema
from gongkai.core import settings as settings_mod
from gongkai.core.corpus import read_tree
from gongkai.core.index_no import next_index_no

SUFFIXES = {".html", ".htm", ".shtml", ".txt"}


def sources(paths) -> list:
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


class Known:
    """Documents already in the content tree (and those imported in this run), by
    发文字号, 索引号 and title without spaces: to say when a page is one of them."""

    KEYS = (("doc_no", "发文字号"), ("index_no", "索引号"), ("title", "标题"))

    def __init__(self, docs):
        self.seen = {key: {} for key, _ in self.KEYS}
        for doc in docs:
            self.add(doc.path, {key: doc.meta.get(key) for key, _ in self.KEYS})

    @staticmethod
    def _norm(key, value):
        if not isinstance(value, str) or not value or value.startswith("【"):
            return None
        return importer._flat(value) if key == "title" else value

    def add(self, where: str, values: dict):
        for key, _ in self.KEYS:
            value = self._norm(key, values.get(key))
            if value:
                self.seen[key].setdefault(value, where)

    def matches(self, values: dict) -> list:
        """[(where, what is the same)]"""
        found = {}
        for key, label in self.KEYS:
            value = self._norm(key, values.get(key))
            if value and value in self.seen[key]:
                found.setdefault(self.seen[key][value], []).append(label)
        return [(where, "、".join(labels)) for where, labels in found.items()]


def shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(settings_mod.ROOT))
    except ValueError:
        return str(path)


def summary_table(rows: list) -> list:
    """The folder's results, one row a page (Markdown table, readable in a terminal)."""
    lines = [f"汇总（{len(rows)} 个页面）：", "| 原页面 | 导入为 | 待核实 | 已清理 | 注意 |", "|---|---|---|---|---|"]
    for source, target, marked, cleaned, notes in rows:
        lines.append(f"| {source} | {target} | {marked} | {cleaned} | {notes} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="把旧网站保存下来的页面（HTML 或文本）转换为带元数据的 Markdown 文件。")
    parser.add_argument("paths", nargs="+", metavar="文件或文件夹")
    parser.add_argument("--type", default="policy", choices=schema.TYPES,
                        help="信息类型（默认 policy）：" + "、".join(
                            f"{t}={schema.enum_title('common', 'type', t)}" for t in schema.TYPES))
    parser.add_argument("--out", default=None, help="写入的文件夹（默认 content/<类型>/）")
    parser.add_argument("--content", default=None, help="内容目录（默认 content/）")
    parser.add_argument("--assign-index-no", action="store_true",
                        help="原页面没有可用的索引号时，按发布日期的年份分配下一个空闲索引号（GONGKAI_ORG_CODE）")
    args = parser.parse_args(argv)
    conf = settings_mod.load()
    content_root = Path(args.content) if args.content else settings_mod.ROOT / "content"
    out_dir = Path(args.out) if args.out else content_root / args.type
    files = sources(args.paths)
    if not files:
        print("没有找到要导入的文件（.html、.htm、.shtml、.txt）；请检查路径", file=sys.stderr)
        return 1
    docs = read_tree(content_root, conf) if content_root.is_dir() else []
    known = Known(docs)
    report, failed, marked, assigned, rows = [], 0, 0, [], []
    for source in files:
        if not source.is_file():
            report.append([f"{source}: 找不到文件；请检查路径"])
            rows.append((source.name, "没有导入：找不到文件", "", "", ""))
            failed += 1
            continue
        try:
            imp = importer.extract(source)
            page_values = {**imp.values, "index_no": imp.values.get("_page_index_no")}
            for where, same in known.matches(page_values):
                imp.notes.append(f"内容目录中可能已有这份文件：{where}（{same}相同）；请确认不是重复导入")
            if args.assign_index_no and "date" in imp.values:
                page_index = imp.values.get("_page_index_no")

                if not (page_index and re.match(conf["GONGKAI_INDEX_NO_PATTERN"], page_index)):
                    year = int(imp.values["date"][:4])
                    number = next_index_no(conf["GONGKAI_ORG_CODE"], year, content_root, conf, docs=docs,
                                           taken=assigned)
                    assigned.append(number)
                    imp.values["index_no"] = number
                    imp.origins["index_no"] = "按 GONGKAI_ORG_CODE 分配"
                    if page_index:
                        imp.notes.append(f"原页面索引号 {page_index} 不符合本站格式，已改用 {number}")
            target = importer.write(imp, args.type, out_dir, content_root, conf)
        except FileExistsError as err:
            report.append([f"{err}: 文件已存在，没有覆盖；请先改名或删除旧文件"])
            rows.append((source.name, "没有导入：文件已存在", "", "", ""))
            failed += 1
            continue
        except Exception as exc:  # noqa: BLE001 — shown to staff as 内部错误 naming the file
            report.append([f"{source}: 内部错误：{type(exc).__name__}: {exc}；请把这一行告诉技术人员"])
            rows.append((source.name, "没有导入：内部错误", "", "", ""))
            failed += 1
            continue
        marked += len(imp.review)
        shown = shown_path(target)
        known.add(shown, {**imp.values, "index_no": imp.values.get("index_no") or page_values["index_no"]})
        report.append(importer.summary_lines(imp, shown, args.type))
        rows.append((source.name, shown, len(imp.review), len(imp.changes), len(imp.notes)))
    print("导入结果：")
    for lines in report:
        print("\n".join(lines))
    if len(files) > 1:
        print("\n".join(summary_table(rows)))
    done = len(files) - failed
    print(f"共导入 {done} 个文件，{marked} 项待核实" + (f"，{failed} 个文件没有导入" if failed else "") + "。")
    if marked:
        print("请把带【待核实】的字段改为正确的值（make check 会逐项列出），然后运行 make check。")
    return 1 if failed else 0


