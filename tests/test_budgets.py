"""财政预决算 (issue 7): CSV tables checked to the cent, rendered as accessible
tables with an SVG chart of the same numbers, downloads, and the year-on-year
comparison. Fixtures are the real published CSVs with one thing changed."""
from __future__ import annotations

import csv
import shutil
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from conftest import FIXTURES, ROOT, build_site, run_script, soup_of

DATA = FIXTURES / "data"
REAL_2016 = "content/budget/pingtan-2016-sangong-final-accounts"
REAL_2015 = "content/budget/pingtan-2015-dept-budget-sangong-table"
PAGE_2016 = "xxgk/11230129MB1848123X-2017-00001/"
PAGE_2015 = "xxgk/11230129MB1848123X-2015-00007/"


def _content_with(tmp_path, *cases):
    content = tmp_path / "content"
    (content / "budget").mkdir(parents=True)
    for case in cases:
        for f in (DATA / case).iterdir():
            shutil.copy(f, content / "budget" / f.name)
    return content


def _check(content):
    result = run_script("check.py", "--content", content)
    return result, [line for line in result.stdout.splitlines() if line.startswith(str(content))]


def test_planted_wrong_total_names_file_row_and_column(tmp_path):
    content = _content_with(tmp_path, "budget_wrong_total")
    result, lines = _check(content)
    assert lines == [
        f"{content}/budget/budget_wrong_total.csv:2: 2016年决算数(万元) — 合计行““三公”经费合计”第 2 列为 2,092.61，"
        "上面 3 行之和为 2,101.61，相差 -9.00；合计应等于各行之和（精确到分）。"
        "若原文如此，请在 as_published_note 中写明按原文公开的原因"]
    assert result.returncode == 1


def test_non_numeric_amount_names_file_row_and_column(tmp_path):
    content = _content_with(tmp_path, "budget_non_numeric_amount")
    result, lines = _check(content)
    assert lines == [
        f"{content}/budget/budget_non_numeric_amount.csv:7: 2016年决算数(万元) — 第 7 行第 2 列“578.09万”不是数字；"
        "金额应写作 1337.46 或 2,793.77（单位万元），没有数就留空；"
        "如果这一列是百分比或说明文字，请在 columns 中把它声明为 percent 或 text"]
    assert result.returncode == 1


def test_as_published_note_turns_the_real_mismatch_into_a_reminder():
    result = run_script("check.py", "content/budget")
    out = [line for line in result.stdout.splitlines() if line.startswith("content/budget")]
    assert out == [
        f"{REAL_2015}.csv:237: “三公经费”合计数 — 提醒： 合计行“合计”第 2 列为 2,793.77，上面 235 行之和为 3,243.07，"
        "相差 -449.30；已按 as_published_note 原文公开，页面在表格旁显示说明",
        f"{REAL_2015}.csv:237: 公务接待费控制数 — 提醒： 合计行“合计”第 3 列为 1,663.67，上面 235 行之和为 2,112.97，"
        "相差 -449.30；已按 as_published_note 原文公开，页面在表格旁显示说明"]
    assert result.returncode == 0


def test_without_the_note_the_real_mismatch_is_an_error(tmp_path):
    content = tmp_path / "content"
    (content / "budget").mkdir(parents=True)
    shutil.copy(ROOT / f"{REAL_2015}.csv", content / "budget")
    md = (ROOT / f"{REAL_2015}.md").read_text(encoding="utf-8")
    md = "\n".join(l for l in md.split("\n") if not l.startswith(("as_published_note:", "related:")))
    (content / "budget" / "t.md").write_text(md, encoding="utf-8")
    result, lines = _check(content)
    assert result.returncode == 1
    assert [l.split(" — ")[0] for l in lines] == [
        f"{content}/budget/pingtan-2015-dept-budget-sangong-table.csv:237: “三公经费”合计数",
        f"{content}/budget/pingtan-2015-dept-budget-sangong-table.csv:237: 公务接待费控制数"]


@pytest.mark.parametrize("old, new, expected", [
    # a 决算 must have its 收支总表
    ('budget_kind: "sangong_final"', 'budget_kind: "final"',
     ["budget_wrong_total.md:13: 数据表 (tables) — 决算必须有 summary（收支总表） 类型的数据表；请在 tables 中加上这张表，并写 kind"]),
    # the year in the title and in the CSV header must be fiscal_year
    ("fiscal_year: 2016", "fiscal_year: 2017",
     ["budget_wrong_total.csv:1: 2016年决算数(万元) — “2016年决算数(万元)”写的是 2015、2016 年，与预决算年度 fiscal_year: 2017 不符；请核对数据文件或 fiscal_year",
      "budget_wrong_total.md:15: 表名 (tables[0].title) — “2016年度平潭综合实验区一般公共预算“三公”经费支出决算情况”写的是 2016 年，与预决算年度 fiscal_year: 2017 不符；请核对数据文件或 fiscal_year"]),
    # a total row that is not declared is not silently summed
    ('    total_row: "“三公”经费合计"\n', "",
     ["budget_wrong_total.csv:2: 项目 — ““三公”经费合计”看起来是合计行，但 tables[0] 没有声明 total_row；请写 total_row: “三公”经费合计，合计行才不会被当作明细相加"]),
])
def test_table_rules(tmp_path, old, new, expected):
    content = _content_with(tmp_path, "budget_wrong_total")
    md = content / "budget" / "budget_wrong_total.md"
    text = md.read_text(encoding="utf-8")
    assert old in text
    md.write_text(text.replace(old, new), encoding="utf-8")
    csv_file = content / "budget" / "budget_wrong_total.csv"  # put the real figure back
    csv_file.write_text(csv_file.read_text(encoding="utf-8").replace("587.09", "578.09"), encoding="utf-8")
    result, lines = _check(content)
    assert [l.replace(f"{content}/budget/", "") for l in lines] == expected
    assert result.returncode == 1


def test_sangong_lines_are_required(tmp_path):
    content = _content_with(tmp_path, "budget_previous_year")
    csv_file = content / "budget" / "budget_previous_year.csv"
    rows = csv_file.read_text(encoding="utf-8").splitlines()
    csv_file.write_text("\n".join(r for r in rows if not r.startswith("公务接待费")).replace("2404.68", "1668.49") + "\n",
                        encoding="utf-8")
    result, lines = _check(content)
    assert [l.replace(f"{content}/budget/", "") for l in lines] == [
        "budget_previous_year.csv:1: “2015年度“三公”经费支出决算”中缺少 公务接待费；三公经费表应分别列出因公出国（境）费、"
        "公务用车购置及运行费、公务接待费三项（按行，或在分单位明细表中按列）"]
    assert result.returncode == 1


# --- the built pages -----------------------------------------------------------------

def _numbers(text):
    return Decimal(text.replace(",", ""))


def test_budget_table_is_accessible_and_the_chart_has_its_numbers(page):
    soup = page(PAGE_2016)
    section = soup.select_one("main .gk-budget-table")
    table = section.find("table")
    assert table.caption.get_text(strip=True) == "2016年度平潭综合实验区一般公共预算“三公”经费支出决算情况（单位：万元）"
    assert [th["scope"] for th in table.thead.find_all("th")] == ["col"] * 5
    body_rows = table.tbody.find_all("tr")
    assert all(r.th["scope"] == "row" for r in body_rows)
    with open(ROOT / f"{REAL_2016}.csv", encoding="utf-8") as fh:
        published = list(csv.reader(fh))[1:]
    assert [[r.th.get_text(strip=True)] + [td.get_text(strip=True) for td in r.find_all("td")] for r in body_rows] == published
    lines = {r[0]: r[1] for r in published if r[0] in ("因公出国（境）费", "公务用车购置及运行费", "公务接待费")}
    svg = section.find("svg")
    assert svg["role"] == "img"
    ids = svg["aria-labelledby"].split()
    assert svg.find("title")["id"] == ids[0] and svg.find("desc")["id"] == ids[1]
    bars = {g.find("text", class_="gk-chart__label").get_text(): g.find("text", class_="gk-chart__value").get_text()
            for g in svg.find_all("g", class_="gk-chart__row")}
    assert bars == lines
    widths = {g.find("text", class_="gk-chart__label").get_text(): float(g.rect["width"])
              for g in svg.find_all("g", class_="gk-chart__row")}
    assert widths["公务用车购置及运行费"] > widths["公务接待费"] > widths["因公出国（境）费"]
    desc = svg.find("desc").get_text()
    assert all(f"{k} {v} 万元" in desc for k, v in lines.items())
    # no inline styles, scripts or handlers: colours are SVG presentation attributes
    assert not soup.select("main [style]") and not soup.select("script:not([src])")
    assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    assert soup.select_one('link[href$="theme/css/data.css"]') is not None


def test_downloads_are_the_published_csv_and_an_xlsx_copy(page, site):
    links = page(PAGE_2016).select("main .gk-downloads a")
    texts = [a.get_text(strip=True) for a in links]
    assert texts[0].startswith("下载数据：2016年度平潭综合实验区一般公共预算“三公”经费支出决算情况（CSV，")
    assert texts[1] == "下载数据：2016年度平潭综合实验区一般公共预算“三公”经费支出决算情况（Excel 表格 XLSX）"
    csv_out = site / "files/budget/pingtan-2016-sangong-final-accounts.csv"
    assert links[0]["href"] == "../../files/budget/pingtan-2016-sangong-final-accounts.csv"
    assert csv_out.read_bytes() == (ROOT / f"{REAL_2016}.csv").read_bytes()
    assert links[1]["href"] == "../../files/budget/pingtan-2016-sangong-final-accounts.xlsx"
    ws = load_workbook(site / "files/budget/pingtan-2016-sangong-final-accounts.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1] == ("项目", "2016年决算数(万元)", "比2015年增减(万元)", "增减幅度", "说明")
    assert rows[2][:4] == ("“三公”经费合计", 2092.61, -312.07, "-12.98%")


def test_as_published_note_is_shown_beside_the_table(page):
    section = page(PAGE_2015).select_one("main .gk-budget-table")
    note = section.select_one(".gk-budget-table__note")
    assert note["role"] == "note"
    assert "原文如此" in note.get_text()
    items = [li.get_text(strip=True) for li in note.select("li")]
    assert sorted(items) == sorted([
        "合计行“合计”的“公务接待费控制数”：原文为 1,663.67，各项相加为 2,112.97，相差 -449.30",
        "合计行“合计”的““三公经费”合计数”：原文为 2,793.77，各项相加为 3,243.07，相差 -449.30"])
    # the note comes before the table it explains
    assert section.find_all(["div", "table"])[0] is note
    rows = section.find("table").tbody.find_all("tr")
    assert len(rows) == 236 and rows[-1]["class"][-1] == "gk-table__row--total"
    # 235 units: drawn by column from the 合计 row (as published)
    bars = [t.get_text() for t in section.select("svg .gk-chart__value")]
    assert bars == ["1,663.67", "200.00", "930.1"]


def test_year_on_year_gives_back_the_published_changes(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "budget", content / "budget")
    for f in (DATA / "budget_previous_year").iterdir():
        shutil.copy(f, content / "budget" / f.name)
    out = tmp_path / "out"
    result = build_site(content, out)
    assert result.returncode == 0, result.stderr
    soup = soup_of(out / PAGE_2016 / "index.html")
    changes = soup.select_one("main .gk-table--changes")
    assert changes.caption.get_text(strip=True).startswith("与上年比较")
    got = {r.th.get_text(strip=True): r.find_all("td")[2].get_text(strip=True) for r in changes.tbody.find_all("tr")}
    with open(ROOT / f"{REAL_2016}.csv", encoding="utf-8") as fh:
        published = {r[0]: Decimal(r[2]) for r in list(csv.reader(fh))[1:]}
    assert got.keys() == published.keys()
    assert {k: _numbers(v) for k, v in got.items()} == published
    prev = soup.select_one("main .gk-budget__previous a")
    assert prev.get_text(strip=True).startswith("2015年度平潭综合实验区")


def test_a_prepared_budget_document_pickles_as_the_bytes_it_arrived_as():
    """The content cache saves a prepared document as the bytes its worker made
    (gongkai.build.speed.travel), and its tables' cells come back with the same Decimals."""
    import pickle

    from gongkai.build.speed.prepare import derive, reading_settings
    from gongkai.build.speed.travel import pickle_document, unpickle_document
    from gongkai.core.model import read_document
    from gongkai.core.settings import complete

    content = ROOT / "content"
    settings = reading_settings(complete({"PATH": str(content), "THEME": str(ROOT / "theme"),
                                 "JINJA_ENVIRONMENT": {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}}))
    doc, _html = derive(read_document(ROOT / f"{REAL_2015}.md", content, settings), settings, content)
    made = pickle_document(doc)
    back = unpickle_document(made)
    again = pickle.loads(pickle.dumps({"doc": back}, protocol=pickle.HIGHEST_PROTOCOL))["doc"]
    saved = pickle.dumps(back, protocol=pickle.HIGHEST_PROTOCOL)
    assert made in saved and len(saved) < len(made) + 200  # those bytes, not the document walked again
    tables = [t for t in doc.derived["tables"].values()]
    tables_again = [t for t in again.derived["tables"].values()]
    assert tables and tables == tables_again
    cells = [(c.text, c.role, c.value) for t in tables for r in t.rows for c in r.cells]
    cells_again = [(c.text, c.role, c.value) for t in tables_again for r in t.rows for c in r.cells]
    assert cells == cells_again
    assert any(isinstance(v, Decimal) for _t, _r, v in cells_again)
    rows_html = again.derived["rows_html"][1]
    assert rows_html == doc.derived["rows_html"][1]
    assert all("<th scope=\"row\"" in str(html) for html in rows_html.values())
