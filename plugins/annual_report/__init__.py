"""政府信息公开工作年度报告 (条例第五十条): for each year in the repository,
/annual-report/<year>/ with the counts the content gives (gongkai.annual_report),
a list page behind every number, the counts as CSV, and the staff-only parts
from data/annual-report/<year>.yaml (待填写 when missing)."""
from __future__ import annotations

from pathlib import Path

from pelican import signals

from gongkai.build.speed.forked import written_beside
from gongkai.core import annual_report

NEEDS = {"nav": "article_writer_finalized", "pages": "article_writer_finalized", "validity": "article_writer_finalized"}
PROVIDES = {}

BASE = "annual-report/"


def year_url(year: int) -> str:
    return f"{BASE}{year}/"


def list_url(year: int, key: str) -> str:
    return f"{BASE}{year}/{key}/"


def csv_name(year: int) -> str:
    return f"{BASE}{year}/annual-report-{year}.csv"


def write_reports(generator, writer):
    articles = [a for a in generator.articles if "doc" in a.metadata]
    by_doc = {id(a.doc): a for a in articles}
    docs = [a.doc for a in articles]
    content_root = Path(generator.path)
    relative = generator.settings.get("RELATIVE_URLS", False)
    ctx = generator.context
    years = annual_report.years(docs, content_root)
    for year in years:
        report = annual_report.build(docs, year, content_root)
        for count in report.counts:
            count.articles = [by_doc[id(d)] for d in count.items if id(d) in by_doc]
            count.url = list_url(year, count.key) if count.items else None
            if count.items:
                writer.write_file(f"{count.url}index.html", generator.get_template("annual_report_list"), ctx,
                                  relative_urls=relative, url=count.url, gk_report=report, gk_count=count,
                                  gk_year_url=year_url(year))
        report.csv_url = csv_name(year)
        target = Path(writer.output_path) / report.csv_url
        target.parent.mkdir(parents=True, exist_ok=True)
        # UTF-8 with BOM: Excel opens it with the Chinese intact.
        target.write_text("\ufeff" + annual_report.to_csv(report, lambda c: c.url), encoding="utf-8")
        writer.write_file(f"{year_url(year)}index.html", generator.get_template("annual_report"), ctx,
                          relative_urls=relative, url=year_url(year), gk_report=report)
    writer.write_file(f"{BASE}index.html", generator.get_template("annual_reports"), ctx, relative_urls=relative,
                      url=BASE, gk_years=[(y, year_url(y)) for y in sorted(years, reverse=True)])


def register():
    # article_writer_finalized: every article is read and has its URL; the writer is available.
    # The reports are written beside the build (gongkai.build.speed.forked), on the other core.
    signals.article_writer_finalized.connect(written_beside(write_reports), weak=False)
