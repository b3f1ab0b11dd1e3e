"""Measure search (issue 4). Prints figures, asserts nothing.

    python scripts/bench_search.py --site output --content content
    python scripts/bench_search.py --site DIR --content DIR --skip-relevance

For a built site (--site, which must hold pagefind/) and its content tree:
  * Pagefind index: size on disk and file count over every bundle (a large
    site is indexed in parts);
  * staff search and 相关信息 (whoosh / TF-IDF over --content): build time, peak memory;
  * for a fixed set of typical queries, in headless Chromium served from
    127.0.0.1 in the form `make publish` gives the site (Pagefind's files
    decompressed, .br/.gz companions sent as nginx sends them, on kept-open
    connections without Nagle's delay, as nginx's defaults do): bytes sent
    and time to first result, cold (empty cache, new browser context) and
    warm (same context, page reloaded), median and worst;
  * over tests/relevance.yaml (only meaningful on the real site), for the
    public search (Chromium) and the staff search (whoosh): recall@5, MRR,
    zero-result rate, confident wrong answers, and the share of
    should-find-nothing queries answered honestly.
"""
from __future__ import annotations

import argparse
import email.utils
import gzip
import http.server
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from gongkai.core.settings import ROOT

CHROMIUM = "/usr/bin/chromium"
# Typical queries: rare and common words, a phrase, names, a 发文字号, an 索引号, one character.
QUERIES = ["营商环境", "通知", "养老保险", "县财政局", "三公经费", "政府信息公开", "国发〔2019〕5号",
           "国办发[2018]123号", "竣工验收", "桥", "水土保持", "11230129MB1848123X/2018-00010"]

# The search page's bundles (data-bundles: one, or one per part on a large site;
# plugins/search_index), opened as the page opens them.
JS_RUN = """async ([q, sort, filters]) => {
  const t0 = performance.now();
  const core = await import('/theme/js/gk-search-core.js');
  const bundles = core.pageBundles();
  const terms = document.getElementById('gk-search').dataset.terms;
  const [pf] = await Promise.all([import(bundles[0] + 'pagefind.js'), terms ? core.loadTerms(terms) : null]);
  await core.openPagefind(pf, bundles);
  const found = await core.runSearch(pf, q, { sort: sort || 'relevance', filters: filters || {} });
  const shown = [...found.results, ...(found.partial || [])];
  const first = shown.length ? await shown[0].data() : null;
  const ms = performance.now() - t0;
  const top = await Promise.all(shown.slice(0, 5).map((r) => r.data()));
  return { ms, total: found.total, partial: (found.partial || []).length, urls: top.map((d) => d.url),
           first: first && first.url };
}"""


# The engine alone (no keys, phrase-first or relaxed fallback): to compare Pagefind builds.
JS_RAW = """async ([q]) => {
  const core = await import('/theme/js/gk-search-core.js');
  const bundles = core.pageBundles();
  const pf = await import(bundles[0] + 'pagefind.js');
  await core.openPagefind(pf, bundles);
  const found = await pf.search(q);
  const top = await Promise.all(found.results.slice(0, 5).map((r) => r.data()));
  return { urls: top.map((d) => d.url) };
}"""


class PublishedSite:
    """The built site as `make publish` stores it, made file by file as the browser
    asks: each file copied into a temporary folder and passed through
    gongkai.commands.publish.compress_file, the function publish itself runs
    (Pagefind's files decompressed, .gz/.br beside each text file)."""

    def __init__(self, site: Path, folder: Path):
        self.site, self.folder = site, folder
        self.quality = int(os.environ.get("GONGKAI_BROTLI_QUALITY", "9"))
        self.made: set = set()
        self.lock = threading.Lock()

    def path(self, rel: str) -> Path | None:
        """rel's published form (None when the site has no such file)."""
        from gongkai.commands.publish import COMPRESSIBLE, compress_file
        source = self.site / rel
        if not source.is_file() or ".." in Path(rel).parts:
            return None
        target = self.folder / rel
        with self.lock:
            if rel not in self.made:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                if target.suffix.lower() in COMPRESSIBLE:
                    compress_file(target, None, self.quality)
                self.made.add(rel)
        return target


class _Counting(http.server.SimpleHTTPRequestHandler):
    """Serves a PublishedSite as nginx does (brotli_static, gzip_static: the .br or
    .gz companion when the request accepts that encoding) and counts the bytes of
    each response body sent (`sent`) and of the same files as the build wrote them
    (`built`, what a server without precompression would send)."""
    published: PublishedSite
    # As nginx sends by default: connections kept open, no Nagle delay (with it,
    # a response written as headers then body waits on the client's delayed ACK,
    # adding tens of ms to every file).
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    sent = 0
    built = 0
    counted = threading.Lock()

    def log_message(self, *args):
        pass

    def do_GET(self):
        rel = unquote(urlsplit(self.path).path).lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        path = self.published.path(rel)
        if path is None:
            self.send_error(404)
            return
        accepted = {part.split(";")[0].strip() for part in self.headers.get("Accept-Encoding", "").split(",")}
        body, encoding = path, None
        for name, suffix in (("br", ".br"), ("gzip", ".gz")):
            companion = path.with_name(path.name + suffix)
            if name in accepted and companion.is_file():
                body, encoding = companion, name
                break
        mtime = int(path.stat().st_mtime)
        if self._unchanged_since(mtime):   # a reload revalidates what it holds, as with nginx
            self.send_response(304)
            self.end_headers()
            return
        data = body.read_bytes()
        as_built = (self.published.site / rel).stat().st_size
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Last-Modified", self.date_time_string(mtime))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        # Counted before it is sent: whoever reads the counters after the response
        # arrived must find it there. Handler threads add at once: under the lock.
        cls = type(self)
        with cls.counted:
            cls.sent += len(data)
            cls.built += as_built
        self.wfile.write(data)


    def _unchanged_since(self, mtime: int) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since or "If-None-Match" in self.headers:
            return False
        try:
            return email.utils.parsedate_to_datetime(since).timestamp() >= mtime
        except (TypeError, ValueError, IndexError, OverflowError):
            return False


@contextmanager
def serve(site: Path):
    """The site's published form on 127.0.0.1 (see _Counting): (handler class with
    the counters, base URL)."""
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as folder:
        handler_cls = type("Counting", (_Counting,), {"sent": 0, "built": 0, "counted": threading.Lock(),
                                                      "published": PublishedSite(site, Path(folder))})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield handler_cls, f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


def bundle_pages(bundle: Path) -> list:
    """The page files (paths under the site) a Pagefind bundle holds, from its fragments."""
    pages = []
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        url = json.loads(gzip.decompress(fragment.read_bytes())[12:])["url"].lstrip("/")
        pages.append(url + "index.html" if not url or url.endswith("/") else url)
    return pages


def dir_size(path: Path) -> tuple:
    files = [f for f in path.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files), len(files)


def percentile_report(values, unit: str, fmt="{:.0f}") -> str:
    if not values:
        return "—"
    return f"中位数 {fmt.format(statistics.median(values))} {unit}，最差 {fmt.format(max(values))} {unit}"


def browser_runs(site: Path, queries, repeat_warm: bool = True):
    """[(query, cold_ms, cold_bytes, warm_ms, warm_bytes, total, urls, cold_built)] measured in
    Chromium against the site's published form (serve): cold_bytes are the bytes sent as a
    published site sends them (precompressed), cold_built the same files as the build wrote them.
    The queries are run once first, unmeasured, so that no measured one waits for a file
    being compressed."""
    from playwright.sync_api import sync_playwright
    rows = []
    with serve(site) as (counter, base), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for measured in (False, True):
            for q in queries:
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/search/")
                page.wait_for_load_state("networkidle")
                with counter.counted:
                    counter.sent = counter.built = 0
                cold = page.evaluate(JS_RUN, [q, None, None])
                cold_bytes, cold_built = counter.sent, counter.built
                warm, warm_bytes = cold, cold_bytes
                if repeat_warm and measured:
                    page.reload()
                    page.wait_for_load_state("networkidle")
                    with counter.counted:
                        counter.sent = 0
                    warm = page.evaluate(JS_RUN, [q, None, None])
                    warm_bytes = counter.sent
                if measured:
                    rows.append((q, cold["ms"], cold_bytes, warm["ms"], warm_bytes, cold["total"], cold["urls"],
                                 cold_built))
                context.close()
        browser.close()
    return rows


def _want(case) -> list:
    return [f"/xxgk/{ix.replace('/', '-')}/" for ix in case["top5"]]


def score_case(case, urls: list, full: int) -> dict:
    """One query's outcome. urls: what is shown, in order (full matches first,
    then partial ones); full: how many the search claims as full matches.
    Answerable: hit (every expected document, or one with any: true, in the
    first five; first: true also wants it first), reciprocal rank of the first
    expected document, zero (nothing shown), confident_wrong (a miss although
    full matches were claimed). Should-find-nothing: honest when no full match
    is claimed."""
    if case["kind"] == "nothing":
        return {"nothing": True, "honest": full == 0}
    want = _want(case)
    top = urls[:5]
    hit = any(w in top for w in want) if case.get("any") else all(w in top for w in want)
    if case.get("first"):
        hit = hit and top[:1] == want[:1]
    ranks = [urls.index(w) + 1 for w in want if w in urls]
    return {"nothing": False, "hit": hit, "rr": 1 / min(ranks) if ranks else 0.0, "zero": not urls,
            "confident_wrong": not hit and full > 0}


def summary(outcomes: list) -> dict:
    """recall@5, MRR, zero-result rate and confident wrong answers over the
    answerable queries; honest share over the should-find-nothing ones;
    score = (hits - confident wrong answers - dishonest nothings) / queries."""
    answerable = [o for o in outcomes if not o["nothing"]]
    nothing = [o for o in outcomes if o["nothing"]]
    n = len(answerable) or 1
    hits = sum(o["hit"] for o in answerable)
    wrong = sum(o["confident_wrong"] for o in answerable)
    honest = sum(o["honest"] for o in nothing)
    return {"recall5": hits / n, "mrr": sum(o["rr"] for o in answerable) / n,
            "zero": sum(o["zero"] for o in answerable) / n, "wrong": wrong,
            "honest": honest / (len(nothing) or 1), "nothing": len(nothing), "answerable": len(answerable),
            "score": (hits + honest - wrong - (len(nothing) - honest)) / (len(outcomes) or 1)}


def relevance(site: Path, cases_file: Path, raw: bool = False):
    """The public search over the relevance set, in Chromium: (summary, misses)."""
    cases = yaml.safe_load(cases_file.read_text(encoding="utf-8"))["queries"]
    from playwright.sync_api import sync_playwright
    outcomes, misses = [], []
    with serve(site) as (_counter, base), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(f"{base}/search/")
        for case in cases:
            got = page.evaluate(JS_RAW if raw else JS_RUN, [case["q"], None, None])
            full = len(got["urls"]) if raw else got["total"]
            one = score_case(case, got["urls"], full)
            outcomes.append(one)
            if not one.get("hit", one.get("honest")):
                misses.append((case["q"], _want(case), got["urls"]))
        browser.close()
    return summary(outcomes), misses


def staff_relevance(content: Path, cases_file: Path):
    """The staff search (make search) over the same set: (summary, misses)."""
    from gongkai.commands import staffsearch
    from gongkai.core.corpus import read_tree
    cases = yaml.safe_load(cases_file.read_text(encoding="utf-8"))["queries"]
    docs = [d for d in read_tree(content) if d.type]
    url_of = {d.path: f"/xxgk/{str(d.meta.get('index_no') or '').replace('/', '-')}/" for d in docs}
    ix = staffsearch.build_index(docs)
    outcomes, misses = [], []
    for case in cases:
        try:
            hits, _total = staffsearch.search(case["q"], ix=ix, limit=10, content_root=content)
        except staffsearch.QueryError:
            hits = []
        urls = [url_of.get(h.path, h.path) for h in hits]
        one = score_case(case, urls, sum(not h.partial for h in hits))
        outcomes.append(one)
        if not one.get("hit", one.get("honest")):
            misses.append((case["q"], _want(case), urls[:5]))
    return summary(outcomes), misses


def report_relevance(name: str, result: dict) -> str:
    return (f"{name}：recall@5 {result['recall5']:.2f}，MRR {result['mrr']:.2f}，"
            f"零结果率 {result['zero']:.2f}，自信的错误答案 {result['wrong']} 个，"
            f"应无结果的查询如实回答 {result['honest']:.2f}（{result['nothing']} 个），"
            f"综合得分 {result['score']:.2f}（{result['answerable']} 个可回答的查询）")


def staff_index(content: Path):
    from gongkai.commands import staffsearch
    from gongkai.core import related
    from gongkai.core.corpus import read_tree
    t0 = time.perf_counter()
    docs = [d for d in read_tree(content) if d.type]
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    ix = staffsearch.build_index(docs)
    t_whoosh = time.perf_counter() - t0
    typed = [d for d in docs if d.type != "page"]
    t0 = time.perf_counter()
    related.related(typed)
    t_related = time.perf_counter() - t0
    # Each query on a fresh searcher (make search opens the index anew each time).
    query_ms = []
    for q in QUERIES:
        t0 = time.perf_counter()
        staffsearch.search(q, ix=ix, limit=20, content_root=content)
        query_ms.append((time.perf_counter() - t0) * 1000)
    return len(docs), t_read, t_whoosh, t_related, query_ms


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="测量搜索：索引大小、查询流量与首个结果时间、相关度（只打印数字）。")
    ap.add_argument("--site", default=str(ROOT / "output"), help="已构建的网站目录（含 pagefind/）")
    ap.add_argument("--content", default=str(ROOT / "content"), help="内容目录（员工搜索与相关信息）")
    ap.add_argument("--relevance", default=str(ROOT / "tests" / "relevance.yaml"))
    ap.add_argument("--skip-relevance", action="store_true", help="不计算相关度（合成语料上没有意义）")
    ap.add_argument("--pagefind", default=f"{sys.executable} -m pagefind", help="Pagefind 命令")
    args = ap.parse_args(argv)
    site, content = Path(args.site), Path(args.content)
    if not (site / "pagefind").is_dir():
        print(f"{site}/pagefind 不存在：请先构建网站（make html）", file=sys.stderr)
        return 2

    print(f"== 搜索测量：{site}")
    bundles = sorted(site.glob("pagefind*/pagefind-entry.json"), key=lambda e: (len(e.parent.name), e.parent.name))
    parts = len(bundles)
    size = count = indexed = 0
    for entry in bundles:
        s_, c_ = dir_size(entry.parent)
        size, count = size + s_, count + c_
        pages = json.loads(entry.read_text())
        indexed += sum(v.get("page_count", 0) for v in pages.get("languages", {}).values())
    print(f"Pagefind 索引：{indexed} 个页面，{parts} 部分，{size / 1024 / 1024:.1f} MB，{count} 个文件"
          f"（pagefind {pages.get('version')}）")

    n, t_read, t_whoosh, t_related, query_ms = staff_index(content)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"员工搜索（whoosh，内存索引）：{n} 个文件，读取 {t_read:.1f} 秒，建索引 {t_whoosh:.1f} 秒；"
          f"相关信息 {t_related:.1f} 秒；本进程峰值内存 {peak:.0f} MB")
    print("员工搜索每个查询（同一组查询）：" + percentile_report(query_ms, "ms"))

    rows = browser_runs(site, QUERIES)
    print("\n查询（Chromium，127.0.0.1，make publish 发布的形式）  冷：毫秒  发送字节（构建原样）  热：毫秒  字节  完全符合")
    for q, cms, cb, wms, wb, total, _urls, built in rows:
        print(f"  {q:<34}{cms:8.0f} {cb / 1024:7.0f} KB ({built / 1024:4.0f} KB) {wms:8.0f} {wb / 1024:6.0f} KB {total:6d}")
    print("冷查询时间：" + percentile_report([r[1] for r in rows], "ms"))
    print("冷查询流量：" + percentile_report([r[2] / 1024 for r in rows], "KB")
          + "（实际发送：make publish 的发布形式，按 Accept-Encoding 发送 .br/.gz，与 nginx 相同）；构建原样、不压缩发送时 "
          + percentile_report([r[7] / 1024 for r in rows], "KB"))
    print("热查询时间：" + percentile_report([r[3] for r in rows], "ms"))
    print("热查询流量：" + percentile_report([r[4] / 1024 for r in rows], "KB"))

    if not args.skip_relevance and Path(args.relevance).is_file():
        cases = Path(args.relevance)
        public, misses = relevance(site, cases)
        print(f"\n相关度（{cases.name}）")
        print(report_relevance("公众搜索", public))
        for q, want, got in misses:
            print(f"  未命中：{q!r} 应含 {want}，前 5 为 {got}")
        staff, staff_misses = staff_relevance(content, cases)
        print(report_relevance("员工搜索", staff))
        for q, want, got in staff_misses:
            print(f"  未命中：{q!r} 应含 {want}，前 5 为 {got}")
        print(f"员工搜索与公众搜索的 recall@5 相差 {staff['recall5'] - public['recall5']:+.2f}（目标：差距不超过 0.05）")
        raw, _misses = relevance(site, cases, raw=True)
        print(f"只用 Pagefind 本身（不折叠繁体、同义词和拼音，不核对结果）：recall@5 {raw['recall5']:.2f}，"
              f"应无结果的查询如实回答 {raw['honest']:.2f}")
    return 0


