"""政府信息公开工作年度报告 (issue 7): for every year in content/, the page's
counts match a count done here independently from the raw front-matter, each
number links to a list of exactly the items it counts, the CSV agrees with the
page, and the staff-only parts come from data/annual-report/<year>.yaml.

Issue 16: a report is public only once staff filled it and marked it final;
until then it is a staff draft, built only for a preview (DRAFTS=1). The data
files below are test data (every staff number 0), not a real report."""
from __future__ import annotations

import csv
import io
import shutil
from collections import Counter

import pytest
import yaml

from conftest import ROOT, build_site, run_script, soup_of

TYPE_TITLES = {"policy": "政策文件", "interpretation": "政策解读", "budget": "财政预决算", "project": "重大建设项目",
               "decision": "决策结果", "solicitation": "意见征集"}
DISCLOSURE_TITLES = {"decision": "决策公开", "execution": "执行公开", "management": "管理公开", "service": "服务公开",
                     "result": "结果公开"}


def _raw_items(content):
    """Front-matter of every document, read with plain YAML (not gongkai.model)."""
    out = []
    for folder in TYPE_TITLES:
        for f in sorted((content / folder).glob("*.md")):
            meta = yaml.safe_load(f.read_text(encoding="utf-8").split("\n---", 1)[0].lstrip("-\n"))
            meta["_type"] = folder
            out.append(meta)
    return out


def _year(value):
    return int(str(value)[:4]) if value else None


def independent_counts(items, year):
    in_year = [m for m in items if _year(m["date"]) == year]
    counts = {}
    for k, t in DISCLOSURE_TITLES.items():
        counts[("按公开类别统计", t)] = sum(1 for m in in_year if m["disclosure"] == k)
    for k, t in TYPE_TITLES.items():
        counts[("按信息类型统计", t)] = sum(1 for m in in_year if m["_type"] == k)
    for issuer, n in Counter(m["issuer"] for m in in_year).items():
        counts[("按发布机构统计", issuer)] = n
    by_index = {m["index_no"]: m for m in items}
    policies = [m for m in items if m["_type"] == "policy"]

    def ended(m):
        if m.get("validity") not in ("repealed", "expired"):
            return None
        if m.get("ended"):
            return str(m["ended"])
        other = by_index.get(m.get("repealed_by") or m.get("superseded_by"))
        return str(other["date"]) if other else (str(m["modified"]) if m.get("modified") else "unknown")

    made = [m for m in policies if _year(m.get("written") or m["date"]) == year]
    counts[("政策文件", "本年制发件数")] = len(made)
    counts[("政策文件", "本年废止件数")] = sum(1 for m in policies if ended(m) not in (None, "unknown")
                                         and _year(ended(m)) == year)
    end = f"{year}-12-31"
    counts[("政策文件", "现行有效件数")] = sum(
        1 for m in policies if str(m.get("written") or m["date"]) <= end
        and (ended(m) is None or (ended(m) != "unknown" and ended(m) > end)))
    held = [m for m in items if m["_type"] == "solicitation" and _year(m["opens"]) == year]
    counts[("意见征集", "开展意见征集（次）")] = len(held)
    counts[("意见征集", "收到意见（条）")] = sum((m.get("feedback") or {}).get("received", 0) for m in held)
    counts[("意见征集", "采纳意见（条）")] = sum((m.get("feedback") or {}).get("adopted", 0) for m in held)
    return counts


def page_counts(soup):
    out, links = {}, {}
    for section in soup.select("main section"):
        h2 = section.find("h2").get_text(strip=True)
        for tr in section.select("table.gk-table--report tbody tr"):
            cell = tr.find("td", class_="gk-table__cell--numeric")
            if section.find("h2")["id"] == "gk-report-staff-h":
                continue
            key = (h2, tr.th.get_text(strip=True))
            out[key] = int(cell.get_text(strip=True))
            if cell.a is not None:
                links[key] = cell.a["href"]
    return out, links


def _years(items):
    years = {_year(m["date"]) for m in items} | {_year(m["opens"]) for m in items if m["_type"] == "solicitation"}
    return sorted(years)


def final_data(year: int, **overrides) -> str:
    """A data file with every staff field filled (test values) and final: true."""
    from gongkai.core import schema
    data = {"year": year, "final": True}
    for key, prop in schema.schema_for("annual_report_data")["properties"].items():
        if key in data:
            continue
        if "properties" in prop:
            data[key] = {k: 0 for k in prop["properties"]}
        else:
            data[key] = "（测试数据）" if prop.get("type") == "string" else 0
    data.update(overrides)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def final_site(tmp_path_factory):
    """content/ with a final data file for every year: every report public."""
    tree = tmp_path_factory.mktemp("final-reports")
    shutil.copytree(ROOT / "content", tree / "content")
    (tree / "data" / "annual-report").mkdir(parents=True)
    for year in _years(_raw_items(ROOT / "content")):
        (tree / f"data/annual-report/{year}.yaml").write_text(final_data(year), encoding="utf-8")
    out = tree / "output"
    result = build_site(tree / "content", out)
    assert result.returncode == 0, result.stderr + result.stdout
    return out


def test_a_report_page_for_every_year(final_site):
    site = final_site
    years = _years(_raw_items(ROOT / "content"))
    assert years
    for year in years:
        soup = soup_of(site / f"annual-report/{year}/index.html")
        assert soup.find("h1").get_text(strip=True) == f"{year}年政府信息公开工作年度报告（统计数据）"
    index = soup_of(site / "annual-report/index.html")
    assert [a.get_text(strip=True) for a in index.select("main li a")] == [f"{y}年" for y in sorted(years, reverse=True)]


def test_counts_match_an_independent_count_and_link_to_their_items(final_site):
    site = final_site
    items = _raw_items(ROOT / "content")
    for year in _years(items):
        page = site / f"annual-report/{year}"
        got, links = page_counts(soup_of(page / "index.html"))
        expected = independent_counts(items, year)
        assert {k: v for k, v in got.items()} == {k: v for k, v in expected.items()}, year
        for key, n in got.items():
            if key[1] in ("收到意见（条）", "采纳意见（条）") or n == 0:
                continue
            assert links[key] == f"../../annual-report/{year}/{links[key].split('/')[-2]}/", links[key]
            listing = soup_of(page / links[key] / "index.html")
            assert len(listing.select("main .gk-list__item")) == n, (year, key)
        rows = list(csv.reader(io.StringIO((page / f"annual-report-{year}.csv").read_text(encoding="utf-8-sig"))))
        assert rows[0] == ["部分", "项目", "数量", "清单"]
        counted = {key[0] for key in got}     # the counted sections, not the staff's numbers
        from_csv = {(r[0], r[1]): int(r[2]) for r in rows[1:] if r[0] in counted}
        assert from_csv == got


def test_no_report_is_public_before_staff_mark_it_final(site):
    """content/ has no data file: nothing is published, and the index says so."""
    assert not any(p.is_dir() for p in (site / "annual-report").iterdir())
    index = soup_of(site / "annual-report/index.html")
    assert index.select_one("main .gk-empty").get_text(strip=True) == "尚无已定稿的年度报告。"
    assert "待填写" not in (site / "annual-report/index.html").read_text(encoding="utf-8")


def draft_build(tree, out, drafts="1", settings="pelicanconf.py"):
    result = run_script("build.py", "--content", tree / "content", "--output", out, "--no-cache",
                        "--settings", ROOT / settings, env={"ASOF": "2026-09-05T09:00", "DRAFTS": drafts})
    assert result.returncode == 0, result.stderr + result.stdout
    return out


def test_a_staff_draft_shows_pending_and_says_it_is_not_published(small_tree):
    out = draft_build(small_tree, small_tree / "out")
    soup = soup_of(out / "annual-report/2015/index.html")
    assert soup.select_one(".gk-report-draft").get_text(" ", strip=True).startswith("草稿，不会发布。")
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    staff = soup.select_one("#gk-report-staff-h").find_parent("section")
    values = [td.get_text(strip=True) for td in staff.select("td.gk-table__cell--numeric")]
    assert values and set(values) == {"待填写"}
    assert "annual-report/2015/" not in (out / "sitemap.xml").read_text(encoding="utf-8")   # a draft: noindex
    # never in what make publish builds, whatever DRAFTS says
    published = draft_build(small_tree, small_tree / "pub", settings="publishconf.py")
    assert not (published / "annual-report/2015").exists()


def test_a_final_report_is_public_linked_and_has_a_breadcrumb(small_tree):
    (small_tree / "data/annual-report/2015.yaml").write_text(final_data(2015), encoding="utf-8")
    out = draft_build(small_tree, small_tree / "out", drafts="")
    soup = soup_of(out / "annual-report/2015/index.html")
    assert soup.select_one(".gk-report-draft") is None and soup.find("meta", attrs={"name": "robots"}) is None
    text = soup.main.get_text()
    assert "待填写" not in text and "data/annual-report" not in text
    crumbs = [a.get_text(strip=True) for a in soup.select(".gk-breadcrumb a")]
    assert crumbs == ["首页", "政务公开", "政府信息公开工作年度报告"]
    index = soup_of(out / "annual-report/index.html")
    assert [a.get_text(strip=True) for a in index.select("main li a")] == ["2015年"]
    xxgk = soup_of(out / "xxgk/index.html")
    assert xxgk.find("a", string="政府信息公开工作年度报告")["href"].endswith("annual-report/")
    guide = soup_of(out / "guide/index.html")
    assert guide.main.find("a", string="政府信息公开工作年度报告")["href"] == "../annual-report/"
    assert "annual-report/2015/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_final_with_blanks_is_an_error(small_tree):
    (small_tree / "data/annual-report/2015.yaml").write_text(
        "year: 2015\nfinal: true\nrequests:\n  received: 81\n", encoding="utf-8")
    result = run_script("check.py", "--content", small_tree / "content")
    path = small_tree / "data/annual-report/2015.yaml"
    lines = [l for l in result.stdout.splitlines() if l.startswith(f"{path}:2:")]
    assert len(lines) == 1 and lines[0].startswith(f"{path}:2: 已定稿 (final) — 已写 final: true，但还有 ")
    assert "行政许可本年处理决定数量" in lines[0] and lines[0].endswith("请全部填写后再定稿，或先删去 final: true（草稿不会发布）")
    assert result.returncode == 1


@pytest.fixture
def small_tree(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "budget", content / "budget")
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    (tmp_path / "data" / "annual-report").mkdir(parents=True)
    return tmp_path


def test_data_file_fills_the_staff_parts(small_tree):
    (small_tree / "data/annual-report/2015.yaml").write_text(
        "year: 2015\nrequests:\n  received: 81\n  disclosed: 42\nreconsideration:\n  total: 2\n", encoding="utf-8")
    out = draft_build(small_tree, small_tree / "out")
    soup = soup_of(out / "annual-report/2015/index.html")
    staff = soup.select_one("#gk-report-staff-h").find_parent("section")
    rows = {tr.th.get_text(strip=True): tr.select_one("td.gk-table__cell--numeric").get_text(strip=True)
            for tr in staff.select("tbody tr")}
    assert rows["本年新收政府信息公开申请数量"] == "81" and rows["予以公开"] == "42" and rows["行政复议总计"] == "2"
    assert rows["不予公开"] == "待填写"


def test_bad_data_file_is_reported_with_its_line(small_tree):
    (small_tree / "data/annual-report/2015.yaml").write_text(
        "year: 2016\nrequests:\n  received: 八十一\n", encoding="utf-8")
    result = run_script("check.py", "--content", small_tree / "content")
    lines = [l for l in result.stdout.splitlines() if "2015.yaml" in l]
    path = small_tree / "data/annual-report/2015.yaml"
    assert lines == [f"{path}:1: 报告年度 (year) — 文件名是 2015.yaml，但 year 写的是 2016；文件名应为 年份.yaml，并与 year 一致",
                     f"{path}:3: 本年新收政府信息公开申请数量 (requests.received) — 值“八十一”的类型不对；应为整数"]
    assert result.returncode == 1
