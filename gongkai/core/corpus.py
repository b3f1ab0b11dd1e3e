"""Read the whole content tree once into Documents (parallel on all cores)."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from gongkai.core.boundary import documents_in
from gongkai.core.model import Document, read_document, relpath
from gongkai.core.problems import internal_error
from gongkai.core.settings import ROOT


def _read(args):
    path, content_root, settings, then = (*args, None)[:4]
    try:
        doc = read_document(path, content_root, settings)
    except Exception as exc:  # noqa: BLE001 — shown to staff as 内部错误 naming the file
        doc = Document(path=relpath(path), type="", raw={}, meta={}, body="", body_line=1)
        doc.problems.append(internal_error(relpath(path), exc))
    return then(doc) if then else doc


def read_tree(content_root: Path | None = None, settings: dict | None = None, workers: int | None = None):
    content_root = Path(content_root or ROOT / "content")
    return read_files(documents_in([content_root]), content_root, settings, workers)


def read_files(files, content_root: Path, settings: dict | None = None, workers: int | None = None, then=None):
    """The given files of a content tree as Documents, in order (parallel when many).
    then: a module-level function applied to each Document in the worker (its result is returned)."""
    return list(iter_files(files, content_root, settings, workers, then))


def iter_files(files, content_root: Path, settings: dict | None = None, workers: int | None = None, then=None):
    """read_files, one result at a time as the workers finish them (in order)."""
    jobs = [(f, content_root, settings, then) for f in files]
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers > 1 and len(jobs) > 200:
        with ProcessPoolExecutor(workers) as pool:
            yield from pool.map(_read, jobs, chunksize=64)
    else:
        yield from (_read(j) for j in jobs)
