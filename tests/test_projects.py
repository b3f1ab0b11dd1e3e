"""重大建设项目 (issue 7): stage checks with file and line, the approval table,
the stage timeline with the current stage, and the listing by stage sorted by
investment. Fixtures are the real 新潭城市广场 disclosure with its published
开竣工时间 (2021.03—2023.03) as stages."""
from __future__ import annotations

import shutil
from decimal import Decimal

import yaml

from conftest import FIXTURES, ROOT, build_site, run_script, soup_of

DATA = FIXTURES / "data"
XINTAN = "xxgk/11230129MB1848123X-2024-00002/"


def _content_with(tmp_path, case, edit=None):
    content = tmp_path / "content"
    (content / "project").mkdir(parents=True)
    target = content / "project" / f"{case}.md"
    shutil.copy(DATA / case / f"{case}.md", target)
    if edit:
        text = target.read_text(encoding="utf-8")
        for old, new in edit:
            assert old in text
            text = text.replace(old, new)
        target.write_text(text, encoding="utf-8")
    return content


def _check(content):
    result = run_script("check.py", "--content", content)
    return result, [l.replace(f"{content}/", "") for l in result.stdout.splitlines() if l.startswith(str(content))]


def test_misordered_stage_date_is_reported_with_its_line(tmp_path):
    result, lines = _check(_content_with(tmp_path, "project_misordered_stage"))
    assert lines == ["project/project_misordered_stage.md:19: 阶段日期 (stages[1].date) — “竣工”的日期 2020-03-01 "
                     "早于上一阶段“开工”的日期 2021-03-01；阶段应按时间先后排列，请核对日期或调整顺序"]
    assert result.returncode == 1


def test_stage_out_of_sequence_is_reported(tmp_path):
    content = _content_with(tmp_path, "project_misordered_stage", [
        ('date: "2020-03-01"', 'date: "2023-03-01"'),
        ('stage: "start"', 'stage: "TMP"'), ('stage: "completion"', 'stage: "start"'), ('stage: "TMP"', 'stage: "completion"')])
    result, lines = _check(content)
    assert lines == ["project/project_misordered_stage.md:18: 阶段 (stages[1].stage) — “开工”排在“竣工”之后；"
                     "阶段应按 立项、批复、招标、开工、建设进展、竣工、验收 的顺序排列（建设进展可以有多条）"]
    assert result.returncode == 1


def test_non_numeric_investment_is_reported(tmp_path):
    result, lines = _check(_content_with(tmp_path, "project_non_numeric_investment"))
    assert lines == ["project/project_non_numeric_investment.md:11: 总投资（万元） (investment) — "
                     "值“7860.94万元”的类型不对；应为数字"]
    assert result.returncode == 1


def test_stage_naming_a_missing_document_is_reported(tmp_path):
    content = _content_with(tmp_path, "project_misordered_stage", [
        ('date: "2020-03-01"', 'date: "2023-03-01"'),
        ('    note: "开工（开竣工时间 2021.03—2023.03）"\n',
         '    note: "开工（开竣工时间 2021.03—2023.03）"\n    documents: ["11230129MB1848123X/2021-09999"]\n')])
    result, lines = _check(content)
    assert lines == ["project/project_misordered_stage.md:18: 相关文件 (stages[0].documents[0]) — 索引号 "
                     "11230129MB1848123X/2021-09999 找不到对应的文件；应填写 content/ 中已有文件的索引号"]
    assert result.returncode == 1


def test_project_page_has_the_approval_table_and_the_timeline(page):
    main = page(XINTAN).find("main")
    table = main.select_one(".gk-table--approval")
    assert table.caption.get_text(strip=True) == "项目批准信息"
    rows = {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in table.find_all("tr")}
    assert all(tr.th["scope"] == "row" for tr in table.find_all("tr"))
    assert rows["项目名称"] == "新潭城市广场" and rows["建设单位"] == "福建省新潭置业有限公司"
    assert rows["总投资（万元）"] == "7,860.94 万元"
    current = main.select(".gk-timeline__item--current")
    assert len(current) == 1 and current[0]["aria-current"] == "step"
    assert "验收" in current[0].get_text() and "当前阶段" in current[0].get_text()


def test_current_stage_follows_the_build_clock(tmp_path):
    content = _content_with(tmp_path, "project_misordered_stage", [('date: "2020-03-01"', 'date: "2023-03-01"')])
    out = tmp_path / "out"
    assert build_site(content, out, asof="2022-06-01T09:00").returncode == 0
    items = soup_of(out / "xxgk/11230129MB1848123X-2024-09001/index.html").select("main .gk-timeline__item")
    # on 2022-06-01 the works have started (2021-03-01) but are not complete (2023-03-01)
    assert [i["class"][-1] for i in items] == ["gk-timeline__item--current", "gk-timeline__item--upcoming",
                                              "gk-timeline__item--upcoming"]


def _front_matter(path):
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1])


def test_listing_is_sorted_by_investment_and_filtered_by_stage(page, site):
    # independent: the current stage of each real project is its last stage dated on or before the build clock
    projects = {}
    for f in sorted((ROOT / "content" / "project").glob("*.md")):
        meta = _front_matter(f)
        dated = [s for s in meta["stages"] if str(s["date"]) <= "2026-09-05"]
        projects[meta["project_name"]] = (meta.get("investment"), dated[-1]["stage"] if dated else None)
    main = page("project/list/").find("main")
    names = [tr.th.get_text(strip=True) for tr in main.select("tbody tr")]
    expected = sorted(projects, key=lambda n: (projects[n][0] is None, -Decimal(str(projects[n][0] or 0))))
    assert names == expected
    filters = {a.get_text(strip=True): a for a in main.select(".gk-filter__link")}
    assert filters[f"全部阶段（{len(projects)}）"]["aria-current"] == "page"
    for stage, title in (("approval", "批复"), ("acceptance", "验收"), ("start", "开工")):
        wanted = [n for n in expected if projects[n][1] == stage]
        assert f"{title}（{len(wanted)}）" in filters
        sub = page(f"project/list/{stage}/").find("main")
        assert [tr.th.get_text(strip=True) for tr in sub.select("tbody tr")] == wanted
        assert sub.select_one('.gk-filter__link[aria-current="page"]').get_text(strip=True) == f"{title}（{len(wanted)}）"
