"""Forward-backward combination of two filter passes (the two-filter smoother).

For a state estimated by a forward filter (``x_f``, ``P_f``, using the data up to an epoch) and a backward
filter (``x_b``, ``P_b``, using the data from that epoch on), the combined estimate is the
inverse-covariance weighted mean (Fraser & Potter 1969, IEEE Trans. Autom. Control 14(4):387-390; RTKLIB
``smoother()``)::

    P = (P_f^-1 + P_b^-1)^-1,   x = P (P_f^-1 x_f + P_b^-1 x_b)

Both passes use the epoch's own measurements, which RTKLIB's combined mode also accepts; the covariance is
therefore somewhat optimistic. Where only one pass has a solution it is taken as it is.
"""

from __future__ import annotations

import numpy as np

__all__ = ["combine"]


def combine(x_f, P_f, x_b, P_b):
    """Combine forward and backward estimates per epoch.

    Parameters
    ----------
    x_f, x_b : numpy.ndarray, shape (E, N)
        Estimates (NaN rows where a pass has none).
    P_f, P_b : numpy.ndarray, shape (E, N, N)
        Their covariances.

    Returns
    -------
    x, P : numpy.ndarray, shapes (E, N) and (E, N, N)
    """
    x_f, x_b = np.asarray(x_f, float), np.asarray(x_b, float)
    P_f, P_b = np.asarray(P_f, float), np.asarray(P_b, float)
    ok_f = np.isfinite(x_f).all(-1) & np.isfinite(P_f).all((-2, -1))
    ok_b = np.isfinite(x_b).all(-1) & np.isfinite(P_b).all((-2, -1))
    x = np.where(ok_f[:, None], x_f, x_b)
    P = np.where(ok_f[:, None, None], P_f, P_b)
    both = np.flatnonzero(ok_f & ok_b)
    if both.size:
        i_f = np.linalg.inv(P_f[both])
        i_b = np.linalg.inv(P_b[both])
        P_c = np.linalg.inv(i_f + i_b)
        x[both] = np.einsum(
            "eij,ej->ei",
            P_c,
            np.einsum("eij,ej->ei", i_f, x_f[both]) + np.einsum("eij,ej->ei", i_b, x_b[both]),
        )
        P[both] = 0.5 * (P_c + np.swapaxes(P_c, -1, -2))
    return x, P
