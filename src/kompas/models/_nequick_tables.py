"""The NeQuick-G data tables (CCIR foF2/M(3000)F2 maps and the MODIP grid), loaded once.

The tables are package data (``kompas/data/nequick_g.npz``, built by ``tools/make_nequick_tables.py``
from the data files that define the Galileo Ionospheric Correction Algorithm, issue 1.2), not a
user input: like the leap-second table of :mod:`kompas.time`, they are part of the model.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class NequickTables:
    """The ICD 1.2 data, as arrays.

    Attributes
    ----------
    f2 : numpy.ndarray, shape (12, 2, 76, 13)
        foF2 coefficients per month (January first), for R12 = 0 and R12 = 100 (ICD sec. 2.5.5.3).
    fm3 : numpy.ndarray, shape (12, 2, 49, 9)
        M(3000)F2 coefficients, same layout.
    modip : numpy.ndarray, shape (39, 39)
        Modified dip latitude, deg; row ``i`` is latitude ``-95 + 5 i`` deg and column ``j`` is
        longitude ``-190 + 10 j`` deg (one wrapped row/column on each side, ICD sec. 2.5.4.3).
    source : str
        Names and SHA-256 of the files the arrays were read from.
    """

    f2: np.ndarray
    fm3: np.ndarray
    modip: np.ndarray
    source: str


@lru_cache(maxsize=1)
def nequick_tables() -> NequickTables:
    """Load (once) the NeQuick-G tables shipped in ``kompas/data/nequick_g.npz``."""
    raw = resources.files("kompas").joinpath("data/nequick_g.npz").read_bytes()
    with np.load(io.BytesIO(raw), allow_pickle=False) as data:
        arrays = {k: np.ascontiguousarray(data[k], dtype=np.float64) for k in ("f2", "fm3", "modip")}
        source = str(data["source"])
    for a in arrays.values():
        a.setflags(write=False)
    return NequickTables(source=source, **arrays)
