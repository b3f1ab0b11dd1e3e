"""Shared fixtures: the site built once with real Pelican from the real
content/, a local HTTP server for it, and Debian's Chromium via Playwright."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent


def _shared() -> Path:
    """The project's shared/ folder (real documents used as fixtures): beside the
    checkout, as CI lays it; or beside the repository this one was cloned from."""
    candidates = [ROOT.parent / "shared"]
    origin = subprocess.run(["git", "-C", str(ROOT), "remote", "get-url", "origin"],
                            capture_output=True, text=True).stdout.strip()
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared")
    return next((c for c in candidates if (c / "corpus").is_dir()), candidates[0])


SHARED = _shared()
CORPUS = SHARED / "corpus"
SEEDS = SHARED / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The build clock for the shared site: the 2026 food-safety solicitation
# (2026-09-01 .. 2026-09-10) is open at this moment.
ASOF = "2026-09-05T09:00"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
# How long a test waits for something that will happen (a page, a browser, a server):
# generous, so that a busy two-core machine only makes the suite slower, never red.
WAIT_SECONDS = 120


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_run(page) -> dict:
    """axe-core's WCAG 2.1 A/AA result for the page as it is now: every violation with
    all its nodes; passes, incomplete and inapplicable rules listed with their first
    node only (axe's resultTypes: the same rules run, a fifth of the result to send)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                         " resultTypes: ['violations']})", AXE_TAGS)


def serious(result: dict) -> list:
    """(rule, impact, first targets) of each serious or critical axe finding."""
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@functools.lru_cache(maxsize=None)
def documents() -> tuple:
    """The real content's documents (every type, no pages), read once."""
    from gongkai.core import schema
    from gongkai.core.corpus import read_tree
    return tuple(d for d in read_tree(ROOT / "content") if d.type in schema.TYPES)


def url_of(doc) -> str:
    """A document's address in the built site, relative to its root."""
    return "xxgk/" + doc.meta["index_no"].replace("/", "-") + "/"


def run_script(name: str, *args, env=None, cwd=ROOT, input=None) -> subprocess.CompletedProcess:
    """Run scripts/<name> as staff would, capturing its output."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, str(ROOT / "scripts" / name), *map(str, args)], cwd=cwd,
                          env=full_env, capture_output=True, text=True, input=input, timeout=600)


def build_site(content: Path, output: Path, asof: str = ASOF, settings: str = "pelicanconf.py"):
    """Build a content tree with the real build script; returns the CompletedProcess."""
    return run_script("build.py", "--content", content, "--output", output, "--no-cache",
                      "--settings", ROOT / settings, env={"ASOF": asof})


def project_copy(dest: Path, documents: list[str]) -> Path:
    """The project as a newcomer has it (code, theme, schema, settings, the venv by
    link) with a small real content tree: the pages and the named documents."""
    for name in ("gongkai", "plugins", "metadata_schema", "theme", "scripts"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pelicanconf.py", "publishconf.py", "pyproject.toml", "Makefile"):
        shutil.copy2(ROOT / name, dest / name)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    shutil.copytree(ROOT / "content" / "pages", dest / "content" / "pages")
    shutil.copy2(ROOT / "content" / "privacy-allowlist.txt", dest / "content" / "privacy-allowlist.txt")
    for rel in documents:
        (dest / "content" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "content" / rel, dest / "content" / rel)
    return dest


def run_in(project: Path, script: str, *args, env=None) -> subprocess.CompletedProcess:
    """Run a copy's own scripts/<script> with the copy's own code."""
    full_env = dict(os.environ, ASOF=ASOF, PYTHONPATH=str(project), **(env or {}))
    return subprocess.run([sys.executable, str(project / "scripts" / script), *map(str, args)], cwd=project,
                          env=full_env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "output"
    result = build_site(ROOT / "content", out)
    assert result.returncode == 0, result.stderr + result.stdout
    return out


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def page(site):
    """page('xxgk/<slug>/') -> BeautifulSoup of that built page."""
    def load(rel: str) -> BeautifulSoup:
        target = site / rel
        if target.is_dir() or rel.endswith("/") or rel == "":
            target = target / "index.html"
        return soup_of(target)
    return load


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path):
    """Serve a folder on 127.0.0.1 (random port) in a thread; returns (server, base_url)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def base_url(site):
    server, url = serve(site)
    yield url
    server.shutdown()


class PatientBrowser:
    """Chromium whose contexts wait WAIT_SECONDS (not Playwright's 30 s) for pages,
    selectors and functions."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.set_default_timeout(WAIT_SECONDS * 1000)
        context.set_default_navigation_timeout(WAIT_SECONDS * 1000)
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.set_default_timeout(WAIT_SECONDS * 1000)
        page.set_default_navigation_timeout(WAIT_SECONDS * 1000)
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, timeout=WAIT_SECONDS * 1000, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield PatientBrowser(b)
        b.close()
