"""Stopping a section's thread past its deadline.

Python threads cannot be killed from outside, but the interpreter can raise an exception in another thread at its
next bytecode (``PyThreadState_SetAsyncExc``, the documented C-API call behind every "stoppable thread" recipe).
A section stuck in Python code (an engine looping, an extract running away) stops there; a section blocked in C
(a socket read, a sleep) stops as soon as it returns to Python, and because section threads are daemon threads it
never keeps the process alive meanwhile. ``SectionCancelled`` derives from ``BaseException`` so library code that
catches ``Exception`` cannot swallow it and carry on.
"""

from __future__ import annotations

import ctypes
import threading

__all__ = ["SectionCancelled", "stop_thread"]


class SectionCancelled(BaseException):
    """Raised inside a section's thread when the runner cancels it (deadline passed, run interrupted)."""


def stop_thread(thread: threading.Thread, *, wait_s: float = 0.2) -> bool:
    """Ask ``thread`` to stop by raising ``SectionCancelled`` in it; True when it has stopped within ``wait_s``."""
    ident = thread.ident
    if ident is None or not thread.is_alive():
        return True
    hit = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(SectionCancelled))
    if hit > 1:  # more than one thread state touched: undo, as the C-API documentation requires
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
        return False
    thread.join(wait_s)
    return not thread.is_alive()
