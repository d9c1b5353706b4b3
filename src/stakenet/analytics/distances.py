"""Shortest-path distances from many sources, computed a few sources per scipy call.

This module owns how the analytics run scipy's Dijkstra. ``csgraph.dijkstra`` holds the
interpreter lock for the whole call, so one call from all of a refresh's pivots stops every
other thread of the serving process (the event loop included) for seconds. Each source's row
is computed independently of the others, so splitting the sources into pieces changes no
distance; the pieces are sized by work (sources × (stored entries + nodes)) so that each call
stays near `DIJKSTRA_WORK_PER_CALL` whatever the network's size, and never below one source.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

__all__ = ["DIJKSTRA_WORK_PER_CALL", "distances_from", "sources_per_call"]

# Sources × (stored entries + nodes) per Dijkstra call: about 15 ms of one core, near the
# interpreter's switch interval, so other threads (the event loop) wait no longer than that.
DIJKSTRA_WORK_PER_CALL = 250_000


def sources_per_call(cost: sp.csr_array, work: int = DIJKSTRA_WORK_PER_CALL) -> int:
    """How many sources one Dijkstra call over `cost` handles within `work` (at least one)."""
    return max(1, work // (int(cost.nnz) + int(cost.shape[0])))


def distances_from(
    cost: sp.csr_array, sources: Sequence[int] | np.ndarray, *, per_call: int | None = None
) -> np.ndarray:
    """Distances from each of `sources` (rows, in order) to every node over a symmetric `cost`.

    The same rows as ``csgraph.dijkstra(cost, directed=False, indices=sources)``: on a
    symmetric matrix the undirected scan of the transpose repeats the row's own relaxations,
    which change nothing (scipy lowers a distance only when strictly shorter), so the directed
    scan, at half the work, takes the same steps.

    Parameters
    ----------
    cost : scipy.sparse.csr_array
        Symmetric matrix of positive edge costs.
    sources : sequence of int
        Source positions.
    per_call : int, optional
        Sources per scipy call (default: `sources_per_call`).

    Returns
    -------
    numpy.ndarray
        ``len(sources) × n`` distances, ``inf`` where unreachable.
    """
    n = cost.shape[0]
    chosen = np.asarray(sources, dtype=np.int64).reshape(-1)
    step = max(1, per_call if per_call is not None else sources_per_call(cost))
    dist = np.empty((len(chosen), n))
    for start in range(0, len(chosen), step):
        piece = chosen[start : start + step]
        dist[start : start + len(piece)] = csgraph.dijkstra(cost, directed=True, indices=piece)
    return dist
