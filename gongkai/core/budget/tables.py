"""Budget tables (财政预决算), one CSV file each: read once into typed rows
with Decimal amounts and checked against what the front-matter declares
(metadata_schema/budget.yaml: columns, total_row, total_column, subrows).

Nothing here guesses silently: a row that looks like a total but is not
declared, a column whose cells are not numbers, a total that does not add
up — each becomes a Problem naming the CSV file, its line and its column.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from gongkai.core.boundary import merge_conflict_line, resolve_inside
from gongkai.core.model import relpath
from gongkai.core.problems import ERROR, WARNING, Problem
from gongkai.core.settings import ROOT

ROLES = ("label", "amount", "number", "percent", "text")
NUMERIC_ROLES = ("amount", "number", "percent")
HALF_CENT = Decimal("0.005")
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
SUBROW_RE = re.compile(r"^\s*其中\s*[：:、,，]?\s*")
TOTAL_WORDS = ("合计", "总计")
AMOUNT_RE = re.compile(r"^[-−－]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
PERCENT_RE = re.compile(r"^[-−－]?\d+(\.\d+)?\s*[%％]$")

# The three lines every 三公经费 disclosure has, with the spellings real tables use:
# 因公出国(境)费 / 因公出国（境）费 / 出国境经费控制数 / 出国（境）经费 ...
SANGONG_LINES = (
    ("abroad", "因公出国（境）费", re.compile(r"出国")),
    ("vehicles", "公务用车购置及运行费", re.compile(r"公务用车|车辆")),
    ("reception", "公务接待费", re.compile(r"接待")),
)
# What each budget_kind needs: a table of this kind (and, for 三公, the three lines).
REQUIRED = {"budget": "summary", "final": "summary", "sangong_budget": "sangong", "sangong_final": "sangong"}


class Cell(NamedTuple):
    """A tuple, not an object: a budget table has thousands of cells, and the
    content cache reads tuples about eight times faster."""
    text: str                   # as published, stripped
    role: str
    value: Decimal | None = None


@dataclass
class Row:
    line: int                   # line in the CSV file (the header is line 1)
    cells: list
    label: str
    kind: str = "line"          # line / total / sub
    parent: int | None = None   # index of the row a 其中 row breaks down


@dataclass
class Mismatch:
    """A sum that does not add up: shown beside the table when published as is."""
    where: str                  # Chinese description: 合计行“合计”的“公务接待费控制数”
    stated: Decimal
    computed: Decimal

    @property
    def difference(self) -> Decimal:
        return self.stated - self.computed


@dataclass
class Table:
    index: int                  # position in the front-matter list
    spec: dict                  # the front-matter entry
    path: str                   # repository-relative CSV path
    source: Path | None = None
    header: list = field(default_factory=list)
    roles: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    mismatches: list = field(default_factory=list)
    bad: set = field(default_factory=set)   # (line, col) of cells that did not parse

    @property
    def title(self) -> str:
        return self.spec.get("title", "")

    @property
    def kind(self) -> str:
        return self.spec.get("kind", "other")

    @property
    def unit(self) -> str:
        return self.spec.get("unit") or "万元"

    @property
    def label_col(self) -> int:
        return self.roles.index("label") if "label" in self.roles else 0

    @property
    def amount_cols(self) -> list:
        return [i for i, r in enumerate(self.roles) if r == "amount"]

    @property
    def primary_col(self) -> int | None:
        """The first amount column other than the total column: what a chart of rows draws."""
        total = self.total_col
        cols = [i for i in self.amount_cols if i != total] or self.amount_cols
        return cols[0] if cols else None

    @property
    def total_col(self) -> int | None:
        name = self.spec.get("total_column")
        return self.header.index(name) if name in self.header else None

    @property
    def total_row(self) -> Row | None:
        return next((r for r in self.rows if r.kind == "total"), None)

    @property
    def lines(self) -> list:
        return [r for r in self.rows if r.kind == "line"]

    @property
    def chart_mode(self) -> str:
        mode = self.spec.get("chart")
        if mode:
            return mode
        if len(self.lines) <= 30:
            return "rows"
        return "columns" if self.total_row is not None else "none"

    @property
    def ok(self) -> bool:
        return bool(self.header) and not any(p.code in _UNREADABLE for p in self.problems)

    def __reduce__(self):
        # Pickled rows as plain tuples of strings: a cell pickled as a named
        # tuple with a Decimal costs Python calls each way, and a 10,000-document
        # site has over a million cells in its content cache (and in what the
        # prepare workers send back).
        rows = [(r.line, r.label, r.kind, r.parent, tuple(c.text for c in r.cells),
                 tuple(None if c.value is None else str(c.value) for c in r.cells)) for r in self.rows]
        state = {k: v for k, v in self.__dict__.items() if k != "rows"}
        return _unpack_table, (state, rows)


def _unpack_table(state: dict, rows: list) -> Table:
    table = Table.__new__(Table)
    table.__dict__.update(state)
    roles, make = table.roles, tuple.__new__  # Cell(...) without its Python-level __new__
    table.rows = [Row(line, [make(Cell, (t, role, v if v is None else Decimal(v))) for t, role, v in zip(texts, roles, values)],
                      label, kind, parent)
                  for line, label, kind, parent, texts, values in rows]
    return table


_UNREADABLE = {"budget_csv_missing", "budget_csv_encoding", "budget_csv_empty", "budget_columns"}


def normalize_label(text: str) -> str:
    """Compare labels across spellings: drop spaces, quotes and brackets of both widths."""
    return re.sub(r"[\s“”\"'‘’()（）\[\]【】]", "", text or "")


def sangong_key(label: str) -> str | None:
    if SUBROW_RE.match(label or ""):
        return None
    for key, _name, pattern in SANGONG_LINES:
        if pattern.search(label or ""):
            return key
    return None


def parse_number(text: str, role: str) -> Decimal | None:
    """'2,793.77' -> Decimal('2793.77'); '' -> None; '-12.98%' -> Decimal('-12.98').
    Raises ValueError for anything else."""
    text = (text or "").strip()
    if text in ("", "-", "—", "－"):
        return None
    sign = -1 if text[0] in "-−－" else 1
    if role == "percent":
        if not PERCENT_RE.match(text):
            raise ValueError(text)
        body = text.lstrip("-−－").rstrip("%％").strip()
    else:
        if not AMOUNT_RE.match(text):
            raise ValueError(text)
        body = text.lstrip("-−－").replace(",", "")
    try:
        return sign * Decimal(body)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def fmt(value: Decimal | None) -> str:
    """A Decimal as the public reads it: thousands separators, two decimals."""
    return "" if value is None else f"{value:,.2f}"


def money(value: Decimal | None, signed: bool = False) -> str:
    """Jinja filter: 1234.5 -> '1,234.50'; signed=True adds + to increases."""
    if value is None:
        return ""
    return f"{value:+,.2f}" if signed else f"{value:,.2f}"


def _problem(path, line, field, code, severity=ERROR, **params):
    return Problem(path, line, field, code, params, severity)


def column_roles(spec: dict, header: list) -> list:
    """Each header column's role as the table entry declares it (text when it
    does not); without a columns mapping, the first column is the label and
    the others amounts. The privacy scan reads CSV files by these roles too."""
    spec_cols = spec.get("columns")
    if not isinstance(spec_cols, dict):
        return ["label"] + ["amount"] * (len(header) - 1)
    return [spec_cols.get(name) or "text" for name in header]


def _roles(table: Table, doc) -> list:
    spec_cols = table.spec.get("columns")
    header = table.header
    md_line = doc.line_of(f"tables[{table.index}].columns")
    roles = column_roles(table.spec, header)
    if not isinstance(spec_cols, dict):
        return roles
    for i, name in enumerate(header):
        if spec_cols.get(name) is None:
            table.problems.append(_problem(table.path, 1, name, "budget_column_undeclared", col=i + 1,
                                           md=doc.path, md_line=md_line, index=table.index))
    for name in spec_cols:
        if name not in header:
            field_path = f"tables[{table.index}].columns"
            table.problems.append(_problem(doc.path, doc.line_of(f"{field_path}.{name}"), field_path,
                                           "budget_column_missing", name=name, file=table.spec.get("file"),
                                           header="、".join(header)))
    if roles.count("label") != 1:
        table.problems.append(_problem(doc.path, md_line, f"tables[{table.index}].columns", "budget_columns",
                                       count=roles.count("label")))
    return roles


def _read_csv(table: Table, doc) -> list | None:
    md_line = doc.line_of(f"tables[{table.index}].file")
    field_path = f"tables[{table.index}].file"
    if table.source is None or not table.source.is_file():
        table.problems.append(_problem(doc.path, md_line, field_path, "budget_csv_missing",
                                       value=table.spec.get("file"), folder=str(Path(doc.path).parent)))
        return None
    data = table.source.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        table.problems.append(_problem(table.path, line, None, "budget_csv_encoding", line=line))
        return None
    conflict = merge_conflict_line(text)
    if conflict is not None:
        table.problems.append(_problem(table.path, conflict, None, "unresolved_merge", row=conflict))
        return None
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n")))
    out = []
    for record in reader:
        out.append((reader.line_num, [c.strip() for c in record]))
    out = [(n, r) for n, r in out if any(r)]
    if len(out) < 2:
        table.problems.append(_problem(table.path, 1, None, "budget_csv_empty"))
        return None
    return out


def read_table(doc, index: int, spec: dict) -> Table:
    """One declared table, read once: the check and the page both ask for it.
    Kept on the document (doc.derived, which Pelican's content cache keeps) by
    the entry and the file's size and mtime, so an edited CSV is read again."""
    folder = (ROOT / doc.path).parent  # doc.path is repository-relative, or absolute outside it
    name = spec.get("file") if isinstance(spec.get("file"), str) else ""
    source = (folder / name) if name else None
    if name and doc.root:
        resolved, why = resolve_inside(Path(doc.root), folder, name)
        if why in ("outside", "not_regular"):  # the validator reports it (path_outside, attachment_not_regular)
            return Table(index=index, spec=spec, path=doc.path)
    try:
        stamp = source.stat() if source else None
        key = (index, repr(spec), stamp and (stamp.st_size, stamp.st_mtime_ns))
    except OSError:
        key = None
    memo = doc.derived.get("tables", {})
    if key is None or key not in memo:
        table = _read_table(doc, index, spec, source)
        if key is None:
            return table
        # the other tables' entries stay; this table's older entries (its CSV changed) go
        memo = {k: v for k, v in memo.items() if k[0] != index}
        memo[key] = table
        doc.derive("tables", memo)
    cached = memo[key]
    return dataclasses.replace(cached, problems=list(cached.problems))


def _read_table(doc, index: int, spec: dict, source: Path | None) -> Table:
    """One declared table: read, typed and checked. Problems are on the table."""
    table = Table(index=index, spec=spec, path=relpath(source) if source else doc.path, source=source)
    records = _read_csv(table, doc)
    if records is None:
        return table
    (_, table.header), body = records[0], records[1:]
    table.roles = _roles(table, doc)
    if any(p.code == "budget_columns" for p in table.problems):
        return table
    width = len(table.header)
    total_name = spec.get("total_row")
    label_col = table.label_col
    parent = None
    for line, record in body:
        if len(record) != width:
            table.problems.append(_problem(table.path, line, None, "budget_row_length",
                                           found=len(record), expected=width, header="、".join(table.header)))
            record = (record + [""] * width)[:width]
        cells = []
        for col, (text, role) in enumerate(zip(record, table.roles)):
            value = None
            if role in NUMERIC_ROLES:
                try:
                    value = parse_number(text, role)
                except ValueError:
                    table.bad.add((line, col))
            cells.append(Cell(text, role, value))
        label = record[label_col]
        row = Row(line=line, cells=cells, label=label)
        if total_name and normalize_label(label) == normalize_label(total_name):
            row.kind = "total"
        elif SUBROW_RE.match(label):
            row.kind, row.parent = "sub", parent
        else:
            if any(w in label for w in TOTAL_WORDS):
                table.problems.append(_problem(table.path, line, table.header[label_col], "budget_total_undeclared",
                                               value=label, index=table.index))
            parent = len(table.rows)
        table.rows.append(row)
    _report_bad_numbers(table)
    if total_name and table.total_row is None:
        table.problems.append(_problem(doc.path, doc.line_of(f"tables[{table.index}].total_row"),
                                       f"tables[{table.index}].total_row", "budget_total_row_missing",
                                       value=total_name, file=spec.get("file")))
    if spec.get("total_column") and table.total_col is None:
        table.problems.append(_problem(doc.path, doc.line_of(f"tables[{table.index}].total_column"),
                                       f"tables[{table.index}].total_column", "budget_total_column_missing",
                                       value=spec["total_column"], file=spec.get("file"), header="、".join(table.header)))
    _check_sums(table, doc)
    return table


def _report_bad_numbers(table: Table) -> None:
    """One problem per column, at its first bad cell; the others are counted in it."""
    by_col: dict = {}
    for line, col in sorted(table.bad):
        by_col.setdefault(col, []).append(line)
    for col, lines in sorted(by_col.items()):
        line = lines[0]
        text = next(r.cells[col].text for r in table.rows if r.line == line)
        more = f"（这一列另有 {len(lines) - 1} 格也不是数字：第 {'、'.join(map(str, lines[1:6]))}{' 等' if len(lines) > 6 else ''} 行）" if len(lines) > 1 else ""
        table.problems.append(_problem(table.path, line, table.header[col], "budget_number", value=text, row=line,
                                       col=col + 1, unit=table.unit, role_hint=_ROLE_HINT[table.roles[col]],
                                       more=more))


_ROLE_HINT = {"amount": "金额应写作 1337.46 或 2,793.77", "number": "应写作数字，例如 441",
              "percent": "百分比应写作 -12.98%"}


def _value(cell: Cell) -> Decimal:
    return cell.value if cell.value is not None else Decimal(0)


def _check_sums(table: Table, doc) -> None:
    """Totals equal the sum of their lines, to the cent. With as_published_note a
    mismatch is a warning (and shown beside the table); without it, an error."""
    noted = bool(doc.meta.get("as_published_note"))
    severity = WARNING if noted else ERROR
    code_suffix = "_noted" if noted else ""
    bad = table.bad

    def report(row, col, stated, computed, code, where, **extra):
        table.mismatches.append(Mismatch(where, stated, computed))
        table.problems.append(_problem(table.path, row.line, table.header[col], code + code_suffix, severity,
                                       stated=fmt(stated), computed=fmt(computed),
                                       diff=fmt(stated - computed), row=row.line, col=col + 1,
                                       label=row.label, index=table.index, **extra))

    total = table.total_row
    if total is not None:
        for col in table.amount_cols:
            if (total.line, col) in bad or total.cells[col].value is None:
                continue
            if any((r.line, col) in bad for r in table.lines):
                continue
            computed = sum((_value(r.cells[col]) for r in table.lines), Decimal(0))
            stated = total.cells[col].value
            if abs(stated - computed) >= HALF_CENT:
                report(total, col, stated, computed, "budget_total_mismatch",
                       f"合计行“{total.label}”的“{table.header[col]}”", count=len(table.lines))
    tcol = table.total_col
    if tcol is not None:
        parts = [c for c in table.amount_cols if c != tcol]
        for row in table.rows:
            if row.cells[tcol].value is None or any((row.line, c) in bad for c in parts + [tcol]):
                continue
            computed = sum((_value(row.cells[c]) for c in parts), Decimal(0))
            if abs(row.cells[tcol].value - computed) >= HALF_CENT:
                report(row, tcol, row.cells[tcol].value, computed, "budget_total_column_mismatch",
                       f"“{row.label}”一行的“{table.header[tcol]}”",
                       parts="、".join(table.header[c] for c in parts))
    if table.spec.get("subrows") == "breakdown":
        groups: dict = {}
        for row in table.rows:
            if row.kind == "sub" and row.parent is not None:
                groups.setdefault(row.parent, []).append(row)
        for parent_i, subs in groups.items():
            parent = table.rows[parent_i]
            for col in table.amount_cols:
                if parent.cells[col].value is None or any((r.line, col) in bad for r in subs + [parent]):
                    continue
                computed = sum((_value(r.cells[col]) for r in subs), Decimal(0))
                if abs(parent.cells[col].value - computed) >= HALF_CENT:
                    report(parent, col, parent.cells[col].value, computed, "budget_subrows_mismatch",
                           f"“{parent.label}”的“{table.header[col]}”", count=len(subs))
