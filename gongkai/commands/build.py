"""make html / make publish: build the site with Pelican into a fresh temporary
folder next to the output, and swap it in only when the build succeeded, so
a broken commit never half-replaces a good site.

    python scripts/build.py [--settings publishconf.py] [--output output] [--no-wait | --wait SECONDS]

ASOF (environment) sets the build clock for solicitations: ASOF=2026-12-01T09:00.

One build at a time per output: a lock on .<output>.lock beside it (fcntl, so
it is released when the holder dies, however it dies). The next build waits
for it, and first removes what a killed build left there (.<output>.building-*,
.<output>.deleting-*): no live build can own them while the lock is ours. Ctrl+C
stops the build with one line and leaves the output as it was.

The site a build replaces is kept as .<output>.old (its unchanged pages are
hard links shared with the new one, so it costs little disk) and removed by
the next build, beside it, while Pelican works: removing ten thousand folders
is seconds of the build's time otherwise."""
from __future__ import annotations

import argparse
import errno
import fcntl
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gongkai.build.pelican import speak_to_staff
from gongkai.build.errors import StaffError
from gongkai.build.signals import build_failed
from gongkai.commands.cli import interrupts_held, on_interrupt, quiet_for_staff
from gongkai.core import messages
from gongkai.core.settings import ROOT

# The build's own plugins that report what they did (at INFO, shown with --verbose).
REPORTING = ("search_index", "gongkai.build.speed.pages", "gongkai.build.speed.filecache")

# Everything the build says to staff (not problem codes: those are in gongkai/core/messages.py).
MESSAGES = {
    "done": "构建完成：{output}（{seconds:.1f} 秒）",
    "failed": "构建失败：{detail}",
    "unchanged": "网站没有更新：{output} 保持原样。",
    "problems": "网站没有更新：{output} 保持原样。",
    "interrupted": "构建已中断（Ctrl+C）：网站保持原样，{output} 没有改动。",
    "waiting": "另一个构建（进程 {pid}）正在写入 {output}，等它结束后再开始……",
    "busy": "另一个构建（进程 {pid}）正在写入 {output}，{why}，没有构建；请等它结束后再运行",
    "busy_no_wait": "没有等待（--no-wait）",
    "busy_timeout": "等了 {seconds} 秒仍未结束",
    "leftovers": "已删除上次中断的构建留下的 {count} 个临时文件夹（{names}）",
    "disk_full": "磁盘空间不足：{where} 所在的磁盘只剩 {free}；网站没有更新，{output} 保持原样。"
                 "请删除不用的文件后重试，例如旧版本（make releases）、.cache/、output/",
    "os_error": "无法写入 {where}：{reason}；网站没有更新，{output} 保持原样",
}

# What an OSError means, in words staff can act on (strerror is English).
OS_REASONS = {
    errno.EACCES: "没有写入权限（请检查文件夹的所有者和权限）",
    errno.EPERM: "没有写入权限（请检查文件夹的所有者和权限）",
    errno.EROFS: "文件系统是只读的",
    errno.EIO: "磁盘读写出错（磁盘可能损坏）",
    errno.EMFILE: "同时打开的文件太多",
    errno.ENFILE: "同时打开的文件太多",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ENOENT: "文件或文件夹不存在（可能被另一个程序删除了）",
    errno.ENOTEMPTY: "文件夹不是空的（可能有另一个程序同时在写）",
    errno.EXDEV: "不能跨磁盘改名",
}
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
# Failures reported from a forked child or Pagefind arrive as text, not as OSError.
DISK_FULL_TEXT = ("No space left on device", "Disk quota exceeded", "[Errno 28]", "[Errno 122]")
DETAIL_LIMIT = 300


class BuildFailed(Exception):
    """The build stopped and the output is as it was. kind is a MESSAGES key
    (failed, problems, interrupted, busy, disk_full, os_error); params fill it in."""

    def __init__(self, kind: str, **params):
        super().__init__(kind)
        self.kind, self.params = kind, params

    @property
    def code(self) -> int:
        return 130 if self.kind == "interrupted" else 1


# --- saying what went wrong ---------------------------------------------------------

def size_text(n: int) -> str:
    """1.2 MB, 512 字节: how much is free, as staff read it."""
    if n < 1024:
        return f"{n} 字节"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}"
    return ""


def free_space(folder: Path) -> str:
    """Free space on the disk that holds folder (or its nearest existing parent)."""
    path = Path(folder)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return size_text(shutil.disk_usage(path).free)
    except OSError:
        return "未知"


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_disk_full(exc: BaseException) -> bool:
    for link in _chain(exc):
        if isinstance(link, OSError) and link.errno in DISK_FULL:
            return True
        if any(text in str(link) for text in DISK_FULL_TEXT):
            return True
    return False


def os_error_of(exc: BaseException) -> OSError | None:
    """exc, or what it was raised from, when that is an OSError (not an error
    merely caught earlier: that one need not be why the build stopped)."""
    for link in (exc, exc.__cause__):
        if isinstance(link, OSError) and link.errno:
            return link
    return None


def os_reason(exc: OSError) -> str:
    return OS_REASONS.get(exc.errno, f"系统错误 {errno.errorcode.get(exc.errno, exc.errno)}")


def one_line(text: str, limit: int = DETAIL_LIMIT) -> str:
    """An exception's text as one line of readable length (a failed copy of a
    whole folder once made an 18,860-character line)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "……（已截断）"


def failure(exc: BaseException, where: Path) -> BuildFailed:
    """The BuildFailed that describes exc, naming the folder being written (never a file in it)."""
    if isinstance(exc, BuildFailed):
        return exc
    if isinstance(exc, KeyboardInterrupt):
        return BuildFailed("interrupted")
    if is_disk_full(exc):
        return BuildFailed("disk_full", where=where)
    os_error = os_error_of(exc)
    if os_error is not None:
        return BuildFailed("os_error", where=where, reason=os_reason(os_error))
    if isinstance(exc, StaffError):
        return BuildFailed("failed", detail=one_line(str(exc)))
    return BuildFailed("failed", detail=one_line(f"{type(exc).__name__}: {exc}"))


def message(exc: BuildFailed, output: Path) -> str:
    params = dict(exc.params, output=output)
    if exc.kind == "disk_full":
        params["free"] = free_space(params["where"])
    return MESSAGES[exc.kind].format(**params)


# --- one build at a time ------------------------------------------------------------

class OutputLock:
    """An exclusive fcntl lock on .<output>.lock beside the output; the holder's
    pid is written in it so the one waiting can say who it waits for."""

    def __init__(self, output: Path, wait: float | None = None, say=None):
        self.path = output.with_name(f".{output.name}.lock")
        self.output, self.wait, self.say = output, wait, say or (lambda line: print(line, file=sys.stderr))
        self.file = None

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="ascii").strip() or "?"
        except (OSError, UnicodeDecodeError):
            return "?"

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.path, "a+", encoding="ascii")
        try:
            self._acquire()
        except BaseException:
            self.file.close()
            raise
        self.file.seek(0)
        self.file.truncate()
        self.file.write(f"{os.getpid()}\n")
        self.file.flush()
        return self

    def _acquire(self):
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        pid = self.holder()
        if self.wait is not None and self.wait <= 0:
            raise BuildFailed("busy", pid=pid, why=MESSAGES["busy_no_wait"])
        self.say(MESSAGES["waiting"].format(pid=pid, output=self.output))
        if self.wait is None:
            fcntl.flock(self.file, fcntl.LOCK_EX)
            return
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    seconds = f"{self.wait:g}"
                    raise BuildFailed("busy", pid=pid, why=MESSAGES["busy_timeout"].format(seconds=seconds)) from None
                time.sleep(0.2)

    def __exit__(self, *exc):
        # The file stays: removing it while another build waits on it would let a
        # third one lock a new file beside the one the second holds.
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


def leftovers(output: Path) -> list[Path]:
    """What killed builds left beside output. Only safe to remove under the lock."""
    return sorted([*output.parent.glob(f".{output.name}.building-*"),
                   *output.parent.glob(f".{output.name}.deleting-*")])


def remove_leftovers(output: Path) -> list[str]:
    """Remove them; one still being written to (a search indexer that outlived
    its killed build) is left for the next build rather than failing this one."""
    removed = []
    for path in leftovers(output):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        if not os.path.lexists(path):
            removed.append(path.name)
    return removed


def _old(output: Path) -> Path:
    return output.with_name(f".{output.name}.old")


def remove_old_beside(output: Path) -> subprocess.Popen | None:
    """Start removing the site the last build replaced, in a process of its own
    (on the other core while this build runs); renamed first, so that this
    build's swap finds no .old. The caller waits for it before giving up the lock."""
    old = _old(output)
    if not old.is_dir() or old.is_symlink():
        return None
    doomed = output.with_name(f".{output.name}.deleting-{os.getpid()}-{time.time_ns()}")
    old.rename(doomed)
    return subprocess.Popen(["rm", "-rf", "--", str(doomed)], stdin=subprocess.DEVNULL)


def swap_in(tmp: Path, output: Path) -> None:
    old = _old(output)
    # Two renames: a Ctrl+C between them would leave no output at all.
    with interrupts_held():
        if old.exists():
            shutil.rmtree(old)
        if output.exists():
            output.rename(old)
        tmp.chmod(0o755)  # mkdtemp makes it private; the web server must read it
        tmp.rename(output)


# --- the build ----------------------------------------------------------------------

def run_build(settings_file: Path, output: Path, content: Path | None = None,
              overrides: dict | None = None, verbose: bool = False) -> float:
    """Build into .<output>.building-* beside output and swap it in; returns the
    seconds taken. Raises BuildFailed (output untouched, temporary folder gone).
    The caller holds the output's lock (OutputLock) or otherwise owns the folder."""
    from pelican import Pelican
    from pelican.settings import read_settings

    start = time.perf_counter()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = settings = remover = None

    def undo():
        if settings is not None:
            build_failed.send(settings)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    try:
        with on_interrupt(undo):
            remover = remove_old_beside(output)
            tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
            # GONGKAI_PREVIOUS_OUTPUT: the site this build replaces, whose unchanged pages it may reuse.
            override = {"OUTPUT_PATH": str(tmp), "DELETE_OUTPUT_DIRECTORY": False,
                        "GONGKAI_PREVIOUS_OUTPUT": str(output)}
            if content is not None:
                override["PATH"] = str(Path(content).resolve())
            override.update(overrides or {})
            speak_to_staff(verbose)
            settings = read_settings(str(settings_file), override=override)
            logging.basicConfig(level=logging.WARNING, format="%(message)s")
            for name in REPORTING:
                logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
            wanted = [str(name) for name in settings.get("PLUGINS") or []]
            pelican = Pelican(settings)
            missing = [name for name in wanted if name not in pelican.settings["PLUGINS"]]
            if missing:  # Pelican only logs it, and would build a site without them
                raise RuntimeError(f"插件没有加载：{'、'.join(missing)}（请检查设置文件中的 PLUGIN_PATHS）")
            pelican.run()
        swap_in(tmp, output)
    except BaseException as exc:  # noqa: BLE001 — every way out leaves the output as it was
        undo()
        if not isinstance(exc, (Exception, KeyboardInterrupt)):
            raise
        problems = getattr(exc, "problems", None)
        if problems is not None:
            print(messages.summary(problems), file=sys.stderr)
            raise BuildFailed("problems") from None
        raise failure(exc, output) from None
    finally:
        if remover is not None:
            remover.wait()  # an interrupted rm leaves .deleting-*, removed by the next build
    return time.perf_counter() - start


def build(settings_file: Path, output: Path, quiet: bool = False, content: Path | None = None,
          overrides: dict | None = None, verbose: bool = False, wait: float | None = None) -> int:
    """make html: one Chinese line for staff whatever happens; the exit code."""
    output = Path(output).resolve()
    try:
        with on_interrupt(line=MESSAGES["interrupted"].format(output=output)), OutputLock(output, wait):
            removed = remove_leftovers(output)
            if removed and not quiet:
                names = "、".join(removed[:3]) + ("……" if len(removed) > 3 else "")
                print(MESSAGES["leftovers"].format(count=len(removed), names=names))
            seconds = run_build(settings_file, output, content, overrides, verbose)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 — one Chinese line, never a traceback
        failed = failure(exc, output)
        if failed.kind == "failed":
            print(MESSAGES["failed"].format(**failed.params), file=sys.stderr)
            print(MESSAGES["unchanged"].format(output=output), file=sys.stderr)
        else:
            print(message(failed, output), file=sys.stderr)
        return failed.code
    if not quiet:
        print(MESSAGES["done"].format(output=output, seconds=seconds))
    return 0


def main(argv=None) -> int:
    quiet_for_staff()
    parser = argparse.ArgumentParser(description="构建网站（失败时不改动已有的输出）。")
    parser.add_argument("--settings", default=str(ROOT / "pelicanconf.py"))
    parser.add_argument("--output", default=str(ROOT / "output"))
    parser.add_argument("--content", default=None, help="内容目录（默认 content/）")
    parser.add_argument("--no-reuse", "--no-cache", dest="no_reuse", action="store_true",
                        help="不沿用以前构建的任何结果（内容缓存、页面、Excel 副本、搜索索引），全部重新生成")
    parser.add_argument("--explain", metavar="URL", default=None,
                        help="说明这个页面（例如 /xxgk/…/）为什么沿用了上次构建，或为什么重新生成")
    parser.add_argument("--cache-path", default=None, help="内容缓存目录（默认 .cache/pelican）")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="报告搜索索引和沿用上次构建的页面数")
    waiting = parser.add_mutually_exclusive_group()
    waiting.add_argument("--no-wait", action="store_true", help="另一个构建正在写入同一输出时不等待，直接退出")
    waiting.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                         help="最多等待另一个构建多少秒（默认一直等）")
    args = parser.parse_args(argv)
    overrides = {}
    if args.no_reuse:
        overrides["GONGKAI_REUSE"] = False
    if args.cache_path:
        overrides["CACHE_PATH"] = args.cache_path
    if args.explain:
        overrides["GONGKAI_EXPLAIN"] = args.explain
    return build(Path(args.settings), Path(args.output), args.quiet,
                 Path(args.content) if args.content else None, overrides or None, args.verbose,
                 0 if args.no_wait else args.wait)
