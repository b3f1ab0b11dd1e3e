"""What the command-line scripts share."""
from __future__ import annotations

import errno
import logging
import os
import signal
import sys
import threading
from contextlib import contextmanager


def finish(code: int):
    """Exit without freeing every object one by one: after a build of 10,000
    documents that takes about 6 s, and everything is written and flushed."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


_ON_INTERRUPT: list = []   # (cleanup, line) of the steps now running, outermost first


@contextmanager
def on_interrupt(cleanup=None, line=None):
    """While inside: Ctrl+C runs cleanup() (a step's own undo: stop children,
    remove a temporary folder), then the cleanups of the steps around it, prints
    the line of the outermost step that has one and exits 130."""
    entry = (cleanup, line)
    _ON_INTERRUPT.append(entry)
    try:
        yield
    finally:
        _ON_INTERRUPT.remove(entry)


def _stop_everything(signum):
    line = None
    for cleanup, step_line in reversed(_ON_INTERRUPT):
        if cleanup is not None:
            try:
                cleanup()
            except OSError:
                pass   # what it could not remove is a leftover: the next build or publish removes it
        line = step_line() if callable(step_line) else (step_line or line)
    if line:
        print(line, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(128 + signum)


@contextmanager
def interrupts_held():
    """For a step that must not stop half-way (two renames that swap a site in):
    Ctrl+C is ignored until it is done. Only the main thread can do this."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def quiet_for_staff() -> None:
    """How a command ends when it is stopped, for staff: one line, no traceback.

    Ctrl+C reaches every process in the terminal's process group. The command
    undoes the steps it is in (on_interrupt), says one line and exits 130; a
    forked worker (a process pool's) just exits. The handler ends the process
    itself rather than raising KeyboardInterrupt: raised inside os.fork()'s
    at-fork hooks (logging's) that exception is swallowed and the build went on.

    Likewise a full disk: a file object closed during garbage collection (a
    half-written workbook, in a forked writer) reports its ENOSPC as "Exception
    ignored in …" with a traceback; the command says "disk full" once instead."""
    main = os.getpid()
    default = sys.unraisablehook

    def unraisable(report):
        if isinstance(report.exc_value, OSError) and report.exc_value.errno in (errno.ENOSPC, errno.EDQUOT):
            return
        default(report)

    sys.unraisablehook = unraisable

    def interrupted(signum, frame):
        if os.getpid() != main:
            os._exit(128 + signum)
        _stop_everything(signum)

    signal.signal(signal.SIGINT, interrupted)
