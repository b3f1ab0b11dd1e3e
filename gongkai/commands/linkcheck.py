"""Check every internal link and attachment link of a built site.

    python scripts/linkcheck.py [output] [--site-url https://www.yanshou.gov.cn]

Prints one line per broken link (page:line: 链接 … 指向的 … 不存在；…) and
exits 1 when there is any; make check runs it when output/ exists."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gongkai.core.linkcheck import check, report
from gongkai.core.settings import ROOT


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="检查已构建网站中的站内链接和附件链接。")
    parser.add_argument("output", nargs="?", default=str(ROOT / "output"), help="网站输出目录（默认 output/）")
    parser.add_argument("--site-url", default="", help="网站正式地址；以它开头的链接也按站内链接检查")
    args = parser.parse_args(argv)
    output = Path(args.output)
    if not (output / "index.html").is_file():
        print(f"{output} 中没有已构建的网站（缺少 index.html）；请先运行 make html。", file=sys.stderr)
        return 2
    try:
        problems, pages, links = check(output, args.site_url)
    except OSError as exc:
        print(f"内部错误：无法读取 {exc.filename}：{exc.strerror}；请把这一行告诉技术人员", file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    print(report(problems, pages, links), file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


