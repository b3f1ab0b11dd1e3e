"""make new (issue 6): scripts/new.py writes a complete file from the schema,
assigns the next free index_no, never overwrites, and the file passes make
check once its body is written. The 保密审查 record (issue 14) is never
filled in for staff: one Enter leaves it 【待核实】, and make check (and the
build) refuse it until the reviewer has written a real one."""
from __future__ import annotations

import re

import pytest
import yaml

from conftest import ASOF, ROOT, build_site, run_script
from gongkai.core import schema
from publishing_docs import seed_paragraphs, seed_policy, write

POLICY = ["--type", "policy", "--title", "延寿县人民政府印发关于进一步提升政府执行力的意见的通知",
          "--issuer", "延寿县人民政府", "--date", "2018-10-20", "--disclosure", "execution",
          "--doc-no", "延政发[2018]10号", "--written", "2018-10-12",
          "--review-result", "passed", "--review-reviewer", "延寿县信息中心", "--review-date", "2018-10-19",
          "--no-input"]


def fill_body(path, paragraphs):
    """Replace every 【待填写】 line of the skeleton by a real paragraph."""
    lines, queue = path.read_text(encoding="utf-8").split("\n"), list(paragraphs)
    path.write_text("\n".join(queue.pop(0) if "【待填写】" in ln else ln for ln in lines), encoding="utf-8")


def test_new_policy_has_every_schema_field_with_its_chinese_comment(tmp_path):
    content = tmp_path / "content"
    result = run_script("new.py", "--content", content, *POLICY)
    assert result.returncode == 0, result.stderr
    path = content / "policy" / "2018-00001.md"
    assert result.stdout.splitlines()[0] == f"已新建 {path}（索引号 11230129MB1848123X/2018-00001）。"
    text = path.read_text(encoding="utf-8")
    head = text.split("\n---\n")[0]
    meta = yaml.safe_load(head.removeprefix("---\n"))
    assert meta["doc_no"] == "延政发〔2018〕10号"                 # normalised
    assert meta["index_no"] == "11230129MB1848123X/2018-00001"
    assert meta["review"]["result"] == "passed"
    for key, prop in schema.properties("policy").items():        # the schema is the field list
        assert re.search(rf"^(# )?{key}:", head, re.M), key
        assert f"# {prop['title']}" in head, key
    # a policy's body: 主送, 正文, 落款 with the issuer and 成文日期
    body = text.split("\n---\n", 1)[1]
    assert "【待填写】主送机关" in body
    assert body.rstrip().endswith("延寿县人民政府\n\n2018年10月12日")


def test_new_file_passes_make_check_once_the_body_is_written(tmp_path):
    content = tmp_path / "content"
    run_script("new.py", "--content", content, *POLICY)
    path = content / "policy" / "2018-00001.md"
    before = run_script("check.py", "--content", content)
    assert before.returncode == 1
    marked = [i + 1 for i, ln in enumerate(path.read_text(encoding="utf-8").split("\n")) if "【待填写】" in ln]
    assert len(marked) == 4
    assert (f"{path}:{marked[0]}: 正文还有待填写的模板内容“【待填写】主送机关，例如：各乡（镇）人民政府，县政府各直属单位：”；"
            "请写好这一段并删去【待填写】标记") in before.stdout.splitlines()
    fill_body(path, seed_paragraphs())
    after = run_script("check.py", "--content", content)
    assert after.stdout.splitlines() == ["检查通过：1 个文件，没有发现问题。"]
    assert after.returncode == 0


def test_index_no_is_the_next_free_number_for_the_org_and_year(tmp_path):
    content = tmp_path / "content"
    write(content, "policy/existing.md", seed_policy(index_no="11230129MB1848123X/2018-00007"))
    write(content, "policy/other-year.md", seed_policy(index_no="11230129MB1848123X/2017-00031",
                                                      doc_no="延政发〔2017〕3号", date="2017-05-02", written="2017-04-28"))
    result = run_script("new.py", "--content", content, *POLICY[:-1], "--doc-no", "延政发〔2018〕12号", "--no-input")
    assert result.returncode == 0, result.stderr
    assert "索引号 11230129MB1848123X/2018-00008" in result.stdout
    assert (content / "policy" / "2018-00008.md").is_file()


def test_never_overwrites(tmp_path):
    content = tmp_path / "content"
    first = run_script("new.py", "--content", content, *POLICY, "--file", "execution.md")
    assert first.returncode == 0
    before = (content / "policy" / "execution.md").read_bytes()
    again = run_script("new.py", "--content", content, *POLICY, "--file", "execution.md")
    assert again.returncode == 1
    assert again.stderr.strip() == f"{content / 'policy' / 'execution.md'}: 文件已存在，没有覆盖；请用 --file 换一个文件名"
    assert (content / "policy" / "execution.md").read_bytes() == before


def test_missing_required_field_without_input_names_the_option(tmp_path):
    result = run_script("new.py", "--content", tmp_path / "content", "--type", "policy", "--no-input",
                        "--title", "延寿县人民政府印发关于进一步提升政府执行力的意见的通知")
    assert result.returncode == 2
    assert result.stderr.strip() == "缺少 五公开类别 (disclosure)；请用 --disclosure 提供，或去掉 --no-input 按提示填写"
    assert not (tmp_path / "content" / "policy").exists()


def test_bad_option_value_is_explained_in_chinese(tmp_path):
    result = run_script("new.py", "--content", tmp_path / "content", *POLICY[:-1], "--date", "2018-02-30", "--no-input")
    assert result.returncode == 2
    assert result.stderr.strip() == "发布日期 (date) — “2018-02-30”不是有效的日期；应写作 YYYY-MM-DD，例如 2018-10-20"


def test_interactive_solicitation_asks_in_chinese(tmp_path):
    content = tmp_path / "content"
    answers = "\n".join([
        "意见征集",                                   # type, by its Chinese title
        "关于公开征求《外卖骑手“食安哨兵”小额举报奖励实施方案》意见的通告",
        "1",                                          # disclosure: 1) decision
        "2026-09-01",                                 # date
        "平潭综合实验区市场监督管理局",                # issuer
        "通过",                                       # review.result, typed by the reviewer
        "张某",                                       # review.reviewer
        "2026-08-31",                                 # review.date
        "2026-09-01 10:00",                           # opens
        "2026-10-08 17:00",                           # closes
        "平潭综合实验区市场监督管理局",                # contact
        "ptscjgspc@163.com", "平潭县金井湾商务营运中心7号楼5层512室", "", "",   # ways_to_respond
        "",                                           # no optional fields
    ]) + "\n"
    result = run_script("new.py", "--content", content, input=answers)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "五公开类别 (disclosure)" in result.stdout and "1) decision 决策公开" in result.stdout
    path = content / "solicitation" / "2026-00001.md"
    meta = yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n")[0].removeprefix("---\n"))
    assert meta["ways_to_respond"] == {"email": "ptscjgspc@163.com", "postal_address": "平潭县金井湾商务营运中心7号楼5层512室"}
    assert meta["disclosure"] == "decision" and meta["review"]["result"] == "passed"
    assert "## 征求意见说明" in path.read_text(encoding="utf-8")


# --- the 保密审查 record (条例第十七条) -------------------------------------------------

SOLICITATION_ANSWERS = [
    "意见征集",
    "关于公开征求《外卖骑手“食安哨兵”小额举报奖励实施方案》意见的通告",
    "1", "2026-09-01", "平潭综合实验区市场监督管理局",
    "",                                           # review.result: one Enter, no review yet
    "2026-09-01 10:00", "2026-10-08 17:00", "平潭综合实验区市场监督管理局",
    "ptscjgspc@163.com", "平潭县金井湾商务营运中心7号楼5层512室", "", "",
    "",
]
PENDING = "还没有保密审查记录，未经审查的信息不得公开（条例第十七条）；审查通过后由审查人把【待核实】一句换成实际内容"


def front(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n")[0].removeprefix("---\n"))


def review_lines(path, stdout):
    text = path.read_text(encoding="utf-8").split("\n")
    at = {key: next(i + 1 for i, ln in enumerate(text) if ln.startswith(f"  {key}: ")) for key in ("result", "reviewer", "date")}
    return [f"{path}:{at['result']}: 审查结论 (review.result) — {PENDING}，例如 passed（通过）",
            f"{path}:{at['reviewer']}: 审查人 (review.reviewer) — {PENDING}，例如 县政府办公室保密审查组",
            f"{path}:{at['date']}: 审查日期 (review.date) — {PENDING}，例如 2018-10-19"]


def test_one_enter_records_no_review_and_check_fails_until_the_reviewer_fills_it_in(tmp_path):
    content = tmp_path / "content"
    result = run_script("new.py", "--content", content, input="\n".join(SOLICITATION_ANSWERS) + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "审查结论 (review.result)（还没有审查的直接回车）" in result.stdout
    assert "审查人 (review.reviewer)" not in result.stdout          # no review: the reviewer is not asked for
    assert result.stdout.splitlines()[-1] == ("保密审查 (review) 还没有填写：审查通过后由审查人填写审查结论、审查人和审查日期"
                                              "（条例第十七条），在此之前 make check 不会通过。")
    path = content / "solicitation" / "2026-00001.md"
    marker = "【待核实】须经保密审查后由审查人填写"
    assert front(path)["review"] == {"result": marker, "reviewer": marker, "date": marker}
    fill_body(path, seed_paragraphs())

    before = run_script("check.py", "--content", content, env={"ASOF": ASOF})
    assert before.stdout.splitlines() == review_lines(path, before.stdout) + [
        "共 3 个错误、0 个提醒，涉及 1 个文件。修改后重新运行 make check。"]
    assert before.returncode == 1

    text = path.read_text(encoding="utf-8")
    text = text.replace(f"result: {marker}", "result: passed").replace(f"reviewer: {marker}", "reviewer: 张某")
    path.write_text(text, encoding="utf-8")
    half = run_script("check.py", "--content", content, env={"ASOF": ASOF})        # the date is still missing
    assert half.stdout.splitlines()[:-1] == review_lines(path, half.stdout)[2:]
    assert half.returncode == 1

    path.write_text(text.replace(f"date: {marker}", "date: 2026-08-31"), encoding="utf-8")
    after = run_script("check.py", "--content", content, env={"ASOF": ASOF})
    assert after.stdout.splitlines() == ["检查通过：1 个文件，没有发现问题。"]
    assert after.returncode == 0


def test_without_input_the_review_is_left_for_the_reviewer(tmp_path):
    content = tmp_path / "content"
    without_review = [a for a in POLICY if a not in ("--review-result", "passed", "--review-reviewer", "延寿县信息中心",
                                                     "--review-date", "2018-10-19")]
    result = run_script("new.py", "--content", content, *without_review)
    assert result.returncode == 0, result.stderr
    path = content / "policy" / "2018-00001.md"
    assert set(front(path)["review"].values()) == {"【待核实】须经保密审查后由审查人填写"}
    fill_body(path, seed_paragraphs())
    check = run_script("check.py", "--content", content)
    assert check.stdout.splitlines()[:-1] == review_lines(path, check.stdout)
    assert check.returncode == 1
    # only what the reviewer gives is written: a result alone leaves reviewer and date marked
    partial = run_script("new.py", "--content", content, *without_review[:-1], "--review-result", "passed",
                         "--doc-no", "延政发〔2018〕11号", "--no-input")
    assert partial.returncode == 0, partial.stderr
    assert front(content / "policy" / "2018-00002.md")["review"] == {
        "result": "passed", "reviewer": "【待核实】须经保密审查后由审查人填写", "date": "【待核实】须经保密审查后由审查人填写"}


SEED_DOC = ROOT / "content" / "policy" / "yanzhengfa-2018-10-executive-capacity.md"


def seed_with(tmp_path, old, new):
    content = tmp_path / "content"
    path = content / "policy" / SEED_DOC.name
    path.parent.mkdir(parents=True)
    text = SEED_DOC.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return content, path


def test_a_review_without_reviewer_or_date_does_not_pass(tmp_path):
    content, path = seed_with(tmp_path, '  reviewer: "县政府办公室保密审查组"\n  date: "2018-10-20"\n', "")
    result = run_script("check.py", "--content", content)
    assert [ln for ln in result.stdout.splitlines() if "(review" in ln] == [
        f"{path}:13: 审查日期 (review.date) — 缺少此项；应填写审查日期，例如 2018-10-19",
        f"{path}:13: 审查人 (review.reviewer) — 缺少此项；应填写审查人，例如 县政府办公室保密审查组"]
    assert result.returncode == 1


@pytest.mark.parametrize("old,new,field", [
    ('  result: "passed"', '  result: "passed【待核实】"', "review.result"),
    ('  reviewer: "县政府办公室保密审查组"', '  reviewer: "【待填写】审查人"', "review.reviewer"),
    ('review:\n  result: "passed"\n  reviewer: "县政府办公室保密审查组"\n  date: "2018-10-20"',
     'review: 【待核实】导入的文件须经保密审查后填写', "review"),
])
def test_a_marker_left_in_the_review_never_passes(tmp_path, old, new, field):
    content, path = seed_with(tmp_path, old, new)
    result = run_script("check.py", "--content", content)
    assert f"({field}) — 还没有保密审查记录" in result.stdout
    assert result.returncode == 1


def test_the_build_refuses_a_review_left_for_the_reviewer(tmp_path):
    content, path = seed_with(tmp_path, '  date: "2018-10-20"\nsource', '  date: 【待核实】须经保密审查后由审查人填写\nsource')
    output = tmp_path / "output"
    result = build_site(content, output)
    assert f"{path}:16: 审查日期 (review.date) — {PENDING}，例如 2018-10-19" in result.stderr
    assert result.returncode == 1
    assert not output.exists()


# --- everything a document needs (issue 18) --------------------------------------------

SEED_INDEX = "11230129MB1848123X/2018-00010"      # content/policy/yanzhengfa-2018-10-executive-capacity.md
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_asks_keywords_validity_attachments_and_related_from_the_schema(tmp_path):
    from gongkai.commands.new import topic_choices
    content = tmp_path / "content"
    (content / "policy").mkdir(parents=True)
    seed = ROOT / "content" / "policy" / "yanzhengfa-2018-10-executive-capacity.md"
    (content / "policy" / seed.name).write_bytes(seed.read_bytes())
    draft = tmp_path / "下载" / "征求意见稿.pdf"
    draft.parent.mkdir()
    draft.write_bytes(PDF)
    answers = [
        "政策文件", "延寿县人民政府关于进一步优化营商环境的通知", "2", "2026-09-01", "延寿县人民政府",
        "",                                            # review: not yet
        "y",                                           # the optional fields, each asked
        "", "", "", "",                                # modified, author, doc_no, written
        "综合",                                        # topic: not one, the list is offered
        str(topic_choices("综合").index("综合政务/政务公开") + 1),
        "营商环境，行政审批",                          # keywords, one line
        "",                                            # validity: Enter keeps valid
        "", "",                                        # superseded_by, repealed_by
        str(tmp_path / "下载" / "没有这个文件.pdf"),    # attachments: a file that is not there
        str(draft), "",                                # … then the real one, its title as the file's name
        "",                                            # no more attachments
        "11230129MB1848123X/2099-00001",               # related: no such document
        SEED_INDEX,                                    # … then one that is there
        "", "", "",                                    # source, summary, effective
    ]
    result = run_script("new.py", "--content", content, input="\n".join(answers) + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "由所在文件夹决定" not in out      # no folder yet when make new asks for the type
    assert "新文件属于哪一类信息；make new 把它放进这一类的文件夹 content/<类型>/。" in out
    assert "  “综合”不在主题分类词表中；请从下面选一个，输入编号或名称：" in out
    assert "metadata_schema/topics.yaml 中选" not in out
    assert "  找不到文件 " in out and "“11230129MB1848123X/2099-00001”：content/ 中没有索引号为" in out
    assert "  → 《延寿县人民政府印发关于进一步提升政府执行力的意见的通知》" in out
    path = content / "policy" / "2026-00001.md"
    text = path.read_text(encoding="utf-8")
    meta = front(path)
    assert meta["topic"] == "综合政务/政务公开"
    assert meta["keywords"] == ["营商环境", "行政审批"]
    assert meta["validity"] == "valid"
    assert meta["related"] == [SEED_INDEX]
    assert meta["attachments"] == [{"path": "policy/2026-00001-files/征求意见稿.pdf", "title": "征求意见稿"}]
    assert (content / "policy" / "2026-00001-files" / "征求意见稿.pdf").read_bytes() == PDF
    assert "已复制附件 " in out
    assert '\ndate: "2026-09-01"\n' in text           # dates quoted, as the README writes them
    # written out and reviewed, it passes make check: attachment, reference and all
    fill_body(path, seed_paragraphs())
    text = path.read_text(encoding="utf-8")
    for key, value in (("result", "passed"), ("reviewer", "县政府办公室保密审查组"), ("date", '"2026-08-31"')):
        text = re.sub(rf"^  {key}: 【待核实】.*$", f"  {key}: {value}", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    check = run_script("check.py", "--content", content)
    assert check.returncode == 0, check.stdout


def test_lists_and_attachments_as_options(tmp_path):
    content = tmp_path / "content"
    (content / "policy").mkdir(parents=True)
    seed = ROOT / "content" / "policy" / "yanzhengfa-2018-10-executive-capacity.md"
    (content / "policy" / seed.name).write_bytes(seed.read_bytes())
    draft = tmp_path / "notice.pdf"
    draft.write_bytes(PDF)
    result = run_script("new.py", "--content", content, *POLICY[:-1], "--doc-no", "延政发〔2018〕12号",
                        "--keywords", "营商环境,行政审批", "--related", SEED_INDEX,
                        "--attachments-path", draft, "--attachments-title", "通知原件", "--no-input")
    assert result.returncode == 0, result.stderr
    meta = front(content / "policy" / "2018-00011.md")
    assert (meta["keywords"], meta["related"]) == (["营商环境", "行政审批"], [SEED_INDEX])
    assert meta["attachments"] == [{"path": "policy/2018-00011-files/notice.pdf", "title": "通知原件"}]
    bad = run_script("new.py", "--content", content, *POLICY[:-1], "--related", "11230129MB1848123X/2099-00001",
                     "--no-input")
    assert bad.returncode == 2
    assert bad.stderr.strip() == ("相关文件 (related) — “11230129MB1848123X/2099-00001”：content/ 中没有索引号为 "
                                  "11230129MB1848123X/2099-00001 的文件；请核对，或先用 make search 查找")


def test_a_topic_not_in_the_list_offers_the_ones_that_are(tmp_path):
    result = run_script("new.py", "--content", tmp_path / "content", *POLICY[:-1], "--topic", "政务公开", "--no-input")
    assert result.returncode == 2
    assert result.stderr.strip() == "主题分类 (topic) — “政务公开”不在主题分类词表中；可以写：综合政务/政务公开"
