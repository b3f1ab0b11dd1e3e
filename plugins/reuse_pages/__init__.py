"""Rebuilds render only the pages that changed. Every build writes a fresh
folder (scripts/build.py swaps it in), but a page whose code, settings and
template values are the same as in the previous build (gongkai.pagecache)
is hard-linked from the previous output instead of rendered again.

The previous output is the folder the build will replace
(GONGKAI_PREVIOUS_OUTPUT, set by scripts/build.py); what each of its pages
was made from is kept in CACHE_PATH/pages-<output>.pickle (one per output
folder: make html and make publish share the cache), written only when a build
finished, with each file's size and mtime so a file changed since is never
taken. Off without Pelican's content cache (CACHE_CONTENT)."""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
from pathlib import Path

from pelican import signals
from pelican.contents import Content
from pelican.urlwrappers import URLWrapper
from pelican.utils import sanitised_join
from pelican.writers import Writer

from gongkai.build.speed.files import link_or_copy
from gongkai.build.speed.forked import Child, ChildFailed
from gongkai.build.speed.pagecache import Digests, code_digest, forget_templates, template_reads
from gongkai.build.signals import build_failed

log = logging.getLogger(__name__)

NEEDS: set = set()
PROVIDES: set = set()
_writers: list = []  # this build's writer, for finalized


class _Template:
    """Stands in for a Jinja template in Pelican's Writer: renders, or returns
    the previous build's identical page."""

    def __init__(self, template, writer: "ReusingWriter"):
        self.template, self.writer = template, writer

    def render(self, localcontext: dict) -> str:
        return self.writer.render(self.template, localcontext)


class ReusingWriter(Writer):
    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.previous = Path(settings.get("GONGKAI_PREVIOUS_OUTPUT") or "")
        self.enabled = bool(settings.get("GONGKAI_PREVIOUS_OUTPUT")) and bool(settings.get("CACHE_CONTENT"))
        where = hashlib.sha1(str(self.previous.resolve()).encode()).hexdigest()[:12]
        self.record_path = Path(settings["CACHE_PATH"]) / f"pages-{where}.pickle"
        self.old = _load(self.record_path, self.previous) if self.enabled else {}
        self.new: dict = {}
        self.links: dict = {}    # output file -> the previous build's identical file
        self.linked: set = set()
        self.digests = None
        self.code = None
        self.reused = 0
        self.rendered: list = []
        self.beside_children: list = []  # gongkai.forked.Child of beside()
        forget_templates()
        _writers[:] = [self]

    def write_file(self, name, template, context, *args, **kwargs):
        if self.enabled and hasattr(template, "render") and getattr(template, "name", None):
            if self.digests is None:
                self.digests = Digests(_subclasses(Content), lambda o: o.source_path,
                                       skip_attrs=("settings", "_context"),
                                       stand_ins={cls: _wrapper_id for cls in _subclasses(URLWrapper)})
                self.code = code_digest(self.settings)
            template = _Template(template, self)
        return super().write_file(name, template, context, *args, **kwargs)

    def render(self, template, localcontext: dict) -> str:
        name = localcontext["output_file"]
        fingerprint = self._fingerprint(template, localcontext, name)
        if fingerprint is not None:
            self.new[name] = fingerprint
            old = self.old.get(name)
            source = self.previous / name
            target = sanitised_join(self.output_path, name)  # the path Pelican's Writer opens
            first = target not in self._written_files  # a page written twice is rendered the second time
            if first and old is not None and old[0] == fingerprint and _stamp(source) == tuple(old[1:]):
                self.reused += 1
                self.links[target] = source
                return ""  # not written: _open_w links the previous file instead
        self.rendered.append(name)
        return template.render(localcontext)

    def _fingerprint(self, template, localcontext: dict, name: str):
        reads = template_reads(template)
        if reads is None:
            return None
        names, attrs = reads
        values = [(n, localcontext[n]) if n in localcontext else (n, "<missing>") for n in sorted(names)]
        return self.digests.page((self.code, template.name, name, values), attrs)

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
        """work(self) in a forked child (gongkai.forked.Child): it writes into the
        same output, and what it rendered, linked and recorded comes back when the
        build joins it (join, at finalized)."""
        self.beside_children.append(Child(lambda: self._written_by(work), died="写出页面的进程意外退出"))

    def _written_by(self, work) -> dict:
        """In the child: work(self), then what it added to this writer's record."""
        before = (dict(self.new), set(self._written_files), set(self._overridden_files), set(self.linked),
                  len(self.rendered), self.reused)
        work(self)
        return {"new": {k: v for k, v in self.new.items() if before[0].get(k) != v},
                "written": self._written_files - before[1], "overridden": self._overridden_files - before[2],
                "linked": self.linked - before[3], "rendered": self.rendered[before[4]:],
                "reused": self.reused - before[5]}

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
        if errors:
            raise RuntimeError("另一进程写出页面时出错：" + "；".join(errors))

    def abandon(self) -> None:
        while self.beside_children:
            self.beside_children.pop().stop()

    def save(self):
        """The build finished: record what each page was made from, with its file's stamp."""
        out = {}
        for name, fingerprint in self.new.items():
            try:
                st = os.stat(os.path.join(self.output_path, name))
            except OSError:
                continue
            out[name] = (fingerprint, st.st_size, st.st_mtime_ns)
        self.record_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.record_path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump({"output": str(self.previous.resolve()), "pages": out}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.record_path)
        shown = "、".join(self.rendered[:5]) + (" 等" if len(self.rendered) > 5 else "")
        log.info("页面：%s 个沿用上次构建，%s 个重新生成%s", self.reused, len(self.rendered),
                 f"（{shown}）" if self.rendered else "")


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
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
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


def get_writer(pelican):
    return ReusingWriter


def finish(pelican):
    """Every page is written: join what was written beside, then keep the record."""
    if _writers:
        writer = _writers.pop()
        writer.join()
        if writer.enabled:
            writer.save()


def abandon(*_args, **_kwargs):
    while _writers:
        _writers.pop().abandon()


def register():
    # get_writer: Pelican writes every page through this writer.
    signals.get_writer.connect(get_writer)
    # finalized (this plugin is last in PLUGINS): everything, the search index
    # included, succeeded; only then is the record of this build kept.
    signals.finalized.connect(finish)
    # A build that fails (scripts/build.py) leaves nothing writing beside it.
    build_failed.connect(abandon)
