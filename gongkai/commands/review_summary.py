"""The review summary of a branch, for the pull request: what reviewers approve.

    python scripts/review_summary.py --base origin/main            # HEAD vs. where it left main
    python scripts/review_summary.py --base main --worktree        # uncommitted changes too
    make review-summary BASE=origin/main

Markdown (Chinese), printed and written to --output (default review-summary.md):
the status of the checks and one line of counts; every problem make check finds
in the files the branch touches, and any problem the branch causes elsewhere
(a removed document that others name); each new document with every field as
the public reads it and its body; each changed document with its changed fields
(原值, 新值) and a diff of its body; each removed document with its public
address and the advice to mark it 已失效/已废止 instead; every other file added,
changed or removed under content/, and whether a document names it.

Both trees, the base (where the branch left it) and the head, are checked whole
with make check's own validator (gongkai.commands.check.check_tree). Personal
numbers are shown masked wherever the summary shows text (gongkai.core.privacy).
--comment-output writes the same summary cut to fit a pull-request comment."""
from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from gongkai.commands.check import check_tree
from gongkai.core import boundary, privacy, schema
from gongkai.core import settings as settings_mod
from gongkai.core.model import named_paths
from gongkai.core.present import field_values
from gongkai.core.site import document_url

COMMENT_MARKER = "<!-- gongkai-review-summary -->"   # finds the comment CI posted before, to update it
COMMENT_LIMIT = 60000      # GitHub refuses a comment over 65,536 characters
FOLD_BODY_LINES = 20       # a longer body of a new document is folded in <details>
MAX_BODY_LINES = 300       # and cut after this many lines
MAX_DIFF_LINES = 200       # a diff is cut after this many lines
TEXT_SUFFIXES = {".csv", ".txt", ".md"}   # other files whose changes are shown as text


class GitError(Exception):
    pass


def git(repo: Path, *args, binary=False):
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True)
    if result.returncode != 0:
        raise GitError(result.stderr.decode("utf-8", "replace").strip() or "git " + " ".join(args))
    return result.stdout if binary else result.stdout.decode("utf-8")


def changed_files(repo: Path, base: str, head: str | None, content: str):
    """[(status, old path, new path)]: A added, M modified, D deleted, R renamed."""
    if head:
        spec = [f"{base}...{head}"]
    else:
        spec = [git(repo, "merge-base", base, "HEAD").strip()]
    out = git(repo, "diff", "--name-status", "-z", "-M", *spec, "--", content)
    parts = out.split("\0")
    rows, i = [], 0
    while i < len(parts) and parts[i]:
        status = parts[i][0]
        if status in "RC":
            rows.append(("R", parts[i + 1], parts[i + 2]))
            i += 3
        else:
            rows.append((status, parts[i + 1], parts[i + 1]))
            i += 2
    if head is None:   # untracked files are new too
        for path in git(repo, "ls-files", "--others", "--exclude-standard", "-z", "--", content).split("\0"):
            if path:
                rows.append(("A", path, path))
    return rows


# --- the two trees, checked whole ---------------------------------------------

@dataclass
class Tree:
    """One version of the repository's content, checked as make check checks it."""
    root: Path                                   # the folder that holds content/
    docs: dict = field(default_factory=dict)     # repository path -> Document
    problems: list = field(default_factory=list) # Problems, paths repository-relative
    named: dict = field(default_factory=dict)    # repository path of a file -> [(Document, 附件/数据表, title)]

    def text(self, path: str) -> str | None:
        """A file's text, or None when it is absent or not a regular file inside
        the tree: a symlink is never followed (it could show the CI machine's files)."""
        inside, _why = boundary.resolve_inside(self.root, self.root, path)
        if inside is None:
            return None
        try:
            data = inside.read_bytes()
        except OSError:
            return None
        data = data.removeprefix(b"\xef\xbb\xbf")
        try:
            return data.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError:
            return data.decode("gb18030", errors="replace").replace("\r\n", "\n")

    def line(self, problem) -> str:
        """The problem as make check prints it, with this tree's folder left out."""
        return str(problem).replace(f"{self.root}/", "")


def export(repo: Path, rev: str, paths, dest: Path) -> Path:
    """The given folders of rev, written under dest (as a checkout would)."""
    dest.mkdir(parents=True)
    present = [p for p in paths
               if subprocess.run(["git", "-C", str(repo), "cat-file", "-e", f"{rev}:{p}"],
                                 capture_output=True).returncode == 0]
    if present:
        proc = subprocess.Popen(["git", "-C", str(repo), "archive", "--format=tar", rev, "--", *present],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
                # the "tar" filter where this Python has it: nothing written outside dest
                archive.extractall(dest, **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))
        except tarfile.TarError as exc:
            proc.kill()
            raise GitError(f"git archive {rev}: {exc}") from exc
        finally:
            proc.stdout.close()
        err = proc.stderr.read().decode("utf-8", "replace")
        if proc.wait() != 0:
            raise GitError(err.strip() or f"git archive {rev}")
    return dest.resolve()


def checked(root: Path, content: str, conf: dict) -> Tree:
    tree = Tree(root.resolve())
    docs, problems = check_tree(tree.root / content, conf)

    def rel(path) -> str:
        p = Path(os.path.normpath(path))   # normpath, not resolve: a symlink is not the file it names
        if p.is_absolute():
            try:
                return p.relative_to(tree.root).as_posix()
            except ValueError:
                return str(path)
        return str(path)   # relative to the project, which is this tree

    for doc in docs:
        tree.docs[rel(doc.path)] = doc
        for name, _value, path, _why in named_paths(doc):
            if path is None:
                continue   # outside content/ or missing: make check says so
            key, index = re.match(r"(\w+)\[(\d+)\]", name).groups()
            title = doc.meta[key][int(index)].get("title") or ""
            kind = "附件" if key == "attachments" else "数据表"
            tree.named.setdefault(rel(path), []).append((doc, kind, title))
    tree.problems = [replace(p, path=rel(p.path)) for p in problems]
    return tree


# --- Markdown ------------------------------------------------------------------

def esc(text) -> str:
    """Text shown as itself in Markdown (a table cell, a heading): personal
    numbers masked, no markup, no HTML, one line."""
    text = privacy.mask_text(str(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"([\\`*_\[\]|~#])", r"\\\1", text)
    return text.replace("\r", "").replace("\n", "<br>")


def code(text) -> str:
    """An inline code span that no backtick in the text can end."""
    text = privacy.mask_text(str(text)).replace("\n", " ")
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(lines, lang="") -> list:
    """A fenced block that no line inside can close; personal numbers masked."""
    lines = [privacy.mask_text(ln) for ln in lines]
    longest = max((len(m) for ln in lines for m in re.findall(r"`{3,}|~{3,}", ln)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", *lines, fence]


def cut(lines: list, limit: int, what: str, hint: str) -> tuple:
    """(lines, note): at most limit lines, and a note of what was left out."""
    if len(lines) <= limit:
        return lines, None
    return lines[:limit], f"（{what}共 {len(lines)} 行，只显示前 {limit} 行；{hint}）"


def _range(first: int, start: int, length: int) -> str:
    begin = first + start
    if length == 1:
        return str(begin)
    if length == 0:
        begin -= 1
    return f"{begin},{length}"


def unified(old: list, new: list, old_first: int, new_first: int, old_name: str, new_name: str) -> list:
    """A unified diff whose line numbers are those of the files (old_first,
    new_first: the file line of each text's first line), as make check cites them."""
    out = []
    for group in difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(3):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{_range(old_first, i1, i2 - i1)} +{_range(new_first, j1, j2 - j1)} @@")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [" " + ln for ln in old[a1:a2]]
            else:
                out += ["-" + ln for ln in old[a1:a2]] + ["+" + ln for ln in new[b1:b2]]
    old_name = old_name if old_name == "/dev/null" else f"a/{old_name}"
    return [f"--- {old_name}", f"+++ b/{new_name}", *out] if out else []


def kind_of(doc) -> str:
    if doc.type in schema.TYPES or doc.type == schema.PAGE:
        return doc.type_title
    return "不属于任何信息类型"


def heading(doc) -> str:
    title = doc.raw.get("title") if isinstance(doc.raw, dict) else None
    return f"《{esc(title or '（无标题）')}》（{kind_of(doc)}）"


def body_of(doc, text: str | None):
    """(lines, file line of the first) of the body; the whole file when it has no front-matter."""
    if doc.raw or doc.body:
        return doc.body.split("\n"), doc.body_line
    return (text or "").split("\n"), 1


def shown(value) -> str:
    return "（无）" if value is None else (esc(value[1]) if value[1] != "" else "（空）")


@dataclass
class Item:
    old: object = None          # Document at the base, or None (added)
    new: object = None          # Document at the head, or None (removed)
    old_path: str = ""
    new_path: str = ""


def field_changes(old, new) -> list:
    """[(field, (raw, text) or None, (raw, text) or None)] for each field that differs as written."""
    a, b = field_values(old), field_values(new)
    keys = list(a) + [k for k in b if k not in a]
    out = []
    for key in keys:
        va, vb = a.get(key), b.get(key)
        if (va is None) != (vb is None) or (va and vb and va[0] != vb[0]):
            if va and vb and va[1] == vb[1]:   # the same to the public, written differently: show as written
                va, vb = (va[0], str(va[0])), (vb[0], str(vb[0]))
            out.append((key, va, vb))
    return out


class Summary:
    def __init__(self, base: str, target: str, blocks: list):
        self.base, self.target, self.blocks = base, target, blocks

    def markdown(self, limit: int | None = None) -> str:
        """The whole summary; with limit, whole sections while they fit, then a note."""
        lines = list(self.blocks[0])
        for i, block in enumerate(self.blocks[1:], 1):
            if limit is not None and len("\n".join(lines + block)) > limit - 200:
                left = len(self.blocks) - i
                lines += [f"……摘要太长，以下 {left} 部分没有显示；完整摘要见本次检查的产物 review-summary.md，"
                          f"或在本地运行 make review-summary BASE={self.base}。", ""]
                break
            lines += block
        return "\n".join(lines).rstrip("\n")


def summary(repo: Path, base: str, head: str | None, content: str = "content",
            conf: dict | None = None, publish: dict | None = None) -> Summary:
    conf = conf or settings_mod.load()
    publish = publish or settings_mod.load_publish()
    old_rev = git(repo, "merge-base", base, head or "HEAD").strip()
    rows = changed_files(repo, base, head, content)
    with tempfile.TemporaryDirectory() as tmp:
        before = checked(export(repo, old_rev, [content, "data"], Path(tmp) / "base"), content, conf)
        after = checked(repo if head is None else export(repo, head, [content, "data"], Path(tmp) / "head"),
                        content, conf)
        return _summary(base, head or "工作区", rows, before, after, content, conf, publish)


def _summary(base, target, rows, before: Tree, after: Tree, content, conf, publish) -> Summary:
    added, changed, removed, other = [], [], [], []
    for status, old_path, new_path in rows:
        old = None if status == "A" else before.docs.get(old_path)
        new = None if status == "D" else after.docs.get(new_path)
        if old is None and new is None:
            other.append((status, old_path, new_path))
        elif old is not None and new is not None and old_path != new_path \
                and old.raw.get("index_no") != new.raw.get("index_no"):
            removed.append(Item(old=old, old_path=old_path))   # git saw a rename of similar text;
            added.append(Item(new=new, new_path=new_path))     # by 索引号 these are two items
        elif new is None:
            removed.append(Item(old=old, old_path=old_path))
        elif old is None:
            added.append(Item(new=new, new_path=new_path))
        else:
            changed.append(Item(old, new, old_path, new_path))
    # a document removed in one file and added in another under the same 索引号 has moved
    for gone in list(removed):
        number = gone.old.raw.get("index_no")
        twin = next((a for a in added if number and a.new.raw.get("index_no") == number), None)
        if twin:
            removed.remove(gone)
            added.remove(twin)
            changed.append(Item(gone.old, twin.new, gone.old_path, twin.new_path))

    touched = {new_path for status, _old, new_path in rows if status != "D"}
    seen_before = set(before.problems)
    mine = [p for p in after.problems if p.path in touched]
    caused = [p for p in after.problems if p.path not in touched and p not in seen_before]
    already = [p for p in after.problems if p.path not in touched and p in seen_before]
    listed = mine + caused
    errors = sum(p.is_error for p in listed)
    warnings = len(listed) - errors
    errors_already = sum(p.is_error for p in already)

    head = [f"## 内容变更摘要（{esc(base)} → {esc(target)}）", ""]
    if errors:
        head.append(f"**检查未通过**：本分支的改动有 {errors} 个错误；请按下面的提示修改后再提交，有错误不能合并发布。")
    elif errors_already:
        head.append(f"**检查未通过**：本分支的改动没有发现错误，但其他文件中已有 {errors_already} 个错误"
                    "（基准分支上已经存在）；运行 make check 查看。")
    else:
        head.append("**检查通过**：没有发现错误" + (f"；{warnings} 个提醒不阻止发布，但请核对。" if warnings else "。"))
    head += ["", f"新增 {len(added)} 项，修改 {len(changed)} 项，删除 {len(removed)} 项"
             + (f"，其他文件 {len(other)} 个" if other else "") + f"；{errors} 个错误，{warnings} 个提醒。", ""]
    if not rows:
        head += [f"{content}/ 没有变化。", ""]
    blocks = [head]

    if listed:
        block = ["### 检查结果（与 make check 相同）", ""]
        if mine:
            block += ["本分支新增或修改的文件：", "", *fenced([after.line(p) for p in mine], "text"), ""]
        if caused:
            block += ["本分支的改动在其他文件中引起的问题（例如删除了别的文件引用的文件）：", "",
                      *fenced([after.line(p) for p in caused], "text"), ""]
        blocks.append(block)
    if already:
        blocks.append([f"另有 {errors_already} 个错误、{len(already) - errors_already} 个提醒在本分支没有改动的文件中，"
                       "基准分支上已经存在；运行 make check 查看。", ""])

    if added:
        blocks.append([f"### 新增（{len(added)} 项）", ""])
        blocks += [_added(item, after, publish) for item in added]
    if changed:
        blocks.append([f"### 修改（{len(changed)} 项）", ""])
        blocks += [_changed(item, before, after, base, target, publish) for item in changed]
    if removed:
        blocks.append([f"### 删除（{len(removed)} 项）", ""])
        blocks += [_removed(item, publish) for item in removed]
    if other:
        blocks.append([f"### 其他文件（{len(other)} 个）", ""])
        blocks += [_other(row, before, after, content, conf, base, target) for row in other]
    return Summary(base, target, blocks)


def _address(doc, publish) -> str:
    return document_url(doc, publish)


def _added(item: Item, after: Tree, publish) -> list:
    doc = item.new
    out = [f"#### {heading(doc)}", "", f"- 文件：{code(item.new_path)}"]
    if doc.type in schema.TYPES or doc.type == schema.PAGE:
        out.append(f"- 公开地址：{esc(_address(doc, publish))}")
    out.append("")
    values = field_values(doc)
    if values:
        out += ["| 字段 | 内容 |", "| --- | --- |"]
        out += [f"| {esc(schema.field_label(k))} ({esc(k)}) | {shown(v)} |" for k, v in values.items()]
        out.append("")
    lines, _first = body_of(doc, after.text(item.new_path))
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return out + ["正文：（空）", ""]
    chars = sum(map(len, lines))
    shown_lines, note = cut(lines, MAX_BODY_LINES, "正文", "完整正文请在合并请求的“文件”中查看")
    body = fenced(shown_lines, "markdown") + ([note] if note else [])
    if len(lines) > FOLD_BODY_LINES:
        return out + [f"<details><summary>正文（{len(lines)} 行，{chars} 字，点击展开）</summary>", "",
                      *body, "", "</details>", ""]
    return out + [f"正文（{len(lines)} 行）：", "", *body, ""]


def _changed(item: Item, before: Tree, after: Tree, base, target, publish) -> list:
    old, new = item.old, item.new
    out = [f"#### {heading(new)}", ""]
    if item.old_path != item.new_path:
        out.append(f"- 文件：{code(item.new_path)}（原为 {code(item.old_path)}）")
    else:
        out.append(f"- 文件：{code(item.new_path)}")
    was, now = _address(old, publish), _address(new, publish)
    if was != now and (new.type in schema.TYPES or new.type == schema.PAGE):
        out.append(f"- **公开地址改变**：{esc(was)} → {esc(now)}；原地址将无法访问，已有的链接和收藏都会失效。"
                   "已公开文件的索引号请不要修改")
    elif new.type in schema.TYPES or new.type == schema.PAGE:
        out.append(f"- 公开地址：{esc(now)}")
    out.append("")
    fields = field_changes(old, new)
    if fields:
        out += ["| 字段 | 原值 | 新值 |", "| --- | --- | --- |"]
        out += [f"| {esc(schema.field_label(k))} ({esc(k)}) | {shown(a)} | {shown(b)} |" for k, a, b in fields]
        out.append("")
    old_lines, old_first = body_of(old, before.text(item.old_path))
    new_lines, new_first = body_of(new, after.text(item.new_path))
    diff = unified(old_lines, new_lines, old_first, new_first, item.old_path, item.new_path)
    if diff:
        shown_diff, note = cut(diff, MAX_DIFF_LINES, "正文的差异",
                               f"完整差异请运行 git diff {base}...{target} -- {item.new_path}")
        out += ["正文的改动：", "", *fenced(shown_diff, "diff")] + ([note] if note else []) + [""]
    if not fields and not diff and item.old_path == item.new_path:
        out += ["只改了格式或注释，元数据和正文没有变化。", ""]
    return out


def _removed(item: Item, publish) -> list:
    doc = item.old
    number = doc.raw.get("index_no")
    out = [f"#### {heading(doc)}", "", f"- 文件：{code(item.old_path)}"
           + (f"，索引号 {esc(number)}" if number else "")]
    if doc.type in schema.TYPES or doc.type == schema.PAGE:
        out.append(f"- 公开地址：{esc(_address(doc, publish))} —— 删除后这个地址将无法访问，"
                   "已有的链接、收藏和搜索结果都会失效。")
    if doc.type in schema.TYPES:
        titles = schema.enum_titles("validity")
        label = schema.field_label
        current = doc.meta.get("validity") or "valid"
        marked = f"本文件已标注为“{titles.get(current, current)}”。" if current != "valid" else ""
        out.append(f"- **建议不要删除**：{marked}不再有效的文件请保留，把 {label('validity')} (validity) 改为 "
                   f"`expired`（{titles['expired']}）或 `repealed`（{titles['repealed']}），"
                   f"需要时在 {label('superseded_by')} (superseded_by) 或 {label('repealed_by')} (repealed_by) "
                   "中写明新文件的索引号；页面和地址保留，公众能看到它已不再有效。确需删除的（例如误发、涉密），"
                   "请在合并请求中说明理由。")
    return out + [""]


def _other(row, before: Tree, after: Tree, content, conf, base, target) -> list:
    status, old_path, new_path = row
    verb = {"A": "新增", "M": "修改", "D": "删除", "R": "改名"}.get(status, status)
    allowlist = f"{content}/{conf.get('GONGKAI_PRIVACY_ALLOWLIST') or privacy.DEFAULT_ALLOWLIST}"
    line = f"- {verb} {code(new_path)}" + (f"（原为 {code(old_path)}）" if old_path != new_path else "")
    if status == "D":
        return [line, ""]
    names = after.named.get(new_path, [])
    if new_path == allowlist:
        what = "个人信息白名单（列入的号码不再报告为个人信息；修改须经保密审查人同意）"
    elif names:
        what = "、".join(f"{heading(doc)}的{kind}“{esc(title)}”" for doc, kind, title in names)
    else:
        what = ("文件（不属于任何文件的附件）。它不会发布，make check 把它报为错误；"
                "请在相应文件的附件 (attachments) 中列出它，或从分支中删除")
    out = [f"{line}：{what}", ""]
    if Path(new_path).suffix.lower() in TEXT_SUFFIXES:
        old_text = before.text(old_path) if status != "A" else ""
        new_text = after.text(new_path)
        if old_text is not None and new_text is not None:
            diff = unified(old_text.splitlines(), new_text.splitlines(), 1, 1,
                           "/dev/null" if status == "A" else old_path, new_path)
            shown_diff, note = cut(diff, MAX_DIFF_LINES, "差异",
                                   f"完整差异请运行 git diff {base}...{target} -- {new_path}")
            if diff:
                out += [*fenced(shown_diff, "diff")] + ([note] if note else []) + [""]
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="列出一个分支新增、修改、删除的信息、改动的字段和正文，"
                                                 "以及检查发现的问题（Markdown，可直接贴到合并请求中）。")
    parser.add_argument("--base", default="main", help="对比的基准分支或提交（默认 main）")
    parser.add_argument("--head", default="HEAD", help="要审查的分支或提交（默认 HEAD）")
    parser.add_argument("--worktree", action="store_true", help="对比工作区（包括还没有提交的修改）")
    parser.add_argument("--repo", default=str(settings_mod.ROOT), help="仓库目录（默认本仓库）")
    parser.add_argument("--output", default="review-summary.md", help="同时写入的文件（默认 review-summary.md）")
    parser.add_argument("--comment-output", default=None,
                        help=f"另写一份适合合并请求评论的摘要（不超过 {COMMENT_LIMIT} 字，太长时只保留前面的部分）")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    repo = Path(args.repo)
    try:
        result = summary(repo, args.base, None if args.worktree else args.head)
    except GitError as err:
        print(f"无法读取 git 历史：{err}；请确认 --base {args.base} 存在（CI 中需要完整历史：fetch-depth: 0）",
              file=sys.stderr)
        return 2
    text = result.markdown()
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    if args.comment_output:
        Path(args.comment_output).write_text(
            COMMENT_MARKER + "\n" + result.markdown(COMMENT_LIMIT - len(COMMENT_MARKER) - 1) + "\n", encoding="utf-8")
    return 0
