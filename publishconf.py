"""Settings for publishing: absolute SITEURL and feeds on. Everything else
comes from pelicanconf.py."""
import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F401,F403

SITEURL = os.environ.get("SITEURL", "https://www.yanshou.gov.cn")
RELATIVE_URLS = False
# A published site never carries a staff draft of an annual report (not final), whatever DRAFTS says.
GONGKAI_ANNUAL_REPORT_DRAFTS = False

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
