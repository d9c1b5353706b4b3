"""The benchmarks' CPU accounting of a Neo4j import: a process's CPU time from `/proc`, and the
JVM's threads told apart by what they do (compiling, collecting, the server's own work)."""

from __future__ import annotations

import os
import sys

import pytest
from benchmarks.measure import cpu_seconds, process_cpu, thread_work

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

TICKS = os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize(
    ("name", "work"),
    [
        ("C2 CompilerThre", "jit"),
        ("C1 CompilerThre", "jit"),
        ("GC Thread#0", "gc"),
        ("G1 Conc#0", "gc"),
        ("G1 Refine#0", "gc"),
        ("neo4j.BoltWorke", "server"),
        ("VM Thread", "server"),
        ("java", "server"),
    ],
)
def test_a_jvm_thread_is_told_by_its_name(name: str, work: str) -> None:
    assert thread_work(name) == work


def test_a_stat_line_gives_its_name_and_user_plus_system_time() -> None:
    # proc(5): pid (comm) state ppid ... utime (14th) stime (15th); a name may hold spaces and ")".
    fields = ["S", "1", "1", "1", "0", "-1", "4194368", "10", "0", "0", "0", "250", "50", "0"]
    line = "4242 (C2 Compiler) x) " + " ".join(fields) + " 20 0 40 0"
    assert cpu_seconds(line) == ("C2 Compiler) x", 300 / TICKS)


def test_a_live_process_reports_the_cpu_the_kernel_counts_for_it() -> None:
    deadline = os.times()
    while os.times().user - deadline.user < 0.2:  # spend some CPU first
        pass
    before = os.times()
    spent = process_cpu(os.getpid())
    after = os.times()
    # The same counters os.times reads, in clock ticks: between its two readings.
    assert before.user + before.system - 1 / TICKS <= spent["total"]
    assert spent["total"] <= after.user + after.system + 1 / TICKS
    # A Python process has no JIT compiler or collector threads.
    assert (spent["jit"], spent["gc"]) == (0.0, 0.0)
