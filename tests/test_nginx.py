"""deploy/nginx.conf in Debian's nginx on 127.0.0.1, serving a release of the
real content/ published by scripts/publish.py: headers on each kind of file,
every file the build wrote served and nothing else (sources, dotfiles, editor
backups, archives: 404), release.json kept private, the 404 page,
precompressed files, and Chromium with the Content-Security-Policy enforced."""
from __future__ import annotations

import gzip
import http.client
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import brotli
import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import ARTIFACTS, ASOF, WAIT_SECONDS, run_script

from gongkai.commands import publish as publish_mod

pytestmark = pytest.mark.skipif(not publish_mod.NGINX.is_file(),
                                reason=f"{publish_mod.NGINX} 未安装（apt-get install nginx）")

ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
}
SECRET = "gongkai-must-not-be-served"
# Names that end up in a release by accident (an editor, a merge, a careless
# copy): none is a kind the build makes, so nginx answers 404 whatever they hold.
STRAY = ["index.html~", "#index.html#", "index.html.old", "index.html.save", "index.html.rej",
         "index.html.orig", "index.html.bak", ".index.html.swp", "index.html.swp", "site.zip",
         "site.tar.gz", "dump.sql", "upload.tmp", "README.md", "build.py", "settings.yaml",
         "config.yml", "LICENSE", "notes.TXT~", "index.html.gz.tmp", "report.pdf.part"]


class Server:
    def __init__(self, base: str, root: Path):
        self.base, self.root = base, root
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port

    def get(self, path: str, headers: dict | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=WAIT_SECONDS)
        try:
            conn.request("GET", path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # The port is held from the moment SITEURL names it: publishing takes minutes on a busy machine.
    with publish_mod.reserved_port() as port:
        yield from _serve_a_release(tmp_path_factory.mktemp("nginx"), port)


def _serve_a_release(tmp, port):
    deploy = tmp / "deploy"
    base = f"http://127.0.0.1:{port}"
    result = run_script("publish.py", "publish",
                        env={"DEPLOY_DIR": str(deploy), "ASOF": ASOF, "SITEURL": base})
    assert result.returncode == 0, result.stdout + result.stderr
    root = deploy / "current"
    built = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    # Files a careless copy might leave in a release: the server must refuse them.
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text(SECRET, encoding="utf-8")
    (root / ".env").write_text(SECRET, encoding="utf-8")
    (root / "files" / "policy").mkdir(parents=True, exist_ok=True)
    (root / "files" / "policy" / "leak.md").write_text(SECRET, encoding="utf-8")
    (root / "index.md").write_text(SECRET, encoding="utf-8")
    samples = root / "files" / "samples"
    samples.mkdir()
    for suffix in (".pdf", ".docx", ".xlsx"):
        (samples / f"sample{suffix}").write_bytes(b"PK\x03\x04 sample " + suffix.encode())
    (samples / "evil.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    for folder in (root, root / "files" / "policy", root / "xxgk"):
        for name in STRAY:
            (folder / name).write_text(SECRET, encoding="utf-8")
    with publish_mod.nginx_running(deploy, tmp / "nginx", port) as url:
        assert url == base
        server = Server(base, root)
        server.built = built
        yield server


def csp(headers) -> dict:
    policy = headers["content-security-policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


def first_document(root: Path) -> str:
    pages = sorted((root / "xxgk").glob("*/index.html"))
    assert pages, "发布的版本中没有文档页面（content/ 为空？）"
    return "/" + str(pages[0].parent.relative_to(root)) + "/"


def real_attachment(root: Path) -> Path:
    found = sorted(p for p in (root / "files").rglob("*")
                   if p.suffix in ATTACHMENT_TYPES and "samples" not in p.parts)
    assert found, "发布的版本中没有附件（.pdf/.docx/.xlsx/.csv）"
    return found[0]


def stylesheet(root: Path) -> str:
    css = sorted((root / "theme").rglob("*.css"))
    assert css
    return "/" + str(css[0].relative_to(root))


def kinds(server):
    root = server.root
    return {
        "html": "/",
        "document": first_document(root),
        "css": stylesheet(root),
        "feed": "/feeds/all.atom.xml",
        "attachment": "/" + str(real_attachment(root).relative_to(root)),
        "missing": "/no/such/page/",
    }


def test_security_headers_on_every_kind_of_response(server):
    for kind, path in kinds(server).items():
        status, headers, _ = server.get(path)
        assert status == (404 if kind == "missing" else 200), (kind, path)
        policy = csp(headers)
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self' 'wasm-unsafe-eval'"
        assert policy["style-src"] == "'self'"
        assert policy["img-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert "'unsafe-eval'" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["permissions-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert "server" not in headers or "nginx/" not in headers["server"]


def test_html_is_utf8_and_revalidated(server):
    for path in ("/", first_document(server.root)):
        status, headers, body = server.get(path)
        assert status == 200
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert headers["cache-control"] == "no-cache"
        assert "content-disposition" not in headers
        assert "<html" in body.decode("utf-8")


def test_css_cache_matches_whether_its_name_is_fingerprinted(server):
    path = stylesheet(server.root)
    status, headers, _ = server.get(path)
    assert status == 200
    assert headers["content-type"] == "text/css; charset=utf-8"
    if re.search(r"\.[0-9a-f]{8,}\.css$", path):
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
    else:   # same name in every release: must not be cached for long
        assert headers["cache-control"] == "public, max-age=3600"


def test_feed_is_atom_with_a_short_cache(server):
    status, headers, body = server.get("/feeds/all.atom.xml")
    assert status == 200
    assert headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert headers["cache-control"] == "public, max-age=600, must-revalidate"
    assert b"<feed" in body


def test_real_attachment_is_downloaded_with_its_type(server):
    file = real_attachment(server.root)
    status, headers, body = server.get("/" + str(file.relative_to(server.root)))
    assert status == 200
    assert headers["content-type"] == ATTACHMENT_TYPES[file.suffix]
    assert headers["content-disposition"] == "attachment"
    assert body == file.read_bytes()


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".xlsx"])
def test_office_attachments_have_their_type_and_are_downloaded(server, suffix):
    status, headers, _ = server.get(f"/files/samples/sample{suffix}")
    assert status == 200
    assert headers["content-type"] == ATTACHMENT_TYPES[suffix]
    assert headers["content-disposition"] == "attachment"


def test_html_among_attachments_never_renders(server):
    status, headers, _ = server.get("/files/samples/evil.html")
    assert status == 200
    assert not headers["content-type"].startswith("text/html")
    assert headers["content-disposition"] == "attachment"


@pytest.mark.parametrize("path", ["/.git/HEAD", "/.git/", "/.git", "/.env", "/index.md",
                                  "/files/policy/leak.md", "/files/policy/LEAK.MD"])
def test_sources_and_dotfiles_are_not_served(server, path):
    status, _, body = server.get(path)
    assert status in (403, 404)
    assert SECRET.encode() not in body


@pytest.mark.parametrize("name", STRAY)
@pytest.mark.parametrize("folder", ["/", "/files/policy/", "/xxgk/"])
def test_files_of_kinds_the_build_does_not_make_are_not_served(server, folder, name):
    status, headers, body = server.get(quote(folder + name))
    assert status == 404, (folder + name, status)
    assert SECRET.encode() not in body
    assert headers["content-type"] == "text/html; charset=utf-8"        # the site's own 404 page


def test_every_file_the_build_wrote_is_served_as_it_is(server):
    """Walk the release as published: each file (release.json aside) comes back
    whole; each .gz/.br comes back for its original when the client accepts it."""
    failures = []
    brotli_served = publish_mod.BROTLI_MODULE.is_file()
    for rel in server.built:
        name = rel.name
        if name == "release.json":
            continue
        if name.endswith((".gz", ".br")):
            original, encoding = "/" + quote(str(rel)[:-3]), {".gz": "gzip", ".br": "br"}[name[-3:]]
            if encoding == "br" and not brotli_served:
                continue
            status, headers, body = server.get(original, {"Accept-Encoding": encoding})
            if (status, headers.get("content-encoding"), body) != (200, encoding, (server.root / rel).read_bytes()):
                failures.append(f"{original} ({encoding}): {status} {headers.get('content-encoding')}")
            continue
        status, headers, body = server.get("/" + quote(str(rel)))
        if status != 200 or body != (server.root / rel).read_bytes():
            failures.append(f"/{rel}: {status}")
    assert len(server.built) > 300
    assert not failures, "\n".join(failures[:20])


def test_every_folder_of_the_release_is_served_by_its_index(server):
    folders = sorted({rel.parent for rel in server.built if rel.name == "index.html"})
    assert len(folders) > 50
    for folder in folders:
        path = "/" if str(folder) == "." else f"/{quote(str(folder))}/"
        status, _, body = server.get(path)
        assert (status, body) == (200, (server.root / folder / "index.html").read_bytes()), path


def test_release_json_stays_private(server):
    """It holds the commit, build time, settings name and every file's checksum:
    make releases and make rollback read it from disk; visitors get 404."""
    assert (server.root / "release.json").is_file()
    for path in ("/release.json", "/RELEASE.JSON"):
        status, _, body = server.get(path)
        assert status == 404
        assert b'"commit"' not in body


def _served_suffixes() -> set[str]:
    """The allowlist in deploy/nginx.conf, with x? expanded (jpe?g -> jpg, jpeg)."""
    conf = publish_mod.NGINX_TEMPLATE.read_text(encoding="utf-8")
    alternatives = re.search(r'location ~\* "\\\.\(\?!\(\?:([^)]*)\)\$\)', conf).group(1).split("|")
    suffixes = set()
    for alternative in alternatives:
        optional = re.fullmatch(r"(\w*)(\w)\?(\w*)", alternative)
        if optional:
            suffixes |= {optional[1] + optional[3], optional[1] + optional[2] + optional[3]}
        else:
            suffixes.add(alternative)
    return {"." + s for s in suffixes}


def test_nginx_serves_exactly_the_kinds_publish_verifies():
    assert _served_suffixes() == set(publish_mod.KINDS)


def test_markdown_sources_of_real_documents_are_not_in_the_release(server):
    assert not [p for p in server.root.rglob("*.md") if p.name not in ("index.md", "leak.md", "README.md")]


def test_missing_page_gets_the_site_404_page(server):
    status, headers, body = server.get("/xxgk/no-such-document/")
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body == (server.root / "404.html").read_bytes()
    assert BeautifulSoup(body, "html.parser").h1 is not None


def test_folder_without_slash_redirects_relatively(server):
    path = first_document(server.root).rstrip("/")
    status, headers, _ = server.get(path)
    assert status == 301
    assert headers["location"] == path + "/"


def test_precompressed_gzip_is_served(server):
    original = (server.root / "index.html").read_bytes()
    status, headers, body = server.get("/", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == original
    assert int(headers["content-length"]) == (server.root / "index.html.gz").stat().st_size
    status, headers, body = server.get("/")
    assert "content-encoding" not in headers and body == original


@pytest.mark.skipif(not publish_mod.BROTLI_MODULE.is_file(),
                    reason="未安装 libnginx-mod-http-brotli-static：.br 文件保留但不会被 nginx 使用")
def test_precompressed_brotli_is_served(server):
    doc = first_document(server.root)
    original = (server.root / doc.strip("/") / "index.html").read_bytes()
    status, headers, body = server.get(doc, {"Accept-Encoding": "gzip, br"})
    assert status == 200 and headers["content-encoding"] == "br"
    assert brotli.decompress(body) == original


def _search_index(server) -> Path:
    pagefind = server.root / "pagefind"
    if not pagefind.is_dir():
        pytest.skip("这个版本没有 pagefind/（搜索未启用）")
    return pagefind


def test_pagefind_chunks_are_cached_long_and_its_loader_short(server):
    chunk = sorted(_search_index(server).glob("fragment/*.pf_fragment"))[0]
    for accept in ({}, {"Accept-Encoding": "gzip"}):
        _, headers, _ = server.get("/" + str(chunk.relative_to(server.root)), accept)
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        assert headers["content-type"] == "application/octet-stream"
    _, headers, _ = server.get("/pagefind/pagefind.js")
    assert headers["cache-control"] == "public, max-age=3600"


def _decode(encoding, body: bytes) -> bytes:
    return {"gzip": gzip.decompress, "br": brotli.decompress, None: bytes}[encoding](body)


@pytest.mark.parametrize("encoding", ["br", "gzip", None])
def test_search_index_is_sent_compressed_and_arrives_as_pagefind_reads_it(server, encoding):
    """make publish stores Pagefind's files decompressed with .gz/.br companions
    (Pagefind's own gzip is weak): the browser gets them brotli- or gzip-encoded and
    decodes them to bytes starting with pagefind_dcd, which pagefind.js takes as they
    are; a client that accepts no encoding gets those bytes directly."""
    if encoding == "br" and not publish_mod.BROTLI_MODULE.is_file():
        pytest.skip("未安装 libnginx-mod-http-brotli-static")
    pagefind = _search_index(server)
    files = [sorted(pagefind.glob(pattern))[0] for pattern in
             ("*.pf_meta", "wasm.*.pagefind", "fragment/*.pf_fragment", "index/*.pf_index")]
    for file in files:
        status, headers, body = server.get("/" + str(file.relative_to(server.root)),
                                           {"Accept-Encoding": encoding} if encoding else {})
        assert status == 200, file
        assert headers.get("content-encoding") == encoding, file
        assert headers["vary"] == "Accept-Encoding"
        assert headers["content-type"] == "application/octet-stream"
        assert headers["cache-control"] == ("public, max-age=3600" if file.suffix == ".pagefind"
                                            else "public, max-age=31536000, immutable"), file
        plain = _decode(encoding, body)
        assert plain.startswith(b"pagefind_dcd") and plain == file.read_bytes(), file
        if encoding:
            assert len(body) < len(plain)


def test_search_through_nginx_finds_a_real_document(server, browser):
    """The search page in Chromium, through nginx with its precompressed search
    index: a query from tests/relevance.yaml finds its document, and Pagefind's
    files arrived compressed (br where nginx has the module, else gzip)."""
    _search_index(server)
    import yaml
    cases = yaml.safe_load((Path(__file__).parent / "relevance.yaml").read_text(encoding="utf-8"))["queries"]
    case = next(c for c in cases if c["q"] == "工伤保险费率")
    want = f"/xxgk/{case['top5'][0].replace('/', '-')}/"
    encoding = "br" if publish_mod.BROTLI_MODULE.is_file() else "gzip"
    context = browser.new_context()
    try:
        page = context.new_page()
        received = {}
        page.on("response", lambda r: received.__setitem__(urlsplit(r.url).path, r.headers.get("content-encoding"))
                if "/pagefind" in r.url else None)
        page.goto(f"{server.base}/search/?q={quote(case['q'])}", wait_until="networkidle")
        page.wait_for_function("""() => /^找到/.test(document.querySelector('#gk-search-status').textContent)
                                         && document.querySelectorAll('#gk-search-results li').length > 0""")
        links = [urlsplit(a.get_attribute("href")).path
                 for a in page.query_selector_all("#gk-search-results .gk-result__link")]
    finally:
        context.close()
    assert want in links[:5], links
    chunks = {path: enc for path, enc in received.items() if re.search(r"\.(pf_\w+|pagefind)$", path)}
    assert any(p.endswith(".pf_meta") for p in chunks) and any("/fragment/" in p for p in chunks), received
    suffix = {"br": ".br", "gzip": ".gz"}[encoding]
    # Each came compressed, but for the few files too small to gain (MIN_COMPRESS_SIZE).
    assert chunks == {path: encoding if (server.root / (path.lstrip("/") + suffix)).is_file() else None
                      for path in chunks}
    assert list(chunks.values()).count(encoding) > len(chunks) / 2


def test_no_inline_script_style_or_handler_in_any_page(server):
    problems = []
    for page in sorted(server.root.rglob("*.html")):
        if "files" in page.relative_to(server.root).parts:
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        rel = page.relative_to(server.root)
        for script in soup.find_all("script"):
            if not script.get("src") and script.get("type") not in ("application/json", "application/ld+json"):
                problems.append(f"{rel}: inline <script>")
        if soup.find("style"):
            problems.append(f"{rel}: <style> element")
        for tag in soup.find_all(True):
            for attr, value in tag.attrs.items():
                if attr.lower().startswith("on"):
                    problems.append(f"{rel}: {tag.name} {attr}=")
                if attr.lower() == "style":
                    problems.append(f"{rel}: {tag.name} style=")
                if isinstance(value, str) and value.strip().lower().startswith("javascript:"):
                    problems.append(f"{rel}: {tag.name} {attr}=javascript:")
    assert not problems, "\n".join(problems[:20])


def _pages(server) -> list[str]:
    pages = ["/", first_document(server.root), "/no/such/page/"]
    listing = sorted(p for p in server.root.glob("*/index.html")
                     if p.parent.name not in ("xxgk", "search", "files", "feeds", "theme", "pagefind"))
    if listing:
        pages.append(f"/{listing[0].parent.name}/")
    if (server.root / "search" / "index.html").is_file():
        pages.append("/search/?q=" + "国务院")
    return pages


def test_pages_work_in_chromium_with_the_policy_enforced(server, browser):
    context = browser.new_context()
    # Registered before any page script runs (CDP, not subject to the page's CSP).
    context.add_init_script("""
        window.__gkViolations = [];
        document.addEventListener('securitypolicyviolation', e => window.__gkViolations.push(
            e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '')));
    """)
    failures = []
    try:
        for path in _pages(server):
            page = context.new_page()
            errors = []
            page.on("console", lambda m, errors=errors: errors.append(f"console {m.type}: {m.text}")
                    if m.type == "error" and ("Content Security Policy" in m.text or "Refused" in m.text)
                    else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(f"page error: {e}"))
            page.on("response", lambda r, errors=errors, path=path: errors.append(
                f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith(path) else None)
            response = page.goto(server.base + path, wait_until="networkidle")
            expected = 404 if path.startswith("/no/") else 200
            if response.status != expected:
                errors.append(f"status {response.status}")
            search = page.locator("input[type=search]")
            if path.startswith("/search/") and search.count():
                search.first.fill("政府信息公开")
                search.first.press("Enter")
                try:   # the search has fetched what it needs once its status is final
                    page.wait_for_function("""() => { const t = document.querySelector('#gk-search-status').textContent;
                                                      return t && t !== '正在搜索……'; }""")
                except PlaywrightTimeout:
                    errors.append("the search never finished")
            errors += [f"violation: {v}" for v in page.evaluate("window.__gkViolations")]
            problems = list(errors)       # before the probe below, whose refusal is expected
            # The policy really is in force: an inline script must be refused.
            if page.evaluate("""() => { const s = document.createElement('script');
                    s.textContent = 'window.__gkInline = 1'; document.head.appendChild(s);
                    return window.__gkInline === 1; }"""):
                problems.append("inline script ran: the policy is not enforced")
            if problems:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"nginx-csp{path.replace('/', '_')[:60]}.png"))
                failures += [f"{path}: {e}" for e in problems]
            page.close()
    finally:
        context.close()
    assert not failures, "\n".join(failures)
