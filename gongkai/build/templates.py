"""The theme's templates outside Pelican's writer: markup that depends on one
document alone, drawn once when the document is prepared (on every core) and
kept with it, instead of on every build of its page."""
from __future__ import annotations

from pathlib import Path

import jinja2

_THEMES: dict = {}


def theme_macro(settings: dict, template: str, name: str):
    """A macro of the theme, with the same Jinja options as the pages. The
    template is looked up each time, so an edited one is read again (make
    devserver runs many builds in one process)."""
    key = (settings["THEME"], repr(settings.get("JINJA_ENVIRONMENT")))
    if key not in _THEMES:
        # auto_reload: this environment outlives a build (make devserver), an edited template is read again.
        _THEMES[key] = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(settings["THEME"]) / "templates"),
                                          **{**(settings.get("JINJA_ENVIRONMENT") or {}), "auto_reload": True})
    return getattr(_THEMES[key].get_template(template).module, name)


def budget_rows(doc, settings: dict) -> dict:
    """{table anchor: the body rows drawn by components/budget_rows.html} of a
    budget document's tables, drawn once and kept with it (doc.derive)."""
    from gongkai.core import budget
    from gongkai.core.model import named_files
    # The rows follow from the tables' entries and the files they name, as they
    # are now (an edited CSV leaves the document's own file, and so Pelican's
    # cache of it, unchanged): checked by stamps, not by drawing the rows again.
    key = (repr(doc.meta.get("tables")), named_files(doc))
    kept = doc.derived.get("rows_html")
    if kept is None or kept[0] != key:
        views = budget.table_views(doc, budget.load(doc), Path(doc.root))
        draw = theme_macro(settings, "components/budget_rows.html", "budget_rows")
        kept = doc.derive("rows_html", (key, {v.anchor: draw(v.rows) for v in views}))
    return kept[1]
