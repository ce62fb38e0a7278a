"""Linear combinations of observations on two frequencies (one place for every recipe and QC).

For frequencies f1 != f2 (Hz), code P_i and phase L_i in metres (phase cycles times wavelength):

=====================  ===============================================  ===============================
combination            definition                                       removes / keeps
=====================  ===============================================  ===============================
ionosphere-free (IF)   (f1^2 X1 - f2^2 X2) / (f1^2 - f2^2)              first-order ionosphere
geometry-free (GF)     X1 - X2 (phase: L1 - L2)                         geometry, clocks, troposphere
wide-lane phase        (f1 L1 - f2 L2) / (f1 - f2)                      wavelength c / (f1 - f2)
narrow-lane code       (f1 P1 + f2 P2) / (f1 + f2)
Melbourne-Wuebbena     wide-lane phase - narrow-lane code               geometry, ionosphere (cycles of
                                                                        the wide lane after / lambda_WL)
code multipath MP_i    P_i - L_i - 2 f_j^2/(f_i^2 - f_j^2) (L_i - L_j)  ionosphere (first order)
=====================  ===============================================  ===============================

References: Hofmann-Wellenhof, Lichtenegger & Wasle, *GNSS* (2008) sec. 5.4; Melbourne (1985),
Wuebbena (1985); Estey & Meertens (1999) for MP (teqc).
"""

from __future__ import annotations

import numpy as np

from ..constants import C_LIGHT

__all__ = [
    "if_coefficients",
    "iono_free",
    "geometry_free",
    "wide_lane_wavelength",
    "wide_lane_phase",
    "narrow_lane_code",
    "melbourne_wubbena",
    "code_multipath",
    "iono_scale",
]


def if_coefficients(f1_hz, f2_hz):
    """Coefficients ``(a1, a2)`` of the ionosphere-free combination ``a1 X1 + a2 X2`` (``a1 + a2 = 1``)."""
    f1s = np.asarray(f1_hz, dtype=float) ** 2
    f2s = np.asarray(f2_hz, dtype=float) ** 2
    a1 = f1s / (f1s - f2s)
    return a1, 1.0 - a1


def iono_free(x1, x2, f1_hz, f2_hz):
    """Ionosphere-free combination of two code (or phase, in metres) observations."""
    a1, a2 = if_coefficients(f1_hz, f2_hz)
    return a1 * x1 + a2 * x2


def geometry_free(x1, x2):
    """Geometry-free combination ``X1 - X2`` (m)."""
    return np.asarray(x1) - np.asarray(x2)


def wide_lane_wavelength(f1_hz, f2_hz):
    """Wide-lane wavelength ``c / (f1 - f2)``, m."""
    return C_LIGHT / (np.asarray(f1_hz, dtype=float) - np.asarray(f2_hz, dtype=float))


def wide_lane_phase(l1_m, l2_m, f1_hz, f2_hz):
    """Wide-lane phase ``(f1 L1 - f2 L2) / (f1 - f2)``, m (phases given in metres)."""
    f1 = np.asarray(f1_hz, dtype=float)
    f2 = np.asarray(f2_hz, dtype=float)
    return (f1 * l1_m - f2 * l2_m) / (f1 - f2)


def narrow_lane_code(p1_m, p2_m, f1_hz, f2_hz):
    """Narrow-lane code ``(f1 P1 + f2 P2) / (f1 + f2)``, m."""
    f1 = np.asarray(f1_hz, dtype=float)
    f2 = np.asarray(f2_hz, dtype=float)
    return (f1 * p1_m + f2 * p2_m) / (f1 + f2)


def melbourne_wubbena(l1_cyc, l2_cyc, p1_m, p2_m, f1_hz, f2_hz):
    """Melbourne-Wuebbena combination in wide-lane cycles: (wide-lane phase - narrow-lane code)/lambda_WL.

    Phases in cycles of their own carriers; equal to the wide-lane ambiguity plus biases and noise, so a
    jump reveals a cycle slip of ``N1 - N2``.
    """
    f1 = np.asarray(f1_hz, dtype=float)
    f2 = np.asarray(f2_hz, dtype=float)
    l1_m, l2_m = l1_cyc * C_LIGHT / f1, l2_cyc * C_LIGHT / f2
    return (
        wide_lane_phase(l1_m, l2_m, f1, f2) - narrow_lane_code(p1_m, p2_m, f1, f2)
    ) / wide_lane_wavelength(f1, f2)


def code_multipath(p_i_m, l_i_m, l_j_m, f_i_hz, f_j_hz):
    """Code multipath and noise of ``P_i`` plus a constant per arc (teqc's MP_i), m.

    ``MP_i = P_i - L_i - 2 f_j^2 / (f_i^2 - f_j^2) (L_i - L_j)`` with phases in metres: first-order
    ionosphere cancels (Estey & Meertens 1999, eq. 6-7); the arc's mean (ambiguities, biases) is removed
    by the caller.
    """
    fi2 = np.asarray(f_i_hz, dtype=float) ** 2
    fj2 = np.asarray(f_j_hz, dtype=float) ** 2
    return p_i_m - l_i_m - 2.0 * fj2 / (fi2 - fj2) * (l_i_m - l_j_m)


def iono_scale(f_ref_hz, f_hz):
    """Factor that turns a first-order ionospheric delay at ``f_ref`` into one at ``f``: (f_ref / f)^2."""
    return (np.asarray(f_ref_hz, dtype=float) / np.asarray(f_hz, dtype=float)) ** 2
