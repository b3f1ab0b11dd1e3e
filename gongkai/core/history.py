"""修订记录: the marked commits that changed each content file, from ONE
`git log --name-only` over the content folder, parsed in a single pass
(linear in the size of the log, whatever the number of files), and each
document's `modified` date."""
from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

# Record separator before each commit, unit separator between its fields.
_FORMAT = "%x1e%H%x1f%as%x1f%s"


# 修订记录 shows only real, meaningful changes (issue 16): a commit whose subject
# staff began with one of these words (更正：发文字号录入错误), and the document's
# own `modified` date. Never a bulk import, a developer's message, or the first
# publication (that is the 发布日期): readers must not be told a 2018 document
# was edited in 2026 because the site was set up then.
MARKERS = ("更正", "更新", "修订", "修改", "补充")
MODIFIED_MESSAGE = "内容更正或更新"


def is_public(subject: str) -> bool:
    subject = subject.strip()
    return any(subject.startswith((m + "：", m + ":")) for m in MARKERS)


@dataclass(frozen=True)
class Revision:
    commit: str
    date: date
    message: str


def parse_log(text: str) -> dict:
    """{repository-relative path: [Revision, newest first]} from our log format."""
    out = defaultdict(list)
    for record in text.split("\x1e"):
        if not record.strip():
            continue
        head, _, files = record.partition("\n")
        commit, day, message = (head.split("\x1f") + ["", ""])[:3]
        if not is_public(message):
            continue
        try:
            rev = Revision(commit, date.fromisoformat(day), message.strip())
        except ValueError:
            continue
        for name in files.splitlines():
            if name.strip():
                out[name.strip()].append(rev)
    return dict(out)


def public_revisions(revisions: list, modified) -> list:
    """The marked commits, plus the document's `modified` date when no marked commit
    is dated that day; newest first."""
    out = list(revisions)
    if isinstance(modified, date) and all(r.date != modified for r in out):
        out.append(Revision("", modified, MODIFIED_MESSAGE))
    return sorted(out, key=lambda r: r.date, reverse=True)


def _git(folder: Path, *args) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                              timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def history(content_root: Path) -> dict:
    """{absolute path: [Revision]} for every committed file under content_root.
    Empty when the folder is not in a git repository (or git is missing)."""
    content_root = Path(content_root).resolve()
    top = _git(content_root, "rev-parse", "--show-toplevel")
    if not top:
        return {}
    log = _git(content_root, "-c", "core.quotepath=off", "log", "--no-merges", "--name-only",
               f"--format={_FORMAT}", "--", ".")
    if log is None:
        return {}
    root = Path(top.strip())
    return {str((root / name).resolve()): revs for name, revs in parse_log(log).items()}
