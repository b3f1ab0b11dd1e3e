"""Pelican settings for the development build (make html / make serve).

GONGKAI_* settings are read by the gongkai package both in the build and in
scripts/check.py; see gongkai/settings.py for their defaults."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent

from gongkai.core import identity, present, schema  # noqa: E402  (values for templates are computed in Python)

# The site's identity (name, 主办/承办, 网站标识码, 备案号, contact, 依申请公开 channels,
# 我为政府网站找错): edited only in data/site.yaml; make check warns for empty items.
GONGKAI_SITE = identity.load(ROOT / identity.FILE)
SITENAME = GONGKAI_SITE["site_name"] or "政务公开"
SITE_OWNER = GONGKAI_SITE["owner"]
SITE_OPERATOR = GONGKAI_SITE["operator"]
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
# One folder per content type; the types are the files in metadata_schema/ marked x-type.
ARTICLE_PATHS = list(schema.TYPES)
PAGE_PATHS = ["pages"]
# Nothing under content/ is published wholesale: plugins/published_files copies
# exactly the files documents name (attachments, budget tables).
STATIC_PATHS = []
IGNORE_FILES = [".#*", "*.md~"]
OUTPUT_PATH = "output"
THEME = "theme"

TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"
DEFAULT_DATE_FORMAT = "%Y年%-m月%-d日"
DEFAULT_PAGINATION = 20

PLUGIN_PATHS = ["plugins"]
# Order: the reader parses every file once; validation runs over what it read.
PLUGINS = ["gongkai_reader", "validation", "links",
           # After links: document pages show its both-way relations; listings writes
           # the home page, sections, archives, 政策文件库, feeds and sitemap (issue 3).
           "git_history",
           # Before listings: solicitations puts each solicitation's state and
           # open_solicitations into the context the home page is rendered from (issue 5).
           "solicitations",
           "listings",
           "related",
           # Data pages (issue 7): budget tables, charts and .xlsx copies; project pages
           # and /project/list/; /annual-report/<year>/ from the finished article list.
           "budgets", "projects", "annual_report", "published_files",
           # search_index after them: its finalized waits for Pagefind over the finished output.
           "search_index",
           # Last: its finalized keeps the record of reusable pages only when
           # everything before it, the search index included, succeeded.
           "reuse_pages"]

# Stable addresses: derived from 索引号 (index_no), which never changes when a
# title is corrected. 11230129MB1848123X/2018-00010 -> /xxgk/11230129MB1848123X-2018-00010/
ARTICLE_URL = "xxgk/{slug}/"
ARTICLE_SAVE_AS = "xxgk/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "{slug}/"
CATEGORY_SAVE_AS = ""  # the per-type listings at {slug}/ are written by plugins/listings
STATIC_URL = "files/{path}"
STATIC_SAVE_AS = "files/{path}"
INDEX_SAVE_AS = "index.html"

# Features this site does not use.
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ""
TAG_SAVE_AS = TAGS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
# 404.html: the web server's error page (deploy/nginx.conf); search.html: the 搜索
# page (Pagefind in the browser; plugins/search_index builds the index). The home
# page, index.html, is written unpaginated by plugins/listings.
DIRECT_TEMPLATES = ["404", "search"]
SEARCH_URL = "search/"
SEARCH_SAVE_AS = "search/index.html"
DISPLAY_PAGES_ON_MENU = False

# Atom feeds: everything, each type (the category is the type) and, from
# plugins/listings, each disclosure category. The newest 50 items each.
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
FEED_MAX_ITEMS = 50
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Pelican's caching serves rebuilds: unchanged files are not parsed again.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = ".cache/pelican"
CHECK_MODIFIED_METHOD = "mtime"
# Pelican rewrites the whole cache on every build; compressing it cost more
# than reading the documents it saves (10,000 documents: ~5 s a build).
GZIP_CACHE = False

# Autoescape everything; the Markdown body, cleaned once by nh3 in
# gongkai.render, is the only value marked safe (|safe in article/page.html).
# auto_reload off: each build makes its own environment (make devserver too), so
# asking the disk whether a template changed, on every page, only costs time.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "extensions": [],
                     "auto_reload": False}

JINJA_FILTERS = {
    "zh_date": present.zh_date,
    "iso": present.iso,
    "meta_rows": present.meta_rows,
    "attachments": present.attachments,
    "identity_sections": identity.sections,
    "page_meta": identity.page_meta,
    "canonical_path": identity.canonical_path,
}

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.tables": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}

# --- Gongkai ---------------------------------------------------------------
# 索引号 format. Default: 组织机构代码 (9) or 统一社会信用代码 (18) / year - 5-digit sequence.
GONGKAI_INDEX_NO_PATTERN = r"^([0-9A-Z]{9}|[0-9A-Z]{18})/\d{4}-\d{5}$"
GONGKAI_INDEX_NO_EXAMPLE = "11230129MB1848123X/2024-00001"
GONGKAI_ORG_CODE = "11230129MB1848123X"
# 意见征集: minimum period in days (shorter needs short_period_reason), and how
# long after closing the public may wait for feedback before make check warns.
GONGKAI_MIN_SOLICITATION_DAYS = 30
GONGKAI_FEEDBACK_OVERDUE_DAYS = 30
# The build clock (ASOF environment variable overrides it); None means now.
GONGKAI_ASOF = None
