"""make edit (issue 19): Decap CMS in Chromium on a temporary copy of the repository.

The configuration is generated from metadata_schema/ and committed (editor/config.yml);
one editor session (decap-server in git mode + scripts/edit.py) serves every browser
test here, one logged-in page is reused. What the editor saves is read back from git
and put through make check and the real build."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import ASOF, ROOT, WAIT_SECONDS, build_site, soup_of
from gongkai.core import editor, messages, schema
from gongkai.core import settings as settings_mod

GIT = ["git", "-c", "core.quotepath=off", "-c", "user.name=编辑测试", "-c", "user.email=editor@example.invalid"]
ORG = settings_mod.load()["GONGKAI_ORG_CODE"]


def git(cwd: Path, *args) -> str:
    return subprocess.run([*GIT, "-C", str(cwd), *args], capture_output=True, text=True, check=True).stdout


def copy_env(**extra) -> dict:
    """The environment for the copy's own scripts, as staff start them: without a PYTHONPATH
    (one naming this checkout would have the copy's commands import, and write into, this checkout)."""
    return {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, **extra}


# --- the configuration, from the schema -----------------------------------------------------------

def test_the_committed_configuration_is_the_one_the_schema_generates():
    conf = settings_mod.load()
    assert editor.CONFIG_PATH.read_text(encoding="utf-8") == editor.render(conf), \
        "editor/config.yml is out of date: run python3 scripts/edit.py --write-config"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "edit.py"), "--check-config"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _fields(coll: dict) -> dict:
    return {f["name"]: f for f in coll["fields"]}


def test_one_collection_per_type_with_the_schemas_titles_widgets_and_messages():
    conf = yaml.safe_load(editor.CONFIG_PATH.read_text(encoding="utf-8"))
    assert conf["locale"] == "zh_Hans" and conf["publish_mode"] == "editorial_workflow"
    by_name = {c["name"]: c for c in conf["collections"]}
    for doc_type in schema.TYPES:
        coll = by_name[doc_type]
        assert coll["folder"] == f"content/{doc_type}" and coll["label"] == schema.schema_for(doc_type)["title"]
        # no 发布 and no deleting a published document: both would commit past review
        assert coll["publish"] is False and coll["delete"] is False
        fields = _fields(coll)
        required = schema.required(doc_type)
        for key, prop in schema.properties(doc_type).items():
            if key == "type" or key not in fields:
                continue
            f = fields[key]
            assert f["label"] == prop["title"]
            assert f.get("hint", "") == " ".join(str(prop.get("description", "")).split())
            if key != "review":
                assert f["required"] == (key in required), key
            if "enum" in prop:
                assert f["widget"] == "select"
                assert [o["label"] for o in f["options"]] == [prop["enumTitles"][v] for v in prop["enum"]]
            if prop.get("format") == "date":
                assert (f["widget"], f["format"], f["time_format"]) == ("datetime", "YYYY-MM-DD", False)
            if prop.get("format") == "local-datetime":
                assert (f["widget"], f["format"]) == ("datetime", "YYYY-MM-DD HH:mm")
            if "x-reference" in prop:
                assert f["widget"] == "relation" and f["value_field"] == "index_no"
        # every field the schema has is in the form, except the type (the folder says it)
        assert set(fields) - {"body"} == set(schema.properties(doc_type)) - {"type"}
        # 保密审查: optional in the form, nothing pre-filled
        review = fields["review"]
        assert review["required"] is False and "default" not in review
        assert all("default" not in sub and sub["required"] is False for sub in review["fields"])
        assert fields["topic"]["options"] == schema.topic_list()
        assert fields["keywords"]["widget"] == "list"
        assert fields["attachments"]["fields"][0]["widget"] == "file"
    example = settings_mod.load()["GONGKAI_INDEX_NO_EXAMPLE"]
    policy = _fields(by_name["policy"])
    assert policy["index_no"]["pattern"][1] == messages.form_message("index_no", {"example": example})
    assert policy["index_no"]["pattern"][1].startswith("不符合索引号格式；")
    assert policy["doc_no"]["pattern"][1] == messages.form_message("doc_no", {})
    assert _fields(by_name["solicitation"])["decision"]["collection"] == "decision"
    budget_table = {f["name"]: f for f in _fields(by_name["budget"])["tables"]["fields"]}
    assert budget_table["file"]["widget"] == "file" and budget_table["file"]["public_folder"] == ""


def test_a_schema_change_makes_the_committed_configuration_stale(monkeypatch):
    """What the up-to-date test guards: a new title in the schema changes the generated file."""
    conf = settings_mod.load()
    before = editor.render(conf)
    prop = schema.schemas()["policy"]["properties"]["effective"]
    monkeypatch.setitem(prop, "title", "开始施行日期")
    assert editor.render(conf) != before


# --- one editor session on a copy of the repository --------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A new git repository holding this checkout's files (uncommitted work included) on main,
    as a staff member's clone: .venv and node_modules shared by symlink."""
    work = tmp_path_factory.mktemp("editor") / "site"
    work.mkdir()
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           capture_output=True, text=True, check=True).stdout.split("\0")
    for rel in files:
        src = ROOT / rel
        if rel and src.is_file() and not src.is_symlink():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, work / rel)
    (work / ".venv").symlink_to(Path(sys.prefix))
    (work / "node_modules").symlink_to((ROOT / "node_modules").resolve())
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    git(work, "config", "user.name", "编辑测试")
    git(work, "config", "user.email", "editor@example.invalid")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "站点")
    assert git(work, "status", "--porcelain") == ""
    return work


@pytest.fixture(scope="module")
def edit_server(repo):
    """make edit in the copy (scripts/edit.py, as the Makefile runs it); yields the editor's base URL."""
    if not (ROOT / "node_modules" / "decap-cms" / "dist" / "decap-cms.js").is_file():
        pytest.fail("node_modules has no decap-cms: run npm ci (make test does)")
    port, proxy = _free_port(), _free_port()
    proc = subprocess.Popen([sys.executable, str(repo / "scripts" / "edit.py"), "--port", str(port),
                             "--proxy-port", str(proxy)], cwd=repo, env=copy_env(ASOF=ASOF),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    first = proc.stdout.readline()
    assert "编辑器已启动" in first, first + proc.stdout.read() if proc.poll() is not None else first
    yield f"http://127.0.0.1:{port}/admin/"
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(30)


class Editor:
    """The logged-in Decap page, reused by every test (one session)."""

    def __init__(self, page, url):
        self.page, self.url = page, url
        self.load_seconds = None
        self.bytes = 0

    def new(self, collection: str):
        """A new entry in a freshly loaded editor (as after opening it again: the 索引号 offered
        is counted when the page loads)."""
        page = self.page
        page.goto(f"{self.url}#/collections/{collection}/new")
        page.reload()
        login = page.get_by_role("button", name="登录")
        title = page.get_by_label("标题", exact=True)
        login.or_(title).first.wait_for()
        if login.is_visible():
            login.click()
        title.wait_for()

    def choose(self, label: str, typed: str):
        """A select: type part of the Chinese option, take the first match."""
        self.page.get_by_label(label).fill(typed)
        self.page.keyboard.press("Enter")

    def upload(self, button_index: int, path: Path):
        page = self.page
        page.get_by_role("button", name="选择文件").nth(button_index).click()
        page.locator('input[type="file"]').set_input_files(str(path))
        page.get_by_role("button", name="选用已选中项目").click()

    def body(self, text: str):
        """Typed into the rich-text editor in place of the type's template; each line a
        paragraph (Enter between them)."""
        editor_ = self.page.locator('[data-slate-editor="true"]').first
        def empty():
            return not editor_.inner_text().strip("\ufeff \n")   # slate keeps a zero-width mark
        for _ in range(5):
            editor_.click()
            self.page.keyboard.press("Control+A")
            self.page.keyboard.press("Backspace")
            if empty():
                break
        assert empty(), "the body template could not be cleared"
        self.page.keyboard.type(text)

    def review(self, reviewer: str, day: str):
        """The reviewer's part: typed, never offered."""
        page = self.page
        assert page.get_by_label("审查人").input_value() == ""
        assert page.get_by_label("审查日期").input_value() == ""
        self.choose("审查结论", "通过")
        page.get_by_label("审查人").fill(reviewer)
        page.get_by_label("审查日期").fill(day)

    def checked(self) -> tuple[str, str]:
        """(verdict, make check's lines) from the preview panel, for the entry just saved."""
        frame = self.page.frame_locator("iframe").first
        frame.locator(".gk-preview__verdict").wait_for()
        return frame.locator(".gk-preview__verdict").inner_text(), frame.locator(".gk-preview__output").inner_text()

    def save(self):
        self.page.get_by_role("button", name="保存", exact=True).click()
        self.page.get_by_text("内容已保存").first.wait_for()


@pytest.fixture(scope="module")
def cms(browser, edit_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())     # "leave with unsaved changes?" between tests
    ed = Editor(page, edit_server)
    page.on("response", lambda r: setattr(ed, "bytes", ed.bytes + int(r.headers.get("content-length") or 0)))
    offsite = []
    page.on("request", lambda r: offsite.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else None)
    start = time.monotonic()
    page.goto(edit_server)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("政策文件").first.wait_for()
    ed.load_seconds = time.monotonic() - start
    assert offsite == [], f"the editor loaded something from outside this machine: {offsite}"
    yield ed
    context.close()


def _branch_name(repo: Path, branch: str, suffix: str) -> str:
    names = git(repo, "diff", "--name-only", f"main...{branch}").split()
    return next(n for n in names if n.endswith(suffix))


def _branch_file(repo: Path, branch: str, suffix: str) -> tuple[str, str]:
    name = _branch_name(repo, branch, suffix)
    return name, git(repo, "show", f"{branch}:{name}")


def _new_branches(repo: Path, before: set) -> list:
    now = set(git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/cms/").split())
    return sorted(now - before)


def _branches(repo: Path) -> set:
    return set(git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/cms/").split())


def _checkout_copy(repo: Path, branch: str, target: Path) -> Path:
    git(repo, "worktree", "add", "-q", "--detach", str(target), branch)
    (target / ".venv").symlink_to(Path(sys.prefix))
    return target


def test_the_editor_loads_from_this_machine_in_chinese(cms):
    page = cms.page
    assert cms.load_seconds < WAIT_SECONDS
    print(f"\n编辑器载入 {cms.load_seconds:.1f} 秒，{cms.bytes / 1e6:.1f} MB")
    for title in (schema.schema_for(t)["title"] for t in schema.TYPES):
        assert page.get_by_text(title, exact=True).first.is_visible()


def test_a_policy_made_in_the_form_is_a_branch_and_commit_that_make_check_and_make_html_accept(
        cms, repo, tmp_path):
    page = cms.page
    before = _branches(repo)
    pdf = tmp_path / "防汛应急预案.pdf"
    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(str(pdf))
    cms.new("policy")
    # the next free 索引号 is offered, as make new does
    year = ASOF[:4]
    assert page.get_by_label("索引号", exact=True).input_value() == f"{ORG}/{year}-00003"
    assert page.get_by_label("发布日期").input_value() == ASOF[:10]
    # and the body starts as make new's template for the type
    template = page.locator('[data-slate-editor="true"]').first.inner_text()
    assert "【待填写】主送机关" in template, template
    page.get_by_label("标题", exact=True).fill("关于做好2026年秋季防汛工作的通知")
    cms.choose("五公开类别", "执行公开")
    page.get_by_label("发布机构").fill("延寿县人民政府办公室")
    page.get_by_label("发文字号").fill("延政办发〔2026〕21号")
    page.get_by_label("成文日期").fill("2026-09-01")      # the date picker (input type=date)
    assert page.get_by_label("成文日期").get_attribute("type") == "date"
    cms.choose("主题分类", "减灾救灾")
    page.get_by_role("button", name="新增主题词").click()
    page.get_by_label("主题词").fill("防汛")
    # a reference by 索引号, chosen by title from the published documents
    page.get_by_label("相关文件").fill("最低生活保障")
    page.get_by_text("关于印发进一步规范最低生活保障工作的通知（11230129MB1848123X/2015-00002）").first.click()
    page.get_by_role("button", name="新增附件").click()
    cms.upload(0, pdf)
    page.get_by_label("附件名称").fill("防汛应急预案")
    cms.review("县政府办公室保密审查组", "2026-09-04")
    cms.body("各乡（镇）人民政府：请做好秋季防汛工作。")
    cms.save()

    branches = _new_branches(repo, before)
    assert len(branches) == 1 and branches[0].startswith("cms/policy/")
    branch = branches[0]
    assert git(repo, "rev-list", "--count", f"main..{branch}").strip() == "1"
    name, text = _branch_file(repo, branch, ".md")
    assert name.startswith("content/policy/")
    pdf_name = _branch_name(repo, branch, ".pdf")
    assert Path(pdf_name).parent == Path(name).parent, "the attachment is beside the document"
    meta = yaml.safe_load(text.split("---")[1])
    assert meta["topic"] == "民政、扶贫、救灾/减灾救灾" and meta["keywords"] == ["防汛"]
    assert meta["attachments"] == [{"path": f"policy/{Path(pdf_name).name}", "title": "防汛应急预案"}]
    assert meta["related"] == ["11230129MB1848123X/2015-00002"]
    assert "type" not in meta and "modified" not in meta

    # the check results reach the editor before approval: the preview panel runs make check
    verdict, output = cms.checked()
    assert verdict.startswith("通过检查") and branch in verdict, output

    # the same results on the editor's status page, every waiting branch with its status
    status = page.context.request.get(cms.url + "check/").text()
    assert branch in status and "草稿" in status and "通过检查" in status

    # make check on the branch, as the reviewer runs it; then the real build publishes it
    work = _checkout_copy(repo, branch, tmp_path / "branch")
    done = subprocess.run([sys.executable, str(work / "scripts" / "check.py"), "--base", "main"], cwd=work,
                          capture_output=True, text=True, env=copy_env(ASOF=ASOF))
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "output"
    built = build_site(work / "content", out)
    assert built.returncode == 0, built.stderr + built.stdout
    assert not (out / "admin").exists()
    doc = soup_of(out / "xxgk" / meta["index_no"].replace("/", "-") / "index.html")
    assert doc.find("h1").get_text(strip=True) == "关于做好2026年秋季防汛工作的通知"
    rows = {dt.get_text(strip=True): dd.get_text(" ", strip=True) for dt, dd in
            zip(doc.select("dl dt"), doc.select("dl dd"))}
    assert rows.get("发文字号") == "延政办发〔2026〕21号"
    assert "减灾救灾" in rows.get("主题分类", "")
    links = [a.get_text(" ", strip=True) for a in doc.select("a")]
    assert any("防汛应急预案" in t for t in links), links
    assert "请做好秋季防汛工作" in doc.get_text()


def test_make_checks_messages_reach_the_editor_before_approval(cms, repo):
    """A draft saved before the review and with the template left: saved on its branch, and
    the preview lists what make check says, in its words."""
    page = cms.page
    before = _branches(repo)
    cms.new("policy")
    page.get_by_label("标题", exact=True).fill("关于做好2026年冬季森林防火工作的通知")
    cms.choose("五公开类别", "执行公开")
    page.get_by_label("发布机构").fill("延寿县人民政府办公室")
    cms.save()
    branch = _new_branches(repo, before)[0]
    verdict, output = cms.checked()
    assert verdict.startswith("未通过检查") and branch in verdict
    name = _branch_name(repo, branch, ".md")
    lines = output.splitlines()
    assert any(line.startswith(f"{name}:") and "保密审查 (review)" in line for line in lines), output
    assert any(line.startswith(f"{name}:") and "【待填写】" in line for line in lines), output
    assert lines[-1].endswith("修改后重新运行 make check。")


def test_a_wrong_index_no_is_refused_in_the_form_with_the_catalogues_message(cms, repo):
    page = cms.page
    before = _branches(repo)
    cms.new("policy")
    page.get_by_label("标题", exact=True).fill("索引号写错的文件")
    cms.choose("五公开类别", "执行公开")
    page.get_by_label("发布机构").fill("延寿县人民政府办公室")
    page.get_by_label("索引号", exact=True).fill("2026-21")
    cms.body("正文。")
    page.get_by_role("button", name="保存", exact=True).click()
    example = settings_mod.load()["GONGKAI_INDEX_NO_EXAMPLE"]
    expected = messages.form_message("index_no", {"example": example})
    page.get_by_text(expected).first.wait_for()
    assert _branches(repo) == before, "nothing is committed while the form is refused"


def test_an_index_no_already_used_stops_the_save_with_the_catalogues_message(cms, repo):
    """Checked when saving, against published documents and those waiting on cms/ branches
    (an editor left open offers a number counted when it was loaded)."""
    page = cms.page
    before = _branches(repo)
    published = yaml.safe_load((repo / "content/policy/pingtan-2015-minimum-living-allowance-regulation.md")
                               .read_text(encoding="utf-8").split("---")[1])["index_no"]
    cms.new("policy")
    page.get_by_label("标题", exact=True).fill("索引号重复的文件")
    cms.choose("五公开类别", "执行公开")
    page.get_by_label("发布机构").fill("延寿县人民政府办公室")
    page.get_by_label("索引号", exact=True).fill(published)
    cms.body("正文。")
    page.get_by_role("button", name="保存", exact=True).click()
    toast = page.get_by_text(f"索引号 {published} 已由 content/policy/pingtan-2015-minimum-living-allowance-regulation.md"
                             " 使用（已发布）", exact=False)
    toast.first.wait_for()
    assert "请把本文件的索引号改为11230129MB1848123X/2015-" in toast.first.inner_text()
    assert _branches(repo) == before


def test_a_budgets_table_file_is_uploaded_beside_it(cms, repo, tmp_path):
    page = cms.page
    before = _branches(repo)
    csv = tmp_path / "yanshou-2026-budget-summary.csv"
    csv.write_text("项目,2026年预算数\n一般公共服务支出,100.00\n教育支出,50.00\n合计,150.00\n", encoding="utf-8")
    cms.new("budget")
    page.get_by_label("标题", exact=True).fill("延寿县2026年部门预算收支总表")
    cms.choose("五公开类别", "管理公开")
    page.get_by_label("发布机构").fill("延寿县财政局")
    page.get_by_label("预决算年度").fill("2026")
    cms.choose("预决算类别", "预算")
    page.get_by_label("部门").fill("延寿县财政局")
    if page.get_by_label("表名").count() == 0:     # at least one table (minItems): Decap may show it already
        page.get_by_role("button", name="新增数据表").click()
    cms.upload(0, csv)
    page.get_by_label("表名").fill("收支总表")
    cms.choose("表类型", "收支总表")
    page.get_by_label("合计行").fill("合计")
    cms.review("县财政局保密审查组", "2026-09-04")
    cms.body("2026年部门预算说明。")
    cms.save()
    branch = _new_branches(repo, before)[0]
    name, text = _branch_file(repo, branch, ".md")
    csv_name, csv_text = _branch_file(repo, branch, ".csv")
    assert Path(csv_name).parent == Path(name).parent
    assert csv_text.startswith("项目,2026年预算数")
    meta = yaml.safe_load(text.split("---")[1])
    table = meta["tables"][0]
    assert table["file"] == Path(csv_name).name and table["kind"] == "summary" and table["total_row"] == "合计"
    assert meta["fiscal_year"] == 2026
    verdict, output = cms.checked()
    assert verdict.startswith("通过检查"), output


def test_a_solicitations_times_are_entered_with_the_date_and_time_picker(cms, repo):
    page = cms.page
    before = _branches(repo)
    cms.new("solicitation")
    page.get_by_label("标题", exact=True).fill("延寿县城区停车管理办法（征求意见稿）")
    cms.choose("五公开类别", "决策公开")
    page.get_by_label("发布机构").fill("延寿县交通运输局")
    assert page.get_by_label("开始时间").get_attribute("type") == "datetime-local"
    page.get_by_label("开始时间").fill("2026-09-10T09:00")
    page.get_by_label("截止时间").fill("2026-10-12T17:00")
    page.get_by_label("联系单位").fill("延寿县交通运输局")
    page.get_by_label("电子邮箱").fill("jtj@yanshou.gov.cn")
    cms.review("县交通运输局保密审查组", "2026-09-04")
    cms.body("征求意见说明\n请于2026年10月12日前提出意见。")
    cms.save()
    branch = _new_branches(repo, before)[0]
    _name, text = _branch_file(repo, branch, ".md")
    meta = yaml.safe_load(text.split("---")[1])
    assert (meta["opens"], meta["closes"]) == ("2026-09-10 09:00", "2026-10-12 17:00")
    assert meta["ways_to_respond"] == {"email": "jtj@yanshou.gov.cn"}
    assert text.split("---", 2)[2].strip() == "征求意见说明\n\n请于2026年10月12日前提出意见。"
    verdict, output = cms.checked()
    assert verdict.startswith("通过检查"), output


def test_the_editor_never_ships_in_the_public_site(site):
    assert not (site / "admin").exists()
    for path in site.rglob("*"):
        assert "decap" not in path.name.lower(), path
    csp = re.search(r'Content-Security-Policy "([^"]+)"', (ROOT / "deploy" / "nginx.conf").read_text()).group(1)
    assert "127.0.0.1" not in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


def test_make_edit_starts_only_from_a_clean_working_tree(repo, edit_server):
    """decap-server commits with `git add .`: uncommitted work would be swept into an entry."""
    stray = repo / "content" / "policy" / "草稿.md"
    stray.write_text("---\ntitle: 草稿\n---\n", encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, str(repo / "scripts" / "edit.py"), "--port", str(_free_port()),
                               "--proxy-port", str(_free_port())], cwd=repo, env=copy_env(),
                              capture_output=True, text=True, timeout=120)
    finally:
        stray.unlink()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ("工作区有未提交的修改（例如 content/policy/草稿.md）；编辑器保存时会把它们一起提交，"
                                   "请先提交（git commit）或收起（git stash）这些修改，再运行 make edit")


def test_a_port_in_use_is_one_chinese_line(repo, edit_server):
    port = int(edit_server.split(":")[2].split("/")[0])
    done = subprocess.run([sys.executable, str(repo / "scripts" / "edit.py"), "--port", str(port),
                           "--proxy-port", str(_free_port())], cwd=repo, env=copy_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (f"端口 {port} 已被占用（也许 make edit 已经在运行）；"
                                   f"请换一个端口，例如 make edit EDIT_PORT={port + 1}")
