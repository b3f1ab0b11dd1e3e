"""The link check over output/: the real site passes; a planted broken link,
a missing attachment and a dangling in-page anchor each fail it, with the
page, the line and the target named in Chinese."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import run_script
from gongkai.core.linkcheck import check, resolve


def test_real_site_has_no_broken_links(site):
    problems, pages, links = check(site)
    assert [str(p) for p in problems] == []
    assert pages > 30 and links > pages * 10
    result = run_script("linkcheck.py", site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("链接检查通过：")


@pytest.fixture
def copy(site, tmp_path):
    out = tmp_path / "output"
    shutil.copytree(site, out)
    return out


def test_planted_broken_link_fails_naming_page_and_target(copy):
    page = next(p for p in sorted((copy / "xxgk").glob("*/index.html")))
    lines = page.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if "<main" in line)
    lines.insert(at + 1, '<p><a href="../no-such-document/">不存在的文件</a></p>')
    page.write_text("\n".join(lines), encoding="utf-8")
    result = run_script("linkcheck.py", copy)
    assert result.returncode == 1
    rel = page.relative_to(copy).as_posix()
    slug = page.parent.name
    assert result.stdout.splitlines() == [
        f"{copy}/{rel}:{at + 2}: 链接 ../no-such-document/ 指向的 /xxgk/no-such-document/ 不存在；"
        "请改正链接，或补上该页面或附件（附件应放在 content/ 中并写进 attachments）"]
    assert "共 1 个失效链接，涉及 1 个页面。" in result.stderr
    assert slug in result.stdout


def test_missing_attachment_and_dangling_anchor_are_reported(copy):
    # An attachment some document page links to (download link), deleted from the output.
    linked = []
    for doc_page in sorted((copy / "xxgk").glob("*/index.html")):
        for m in re.finditer(r'href="([^"]*files/[^"]+)"', doc_page.read_text(encoding="utf-8")):
            linked.append((doc_page.parent / m.group(1)).resolve())
    page = sorted((copy / "xxgk").glob("*/index.html"))[0]
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</main>", '<p><a href="#no-such-part">第三部分</a></p></main>'), encoding="utf-8")
    if linked:
        linked[0].unlink()
    problems, _, _ = check(copy)
    codes = {p.code for p in problems}
    assert "broken_fragment" in codes
    fragment = next(p for p in problems if p.code == "broken_fragment")
    assert "页内链接 #no-such-part 在本页找不到 id=\"no-such-part\" 的位置" in str(fragment)
    if linked:
        missing = linked[0].relative_to(copy).as_posix()
        assert any(p.code == "broken_link" and p.params["resolved"] == missing for p in problems)


@pytest.mark.parametrize("page, target, expected", [
    ("xxgk/a/index.html", "../b/", "xxgk/b/"),
    ("xxgk/a/index.html", "../../", ""),
    ("xxgk/a/index.html", "/theme/css/site.css", "theme/css/site.css"),
    ("index.html", "./policies/?year=2018#top", "policies/"),
    ("index.html", "files/policy/%E9%99%84%E4%BB%B6.pdf", "files/policy/附件.pdf"),
    ("index.html", "https://www.gov.cn/", None),
    ("index.html", "mailto:xxgk@example.invalid", None),
    ("index.html", "#main", None),
    ("index.html", "../../etc/passwd", ".."),
    ("index.html", "https://www.yanshou.gov.cn/xxgk/", "xxgk/"),
])
def test_resolve(page, target, expected):
    assert resolve(page, target, site_url="https://www.yanshou.gov.cn") == expected
