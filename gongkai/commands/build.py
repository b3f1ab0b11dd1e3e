"""make html / make publish: build the site with Pelican into a fresh temporary
folder next to the output, and swap it in only when the build succeeded, so
a broken commit never half-replaces a good site.

    python scripts/build.py [--settings publishconf.py] [--output output]

ASOF (environment) sets the build clock for solicitations: ASOF=2026-12-01T09:00."""
from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

from gongkai.core import messages
from gongkai.core.settings import ROOT
from gongkai.build.signals import build_failed


# The build's own plugins that report what they did (at INFO, shown with --verbose).
REPORTING = ("search_index", "reuse_pages")


def build(settings_file: Path, output: Path, quiet: bool = False, content: Path | None = None,
          overrides: dict | None = None, verbose: bool = False) -> int:
    from pelican import Pelican
    from pelican.settings import read_settings

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    # GONGKAI_PREVIOUS_OUTPUT: the site this build replaces, whose unchanged pages it may reuse.
    override = {"OUTPUT_PATH": str(tmp), "DELETE_OUTPUT_DIRECTORY": False, "GONGKAI_PREVIOUS_OUTPUT": str(output)}
    if content is not None:
        override["PATH"] = str(Path(content).resolve())
    override.update(overrides or {})
    settings = read_settings(str(settings_file), override=override)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for name in REPORTING:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    start = time.perf_counter()
    wanted = [str(name) for name in settings.get("PLUGINS") or []]
    try:
        pelican = Pelican(settings)
        missing = [name for name in wanted if name not in pelican.settings["PLUGINS"]]
        if missing:  # Pelican only logs it, and would build a site without them
            raise RuntimeError(f"插件没有加载：{'、'.join(missing)}（请检查设置文件中的 PLUGIN_PATHS）")
        pelican.run()
    except Exception as exc:  # noqa: BLE001 — staff see one Chinese line, never a traceback
        build_failed.send(settings)
        shutil.rmtree(tmp, ignore_errors=True)
        problems = getattr(exc, "problems", None)
        if problems is not None:
            print(messages.summary(problems), file=sys.stderr)
        else:
            print(f"构建失败：{type(exc).__name__}: {exc}", file=sys.stderr)
        print(f"网站没有更新：{output} 保持原样。", file=sys.stderr)
        return 1
    old = output.with_name(f".{output.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if output.exists():
        output.rename(old)
    tmp.chmod(0o755)  # mkdtemp makes it private; the web server must read it
    tmp.rename(output)
    shutil.rmtree(old, ignore_errors=True)
    if not quiet:
        print(f"构建完成：{output}（{time.perf_counter() - start:.1f} 秒）")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="构建网站（失败时不改动已有的输出）。")
    parser.add_argument("--settings", default=str(ROOT / "pelicanconf.py"))
    parser.add_argument("--output", default=str(ROOT / "output"))
    parser.add_argument("--content", default=None, help="内容目录（默认 content/）")
    parser.add_argument("--no-cache", action="store_true", help="不使用、不写入内容缓存（测试用）")
    parser.add_argument("--cache-path", default=None, help="内容缓存目录（默认 .cache/pelican）")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="报告搜索索引和沿用上次构建的页面数")
    args = parser.parse_args(argv)
    return build(Path(args.settings), Path(args.output), args.quiet,
                 Path(args.content) if args.content else None,
                 {"CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False} if args.no_cache
                 else ({"CACHE_PATH": args.cache_path} if args.cache_path else None), args.verbose)


