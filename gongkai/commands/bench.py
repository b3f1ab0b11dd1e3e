"""make bench: build speed and memory at 1,000 and 10,000 documents, with plain
Pelican on the same generated corpus in the same run as the baseline.

Prints figures; asserts nothing. Sizes can be chosen: python scripts/bench.py 1000 10000"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gongkai.commands.synth import generate
from gongkai.core.settings import ROOT

PY = sys.executable
ASOF = "2026-09-05T09:00"


def run(cmd, env=None) -> tuple[float, float, int]:
    """Run a command; return (seconds, peak RSS in MB of it and its children, exit code)."""
    os.sync()  # no writes of an earlier step pending
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ, **(env or {})),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(f"  !! {' '.join(map(str, cmd[:3]))} … 退出码 {code}\n{err[-2000:]}", file=sys.stderr)
    return elapsed, usage.ru_maxrss / 1024, code


def plain_settings(work: Path, content: Path, output: Path) -> Path:
    conf = work / "plain_pelicanconf.py"
    conf.write_text(
        f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(output)!r}\nTIMEZONE = 'Asia/Shanghai'\n"
        "DEFAULT_LANG = 'zh-CN'\nSITEURL = ''\nRELATIVE_URLS = True\nPLUGINS = []\n"
        "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\n"
        "AUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\nDEFAULT_PAGINATION = 20\n"
        f"CACHE_PATH = {str(work / 'plain-cache')!r}\nCACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\n",
        encoding="utf-8")
    return conf


def touch_one(content: Path):
    """Edit one document's body, as staff would."""
    target = sorted((content / "policy").glob("*.md"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\n\n（更正）\n", encoding="utf-8")


def bench_size(n: int, work: Path) -> dict:
    corpus = work / f"corpus-{n}"
    t = time.perf_counter()
    counts = generate(n, corpus)
    print(f"\n== {n} 篇文档（生成 {time.perf_counter() - t:.1f} 秒；{counts}）", flush=True)
    ours, plain = corpus / "gongkai", corpus / "plain"
    out, cache = work / f"out-{n}", work / f"cache-{n}"
    r = {"n": n}
    # Plain Pelican first: on this disk (ext4 without a journal) every file
    # created in the minutes after many deletions scans the inodes deleted
    # recently, which would slow whatever runs next (our cold build took 84 s
    # instead of 38 s right after 75,000 deletions). Our second build deletes
    # nothing (the first replaced no site); the bench deletes nothing until it ends.
    conf = plain_settings(work, plain, work / f"plain-out-{n}")
    r["plain"] = run([PY, "-m", "pelican", "-q", "-s", conf])
    touch_one(plain)
    r["plain_rebuild"] = run([PY, "-m", "pelican", "-q", "-s", conf])
    r["check"] = run([PY, "scripts/check.py", "--content", ours])
    r["html"] = run([PY, "scripts/build.py", "--content", ours, "--output", out, "--cache-path", cache, "--quiet"],
                    env={"ASOF": ASOF})
    touch_one(ours)
    r["rebuild"] = run([PY, "scripts/build.py", "--content", ours, "--output", out, "--cache-path", cache, "--quiet"],
                       env={"ASOF": ASOF})
    for key in ("check", "html", "rebuild", "plain", "plain_rebuild"):
        sec, mb, code = r[key]
        print(f"  {key:14s} {sec:7.1f} 秒  峰值内存 {mb:7.0f} MB{'' if code == 0 else '  (失败)'}", flush=True)
    ratio = r["html"][0] / r["plain"][0]
    print(f"  make html / 原版 Pelican = {ratio:.2f}×（目标 ≤ 2×）；"
          f"增量构建 / 完整构建 = {r['rebuild'][0] / r['html'][0]:.2f}（目标 ≤ 0.5）；"
          f"make check {r['check'][0]:.1f} 秒（目标 < 10 秒）", flush=True)
    # precision@5 belongs to the real content (tests/relevance.yaml): see real_site_search()
    subprocess.run([PY, ROOT / "scripts" / "bench_search.py", "--site", out, "--content", ours, "--skip-relevance"],
                   cwd=ROOT)
    subprocess.run([PY, ROOT / "scripts" / "bench_deploy.py", "--site", out, "--content", ours,
                    "--work", work / f"deploy-{n}"], cwd=ROOT)
    return r


def real_site_search(work: Path):
    """Search relevance (precision@5) on the real content/, the set tests/relevance.yaml describes."""
    out = work / "out-real"
    print("\n== 真实内容（content/）上的搜索相关度", flush=True)
    run([PY, "scripts/build.py", "--output", out, "--no-cache", "--quiet"], env={"ASOF": ASOF})
    subprocess.run([PY, ROOT / "scripts" / "bench_search.py", "--site", out], cwd=ROOT)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="测量构建速度和内存（与原版 Pelican 对比）。")
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--keep", action="store_true", help="保留生成的语料和输出")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    print(f"机器：{os.cpu_count()} 核；Python {sys.version.split()[0]}；工作目录 {work}")
    try:
        real_site_search(work)
        results = [bench_size(n, work) for n in args.sizes]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\n| 文档数 | make check | make html | 改一篇后重建 | 原版 Pelican | 原版重建 | 倍数 | 峰值内存 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        peak = max(r[k][1] for k in ("check", "html", "rebuild"))
        print(f"| {r['n']:,} | {r['check'][0]:.1f} s | {r['html'][0]:.1f} s | {r['rebuild'][0]:.1f} s | "
              f"{r['plain'][0]:.1f} s | {r['plain_rebuild'][0]:.1f} s | {r['html'][0] / r['plain'][0]:.2f}× | {peak:.0f} MB |")
    return 0


