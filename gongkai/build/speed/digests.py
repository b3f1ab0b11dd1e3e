"""Which pages of a build can be taken from the previous build unchanged.

A page is the rendering of a template over values: it is the same as last
time when the code and settings are the same (code_digest) and every value
its templates can read is the same (Digests.page). The values a template can
read are found statically (template_reads): the undeclared variables of it
and of every template it extends, includes or imports, with every attribute
name it reads and on what. A template that names another one dynamically is
never reused.

Values are compared by digest, a hash of their pickle. Objects of the site
(articles, pages) are digested once per build and appear inside other values
by their own digest, in three depths: a page's own object in full ("card"),
the objects it links to in full except for their own links ("face"), and
those links' links by path only ("ref"). A Document appears as its
front-matter and the stamps of the files it names; its Markdown body and an
object's rendered content count only on pages whose templates read them
(body, content, summary). When the templates read content only on a page
variable itself (article.content), only that object's content counts, so the
digests of the objects a document page and a listing show are the same ones,
made once. Anything that cannot be pickled makes the page be rendered again:
the safe side."""
from __future__ import annotations

import copyreg
import hashlib
import io
import pickle
import re
import sys
from pathlib import Path
from typing import NamedTuple

import jinja2
import jinja2.meta

from gongkai.build.contract import SiteFacts
from gongkai.core import budget, site
from gongkai.core.model import Document, file_stamp, named_files
from gongkai.core.settings import ROOT

# Code and data that decide how any page looks, besides the theme and plugin
# folders the settings name.
CODE = ("gongkai", "metadata_schema")
# Where the build writes is not what it writes (each build has a fresh folder), nor what it is asked to explain.
NOT_CONTENT = {"OUTPUT_PATH", "GONGKAI_EXPLAIN"}
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def code_digest(settings: dict, with_settings: bool = True) -> str:
    """The code, templates, schemas and (with_settings) settings of this build."""
    h = hashlib.sha1(f"{sys.version}|{_versions()}".encode())
    roots = [ROOT / c for c in CODE] + [Path(settings["THEME"])] + [Path(p) for p in settings.get("PLUGIN_PATHS", [])]
    for root in roots:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(str(f).encode() + b"\0" + f.read_bytes())
    for key in sorted(k for k in settings if with_settings and k.isupper() and k not in NOT_CONTENT):
        h.update(key.encode() + b"=" + _ADDRESS.sub("", repr(settings[key])).encode() + b"\n")
    return h.hexdigest()


def _versions() -> str:
    from importlib.metadata import version
    return ",".join(version(p) for p in ("pelican", "jinja2", "markdown", "nh3"))


class Reads(NamedTuple):
    """What a template (with what it extends, includes, imports) can read."""
    names: frozenset     # the top-level variables
    inner: frozenset     # attribute or key names read on anything but a top-level variable itself
    top: frozenset       # (variable, attribute) read directly on a top-level variable
    shadowed: frozenset  # names a template binds outside a macro: an included template may see those instead

    def content_inside(self) -> bool:
        """Whether rendered content is read on anything besides a page variable itself."""
        return bool(self.inner & CONTENT_ATTRS) or any(
            n in self.shadowed for n, attr in self.top if attr in CONTENT_ATTRS)

    def content_of(self) -> frozenset:
        """The top-level variables whose own rendered content is read (article.content)."""
        return frozenset(n for n, attr in self.top if attr in CONTENT_ATTRS and n not in self.shadowed)

    def body(self) -> bool:
        return "body" in self.inner or any(attr == "body" for _n, attr in self.top)


def template_reads(template: jinja2.Template) -> Reads | None:
    """What the template can read; None when a referenced template name is not a constant."""
    return _reads(template.environment, template.name)


_READS: dict = {}


def forget_templates():
    """Each build reads the templates again: a long-running process (the dev
    server) may see them change between builds."""
    _READS.clear()


def _reads(env: jinja2.Environment, name: str):
    key = (id(env), name)
    if key not in _READS:
        _READS[key] = None  # a cycle (a template including itself) stays None
        ast = env.parse(env.loader.get_source(env, name)[0])
        names = set(jinja2.meta.find_undeclared_variables(ast))
        # A name this template binds (set, for, with, a macro's parameters) is its own
        # wherever it is read here: reads on it are reads on something else.
        local = {n.name for n in ast.find_all(jinja2.nodes.Name) if n.ctx in ("store", "param")}
        reads = [(n.node, n.attr) for n in ast.find_all(jinja2.nodes.Getattr)]
        reads += [(n.node, n.arg.value) for n in ast.find_all(jinja2.nodes.Getitem)
                  if isinstance(n.arg, jinja2.nodes.Const) and isinstance(n.arg.value, str)]
        top = {(node.name, attr) for node, attr in reads
               if isinstance(node, jinja2.nodes.Name) and node.name not in local}
        inner = {attr for node, attr in reads
                 if not isinstance(node, jinja2.nodes.Name) or node.name in local}
        shadowed = _bound_outside_macros(ast)
        for ref in jinja2.meta.find_referenced_templates(ast):
            sub = _reads(env, ref) if ref is not None else None
            if sub is None:
                return None
            names |= sub.names
            inner |= sub.inner
            top |= sub.top
            shadowed |= sub.shadowed
        _READS[key] = Reads(frozenset(names), frozenset(inner), frozenset(top), frozenset(shadowed))
    return _READS[key]


def _bound_outside_macros(node) -> set:
    """Names a template binds outside a macro ({% set %}, {% for %}, {% with %}):
    a template it includes there sees them instead of the page's variables."""
    found = set()
    for child in node.iter_child_nodes():
        if isinstance(child, (jinja2.nodes.Macro, jinja2.nodes.CallBlock)):
            continue
        if isinstance(child, jinja2.nodes.Name) and child.ctx in ("store", "param"):
            found.add(child.name)
        found |= _bound_outside_macros(child)
    return found


def _table_id(table) -> tuple:
    return ("table", table.path, file_stamp(table.source) if table.source else None, repr(table.spec), table.index)


# Objects read from files, named by the files: a budget table is its CSV read
# by its front-matter entry (the document itself is digested where it shows).
FROM_FILES = {budget.Table: _table_id}
# Objects that many pages show and that do not change while pages are
# written: digested once (a listing's groups hold every document of the group;
# the site's facts, which every page reads, hold every solicitation, the nav…).
SHARED = (site.Group, SiteFacts)

# What a page reads only if its templates ask for it by name: an object's
# rendered body (Pelican's content/summary) and a Document's Markdown body.
CONTENT_ATTRS = {"content", "summary", "get_content", "get_summary", "_content", "_summary"}
CONTENT_KEYS = ("_content", "_summary")


def _stand_in(*identity):
    """Unpickling never happens: this only names what an object was digested as."""
    return identity


class Digests:
    """Digests of one build's values, pickled at C speed: only the objects of
    the types given are handed to Python on the way.

    site_types: the classes of the site's objects (Pelican's content); their
    attributes are digested except skip_attrs (the settings and the site
    context, covered by code_digest). path_of(obj) names one at "ref" depth.
    stand_ins: {type: function(obj) -> tuple} names other objects by what
    identifies them (a category by its name and address)."""

    def __init__(self, site_types, path_of, skip_attrs=(), stand_ins=None):
        self.site_types, self.path_of = tuple(site_types), path_of
        self.skip_attrs = set(skip_attrs)
        self.stand_ins = {**FROM_FILES, **(stand_ins or {})}
        self._memo: dict = {}
        # Memo keys are id()s: every object digested is kept alive for the
        # build, so no later object can take its id and its digest.
        self._alive: list = []
        self._tables: dict = {}

    def page(self, values, reads: Reads | None = None) -> str | None:
        """The digest of a page's value (name, value) (None: not comparable,
        render it); reads: what its templates read (template_reads; None: everything)."""
        if reads is None:
            return self._dump(values, "card", True, True)
        inside = reads.content_inside()
        digest = self._dump(values, "card", inside, reads.body())
        name, value = values
        if digest is None or inside or name not in reads.content_of() or not isinstance(value, self.site_types):
            return digest
        # Its own rendered content, beside the digest its listings share.
        own = self._dump(tuple(vars(value).get(k) for k in CONTENT_KEYS), "ref", False, False)
        return None if own is None else hashlib.sha1(f"{digest}|{own}".encode()).hexdigest()

    def _of(self, obj, depth: str, content: bool, body: bool) -> str | None:
        key = (id(obj), depth, content, body)
        if key not in self._memo:
            self._alive.append(obj)
            self._memo[key] = None  # an object reached again inside itself: the cycle stays None
            skip = self.skip_attrs if content else self.skip_attrs | set(CONTENT_KEYS)
            state = {k: v for k, v in vars(obj).items() if k not in skip}
            self._memo[key] = self._dump(state, "face" if depth == "card" else "ref", content, body)
        return self._memo[key]

    def _shared(self, obj, depth: str, content: bool, body: bool) -> str:
        key = (id(obj), "shared", depth, content, body)
        if key not in self._memo:
            self._alive.append(obj)
            state = obj.__getstate__() if isinstance(obj, SiteFacts) else vars(obj)
            self._memo[key] = self._dump(state, depth, content, body)
        if self._memo[key] is None:
            raise pickle.PicklingError("not comparable")
        return self._memo[key]

    def _document(self, doc: Document, body: bool) -> str | None:
        key = (id(doc), "document", body)
        if key not in self._memo:
            self._alive.append(doc)
            self._memo[key] = self._dump((doc.path, doc.type, doc.raw, doc.meta, doc.body if body else None,
                                          named_files(doc)), "ref", False, False)
        return self._memo[key]

    def _table(self, depth: str, content: bool, body: bool) -> dict:
        """The pickler's reducers for one kind of dump (made once per kind)."""
        key = (depth, content, body)
        if key not in self._tables:
            def site_object(obj):
                if depth == "ref":
                    return _stand_in, ("ref", self.path_of(obj))
                inner = self._of(obj, depth, content, body)
                if inner is None:
                    raise pickle.PicklingError("not comparable")
                return _stand_in, (depth, inner)

            table = dict(copyreg.dispatch_table)
            for cls in self.site_types:
                table[cls] = site_object
            table[Document] = lambda doc: (_stand_in, ("document", self._document(doc, body)))
            for cls, name in self.stand_ins.items():
                table[cls] = lambda obj, name=name: (_stand_in, name(obj))
            for cls in SHARED:
                table[cls] = lambda obj: (_stand_in, ("shared", self._shared(obj, depth, content, body)))
            self._tables[key] = table
        return self._tables[key]

    def _dump(self, value, depth: str, content: bool, body: bool) -> str | None:
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = self._table(depth, content, body)
        # No memo: pickle would otherwise write an object seen twice as a
        # back-reference, so equal values shared differently (a string cached
        # in one build, read twice in the next) would differ.
        pickler.fast = True
        try:
            pickler.dump(value)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return None
        return hashlib.sha1(buf.getvalue()).hexdigest()
