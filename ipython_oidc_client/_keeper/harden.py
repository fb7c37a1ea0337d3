"""What the keeper does to itself before it holds a secret: the ssh-agent measures.

``prctl(PR_SET_DUMPABLE, 0)`` makes ``/proc/<pid>/mem`` (and ptrace) closed to every other process
of the same user that lacks ``CAP_SYS_PTRACE`` — the kernel that started the keeper included, and
whatever Yama's ``ptrace_scope`` says (proc(5), PR_SET_DUMPABLE in prctl(2)). No core file either.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name or "libc.so.6", use_errno=True)
    except OSError:
        return None


def harden() -> bool:
    """Make this process non-dumpable and core-less; True when that took (Linux), else False."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    os.umask(0o077)
    if not sys.platform.startswith("linux"):
        return False
    libc = _libc()
    if libc is None:
        return False
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        return False
    return bool(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0)
