"""The collector watch records every pass of the cyclic garbage collector with its generation
and duration, and logs the slow ones."""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
from collections.abc import Iterator

import pytest

from stakenet.services.collector import CollectorWatch


@contextlib.contextmanager
def only_forced_passes() -> Iterator[None]:
    """No automatic pass in between: the counts below are exact."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@pytest.fixture
def watch() -> Iterator[CollectorWatch]:
    watching = CollectorWatch(slow_after=10.0)
    watching.install()
    yield watching
    watching.uninstall()


def test_a_forced_collection_is_a_full_pass_with_its_duration(watch: CollectorWatch) -> None:
    with only_forced_passes():
        gc.collect()
    full = watch.report()["generations"][2]
    assert full["passes"] == 1
    assert full["longest_ms"] > 0
    assert full["total_ms"] == full["longest_ms"]
    assert watch.report()["recent_full_passes_ms"] == [full["longest_ms"]]
    # The pass ran on this thread: its CPU time is this thread's, at most the wall-clock time.
    assert 0 < full["longest_cpu_ms"] <= full["longest_ms"]
    assert watch.report()["recent_full_passes_cpu_ms"] == [full["longest_cpu_ms"]]
    assert [g["passes"] for g in watch.report()["generations"][:2]] == [0, 0]


def test_each_generation_is_counted_apart(watch: CollectorWatch) -> None:
    with only_forced_passes():
        gc.collect(0)
        gc.collect(1)
        gc.collect(1)
        gc.collect(2)
    report = watch.report()
    assert [g["generation"] for g in report["generations"]] == [0, 1, 2]
    assert [g["passes"] for g in report["generations"]] == [1, 2, 1]
    assert len(report["recent_full_passes_ms"]) == 1
    assert report["slow_passes"] == 0


def test_only_the_latest_full_passes_are_kept() -> None:
    short = CollectorWatch(recent_full_passes=2)
    short.install()
    try:
        with only_forced_passes():
            for _ in range(3):
                gc.collect()
    finally:
        short.uninstall()
    assert short.report()["generations"][2]["passes"] == 3
    assert len(short.report()["recent_full_passes_ms"]) == 2


def test_a_slow_pass_is_logged_at_debug_level(caplog: pytest.LogCaptureFixture) -> None:
    watch = CollectorWatch(slow_after=0.0)
    watch.install()
    try:
        with caplog.at_level(logging.DEBUG, logger="stakenet.collector"), only_forced_passes():
            gc.collect()
    finally:
        watch.uninstall()
    assert watch.report()["slow_passes"] == 1
    (record,) = caplog.records
    assert record.levelno == logging.DEBUG
    assert record.getMessage().startswith("collector pass of generation 2 took ")


def test_an_uninstalled_watch_counts_nothing(watch: CollectorWatch) -> None:
    watch.uninstall()
    with only_forced_passes():
        gc.collect()
    assert [g["passes"] for g in watch.report()["generations"]] == [0, 0, 0]


def test_a_slow_pass_is_listed_with_when_and_where_it_ran() -> None:
    watch = CollectorWatch(slow_after=0.0, recent_slow_passes=2)
    watch.install()
    try:
        with only_forced_passes():
            before = time.time()
            gc.collect(1)
            gc.collect(2)
            gc.collect(0)
            after = time.time()
    finally:
        watch.uninstall()
    # The latest two, oldest first: the full pass and then the youngest.
    full, young = watch.report()["recent_slow_passes"]
    assert [full["generation"], young["generation"]] == [2, 0]
    assert before <= full["ended_at"] <= young["ended_at"] <= after + 0.001
    assert full["ms"] == watch.report()["recent_full_passes_ms"][-1]
    assert full["thread"] == threading.current_thread().name
    assert full["collected"] >= 0


def test_a_fast_pass_is_not_listed(watch: CollectorWatch) -> None:
    with only_forced_passes():
        gc.collect()
    assert watch.report()["recent_slow_passes"] == []
