"""The satellite-state protocol shared by broadcast and precise products.

Every product offers ``state(sats, t_gpst_ns, offset_s=0.0) -> SatState``, vectorised over any mix
of satellites and times. Rows that cannot be computed carry a status code saying why, never an
exception and never a NaN without a reason.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import ConfigError
from ..satsys import sat_index
from ..time import _as_ns

__all__ = ["SatState", "Status", "SatelliteProduct", "as_query", "as_signals"]


class Status(enum.IntEnum):
    """Why a row of a :class:`SatState` is or is not valid."""

    OK = 0
    NO_EPHEMERIS = 1  # no record of this satellite at all, or none near the time
    UNHEALTHY = 2  # the nearest usable record flags the satellite unhealthy
    OUTSIDE_FIT = 3  # records exist, but the time is outside their fit/validity interval
    NO_PRECISE = 4  # precise product has no value there (missing sample, gap, or beyond its span)
    UNSUPPORTED = 5  # the product cannot evaluate this satellite (e.g. a message type not implemented)
    STALE = 6  # only a record older than the system's validity (ICD policy) exists; stretching would use it


@dataclass(frozen=True)
class SatState:
    """Satellite positions, velocities and clocks at query instants (one row per query).

    Attributes
    ----------
    pos_m : numpy.ndarray, shape (N, 3)
        ECEF position, m (ECEF frame of the evaluation instant).
    vel_mps : numpy.ndarray, shape (N, 3)
        ECEF velocity, m/s.
    clk_s : numpy.ndarray, shape (N,)
        Satellite clock bias, s (positive: the satellite clock is ahead of system time).
    clk_rate : numpy.ndarray, shape (N,)
        Clock drift, s/s.
    var_m2 : numpy.ndarray, shape (N,)
        Variance of the signal-in-space range error, m^2 (from URA/SISA/accuracy), NaN if unknown: the
        navigation file's accuracy in metres squared as written (RTKLIB 2.4.3 rounds it up to its URA
        index's upper bound first, 2.0 -> 2.4 m, so its SPP standard deviations come out a few % larger).
    status : numpy.ndarray of uint8, shape (N,)
        :class:`Status` codes; values of rows with a non-zero status are NaN.
    age_s : numpy.ndarray, shape (N,)
        Age of the broadcast record behind the row, s: query time minus its reference epoch (toe,
        GLONASS t_b); negative before it. Given for OK rows and for STALE rows (the age of the record
        that stretching would use); NaN otherwise and for precise products.
    """

    pos_m: np.ndarray
    vel_mps: np.ndarray
    clk_s: np.ndarray
    clk_rate: np.ndarray
    var_m2: np.ndarray
    status: np.ndarray
    age_s: np.ndarray | None = None

    def __post_init__(self):
        if self.age_s is None:
            object.__setattr__(self, "age_s", np.full(np.shape(self.status), np.nan))

    @classmethod
    def empty(cls, n: int) -> SatState:
        """``n`` rows of NaN with status NO_EPHEMERIS, to be filled."""
        return cls(
            np.full((n, 3), np.nan),
            np.full((n, 3), np.nan),
            np.full(n, np.nan),
            np.full(n, np.nan),
            np.full(n, np.nan),
            np.full(n, Status.NO_EPHEMERIS, dtype=np.uint8),
        )

    def __len__(self) -> int:
        return int(self.status.size)

    @property
    def ok(self) -> np.ndarray:
        return self.status == Status.OK


class SatelliteProduct(Protocol):
    def state(self, sats, t_gpst_ns, offset_s=0.0) -> SatState: ...


def as_query(sats, t_gpst_ns, offset_s=0.0):
    """Normalise a query: satellite indices (int16), times (int64 ns) and offsets (float s), all 1-D.

    ``sats`` may be ids (``"C19"``) or indices, the times integers or :class:`~kompas.time.GTime`; the three
    broadcast together.

    Raises
    ------
    TimeError
        Times that are not integer nanoseconds (``datetime64``, floats): cast, they would read as another
        instant.
    ConfigError
        Satellites, times and offsets of lengths that do not broadcast together (2 satellites, 3 times).
    """
    s = np.asarray(sats)
    if s.dtype.kind in "US":
        s = sat_index(s)
    s = s.astype(np.int16)
    t = _as_ns(t_gpst_ns, "t_gpst_ns")
    o = np.asarray(offset_s, dtype=np.float64)
    try:
        s, t, o = np.broadcast_arrays(np.atleast_1d(s), np.atleast_1d(t), np.atleast_1d(o))
    except ValueError:
        raise ConfigError(
            f"sats, t_gpst_ns and offset_s must broadcast together (one value, or one per query), not shapes "
            f"{np.shape(s)}, {np.shape(t)} and {np.shape(o)}"
        ) from None
    return s.ravel(), t.ravel(), o.ravel()


def as_signals(signal, n: int):
    """The ``signal`` argument of a query of ``n`` rows: ``None`` or one code passes, an array gives one
    signal per row (one value serves every row).

    Raises
    ------
    ConfigError
        An array of another length: it was an IndexError deep inside, or signals paired with other rows.
    """
    if signal is None or np.ndim(signal) == 0:
        return signal
    sig = np.asarray(signal).ravel()
    if sig.size not in (1, n):
        raise ConfigError(
            f"signal gives {sig.size} signals for {n} queries: give one signal, or one per query (satellites "
            "and times broadcast together)"
        )
    return np.broadcast_to(sig, (n,))
