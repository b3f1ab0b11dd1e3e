"""make bench, deploy part: the time make publish takes (check, build,
precompress, switch) and, with wrk against Debian's nginx serving the
release on 127.0.0.1, requests per second and p99 latency for the home page
and a document page. Prints figures; asserts nothing.

    python scripts/bench_deploy.py [--content content/] [--duration 10]

scripts/bench.py calls it with --site (its build output, not needed here)
and --content (its synthetic corpus)."""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from gongkai.commands import publish as publish_mod
from gongkai.core.settings import ROOT

WRK = shutil.which("wrk") or "/usr/bin/wrk"
ASOF = "2026-09-05T09:00"


def wrk(url: str, seconds: int, connections: int) -> dict:
    """Run wrk; return requests/s, p99 in ms, and non-2xx/3xx count."""
    out = subprocess.run([WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-H", "Accept-Encoding: gzip, br", url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {"rps": float(rps.group(1)) if rps else float("nan"),
            "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
            "errors": int(bad.group(1)) if bad else 0, "raw": out}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="测量发布用时和 nginx 的吞吐量、p99 延迟。")
    parser.add_argument("--content", default=str(ROOT / "content"))
    parser.add_argument("--site", default=None, help="（bench.py 传入，不使用：这里会重新发布）")
    parser.add_argument("--duration", type=int, default=10, help="wrk 每个页面运行的秒数")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--work", default=None, help="工作目录（bench.py 传入，由它在最后删除）")
    args = parser.parse_args(argv)

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="gongkai-bench-deploy-"))
    work.mkdir(parents=True, exist_ok=True)
    deploy = work / "deploy"
    # The port SITEURL names stays reserved for nginx while the site is published.
    held = ExitStack()
    port = held.enter_context(publish_mod.reserved_port())
    env = dict(os.environ, DEPLOY_DIR=str(deploy), ASOF=os.environ.get("ASOF", ASOF),
               SITEURL=f"http://127.0.0.1:{port}")
    try:
        print(f"\n== 发布与 nginx（{args.content}）", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(ROOT / "scripts" / "publish.py"), "publish", "--content", args.content],
                                cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            print(f"  发布失败（退出码 {result.returncode}），不测量 nginx：\n{result.stderr[-2000:]}")
            return 1
        current = deploy / "current"
        info = json.loads((current / "release.json").read_text(encoding="utf-8"))
        pre = info["precompressed"]
        docs = sum(info["documents"].values())
        print(f"  make publish（检查+构建+预压缩+切换） {elapsed:6.1f} 秒   {docs} 个文档，{info['files']} 个文件")
        print(f"  预压缩 {pre['files']} 个文本文件：{pre['bytes'] / 1e6:.1f} MB → gzip {pre['gzip_bytes'] / 1e6:.1f} MB，"
              f"brotli {pre['brotli_bytes'] / 1e6:.1f} MB")
        # The switch itself: one symlink renamed over another.
        release = publish_mod.current(deploy)
        t = time.perf_counter()
        for _ in range(100):
            publish_mod.switch(deploy, release)
        print(f"  切换 current（符号链接原子替换） {(time.perf_counter() - t) * 10:.3f} 毫秒/次")

        docs_pages = sorted((current / "xxgk").glob("*/index.html"))
        pages = {"首页 /": "/"}
        if docs_pages:
            doc = "/" + str(docs_pages[len(docs_pages) // 2].parent.relative_to(current)) + "/"
            pages[f"文档页 {doc}"] = doc
        with publish_mod.nginx_running(deploy, work / "nginx", port) as base:
            for label, path in pages.items():
                r = wrk(base + path, args.duration, args.connections)
                note = f"  （{r['errors']} 个错误响应）" if r["errors"] else ""
                print(f"  wrk {args.duration} 秒，{args.connections} 连接，{label}："
                      f"{r['rps']:9.0f} 请求/秒   p99 {r['p99_ms']:7.2f} 毫秒{note}", flush=True)
        return 0
    except publish_mod.PublishError as exc:
        print(f"  无法测量：{exc}")
        return 1
    finally:
        held.close()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


