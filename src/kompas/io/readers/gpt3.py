"""Reader of the GPT3 grid files of TU Wien (``gpt3_5.grd``, ``gpt3_1.grd``).

Format (the file's ``%`` header line names the columns): one line per grid cell, whitespace separated,
64 columns: ``lat lon``, then pressure (Pa) ``a0 A1 B1 A2 B2``, temperature (K) x5, specific humidity
(g/kg) x5, temperature lapse rate (mK/m) x5, geoid undulation (m), orthometric grid
height (m), a_h x5 (x1000), a_w x5 (x1000), lambda x5, Tm (K) x5, Gn_h x5, Ge_h x5, Gn_w x5, Ge_w x5
(gradients in units of 1e-5 m). The scale factors are those of TU Wien's ``gpt3_5_fast_readGrid.m``
(Landskron & Böhm 2018). Cells run from the north (lat = 90 - step/2) southwards and, within a latitude,
eastwards from lon = step/2 (written -177.5 .. -2.5 past 180 deg).
"""

from __future__ import annotations

import io
import os

import numpy as np

from ...errors import FormatError
from ...tables.gpt3 import Gpt3Grid
from .._open import file_name, read_text

__all__ = ["read_gpt3_grid"]

_NCOL = 64
_HARMONICS = ("a0", "A1", "B1", "A2", "B2")
_ATMOSPHERE = tuple(f"{q}:{h}" for q in ("p", "T", "Q", "dT") for h in _HARMONICS)
_MAPPING = tuple(
    f"{q}:{h}" for q in ("a_h", "a_w", "lambda", "Tm", "Gn_h", "Ge_h", "Gn_w", "Ge_w") for h in _HARMONICS
)
_COLUMNS = ("lat", "lon", *_ATMOSPHERE, "undu", "Hs", *_MAPPING)
"""The 64 column names of the files' ``%`` header line."""
# What a grid cell can hold (the file's units): the mean pressure and temperature of a cell's mean height
# on Earth (the 5-deg grid spans 54-102 kPa and 231-304 K), and no quantity beyond 1e6 (the largest is the
# mean pressure, ~1e5 Pa). A value outside is a damaged row, not weather.
_RANGES = {"p:a0": (30000.0, 120000.0), "T:a0": (150.0, 350.0)}
_MAX_ABS = 1.0e6


def read_gpt3_grid(path: str | os.PathLike) -> Gpt3Grid:
    """Read a GPT3 grid file into SI units (format in the module docstring).

    Raises
    ------
    FormatError
        Rows without 64 numbers, a value no cell can hold (not finite, beyond 1e6, a mean pressure outside
        30-120 kPa or a mean temperature outside 150-350 K; with its line and column), or cells that do
        not form the regular grid.
    """
    name = file_name(path)
    text = read_text(path)
    try:
        data = np.loadtxt(io.StringIO(text), comments="%", dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise FormatError(name, None, f"GPT3 grid rows must hold {_NCOL} numbers ({exc})") from None
    if data.shape[1] != _NCOL:
        raise FormatError(name, None, f"GPT3 grid rows must hold {_NCOL} numbers, found {data.shape[1]}")
    _check_values(name, text, data)
    lat, lon = data[:, 0], data[:, 1]
    step = float(np.round(np.abs(lon[1] - lon[0]), 6)) if len(lon) > 1 else 0.0
    if step <= 0 or len(data) != round(180 / step) * round(360 / step):
        raise FormatError(name, None, f"{len(data)} cells do not form a regular global grid of step {step}")
    n_lon = round(360 / step)
    k = np.arange(len(data))
    want_lat = 90.0 - step / 2 - (k // n_lon) * step
    want_lon = step / 2 + (k % n_lon) * step
    if not (np.allclose(lat, want_lat) and np.allclose(np.mod(lon, 360.0), want_lon)):
        raise FormatError(name, None, "cells are not ordered north to south, then west to east from 0 deg")

    def c(i, scale=1.0):
        return data[:, i : i + 5] / scale

    return Gpt3Grid(
        step_deg=step,
        lat_deg=lat,
        lon_deg=lon,
        pressure_pa=c(2),
        temperature_k=c(7),
        specific_humidity=c(12, 1000.0),
        lapse_rate_k_m=c(17, 1000.0),
        undulation_m=data[:, 22].copy(),
        height_m=data[:, 23].copy(),
        ah=c(24, 1000.0),
        aw=c(29, 1000.0),
        water_vapour_decrease=c(34),
        tm_k=c(39),
        gn_h=c(44, 1e5),
        ge_h=c(49, 1e5),
        gn_w=c(54, 1e5),
        ge_w=c(59, 1e5),
    )


def _check_values(name: str, text: str, data: np.ndarray) -> None:
    """FormatError at the first value that is not finite, beyond :data:`_MAX_ABS` or outside its
    :data:`_RANGES`, naming its line and column."""
    lo = np.full(_NCOL, -_MAX_ABS)
    hi = np.full(_NCOL, _MAX_ABS)
    for col, (a, b) in _RANGES.items():
        lo[_COLUMNS.index(col)], hi[_COLUMNS.index(col)] = a, b
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(data) | (data < lo) | (data > hi)
    if not bad.any():
        return
    row, col = np.argwhere(bad)[0]
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if line.split("%", 1)[0].strip()]
    ranged = _COLUMNS[col] in _RANGES
    want = f"{lo[col]:g} .. {hi[col]:g}" if ranged else f"a finite value within +-{_MAX_ABS:g}"
    raise FormatError(name, lines[row], f"{_COLUMNS[col]} = {data[row, col]:g}: expected {want}")
