"""Statistics of values per group label, vectorised (one sort for all groups)."""

from __future__ import annotations

import numpy as np


def group_median(values, labels, n_groups: int | None = None) -> np.ndarray:
    """Median of ``values`` per group label.

    Parameters
    ----------
    values : numpy.ndarray of float, shape (n,)
    labels : numpy.ndarray of int, shape (n,)
        Group of each value, in ``0 .. n_groups - 1``.
    n_groups : int, optional
        Number of groups (default: the largest label + 1).

    Returns
    -------
    numpy.ndarray of float, shape (n_groups,)
        The median of each group (the mean of the two middle values of an even count); NaN for a group
        without values. Per element: ``group_median(v, labels)[labels]``.
    """
    values = np.asarray(values, dtype=float)
    labels = np.asarray(labels, dtype=np.int64)
    if n_groups is None:
        n_groups = int(labels.max()) + 1 if labels.size else 0
    out = np.full(n_groups, np.nan)
    if values.size == 0:
        return out
    order = np.lexsort((values, labels))
    g, v = labels[order], values[order]
    start = np.searchsorted(g, np.arange(n_groups))
    count = np.bincount(g, minlength=n_groups)
    have = count > 0
    lo = start + (count - 1) // 2
    hi = start + count // 2
    out[have] = 0.5 * (v[lo[have]] + v[hi[have]])
    return out
