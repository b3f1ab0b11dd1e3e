"""make publish / make rollback / make releases: atomic, verified releases for the web server.

    python scripts/publish.py                 # check, build, precompress, verify, switch `current`
    python scripts/publish.py rollback [--to NAME]
    python scripts/publish.py releases [--verify]
    python scripts/publish.py nginx-conf [--listen 80] [--server-name NAME] [--standalone PREFIX]
    python scripts/publish.py nginx-preview [--port 8080]   # see current/ through nginx

Layout under DEPLOY_DIR (environment; default deploy/ in the repository):

    releases/20261125-101500-0026ddd/   one complete site each, with release.json
    current -> releases/20261125-101500-0026ddd   the web server's root
    history.jsonl                        every switch of `current`: when, from, to, why

A release is built in a hidden folder (releases/.<name>.partial), precompressed
and verified file by file (VERIFY below; release.json keeps the manifest: each
file's sha256 and size), and renamed into place only when every step
succeeded; `current` is switched by renaming a new symlink over the old one
(rename(2) is atomic), so the web server sees either the old site or the new
one, never a mixture of files from half a build.

Rollback follows the publication history, not the release names: publishing
puts a release on top of the line of published releases, a rollback takes the
live one off it (it is then withdrawn, 撤回) and goes back to the one below.
A withdrawn release is only ever switched to when named (TO=). Before a
rollback switches, the target is checked against its manifest.

GONGKAI_KEEP_RELEASES (default 10) releases are kept: the live one and the
releases a rollback would reach first, then the newest withdrawn ones."""
from __future__ import annotations

import argparse
import fcntl
import getpass
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import zipfile
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from xml.parsers import expat

import brotli
import cbor2

from gongkai.commands.build import (
    BuildFailed,
    free_space,
    is_disk_full,
    one_line,
    os_error_of,
    os_reason,
    run_build,
)
from gongkai.commands.cli import interrupts_held, on_interrupt, quiet_for_staff
from gongkai.core import settings as settings_mod
from gongkai.core.boundary import ATTACHMENT_KINDS, documents_in
from gongkai.core.model import type_of
from gongkai.core.settings import ROOT, TZ

DEFAULT_KEEP = 10
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
NGINX = Path("/usr/sbin/nginx")
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
HISTORY = "history.jsonl"
RELEASE_JSON = "release.json"

# The kinds of files a release may hold, by suffix, and how each is verified
# before it is published (_verify_file): what the build itself writes, and the
# attachments documents name (gongkai.core.boundary.ATTACHMENT_KINDS, the one
# list of them, each checked by its own byte test). deploy/nginx.conf serves
# exactly these (plus folders, through their index.html, and each file's .gz/.br
# through gzip_static/brotli_static) and answers 404 for any other name;
# tests/test_nginx.py holds the two lists together. No file may be empty.
BUILT_KINDS = {
    # pages, styles, scripts, data, feeds, calendars, robots.txt, budget tables (.csv, .xlsx)
    ".html": "html", ".css": "utf8", ".js": "utf8", ".json": "json", ".xml": "xml",
    ".atom": "xml", ".ics": "ics", ".txt": "bytes", ".csv": "bytes", ".xlsx": "zip",
    # the site's icon at /favicon.ico, which browsers and crawlers ask for (issue 16)
    ".ico": "bytes",
    # the search index: Pagefind gzips these itself (its WebAssembly included);
    # a release holds them decompressed, with .gz/.br companions (unpack_pagefind)
    ".pf_meta": "pagefind", ".pf_index": "pagefind", ".pf_fragment": "pagefind",
    ".pf_filter": "pagefind", ".pagefind": "pagefind",
}
KINDS = {**BUILT_KINDS, **{suffix: "attachment" for suffix in ATTACHMENT_KINDS}}
PAGEFIND_SUFFIXES = frozenset(suffix for suffix, kind in BUILT_KINDS.items() if kind == "pagefind")
# What a Pagefind file starts with once decompressed; Pagefind's pagefind.js
# checks for it and skips its own gunzip when the server (Content-Encoding) or
# the release already decompressed the file.
PAGEFIND_SIGNATURE = b"pagefind_dcd"
# Text worth precompressing (images and office files are compressed formats),
# Pagefind's files included once decompressed.
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".xml", ".atom", ".rss", ".svg", ".txt",
                ".csv", ".map", ".webmanifest", ".ico", ".wasm", *PAGEFIND_SUFFIXES}
# Loaded by every search whatever the query (each bundle's page list and the
# WebAssembly): few files, so brotli's best quality (11) is worth its time here
# (at 10,000 documents the three parts' page lists take 55 KB at 11, 76 KB at 9).
EVERY_SEARCH = frozenset({".pf_meta", ".pagefind"})
MIN_COMPRESS_SIZE = 256
COMPANIONS = (".gz", ".br")
ZIP_SUFFIXES = {".xlsx", ".docx", ".pptx", ".odt", ".ods", ".ofd"}

# Everything publish, rollback and releases say to staff (not problem codes:
# those are in gongkai/core/messages.py). Failures are printed after 发布失败：
# (publish) or 操作失败： (rollback, releases), on one line.
MESSAGES = {
    "step_check": "第 1 步：检查内容（make check）",
    "step_build": "第 2 步：构建（{settings}）",
    "step_compress": "第 3 步：预压缩（gzip、brotli）",
    "step_verify": "第 4 步：校验新版本的每个文件",
    "step_switch": "第 5 步：切换到新版本",
    "interrupted_after": "已切换到新版本 {name}；删除旧版本时被中断（Ctrl+C），剩下的会在下次发布时删除",
    "published": "发布完成：{release}（{documents} 个文档，{files} 个文件，已逐个校验，用时 {seconds:.1f} 秒）",
    "now_live": "当前版本：{name}（上一个版本：{previous}）",
    "pruned": "已删除旧版本（保留 {keep} 个）：{names}",
    "leftovers": "已删除上次中断的发布留下的 {count} 个临时文件和文件夹",
    "publish_failed": "发布失败：{reason}",
    "failed": "操作失败：{reason}",
    "check_failed": "检查未通过，没有发布。网站保持原样（当前版本：{live}）",
    "check_crashed": "检查时出现内部错误（{detail}），没有发布。网站保持原样（当前版本：{live}）",
    "build_crashed": "构建失败：{detail}",
    "build_failed": "构建失败，没有发布。网站保持原样（当前版本：{live}）",
    "verify_problem": "{path}: {problem}",
    "verify_more": "……还有 {count} 个文件没有通过校验",
    "verify_failed": "新版本有 {count} 个文件没有通过校验（见上），没有发布。网站保持原样（当前版本：{live}）；"
                     "请重新运行 make publish，仍然失败时先运行 make clean 清除缓存",
    "interrupted": "发布已中断（Ctrl+C）：没有切换，网站保持原样（当前版本：{live}）",
    "rollback_interrupted": "回退已中断（Ctrl+C）：没有切换，网站保持原样（当前版本：{live}）",
    "disk_full": "磁盘空间不足：{where} 所在的磁盘只剩 {free}；没有切换，网站保持原样（当前版本：{live}）。"
                 "请删除不用的文件后重试，例如旧版本（make releases 查看，GONGKAI_KEEP_RELEASES 可调小）、.cache/、output/",
    "os_error": "无法写入 {where}：{reason}；没有切换，网站保持原样（当前版本：{live}）",
    "internal": "内部错误：{detail}；网站保持原样（当前版本：{live}）",
    "busy": "另一个发布或回退正在进行；请等它结束后再试",
    "keep_invalid": "GONGKAI_KEEP_RELEASES={raw!r} 无效；应为不小于 1 的整数，例如 10",
    "current_not_link": "{link} 是普通文件夹而不是符号链接；请先把它移走，再重新发布",
    "history_bad": "发布记录 {path} 第 {line} 行无法读取；请从备份恢复这个文件（删除它则回退按版本名的先后）",
    "rolled_back": "已回退：当前版本 {name}（原来是 {previous}）",
    "rolled_back_info": "提交 {commit}，构建于 {built}",
    "unverified": "注意：版本 {name} 发布时还没有文件清单，没有校验它的文件",
    "unknown_release": "找不到版本 {to}；现有版本：{names}",
    "no_current": "{current} 还没有指向任何版本；请先运行 make publish",
    "earliest": "当前版本 {name} 已是最早的版本，没有可以回退的版本（撤回的版本只能用 TO= 指定）",
    "already_live": "版本 {name} 已是当前版本，没有切换",
    "damaged": "版本 {name} 已损坏（{count} 个文件与发布时的清单不符，例如 {path}：{problem}），没有回退；"
               "请用 make rollback TO=版本名 选择另一个版本",
    "releases_none": "{folder} 中还没有版本；运行 make publish 发布第一个版本。",
    "releases_head": "发布目录：{deploy}（共 {count} 个版本）",
    "releases_row": "{mark} {name}  提交 {commit}  构建于 {built}  {documents} 个文档{status}",
    "status_live": "  （当前）",
    "status_withdrawn": "  撤回（{at} 撤下；只能用 TO= 回到这个版本）",
    "status_damaged": "  已损坏：{count} 个文件与清单不符（例如 {path}：{problem}）",
    "status_unverified": "  无文件清单（较早的版本，无法校验）",
    "releases_target": "make rollback 将回到：{name}",
    "releases_no_target": "make rollback：没有可以回退的版本",
    "releases_no_current": "注意：current 没有指向任何版本，网站目前没有内容。",
    "history_head": "最近的切换（全部记录见 {path}）：",
    "history_row": "  {at}  {why}  {from_} → {to}",
}
WHY = {"publish": "发布", "rollback": "回退", "to": "指定版本（TO=）"}

# What verification found wrong with one file (VERIFY[code].format(**params)).
VERIFY = {
    "symlink": "是符号链接；版本里只能有普通文件",
    "not_file": "不是普通文件",
    "kind": "不是网站发布的文件类型（{suffix}）；nginx 不会提供它，请从 content/ 中删除或换成允许的格式",
    "empty": "文件是空的（0 字节）",
    "utf8": "不是 UTF-8 编码的文本",
    "html": "网页不完整（应以 <!DOCTYPE html> 开始、以 </html> 结束）",
    "json": "不是有效的 JSON",
    "xml": "不是有效的 XML（第 {line} 行）",
    "ics": "日历文件不完整（应以 BEGIN:VCALENDAR 开始、以 END:VCALENDAR 结束）",
    "zip": "不是完整的 {suffix} 文件（无法作为 zip 打开，或其中的内容损坏）",
    "attachment": "内容不是 {title} 文件（与扩展名不符）",
    "pagefind": "搜索索引文件损坏（无法解压，或内容不完整）",
    "companion": "预压缩文件解压后与 {original} 不同",
    "companion_broken": "预压缩文件无法解压",
    "orphan": "预压缩文件没有对应的原文件 {original}",
    "missing": "发布时有这个文件，现在不见了",
    "added": "发布时没有这个文件",
    "size": "大小与发布时不同（发布时 {before} 字节，现在 {now} 字节）",
    "changed": "内容与发布时不同",
}


class PublishError(Exception):
    """A failure staff see as one Chinese line; nothing was switched."""


class Interrupted(Exception):
    """Ctrl+C in a library call (without quiet_for_staff's handler): the line to print."""


def say(key: str, **params) -> str:
    return MESSAGES[key].format(**params)


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
        raise PublishError(say("keep_invalid", raw=raw))
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


def describe(release: Path | str | None) -> str:
    if release is None:
        return "（无）"
    return release if isinstance(release, str) else release.name


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


def read_release(release: Path) -> dict:
    try:
        return json.loads((release / RELEASE_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# --- publication history ----------------------------------------------------------

def read_history(deploy: Path) -> list[dict]:
    """The switches of `current`, oldest first (DEPLOY_DIR/history.jsonl, one JSON object a line)."""
    path = deploy / HISTORY
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except UnicodeDecodeError:
        raise PublishError(say("history_bad", path=path, line=1)) from None
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict) or not isinstance(entry.get("to"), str) or entry.get("why") not in WHY:
            raise PublishError(say("history_bad", path=path, line=number))
        entries.append(entry)
    return entries


def publication_line(deploy: Path, history: list[dict] | None = None,
                     live: Path | None = None) -> tuple[list[str], dict]:
    """(line, withdrawn): the releases published one on top of another that lead
    to the live one (oldest first; the live one last), and each withdrawn
    release with the history entry that took it off the line.

    A publish puts its release on top; a rollback, or TO= naming a release on
    the line, takes off every release above its target (they are withdrawn);
    TO= naming a release off the line puts it back on top. Without a history
    (releases made before it was kept), the line is the releases up to the
    live one by name, and any newer one was rolled away from."""
    history = read_history(deploy) if history is None else history
    live = current(deploy) if live is None else live
    line: list[str] = []
    withdrawn: dict = {}
    if not history:
        names = [p.name for p in releases(deploy)]
        if live is None:
            return names, {}
        return ([n for n in names if n <= live.name],
                {n: {"at": "", "why": "rollback", "to": live.name} for n in names if n > live.name})
    for entry in history:
        to = entry["to"]
        if entry["why"] != "publish" and to in line:
            for gone in line[line.index(to) + 1:]:
                withdrawn[gone] = entry
            del line[line.index(to) + 1:]
        elif to not in line:
            line.append(to)
        withdrawn.pop(to, None)
    if live is not None and (not line or line[-1] != live.name):
        # `current` was switched by hand (ln -sfn): read it as TO= the live release.
        if live.name in line:
            del line[line.index(live.name) + 1:]
        else:
            line.append(live.name)
        withdrawn.pop(live.name, None)
    return line, withdrawn


def rollback_target(deploy: Path, line: list[str]) -> str | None:
    """The release below the live one on the line that still exists."""
    present = {p.name for p in releases(deploy)}
    below = [name for name in line[:-1] if name in present]
    return below[-1] if below else None


def go_live(deploy: Path, release: Path, why: str, previous: Path | None) -> None:
    """Record the switch in the history, then switch. The record is written
    (the only step that needs disk space) before `current` changes, and takes
    its place only after: either both happen or, on failure, neither."""
    path = deploy / HISTORY
    entry = {"at": datetime.now(TZ).isoformat(timespec="seconds"), "from": describe(previous) if previous else None,
             "to": release.name, "why": why, "by": _user()}
    try:
        before = path.read_bytes()
    except FileNotFoundError:
        before = b""
    if before and not before.endswith(b"\n"):
        before += b"\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(before + (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        with interrupts_held():
            switch(deploy, release)
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


# --- steps ------------------------------------------------------------------

def document_counts(content: Path) -> dict:
    """Documents per type (policy, budget …, page), from the content folders."""
    counts = Counter(type_of(f, content) or "other" for f in documents_in([content]))
    return dict(sorted(counts.items()))


def _pagefind_plain(data: bytes) -> bytes | None:
    """A Pagefind file's bytes decompressed (they start with PAGEFIND_SIGNATURE),
    whether Pagefind's gzip or already decompressed; None when they are neither."""
    if data.startswith(PAGEFIND_SIGNATURE):
        return data
    try:
        plain = gzip.decompress(data)
    except (OSError, EOFError, ValueError):
        return None
    return plain if plain.startswith(PAGEFIND_SIGNATURE) else None


def unpack_pagefind(path: Path) -> bytes:
    """Store a Pagefind file decompressed (it starts with PAGEFIND_SIGNATURE) and
    return its bytes: Pagefind's own gzip is weak, and make publish gives the file
    .gz/.br companions like any text, which the browser decompresses. Written to a
    new file renamed over the old one, never in place: the build may have
    hard-linked the file from its cache. A file that does not gunzip to the
    signature is left as it is, for verification to report."""
    data = path.read_bytes()
    plain = _pagefind_plain(data)
    if plain is None or plain is data:
        return data
    st = path.stat()
    tmp = path.with_name(f".{path.name}.unpack.{os.getpid()}")
    try:
        tmp.write_bytes(plain)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return plain


def compress_file(path: Path, previous: Path | None = None, quality: int = 9) -> tuple[int, int, int]:
    """A file as make publish stores it: Pagefind's files decompressed
    (unpack_pagefind), then path.gz (gzip -9) and path.br (brotli at quality; 11
    for EVERY_SEARCH) beside it when it is at least MIN_COMPRESS_SIZE bytes and
    they are smaller. previous: the same file in the last release; when its bytes
    are the same, its .gz/.br are reused. Returns (original, gzip, brotli) sizes,
    0 for a companion not written."""
    suffix = path.suffix.lower()
    data = unpack_pagefind(path) if suffix in PAGEFIND_SUFFIXES else path.read_bytes()
    st = path.stat()
    sizes = [len(data), 0, 0]
    if len(data) < MIN_COMPRESS_SIZE:
        return tuple(sizes)
    if suffix in EVERY_SEARCH:
        quality = 11
    for i, companion in ((1, ".gz"), (2, ".br")):
        out = path.with_name(path.name + companion)
        old = previous.with_name(previous.name + companion) if previous is not None else None
        reused = None
        if old is not None and old.is_file() and not old.is_symlink() and previous.read_bytes() == data:
            # Unchanged since the last release: reuse its work, unless that copy was damaged since.
            reused = old.read_bytes()
            try:
                if (gzip.decompress(reused) if companion == ".gz" else brotli.decompress(reused)) != data:
                    reused = None
            except (OSError, EOFError, ValueError, brotli.error):
                reused = None
        if reused is not None:
            out.write_bytes(reused)
        else:
            packed = (gzip.compress(data, compresslevel=9, mtime=0) if companion == ".gz"
                      else brotli.compress(data, quality=quality))
            if len(packed) >= len(data):
                continue
            out.write_bytes(packed)
        os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
        sizes[i] = out.stat().st_size
    return tuple(sizes)


def _compress_one(args) -> tuple[int, int, int]:
    """compress_file in a worker."""
    return compress_file(*args)


def _parallel(function, jobs: list) -> list:
    if len(jobs) > 200 and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(min(os.cpu_count() or 1, 4)) as pool:
            return list(pool.map(function, jobs, chunksize=32))
    return [function(job) for job in jobs]


def precompress(folder: Path, previous: Path | None = None) -> dict:
    """Store Pagefind's files decompressed, and write name.gz (gzip -9) and name.br
    (brotli, GONGKAI_BROTLI_QUALITY, default 9; 11 for EVERY_SEARCH) beside each
    text file that shrinks (compress_file); nginx's gzip_static / brotli_static
    serve them as they are. Files unchanged since the previous release reuse its .gz/.br."""
    quality = int(os.environ.get("GONGKAI_BROTLI_QUALITY", "9"))
    jobs = []
    for path in sorted(folder.rglob("*")):
        suffix = path.suffix.lower()
        if path.is_symlink() or not path.is_file() or suffix not in COMPRESSIBLE:
            continue
        if path.stat().st_size < MIN_COMPRESS_SIZE and suffix not in PAGEFIND_SUFFIXES:
            continue   # (a Pagefind file is unpacked whatever its size)
        old = previous / path.relative_to(folder) if previous is not None else None
        jobs.append((path, old if old is not None and old.is_file() else None, quality))
    results = [r for r in _parallel(_compress_one, jobs) if r[0] >= MIN_COMPRESS_SIZE]
    return {"files": len(results), "bytes": sum(r[0] for r in results),
            "gzip_bytes": sum(r[1] for r in results), "brotli_bytes": sum(r[2] for r in results),
            "brotli_quality": quality}


# --- verification -------------------------------------------------------------------

def _kind_problem(kind: str, suffix: str, data: bytes) -> tuple[str, dict] | None:
    """What is wrong with a file of this kind holding these bytes, or None."""
    if not data:
        return "empty", {}
    if kind in ("utf8", "html", "json", "ics"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return "utf8", {}
        if kind == "html":
            # A page cut short (disk full, killed writer) still "parses"; it does not end.
            head, tail = text.lstrip("\ufeff \t\r\n")[:15].lower(), text.rstrip()[-7:].lower()
            if head != "<!doctype html>" or tail != "</html>":
                return "html", {}
        elif kind == "json":
            try:
                json.loads(text)
            except ValueError:
                return "json", {}
        elif kind == "ics":
            if not text.lstrip().startswith("BEGIN:VCALENDAR") or not text.rstrip().endswith("END:VCALENDAR"):
                return "ics", {}
    elif kind == "xml":
        parser = expat.ParserCreate()
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            return "xml", {"line": exc.lineno}
    if kind == "zip" or suffix in ZIP_SUFFIXES:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if archive.testzip() is not None:
                    return "zip", {"suffix": suffix}
        except Exception:  # noqa: BLE001 — any way the container fails to open is damage, reported
            return "zip", {"suffix": suffix}
    if kind == "attachment":
        # A file copied from content/ (or made like one): its bytes are what its name says.
        attachment = ATTACHMENT_KINDS[suffix]
        if not attachment.sniff(data, io.BytesIO(data)):
            return "attachment", {"title": attachment.title}
    if kind == "pagefind" and not _pagefind_whole(suffix, data):
        return "pagefind", {}
    return None


def _pagefind_whole(suffix: str, data: bytes) -> bool:
    """A Pagefind file, decompressed (as a release stores it) or gzipped (as
    Pagefind writes it), holds the signature and then one whole item of its
    format: JSON (fragments), a WebAssembly module (.pagefind), CBOR (the rest).
    A cut or damaged file fails here even where nothing is compressed any more."""
    data = _pagefind_plain(data)
    if data is None:
        return False
    start = len(PAGEFIND_SIGNATURE)
    if suffix == ".pf_fragment":
        try:
            json.loads(data[start:])
        except ValueError:
            return False
        return True
    if suffix == ".pagefind":
        return _wasm_whole(data, start)
    return _cbor_whole(data, start)


def _leb128(data: bytes, pos: int) -> tuple[int, int]:
    """An unsigned LEB128 number at pos: (value, position after it); (-1, pos) when cut."""
    value = shift = 0
    while pos < len(data) and shift < 35:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    return -1, pos


def _wasm_whole(data: bytes, pos: int) -> bool:
    """A WebAssembly module at data[pos:]: the magic and version, then sections
    (id, size, contents) that end exactly where the file ends; at least one."""
    if data[pos:pos + 8] != b"\0asm\x01\0\0\0" or len(data) <= pos + 8:
        return False
    pos += 8
    while pos < len(data):
        size, pos = _leb128(data, pos + 1)
        if size < 0 or pos + size > len(data):
            return False
        pos += size
    return True


def _cbor_whole(data: bytes, pos: int) -> bool:
    """data[pos:] is exactly one well-formed CBOR item (what Pagefind writes): a
    cut file leaves an item unfinished, a longer one leaves bytes over."""
    stream = io.BytesIO(data[pos:])
    try:
        cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, ValueError, EOFError, RecursionError):
        return False
    return stream.tell() == len(data) - pos


def _verify_file(job) -> tuple[list, list]:
    """One file of a staged release and its .gz/.br (in a worker): (manifest
    entries [(rel, sha256, size)], problems [(rel, code, params)])."""
    path, rel, companions = job
    data = Path(path).read_bytes()
    suffix = os.path.splitext(rel)[1].lower()
    entries = [(rel, hashlib.sha256(data).hexdigest(), len(data))]
    problems = []
    found = _kind_problem(KINDS[suffix], suffix, data)
    if found is not None:
        problems.append((rel, *found))
    for companion in companions:
        packed = Path(path + companion).read_bytes()
        entries.append((rel + companion, hashlib.sha256(packed).hexdigest(), len(packed)))
        try:
            same = (gzip.decompress(packed) if companion == ".gz" else brotli.decompress(packed)) == data
        except (OSError, EOFError, ValueError, brotli.error):
            problems.append((rel + companion, "companion_broken", {}))
            continue
        if not same:
            problems.append((rel + companion, "companion", {"original": os.path.basename(rel)}))
    return entries, problems


def _own_copy(path: str) -> None:
    """A file the build hard-linked (from a cache a later build may rewrite):
    copy it, so the release owns its bytes."""
    tmp = f"{path}.own.{os.getpid()}"
    shutil.copy2(path, tmp)
    os.replace(tmp, path)


def verify_staged(folder: Path) -> tuple[dict, list, int]:
    """Check every file of a staged release before it goes live: (manifest
    {rel: [sha256, size]}, problems [(rel, code, params)], hard links copied)."""
    problems, jobs, copied = [], [], 0
    for top, dirs, files in os.walk(folder):
        for name in list(dirs):
            if os.path.islink(os.path.join(top, name)):
                dirs.remove(name)
                problems.append((os.path.relpath(os.path.join(top, name), folder), "symlink", {}))
        present = set(files)
        for name in sorted(files):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, folder)
            if rel == RELEASE_JSON:
                continue
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                problems.append((rel, "symlink", {}))
                continue
            if not stat.S_ISREG(st.st_mode):
                problems.append((rel, "not_file", {}))
                continue
            base, companion = os.path.splitext(name)
            if companion in COMPANIONS and os.path.splitext(base)[1].lower() in KINDS:
                if base not in present:
                    problems.append((rel, "orphan", {"original": base}))
                elif st.st_nlink > 1:
                    _own_copy(path)
                    copied += 1
                continue   # checked with its original
            suffix = os.path.splitext(name)[1].lower()
            if suffix not in KINDS:
                problems.append((rel, "kind", {"suffix": suffix or "（无扩展名）"}))
                continue
            if st.st_nlink > 1:
                _own_copy(path)
                copied += 1
            jobs.append((path, rel, [c for c in COMPANIONS if name + c in present]))
    manifest = {}
    for entries, found in _parallel(_verify_file, jobs):
        for rel, digest, size in entries:
            manifest[rel] = [digest, size]
        problems.extend(found)
    return dict(sorted(manifest.items())), sorted(problems), copied


def check_release(release: Path, full: bool = True) -> list | None:
    """A published release against the manifest in its release.json:
    problems [(rel, code, params)], or None when it has no manifest. full
    compares every file's sha256; otherwise sizes only (quick, for listings)."""
    manifest = read_release(release).get("manifest")
    if not isinstance(manifest, dict):
        return None
    problems, seen = [], set()
    for top, dirs, files in os.walk(release):
        for name in dirs + files:
            path = os.path.join(top, name)
            rel = os.path.relpath(path, release)
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode):
                continue
            if rel == RELEASE_JSON:
                continue
            seen.add(rel)
            if stat.S_ISLNK(st.st_mode):
                problems.append((rel, "symlink", {}))
            elif not stat.S_ISREG(st.st_mode):
                problems.append((rel, "not_file", {}))
            elif rel not in manifest:
                problems.append((rel, "added", {}))
            elif st.st_size != manifest[rel][1]:
                problems.append((rel, "size", {"before": manifest[rel][1], "now": st.st_size}))
            elif full:
                digest = hashlib.sha256()
                with open(path, "rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(block)
                if digest.hexdigest() != manifest[rel][0]:
                    problems.append((rel, "changed", {}))
        for name in list(dirs):   # a symlinked folder is reported above, not followed
            if os.path.islink(os.path.join(top, name)):
                dirs.remove(name)
    problems.extend((rel, "missing", {}) for rel in manifest if rel not in seen)
    return sorted(problems)


def problem_text(problem) -> tuple[str, str]:
    rel, code, params = problem
    return rel, VERIFY[code].format(**params)


# --- keeping releases ---------------------------------------------------------------

def switch(deploy: Path, release: Path) -> None:
    """Point `current` at release: a new symlink renamed over the old one."""
    link = deploy / "current"
    if link.exists() and not link.is_symlink():
        raise PublishError(say("current_not_link", link=link))
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
    """Keep `keep` releases: the live one and those a rollback reaches first
    (down the publication line), then the newest of the others (withdrawn, or
    off the line); whatever its age, the live one stays."""
    live = current(deploy)
    line, _ = publication_line(deploy, live=live)
    present = [p.name for p in releases(deploy)]
    order = [n for n in reversed(line) if n in present]
    order += [n for n in reversed(present) if n not in order]
    kept = set(order[:keep]) | ({live.name} if live is not None else set())
    removed = []
    for old in releases(deploy):
        if old.name not in kept:
            _remove(old)
            removed.append(old.name)
    return removed


def remove_leftovers(deploy: Path) -> int:
    """What a killed publish, rollback or prune left (hidden names); only under the lock."""
    count = 0
    folder = deploy / "releases"
    for stale in [*folder.glob(".*"), *deploy.glob(".current.*.tmp"), *deploy.glob(f".{HISTORY}.*.tmp")]:
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
        count += not os.path.lexists(stale)
    return count


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
            raise PublishError(say("busy")) from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


def _failure(exc: BaseException, deploy: Path, live: Path | None) -> PublishError:
    """An OSError (or a build that met one) as one line that names DEPLOY_DIR, never a file of a release."""
    if is_disk_full(exc):
        return PublishError(say("disk_full", where=deploy, free=free_space(deploy), live=describe(live)))
    os_error = os_error_of(exc)
    if os_error is not None:
        return PublishError(say("os_error", where=deploy, reason=os_reason(os_error), live=describe(live)))
    return PublishError(say("internal", detail=one_line(f"{type(exc).__name__}: {exc}"), live=describe(live)))


# --- commands -----------------------------------------------------------------

def publish(deploy: Path, content: Path, settings_file: Path, keep: int, now: datetime | None = None) -> Path:
    """Check, build, precompress, verify and switch; returns the new release.
    Raises PublishError (nothing switched, no release left behind) when a step
    fails, Interrupted on Ctrl+C (when no quiet_for_staff handler ends the process first)."""
    from gongkai.commands import check as check_script

    conf = settings_mod.load()
    asof = settings_mod.asof(conf)
    # One clock for the check, the build and release.json.
    os.environ["ASOF"] = asof.isoformat(timespec="seconds")
    started = time.perf_counter()
    with _Lock(deploy):
        folder = deploy / "releases"
        live = current(deploy)
        staging = made = None

        def undo():
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
                for leftover in folder.glob(f".{staging.name}.building-*"):
                    shutil.rmtree(leftover, ignore_errors=True)
            if made is not None and made.is_dir() and current(deploy) != made:
                _remove(made)

        try:
            with on_interrupt(undo, say("interrupted", live=describe(live))):
                read_history(deploy)     # a damaged record stops the publish here, not after the switch
                folder.mkdir(parents=True, exist_ok=True)
                removed = remove_leftovers(deploy)
                if removed:
                    print(say("leftovers", count=removed))

                print(say("step_check"))
                try:
                    checked = check_script.main(["--content", str(content)])
                except Exception as exc:  # noqa: BLE001 — one Chinese line, never a traceback
                    raise PublishError(say("check_crashed", detail=one_line(f"{type(exc).__name__}: {exc}"),
                                           live=describe(live))) from None
                if checked != 0:
                    raise PublishError(say("check_failed", live=describe(live)))

                now = now or datetime.now(TZ)
                version = git_version()
                name = f"{now:%Y%m%d-%H%M%S}-{version}"
                n = 2
                while (folder / name).exists():
                    name = f"{now:%Y%m%d-%H%M%S}-{version}-{n}"
                    n += 1
                release = folder / name
                staging = folder / f".{name}.partial"

                print(say("step_build", settings=settings_file.name))
                try:
                    run_build(settings_file, staging, content, {"GONGKAI_REUSE": False})
                except BuildFailed as failed:
                    if failed.kind == "interrupted":
                        raise KeyboardInterrupt from None
                    if failed.kind == "disk_full":
                        raise PublishError(say("disk_full", where=deploy, free=free_space(deploy),
                                               live=describe(live))) from None
                    if failed.kind == "os_error":
                        raise PublishError(say("os_error", where=deploy, reason=failed.params["reason"],
                                               live=describe(live))) from None
                    if failed.kind == "failed":
                        print(say("build_crashed", detail=failed.params["detail"]), file=sys.stderr)
                    raise PublishError(say("build_failed", live=describe(live))) from None

                print(say("step_compress"))
                stats = precompress(staging, live)

                print(say("step_verify"))
                manifest, problems, copied = verify_staged(staging)
                if problems:
                    for problem in problems[:20]:
                        path, text = problem_text(problem)
                        print(say("verify_problem", path=path, problem=text), file=sys.stderr)
                    if len(problems) > 20:
                        print(say("verify_more", count=len(problems) - 20), file=sys.stderr)
                    raise PublishError(say("verify_failed", count=len({p[0] for p in problems}),
                                           live=describe(live)))
                info = {
                    "release": name,
                    "commit": version,
                    "built_at": datetime.now(TZ).isoformat(timespec="seconds"),
                    "asof": asof.isoformat(timespec="seconds"),
                    "settings": settings_file.name,
                    "siteurl": os.environ.get("SITEURL", ""),
                    "documents": document_counts(content),
                    "files": sum(1 for rel in manifest if not rel.endswith(COMPANIONS)),
                    "precompressed": stats,
                    "hard_links_copied": copied,
                    # Every file as published: rel -> [sha256, size] (check_release).
                    "manifest": manifest,
                }
                (staging / RELEASE_JSON).write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
                staging.rename(release)
                staging, made = None, release

                print(say("step_switch"))
                go_live(deploy, release, "publish", live)
        except KeyboardInterrupt:
            undo()
            raise Interrupted(say("interrupted", live=describe(live))) from None
        except PublishError:
            undo()
            raise
        except Exception as exc:  # noqa: BLE001 — an OSError or a bug: one line naming DEPLOY_DIR
            undo()
            raise _failure(exc, deploy, live) from None

        with on_interrupt(line=say("interrupted_after", name=release.name)):
            removed = prune(deploy, keep)
        print(say("published", release=release, documents=sum(info["documents"].values()), files=info["files"],
                  seconds=time.perf_counter() - started))
        print(say("now_live", name=name, previous=describe(live)))
        if removed:
            print(say("pruned", keep=keep, names="、".join(removed)))
        return release


def rollback(deploy: Path, to: str | None = None) -> Path:
    """Switch back down the publication line (or to the release named by to);
    the target is verified against its manifest first."""
    with _Lock(deploy):
        all_releases = releases(deploy)
        live = current(deploy)
        with on_interrupt(line=say("rollback_interrupted", live=describe(live))):
            line, withdrawn = publication_line(deploy, live=live)
            if to:
                target = deploy / "releases" / to
                if target not in all_releases:
                    names = "、".join(p.name for p in all_releases) or "（无）"
                    raise PublishError(say("unknown_release", to=to, names=names))
                if live is not None and target.name == live.name:
                    print(say("already_live", name=target.name))
                    return target
            else:
                if live is None:
                    raise PublishError(say("no_current", current=deploy / "current"))
                name = rollback_target(deploy, line)
                if name is None:
                    raise PublishError(say("earliest", name=live.name))
                target = deploy / "releases" / name
            problems = check_release(target, full=True)
            if problems:
                path, text = problem_text(problems[0])
                raise PublishError(say("damaged", name=target.name, count=len({p[0] for p in problems}),
                                       path=path, problem=text))
            if problems is None:
                print(say("unverified", name=target.name))
            try:
                go_live(deploy, target, "to" if to else "rollback", live)
            except OSError as exc:
                raise _failure(exc, deploy, live) from None
        print(say("rolled_back", name=target.name, previous=describe(live)))
        info = read_release(target)
        if info:
            print(say("rolled_back_info", commit=info.get("commit", "?"), built=info.get("built_at", "?")))
        return target


def _when(at: str) -> str:
    return at.replace("T", " ")[:19] if at else "?"


def list_releases(deploy: Path, verify: bool = False) -> int:
    """make releases: each release with its commit, build time, documents and
    state (当前, 撤回, 已损坏); where a rollback would go; the last switches."""
    all_releases = releases(deploy)
    live = current(deploy)
    if not all_releases:
        print(say("releases_none", folder=deploy / "releases"))
        return 0
    history = read_history(deploy)
    line, withdrawn = publication_line(deploy, history, live)
    print(say("releases_head", deploy=deploy, count=len(all_releases)))
    for release in reversed(all_releases):
        info = read_release(release)
        is_live = live is not None and release.name == live.name
        status = ""
        problems = check_release(release, full=verify)
        if problems is None:
            status += say("status_unverified")
        elif problems:
            path, text = problem_text(problems[0])
            status += say("status_damaged", count=len({p[0] for p in problems}), path=path, problem=text)
        if release.name in withdrawn:
            status += say("status_withdrawn", at=_when(withdrawn[release.name].get("at", "")))
        if is_live:
            status += say("status_live")
        print(say("releases_row", mark="→" if is_live else " ", name=release.name,
                  commit=info.get("commit", "?"), built=_when(info.get("built_at", "")),
                  documents=sum(info.get("documents", {}).values()), status=status))
    if live is None:
        print(say("releases_no_current"))
    else:
        target = rollback_target(deploy, line)
        print(say("releases_target", name=target) if target else say("releases_no_target"))
    if history:
        print(say("history_head", path=deploy / HISTORY))
        for entry in history[-5:]:
            print(say("history_row", at=_when(entry.get("at", "")), why=WHY[entry["why"]],
                      from_=entry.get("from") or "（无）", to=entry["to"]))
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
    quiet_for_staff()
    parser = argparse.ArgumentParser(description="发布网站：构建新版本并原子切换；回退；列出版本。")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("publish", help="检查、构建、校验并切换到新版本（默认）")
    p.add_argument("--content", default=str(ROOT / "content"), help="内容目录（默认 content/）")
    p.add_argument("--settings", default=str(ROOT / "publishconf.py"))
    r = sub.add_parser("rollback", help="回到发布记录中的上一个版本")
    r.add_argument("--to", default=None, help="回退（或前进）到指定版本名，也可以是撤回的版本")
    rel = sub.add_parser("releases", help="列出所有版本")
    rel.add_argument("--verify", action="store_true", help="逐个文件核对 sha256（默认只核对文件和大小）")
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
    failed = "publish_failed" if command == "publish" else "failed"
    deploy = deploy_dir()
    try:
        if command == "publish":
            publish(deploy, Path(args.content).absolute(), Path(args.settings).absolute(), keep_count())
        elif command == "rollback":
            rollback(deploy, args.to)
        elif command == "releases":
            return list_releases(deploy, args.verify)
        elif command == "nginx-preview":
            prefix = Path(args.prefix).absolute() if args.prefix else deploy / ".nginx"
            conf = _nginx_prepare(deploy, prefix, args.port)
            print(f"nginx 正在 http://127.0.0.1:{args.port}/ 提供 {deploy / 'current'}（按 Ctrl+C 停止）")
            with interrupts_held():   # Ctrl+C stops nginx (same terminal), and then this
                return subprocess.run([str(NGINX), "-c", str(conf), "-p", str(prefix),
                                       "-g", "daemon off;"]).returncode
        else:
            print(nginx_conf(deploy, args.listen, args.server_name,
                             Path(args.standalone) if args.standalone else None), end="")
    except PublishError as exc:
        print(say(failed, reason=exc), file=sys.stderr)
        return 1
    except BrokenPipeError:   # `make releases | head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (Interrupted, KeyboardInterrupt) as exc:
        print(str(exc) or say("interrupted", live=describe(current(deploy))), file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 — an OSError or a bug: one Chinese line, never a traceback
        print(say(failed, reason=_failure(exc, deploy, current(deploy))), file=sys.stderr)
        return 1
    return 0
