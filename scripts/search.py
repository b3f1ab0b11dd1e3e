#!/usr/bin/env python3
"""Staff search: is it already published (or drafted) in content/?

    python scripts/search.py 营商环境 issuer:县财政局
    make search Q="营商环境 issuer:县财政局"

Searches every file in content/ (including files not built yet) by word,
"phrase" and fields: title: issuer: doc_no: index_no: type: disclosure:
topic: year:2018 year:2015-2018. Prints path, title, date and a snippet."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gongkai import staffsearch
from gongkai.corpus import read_tree
from gongkai.settings import ROOT


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="在 content/ 中搜索已有的文件（含尚未构建的文件）。",
                                     epilog=staffsearch.__doc__.split("Query syntax")[1] if staffsearch.__doc__ else None,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("query", nargs="*", help="搜索词，例如 营商环境 issuer:县财政局")
    parser.add_argument("--content", default=str(ROOT / "content"), help="内容目录（默认 content/）")
    parser.add_argument("--limit", type=int, default=20, help="最多显示几个结果（默认 20）")
    args = parser.parse_args(argv)
    text = " ".join(args.query)
    try:
        docs = read_tree(Path(args.content))
        hits, total = staffsearch.search(text, docs=docs, limit=args.limit)
    except staffsearch.QueryError as err:
        print(f"搜索词有误：{err}", file=sys.stderr)
        return 2
    print(staffsearch.format_hits(hits, total))
    return 0 if hits else 1


if __name__ == "__main__":
    sys.exit(main())
