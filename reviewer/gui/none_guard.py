"""A guard against a reference-counting bug of PySide6 6.12.0 on Python 3.11.

Every call from Python of a Qt method that returns nothing (setText, setEnabled, processEvents ...)
drops one reference to None that it never took. After a few thousand such calls CPython frees None
and aborts the process ("Fatal Python error: none_dealloc"), so the app would die after some
minutes of use. Python 3.12 made None immortal, which makes the bug harmless; on 3.11 the guard gives
None a reference count no session can use up. tests/gui/test_none_guard.py shows the crash without
the guard and none with it.
"""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 40  # references to None that the bug may drop: a million calls a second for 12 days


def guard_none() -> bool:
    """Add HEADROOM to None's reference count (once); False where it is not needed or not possible."""
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):  # immortal None, or a debug build
        return False
    before = sys.getrefcount(None)
    if before >= HEADROOM:
        return True
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt: the first field of every object
    if abs(refcount.value - before) > 1000:  # not the reference count: another layout, leave it alone
        return False
    refcount.value += HEADROOM
    if sys.getrefcount(None) < HEADROOM:  # the write did not reach the count: undo it
        refcount.value -= HEADROOM
        return False
    return True
