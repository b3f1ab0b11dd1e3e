"""Project settings: the GONGKAI_* values of pelicanconf.py, with defaults.

The build gets them from Pelican's settings; scripts load pelicanconf.py the
same way, so both doors read one source."""
from __future__ import annotations

import os
import runpy
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")

DEFAULTS = {
    # 组织机构代码 (9 chars) or 统一社会信用代码 (18 chars) / year - 5-digit sequence
    "GONGKAI_INDEX_NO_PATTERN": r"^([0-9A-Z]{9}|[0-9A-Z]{18})/\d{4}-\d{5}$",
    "GONGKAI_INDEX_NO_EXAMPLE": "11230129MB1848123X/2024-00001",
    "GONGKAI_ORG_CODE": "11230129MB1848123X",
    "GONGKAI_MIN_SOLICITATION_DAYS": 30,
    "GONGKAI_FEEDBACK_OVERDUE_DAYS": 30,
    "GONGKAI_ASOF": None,
    # None: staff drafts of unfinished annual reports only when DRAFTS=1 (gongkai.core.annual_report.drafts_wanted)
    "GONGKAI_ANNUAL_REPORT_DRAFTS": None,
}


# Settings that say how one build runs (--explain, the output it replaces, the
# reuse switch), not what a document reads as or what its checks find.
HOW_IT_RUNS = frozenset({"GONGKAI_EXPLAIN", "GONGKAI_PREVIOUS_OUTPUT", "GONGKAI_REUSE"})


def ours(settings: dict) -> dict:
    """The GONGKAI_* settings a document's reading and checks may depend on."""
    return {k: v for k, v in settings.items() if k.startswith("GONGKAI_") and k not in HOW_IT_RUNS}


def load(path: Path | None = None) -> dict:
    """Read pelicanconf.py (or the given file) and return its settings with defaults."""
    conf = runpy.run_path(str(path or ROOT / "pelicanconf.py"))
    return complete(conf)


def load_publish() -> dict:
    """publishconf.py's settings (the public SITEURL). It imports pelicanconf
    from the folder it sits in, so that folder is on the import path meanwhile."""
    sys.path.insert(0, str(ROOT))
    try:
        return load(ROOT / "publishconf.py")
    finally:
        sys.path.remove(str(ROOT))


def complete(settings: dict) -> dict:
    merged = dict(DEFAULTS)
    merged.update({k: v for k, v in settings.items() if k.isupper()})
    return merged


def asof(settings: dict) -> datetime:
    """The build's clock: ASOF from the environment, else the setting, else now.

    Accepts 2026-12-01, 2026-12-01T09:00 or 2026-12-01 09:00 (Asia/Shanghai)."""
    raw = os.environ.get("ASOF") or settings.get("GONGKAI_ASOF")
    if not raw:
        return datetime.now(TZ)
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=TZ)
    value = datetime.fromisoformat(str(raw).strip().replace(" ", "T"))
    return value if value.tzinfo else value.replace(tzinfo=TZ)
