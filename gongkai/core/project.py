"""Major projects (重大建设项目): stage checks and the values the project page
and listing show. The stage names and their order come from the schema
(metadata_schema/project.yaml, stages.items.stage.enum): 立项 → 批复 → 招标 →
开工 → 建设进展 (may repeat) → 竣工 → 验收.

A stage naming a document that does not exist is reported by the core
reference check (every x-reference field, stages[i].documents[j] included);
an investment that is not a number by the schema (type: number)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gongkai.core import schema
from gongkai.core.problems import Problem

REPEATABLE = {"progress"}


def stage_enum() -> list:
    return schema.properties("project")["stages"]["items"]["properties"]["stage"]["enum"]


def stage_titles() -> dict:
    return schema.properties("project")["stages"]["items"]["properties"]["stage"]["enumTitles"]


def _stages(doc):
    return [(i, s) for i, s in enumerate(doc.meta.get("stages") or []) if isinstance(s, dict)]


def check_project(doc) -> list:
    out = []
    order = {name: n for n, name in enumerate(stage_enum())}
    titles = stage_titles()
    prev = None
    for i, stage in _stages(doc):
        name, when = stage.get("stage"), stage.get("date")
        if prev is not None:
            p_i, p_stage = prev
            p_name, p_when = p_stage.get("stage"), p_stage.get("date")
            if isinstance(when, date) and isinstance(p_when, date) and when < p_when:
                out.append(Problem(doc.path, doc.line_of(f"stages[{i}].date"), f"stages[{i}].date",
                                   "project_stage_date_order",
                                   {"value": when.isoformat(), "stage": titles.get(name, name),
                                    "previous": titles.get(p_name, p_name), "previous_date": p_when.isoformat()}))
            if name in order and p_name in order and (
                    order[name] < order[p_name] or (name == p_name and name not in REPEATABLE)):
                out.append(Problem(doc.path, doc.line_of(f"stages[{i}].stage"), f"stages[{i}].stage",
                                   "project_stage_sequence",
                                   {"value": titles.get(name, name), "previous": titles.get(p_name, p_name),
                                    "order": "、".join(titles[s] for s in stage_enum())}))
        prev = (i, stage)
    return out


def check_projects(docs, index, ctx):
    """CORPUS_CHECKS entry."""
    for doc in docs:
        if doc.type == "project" and doc.is_valid:
            yield from check_project(doc)


# --- values for the pages ----------------------------------------------------

@dataclass
class StageView:
    stage: str
    title: str
    date: date | None
    note: str
    documents: list          # index_no values; the plugin resolves them to pages
    state: str               # done / current / upcoming


def current_index(doc, today: date) -> int | None:
    """The last stage whose date has come (stages are checked to be in order)."""
    current = None
    for n, (_i, stage) in enumerate(_stages(doc)):
        when = stage.get("date")
        if isinstance(when, date) and when <= today:
            current = n
    return current


def current_stage(doc, today: date) -> str | None:
    n = current_index(doc, today)
    return None if n is None else _stages(doc)[n][1].get("stage")


def stage_views(doc, today: date) -> list:
    titles = stage_titles()
    cur = current_index(doc, today)
    out = []
    for n, (_i, stage) in enumerate(_stages(doc)):
        state = "upcoming" if cur is None or n > cur else ("current" if n == cur else "done")
        out.append(StageView(stage.get("stage"), titles.get(stage.get("stage"), stage.get("stage")),
                             stage.get("date"), stage.get("note") or "", list(stage.get("documents") or []), state))
    return out


def approval_fields() -> list:
    """The fields of the approval table: the project section's fields other than its stages."""
    return [f for f in schema.section_fields("project", "project") if f != "stages"]


def investment_text(value) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return f"{Decimal(str(value)):,f} 万元"


def approval_rows(doc) -> list:
    """[(label, value)] for the approval table, empty values skipped; labels from the schema."""
    rows = []
    for name in approval_fields():
        value = doc.meta.get(name)
        if value in (None, ""):
            continue
        if name == "investment":
            value = investment_text(value)
        rows.append((schema.field_label(name, "project"), value))
    return rows
