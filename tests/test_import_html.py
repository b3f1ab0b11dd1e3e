"""The old-portal importer (issue 6), against the real pages in
../shared/corpus/portal-html/ and the county seed: the fields it extracts are
what MANIFEST.csv and the pages say; what it cannot find is marked and
blocked by make check until filled in; GBK bytes are read correctly."""
from __future__ import annotations

import csv
import re

import pytest
import yaml

from conftest import CORPUS, FIXTURES, SEEDS, run_script
from gongkai.commands.importer import extract

PAGES = CORPUS / "portal-html"
SEED = SEEDS / "000_a4845460e2f79c42.txt"
IMPORT_FIXTURES = FIXTURES / "import"


def manifest() -> dict:
    with open(CORPUS / "MANIFEST.csv", encoding="utf-8") as fh:
        return {row["path"]: row for row in csv.DictReader(fh)}


def front_matter(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n")[0].removeprefix("---\n"))


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_title_and_date_match_the_manifest(name):
    row = manifest()[f"portal-html/{name}"]
    imp = extract(PAGES / name)
    assert imp.values["title"] == re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", row["title"])  # stray space
    assert imp.values["date"] == row["date"]
    assert imp.values["issuer"] in row["issuer"]     # Deqing: 德清县（信息来源：省发改委）


def test_seed_text_page_fields():
    imp = extract(SEED)
    assert {k: imp.values[k] for k in ("title", "author", "date", "doc_no", "issuer", "written")} == {
        "title": "延寿县人民政府印发关于进一步提升政府执行力的意见的通知",
        "author": "延寿县信息中心",
        "date": "2018-10-20",                     # 更新时间
        "doc_no": "延政发〔2018〕10号",            # the 文号 line
        "issuer": "延寿县人民政府",                # 落款
        "written": "2018-11-12",                  # 落款 date
    }
    body = imp.body.split("\n")
    assert body[0] == "各乡(镇)人民政府,县政府各直属单位,中省市直单位:"   # the 文号 line is in doc_no
    assert "各乡(镇)人民政府,县政府各直属单位,中省市直单位:" in body
    assert not any(line.startswith((" ", "\u3000", "\xa0")) for line in body)   # indents would make code blocks
    assert "欢迎登录" not in imp.body and "首页" not in imp.body


def test_pingtan_policy_page_index_block():
    imp = extract(PAGES / "pingtan-2015-work-injury-insurance-rate-policy-page.html")
    assert imp.values["doc_no"] == "岚综管办〔2015〕188号"
    assert imp.values["written"] == "2015-09-29"
    assert imp.values["validity"] == "valid"
    assert imp.values["_page_index_no"] == "PZ00101-0200-2015-00045"
    assert imp.values["issuer"] == "平潭综合实验区管委会办公室"      # 落款, not the block's 中国平潭
    assert "## 一、关于行业工伤风险类别划分" in imp.body.split("\n")
    assert "索 引 号" not in imp.body and "扫一扫" not in imp.body


def test_govcn_fragment_keeps_its_index_no_and_topic():
    imp = extract(PAGES / "govcn-2018-guobanfa115-content-fragment.html")
    assert imp.values["_page_index_no"] == "000014349/2018-00216"
    assert imp.values["topic"] == "公安、安全、司法/司法"
    assert imp.values["doc_no"] == "国办发〔2018〕115号"
    assert imp.values["written"] == "2018-12-04"


def test_tables_and_attachments():
    plaza = extract(PAGES / "pingtan-2024-xintan-city-plaza-completion-acceptance-page.html")
    rows = [ln for ln in plaza.body.split("\n") if ln.startswith("|")]
    assert any("工程造价" in r and "7860.94万元" in r for r in rows)
    consult = extract(PAGES / "pingtan-2026-food-safety-rider-reward-consultation-page.html")
    assert consult.attachments == [("外卖骑手“食安哨兵”小额举报奖励实施方案（征求意见稿）.doc",
                                    "https://www.pingtan.gov.cn/zwgk/gsgg/202609/P020260902372825118414.doc")]


@pytest.mark.parametrize("fixture, original", [
    ("pingtan-2015-work-injury-page.gbk-reencoded-utf8-declared.html",
     PAGES / "pingtan-2015-work-injury-insurance-rate-policy-page.html"),
    ("govcn-2018-holidays-fragment.gbk-reencoded.html", PAGES / "govcn-2018-holidays-2019-content-fragment.html"),
    ("yanshou-2018-execution-seed.gb18030-reencoded.txt", SEED),
])
def test_gbk_pages_read_like_their_utf8_originals(fixture, original):
    with pytest.raises(UnicodeDecodeError):      # the fixture really is not UTF-8
        (IMPORT_FIXTURES / fixture).read_bytes().decode("utf-8")
    imp, ref = extract(IMPORT_FIXTURES / fixture), extract(original)
    assert imp.encoding == "GB18030" and ref.encoding == "UTF-8"
    assert imp.values == ref.values
    assert imp.body.replace("\xa0", " ") == ref.body.replace("\xa0", " ")


def test_import_then_fill_marked_fields_then_check_passes(tmp_path):
    content = tmp_path / "content"
    result = run_script("import_html.py", SEED, PAGES / "pingtan-2015-work-injury-insurance-rate-policy-page.html",
                        "--content", content)
    assert result.returncode == 0, result.stdout + result.stderr
    seed_md = content / "policy" / "000_a4845460e2f79c42.md"
    page_md = content / "policy" / "pingtan-2015-work-injury-insurance-rate-policy-page.md"
    out = result.stdout.splitlines()
    assert out[0] == "导入结果："
    assert ("  待核实 3 项：索引号 (index_no) 原页面没有索引号；五公开类别 (disclosure) 原页面没有五公开类别；"
            "保密审查 (review) 导入的文件须经保密审查后填写") in out
    assert ("  待核实 3 项：索引号 (index_no) 原页面索引号为 PZ00101-0200-2015-00045，不符合本站索引号格式；"
            "五公开类别 (disclosure) 原页面没有五公开类别；保密审查 (review) 导入的文件须经保密审查后填写") in out
    assert out[-2] == "共导入 2 个文件，6 项待核实。"

    before = run_script("check.py", "--content", content)
    assert before.returncode == 1
    lines = seed_md.read_text(encoding="utf-8").split("\n")
    assert (f"{seed_md}:{lines.index('disclosure: 【待核实】原页面没有五公开类别') + 1}: 五公开类别 (disclosure) — "
            "还没有核实：原页面没有五公开类别；请核对原件后填写，例如 decision（决策公开）") in before.stdout.splitlines()
    assert before.stdout.count("还没有核实") == 4      # index_no and disclosure in each file, no duplicate-index noise
    review_line = lines.index("  date: 【待核实】导入的文件须经保密审查后填写") + 1
    assert (f"{seed_md}:{review_line}: 审查日期 (review.date) — 还没有保密审查记录，未经审查的信息不得公开（条例第十七条）；"
            "审查通过后由审查人把【待核实】一句换成实际内容，例如 2018-10-19") in before.stdout.splitlines()
    assert before.stdout.count("还没有保密审查记录") == 6   # result, reviewer and date in each file

    fills = {
        seed_md: {"index_no": "11230129MB1848123X/2018-00010", "disclosure": "execution",
                  "result": "passed", "reviewer": "延寿县信息中心", "date": "2018-10-19"},
        page_md: {"index_no": "11230129MB1848123X/2015-00045", "disclosure": "execution",
                  "result": "passed", "reviewer": "平潭综合实验区管委会办公室", "date": "2015-10-08"},
    }
    for path, values in fills.items():
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^(\s*)(\w+): 【待核实】.*$", lambda m: f"{m[1]}{m[2]}: {values[m[2]]}", text, flags=re.M)
        path.write_text(text, encoding="utf-8")
    after = run_script("check.py", "--content", content)
    assert after.returncode == 0, after.stdout
    # what remains is what the seed page itself says: 落款 2018-11-12 after 更新时间 2018-10-20
    assert [ln for ln in after.stdout.splitlines() if "错误" not in ln] == [
        f"{seed_md}:{lines.index(WRITTEN) + 1}: 成文日期 (written) — 提醒： 成文日期 2018-11-12 晚于发布日期 2018-10-20；"
        "请核对两个日期（文件通常先成文后发布）"]
    assert front_matter(page_md)["doc_no"] == "岚综管办〔2015〕188号"


WRITTEN = 'written: "2018-11-12"'     # dates are written quoted, as the README writes them


def test_never_overwrites_and_says_so(tmp_path):
    content = tmp_path / "content"
    run_script("import_html.py", SEED, "--content", content)
    path = content / "policy" / "000_a4845460e2f79c42.md"
    before = path.read_bytes()
    again = run_script("import_html.py", SEED, "--content", content)
    assert again.returncode == 1
    assert f"{path}: 文件已存在，没有覆盖；请先改名或删除旧文件" in again.stdout.splitlines()
    assert path.read_bytes() == before


def test_assign_index_no_uses_the_next_free_number(tmp_path):
    content = tmp_path / "content"
    result = run_script("import_html.py", SEED, PAGES / "pingtan-2015-work-injury-insurance-rate-policy-page.html",
                        "--content", content, "--assign-index-no")
    assert result.returncode == 0
    assert front_matter(content / "policy" / "000_a4845460e2f79c42.md")["index_no"] == "11230129MB1848123X/2018-00001"
    page = front_matter(content / "policy" / "pingtan-2015-work-injury-insurance-rate-policy-page.md")
    assert page["index_no"] == "11230129MB1848123X/2015-00001"
    assert "原页面索引号 PZ00101-0200-2015-00045 不符合本站格式，已改用 11230129MB1848123X/2015-00001" in result.stdout
