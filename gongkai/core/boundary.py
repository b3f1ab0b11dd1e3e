"""The publication boundary: what under content/ may reach the public site.

Only documents (``*.md``) and the files a document names (attachments, budget
tables) are published. Everything else under content/ is a problem, and so is
every symlink (git stores them, so a pull request could point one at
/etc/passwd), every document the build would skip (``.markdown``, ``.MD``), a
named path that leads outside content/, an attachment whose bytes are not
what its name says, and an unresolved merge in any text file.

Pure functions over paths and bytes: the validator turns what they find into
Problems, the build publishes exactly ``named_files``."""
from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

DOCUMENT_SUFFIX = ".md"
# Written as documents, but the build reads only .md: said, never skipped silently.
SKIPPED_DOCUMENT_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn"}
# Files under content/ that configure checks rather than being published.
CONFIG_FILES = ("privacy-allowlist.txt", "search-synonyms.yaml")

# Limits a real document never reaches; past them a file is refused before it
# is parsed, so hostile input cannot stall the build.
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_FRONT_MATTER_DEPTH = 12
MAX_BODY_BYTES = 2 * 1024 * 1024

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MARKUP = re.compile(rb"^\s*(<!doctype|<html|<head|<body|<script|<svg|<\?xml)", re.I)


def _starts(*magics):
    return lambda data, path: any(data.startswith(m) for m in magics)


def _pdf(data, path):
    return b"%PDF-" in data[:1024]


def _zip_with(*members):
    """An Office Open XML / OpenDocument / OFD file: a zip holding one of members."""
    def sniff(data, path):
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return any(m in names for m in members)
    return sniff


def _text(data, path):
    """Plain UTF-8 text (CSV, TXT), not a web page in disguise."""
    if b"\0" in data[:8192] or _MARKUP.match(data[:256].lstrip(b"\xef\xbb\xbf")):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _webp(data, path):
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


@dataclass(frozen=True)
class Kind:
    title: str        # shown to staff and on the download link (PDF, Word …)
    sniff: object     # (first bytes, path) -> bool: the bytes are what the name says
    text: bool = False


# The attachment types the site publishes: the one list (the build, make check
# and the web server's allowlist all read it). Scripts, archives and web pages
# are not among them: an attachment is downloaded, never run.
ATTACHMENT_KINDS = {
    ".pdf": Kind("PDF", _pdf),
    ".ofd": Kind("OFD", _zip_with("OFD.xml")),
    ".doc": Kind("Word", _starts(_OLE2)),
    ".docx": Kind("Word", _zip_with("[Content_Types].xml")),
    ".wps": Kind("WPS", _starts(_OLE2)),
    ".xls": Kind("Excel", _starts(_OLE2)),
    ".xlsx": Kind("Excel", _zip_with("[Content_Types].xml")),
    ".et": Kind("WPS 表格", _starts(_OLE2)),
    ".ppt": Kind("PowerPoint", _starts(_OLE2)),
    ".pptx": Kind("PowerPoint", _zip_with("[Content_Types].xml")),
    ".odt": Kind("ODT", _zip_with("mimetype")),
    ".ods": Kind("ODS", _zip_with("mimetype")),
    ".csv": Kind("CSV", _text, text=True),
    ".txt": Kind("TXT", _text, text=True),
    ".png": Kind("PNG", _starts(b"\x89PNG\r\n\x1a\n")),
    ".jpg": Kind("JPEG", _starts(b"\xff\xd8\xff")),
    ".jpeg": Kind("JPEG", _starts(b"\xff\xd8\xff")),
    ".gif": Kind("GIF", _starts(b"GIF87a", b"GIF89a")),
    ".webp": Kind("WebP", _webp),
}


def kind_of(path) -> Kind | None:
    return ATTACHMENT_KINDS.get(Path(path).suffix.lower())


def allowed_suffixes() -> str:
    return "、".join(sorted({s.lstrip(".") for s in ATTACHMENT_KINDS}))


def bytes_match(path: Path) -> bool:
    """The file's bytes are of the kind its name says (a .pdf that is HTML is not)."""
    kind = kind_of(path)
    if kind is None:
        return False
    with open(path, "rb") as fh:
        head = fh.read(1 << 20 if kind.text else 8192)
    return kind.sniff(head, path)


# --- merge conflicts ------------------------------------------------------------

_CONFLICT = re.compile(r"^(<{7}(?: .*)?|={7}|>{7}(?: .*)?|\|{7}(?: .*)?)$", re.M)


def merge_conflict_line(text: str) -> int | None:
    """The line of the first unresolved-merge marker (<<<<<<<, =======, >>>>>>>), or None."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text and "=======" not in text:
        return None
    m = _CONFLICT.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


# --- paths named by documents -----------------------------------------------------

def resolve_inside(root, base, value: str) -> tuple[Path | None, str | None]:
    """(path, None) for a file named relative to base that stays inside root,
    or (None, reason): "outside" (absolute, or .. past root, or through a
    symlink), "missing", "not_regular" (a folder, a symlink, a device)."""
    if not value or os.path.isabs(value) or value.startswith("~") or "\\" in value:
        return None, "outside"
    # Plain strings: every build resolves every named file of every document.
    root = os.path.abspath(root)
    candidate = os.path.normpath(os.path.join(os.path.abspath(base), value))
    if not candidate.startswith(root + os.sep):
        return None, "outside"
    # No part of the way may be a symlink: each step is checked without following it.
    step = root
    for part in candidate[len(root) + 1:].split(os.sep):
        step = os.path.join(step, part)
        try:
            st = os.lstat(step)
        except OSError:
            return None, "missing"
        if stat.S_ISLNK(st.st_mode):
            return None, "outside"
    if not stat.S_ISREG(st.st_mode):
        return None, "not_regular"
    return Path(candidate), None


# --- what is under content/ ---------------------------------------------------------

@dataclass
class Inventory:
    """Everything under one content folder, found without following symlinks."""
    root: Path
    documents: list = field(default_factory=list)   # regular *.md files, sorted
    files: list = field(default_factory=list)       # other regular files, sorted
    symlinks: list = field(default_factory=list)    # symlinks (to files or folders), not followed
    skipped: list = field(default_factory=list)     # documents the build would not read (.markdown, .MD)
    special: list = field(default_factory=list)     # fifos, sockets, devices


def scan(root: Path) -> Inventory:
    root = Path(root)
    inv = Inventory(root)
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                inv.symlinks.append(path)
            elif entry.is_dir(follow_symlinks=False):
                stack.append(path)
            elif not entry.is_file(follow_symlinks=False):
                inv.special.append(path)
            elif entry.name.endswith(DOCUMENT_SUFFIX):
                inv.documents.append(path)
            elif Path(entry.name).suffix.lower() in SKIPPED_DOCUMENT_SUFFIXES:
                inv.skipped.append(path)
            else:
                inv.files.append(path)
    for found in (inv.documents, inv.files, inv.symlinks, inv.skipped, inv.special):
        found.sort()
    return inv


def symlinks_under(folder: Path) -> list:
    """Every symlink under a folder (the theme), not followed."""
    return scan(folder).symlinks if Path(folder).is_dir() else []


def documents_in(paths) -> list:
    """Documents (*.md) under the given files or folders, sorted; symlinks are
    never followed (they are reported by the boundary check, not read)."""
    files = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            files.extend(scan(p).documents)
        elif p.name.endswith(DOCUMENT_SUFFIX) and p.is_file() and not p.is_symlink():
            files.append(p)
    return files
