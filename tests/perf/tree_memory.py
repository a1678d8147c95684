"""Peak memory of a process together with the processes it starts, for the benchmarks.

A bulk import's workers are forked from a fork server, so they are not the importing process's
children and RUSAGE_CHILDREN misses them; this samples the whole tree instead.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path


def descendants(root: int) -> set[int]:
    """The processes ``root`` started, and the ones they started, and so on (read from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (ValueError, OSError, IndexError):
            continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return tree - {root}


def tree_mib(root: int) -> float:
    """Memory of ``root`` (resident) and all its descendants (their proportional share: workers forked
    from one server share its pages)."""
    tree = descendants(root) | {root}
    total = 0.0
    for pid in tree:
        field, source = ("VmRSS:", "status") if pid == root else ("Pss:", "smaps_rollup")
        try:
            for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
                if line.startswith(field):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


class PeakSampler:
    """``with PeakSampler() as peak: ...`` then ``peak.mib``: the largest tree_mib of this process seen
    every quarter of a second while the block ran."""

    def __init__(self, every: float = 0.25):
        self.every, self.mib = every, 0.0
        self._running = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while self._running.is_set():
            self.mib = max(self.mib, tree_mib(os.getpid()))
            time.sleep(self.every)

    def __enter__(self) -> PeakSampler:
        self._running.set()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._running.clear()
        self._thread.join()
        self.mib = max(self.mib, tree_mib(os.getpid()))
