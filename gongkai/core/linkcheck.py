"""Link check over a built site: every internal link (href, src) of every
HTML page must open a file in the output — a page, a feed, an attachment.
Broken links become Problems naming the page, the line and the target.

One pass: the output's file list is read once into a set, each page is read
once and its links found with one regular expression."""
from __future__ import annotations

import html
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gongkai.core.problems import Problem

LINK_RE = re.compile(r"""\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
ID_RE = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def site_files(output: Path) -> set:
    """Every file under output, as a POSIX path relative to it."""
    out = set()
    for folder, _dirs, files in os.walk(output):
        rel = os.path.relpath(folder, output)
        for name in files:
            out.add(name if rel == "." else f"{Path(rel).as_posix()}/{name}")
    return out


def resolve(page: str, target: str, site_url: str = "") -> str | None:
    """The output path a link points at, relative to the site root, or None
    for links that leave the site (other schemes, other hosts) or stay on the page.
    Returns '..' for a link that climbs above the root."""
    if site_url and target.startswith(site_url.rstrip("/") + "/"):
        target = target[len(site_url.rstrip("/")):]
    if not target or target.startswith("#") or target.startswith("//") or SCHEME_RE.match(target):
        return None
    path = unquote(urlsplit(target).path)
    if not path:
        return None
    base = posixpath.dirname(page)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(base, path)
    resolved = posixpath.normpath(joined) if joined else "."
    if resolved == ".." or resolved.startswith("../"):
        return ".."
    if resolved == ".":
        resolved = ""
    return resolved + ("/" if path.endswith("/") and resolved else "")


def exists(resolved: str, files: set) -> bool:
    if resolved in ("", "/"):
        return "index.html" in files
    if resolved.endswith("/"):
        return f"{resolved}index.html" in files
    return resolved in files or f"{resolved}/index.html" in files


def check_page(page: str, text: str, files: set, site_url: str = "", label: str = "") -> list:
    """Problems for one page's links; page is its path relative to the output root."""
    problems = []
    ids = None
    line, pos = 1, 0
    where = f"{label}/{page}" if label else page
    for m in LINK_RE.finditer(text):
        raw = m.group(1) if m.group(1) is not None else m.group(2)
        target = html.unescape(raw).strip()
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if target.startswith("#") and len(target) > 1:
            if ids is None:
                ids = {a or b for a, b in ID_RE.findall(text)}
            fragment = unquote(target[1:])
            if fragment not in ids:
                problems.append(Problem(where, line, None, "broken_fragment",
                                        {"target": target, "fragment": fragment}))
            continue
        resolved = resolve(page, target, site_url)
        if resolved is None:
            continue
        if resolved == "..":
            problems.append(Problem(where, line, None, "link_outside_site", {"target": target}))
        elif not exists(resolved, files):
            problems.append(Problem(where, line, None, "broken_link", {"target": target, "resolved": resolved}))
    return problems


def check(output: Path, site_url: str = "") -> tuple:
    """(problems, pages checked, links seen) for a built site."""
    output = Path(output)
    files = site_files(output)
    problems, links = [], 0
    pages = sorted(f for f in files if f.endswith(".html"))
    label = os.path.relpath(output) if not os.path.relpath(output).startswith("..") else str(output)
    for page in pages:
        text = (output / page).read_text(encoding="utf-8", errors="replace")
        links += len(LINK_RE.findall(text))
        problems.extend(check_page(page, text, files, site_url, label))
    return problems, len(pages), links


def report(problems, pages: int, links: int) -> str:
    """The closing line staff read."""
    if not problems:
        return f"链接检查通过：{pages} 个页面中的 {links} 个链接都能打开。"
    broken_pages = len({p.path for p in problems})
    return (f"共 {len(problems)} 个失效链接，涉及 {broken_pages} 个页面。"
            "请按上面的页面和链接改正后重新构建（make html），再运行 make check。")

