"""The position solution table and its exporters' common views."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from .frames import ecef_to_geodetic, enu_rotation
from .time import to_datetime64

__all__ = ["Quality", "Solution"]


class Quality(enum.IntEnum):
    """Solution quality, numbered as RTKLIB's Q flag (.pos column ``Q``) so files stay compatible."""

    NONE = 0
    FIX = 1
    FLOAT = 2
    SBAS = 3
    DGPS = 4
    SINGLE = 5
    PPP = 6


@dataclass(frozen=True)
class Solution:
    """Receiver positions per epoch.

    Attributes
    ----------
    time_ns : numpy.ndarray of int64, shape (E,)
        Epochs, GPST nanoseconds.
    pos_m : numpy.ndarray, shape (E, 3)
        ECEF position of the marker (antenna height removed), m; NaN where no solution.
    quality : numpy.ndarray of uint8, shape (E,)
        :class:`Quality` (0 = no solution).
    nsat : numpy.ndarray of int16, shape (E,)
        Satellites used.
    nsat_by_system : dict[str, numpy.ndarray]
        Satellites used per system letter.
    gdop, pdop, hdop, vdop : numpy.ndarray, shape (E,)
        Dilutions of precision of the satellites used (NaN where no solution).
    cov_m2 : numpy.ndarray, shape (E, 3, 3)
        Position covariance in ECEF, m^2 (NaN where unknown).
    clock_m : dict[str, numpy.ndarray]
        Receiver clock per system letter (or per clock group), m (c times seconds).
    residuals : dict or None
        Long table ``{"time_ns", "sat", "residual_m", "used"}`` of post-fit pseudorange residuals.
    meta : dict
        Free information: program, options, input files, reference position.
    """

    time_ns: np.ndarray
    pos_m: np.ndarray
    quality: np.ndarray
    nsat: np.ndarray
    nsat_by_system: dict = field(default_factory=dict)
    gdop: np.ndarray | None = None
    pdop: np.ndarray | None = None
    hdop: np.ndarray | None = None
    vdop: np.ndarray | None = None
    cov_m2: np.ndarray | None = None
    clock_m: dict = field(default_factory=dict)
    residuals: dict | None = None
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.time_ns.size)

    @property
    def ok(self) -> np.ndarray:
        """Epochs with a solution."""
        return self.quality != Quality.NONE

    def llh(self) -> np.ndarray:
        """Geodetic latitude (rad), longitude (rad), ellipsoidal height (m) on WGS-84, shape (E, 3)."""
        return ecef_to_geodetic(self.pos_m)

    def cov_enu_m2(self) -> np.ndarray:
        """Position covariance in the local east/north/up frame of each solution, m^2, shape (E, 3, 3)."""
        if self.cov_m2 is None:
            return np.full((len(self), 3, 3), np.nan)
        llh = self.llh()
        r = enu_rotation(llh[:, 0], llh[:, 1])
        return r @ self.cov_m2 @ np.swapaxes(r, -1, -2)

    def enu_error_m(self, truth_ecef) -> np.ndarray:
        """East/north/up error against a reference ECEF position, m, shape (E, 3)."""
        from .frames import ecef_to_enu

        return ecef_to_enu(self.pos_m, np.asarray(truth_ecef, dtype=float))

    def columns(self) -> dict[str, np.ndarray]:
        """The table columns: time (datetime64, GPST), x_m y_m z_m lat_deg lon_deg height_m, nsat,
        nsat_<system>, gdop pdop hdop vdop, clock_<system>_m (receiver clock, m), isb_<system>_m
        (inter-system bias: that system's clock minus the first system's, m), status (RTKLIB Q code)."""
        e = len(self)
        llh = self.llh()
        pos = np.asarray(self.pos_m, dtype=np.float64)
        cols = {
            "time": to_datetime64(self.time_ns),
            "x_m": pos[:, 0],
            "y_m": pos[:, 1],
            "z_m": pos[:, 2],
            "lat_deg": np.degrees(llh[:, 0]),
            "lon_deg": np.degrees(llh[:, 1]),
            "height_m": llh[:, 2],
            "nsat": np.asarray(self.nsat),
        }
        cols.update({f"nsat_{k}": np.asarray(v) for k, v in self.nsat_by_system.items()})
        for name in ("gdop", "pdop", "hdop", "vdop"):
            v = getattr(self, name)
            cols[name] = np.asarray(v, dtype=np.float64) if v is not None else np.full(e, np.nan)
        clocks = {k: np.asarray(v, dtype=np.float64) for k, v in self.clock_m.items()}
        cols.update({f"clock_{k}_m": v for k, v in clocks.items()})
        if len(clocks) > 1:
            ref = next(iter(clocks.values()))
            cols.update({f"isb_{k}_m": v - ref for k, v in list(clocks.items())[1:]})
        cols["status"] = np.asarray(self.quality)
        return cols

    def to_pandas(self):
        """``pandas.DataFrame`` of :meth:`columns`."""
        import pandas as pd

        return pd.DataFrame(self.columns())

    def residuals_to_pandas(self):
        """Post-fit pseudorange residuals per satellite and epoch (``pandas.DataFrame``)."""
        import pandas as pd

        from .satsys import sat_id

        if not self.residuals:
            raise ValueError("this solution carries no residuals")
        r = self.residuals
        return pd.DataFrame(
            {
                "time": to_datetime64(r["time_ns"]),
                "sv": sat_id(r["sat"]) if len(r["sat"]) else np.zeros(0, "U3"),
                "residual_m": r["residual_m"],
                "elevation_deg": np.degrees(r["elevation_rad"]),
                "used": r["used"],
            }
        )
