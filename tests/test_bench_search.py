"""make bench's search measurement (gongkai/commands/bench_search.py) serves the
site as make publish stores it and counts what it sends: the .br/.gz companion a
request accepts, the plain file otherwise, every byte counted once even when
requests arrive together."""
from __future__ import annotations

import gzip
import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import brotli

from gongkai.commands import bench_search

FRAGMENT = b"pagefind_dcd" + json.dumps({"url": "/xxgk/a/", "content": "营商环境" * 200},
                                        ensure_ascii=False).encode("utf-8")
PACKED = gzip.compress(FRAGMENT, mtime=0)   # as Pagefind writes it: gzip of the signature and the JSON


def _site(tmp_path):
    site = tmp_path / "site"
    (site / "pagefind" / "fragment").mkdir(parents=True)
    (site / "index.html").write_text("<!DOCTYPE html><html><p>" + "政务公开" * 300 + "</p></html>", encoding="utf-8")
    (site / "pagefind" / "fragment" / "zh-cn_1.pf_fragment").write_bytes(PACKED)
    return site


def _get(base, path, accept=None):
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": accept} if accept else {})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Encoding"), resp.read()
    finally:
        conn.close()


def test_the_published_form_is_sent_as_the_request_accepts(tmp_path):
    site = _site(tmp_path)
    chunk = "/pagefind/fragment/zh-cn_1.pf_fragment"
    with bench_search.serve(site) as (counter, base):
        status, encoding, body = _get(base, chunk, "gzip, deflate, br, zstd")
        assert (status, encoding) == (200, "br")
        assert brotli.decompress(body) == FRAGMENT          # decompressed by publish, then brotli
        assert counter.sent == len(body) and counter.built == len(PACKED)
        status, encoding, gz = _get(base, chunk, "gzip")
        assert (status, encoding, gzip.decompress(gz)) == (200, "gzip", FRAGMENT)
        status, encoding, plain = _get(base, chunk)
        assert (status, encoding, plain) == (200, None, FRAGMENT)
        assert counter.sent == len(body) + len(gz) + len(plain)
        assert _get(base, "/no-such-file.html")[0] == 404
    assert (site / "pagefind" / "fragment" / "zh-cn_1.pf_fragment").read_bytes() == PACKED   # the site itself is left alone


def test_bytes_sent_at_once_are_all_counted(tmp_path):
    site = _site(tmp_path)
    with bench_search.serve(site) as (counter, base):
        size = len(_get(base, "/", "br")[2])
        counter.sent = 0
        with ThreadPoolExecutor(8) as pool:
            sizes = list(pool.map(lambda _: len(_get(base, "/", "br")[2]), range(200)))
    assert sizes == [size] * 200
    assert counter.sent == 200 * size
