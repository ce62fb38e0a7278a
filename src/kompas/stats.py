"""Error statistics of positions against a reference (one place for the CLI, the demo and benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ErrorStats", "error_stats"]


@dataclass(frozen=True)
class ErrorStats:
    """RMS and 95th percentiles of east/north/up errors, m (NaN when no epoch is given).

    Attributes
    ----------
    n : int
        Epochs counted (finite errors).
    h_rms, v_rms, d3_rms : float
        Horizontal, vertical (absolute up) and 3D root mean squares.
    h_95, v_95 : float
        95th percentiles of the horizontal and absolute vertical errors.
    mean_enu : numpy.ndarray, shape (3,)
        Mean east, north, up error.
    """

    n: int
    h_rms: float
    v_rms: float
    d3_rms: float
    h_95: float
    v_95: float
    mean_enu: np.ndarray


def error_stats(enu) -> ErrorStats:
    """Statistics of ``(N, 3)`` east/north/up errors in metres; rows with NaN are ignored."""
    enu = np.asarray(enu, dtype=float).reshape(-1, 3)
    enu = enu[np.all(np.isfinite(enu), axis=1)]
    if enu.shape[0] == 0:
        nan = float("nan")
        return ErrorStats(0, nan, nan, nan, nan, nan, np.full(3, np.nan))
    h = np.hypot(enu[:, 0], enu[:, 1])
    v = np.abs(enu[:, 2])
    return ErrorStats(
        n=int(enu.shape[0]),
        h_rms=float(np.sqrt(np.mean(h**2))),
        v_rms=float(np.sqrt(np.mean(v**2))),
        d3_rms=float(np.sqrt(np.mean(h**2 + v**2))),
        h_95=float(np.percentile(h, 95)),
        v_95=float(np.percentile(v, 95)),
        mean_enu=enu.mean(axis=0),
    )
