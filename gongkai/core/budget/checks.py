"""A budget document's checks beyond its tables: the year the tables name,
the tables each kind of disclosure must have, every table's problems."""
from __future__ import annotations

from gongkai.core.budget.tables import (
    REQUIRED,
    SANGONG_LINES,
    YEAR_RE,
    Table,
    _problem,
    read_table,
    sangong_key,
)
from gongkai.core.problems import Problem


def _check_year(doc, table: Table) -> list:
    """Years named in the table's title and header must include fiscal_year."""
    year = doc.meta.get("fiscal_year")
    if not isinstance(year, int):
        return []
    out = []
    title_years = {int(y) for y in YEAR_RE.findall(table.title)}
    if title_years and year not in title_years:
        out.append(_problem(doc.path, doc.line_of(f"tables[{table.index}].title"), f"tables[{table.index}].title",
                            "budget_year_mismatch", value=table.title, found="、".join(map(str, sorted(title_years))),
                            year=year))
    header_years = {}
    for col, name in enumerate(table.header):
        for y in YEAR_RE.findall(name):
            header_years.setdefault(int(y), col)
    if header_years and year not in header_years:
        col = min(header_years.values())
        out.append(_problem(table.path, 1, table.header[col], "budget_year_mismatch", value=table.header[col],
                            found="、".join(map(str, sorted(header_years))), year=year))
    return out


def _sangong_found(table: Table) -> set:
    """Which of the three lines a table carries: as rows (sangong) or as columns (units)."""
    found = set()
    if table.kind == "sangong":
        found = {sangong_key(r.label) for r in table.rows if r.kind == "line"}
    elif table.kind == "units":
        found = {sangong_key(h) for h, role in zip(table.header, table.roles) if role == "amount"}
    return found - {None}


def check_required(doc, tables: list) -> list:
    kind = doc.meta.get("budget_kind")
    needed = REQUIRED.get(kind)
    if needed is None:
        return []
    line = doc.line_of("tables")
    kind_title = {"budget": "预算", "final": "决算", "sangong_budget": "三公经费预算", "sangong_final": "三公经费决算"}[kind]
    if needed == "summary":
        if not any(t.kind == "summary" for t in tables):
            return [_problem(doc.path, line, "tables", "budget_table_required", kind=kind_title,
                             need="summary（收支总表）")]
        return []
    candidates = [t for t in tables if t.kind in ("sangong", "units")]
    if not candidates:
        return [_problem(doc.path, line, "tables", "budget_table_required", kind=kind_title,
                         need="sangong（三公经费表）")]
    readable = [t for t in candidates if t.ok]
    if not readable:
        return []  # the reading problem is already reported
    best = max(readable, key=lambda t: len(_sangong_found(t)))
    missing = [name for key, name, _ in SANGONG_LINES if key not in _sangong_found(best)]
    if missing:
        return [Problem(best.path, 1, None, "budget_sangong_lines",
                        {"missing": "、".join(missing), "title": best.title})]
    return []


def load(doc) -> list:
    """The document's tables, read and checked (problems on each table)."""
    out = []
    for i, spec in enumerate(doc.meta.get("tables") or []):
        if not isinstance(spec, dict):
            continue
        table = read_table(doc, i, spec)
        if table.header:
            table.problems.extend(_check_year(doc, table))
        out.append(table)
    return out


def document_problems(doc) -> list:
    tables = load(doc)
    return [p for t in tables for p in t.problems] + check_required(doc, tables)


# --- across documents --------------------------------------------------------

def check_budgets(docs, index, ctx):
    """CORPUS_CHECKS entry: every budget document's tables."""
    for doc in docs:
        if doc.type == "budget" and doc.is_valid:
            yield from document_problems(doc)


# --- values for the page -------------------------------------------------------
