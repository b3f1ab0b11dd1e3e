"""The site's identity (《政府网站发展指引》, 国办发〔2017〕47号): name, 主办/承办,
网站标识码, ICP and 公安 record numbers, contact details, the 依申请公开 channels and
the 我为政府网站找错 link. One file staff edit, data/site.yaml beside content/;
its fields, titles and which are required are in metadata_schema/site_identity.yaml.

pelicanconf.py loads it into GONGKAI_SITE for the templates (footer, 联系我们,
依申请公开, 政府信息公开指南, each page's gov.cn meta tags); check_identity (a
CORPUS_CHECKS entry) warns for each required item left empty."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import yaml

from gongkai.core import schema
from gongkai.core.fields import schema_problems
from gongkai.core.model import Document, parse_yaml
from gongkai.core.problems import WARNING, Problem

SCHEMA = "site_identity"
FILE = "data/site.yaml"
# Which parts of the identity each fixed page (content/pages/<slug>.md) shows, above its text.
PAGE_SECTIONS = {"contact": ("contact", "apply", "site"), "apply": ("apply",), "guide": ("apply", "contact")}
# Either is a written channel for an application (条例第二十九条: 信件、数据电文).
WRITTEN_CHANNELS = ("apply.email", "apply.form")


def path_for(content_root) -> Path:
    """data/site.yaml beside the content folder."""
    return Path(content_root).resolve().parent / FILE


def _props() -> dict:
    return schema.schema_for(SCHEMA)["properties"]


def _fields(props=None, prefix=""):
    """(dotted name, property) for every leaf field, in schema order."""
    for key, prop in (props or _props()).items():
        if "properties" in prop:
            yield from _fields(prop["properties"], f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", prop


def empty() -> dict:
    """Every field, empty: what the templates get when there is no file."""
    out: dict = {}
    for name, _prop in _fields():
        *groups, key = name.split(".")
        target = out
        for g in groups:
            target = target.setdefault(g, {})
        target[key] = ""
    return out


def _merge(base: dict, data: dict) -> dict:
    for key, value in data.items():
        if isinstance(base.get(key), dict) and isinstance(value, dict):
            _merge(base[key], value)
        elif key in base and not isinstance(base[key], dict):
            base[key] = "" if value is None else str(value).strip()
    return base


def _read(path: Path):
    return parse_yaml(path.read_text(encoding="utf-8"), offset=1)


def load(path) -> dict:
    """The identity as a plain dict of strings (every field present, "" when not given).
    An unreadable file gives the empty identity: make check reports why."""
    path = Path(path)
    out = empty()
    if not path.is_file():
        return out
    try:
        data = _read(path)[0]
    except (yaml.YAMLError, UnicodeDecodeError, ValueError):
        return out
    return _merge(out, data) if isinstance(data, dict) else out


def value(identity: dict, name: str) -> str:
    target = identity
    for part in name.split("."):
        target = target.get(part, "") if isinstance(target, dict) else ""
    return target if isinstance(target, str) else ""


def sections(identity: dict, slug: str) -> list:
    """[(heading, [(label, value, kind)])] for a fixed page: the filled items of the
    parts PAGE_SECTIONS names. kind: text, tel, email or url (how the page links it)."""
    titles = {"contact": "联系方式", "apply": "政府信息公开申请受理渠道", "site": "网站信息"}
    out = []
    for part in PAGE_SECTIONS.get(slug, ()):
        names = ([n for n, _p in _fields() if "." not in n and n not in ("site_name", "county", "domain",
                                                                            "police_record_url", "error_report")]
                 if part == "site" else [n for n, _p in _fields() if n.startswith(part + ".")])
        rows = [(dict(_fields())[n]["title"], value(identity, n), _kind(n)) for n in names if value(identity, n)]
        if rows:
            out.append((titles[part], rows))
    return out


def _kind(name: str) -> str:
    key = name.rsplit(".", 1)[-1]
    return {"phone": "tel", "email": "email", "form": "url"}.get(key, "text")


def required() -> list:
    """The dotted names of the items a site must fill (x-identity-required)."""
    return [n for n, p in _fields() if p.get("x-identity-required")]


def check_identity(docs, index, ctx):
    """CORPUS_CHECKS entry: data/site.yaml against its schema; a warning for each
    required item left empty, and one when no written channel for applications is given.
    Silent when the content folder has no data/site.yaml beside it (a test tree)."""
    path = path_for(ctx["content_root"])
    if not path.is_file():
        return
    rel = f"{path.parent.name}/{path.name}"
    try:
        raw, lines, _dups = _read(path)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        yield Problem(rel, (mark.line + 1) if mark else 1, None, "yaml_syntax",
                      {"detail": (err.problem or err.context or "").strip()})
        return
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as err:
        yield Problem(rel, 1, None, "yaml_syntax", {"detail": str(err)})
        return
    doc = Document(path=rel, type=SCHEMA, raw=raw if isinstance(raw, dict) else {},
                   meta={}, body="", body_line=1, lines=lines)
    yield from schema_problems(doc, ctx["settings"])
    identity = _merge(empty(), doc.raw)
    props = dict(_fields())
    for name in required():
        if not value(identity, name):
            yield Problem(rel, doc.line_of(name), name, "identity_missing",
                          {"title": props[name]["title"], "example": (props[name].get("examples") or ["……"])[0]},
                          WARNING)
    if not any(value(identity, n) for n in WRITTEN_CHANNELS):
        yield Problem(rel, doc.line_of("apply"), "apply", "identity_no_written_channel",
                      {"fields": "、".join(f"{props[n]['title']} ({n})" for n in WRITTEN_CHANNELS)}, WARNING)


# --- what every page's <head> carries (gov.cn content pages) ------------------------

META_NAMES = ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ArticleTitle", "PubDate",
              "ContentSource", "Keywords", "Description")
DESCRIPTION_CHARS = 120


def domain(identity: dict, root: str = "") -> str:
    """The site's domain: data/site.yaml's, else the host of an absolute SITEURL."""
    if identity.get("domain"):
        return identity["domain"]
    return root.split("://", 1)[1].split("/", 1)[0] if "://" in root else ""


def _plain(markdown_text: str) -> str:
    text = re.sub(r"<[^>]+>|[#>*_`|\-]+|\[([^\]]*)\]\([^)]*\)", r" \1", markdown_text or "")
    return re.sub(r"\s+", " ", text).strip()


def _pubdate(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, date) else ""


def page_meta(identity: dict, title_text: str, sitename: str = "", article=None, root: str = "") -> list:
    """[(name, content)] for the gov.cn meta tags of one page. title_text is the
    page's <title> ("标题 - 网站名称"); article a document page's article (or a fixed page)."""
    heading = title_text.rsplit(" - ", 1)[0].strip() if sitename and title_text.endswith(sitename) \
        and title_text != sitename else title_text.strip()
    doc = getattr(article, "doc", None) if article is not None else None
    column, pubdate, source, keywords, description = heading, "", "", "", ""
    if doc is not None:
        meta = doc.meta
        column = doc.type_title
        pubdate = _pubdate(meta.get("date"))
        source = str(meta.get("issuer") or identity.get("owner") or "")
        words = meta.get("keywords") or []
        keywords = ",".join(str(w) for w in words) if isinstance(words, list) else str(words)
        # the opening of the body (a bounded slice: bodies can be long, and this runs for every page)
        description = _plain(meta.get("summary") or "") or _plain((doc.body or "")[:DESCRIPTION_CHARS * 8])[:DESCRIPTION_CHARS]
    values = {"SiteName": identity.get("site_name") or sitename, "SiteDomain": domain(identity, root),
              "SiteIDCode": identity.get("site_id_code", ""), "ColumnName": column, "ArticleTitle": heading,
              "PubDate": pubdate, "ContentSource": source or identity.get("owner", ""),
              "Keywords": keywords or heading, "Description": description or heading}
    return [(name, values[name]) for name in META_NAMES]


def canonical_path(output_file: str) -> str:
    """The address a written file is served at: xxgk/x/index.html -> xxgk/x/."""
    return output_file[:-len("index.html")] if output_file.endswith("index.html") else output_file
