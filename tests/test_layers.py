"""The house reads as its layers, one folder each, no arrow back up:

    scripts/ → gongkai/commands/ → gongkai/build/ (+ plugins/) → gongkai/core/

core imports neither Pelican, Jinja nor anything above it, and has no import
cycle (imports inside functions included, which once hid one); plugins never
import each other (they talk through gongkai/build/contract.py)."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PLUGINS = {p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").is_file()}


def modules(folder: Path) -> dict:
    """{dotted module name: set of imported module names} for every .py under folder."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
                imported |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level:
                imported.add("<relative>")
        found[name] = imported
    return found


def offending(found: dict, forbidden) -> list:
    return sorted((mod, imp) for mod, imports in found.items() for imp in imports
                  if any(imp == f or imp.startswith(f + ".") for f in forbidden))


def test_core_imports_nothing_above_it():
    core = modules(ROOT / "gongkai" / "core")
    assert offending(core, ["pelican", "jinja2", "blinker", "gongkai.build", "gongkai.commands", "<relative>",
                            *PLUGINS]) == []


def test_core_has_no_import_cycle():
    core = modules(ROOT / "gongkai" / "core")
    edges = {mod: {imp for imp in imports if imp in core and imp != mod} for mod, imports in core.items()}
    state: dict = {}

    def visit(mod, trail):
        if state.get(mod) == "open":
            raise AssertionError("import cycle: " + " → ".join(trail[trail.index(mod):] + [mod]))
        if state.get(mod) == "done":
            return
        state[mod] = "open"
        for dep in sorted(edges[mod]):
            visit(dep, trail + [mod])
        state[mod] = "done"

    for mod in sorted(edges):
        visit(mod, [])


def test_build_imports_neither_commands_nor_plugins():
    assert offending(modules(ROOT / "gongkai" / "build"), ["gongkai.commands", *PLUGINS]) == []


def test_plugins_import_no_other_plugin_and_no_command():
    for plugin in sorted(PLUGINS):
        found = modules(ROOT / "plugins" / plugin)
        assert offending(found, ["gongkai.commands", *(PLUGINS - {plugin})]) == [], plugin


def test_commands_import_no_plugin():
    assert offending(modules(ROOT / "gongkai" / "commands"), list(PLUGINS)) == []


def test_scripts_are_thin_wrappers_over_commands():
    for path in sorted((ROOT / "scripts").glob("*.py")):
        if path.name == "_venv.py":
            continue
        ours = {imp for imp in modules(ROOT / "scripts")[f"scripts.{path.stem}"] if imp.startswith("gongkai")}
        assert ours and all(imp.startswith("gongkai.commands") for imp in ours), (path.name, ours)
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 20, path.name
