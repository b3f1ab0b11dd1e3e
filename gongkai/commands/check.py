"""make check: validate content/ (or the given files) and print every problem.

    python scripts/check.py                 # the whole tree
    python scripts/check.py content/policy/x.md   # report only these files
    python scripts/check.py --base origin/main    # new = changed since this branch left origin/main

A number (索引号, 发文字号) used twice is blamed on the file that git counts
as new or changed, never on the published one; see validate._unique.

Exit status: 0 when there is no error (warnings allowed), 1 otherwise."""
from __future__ import annotations

import argparse
import subprocess
import sys
from functools import partial
from pathlib import Path

from gongkai.core import messages
from gongkai.core import settings as settings_mod
from gongkai.core.boundary import documents_in
from gongkai.core.corpus import read_files
from gongkai.core.model import relpath
from gongkai.core.validate import all_problems, check_context, with_document_checks


class NoBase(Exception):
    """--base names no commit git knows."""


def _git(folder: Path, *args) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def changed_paths(content_root: Path, base: str | None = None) -> set | None:
    """Resolved paths of the files under content_root that are new or changed:
    untracked (ignored ones too: the build reads them) or different from HEAD,
    staged or not; with base, different from where this branch left base (what
    a pull request adds). None when there is no history to compare with: not
    a git repository, or no commit yet."""
    content_root = Path(content_root).resolve()
    top = _git(content_root, "rev-parse", "--show-toplevel")
    if top is None or _git(content_root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}") is None:
        return None
    since = "HEAD"
    if base:
        since = (_git(content_root, "merge-base", base, "HEAD") or "").strip()
        if not since:
            raise NoBase(base)
    top_dir = Path(top.strip())
    changed = _git(top_dir, "diff", "--name-only", "--no-renames", "-z", since, "--", str(content_root))
    untracked = _git(top_dir, "ls-files", "--others", "-z", "--", str(content_root))
    if changed is None or untracked is None:
        return None
    return {str((top_dir / name).resolve()) for name in (changed + untracked).split("\0") if name}


def check_tree(content_root: Path, conf: dict, new: set | None = None):
    """(documents, problems) of a whole content tree: every check make check runs.
    new: the files that are new or changed (a duplicate is blamed on them)."""
    asof = settings_mod.asof(conf)
    ctx = check_context(conf, content_root, asof)
    # each file is read and given its document checks in the same (parallel) worker
    docs = read_files(documents_in([content_root]), content_root, conf,
                      then=partial(with_document_checks, ctx=ctx))
    return docs, all_problems(docs, settings=conf, content_root=content_root, asof=asof, document_checks=False,
                              new=new)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="检查 content/ 中的文件元数据。")
    parser.add_argument("paths", nargs="*", help="只报告这些文件或文件夹中的问题（默认：全部）")
    parser.add_argument("--content", default=None, help="内容目录（默认 content/）")
    parser.add_argument("--base", default=None,
                        help="与哪个分支比较新增和修改的文件（默认与最近一次提交比较），例如 origin/main")
    args = parser.parse_args(argv)
    conf = settings_mod.load()
    content_root = Path(args.content) if args.content else settings_mod.ROOT / "content"
    if not content_root.is_dir():
        print(f"{args.content}: 找不到内容目录；请确认路径", file=sys.stderr)
        return 2
    try:
        new = changed_paths(content_root, args.base)
    except NoBase:
        print(f"--base {args.base}: git 中找不到这个分支或提交；请确认名称，例如 origin/main（需要先 git fetch）",
              file=sys.stderr)
        return 2
    docs, problems = check_tree(content_root, conf, new)
    if args.paths:
        # a problem between two files (a duplicate) is reported when either is named
        wanted = [relpath(Path(p)) for p in args.paths]
        problems = [p for p in problems
                    if any(f == w or f.startswith(w.rstrip("/") + "/") for f in p.files for w in wanted)]
    for p in problems:
        print(p)
    print(messages.summary(problems) if problems else f"检查通过：{len(docs)} 个文件，没有发现问题。")
    return 1 if any(p.is_error for p in problems) else 0


