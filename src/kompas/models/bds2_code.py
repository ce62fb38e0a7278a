"""BeiDou-2 satellite-induced code bias: elevation-dependent corrections of IGSO and MEO pseudoranges.

The IGSO and MEO satellites of BeiDou-2 show code variations with elevation that neither GPS nor BeiDou-3
satellites have: up to 1.5 m over the elevation range on B1I for MEO (Wanninger & Beer 2015, "BeiDou
satellite-induced code pseudorange variations: diagnosis and therapy", GPS Solutions 19:639-648). The
correction of their Table 1, piecewise linear between 10-degree nodes and *added* to the pseudorange,
is what PPP software applies (GAMP, PRIDE PPP-AR); :mod:`kompas.qc.multipath` uses it for MP, and
:mod:`kompas.ppp_model` for the codes of PPP.
"""

from __future__ import annotations

import numpy as np

from ..satsys import bds_generation, bds_orbit_class

__all__ = ["WB2015_IGSO_M", "WB2015_MEO_M", "WB2015_BANDS", "bds2_code_correction"]

WB2015_BANDS = (2, 7, 6)
"""RINEX band digits of the rows of the Wanninger & Beer tables: B1I (1561.098 MHz), B2I (1207.14 MHz),
B3I (1268.52 MHz).

The paper's Table 1 was not reachable here and open implementations disagree: GAMP's ``BDmultipathCorr``
labels the rows B1, B2, B3 (but indexes them by its receiver's frequency slots, which in RTKLIB-derived code
puts B3I in the second slot), a Fortran ``bds_code_cor`` maps L2, L7, L6 to rows 1, 2, 3, and a DGNSS
server's ``beidou_code_correction`` applies row 2 to C6I and row 3 to C7I. The rows are matched here by band,
checked on ESBC's full day (2020-06-25, BDS-2 MEO C11/C12/C14 from 10 to 90 deg; ``benchmarks/
bench_bds2_rows.py``, ``tests/reference/test_qc_bds2_rows.py``): applying each row to each band's MP, the
RMS left is smallest for the band's own row and the fitted scale of that row is 1.05-1.11 (C2I: 0.383 m
with row 1 against 0.423/0.498 m with rows 2/3; C7I: 0.221 m with row 2 against 0.248/0.271 m; C6I:
0.202 m with row 3 against 0.330/0.239 m). Swapping rows 2 and 3 (the DGNSS server's assignment) leaves
22 % more on C7I and 18 % more on C6I. The IGSO satellites stay below 45 deg at Esbjerg, where the rows
differ by centimetres, and do not discriminate."""

# Wanninger & Beer (2015) Table 1: corrections (m) at elevations 0, 10, ..., 90 deg, rows B1, B2, B3
WB2015_IGSO_M = np.array(
    [
        [-0.55, -0.40, -0.34, -0.23, -0.15, -0.04, 0.09, 0.19, 0.27, 0.35],
        [-0.71, -0.36, -0.33, -0.19, -0.14, -0.03, 0.08, 0.17, 0.24, 0.33],
        [-0.27, -0.23, -0.21, -0.15, -0.11, -0.04, 0.05, 0.14, 0.19, 0.32],
    ]
)
"""IGSO rows (B1I, B2I, B3I) at 0..90 deg in 10-deg steps, m (Wanninger & Beer 2015, Table 1)."""
WB2015_MEO_M = np.array(
    [
        [-0.47, -0.38, -0.32, -0.23, -0.11, 0.06, 0.34, 0.69, 0.97, 1.05],
        [-0.40, -0.31, -0.26, -0.18, -0.06, 0.09, 0.28, 0.48, 0.64, 0.69],
        [-0.22, -0.15, -0.13, -0.10, -0.04, 0.05, 0.14, 0.27, 0.36, 0.47],
    ]
)
"""MEO rows (B1I, B2I, B3I) at 0..90 deg in 10-deg steps, m (Wanninger & Beer 2015, Table 1)."""


def bds2_code_correction(sat, band, el_rad, rows_of_band=None) -> np.ndarray:
    """Wanninger & Beer (2015) correction to add to BDS-2 IGSO/MEO pseudoranges, m (0 elsewhere).

    Parameters
    ----------
    sat : array_like of int
        Satellite indices.
    band : array_like of int
        Band digits (2 B1I, 7 B2I, 6 B3I; other bands get 0).
    el_rad : array_like
        Elevation, rad (linear interpolation between 10-deg nodes, constant beyond 0 and 90 deg).
    rows_of_band : tuple of int, optional
        Band digit of each table row (default :data:`WB2015_BANDS`); tests swap rows with it.
    """
    sat, band, el = np.broadcast_arrays(np.asarray(sat), np.asarray(band), np.asarray(el_rad, dtype=float))
    rows = WB2015_BANDS if rows_of_band is None else tuple(rows_of_band)
    row = np.full(band.shape, -1)
    for k, b in enumerate(rows):
        row[band == b] = k
    cls = bds_orbit_class(sat)
    use = (bds_generation(sat) == 2) & np.isin(cls, ("IGSO", "MEO")) & (row >= 0) & np.isfinite(el)
    x = np.clip(np.degrees(np.where(use, el, 0.0)) / 10.0, 0.0, 9.0)
    k0 = np.minimum(np.floor(x).astype(int), 8)
    w = x - k0
    r = np.maximum(row, 0)
    out = np.zeros(band.shape)
    for table, name in ((WB2015_IGSO_M, "IGSO"), (WB2015_MEO_M, "MEO")):
        m = use & (cls == name)
        out[m] = table[r[m], k0[m]] * (1 - w[m]) + table[r[m], k0[m] + 1] * w[m]
    return out
