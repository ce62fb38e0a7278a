"""One call for the demo scenario: nominal constellations -> navigation data -> observations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..tables.nav import NavData
from ..tables.obs import ObsTable
from .constellations import nominal_elements
from .navdata import SimTruth, make_nav
from .observations import ErrorModel, simulate_obs

__all__ = ["SimResult", "simulate"]


@dataclass(frozen=True)
class SimResult:
    """Output of :func:`simulate`: observations, broadcast navigation data, truth and receiver position.

    Attributes
    ----------
    obs : ObsTable
    nav : NavData
    truth : SimTruth
    receiver_ecef_m : numpy.ndarray, shape (3,)
        True receiver position, ECEF m.
    """

    obs: ObsTable
    nav: NavData
    truth: SimTruth
    receiver_ecef_m: np.ndarray


def simulate(
    receiver_ecef,
    start_ns: int,
    hours: float = 2.0,
    interval_s: float = 30.0,
    systems: str = "CRGE",
    errors: str | ErrorModel = "default",
    seed: int = 0,
    nav: NavData | None = None,
    sis_error_m: float = 0.0,
) -> SimResult:
    """Simulate the nominal constellations seen from a static receiver.

    Parameters
    ----------
    receiver_ecef : array_like, shape (3,)
        True receiver position, ECEF m.
    start_ns : int
        First epoch, GPST ns (also the epoch of the nominal elements).
    hours, interval_s : float
        Span (h) and epoch spacing (s).
    systems : str
        Letters among ``"CRGE"``.
    errors : {"none", "default"} or ErrorModel
    seed : int
    nav : NavData, optional
        Simulate the real constellation of this navigation file instead of the nominal one: its
        broadcast orbits and clocks are the truth (:class:`~kompas.sim.realnav.BroadcastTruth`) and it
        is also the navigation data returned (``sis_error_m`` does not apply).
    sis_error_m : float
        Signal-in-space error RMS per component, m (:func:`make_nav`).

    Raises
    ------
    ConfigError
        For unknown systems or error-model names.
    """
    if isinstance(errors, str):
        if errors not in ("none", "default"):
            raise ConfigError(f"errors must be 'none' or 'default', not {errors!r}")
        errors = ErrorModel.none() if errors == "none" else ErrorModel.default()
    rcv = np.asarray(receiver_ecef, dtype=float).reshape(3)
    if nav is not None:
        from .realnav import BroadcastTruth

        truth = BroadcastTruth(nav, start_ns, int(hours * 3600e9))
        obs = simulate_obs(truth, nav, rcv, start_ns, hours, interval_s, systems, errors, seed)
        return SimResult(obs, nav, truth, rcv)
    el = nominal_elements(systems, start_ns)
    nav_data, truth = make_nav(el, start_ns, hours, sis_error_m=sis_error_m, seed=seed)
    obs = simulate_obs(truth, nav_data, rcv, start_ns, hours, interval_s, systems, errors, seed)
    return SimResult(obs, nav_data, truth, rcv)
