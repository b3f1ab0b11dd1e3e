"""相关信息 (plugins/related, gongkai/related.py) and the search-index build
step (plugins/search_index)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from gongkai.core.model import Document
from gongkai.core.related import related

SEED = "xxgk/11230129MB1848123X-2018-00010/"


def doc(title, body, topic="综合政务/政务公开", validity="valid", n=[0]):
    n[0] += 1
    meta = {"title": title, "topic": topic, "validity": validity, "date": date(2020, 1, 1),
            "index_no": f"11230129MB1848123X/2020-{n[0]:05d}"}
    return Document(path=f"content/policy/{n[0]}.md", type="policy", raw={}, meta=meta, body=body, body_line=1)


def corpus():
    return [
        doc("关于优化营商环境的通知", "进一步优化营商环境，深化放管服改革，降低企业成本。"),
        doc("营商环境评价办法", "建立营商环境评价制度，放管服改革成效纳入考核。"),
        doc("关于营商环境的旧规定", "营商环境 放管服改革 旧规定。", validity="repealed"),
        doc("水土保持工作五项措施", "加强水土保持，治理水土流失，保护生态环境。", topic="农业、林业、水利/水利"),
        doc("水土流失治理方案", "水土流失综合治理，水土保持监测。", topic="农业、林业、水利/水利"),
        doc("节假日安排", "元旦、春节放假安排。", topic="综合政务/其他"),
    ]


def test_related_by_shared_terms_never_itself_and_no_repealed():
    docs = corpus()
    picks = related(docs)
    assert 0 not in picks[0] and picks[0][0] == 1           # the other 营商环境 document first
    assert 2 not in picks[0]                                # repealed one left out: others exist
    assert picks[3][0] == 4 and picks[4][0] == 3            # 水土 pair find each other
    assert all(i not in p for i, p in enumerate(picks))
    assert all(len(p) <= 5 for p in picks)


def test_repealed_only_when_nothing_else():
    docs = [doc("营商环境甲", "营商环境 放管服"), doc("营商环境乙", "营商环境 放管服", validity="repealed"),
            doc("无关", "春节放假。", topic="农业、林业、水利/水利"), doc("又一个无关", "元旦放假。", topic="农业、林业、水利/水利")]
    picks = related(docs)
    assert picks[0] == [1]


def test_seed_page_lists_related_items(page):
    soup = page(SEED)
    section = soup.select_one("section.gk-related-auto")
    assert section is not None and section.h2.get_text(strip=True) == "相关信息"
    links = [a["href"] for a in section.select("a")]
    assert 1 <= len(links) <= 5
    assert not any(h.endswith("11230129MB1848123X-2018-00010/") for h in links)
    assert section.get("data-pagefind-ignore") is not None


def test_every_document_page_has_related_items(site):
    pages = list((site / "xxgk").glob("*-*-*/index.html"))
    with_related = [p for p in pages if 'class="gk-related-auto"' in p.read_text(encoding="utf-8")]
    assert len(with_related) == len(pages) > 30


def test_non_extended_pagefind_fails_the_build(tmp_path):
    sys.path.insert(0, str(__import__("conftest").ROOT / "plugins"))
    from search_index import SearchIndexError, run_pagefind
    fake = [sys.executable, "-c", "print('Running Pagefind v1.5.2'); "
            "print('Note: Pagefind is running in non-extended mode; Chinese needs the extended version')"]
    with pytest.raises(SearchIndexError) as err:
        run_pagefind(tmp_path, fake)
    assert str(err.value).startswith("搜索索引构建失败：Pagefind 不是扩展版（extended）")
    failing = [sys.executable, "-c", "import sys; print('Running Pagefind v1.5.2 (Extended)'); sys.exit(3)"]
    with pytest.raises(SearchIndexError, match="Pagefind 退出码 3"):
        run_pagefind(tmp_path, failing)
    missing = ["/nonexistent/pagefind"]
    with pytest.raises(SearchIndexError, match="找不到 Pagefind"):
        run_pagefind(tmp_path, missing)


def test_search_work_goes_beside_the_output_when_memory_is_short(tmp_path, monkeypatch):
    """The records and bundles are made in /dev/shm only when it has room
    (Docker gives it 64 MB); otherwise beside the output, on its disk."""
    sys.path.insert(0, str(__import__("conftest").ROOT / "plugins"))
    from gongkai.build.speed import searchindex as search_index
    output = tmp_path / "output"
    monkeypatch.setattr(search_index, "SHM_NEEDED", 1 << 62)
    assert search_index.work_root(output) == tmp_path
    monkeypatch.setattr(search_index, "SHM_NEEDED", 1)
    assert search_index.work_root(output) in (Path("/dev/shm"), tmp_path)
