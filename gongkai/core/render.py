"""Markdown body -> HTML, cleaned once with an allowlist (nh3). Nothing else
in the site is marked safe: templates escape every other value."""
from __future__ import annotations

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "blockquote", "pre", "code", "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "abbr",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col", "figure", "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "col": {"span"}, "colgroup": {"span"},
    "ol": {"start"}, "abbr": {"title"},
}
# No javascript:, no data: — relative URLs, the web and mail only.
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def clean(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


_MARKDOWN: dict = {}


def _markdown(conf: dict) -> markdown.Markdown:
    """One Markdown instance per configuration, reset between documents:
    building it (loading extensions) costs more than converting a page."""
    key = repr(sorted(conf.get("extension_configs", {}).items())) + conf.get("output_format", "html5")
    if key not in _MARKDOWN:
        _MARKDOWN[key] = markdown.Markdown(
            extensions=list(conf.get("extension_configs", {}).keys()) or ["markdown.extensions.extra"],
            extension_configs=conf.get("extension_configs", {}),
            output_format=conf.get("output_format", "html5"))
    return _MARKDOWN[key]


def render(body: str, markdown_settings: dict | None = None) -> str:
    md = _markdown(markdown_settings or {})
    try:
        return clean(md.convert(body))
    finally:
        md.reset()
