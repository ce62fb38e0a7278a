"""User range error seen by stations: SPP residuals per satellite and positioning error per station.

Each observation file is solved with :func:`kompas.spp` (the recipe's options, e.g. system mix and
ionosphere model, from an :class:`~kompas.spp.SppConfig`). The user-equivalent range error of a satellite
is the RMS of its post-fit pseudorange residuals over the epochs where it served a solution: the
signal-in-space error plus the station's residual atmosphere, multipath and noise, minus what the
receiver clocks and position absorbed (so it is a lower bound of the a-priori UERE). The positioning
error is the east/north/up difference of each solved epoch from the station's reference coordinate
(:mod:`kompas.stats`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..satsys import sat_id
from ..stats import ErrorStats, error_stats

__all__ = ["StationResult", "station_uere"]


@dataclass(frozen=True, eq=False)
class StationResult:
    """Outcome of one station.

    Attributes
    ----------
    name : str
        Marker name (or the file name).
    reference_m : numpy.ndarray, shape (3,)
        Reference ECEF coordinate, m; ``reference_label`` says where it comes from.
    reference_label : str
    systems : str
    time_ns : numpy.ndarray, shape (E,)
    enu_m : numpy.ndarray, shape (E, 3)
        Position error per epoch, m (NaN where not solved).
    pdop : numpy.ndarray, shape (E,)
    stats : ErrorStats
    satellites : list of dict
        Per satellite: ``sat``, ``n`` (epochs used), ``uere_m`` (RMS residual), ``mean_m``, ``max_abs_m``.
    """

    name: str
    reference_m: np.ndarray
    reference_label: str
    systems: str
    time_ns: np.ndarray
    enu_m: np.ndarray
    pdop: np.ndarray
    stats: ErrorStats
    satellites: list

    def summary(self) -> dict:
        """One row for the station table."""
        s = self.stats
        return {
            "station": self.name,
            "systems": self.systems,
            "reference": self.reference_label,
            "epochs": int(self.time_ns.size),
            "solved": int(s.n),
            "h_rms_m": s.h_rms,
            "v_rms_m": s.v_rms,
            "d3_rms_m": s.d3_rms,
            "h_95_m": s.h_95,
            "v_95_m": s.v_95,
            "pdop_mean": float(np.nanmean(self.pdop)) if np.isfinite(self.pdop).any() else float("nan"),
        }


def _per_satellite(res: dict) -> list:
    used = np.asarray(res["used"], bool)
    sat = np.asarray(res["sat"])[used]
    v = np.asarray(res["residual_m"], float)[used]
    rows = []
    for x in np.unique(sat).tolist():
        r = v[sat == x]
        r = r[np.isfinite(r)]
        if r.size:
            rows.append(
                {
                    "sat": sat_id(int(x)),
                    "n": int(r.size),
                    "uere_m": float(np.sqrt(np.mean(r * r))),
                    "mean_m": float(r.mean()),
                    "max_abs_m": float(np.abs(r).max()),
                }
            )
    return rows


def station_uere(
    obs,
    product,
    systems: str = "GRECJ",
    reference_m=None,
    reference_label: str = "",
    config=None,
    name: str | None = None,
) -> StationResult:
    """SPP of one observation file: residual UERE per satellite and position error against a reference.

    Parameters
    ----------
    obs : ObsTable
        From :func:`kompas.read_obs`.
    product : BroadcastProduct
        Broadcast navigation data (its record policy applies).
    systems : str
        System letters to use (only those the file observes are kept).
    reference_m : array_like, shape (3,), optional
        Reference marker coordinate, ECEF m; default the header's approximate position (labelled so).
    reference_label : str
        Where ``reference_m`` comes from.
    config : SppConfig, optional
        Further SPP options.
    name : str, optional
        Station name (default: the header's marker name, else the file's name); at most 30 characters
        are kept.
    """
    from ..spp import SppConfig, spp

    cfg = config or SppConfig()
    letters = "".join(x for x in systems if x in obs.systems) or systems
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # silent systems are recorded in the solution, not shouted here
        sol = spp(obs, product, systems=letters, config=cfg.replace(residuals=True))
    if reference_m is None:
        reference_m = np.asarray(obs.station.approx_position_m, dtype=float)
        reference_label = "header APPROX POSITION (not a truth)"
    ref = np.asarray(reference_m, dtype=float)
    enu = sol.enu_error_m(ref)
    enu = np.where(sol.ok[:, None], enu, np.nan)
    path = getattr(obs, "path", None)
    marker = name or obs.station.marker_name or (Path(path).name if path else "station")
    return StationResult(
        str(marker).strip()[:30],
        ref,
        reference_label or "given",
        letters,
        sol.time_ns,
        enu,
        np.asarray(sol.pdop, float),
        error_stats(enu[sol.ok]),
        _per_satellite(sol.residuals),
    )
