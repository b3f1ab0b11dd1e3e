"""What a budget page shows: its facts, each table's rows and chart, and the
changes against the same department's previous year. Values only: the build
renders them (theme/templates/budget.html)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from gongkai.core import charts, schema
from gongkai.core.budget.checks import load
from gongkai.core.budget.tables import (
    NUMERIC_ROLES,
    YEAR_RE,
    Table,
    normalize_label,
    sangong_key,
)
from gongkai.core.model import file_stamp
from gongkai.core.present import display, human_size


def facts(doc) -> list:
    """Jinja filter budget_facts: [(label, value)] for the budget section's plain
    fields (预决算年度, 预决算类别, 部门); the tables and the note show beside the tables."""
    rows = []
    for key in schema.section_fields("budget", "budget"):
        value = doc.meta.get(key)
        if key in ("tables", "as_published_note") or value in (None, ""):
            continue
        shown = f"{value}年" if key == "fiscal_year" and isinstance(value, int) else display("budget", key, value)
        rows.append((schema.field_label(key, "budget"), shown))
    return rows


def _year_key(doc, year):
    return (normalize_label(doc.meta.get("department")), doc.meta.get("budget_kind"), year)


def year_index(docs) -> dict:
    """(department, kind, fiscal_year) -> document, built once for a whole site."""
    return {_year_key(d, d.meta.get("fiscal_year")): d for d in docs
            if d.type == "budget" and isinstance(d.meta.get("fiscal_year"), int)}


def previous_year(doc, by_year: dict):
    """The same department's document of the same kind for fiscal_year - 1, if any."""
    year = doc.meta.get("fiscal_year")
    if not isinstance(year, int):
        return None
    other = by_year.get(_year_key(doc, year - 1))
    return other if other is not doc else None


def figures(table: Table) -> list:
    """[(key, label, Decimal)]: what a table states as its headline numbers, in
    table order; used for the chart and the year-on-year comparison."""
    out = []
    if not table.ok:
        return out
    if table.chart_mode == "columns":
        total = table.total_row
        if total is None:
            return out
        for col in table.amount_cols:
            if col == table.total_col and len(table.amount_cols) > 1:
                continue
            value = total.cells[col].value
            if value is not None:
                name = table.header[col]
                key = sangong_key(name) or normalize_label(YEAR_RE.sub("", name))
                out.append((key, name, value, total.cells[col].text))
        return out
    col = table.primary_col
    if col is None or table.chart_mode == "none":
        return out
    for row in table.rows:
        if row.kind == "line" and row.cells[col].value is not None:
            key = (sangong_key(row.label) if table.kind == "sangong" else None) or normalize_label(row.label)
            out.append((key, row.label, row.cells[col].value, row.cells[col].text))
    return out


def headline(table: Table) -> list:
    """Every row's figure in the primary column (total, lines, 其中 rows): what year-on-year compares."""
    col = table.primary_col
    if table.chart_mode == "columns" or col is None or not table.ok:
        return figures(table)
    out = []
    for row in table.rows:   # in table order: total, lines and their 其中 rows
        if row.cells[col].value is None:
            continue
        key = "__total__" if row.kind == "total" else (
            (sangong_key(row.label) if table.kind == "sangong" else None) or normalize_label(row.label))
        out.append((key, row.label, row.cells[col].value, row.cells[col].text))
    return out


@dataclass
class Change:
    label: str
    previous: Decimal
    current: Decimal

    @property
    def change(self) -> Decimal:
        return self.current - self.previous

    @property
    def percent(self) -> str:
        if self.previous == 0:
            return "—"
        return f"{(self.change / self.previous * 100):+.2f}%"


def year_on_year(tables: list, prev_tables: list) -> list:
    """[(table, [Change])] for each table whose kind the previous year also has."""
    out = []
    for table in tables:
        prev = next((p for p in prev_tables if p.kind == table.kind and p.ok), None)
        if prev is None or not table.ok:
            continue
        before = {key: value for key, _label, value, _text in headline(prev)}
        changes = [Change(label, before[key], value) for key, label, value, _text in headline(table) if key in before]
        if changes:
            out.append((table, changes))
    return out


@dataclass
class TableView:
    """What budget.html shows for one table: all values computed here."""
    table: Table
    anchor: str
    caption: str
    header: list                # [(text, css modifier)]
    rows: list                  # [(kind, label, [(text, css modifier)])]: the body rows
    chart: object               # markupsafe.Markup from charts.render_bar_chart, or ""
    chart_text: str
    csv_path: str               # relative to the content root: budget/x.csv
    xlsx_path: str
    csv_size: str
    rows_html: str = ""         # the rows drawn by components/budget_rows.html, set by the build
    changes: list = field(default_factory=list)   # [Change] against the previous year
    mismatches: list = field(default_factory=list)
    csv_url: str = ""           # set by plugins/budgets from STATIC_URL
    xlsx_url: str = ""
    xlsx_save_as: str = ""


def _cell_modifier(role: str) -> str:
    return "numeric" if role in NUMERIC_ROLES else "text"


def table_view(doc, table: Table, content_root: Path) -> TableView | None:
    if not table.ok:
        return None
    anchor = f"gk-budget-table-{table.index + 1}"
    roles = table.roles
    label_col = table.label_col
    rows = []
    for row in table.rows:
        cells = [(c.text, _cell_modifier(c.role)) for i, c in enumerate(row.cells) if i != label_col]
        rows.append((row.kind, row.label, cells))
    header = [(table.header[label_col], "text")] + [
        (h, _cell_modifier(r)) for i, (h, r) in enumerate(zip(table.header, roles)) if i != label_col]
    bars = [charts.Bar(label, value, text) for _key, label, value, text in figures(table)]
    chart_title = table.title
    chart = charts.render_bar_chart(f"{anchor}-chart", chart_title, bars, table.unit) if bars else ""
    rel = Path(table.source).resolve().relative_to(Path(content_root).resolve()).as_posix()
    return TableView(table=table, anchor=anchor, caption=f"{table.title}（单位：{table.unit}）",
                     header=header, rows=rows, chart=chart,
                     chart_text=charts.text_alternative(chart_title, bars, table.unit) if bars else "",
                     csv_path=rel, xlsx_path=rel[:-4] + ".xlsx",
                     csv_size=human_size(table.source.stat().st_size),
                     mismatches=list(table.mismatches))


@dataclass
class BudgetPage:
    tables: list                # [TableView]
    previous: object = None     # the previous year's Document, when there is one
    note: str = ""              # as_published_note
    previous_article: object = None   # set by plugins/budgets: the page to link to


def table_views(doc, tables: list, content_root: Path) -> list:
    """The views of a document's own tables (no other document needed), kept on
    it (doc.derived) with the files they show; shallow copies, since the build
    adds addresses and year-on-year changes to them."""
    key = (str(content_root), tuple((t.index, repr(t.spec), file_stamp(t.source) if t.source else None)
                                    for t in tables))
    kept = doc.derived.get("views")
    if kept is None or kept[0] != key:
        kept = doc.derive("views", (key, [v for v in (table_view(doc, t, content_root) for t in tables)
                                          if v is not None]))
    return [dataclasses.replace(v) for v in kept[1]]


def page_view(doc, by_year: dict, content_root: Path) -> BudgetPage:
    """by_year: year_index() of the site's documents."""
    tables = load(doc)
    views = table_views(doc, tables, content_root)
    prev = previous_year(doc, by_year)
    if prev is not None:
        by_index = {t.index: changes for t, changes in year_on_year(tables, load(prev))}
        for v in views:
            v.changes = by_index.get(v.table.index, [])
    return BudgetPage(tables=views, previous=prev, note=doc.meta.get("as_published_note") or "")
