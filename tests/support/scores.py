"""Comparing the scores of two servers' answers."""

from __future__ import annotations

from typing import Any

import pytest


def approximately(value: Any) -> Any:
    """Scores compared to a relative 1e-4, not rounded: strengths decay with the refresh's clock.

    The two servers refresh seconds apart, and a tie's strength decays continuously
    (180-day half-life, about 5e-8 of its value per second), so the same network scores a
    hair lower on the later one. Rounding to a fixed place would fail whenever a value sits
    on a rounding boundary; a relative tolerance allows the drift and nothing larger. The
    stores also return rows in different orders, and float sums follow.
    """
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-4)
    if isinstance(value, dict):
        return {k: approximately(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(approximately(v) for v in value)
    return value
