"""Work the build hands to a forked child process: the child has the build's
memory as it is (nothing pickled) and runs on the other core without the
build's interpreter lock. Used for the search index (plugins/search_index)
and for the pages written last (beside, plugins/reuse_pages)."""
from __future__ import annotations

import gc
import os


def fork(work, own_group: bool = False) -> int:
    """Run work() in a forked child and return its pid. The child never returns
    into Pelican: it leaves with os._exit, whatever happens. own_group puts it
    (and what it starts, such as Pagefind) in a process group of its own, so
    that os.killpg can stop them all."""
    pid = os.fork()
    if pid == 0:
        try:
            # A collection would touch, and so copy, every page of the build's
            # memory (saving the content cache in a child, as session 3 did, took 7 s instead of 4 with it).
            gc.disable()
            if own_group:
                os.setpgid(0, 0)
            work()
        finally:
            os._exit(0)
    if own_group:
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass  # the child got there first
    return pid


def beside(writer, work) -> None:
    """work(writer) in a forked child when the writer can (plugins/reuse_pages:
    ReusingWriter.beside), else here and now. For pages written once every
    article is: by then the search index has left the other core free."""
    run = getattr(writer, "beside", None)
    if run is None:
        work(writer)
    else:
        run(work)
