"""The GPT3 empirical troposphere grid (Landskron & Böhm 2018) as arrays, without format knowledge.

D. Landskron and J. Böhm, "VMF3/GPT3: refined discrete and empirical troposphere mapping functions",
J. Geod. 92:349-360, 2018. Each grid cell holds, for every quantity, the mean ``a0`` and the annual
(``A1`` cosine, ``B1`` sine) and semi-annual (``A2`` cosine, ``B2`` sine) amplitudes, in that column
order (axis 1 of the ``(ncell, 5)`` arrays). The reader is :func:`kompas.io.readers.gpt3.read_gpt3_grid`;
the evaluation is :func:`kompas.models.gpt3.gpt3`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Gpt3Grid"]


@dataclass(frozen=True, eq=False)
class Gpt3Grid:
    """GPT3 grid in SI units; cells ordered by latitude (north to south), then longitude (east from 0).

    Attributes
    ----------
    step_deg : float
        Cell size, degrees (5 for ``gpt3_5.grd``, 1 for ``gpt3_1.grd``).
    lat_deg, lon_deg : numpy.ndarray, shape (ncell,)
        Cell centres, degrees.
    pressure_pa, temperature_k, specific_humidity, lapse_rate_k_m : numpy.ndarray, shape (ncell, 5)
        Pressure (Pa), temperature (K), specific humidity (kg/kg), temperature lapse rate (K/m).
    undulation_m, height_m : numpy.ndarray, shape (ncell,)
        Geoid undulation and orthometric height of the grid surface, m.
    ah, aw : numpy.ndarray, shape (ncell, 5)
        Hydrostatic and wet mapping-function coefficients a (dimensionless).
    water_vapour_decrease, tm_k : numpy.ndarray, shape (ncell, 5)
        Water-vapour decrease factor lambda and water-vapour weighted mean temperature Tm (K).
    gn_h, ge_h, gn_w, ge_w : numpy.ndarray, shape (ncell, 5)
        Hydrostatic and wet north/east gradients, m.
    """

    step_deg: float
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    pressure_pa: np.ndarray
    temperature_k: np.ndarray
    specific_humidity: np.ndarray
    lapse_rate_k_m: np.ndarray
    undulation_m: np.ndarray
    height_m: np.ndarray
    ah: np.ndarray
    aw: np.ndarray
    water_vapour_decrease: np.ndarray
    tm_k: np.ndarray
    gn_h: np.ndarray
    ge_h: np.ndarray
    gn_w: np.ndarray
    ge_w: np.ndarray

    @property
    def n_lat(self) -> int:
        return round(180.0 / self.step_deg)

    @property
    def n_lon(self) -> int:
        return round(360.0 / self.step_deg)
