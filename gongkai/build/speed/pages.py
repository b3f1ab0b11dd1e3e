"""Rebuilds render only the pages that changed. Every build writes a fresh
folder (gongkai/commands/build.py swaps it in), but a page whose code,
settings, template and every value its templates can read are the same as in
the previous build (speed.digests) is hard-linked from the previous output
instead of rendered again. The previous output is the folder the build
replaces (GONGKAI_PREVIOUS_OUTPUT); nothing rewrites its files in place, so
the link is safe.

The record of what each page was made from (CACHE_PATH/pages-<output>.pickle)
keeps, per page, the digest of each part: the code and settings, the
template, and each value by name. It is written only when a build finished,
with each file's size and mtime, so a file changed since is never taken.
`--explain URL` compares those parts and says which one changed.

This module relies on the internals of Pelican's Writer (its _open_w and its
record of written files); Pelican is pinned."""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
from pathlib import Path

from pelican.contents import Content
from pelican.urlwrappers import URLWrapper
from pelican.utils import sanitised_join
from pelican.writers import Writer

from gongkai.build import speed
from gongkai.build.speed.digests import (
    Digests,
    code_digest,
    forget_templates,
    template_reads,
)
from gongkai.build.speed.files import link_or_copy
from gongkai.build.speed.forked import Child, ChildFailed

log = logging.getLogger(__name__)

RECORD_VERSION = 2


class _Template:
    """Stands in for a Jinja template in Pelican's Writer: renders, or returns
    the previous build's identical page."""

    def __init__(self, template, writer: "ReusingWriter"):
        self.template, self.writer = template, writer

    def render(self, localcontext: dict) -> str:
        return self.writer.render(self.template, localcontext)


def _fingerprint(parts) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def explain_target(url: str) -> str:
    """The output file an --explain address names: /xxgk/x/ -> xxgk/x/index.html."""
    path = url.split("://", 1)[-1]
    path = path.split("/", 1)[1] if "://" in url else path
    path = path.split("?")[0].split("#")[0].lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


class ReusingWriter(Writer):
    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.previous = Path(settings.get("GONGKAI_PREVIOUS_OUTPUT") or "")
        self.enabled = bool(settings.get("GONGKAI_PREVIOUS_OUTPUT")) and speed.reuse(settings)
        where = hashlib.sha1(str(self.previous.resolve()).encode()).hexdigest()[:12]
        self.record_path = Path(settings["CACHE_PATH"]) / f"pages-{where}.pickle"
        self.old = _load(self.record_path, self.previous) if self.enabled else {}
        explain = settings.get("GONGKAI_EXPLAIN")
        self.explain = explain_target(explain) if explain else None
        self.explained: list = []   # what was said about the page --explain names
        self.new: dict = {}         # output file -> (fingerprint, parts)
        self.links: dict = {}       # output file -> the previous build's identical file
        self.linked: set = set()
        self.digests = None
        self.code = None
        self.reused = 0
        self.rendered: list = []
        self.beside_children: list = []  # speed.forked.Child of beside()
        forget_templates()
        _writers[:] = [self]

    def write_file(self, name, template, context, *args, **kwargs):
        if (self.enabled or self.explain) and hasattr(template, "render") and getattr(template, "name", None):
            if self.digests is None:
                self.digests = Digests(_subclasses(Content), lambda o: o.source_path,
                                       skip_attrs=("settings", "_context"),
                                       stand_ins={cls: _wrapper_id for cls in _subclasses(URLWrapper)})
                self.code = code_digest(self.settings)
            template = _Template(template, self)
        return super().write_file(name, template, context, *args, **kwargs)

    def render(self, template, localcontext: dict) -> str:
        name = localcontext["output_file"]
        parts = self._parts(template, localcontext, name)
        target = sanitised_join(self.output_path, name)  # the path Pelican's Writer opens
        if parts is not None:
            fingerprint = _fingerprint(parts)
            self.new[name] = (fingerprint, parts)
            old = self.old.get(name)
            source = self.previous / name
            first = target not in self._written_files  # a page written twice is rendered the second time
            if self.enabled and first and old is not None and old[0] == fingerprint and _stamp(source) == tuple(old[1:3]):
                self.reused += 1
                self.links[target] = source
                self._say(name, "沿用上次构建：代码和设置、模板、页面读到的每个值都与上次相同")
                return ""  # not written: _open_w links the previous file instead
            self._say(name, self._why(name, parts, first, source))
        else:
            self._say(name, "重新生成：页面读到的值中有无法比较的（例如模板名不是常量），这样的页面每次都重新生成")
        self.rendered.append(name)
        return template.render(localcontext)

    def _parts(self, template, localcontext: dict, name: str):
        """(code, template, ((variable, digest), …)) of a page, or None when it cannot be compared."""
        reads = template_reads(template)
        if reads is None:
            return None
        values = []
        for n in sorted(reads.names):
            digest = self.digests.page((n, localcontext[n]) if n in localcontext else (n, "<missing>"), reads)
            if digest is None:
                return None
            values.append((n, digest))
        return (self.code, template.name, tuple(values))

    def _why(self, name: str, parts, first: bool, source: Path) -> str:
        if name != self.explain:
            return ""
        if not self.enabled:
            return "重新生成：本次构建不沿用以前的结果（GONGKAI_REUSE = False 或没有内容缓存）"
        old = self.old.get(name)
        if old is None:
            return "重新生成：上次构建没有这个页面的记录（第一次构建，或上次构建没有完成）"
        if not first:
            return "重新生成：这个页面在本次构建中写了第二次"
        if _stamp(source) != tuple(old[1:3]):
            return f"重新生成：上次的文件 {source} 已改动或不存在"
        code, template, values = old[3]
        if code != parts[0]:
            return "重新生成：代码、模板文件或设置变了（gongkai/、metadata_schema/、theme/、plugins/ 或设置）"
        if template != parts[1]:
            return f"重新生成：使用的模板从 {template} 变为 {parts[1]}"
        before, now = dict(values), dict(parts[2])
        changed = sorted(n for n in before.keys() | now.keys() if before.get(n) != now.get(n))
        return "重新生成：页面读到的这些值变了：" + "、".join(changed)

    def _say(self, name: str, text: str) -> None:
        if name == self.explain and text:
            self.explained.append(f"{name}：{text}")

    def _open_w(self, filename, encoding, override=False):
        source = self.links.pop(filename, None)
        if filename in self.linked:
            # Written again (override): never through the link, which is the previous site's file too.
            self.linked.discard(filename)
            os.unlink(filename)
        if source is None or filename in self._written_files or filename in self._overridden_files:
            return super()._open_w(filename, encoding, override)
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        self.linked.add(filename)
        return _Link(source, filename)

    def beside(self, work) -> None:
        """work(self) in a forked child (speed.forked.Child): it writes into the
        same output, and what it rendered, linked and recorded comes back when the
        build joins it (join, at finalized)."""
        self.beside_children.append(Child(lambda: self._written_by(work), died="写出页面的进程意外退出"))

    def _written_by(self, work) -> dict:
        """In the child: work(self), then what it added to this writer's record."""
        before = (dict(self.new), set(self._written_files), set(self._overridden_files), set(self.linked),
                  len(self.rendered), self.reused, len(self.explained))
        work(self)
        return {"new": {k: v for k, v in self.new.items() if before[0].get(k) != v},
                "written": self._written_files - before[1], "overridden": self._overridden_files - before[2],
                "linked": self.linked - before[3], "rendered": self.rendered[before[4]:],
                "reused": self.reused - before[5], "explained": self.explained[before[6]:]}

    def join(self) -> None:
        """Wait for the children of beside() and take in their records; a child's error fails the build."""
        errors = []
        while self.beside_children:
            try:
                report = self.beside_children.pop(0).result()
            except ChildFailed as exc:
                errors.append(str(exc))
                continue
            self.new.update(report["new"])
            self._written_files |= report["written"]
            self._overridden_files |= report["overridden"]
            self.linked |= report["linked"]
            self.rendered += report["rendered"]
            self.reused += report["reused"]
            self.explained += report["explained"]
        if errors:
            raise RuntimeError("另一进程写出页面时出错：" + "；".join(errors))

    def abandon(self) -> None:
        while self.beside_children:
            self.beside_children.pop().stop()

    def save(self):
        """The build finished: record what each page was made from, with its file's stamp."""
        out = {}
        for name, (fingerprint, parts) in self.new.items():
            try:
                st = os.stat(os.path.join(self.output_path, name))
            except OSError:
                continue
            out[name] = (fingerprint, st.st_size, st.st_mtime_ns, parts)
        self.record_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.record_path.with_name(f"{self.record_path.name}.{os.getpid()}.part")
        with open(tmp, "wb") as fh:
            pickle.dump({"version": RECORD_VERSION, "output": str(self.previous.resolve()), "pages": out}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.record_path)

    def report(self) -> None:
        shown = "、".join(self.rendered[:5]) + (" 等" if len(self.rendered) > 5 else "")
        log.info("页面：%s 个沿用上次构建，%s 个重新生成%s", self.reused, len(self.rendered),
                 f"（{shown}）" if self.rendered else "")
        if self.explain:
            print("\n".join(self.explained) or f"{self.explain}：本次构建没有写出这个页面")


_writers: list = []  # this build's writer, for finish()


def _subclasses(cls) -> list:
    found = [cls]
    for sub in cls.__subclasses__():
        found += _subclasses(sub)
    return found


def _wrapper_id(obj) -> tuple:
    """A category, tag or author by its name and address: one read from the
    content cache carries its own copy of the settings."""
    return ("urlwrapper", type(obj).__name__, obj.name, obj.slug, obj.url)


def _load(path: Path, previous: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            record = pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, ImportError, IndexError):
        return {}  # a damaged record: every page is rendered again, which is always right
    if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
        return {}
    if record.get("output") != str(previous.resolve()):
        return {}  # recorded for another output folder
    return record.get("pages", {})


def _stamp(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
        return (st.st_size, st.st_mtime_ns)
    except OSError:
        return None


class _Link:
    """What Pelican's Writer writes a reused page through: the previous build's
    file is hard-linked (copied where linking fails); the empty text is dropped."""

    def __init__(self, source: Path, target: str):
        self.source, self.target = source, target

    def write(self, text: str):
        assert text == "", "a reused page is never rendered"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            link_or_copy(self.source, self.target)
        return False


def finish(then=None) -> None:
    """Every page is written (finalized): join what was written beside, run then()
    (files made from the finished output), keep the record, report."""
    if not _writers and then is not None:
        then()
    if _writers:
        writer = _writers.pop()
        writer.join()
        if then is not None:
            then()
        if writer.enabled:
            writer.save()
        writer.report()


def abandon() -> None:
    while _writers:
        _writers.pop().abandon()
