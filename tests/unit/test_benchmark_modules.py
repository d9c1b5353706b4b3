"""Every module of the benchmark suite imports: a benchmark that no longer matches the code it
measures fails here, not on the day someone runs it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCHMARKS_ROOT = Path(__file__).parents[2] / "benchmarks"


@pytest.mark.parametrize(
    "module", sorted(path.stem for path in BENCHMARKS_ROOT.glob("*.py") if path.stem != "__init__")
)
def test_the_benchmark_module_imports(module: str) -> None:
    importlib.import_module(f"benchmarks.{module}")
