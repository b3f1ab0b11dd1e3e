"""What the importer brings needs no hand-cleaning (issue 18). Every saved page in
../shared/corpus/portal-html is imported in one run of the folder, and for each
the body a visitor would read is the page's own visible text, character for
character (spaces aside), less only what moved into the front-matter (the title
and 发文字号 repeated at the top) and the 印发 line at the foot; with no word broken
by a space, no no-break-space runs, no sentence cut in two. The importer says
what it cleaned, fills what the page states (a project's 项目名称, a
solicitation's email and address), warns about documents already in content/,
flags a short solicitation period and points at --assign-index-no."""
from __future__ import annotations

import re
import shutil

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import CORPUS, ROOT, run_script

PAGES = CORPUS / "portal-html"
# Where each page keeps the text a visitor reads as the document's body (looked up by hand).
BODY = {
    "deqing-county-2016-fixed-asset-investment.html": "#zoom",
    "govcn-2018-guobanfa115-content-fragment.html": "#UCAP-CONTENT",
    "govcn-2018-guobanfa123-content-fragment.html": "#UCAP-CONTENT",
    "govcn-2018-holidays-2019-content-fragment.html": "#UCAP-CONTENT",
    "pingtan-2015-work-injury-insurance-rate-policy-page.html": ".article_content",
    "pingtan-2024-xintan-city-plaza-completion-acceptance-page.html": ".TRS_Editor",
    "pingtan-2026-food-safety-rider-reward-consultation-page.html": ".TRS_Editor",
}
TYPES = {"pingtan-2024-xintan-city-plaza-completion-acceptance-page.html": "project",
         "pingtan-2026-food-safety-rider-reward-consultation-page.html": "solicitation"}
HAN = "\u4e00-\u9fff"
BROKEN_WORD = re.compile(rf"[{HAN}][\s\xa0\u3000]+[{HAN}]")


def flat(text: str) -> str:
    return re.sub(r"[\s\xa0\u3000]+", "", text)


def split(path):
    text = path.read_text(encoding="utf-8")
    head, body = text.removeprefix("---\n").split("\n---\n", 1)
    return yaml.safe_load(head), body


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The whole folder in one run per type (each page as the type it is), into an empty content tree."""
    work = tmp_path_factory.mktemp("import")
    content = work / "content"
    by_type = {}
    for name in BODY:
        by_type.setdefault(TYPES.get(name, "policy"), []).append(name)
    outputs = {}
    for doc_type, names in by_type.items():
        folder = work / f"saved-{doc_type}"
        folder.mkdir()
        for name in names:
            shutil.copy(PAGES / name, folder / name)
        result = run_script("import_html.py", folder, "--type", doc_type, "--content", content)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        outputs[doc_type] = result.stdout
    return content, outputs


def test_every_saved_page_is_in_the_corpus_list():
    assert sorted(BODY) == sorted(p.name for p in PAGES.glob("*.html"))


@pytest.mark.parametrize("name", sorted(BODY))
def test_the_body_is_the_pages_visible_text_less_what_moved_to_the_front_matter(imported, name):
    content, _ = imported
    meta, body = split(content / TYPES.get(name, "policy") / name.replace(".html", ".md"))
    page = BeautifulSoup((PAGES / name).read_text(encoding="utf-8"), "html.parser")
    element = page.select_one(BODY[name])
    for tag in element.find_all(["script", "style"]):
        tag.decompose()
    visible = flat(element.get_text())
    body = body.split("\n## 附件\n")[0]            # the list of attachments left online is the importer's
    shown = flat(BeautifulSoup(markdown.markdown(body, extensions=["tables"]), "html.parser").get_text())
    assert shown and shown in visible, name
    head, tail = visible.split(shown, 1)
    for moved in (flat(meta["title"]), flat(str(meta.get("doc_no", "")))):   # repeated at the top
        head = head.replace(moved, "", 1) if moved else head
    assert head == ""
    assert tail == "" or re.fullmatch(r".{0,60}\d{4}年\d{1,2}月\d{1,2}日印发", tail), tail


@pytest.mark.parametrize("name", sorted(BODY))
def test_the_body_reads_clean(imported, name):
    content, _ = imported
    meta, body = split(content / TYPES.get(name, "policy") / name.replace(".html", ".md"))
    html = BeautifulSoup(markdown.markdown(body, extensions=["tables"]), "html.parser")
    blocks = [el.get_text() for el in html.find_all(["p", "td", "th", "h2", "h3", "li"])]
    assert [b for b in blocks if BROKEN_WORD.search(b)] == []          # 工 伤保险
    assert "\xa0" not in body and "&nbsp;" not in body
    assert not any(b.rstrip().endswith("印发") for b in blocks)
    paragraphs = [p.get_text() for p in html.find_all("p")]
    assert flat(paragraphs[0]) not in (flat(meta["title"]), flat(str(meta.get("doc_no", ""))))
    assert not BROKEN_WORD.search(meta["title"])


def test_a_sentence_cut_into_two_paragraphs_is_one_again(imported):
    content, outputs = imported
    _, body = split(content / "policy" / "pingtan-2015-work-injury-insurance-rate-policy-page.md")
    assert "即在2015年10月至2017年12月31日期间，新登记参加工伤保险的工程项目" in body
    assert "工伤保险经办机构根据用人单位上两个缴费年度" in body
    assert body.rstrip().endswith("平潭综合实验区管委会办公室\n\n2015年9月29日")   # the 落款 stays two lines
    report = outputs["policy"]
    assert ("  已清理：标题中多余的空格已删去：平潭综合实验区管委会办公室关于调整平潭综合实验区工伤保险费率政策的通知；"
            "段落内的 8 处断行已接上；被拆成两段的 1 句话已合成一段；正文开头重复的发文字号和标题已删去（已在元数据中）；"
            "文末的印发行已删去：平潭综合实验区管委会办公室 2015年9月29日印发；"
            "2 段中多余的空格和不换行空格（&nbsp;）已删去") in report.splitlines()


def test_a_gov_cn_body_in_a_layout_table_is_paragraphs_not_one_table_cell(imported):
    content, _ = imported
    _, body = split(content / "policy" / "govcn-2018-holidays-2019-content-fragment.md")
    assert "|" not in body
    assert "\n\n三、清明节：4月5日放假，与周末连休。\n\n" in body


def test_what_the_page_states_fills_the_fields(imported):
    content, outputs = imported
    project, _ = split(content / "project" / "pingtan-2024-xintan-city-plaza-completion-acceptance-page.md")
    assert (project["project_name"], project["location"], project["builder"]) == (
        "新潭城市广场", "平潭综合实验区西航路西侧、海坛东路北侧", "福建省新潭置业有限公司")
    solicitation, _ = split(content / "solicitation" / "pingtan-2026-food-safety-rider-reward-consultation-page.md")
    assert solicitation["ways_to_respond"] == {"email": "ptscjgspc@163.com",
                                               "postal_address": "平潭县金井湾商务营运中心7号楼5层512室"}
    assert ("  注意：原页面的征集期为 7 个工作日，短于规定的 30 天（GONGKAI_MIN_SOLICITATION_DAYS）；"
            "填写开始时间和截止时间时，请一并填写征集期较短的理由 (short_period_reason)") in outputs["solicitation"].splitlines()


def test_a_folder_ends_with_a_summary_table(imported):
    _, outputs = imported
    lines = outputs["policy"].splitlines()
    start = lines.index("汇总（5 个页面）：")
    assert lines[start + 1] == "| 原页面 | 导入为 | 待核实 | 已清理 | 注意 |"
    rows = [line.split(" | ") for line in lines[start + 3: start + 8]]
    assert [r[0].lstrip("| ") for r in rows] == sorted(n for n in BODY if n not in TYPES)
    assert all(r[1].endswith(".md") for r in rows)


def test_a_page_already_in_content_is_pointed_out_and_the_number_hint_given(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "policy", content / "policy")
    result = run_script("import_html.py", PAGES / "govcn-2018-holidays-2019-content-fragment.html",
                        PAGES / "pingtan-2015-work-injury-insurance-rate-policy-page.html",
                        "--content", content, "--out", tmp_path / "new")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert (f"  注意：内容目录中可能已有这份文件：{content}/policy/sc-2018-guobanfamingdian15-2019-holidays.md"
            "（发文字号、索引号、标题相同）；请确认不是重复导入") in lines
    assert (f"  注意：内容目录中可能已有这份文件：{content}/policy/pingtan-2015-work-injury-insurance-rate-adjustment.md"
            "（发文字号、标题相同）；请确认不是重复导入") in lines
    assert "  注意：原页面的索引号不能用：重新导入时加 --assign-index-no，按发布日期的年份分配下一个空闲索引号" in lines


def test_a_line_break_the_page_wrote_stays_and_english_words_keep_their_space(tmp_path):
    from gongkai.commands.importer import extract
    page = tmp_path / "page.html"
    page.write_text('<html><body><div id="zoom"><p>按照《国民经济行业分类》对行业的划分，参照 GB/T 4754\nstandard\n'
                    "codes，确定工\n伤风险类别<br>平潭综合实验区管委会办公室<br>2015年9月29日</p></div></body></html>",
                    encoding="utf-8")
    assert extract(page).body == ("按照《国民经济行业分类》对行业的划分，参照 GB/T 4754 standard codes，确定工伤风险类别\n\n"
                                  "平潭综合实验区管委会办公室\n\n2015年9月29日\n")


def test_a_solicitation_period_given_as_two_dates_is_flagged_when_short(tmp_path):
    from gongkai.commands.importer import complete, extract
    from gongkai.core import settings
    page = tmp_path / "page.html"
    page.write_text('<html><body><div id="zoom"><p>征求意见时间为2024年5月27日至2024年6月10日。意见请发送至'
                    "xxgk@example.gov.cn。</p></div></body></html>", encoding="utf-8")
    imp = extract(page)
    complete(imp, "solicitation", settings.load())
    assert ("原页面的征集期为 2024-05-27 至 2024-06-10，共 14 天，短于规定的 30 天（GONGKAI_MIN_SOLICITATION_DAYS）；"
            "填写开始时间和截止时间时，请一并填写征集期较短的理由 (short_period_reason)") in imp.notes
    assert imp.values["ways_to_respond"] == {"email": "xxgk@example.gov.cn"}
