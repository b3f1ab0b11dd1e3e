"""Rebuilds reuse unchanged pages (plugins/reuse_pages) and search-index parts
(plugins/search_index) from the previous build. A rebuild must be the same,
byte for byte, as a fresh build of the same tree: checked here after each
kind of change staff and developers make, on a copy of the real content."""
from __future__ import annotations

import filecmp
import gzip
import re
import shutil
from pathlib import Path

import pytest

from conftest import ASOF, ROOT, SEEDS, project_copy, run_in, run_script

AFTER_CLOSE = "2026-09-12T09:00"   # the 2026 food-safety solicitation closed on 09-10


def tree(root: Path) -> dict:
    """Every file, except Pagefind's (their names vary from run to run even for
    the same pages: see indexed())."""
    return {p.relative_to(root): p for p in sorted(root.rglob("*"))
            if p.is_file() and not p.relative_to(root).parts[0].startswith("pagefind")}


def indexed(root: Path) -> dict:
    """What the search index holds: each bundle's page fragments (url, text, meta, filters)."""
    return {bundle.name: sorted(gzip.decompress(f.read_bytes()) for f in (bundle / "fragment").glob("*.pf_fragment"))
            for bundle in root.glob("pagefind*") if bundle.is_dir()}


def workbook(path: Path) -> list:
    """An .xlsx file's cells (the file itself carries the time it was written)."""
    from openpyxl import load_workbook
    return [[c.value for c in row] for ws in load_workbook(path).worksheets for row in ws.iter_rows()]


def assert_same_site(built: Path, fresh: Path):
    a, b = tree(built), tree(fresh)
    assert sorted(a) == sorted(b)
    differ = [str(rel) for rel in a if not filecmp.cmp(a[rel], b[rel], shallow=False)
              and not (rel.suffix == ".xlsx" and workbook(a[rel]) == workbook(b[rel]))]
    assert differ == []
    assert indexed(built) == indexed(fresh)


class Site:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.content = tmp / "content"
        shutil.copytree(ROOT / "content", self.content)
        self.theme = tmp / "theme"
        shutil.copytree(ROOT / "theme", self.theme)
        self.settings = tmp / "conf.py"
        self.settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                                 f"THEME = {str(self.theme)!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n",
                                 encoding="utf-8")
        self.out, self.cache = tmp / "output", tmp / "cache"
        self.asof = ASOF

    def build(self, out: Path, *flags) -> str:
        result = run_script("build.py", "--settings", self.settings, "--content", self.content, "--output", out,
                            "--verbose", *flags, env={"ASOF": self.asof})
        assert result.returncode == 0, result.stderr + result.stdout
        return result.stderr + result.stdout

    def rebuild_and_compare(self) -> tuple[int, int]:
        """Rebuild with the cache; compare with a fresh build. Returns (reused, rendered) pages."""
        report = self.build(self.out, "--cache-path", self.cache)
        fresh = self.tmp / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        self.build(fresh, "--no-reuse")
        assert_same_site(self.out, fresh)
        found = re.search(r"页面：(\d+) 个沿用上次构建，(\d+) 个重新生成.*", report)
        assert found, report
        self.report = found.group(0)
        return int(found.group(1)), int(found.group(2))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = Site(tmp_path_factory.mktemp("incremental"))
    reused, rendered = s.rebuild_and_compare()       # the first build has nothing to reuse
    assert reused == 0 and rendered > 200
    reused, rendered = s.rebuild_and_compare()       # nothing changed: nothing rendered
    assert rendered == 0 and reused > 200, s.report
    return s


def edit(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text, path
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_body_edit_renders_only_what_shows_the_document(site):
    edit(site.content / "policy" / "sc-2019-guofa5-double-random-inspection.md", "\n---\n", "\n---\n\n（本文已更正。）\n")
    reused, rendered = site.rebuild_and_compare()
    assert 1 <= rendered < 30 and reused > 190, site.report


def test_title_edit_reaches_every_page_that_lists_it(site):
    # The interpretation's policy: its title shows on the interpretation's page and in listings.
    edit(site.content / "policy" / "sc-2018-guobanfa115-normative-doc-legality-review.md",
         "title: ", "title: （修订）")
    site.rebuild_and_compare()


def test_closing_a_solicitation_changes_its_pages(site):
    site.asof = AFTER_CLOSE
    site.rebuild_and_compare()


def test_budget_csv_edit_without_touching_the_markdown(site):
    edit(site.content / "budget" / "pingtan-2016-sangong-final-accounts.csv", "出国团组43个", "出国团组 43 个")
    site.rebuild_and_compare()


def test_attachment_replaced_under_the_same_name(site):
    doc = site.content / "policy" / "sc-2019-guofa3-comprehensive-bonded-zones.md"
    attachment = site.content / "policy" / "附件-原文.txt"
    shutil.copy(next(SEEDS.glob("*.txt")), attachment)
    edit(doc, "\nreview:", "\nattachments:\n  - path: policy/附件-原文.txt\n    title: 原文\nreview:")
    site.rebuild_and_compare()
    attachment.write_text(attachment.read_text(encoding="utf-8") * 3, encoding="utf-8")  # bigger: its size shows
    reused, rendered = site.rebuild_and_compare()
    assert rendered >= 1


def test_template_edit_renders_everything_again(site):
    edit(site.theme / "templates" / "base.html", "</footer>", "<p>测试页脚</p></footer>")
    reused, rendered = site.rebuild_and_compare()
    assert reused == 0
    assert "测试页脚" in (site.out / "index.html").read_text(encoding="utf-8")


# Changes to what a document reads as, on a small copy of the project (its own schema and settings).
TABLED = "policy/pingtan-2015-tractor-scrapping-subsidy-measures.md"
DECIDED = "decision/pingtan-2015-commend-12-financial-institutions-decision.md"


@pytest.fixture
def small(tmp_path):
    return project_copy(tmp_path / "project", [TABLED, DECIDED])


def rebuild_in(project: Path, *settings) -> Path:
    """Build with the copy's cache, then fresh; the two must be the same. Returns the output."""
    out, fresh = project / "output", project / "fresh"
    for args in (("--cache-path", project / "cache", "--output", out), ("--no-reuse", "--output", fresh)):
        result = run_in(project, "build.py", *args, *settings)
        assert result.returncode == 0, result.stderr + result.stdout
    assert_same_site(out, fresh)
    shutil.rmtree(fresh)
    return out


def page_of(out: Path, rel: str) -> str:
    """The built page of content/<rel> (its URL is its 索引号)."""
    index_no = re.search(r'^index_no: "(.*)"', (ROOT / "content" / rel).read_text(encoding="utf-8"), re.M).group(1)
    return (out / "xxgk" / index_no.replace("/", "-") / "index.html").read_text(encoding="utf-8")


def test_a_settings_change_reaches_cached_documents(small):
    assert "<table" in page_of(rebuild_in(small), TABLED)
    conf = small / "no_tables.py"
    conf.write_text("from pelicanconf import *\n"
                    "MARKDOWN = dict(MARKDOWN, extension_configs={'markdown.extensions.sane_lists': {}})\n",
                    encoding="utf-8")
    assert "<table" not in page_of(rebuild_in(small, "--settings", conf), TABLED)


def test_a_schema_change_reaches_cached_pages(small):
    assert "决策日期" in page_of(rebuild_in(small), DECIDED)
    edit(small / "metadata_schema" / "decision.yaml", "title: 决策日期", "title: 作出决定的日期")
    page = page_of(rebuild_in(small), DECIDED)
    assert "作出决定的日期" in page and "决策日期" not in page
