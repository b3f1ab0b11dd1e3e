"""The contract between the build's parts (gongkai/build/contract.py): checked
when the build starts, enforced while it runs, and documented in
docs/development.md."""
from __future__ import annotations

import importlib
import re
import sys

import pytest

from conftest import ASOF, ROOT, run_script
from gongkai.build.contract import DOCUMENT_FACTS, SITE_FACTS, Facts, FactMissing, check_plugins

sys.path.insert(0, str(ROOT / "plugins"))
import pelicanconf  # noqa: E402

DOCS = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")


def plugins(names):
    return [importlib.import_module(n) for n in names]


def build_with(tmp_path, plugin_list, plugin_paths=None):
    settings = tmp_path / "conf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                        f"PLUGIN_PATHS = {plugin_paths or [str(ROOT / 'plugins')]!r}\nPLUGINS = {plugin_list!r}\n",
                        encoding="utf-8")
    out = tmp_path / "output"
    result = run_script("build.py", "--settings", settings, "--content", ROOT / "content", "--output", out,
                        "--no-reuse", env={"ASOF": ASOF})
    return result, out


def failure_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("构建失败：")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_the_sites_plugins_keep_the_contract():
    providers = check_plugins(plugins(pelicanconf.PLUGINS))
    assert set(providers) == set(DOCUMENT_FACTS) | set(SITE_FACTS)


def test_a_plugin_before_its_provider_stops_the_build(tmp_path):
    order = list(pelicanconf.PLUGINS)
    order.remove("listings")
    order.insert(order.index("solicitations"), "listings")
    result, out = build_with(tmp_path, order)
    assert result.returncode == 1
    assert failure_line(result) == ("构建失败：插件 listings 需要页面数据 solicitations_url，但提供它的插件 solicitations 排在后面；"
                                    "请调整 pelicanconf.py 中 PLUGINS 的顺序")
    assert not out.exists()


def test_a_missing_provider_stops_the_build(tmp_path):
    result, _out = build_with(tmp_path, [p for p in pelicanconf.PLUGINS if p != "git_history"])
    assert result.returncode == 1
    assert failure_line(result) == "构建失败：页面数据 history 没有插件提供；请检查 pelicanconf.py 中的 PLUGINS"


def test_a_plugin_that_declares_nothing_stops_the_build(tmp_path):
    extra = tmp_path / "extra"
    (extra / "word_count").mkdir(parents=True)
    (extra / "word_count" / "__init__.py").write_text(
        "def register():\n    pass\n", encoding="utf-8")
    result, _out = build_with(tmp_path, [*pelicanconf.PLUGINS, "word_count"],
                              [str(ROOT / "plugins"), str(extra)])
    assert result.returncode == 1
    assert failure_line(result) == "构建失败：插件 word_count 没有声明 NEEDS 和 PROVIDES（见 gongkai/build/contract.py）"


def test_the_reader_must_come_first(tmp_path):
    order = ["validation", "gongkai_reader", *[p for p in pelicanconf.PLUGINS if p not in ("validation", "gongkai_reader")]]
    result, _out = build_with(tmp_path, order)
    assert failure_line(result) == "构建失败：插件 gongkai_reader 必须排在 PLUGINS 的第一位"


def test_a_fact_read_before_it_is_set_is_loud_not_empty():
    facts = Facts()
    with pytest.raises(FactMissing, match="页面数据 related_auto 还没有提供：应由插件 related 提供"):
        facts.related_auto
    assert not isinstance(FactMissing("x"), AttributeError)   # Jinja would turn an AttributeError into ""
    with pytest.raises(AttributeError):
        facts.not_a_fact = 1                                  # undeclared facts cannot be set


def test_every_plugins_contract_is_documented():
    rows = {m[1]: (m[2], m[3]) for m in re.finditer(r"^\| `(\w+)` \| ([^|]*) \| ([^|]*) \| [^|]*\|$", DOCS, re.M)}
    for module in plugins(pelicanconf.PLUGINS):
        name = module.__name__
        assert name in rows, f"docs/development.md 没有插件 {name} 的契约"
        needs, provides = (set(re.findall(r"`(\w+)`", cell)) for cell in rows[name])
        assert needs == set(module.NEEDS), name
        assert provides == set(module.PROVIDES), name
    for fact in [*DOCUMENT_FACTS, *SITE_FACTS]:
        assert f"`{fact}`" in DOCS, fact
    assert [name for name in rows if name in {p.name for p in (ROOT / "plugins").iterdir()}] == list(pelicanconf.PLUGINS)
