"""Observation simulator: nominal constellations, broadcast navigation data and observations.

The built-in offline demo of kompas: :func:`nominal_elements` gives design orbits of BeiDou-3,
GLONASS, GPS and Galileo, :func:`make_nav` turns them into broadcast navigation data in kompas's
own tables (plus the *truth* the observations are made from), and :func:`simulate_obs` produces an
:class:`~kompas.tables.obs.ObsTable` for a static receiver, with switchable error terms
(:class:`ErrorModel`); :func:`simulate` chains the three.
"""

from __future__ import annotations

from .constellations import GLONASS_CHANNELS, nominal_elements
from .navdata import SimTruth, make_nav
from .observations import SIM_SIGNALS, ErrorModel, simulate_obs
from .scenario import SimResult, simulate

__all__ = [
    "GLONASS_CHANNELS",
    "nominal_elements",
    "SimTruth",
    "make_nav",
    "SIM_SIGNALS",
    "ErrorModel",
    "simulate_obs",
    "SimResult",
    "simulate",
]
