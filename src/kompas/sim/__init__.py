"""Observation simulator: nominal constellations, broadcast navigation data, observations and products.

The built-in offline demo of kompas and the truth behind closed-loop tests: :func:`nominal_elements`
gives design orbits of BeiDou-2/-3, GLONASS, GPS and Galileo, :func:`make_nav` turns them into
broadcast navigation data in kompas's own tables (plus the *truth* the observations are made from),
and :func:`simulate_obs` produces an :class:`~kompas.tables.obs.ObsTable` for a static receiver,
with switchable error terms and injected events (:class:`ErrorModel`, :class:`Event`);
:func:`simulate` chains the three (optionally writing RINEX in blocks), :func:`simulate_baseline`
gives a base and a rover, and :func:`write_products` writes SP3 and RINEX clock files from the truth.
"""

from __future__ import annotations

from .constellations import GLONASS_CHANNELS, nominal_elements
from .errormodel import ErrorModel
from .events import Event, EventTable
from .navdata import SimTruth, make_nav
from .observations import SIM_SIGNALS, Receiver, ReceiverSim, simulate_obs
from .products import write_products
from .scenario import BaselineResult, SimResult, nav_span, rover_error_model, simulate, simulate_baseline

__all__ = [
    "GLONASS_CHANNELS",
    "nominal_elements",
    "SimTruth",
    "make_nav",
    "SIM_SIGNALS",
    "ErrorModel",
    "Event",
    "EventTable",
    "Receiver",
    "ReceiverSim",
    "simulate_obs",
    "SimResult",
    "simulate",
    "BaselineResult",
    "simulate_baseline",
    "rover_error_model",
    "nav_span",
    "write_products",
]
