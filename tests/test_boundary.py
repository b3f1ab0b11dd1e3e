"""The publication boundary (#14): only documents and the files a document
names reach the public site. Each hole found by trying the site as an
attacker would is a case here, on real documents from content/: make check
says what is wrong in one Chinese line and exits 1, and make html stops
without touching the site."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import ASOF, ROOT, build_site, run_script

SEED = "policy/yanzhengfa-2018-10-executive-capacity.md"
BUDGET = "budget/pingtan-2016-sangong-final-accounts.md"
BUDGET_CSV = "budget/pingtan-2016-sangong-final-accounts.csv"


@pytest.fixture
def content(tmp_path) -> Path:
    """A copy of the real content/ to break one thing in."""
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target, symlinks=True)
    return target


def edit(path: Path, old: str, new: str, count: int = 1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def attach(content: Path, rel_path: str, title: str = "附件"):
    """Name a file as the seed document's attachment."""
    edit(content / SEED, "review:", f"attachments:\n  - path: {rel_path!r}\n    title: {title}\nreview:")


def check(content: Path, *files):
    result = run_script("check.py", "--content", content, *files)
    return result.returncode, result.stdout.strip().splitlines()


def errors(lines):
    return [line for line in lines if "提醒" not in line and not line.startswith("共 ")]


def only_error(lines, content: Path) -> str:
    """The one error line, with the tmp content folder written as content/."""
    found = errors(lines)
    assert len(found) == 1, "\n".join(lines)
    return found[0].replace(str(content) + "/", "content/")


def assert_not_built(content: Path, tmp_path: Path):
    """make html stops, and the site it would replace stays as it was."""
    out = tmp_path / "output"
    out.mkdir()
    (out / "index.html").write_text("旧网站", encoding="utf-8")
    result = build_site(content, out)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "index.html").read_text(encoding="utf-8") == "旧网站"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    return result.stderr


# --- files that reached the site without review ----------------------------------

def test_a_symlink_named_as_an_attachment_is_refused_and_never_published(content, tmp_path):
    os.symlink("/etc/passwd", content / "policy" / "users.txt")
    attach(content, "policy/users.txt", "用户名单")
    code, lines = check(content)
    assert code == 1
    found = [line.replace(str(content) + "/", "content/") for line in errors(lines)]
    assert "content/policy/users.txt:1: 是符号链接（指向 /etc/passwd）；content/ 和 theme/ 中不能有符号链接，请换成文件本身，或删除它" in found
    assert any(line.startswith(f"content/{SEED}:") and "附件路径 (attachments[0].path) — policy/users.txt 指向 content/ 之外"
               in line for line in found), found
    stderr = assert_not_built(content, tmp_path)
    assert "root:" not in stderr


def test_files_outside_content_are_never_read_through_a_symlink(content, tmp_path):
    """The privacy scan reads what the boundary sees: a symlink is refused, never followed."""
    outside = tmp_path / "outside.csv"
    outside.write_text("姓名,电话\n张三,13945067218\n", encoding="utf-8")
    os.symlink(outside, content / "policy" / "contacts.csv")
    code, lines = check(content)
    assert code == 1
    assert only_error(lines, content).startswith("content/policy/contacts.csv:1: 是符号链接（指向 ")
    assert not any("139" in line for line in lines), lines


def test_a_symlinked_folder_is_refused_whatever_it_points_at(content):
    os.symlink(ROOT / "content" / "policy", content / "more-policy")
    code, lines = check(content)
    assert code == 1
    assert only_error(lines, content).startswith("content/more-policy:1: 是符号链接（指向 ")


def test_a_symlink_in_the_theme_is_refused(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme, symlinks=True)
    os.symlink("/etc/passwd", theme / "static" / "passwd.css")
    settings = tmp_path / "conf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                        f"THEME = {str(theme)!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n", encoding="utf-8")
    out = tmp_path / "output"
    result = run_script("build.py", "--content", ROOT / "content", "--output", out, "--no-cache",
                        "--settings", settings, env={"ASOF": ASOF})
    assert result.returncode == 1
    assert f"{theme}/static/passwd.css:1: 是符号链接（指向 /etc/passwd）" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../../../../../../etc/passwd", "policy/../../x.pdf"])
def test_a_named_path_outside_content_is_refused(content, tmp_path, path):
    attach(content, path)
    code, lines = check(content)
    assert code == 1
    line = only_error(lines, content)
    assert line == (f"content/{SEED}:14: 附件路径 (attachments[0].path) — {path} 指向 content/ 之外（绝对路径、多余的 ../ 或经过符号链接）；"
                    "附件应放在 content/ 中，路径相对于 content/，例如 policy/2024-notice.pdf")


def test_a_data_table_outside_the_documents_folder_is_refused(content):
    shutil.move(content / BUDGET_CSV, content.parent / "elsewhere.csv")
    edit(content / BUDGET, 'file: "pingtan-2016-sangong-final-accounts.csv"', 'file: "../../elsewhere.csv"')
    code, lines = check(content)
    assert code == 1
    line = only_error(lines, content)
    assert line.startswith(f"content/{BUDGET}:")
    assert line.endswith("数据文件 (tables[0].file) — ../../elsewhere.csv 指向 content/ 之外（绝对路径、多余的 ../ 或经过符号链接）；"
                         "数据文件应与本文件放在同一文件夹中，只写文件名")


@pytest.mark.parametrize("name", ["x.csv~", "draft-notes.txt", "x.md.rej", "budget-2019.docx", ".hidden"])
def test_a_file_no_document_names_is_an_error_and_is_not_published(content, tmp_path, name):
    (content / "policy" / name).write_bytes(b"stray")
    code, lines = check(content)
    assert code == 1
    assert only_error(lines, content) == (
        f"content/policy/{name}:1: 没有任何文件引用这个文件（attachments 或 tables 中都没有），它不会发布；"
        "请在对应文件的 attachments 中登记它，或删除它")
    assert_not_built(content, tmp_path)


def test_only_named_files_are_published(site):
    published = sorted(str(p.relative_to(site / "files")) for p in (site / "files").rglob("*") if p.is_file())
    # The two budget tables (and the .xlsx copies the build makes of them); never privacy-allowlist.txt.
    assert published == ["budget/pingtan-2015-dept-budget-sangong-table.csv",
                         "budget/pingtan-2015-dept-budget-sangong-table.xlsx",
                         "budget/pingtan-2016-sangong-final-accounts.csv",
                         "budget/pingtan-2016-sangong-final-accounts.xlsx"]


def test_a_named_attachment_is_published_with_a_download_link(content, tmp_path):
    pdf = content / "policy" / "executive-capacity-table.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    attach(content, "policy/executive-capacity-table.pdf", "任务分工表")
    code, lines = check(content)
    assert code == 0, "\n".join(lines)
    out = tmp_path / "out"
    assert build_site(content, out).returncode == 0
    assert (out / "files/policy/executive-capacity-table.pdf").read_bytes() == pdf.read_bytes()
    assert os.stat(out / "files/policy/executive-capacity-table.pdf").st_ino != os.stat(pdf).st_ino
    page = (out / "xxgk/11230129MB1848123X-2018-00010/index.html").read_text(encoding="utf-8")
    assert "下载附件：任务分工表（PDF，" in page


@pytest.mark.parametrize("name,data,kind", [
    ("notice.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "PDF"),
    ("notice.docx", b"PK\x03\x04not really a zip", "Word"),
    ("photo.png", b"GIF89a....", "PNG"),
    ("table.csv", b"<html><body>table</body></html>", "CSV"),
])
def test_an_attachment_whose_bytes_are_not_what_its_name_says_is_refused(content, name, data, kind):
    (content / "policy" / name).write_bytes(data)
    attach(content, f"policy/{name}")
    code, lines = check(content)
    assert code == 1
    assert only_error(lines, content) == (
        f"content/{SEED}:14: 附件路径 (attachments[0].path) — 文件 policy/{name} 的内容不是 {kind} 文件"
        f"（扩展名与内容不符，例如网页改名为 .pdf）；请放入真正的 {kind} 文件")


@pytest.mark.parametrize("name", ["page.html", "run.js", "bundle.zip", "image.svg"])
def test_an_attachment_of_a_kind_the_site_does_not_publish_is_refused(content, name):
    (content / "policy" / name).write_bytes(b"x")
    attach(content, f"policy/{name}")
    code, lines = check(content)
    assert code == 1
    line = only_error(lines, content)
    assert f"— 文件 policy/{name} 的类型 {Path(name).suffix} 不能发布；允许的类型：" in line
    assert "pdf" in line and "docx" in line


# --- documents the build would skip ------------------------------------------------

@pytest.mark.parametrize("name", ["notice.markdown", "NOTICE.MD", "notice.Md", "notice.mkd"])
def test_a_document_the_build_would_skip_is_named(content, tmp_path, name):
    shutil.copy(content / SEED, content / "policy" / name)
    (content / SEED).unlink()
    expected = (f"content/policy/{name}:1: 扩展名是 {Path(name).suffix}，构建时不会读取这个文件；"
                "文件应以 .md 结尾（小写），请改名")
    code, lines = check(content)
    assert code == 1 and only_error(lines, content) == expected
    # also when FILES= names it
    code, lines = check(content, content / "policy" / name)
    assert code == 1 and only_error(lines, content) == expected
    assert_not_built(content, tmp_path)


# --- unresolved merges, in any content file ---------------------------------------

CONFLICT = "<<<<<<< HEAD\n第一种写法。\n=======\n第二种写法。\n>>>>>>> feature/x\n"


def test_a_merge_conflict_in_the_body_is_refused(content, tmp_path):
    doc = (content / SEED).read_text(encoding="utf-8").split("\n")
    doc.insert(21, CONFLICT.rstrip("\n"))  # within the body, at line 22
    (content / SEED).write_text("\n".join(doc), encoding="utf-8")
    code, lines = check(content)
    assert code == 1
    assert only_error(lines, content) == (
        f"content/{SEED}:22: 第 22 行有未解决的合并冲突标记（<<<<<<<、=======、>>>>>>>）；"
        "请保留正确的内容，删去冲突标记和多余的版本后再提交")
    assert_not_built(content, tmp_path)


def test_a_merge_conflict_in_the_front_matter_gets_the_same_message(content):
    edit(content / SEED, 'issuer: "延寿县人民政府"',
         '<<<<<<< HEAD\nissuer: "延寿县人民政府"\n=======\nissuer: "延寿县人民政府办公室"\n>>>>>>> other')
    code, lines = check(content)
    assert code == 1
    line = only_error(lines, content)
    assert "有未解决的合并冲突标记" in line and "元数据格式错误" not in line


def test_a_merge_conflict_in_a_data_table_gets_the_same_message(content):
    csv = content / BUDGET_CSV
    rows = csv.read_text(encoding="utf-8").split("\n")
    rows.insert(2, "<<<<<<< HEAD")
    rows.insert(4, "=======\n" + rows[3] + "\n>>>>>>> theirs")
    csv.write_text("\n".join(rows), encoding="utf-8")
    code, lines = check(content)
    assert code == 1
    line = only_error(lines, content)
    assert line.startswith(f"content/{BUDGET_CSV}:3: 第 3 行有未解决的合并冲突标记")


# --- content that stalls or swamps the build ------------------------------------------

BOMB = """lol1: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
lol2: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
lol3: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
lol4: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
lol5: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
lol6: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
lol7: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
lol8: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
lol9: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_yaml_alias_bomb_is_refused_before_it_expands(content, tmp_path):
    edit(content / SEED, "---\n", "---\n" + BOMB)
    code, lines = check(content)  # run_script's timeout guards against a hang
    assert code == 1
    assert only_error(lines, content) == (
        f"content/{SEED}:2: 元数据中有锚点或别名（& 或 * 开头的值）；元数据不支持这种写法，"
        "请把每个值直接写出来（值本身以 & 或 * 开头时请加引号）")
    assert_not_built(content, tmp_path)


def test_front_matter_nested_deeper_than_any_document_needs_is_refused(content):
    edit(content / SEED, "---\n", "---\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    code, lines = check(content)
    assert code == 1
    assert only_error(lines, content) == f"content/{SEED}:2: 元数据块嵌套超过 12 层，超出上限；请检查是否把正文或表格粘贴进了元数据"


def test_a_title_no_document_has_is_refused(content):
    edit(content / SEED, 'title: "延寿县人民政府印发关于进一步提升政府执行力的意见的通知"', "title: " + "长" * 5000)
    code, lines = check(content)
    assert code == 1
    assert only_error(lines, content) == (
        f"content/{SEED}:2: 标题 (title) — 有 5000 个字，超过上限 200 个字；请核对是否把正文或其他内容粘贴到了这里")


def test_an_empty_body_is_refused(content):
    text = (content / SEED).read_text(encoding="utf-8")
    end = text.index("\n---\n", 4) + len("\n---\n")
    (content / SEED).write_text(text[:end] + "\n  \n", encoding="utf-8")
    line_no = text[:end].count("\n") + 1
    code, lines = check(content)
    assert code == 1
    assert only_error(lines, content) == f"content/{SEED}:{line_no}: 正文是空的；政策文件应有正文，请在第二行 --- 之后写上正文"


def test_a_body_of_thirty_megabytes_is_refused_without_being_parsed(content, tmp_path):
    with open(content / SEED, "a", encoding="utf-8") as fh:
        fh.write(("公开" * 512 + "\n") * 10240)
    code, lines = check(content)
    assert code == 1
    assert only_error(lines, content) == f"content/{SEED}:1: 文件有 30.0 MB，超过正文上限 2.0 MB；请把大段内容（例如表格、报告全文）做成附件"
