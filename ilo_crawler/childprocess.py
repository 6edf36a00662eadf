"""The crawl's helper processes (the archive's writer, the page readers): started the same way,
and bound to the crawl the same way: they live and die with it, never act on a signal, and
give way to the crawl for a CPU."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

#: How much lower a helper stands with the scheduler than the crawl: the crawl's reactor thread
#: is the run's critical path (it answers the network and feeds the helpers), while a helper has
#: a bounded queue to catch up from. On two cores, a full crawl's reactor thread waited 2.2 s for
#: a CPU with the helpers at the crawl's priority, 0.8 s with them at this one.
HELPER_NICENESS = 10
#: Linux's prctl option that sends the process a signal when its parent dies.
_PR_SET_PDEATHSIG = 1


def start_helper(module: str, *arguments: str) -> subprocess.Popen[bytes]:
    """``python -m module arguments... <crawl's pid>``, talking through its stdin and stdout, in
    a session of its own (a terminal's Ctrl-C goes to the crawl, which decides)."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *arguments, str(os.getpid())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )


def become_helper(parent: int) -> BinaryIO:
    """In the helper: ignore SIGINT and SIGTERM (the crawl says when to stop, by closing stdin),
    be killed when the crawl process dies however it dies (Linux; elsewhere the end of stdin
    still ends the helper), and keep stdout for the answers: what else is printed goes to stderr.
    Returns the answers' stream."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.nice(HELPER_NICENESS)
    # Linux schedules each session as a group (autogroup): lower this one's, if it is its own.
    if os.getsid(0) == os.getpid():
        with contextlib.suppress(OSError):
            Path("/proc/self/autogroup").write_text(str(HELPER_NICENESS))
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the crawl died before the line above
        os._exit(1)
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr
    return answers
