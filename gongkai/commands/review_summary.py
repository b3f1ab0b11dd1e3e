"""The review summary of a branch: which items are new, changed or removed
between a base (main, origin/main) and HEAD or the working tree, and for
changed items which metadata fields moved from what to what.

    python scripts/review_summary.py --base origin/main            # HEAD vs. where it left main
    python scripts/review_summary.py --base main --worktree        # uncommitted changes too
    make review-summary BASE=origin/main

Prints Markdown and writes it to --output (default review-summary.md). Both
versions of a file are read with gongkai.model, the one parser."""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from gongkai.core import schema
from gongkai.core import settings as settings_mod
from gongkai.core.model import read_document


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


def read_version(repo: Path, rev: str | None, path: str, content: str, conf: dict):
    """The Document of path at rev (None: the working tree), or None when absent."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        rel = Path(path).relative_to(content)
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rev is None:
            source = repo / path
            if not source.is_file():
                return None
            target.write_bytes(source.read_bytes())
        else:
            try:
                target.write_bytes(git(repo, "show", f"{rev}:{path}", binary=True))
            except GitError:
                return None
        doc = read_document(target, root, conf)
        doc.path = path
        return doc


def flatten(value, prefix="") -> dict:
    out = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = value
    return out


def field_changes(old, new) -> list:
    """[(field, old value, new value)] over the front-matter as written."""
    a, b = flatten(old.raw), flatten(new.raw)
    keys = list(a) + [k for k in b if k not in a]
    return [(k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)]


def show(value) -> str:
    if value is None:
        return "（无）"
    if isinstance(value, list):
        value = "、".join(map(str, value))
    return str(value).replace("|", "\\|").replace("\n", " ")


def describe(doc) -> str:
    kind = schema.enum_title("common", "type", doc.type) if doc.type in schema.TYPES else "页面"
    title = doc.raw.get("title") or "（无标题）"
    extra = f"，索引号 {doc.raw['index_no']}" if doc.raw.get("index_no") else ""
    return f"《{show(title)}》（{kind}{extra}）"


def summary(repo: Path, base: str, head: str | None, content: str = "content", conf=None) -> str:
    conf = conf or settings_mod.load()
    old_rev = git(repo, "merge-base", base, head or "HEAD").strip()
    new_rev = head
    added, changed, removed, other = [], [], [], []
    for status, old_path, new_path in changed_files(repo, base, head, content):
        if not new_path.endswith(".md"):
            other.append((status, old_path, new_path))
            continue
        old = None if status == "A" else read_version(repo, old_rev, old_path, content, conf)
        new = None if status == "D" else read_version(repo, new_rev, new_path, content, conf)
        if old is None and new is not None:
            added.append(new)
        elif new is None and old is not None:
            removed.append(old)
        elif old is not None and new is not None and old_path != new_path \
                and old.raw.get("index_no") != new.raw.get("index_no"):
            removed.append(old)   # git saw a rename of similar text; by 索引号 these are two items
            added.append(new)
        elif old is not None and new is not None:
            changed.append((old, new, field_changes(old, new), old.body != new.body, old_path != new_path))
    target = head or "工作区"
    lines = [f"## 内容变更摘要（{base} → {target}）", "",
             f"新增 {len(added)} 项，修改 {len(changed)} 项，删除 {len(removed)} 项"
             + (f"，其他文件 {len(other)} 个" if other else "") + "。", ""]
    if added:
        lines += ["### 新增", ""] + [f"- {describe(d)} `{d.path}`" for d in added] + [""]
    if changed:
        lines += ["### 修改", ""]
        for old, new, fields, body, renamed in changed:
            lines.append(f"#### {describe(new)} `{new.path}`")
            lines.append("")
            if renamed:
                lines += [f"文件改名：`{old.path}` → `{new.path}`", ""]
            if fields:
                lines += ["| 字段 | 原值 | 新值 |", "| --- | --- | --- |"]
                for name, a, b in fields:
                    lines.append(f"| {schema.field_label(name)} ({name}) | {show(a)} | {show(b)} |")
                lines.append("")
            if body:
                old_lines, new_lines = old.body.split("\n"), new.body.split("\n")
                lines += [f"正文有修改（原 {len(old_lines)} 行，现 {len(new_lines)} 行）。", ""]
            if not fields and not body and not renamed:
                lines += ["只改了格式或注释，元数据和正文没有变化。", ""]
    if removed:
        lines += ["### 删除", ""] + [f"- {describe(d)} `{d.path}`" for d in removed] + [""]
    if other:
        names = {"A": "新增", "M": "修改", "D": "删除", "R": "改名"}
        lines += ["### 附件和其他文件", ""] + [
            f"- {names.get(s, s)} `{n}`" + (f"（原 `{o}`）" if o != n else "") for s, o, n in other] + [""]
    if not (added or changed or removed or other):
        lines += ["content/ 没有变化。", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="列出一个分支新增、修改、删除的信息，以及修改了哪些元数据字段（Markdown）。")
    parser.add_argument("--base", default="main", help="对比的基准分支或提交（默认 main）")
    parser.add_argument("--head", default="HEAD", help="要审查的分支或提交（默认 HEAD）")
    parser.add_argument("--worktree", action="store_true", help="对比工作区（包括还没有提交的修改）")
    parser.add_argument("--repo", default=str(settings_mod.ROOT), help="仓库目录（默认本仓库）")
    parser.add_argument("--output", default="review-summary.md", help="同时写入的文件（默认 review-summary.md）")
    args = parser.parse_args(argv)
    repo = Path(args.repo)
    try:
        text = summary(repo, args.base, None if args.worktree else args.head)
    except GitError as err:
        print(f"无法读取 git 历史：{err}；请确认 --base {args.base} 存在（CI 中需要完整历史：fetch-depth: 0）",
              file=sys.stderr)
        return 2
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0


