"""make check: validate content/ (or the given files) and print every problem.

    python scripts/check.py                 # the whole tree
    python scripts/check.py content/policy/x.md   # report only these files

Exit status: 0 when there is no error (warnings allowed), 1 otherwise."""
from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from gongkai.core import messages
from gongkai.core import settings as settings_mod
from gongkai.core.corpus import read_files
from gongkai.core.model import relpath
from gongkai.core.validate import all_problems, content_files, with_document_checks


def check_tree(content_root: Path, conf: dict):
    """(documents, problems) of a whole content tree: every check make check runs."""
    asof = settings_mod.asof(conf)
    ctx = {"settings": conf, "content_root": content_root, "asof": asof}
    # each file is read and given its document checks in the same (parallel) worker
    docs = read_files(content_files([content_root]), content_root, conf,
                      then=partial(with_document_checks, ctx=ctx))
    return docs, all_problems(docs, settings=conf, content_root=content_root, asof=asof, document_checks=False)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="检查 content/ 中的文件元数据。")
    parser.add_argument("paths", nargs="*", help="只报告这些文件或文件夹中的问题（默认：全部）")
    parser.add_argument("--content", default=None, help="内容目录（默认 content/）")
    args = parser.parse_args(argv)
    conf = settings_mod.load()
    content_root = Path(args.content) if args.content else settings_mod.ROOT / "content"
    if not content_root.is_dir():
        print(f"{args.content}: 找不到内容目录；请确认路径", file=sys.stderr)
        return 2
    docs, problems = check_tree(content_root, conf)
    if args.paths:
        wanted = [relpath(Path(p)) for p in args.paths]
        problems = [p for p in problems if any(p.path == w or p.path.startswith(w.rstrip("/") + "/") for w in wanted)]
    for p in problems:
        print(p)
    print(messages.summary(problems) if problems else f"检查通过：{len(docs)} 个文件，没有发现问题。")
    return 1 if any(p.is_error for p in problems) else 0


