"""The annual report on government information disclosure (政府信息公开工作年度报告,
条例第五十条): what the content itself can count, year by year, and the parts
only staff know, read from data/annual-report/<year>.yaml (the fields are
listed in metadata_schema/annual_report_data.yaml; missing ones show 待填写).

A report is public only once its data file says final: true, and make check
holds a final file to every field filled (`final_years`). Until then it is a
staff draft: built only for a staff preview (drafts_wanted), never published.

Counting rules (the tests count independently by the same rules):
- an item belongs to the year of its 发布日期 (date);
- 政策文件 made in a year: type policy whose 成文日期 (written), else date, is in it;
- repealed in a year: validity repealed/expired whose end date is in it; the end
  date is its `ended`, else the date of the document named by repealed_by/superseded_by,
  else modified;
- still valid at the year's end: made on or before 31 December, and either valid
  or ended after that year;
- solicitations held in a year: type solicitation whose opens is in it; comments
  received and adopted: the sums of feedback.received / feedback.adopted over them.
Every count keeps the list of items it counts, so each number links to them.
"""
from __future__ import annotations

import csv
import os
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from gongkai.core import schema
from gongkai.core.fields import schema_problems
from gongkai.core.model import Document, parse_yaml, relpath
from gongkai.core.problems import Problem

DATA_SCHEMA = "annual_report_data"
PENDING = "待填写"


@dataclass
class Count:
    key: str                    # address part of the list page: type-policy, issuer-3f2a9c1b …
    label: str
    items: list = field(default_factory=list)
    value: int | None = None    # when not len(items) (sums of comments)
    list_title: str = ""

    @property
    def number(self) -> int:
        return len(self.items) if self.value is None else self.value


@dataclass
class Section:
    title: str
    caption: str
    counts: list


@dataclass
class StaffField:
    path: str                   # dotted key in the data file
    label: str
    group: str
    value: object = None

    @property
    def text(self) -> str:
        return PENDING if self.value in (None, "") else str(self.value)


@dataclass
class Report:
    year: int
    sections: list
    staff: list
    data_file: str
    data_present: bool
    final: bool = False         # staff filled it and marked it final: the public may see it

    @property
    def pending(self) -> list:
        return [f for f in self.staff if f.value in (None, "")]

    @property
    def counts(self) -> list:
        return [c for s in self.sections for c in s.counts]


def data_dir(content_root: Path) -> Path:
    """data/annual-report/ next to the content folder."""
    return Path(content_root).resolve().parent / "data" / "annual-report"


def _year(value) -> int | None:
    return value.year if isinstance(value, date) else None


def end_date(doc, index: dict) -> date | None:
    """When a repealed/expired document stopped being valid: its own `ended`, else
    the date of the document that repealed or replaced it, else `modified`."""
    if isinstance(doc.meta.get("ended"), date):
        return doc.meta["ended"]
    for key in ("repealed_by", "superseded_by"):
        other = index.get(doc.meta.get(key))
        if other is not None and isinstance(other.meta.get("date"), date):
            return other.meta["date"]
    modified = doc.meta.get("modified")
    return modified if isinstance(modified, date) else None


def made_on(doc) -> date | None:
    for key in ("written", "date"):
        if isinstance(doc.meta.get(key), date):
            return doc.meta[key]
    return None


def opens_on(doc) -> date | None:
    opens = doc.meta.get("opens")
    return opens.date() if hasattr(opens, "date") else None


def years(docs, content_root: Path | None = None) -> list:
    found = {_year(d.meta.get("date")) for d in docs}
    found |= {_year(opens_on(d)) for d in docs if d.type == "solicitation"}
    if content_root is not None and data_dir(content_root).is_dir():
        found |= {int(p.stem) for p in data_dir(content_root).glob("*.yaml") if p.stem.isdigit()}
    return sorted(y for y in found if y)


def issuer_key(name: str) -> str:
    return "issuer-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def _by_date(items):
    return sorted(items, key=lambda d: (d.meta.get("date") or date.min, d.meta.get("index_no") or ""), reverse=True)


def build(docs, year: int, content_root: Path) -> Report:
    docs = [d for d in docs if d.type in schema.TYPES]
    index = {d.meta.get("index_no"): d for d in docs if d.meta.get("index_no")}
    in_year = [d for d in docs if _year(d.meta.get("date")) == year]
    y = f"{year}年"

    disclosure = [Count(f"disclosure-{k}", t, _by_date(d for d in in_year if d.meta.get("disclosure") == k),
                        list_title=f"{y}主动公开：{t}")
                  for k, t in schema.enum_titles("disclosure").items()]
    types = [Count(f"type-{k}", schema.enum_title("common", "type", k),
                   _by_date(d for d in in_year if d.type == k),
                   list_title=f"{y}主动公开：{schema.enum_title('common', 'type', k)}")
             for k in schema.TYPES]
    issuers = {}
    for d in in_year:
        issuers.setdefault(d.meta.get("issuer") or "（未填写）", []).append(d)
    by_issuer = [Count(issuer_key(name), name, _by_date(items), list_title=f"{y}主动公开：{name}")
                 for name, items in sorted(issuers.items(), key=lambda kv: (-len(kv[1]), kv[0]))]

    year_end = date(year, 12, 31)
    policies = [d for d in docs if d.type == "policy"]
    made = [d for d in policies if _year(made_on(d)) == year]
    ended = {id(d): end_date(d, index) for d in policies if d.meta.get("validity") in ("repealed", "expired")}
    repealed = [d for d in policies if id(d) in ended and _year(ended[id(d)]) == year]
    valid = [d for d in policies if made_on(d) and made_on(d) <= year_end
             and (id(d) not in ended or (ended[id(d)] is not None and ended[id(d)] > year_end))]
    policy = [Count("policy-made", "本年制发件数", _by_date(made), list_title=f"{y}制发的政策文件"),
              Count("policy-repealed", "本年废止件数", _by_date(repealed), list_title=f"{y}废止或失效的政策文件"),
              Count("policy-valid", "现行有效件数", _by_date(valid), list_title=f"截至{y}底现行有效的政策文件")]

    held = [d for d in docs if d.type == "solicitation" and _year(opens_on(d)) == year]
    answered = [d for d in held if isinstance(d.meta.get("feedback"), dict)]

    def total(key):
        return sum(d.meta["feedback"].get(key) or 0 for d in answered
                   if isinstance(d.meta["feedback"].get(key), int))

    solicit = [Count("solicitations", "开展意见征集（次）", _by_date(held), list_title=f"{y}开展的意见征集"),
               Count("comments-received", "收到意见（条）", _by_date(answered), value=total("received"),
                     list_title=f"{y}意见征集：已公布反馈的征集（收到意见）"),
               Count("comments-adopted", "采纳意见（条）", _by_date(answered), value=total("adopted"),
                     list_title=f"{y}意见征集：已公布反馈的征集（采纳意见）")]

    sections = [
        Section("按公开类别统计", f"{y}按“五公开”类别统计的主动公开信息（条）", disclosure),
        Section("按信息类型统计", f"{y}按信息类型统计的主动公开信息（条）", types),
        Section("按发布机构统计", f"{y}按发布机构统计的主动公开信息（条）", by_issuer),
        Section("政策文件", f"{y}政策文件制发、废止和现行有效情况（件）", policy),
        Section("意见征集", f"{y}公开征求意见情况", solicit),
    ]
    data, present = read_data(content_root, year)
    staff = staff_fields(data)
    final = bool(data and data.get("final") is True) and all(f.value not in (None, "") for f in staff)
    return Report(year, sections, staff, f"data/annual-report/{year}.yaml", present, final)


def final_years(content_root: Path) -> list:
    """The years whose report is public: a data file marked final with every field filled."""
    folder = data_dir(content_root)
    out = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        if not path.stem.isdigit():
            continue
        data, _present = read_data(content_root, int(path.stem))
        if data and data.get("final") is True and all(f.value not in (None, "") for f in staff_fields(data)):
            out.append(int(path.stem))
    return out


def drafts_wanted(settings: dict) -> bool:
    """Staff drafts of unfinished reports are built only for a preview: the setting
    GONGKAI_ANNUAL_REPORT_DRAFTS, else DRAFTS=1 in the environment (make html DRAFTS=1).
    publishconf.py sets the setting to False, so a publish never carries a draft."""
    value = settings.get("GONGKAI_ANNUAL_REPORT_DRAFTS")
    if value is not None:
        return bool(value)
    return os.environ.get("DRAFTS", "") not in ("", "0")


def staff_fields(data: dict | None) -> list:
    """Every field of the data-file schema in order, with its value or None."""
    data = data or {}
    out = []
    props = schema.schema_for(DATA_SCHEMA)["properties"]
    for key, prop in props.items():
        if key in ("year", "final"):
            continue
        if "properties" in prop:
            sub = data.get(key) if isinstance(data.get(key), dict) else {}
            for k, p in prop["properties"].items():
                out.append(StaffField(f"{key}.{k}", p["title"], prop["title"], sub.get(k)))
        else:
            out.append(StaffField(key, prop["title"], "主动公开（第二十条）" if key.endswith(("_decided", "_amount"))
                                  else prop["title"], data.get(key)))
    return out


def read_data(content_root: Path, year: int):
    path = data_dir(content_root) / f"{year}.yaml"
    if not path.is_file():
        return None, False
    try:
        # the same loader as front-matter, so the page shows what make check checked
        data = parse_yaml(path.read_text(encoding="utf-8"), offset=1)[0]
    except (yaml.YAMLError, UnicodeDecodeError):
        return None, False   # reported by check_data_files
    return (data if isinstance(data, dict) else None), True


def check_data_files(docs, index, ctx):
    """CORPUS_CHECKS entry: each data/annual-report/<year>.yaml against its schema."""

    folder = data_dir(ctx["content_root"])
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.yaml")):
        rel = relpath(path)
        try:
            raw, lines, _dups = parse_yaml(path.read_text(encoding="utf-8"), offset=1)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            yield Problem(rel, (mark.line + 1) if mark else 1, None, "annual_data_yaml",
                          {"detail": (err.problem or err.context or "").strip()})
            continue
        except (yaml.YAMLError, UnicodeDecodeError) as err:
            yield Problem(rel, 1, None, "annual_data_yaml", {"detail": str(err)})
            continue
        doc = Document(path=rel, type=DATA_SCHEMA, raw=raw if isinstance(raw, dict) else {},
                       meta={}, body="", body_line=1, lines=lines)
        yield from schema_problems(doc, ctx["settings"])
        year = doc.raw.get("year")
        if isinstance(year, int) and str(year) != path.stem:
            yield Problem(rel, doc.line_of("year"), "year", "annual_data_year", {"name": path.name, "value": year})
        if doc.raw.get("final") is True:
            missing = [f.label for f in staff_fields(doc.raw) if f.value in (None, "")]
            if missing:
                shown = "、".join(missing[:5]) + (f" 等" if len(missing) > 5 else "")
                yield Problem(rel, doc.line_of("final"), "final", "annual_final_incomplete",
                              {"count": len(missing), "missing": shown})


def to_csv(report: Report, list_url) -> str:
    """The counts as CSV: 部分,项目,数量,清单 (list address), then the staff fields."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["部分", "项目", "数量", "清单"])
    for section in report.sections:
        for c in section.counts:
            writer.writerow([section.title, c.label, c.number, list_url(c) if c.items else ""])
    for f in report.staff:
        writer.writerow([f.group, f.label, "" if f.value in (None, "") else f.value,
                         PENDING if f.value in (None, "") else ""])
    return out.getvalue()
