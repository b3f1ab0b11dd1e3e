"""Staff search: is it already published (or drafted) in content/?

    python scripts/search.py 营商环境 issuer:县财政局
    make search Q="营商环境 issuer:县财政局"

Searches every file in content/ (including files not built yet) by word,
"phrase" and fields: title: issuer: doc_no: index_no: type: disclosure:
topic: year:2018 year:2015-2018. Prints path, title, date and a snippet.

The index is kept in .cache/staffsearch/ and updated from the files' mtime
and size on each run; --rebuild builds it from scratch."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from gongkai.commands import staffsearch
from gongkai.core.settings import ROOT


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="在 content/ 中搜索已有的文件（含尚未构建的文件）。",
                                     epilog=staffsearch.__doc__.split("Query syntax")[1] if staffsearch.__doc__ else None,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("query", nargs="*", help="搜索词，例如 营商环境 issuer:县财政局")
    parser.add_argument("--content", default=str(ROOT / "content"), help="内容目录（默认 content/）")
    parser.add_argument("--limit", type=int, default=20, help="最多显示几个结果（默认 20）")
    parser.add_argument("--cache-path", default=None, help="搜索索引目录（默认 .cache/staffsearch）")
    parser.add_argument("--rebuild", action="store_true", help="删除旧索引，从头重建（一般不需要）")
    parser.add_argument("-v", "--verbose", action="store_true", help="显示索引更新了哪些文件（调试用）")
    args = parser.parse_args(argv)
    # Progress lines only for a person at a terminal; warnings (a damaged index) always.
    level = logging.DEBUG if args.verbose else logging.INFO if sys.stderr.isatty() else logging.WARNING
    logging.basicConfig(format="%(message)s", level=logging.WARNING)
    logging.getLogger(staffsearch.__name__).setLevel(level)
    text = " ".join(args.query)
    try:
        hits, total = staffsearch.search_tree(text, Path(args.content), args.cache_path and Path(args.cache_path),
                                              rebuild=args.rebuild, limit=args.limit)
    except staffsearch.QueryError as err:
        print(f"搜索词有误：{err}", file=sys.stderr)
        return 2
    except staffsearch.IndexUnavailable as err:
        print(f"搜索索引不可用：{err}", file=sys.stderr)
        return 3
    print(staffsearch.format_hits(hits, total))
    return 0 if hits else 1


