"""Made files kept between builds: the .xlsx copies of budget tables and
Pagefind's bundles, each named by what it was made from.

The invariants, kept here: an entry is written beside its place and renamed
into it (a kill or a full disk never leaves half an entry); it carries the
digest of its bytes and is verified before it is reused; a damaged entry is
discarded with one line and made again; and what is reused is copied into
the output, never linked, so no output shares a file with a cache entry made
by an earlier build."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

from gongkai.build.speed.files import link_or_copy

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"


def digest_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _manifest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): digest_of(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}


def _copy_tree(source: Path, target: Path, copy=shutil.copyfile) -> None:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, copy_function=copy)


class FileCache:
    """One kind of made thing under CACHE_PATH/<name>/; folder None: no cache
    (GONGKAI_REUSE off), every entry is made."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None
        self.reused = self.made = 0

    def _entry(self, key: str) -> Path:
        return self.folder / key

    def _damaged(self, key: str, why: str) -> None:
        log.warning("缓存 %s 已损坏（%s），已丢弃并重新生成。", self._entry(key), why)
        shutil.rmtree(self._entry(key), ignore_errors=True)

    def _verified(self, key: str) -> Path | None:
        """The entry's folder when it is whole, else None (a damaged one is removed)."""
        if self.folder is None:
            return None
        entry = self._entry(key)
        try:
            recorded = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            if entry.exists():
                self._damaged(key, "没有清单")
            return None
        except (OSError, ValueError):
            self._damaged(key, "清单无法读取")
            return None
        if _manifest(entry) != recorded:
            self._damaged(key, "内容与清单不符")
            return None
        return entry

    def _store(self, key: str, made: Path) -> None:
        """Keep a copy of what was made (a file, or a folder's contents)."""
        if self.folder is None:
            return
        part = self.folder / f".{key}.{os.getpid()}.part"
        try:
            shutil.rmtree(part, ignore_errors=True)
            if made.is_dir():
                # Linked: the entry is complete (renamed into place below) and never
                # rewritten, and what is reused from it is copied, so no later
                # build's output shares a file with the cache.
                _copy_tree(made, part, link_or_copy)
            else:
                part.mkdir(parents=True)
                shutil.copyfile(made, part / made.name)
            (part / MANIFEST).write_text(json.dumps(_manifest(part)), encoding="utf-8")
            shutil.rmtree(self._entry(key), ignore_errors=True)
            os.rename(part, self._entry(key))
        except OSError as err:  # a cache that cannot be written costs the next build time, nothing else
            shutil.rmtree(part, ignore_errors=True)
            log.warning("缓存 %s 未能保存（%s）：下次构建将重新生成。", self._entry(key), err.strerror or err)

    def file(self, key: str, target: Path, make) -> None:
        """target, copied from the entry `key` when it is whole, else made by make(target) and kept."""
        target.parent.mkdir(parents=True, exist_ok=True)
        entry = self._verified(key)
        kept = entry / target.name if entry is not None else None
        if kept is not None and kept.is_file():
            shutil.copyfile(kept, target)
            self.reused += 1
            return
        make(target)
        self.made += 1
        self._store(key, target)

    def tree(self, key: str, target: Path, make) -> None:
        """The folder target, copied from the entry `key` when it is whole, else made by make(target) and kept."""
        entry = self._verified(key)
        if entry is not None:
            _copy_tree(entry, target)
            (target / MANIFEST).unlink()
            self.reused += 1
            return
        make(target)
        self.made += 1
        self._store(key, target)

    def keep_only(self, keys) -> None:
        """Remove every entry this build did not use."""
        if self.folder is None or not self.folder.is_dir():
            return
        used = set(keys)
        for old in self.folder.iterdir():
            if old.name not in used:
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
