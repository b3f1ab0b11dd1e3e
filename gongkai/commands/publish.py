"""make publish / make rollback / make releases: atomic releases for the web server.

    python scripts/publish.py                 # check, build, precompress, switch `current`
    python scripts/publish.py rollback [--to NAME]
    python scripts/publish.py releases
    python scripts/publish.py nginx-conf [--listen 80] [--server-name NAME] [--standalone PREFIX]
    python scripts/publish.py nginx-preview [--port 8080]   # see current/ through nginx

Layout under DEPLOY_DIR (environment; default deploy/ in the repository):

    releases/20261125-101500-0026ddd/   one complete site each, with release.json
    current -> releases/20261125-101500-0026ddd   the web server's root

A release is built in a hidden folder (releases/.<name>.partial) and renamed
into place only when the check, the build and the precompression all
succeeded; `current` is switched by renaming a new symlink over the old one
(rename(2) is atomic), so the web server sees either the old site or the new
one, never a mixture of files from half a build. GONGKAI_KEEP_RELEASES
(default 10) releases are kept; the live one is never deleted."""
from __future__ import annotations

import argparse
import fcntl
import getpass
import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import brotli

from gongkai.core import settings as settings_mod
from gongkai.core.model import type_of
from gongkai.core.settings import ROOT, TZ
from gongkai.core.validate import content_files

DEFAULT_KEEP = 10
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
NGINX = Path("/usr/sbin/nginx")
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
# Text worth precompressing. Pagefind's .pf_* chunks and .pagefind wasm are
# compressed by Pagefind itself; images and office files are compressed formats.
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".xml", ".atom", ".rss", ".svg", ".txt",
                ".csv", ".map", ".webmanifest", ".ico", ".wasm"}
MIN_COMPRESS_SIZE = 256


class PublishError(Exception):
    """A failure staff see as one Chinese line; nothing was switched."""


# --- where things are -------------------------------------------------------

def deploy_dir() -> Path:
    raw = os.environ.get("DEPLOY_DIR") or str(ROOT / "deploy")
    path = Path(raw)
    return (path if path.is_absolute() else ROOT / path).absolute()


def keep_count() -> int:
    raw = os.environ.get("GONGKAI_KEEP_RELEASES", str(DEFAULT_KEEP))
    try:
        keep = int(raw)
    except ValueError:
        keep = 0
    if keep < 1:
        raise PublishError(f"GONGKAI_KEEP_RELEASES={raw!r} 无效；应为不小于 1 的整数，例如 10")
    return keep


def releases(deploy: Path) -> list[Path]:
    """Complete releases, oldest first (names start with a sortable timestamp)."""
    folder = deploy / "releases"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def current(deploy: Path) -> Path | None:
    link = deploy / "current"
    if not link.is_symlink():
        return None
    target = (link.parent / os.readlink(link))
    return target if target.is_dir() else None


def git_version(root: Path = ROOT) -> str:
    """Short commit hash, with -dirty when the working tree has changes."""
    def git(*args):
        return subprocess.run(["git", "--no-optional-locks", "-C", str(root), *args],
                              capture_output=True, text=True, timeout=60)
    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return "nogit"
    dirty = git("status", "--porcelain")
    return head.stdout.strip() + ("-dirty" if dirty.returncode != 0 or dirty.stdout.strip() else "")


# --- steps ------------------------------------------------------------------

def document_counts(content: Path) -> dict:
    """Documents per type (policy, budget …, page), from the content folders."""
    counts = Counter(type_of(f, content) or "other" for f in content_files([content]))
    return dict(sorted(counts.items()))


def _compress_one(args) -> tuple[int, int, int]:
    """Compress one file (in a worker): returns (original, gzip, brotli) sizes, 0 when skipped."""
    path, previous, quality = args
    data = path.read_bytes()
    st = path.stat()
    sizes = [len(data), 0, 0]
    for i, suffix in ((1, ".gz"), (2, ".br")):
        out = path.with_name(path.name + suffix)
        old = previous.with_name(previous.name + suffix) if previous is not None else None
        if old is not None and old.is_file() and previous.read_bytes() == data:
            shutil.copyfile(old, out)   # unchanged since the last release: reuse its work
        else:
            packed = (gzip.compress(data, compresslevel=9, mtime=0) if suffix == ".gz"
                      else brotli.compress(data, quality=quality))
            if len(packed) >= len(data):
                continue
            out.write_bytes(packed)
        os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
        sizes[i] = out.stat().st_size
    return tuple(sizes)


def precompress(folder: Path, previous: Path | None = None) -> dict:
    """Write name.gz (gzip -9) and name.br (brotli, GONGKAI_BROTLI_QUALITY, default
    9) beside each text file that shrinks; nginx's gzip_static / brotli_static serve
    them as they are. Files unchanged since the previous release reuse its .gz/.br."""
    quality = int(os.environ.get("GONGKAI_BROTLI_QUALITY", "9"))
    jobs = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in COMPRESSIBLE:
            continue
        if path.stat().st_size < MIN_COMPRESS_SIZE:
            continue
        old = previous / path.relative_to(folder) if previous is not None else None
        jobs.append((path, old if old is not None and old.is_file() else None, quality))
    if len(jobs) > 200 and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(min(os.cpu_count() or 1, 4)) as pool:
            results = list(pool.map(_compress_one, jobs, chunksize=32))
    else:
        results = [_compress_one(job) for job in jobs]
    return {"files": len(results), "bytes": sum(r[0] for r in results),
            "gzip_bytes": sum(r[1] for r in results), "brotli_bytes": sum(r[2] for r in results),
            "brotli_quality": quality}


def switch(deploy: Path, release: Path) -> None:
    """Point `current` at release: a new symlink renamed over the old one."""
    link = deploy / "current"
    if link.exists() and not link.is_symlink():
        raise PublishError(f"{link} 是普通文件夹而不是符号链接；请先把它移走，再重新发布")
    tmp = deploy / f".current.{os.getpid()}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    # Relative target: the whole DEPLOY_DIR can be copied (rsync) to another machine.
    os.symlink(os.path.relpath(release, deploy), tmp)
    os.replace(tmp, link)


def _remove(path: Path) -> None:
    """Rename out of sight first, so a half-deleted release is never listed."""
    hidden = path.with_name(f".{path.name}.deleting")
    path.rename(hidden)
    shutil.rmtree(hidden)


def prune(deploy: Path, keep: int) -> list[str]:
    """Keep the newest `keep` releases and, whatever its age, the live one."""
    live = current(deploy)
    removed = []
    for old in releases(deploy)[:-keep]:
        if live is not None and old.resolve() == live.resolve():
            continue
        _remove(old)
        removed.append(old.name)
    return removed


class _Lock:
    """One publish or rollback at a time per DEPLOY_DIR (cron and a person may overlap)."""

    def __init__(self, deploy: Path):
        deploy.mkdir(parents=True, exist_ok=True)
        self.file = open(deploy / ".lock", "w")

    def __enter__(self):
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.close()
            raise PublishError("另一个发布或回退正在进行；请等它结束后再试") from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


def read_release(release: Path) -> dict:
    try:
        return json.loads((release / "release.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def describe(release: Path | None) -> str:
    return release.name if release is not None else "（无）"


# --- commands -----------------------------------------------------------------

def publish(deploy: Path, content: Path, settings_file: Path, keep: int, now: datetime | None = None) -> Path:
    """Check, build, precompress and switch; returns the new release. Raises
    PublishError (nothing switched, no release left behind) when a step fails."""
    from gongkai.commands import check as check_script
    from gongkai.commands.build import build

    conf = settings_mod.load()
    asof = settings_mod.asof(conf)
    # One clock for the check, the build and release.json.
    os.environ["ASOF"] = asof.isoformat(timespec="seconds")
    started = time.perf_counter()
    with _Lock(deploy):
        folder = deploy / "releases"
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(".*"):  # left by a publish that was killed
            shutil.rmtree(stale, ignore_errors=True)
        live = current(deploy)

        print("第 1 步：检查内容（make check）")
        try:
            checked = check_script.main(["--content", str(content)])
        except Exception as exc:  # noqa: BLE001 — one Chinese line, never a traceback
            raise PublishError(f"检查时出现内部错误（{type(exc).__name__}: {exc}），没有发布。"
                               f"网站保持原样（当前版本：{describe(live)}）") from None
        if checked != 0:
            raise PublishError(f"检查未通过，没有发布。网站保持原样（当前版本：{describe(live)}）")

        now = now or datetime.now(TZ)
        version = git_version()
        name = f"{now:%Y%m%d-%H%M%S}-{version}"
        n = 2
        while (folder / name).exists():
            name = f"{now:%Y%m%d-%H%M%S}-{version}-{n}"
            n += 1
        release = folder / name
        staging = folder / f".{name}.partial"

        print(f"第 2 步：构建（{settings_file.name}）")
        try:
            code = build(settings_file, staging, quiet=True, content=content,
                         overrides={"CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False})
        except Exception as exc:  # noqa: BLE001 — e.g. bad settings, raised before Pelican runs
            print(f"构建失败：{type(exc).__name__}: {exc}", file=sys.stderr)
            code = 1
        if code != 0:
            shutil.rmtree(staging, ignore_errors=True)
            for leftover in folder.glob(f".{staging.name}.building-*"):  # build.py's temp folder
                shutil.rmtree(leftover, ignore_errors=True)
            raise PublishError(f"构建失败，没有发布。网站保持原样（当前版本：{describe(live)}）")
        try:
            print("第 3 步：预压缩（gzip、brotli）")
            stats = precompress(staging, live)
            info = {
                "release": name,
                "commit": version,
                "built_at": datetime.now(TZ).isoformat(timespec="seconds"),
                "asof": asof.isoformat(timespec="seconds"),
                "settings": settings_file.name,
                "siteurl": os.environ.get("SITEURL", ""),
                "documents": document_counts(content),
                "files": sum(1 for p in staging.rglob("*") if p.is_file() and p.suffix not in (".gz", ".br")),
                "precompressed": stats,
            }
            (staging / "release.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n",
                                                  encoding="utf-8")
            staging.rename(release)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

        print("第 4 步：切换到新版本")
        switch(deploy, release)
        removed = prune(deploy, keep)
        total = sum(info["documents"].values())
        print(f"发布完成：{release}（{total} 个文档，{info['files']} 个文件，"
              f"用时 {time.perf_counter() - started:.1f} 秒）")
        print(f"当前版本：{name}（上一个版本：{describe(live)}）")
        if removed:
            print(f"已删除旧版本（保留最近 {keep} 个）：{'、'.join(removed)}")
        return release


def rollback(deploy: Path, to: str | None = None) -> Path:
    with _Lock(deploy):
        all_releases = releases(deploy)
        live = current(deploy)
        if to:
            target = deploy / "releases" / to
            if target not in all_releases:
                names = "、".join(p.name for p in all_releases) or "（无）"
                raise PublishError(f"找不到版本 {to}；现有版本：{names}")
        else:
            if live is None:
                raise PublishError(f"{deploy / 'current'} 还没有指向任何版本；请先运行 make publish")
            older = [p for p in all_releases if p.name < live.name]
            if not older:
                raise PublishError(f"当前版本 {live.name} 已是最早的版本，没有可以回退的版本")
            target = older[-1]
        switch(deploy, target)
        print(f"已回退：当前版本 {target.name}（原来是 {describe(live)}）")
        info = read_release(target)
        if info:
            print(f"提交 {info.get('commit', '?')}，构建于 {info.get('built_at', '?')}")
        return target


def list_releases(deploy: Path) -> int:
    all_releases = releases(deploy)
    live = current(deploy)
    if not all_releases:
        print(f"{deploy / 'releases'} 中还没有版本；运行 make publish 发布第一个版本。")
        return 0
    print(f"发布目录：{deploy}（共 {len(all_releases)} 个版本）")
    for release in reversed(all_releases):
        info = read_release(release)
        mark = "→" if live is not None and release.name == live.name else " "
        built = info.get("built_at", "?").replace("T", " ")[:19]
        docs = sum(info.get("documents", {}).values())
        print(f"{mark} {release.name}  提交 {info.get('commit', '?')}  构建于 {built}  {docs} 个文档"
              + ("  （当前）" if mark == "→" else ""))
    if live is None:
        print("注意：current 没有指向任何版本，网站目前没有内容。")
    return 0


def nginx_conf(deploy: Path, listen: str = "80", server_name: str = "_",
               standalone: Path | None = None) -> str:
    """deploy/nginx.conf with its placeholders filled in. With standalone, a
    complete nginx.conf (pid, logs and temp folders under that prefix) for
    previewing on 127.0.0.1 without touching /etc/nginx (tests and bench use it)."""
    brotli_ok = BROTLI_MODULE.is_file()
    server = (NGINX_TEMPLATE.read_text(encoding="utf-8")
              .replace("@ROOT@", str(deploy / "current"))
              .replace("@LISTEN@", listen)
              .replace("@SERVER_NAME@", server_name)
              .replace("@BROTLI_STATIC@", "brotli_static on;" if brotli_ok else
                       "# brotli_static on;  # 未安装 libnginx-mod-http-brotli-static；.br 文件保留备用"))
    if standalone is None:
        return server
    prefix = Path(standalone).absolute()
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    module = f"load_module {BROTLI_MODULE};\n" if brotli_ok else ""
    temp = "\n".join(f"    {kind}_temp_path {prefix}/tmp/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# Generated by scripts/publish.py nginx-conf --standalone; do not edit.
{module}{user}worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {prefix}/logs/access.log;
{temp}

{server}
}}
"""


@contextmanager
def reserved_port():
    """A free port on 127.0.0.1, kept from everyone but nginx until the block ends
    (publishing the site it will serve can take minutes after the port is chosen):
    the socket is bound with SO_REUSEADDR and never listens, so the kernel gives the
    port to no other bind or outgoing connection, while nginx (SO_REUSEADDR too) can
    bind it and listen."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def _nginx_prepare(deploy: Path, prefix: Path, port: int) -> Path:
    if not NGINX.is_file():
        raise PublishError(f"找不到 {NGINX}；请先安装：apt-get install nginx libnginx-mod-http-brotli-static")
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf(deploy, f"127.0.0.1:{port}", "localhost", prefix), encoding="utf-8")
    test = subprocess.run([str(NGINX), "-t", "-q", "-c", str(conf), "-p", str(prefix)],
                          capture_output=True, text=True)
    if test.returncode != 0:
        raise PublishError(f"nginx 配置有误：{test.stderr.strip()}")
    return conf


# Seconds nginx may take to answer after starting, or to exit after stop: generous,
# for a machine busy with other work.
NGINX_WAIT = 120


@contextmanager
def nginx_running(deploy: Path, prefix: Path, port: int | None = None):
    """Run Debian's nginx on 127.0.0.1 serving deploy/current (tests, bench);
    yields the base URL and always stops it. Without a port, a reserved one."""
    if port is None:
        with reserved_port() as port, nginx_running(deploy, prefix, port) as url:
            yield url
        return
    conf = _nginx_prepare(deploy, prefix, port)
    subprocess.run([str(NGINX), "-c", str(conf), "-p", str(prefix)], check=True,
                   capture_output=True, text=True)
    try:
        deadline = time.monotonic() + NGINX_WAIT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise PublishError(f"nginx 没有在 127.0.0.1:{port} 上启动；见 {prefix}/logs/error.log")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([str(NGINX), "-s", "stop", "-c", str(conf), "-p", str(prefix)],
                       capture_output=True, text=True)
        pid = prefix / "nginx.pid"
        deadline = time.monotonic() + NGINX_WAIT
        while pid.exists() and time.monotonic() < deadline:
            time.sleep(0.05)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="发布网站：构建新版本并原子切换；回退；列出版本。")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("publish", help="检查、构建并切换到新版本（默认）")
    p.add_argument("--content", default=str(ROOT / "content"), help="内容目录（默认 content/）")
    p.add_argument("--settings", default=str(ROOT / "publishconf.py"))
    r = sub.add_parser("rollback", help="回退到上一个版本")
    r.add_argument("--to", default=None, help="回退（或前进）到指定版本名")
    sub.add_parser("releases", help="列出所有版本")
    n = sub.add_parser("nginx-conf", help="输出填好路径的 nginx 配置")
    n.add_argument("--listen", default="80")
    n.add_argument("--server-name", default="_")
    n.add_argument("--standalone", default=None, help="生成完整的 nginx.conf，pid、日志和临时文件放在此目录")
    v = sub.add_parser("nginx-preview", help="在 127.0.0.1 上用 nginx 预览 current（按 Ctrl+C 停止）")
    v.add_argument("--port", type=int, default=8080)
    v.add_argument("--prefix", default=None, help="pid、日志和临时文件目录（默认 DEPLOY_DIR/.nginx）")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in sub.choices and argv[0] not in ("-h", "--help"):
        argv.insert(0, "publish")  # `publish.py --content DIR` means publish
    args = parser.parse_args(argv)
    command = args.command
    try:
        deploy = deploy_dir()
        if command == "publish":
            publish(deploy, Path(args.content).absolute(), Path(args.settings).absolute(), keep_count())
        elif command == "rollback":
            rollback(deploy, args.to)
        elif command == "releases":
            return list_releases(deploy)
        elif command == "nginx-preview":
            prefix = Path(args.prefix).absolute() if args.prefix else deploy / ".nginx"
            conf = _nginx_prepare(deploy, prefix, args.port)
            print(f"nginx 正在 http://127.0.0.1:{args.port}/ 提供 {deploy / 'current'}（按 Ctrl+C 停止）")
            try:
                return subprocess.run([str(NGINX), "-c", str(conf), "-p", str(prefix),
                                       "-g", "daemon off;"]).returncode
            except KeyboardInterrupt:
                return 0
        else:
            print(nginx_conf(deploy, args.listen, args.server_name,
                             Path(args.standalone) if args.standalone else None), end="")
    except PublishError as exc:
        print(f"发布失败：{exc}" if command == "publish" else f"操作失败：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"操作失败：{exc.strerror or exc}（{exc.filename or deploy_dir()}）；网站保持原样", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 — staff see one Chinese line, never a traceback
        print(f"内部错误：{type(exc).__name__}: {exc}；网站保持原样", file=sys.stderr)
        return 1
    return 0


