"""The cyclic garbage collector's passes in this process, as operators see them.

A full pass (generation 2) walks every object the process holds, the read model's graph
included, and holds the interpreter while it does: every request waits for it. `CollectorWatch`
times each pass through `gc.callbacks` and keeps, per generation, the number of passes, the
longest and the total time, the durations of the latest full passes, and the latest slow passes
of any generation with when they ended, on which thread and what they freed; `/healthz` shows
them (`report`). Each duration is the wall-clock time requests wait, and, beside it, the CPU time of
the thread that ran the pass: on a busy machine the first grows with the waits for a core, the
second stays what the pass itself costs. A pass slower than `slow_after` seconds (wall-clock) is
logged at debug level on ``stakenet.collector``.

The callback runs inside the collector, on whichever thread allocated: it takes no lock (a lock
held by the interrupted code would never be released) and only updates counters.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import deque
from typing import Any

log = logging.getLogger("stakenet.collector")

GENERATIONS = 3
FULL = GENERATIONS - 1


class CollectorWatch:
    def __init__(
        self, slow_after: float = 0.05, recent_full_passes: int = 32, recent_slow_passes: int = 32
    ) -> None:
        self.slow_after = slow_after
        self.passes = [0] * GENERATIONS
        self.longest = [0.0] * GENERATIONS
        self.longest_cpu = [0.0] * GENERATIONS
        self.total = [0.0] * GENERATIONS
        self.slow_passes = 0
        # The newest last; with `passes[FULL]`, a reader tells which ones are new since it
        # last looked.
        self.recent_full: deque[float] = deque(maxlen=recent_full_passes)
        self.recent_full_cpu: deque[float] = deque(maxlen=recent_full_passes)
        # What a slow request met: each slow pass with its end in Unix time, so that a client
        # lines it up with its own clock.
        self.recent_slow: deque[dict[str, Any]] = deque(maxlen=recent_slow_passes)
        self._started = 0.0
        self._started_cpu = 0.0

    def install(self) -> None:
        if self._observe not in gc.callbacks:
            gc.callbacks.append(self._observe)

    def uninstall(self) -> None:
        if self._observe in gc.callbacks:
            gc.callbacks.remove(self._observe)

    def _observe(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            self._started_cpu = time.thread_time()
            return
        # Read in the reverse order of the start, so that the wall-clock span holds the CPU one.
        cpu = time.thread_time() - self._started_cpu
        seconds = time.perf_counter() - self._started
        generation = info["generation"]
        self.passes[generation] += 1
        self.total[generation] += seconds
        self.longest[generation] = max(self.longest[generation], seconds)
        self.longest_cpu[generation] = max(self.longest_cpu[generation], cpu)
        if generation == FULL:
            self.recent_full.append(seconds)
            self.recent_full_cpu.append(cpu)
        if seconds > self.slow_after:
            self.slow_passes += 1
            self.recent_slow.append(
                {
                    "ended_at": round(time.time(), 3),
                    "generation": generation,
                    "ms": round(seconds * 1000, 3),
                    "cpu_ms": round(cpu * 1000, 3),
                    "collected": info["collected"],
                    "thread": threading.current_thread().name,
                }
            )
            log.debug(
                "collector pass of generation %d took %.1f ms (%.1f ms of CPU; %d objects freed)",
                generation,
                seconds * 1000,
                cpu * 1000,
                info["collected"],
            )

    def report(self) -> dict[str, Any]:
        """The passes so far, times in milliseconds: JSON-ready."""
        return {
            "generations": [
                {
                    "generation": generation,
                    "passes": self.passes[generation],
                    "longest_ms": round(self.longest[generation] * 1000, 3),
                    "longest_cpu_ms": round(self.longest_cpu[generation] * 1000, 3),
                    "total_ms": round(self.total[generation] * 1000, 3),
                }
                for generation in range(GENERATIONS)
            ],
            "slow_after_ms": self.slow_after * 1000,
            "slow_passes": self.slow_passes,
            "recent_full_passes_ms": [round(s * 1000, 3) for s in list(self.recent_full)],
            "recent_full_passes_cpu_ms": [round(s * 1000, 3) for s in list(self.recent_full_cpu)],
            "recent_slow_passes": list(self.recent_slow),
        }
