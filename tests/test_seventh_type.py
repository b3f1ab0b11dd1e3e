"""A new content type is one schema file.

The issue's test of the redesign, done as a newcomer would: on a copy of the
project, add `metadata_schema/commendation.yaml` (表彰奖励) and nothing else,
move a real commendation from content/decision/ into content/commendation/
with the new type's own fields, then check and build. The page, its fields
with the type's own titles, the listing, the breadcrumb, the feed and the
search filter must all appear without editing any other file.

(The issue's example was 人事信息; the corpus holds no real personnel
document, and a government document is never invented here, so the real
commendation decision 岚综管综〔2015〕88号 plays the newcomer's part.)
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, project_copy, run_in

DECISION = "pingtan-2015-commend-12-financial-institutions-decision.md"

COMMENDATION_SCHEMA = """\
$schema: https://json-schema.org/draft/2020-12/schema
$id: commendation.yaml
title: 表彰奖励
description: 对单位和个人的表彰、奖励决定。
x-type: {order: 7}
allOf: [{$ref: common.yaml}]
required: [honoree, decision_date]
unevaluatedProperties: false
properties:
  honoree:
    x-show: {meta: 120}
    type: string
    title: 受表彰对象
    description: 受到表彰的单位或个人。
  honor:
    x-show: {meta: 121}
    type: string
    title: 荣誉称号
    description: 授予的荣誉称号或奖项名称。
  decision_date:
    x-show: {meta: 122}
    type: string
    format: date
    title: 表彰日期
    description: 作出表彰决定的日期，格式 YYYY-MM-DD。
"""

HONOREE = "国家开发银行福建省分行客户一处等12家金融机构"
HONOR = "2012-2014年度平潭综合实验区金融合作突出贡献奖、金融服务贡献奖、金融合作贡献奖"


def _as_commendation(text: str) -> str:
    """The decision's front-matter with the new type's fields instead of 决策结果's."""
    text = re.sub(r'^outcome: .*\n', f'honoree: "{HONOREE}"\nhonor: "{HONOR}"\n', text, flags=re.M)
    assert "honoree:" in text
    return text


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = project_copy(tmp_path_factory.mktemp("seventh"), [f"decision/{DECISION}"])
    (project / "metadata_schema" / "commendation.yaml").write_text(COMMENDATION_SCHEMA, encoding="utf-8")
    moved = project / "content" / "commendation" / DECISION
    moved.parent.mkdir()
    source = project / "content" / "decision" / DECISION
    moved.write_text(_as_commendation(source.read_text(encoding="utf-8")), encoding="utf-8")
    source.unlink()
    return project


@pytest.fixture(scope="module")
def built(project) -> Path:
    result = run_in(project, "build.py", "--no-reuse")
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "output"


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_check_accepts_the_new_type(project):
    result = run_in(project, "check.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "检查通过" in result.stdout


def test_the_new_types_own_required_field_is_checked(project, tmp_path):
    doc = project / "content" / "commendation" / DECISION
    original = doc.read_text(encoding="utf-8")
    try:
        doc.write_text(re.sub(r'^honoree: .*\n', "", original, flags=re.M), encoding="utf-8")
        result = run_in(project, "check.py")
    finally:
        doc.write_text(original, encoding="utf-8")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    line = next(line for line in result.stdout.splitlines() + result.stderr.splitlines() if "honoree" in line)
    assert f"content/commendation/{DECISION}" in line and "受表彰对象" in line


def test_the_page_shows_the_types_fields_with_its_own_titles(built):
    pages = [p for p in built.rglob("*.html") if "岚综管综〔2015〕88号" in p.read_text(encoding="utf-8")
             and _soup(p).find("h1", string=re.compile("金融机构予以表彰"))]
    assert len(pages) == 1, pages
    soup = _soup(pages[0])
    rows = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
            for dt in soup.find_all("dt")}
    assert rows.get("受表彰对象") == HONOREE
    assert rows.get("荣誉称号") == HONOR
    assert rows.get("表彰日期", "").startswith("2015")
    assert "决策日期" not in rows and "决策结果" not in rows
    crumbs = soup.find(attrs={"aria-label": re.compile("面包屑|当前位置")})
    assert crumbs is not None and "表彰奖励" in crumbs.get_text()


def test_the_type_has_a_listing_a_feed_and_a_search_filter(built):
    listing = next(p for p in built.rglob("index.html") if "commendation" in p.parent.as_posix())
    soup = _soup(listing)
    assert "表彰奖励" in soup.find("h1").get_text()
    assert soup.find("a", string=re.compile("金融机构予以表彰"))
    feed = built / "feeds" / "commendation.atom.xml"
    assert feed.is_file() and "金融机构予以表彰" in feed.read_text(encoding="utf-8")
    # 政府信息公开 links every type's listing.
    assert _soup(built / "xxgk" / "index.html").find("a", href=re.compile(r"commendation/$"))
    # The type's name is a value of the search index's 类型 filter (the search page's
    # checkboxes are drawn from Pagefind's filter chunks: gzip after a "pagefind_dcd" tag).
    chunks = [gzip.decompress(chunk.read_bytes()) for chunk in (built / "pagefind" / "filter").iterdir()]
    assert any("类型".encode() in data and "表彰奖励".encode() in data for data in chunks)
