"""政府信息公开工作年度报告 (条例第五十条): for each year in the repository,
/annual-report/<year>/ with the counts the content gives (gongkai.annual_report),
a list page behind every number, the counts as CSV, and the staff-only parts
from data/annual-report/<year>.yaml. Only reports staff marked final are written;
unfinished ones are staff drafts, written only for a preview (make html DRAFTS=1),
marked as such and never published (gongkai.core.annual_report.drafts_wanted)."""
from __future__ import annotations

from pathlib import Path

from pelican import signals

from gongkai.build.speed.forked import written_beside
from gongkai.core import annual_report
from gongkai.core.settings import complete
from gongkai.core.site import HOME_URL, XXGK_URL

NEEDS = {"nav": "article_writer_finalized", "pages": "article_writer_finalized", "validity": "article_writer_finalized"}
PROVIDES = {}

BASE = "annual-report/"
TITLE = "政府信息公开工作年度报告"
TRAIL = [("首页", HOME_URL), ("政务公开", XXGK_URL), (TITLE, BASE)]


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
    public = set(annual_report.final_years(content_root))
    drafts = annual_report.drafts_wanted(complete(generator.settings))
    years = sorted(set(annual_report.years(docs, content_root)) if drafts else public)
    for year in years:
        report = annual_report.build(docs, year, content_root)
        trail = TRAIL + [(f"{year}年", year_url(year))]
        for count in report.counts:
            count.articles = [by_doc[id(d)] for d in count.items if id(d) in by_doc]
            count.url = list_url(year, count.key) if count.items else None
            if count.items:
                writer.write_file(f"{count.url}index.html", generator.get_template("annual_report_list"), ctx,
                                  relative_urls=relative, url=count.url, gk_report=report, gk_count=count,
                                  gk_year_url=year_url(year), gk_trail=trail)
        report.csv_url = csv_name(year)
        target = Path(writer.output_path) / report.csv_url
        target.parent.mkdir(parents=True, exist_ok=True)
        # UTF-8 with BOM: Excel opens it with the Chinese intact.
        target.write_text("\ufeff" + annual_report.to_csv(report, lambda c: c.url), encoding="utf-8")
        writer.write_file(f"{year_url(year)}index.html", generator.get_template("annual_report"), ctx,
                          relative_urls=relative, url=year_url(year), gk_report=report, gk_trail=TRAIL)
    writer.write_file(f"{BASE}index.html", generator.get_template("annual_reports"), ctx, relative_urls=relative,
                      url=BASE, gk_trail=TRAIL[:2],
                      gk_years=[(y, year_url(y), y in public) for y in sorted(years, reverse=True)])


def register():
    # article_writer_finalized: every article is read and has its URL; the writer is available.
    # The reports are written beside the build (gongkai.build.speed.forked), on the other core.
    signals.article_writer_finalized.connect(written_beside(write_reports), weak=False)
