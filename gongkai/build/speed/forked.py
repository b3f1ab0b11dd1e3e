"""Work the build hands to a forked child process: the child has the build's
memory as it is (nothing pickled) and runs on the other core without the
build's interpreter lock. Used for the search index (plugins/search_index),
相关信息 (plugins/related) and the pages written last (beside: 意见征集,
annual reports, .xlsx copies). A child is not free: every page of memory
either side writes is copied, so work moves beside the build only where the
bench shows the other core idle (listings written beside cost more than they saved)."""
from __future__ import annotations

import gc
import os
import pickle
import signal


def fork(work, own_group: bool = False) -> int:
    """Run work() in a forked child and return its pid. The child never returns
    into Pelican: it leaves with os._exit, whatever happens. own_group puts it
    (and what it starts, such as Pagefind) in a process group of its own, so
    that os.killpg can stop them all."""
    pid = os.fork()
    if pid == 0:
        try:
            # A collection would touch, and so copy, every page of the build's
            # memory (a child that saved the content cache once took 7 s instead of 4 with it).
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


class ChildFailed(Exception):
    """What went wrong in a Child, as one line for staff."""


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class Child:
    """work() in a forked child of its own process group (fork); what it
    returns, or what went wrong (describe(exc), or died when it vanished),
    comes back through a pipe when the build asks for it (result). stop()
    kills it and whatever it started."""

    def __init__(self, work, describe=_describe, died: str = "子进程意外退出"):
        read, write = os.pipe()

        def run():
            os.close(read)
            try:
                report = {"result": work()}
            except BaseException as exc:  # noqa: BLE001 — raised by result() in the build
                report = {"error": describe(exc)}
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(report, pipe, protocol=pickle.HIGHEST_PROTOCOL)

        self.pid = fork(run, own_group=True)
        os.close(write)
        self.pipe, self.died = read, died

    def result(self):
        with os.fdopen(self.pipe, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self.pid, 0)
        report = pickle.loads(data) if data else {"error": self.died}
        if "error" in report:
            raise ChildFailed(report["error"])
        return report["result"]

    def stop(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        os.close(self.pipe)
        os.waitpid(self.pid, 0)


def beside(writer, work) -> None:
    """work(writer) in a forked child when the writer can (plugins/reuse_pages:
    ReusingWriter.beside), else here and now. For pages written once every
    article is: by then the search index has left the other core free."""
    run = getattr(writer, "beside", None)
    if run is None:
        work(writer)
    else:
        run(work)


_RECEIVERS: dict = {}


def written_beside(write):
    """An article_writer_finalized receiver that runs write(generator, writer)
    beside the build. Connect it with weak=False (nothing else holds it); it is
    the same object for the same write, so registering a plugin twice (a new
    Pelican in one process) connects it once."""
    if write not in _RECEIVERS:
        def receiver(generator, writer):
            beside(writer, lambda w: write(generator, w))
        _RECEIVERS[write] = receiver
    return _RECEIVERS[write]
