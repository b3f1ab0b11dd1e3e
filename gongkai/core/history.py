"""修订记录: the commits that changed each content file, from ONE
`git log --name-only` over the content folder, parsed in a single pass
(linear in the size of the log, whatever the number of files)."""
from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

# Record separator before each commit, unit separator between its fields.
_FORMAT = "%x1e%H%x1f%as%x1f%s"


# The public reads 修订记录 in Chinese; a commit subject without any Chinese
# (a developer's English message, a bulk import) is shown as this instead.
GENERIC_MESSAGE = "内容更新"


def public_message(subject: str) -> str:
    subject = subject.strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in subject):
        return subject
    return GENERIC_MESSAGE


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
        try:
            rev = Revision(commit, date.fromisoformat(day), public_message(message))
        except ValueError:
            continue
        for name in files.splitlines():
            if name.strip():
                out[name.strip()].append(rev)
    return dict(out)


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
