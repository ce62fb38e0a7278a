"""The position solution table and its exporters' common views."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields, replace

import numpy as np

from .frames import ecef_to_geodetic, enu_rotation
from .time import to_datetime64

__all__ = ["Quality", "Unsolved", "ProcessingRecord", "Solution"]


class Quality(enum.IntEnum):
    """Solution quality, numbered as RTKLIB's Q flag (.pos column ``Q``) so files stay compatible."""

    NONE = 0
    FIX = 1
    FLOAT = 2
    SBAS = 3
    DGPS = 4
    SINGLE = 5
    PPP = 6


def require_solution(value, who: str) -> None:
    """ConfigError unless ``value`` is a :class:`Solution` (``who`` names the writer)."""
    if not isinstance(value, Solution):
        from .errors import ConfigError

        raise ConfigError(f"{who} writes a Solution, not {type(value).__name__}")


def unsolved_counts(reason) -> dict[str, int]:
    """Unsolved epochs per reason (:class:`Unsolved` codes, 0 solved) by name, in code order: the
    :attr:`ProcessingRecord.unsolved` of a run."""
    counts = np.bincount(np.asarray(reason, dtype=np.int64), minlength=len(Unsolved))
    return {Unsolved(i).name.lower(): int(c) for i, c in enumerate(counts) if i and c}


def reasons_text(counts: dict, n: int) -> str:
    """``"no ephemeris in 1 of 120 epochs, ..."`` of :func:`unsolved_counts` ``counts`` of ``n`` epochs."""
    return ", ".join(f"{k.replace('_', ' ')} in {v} of {n} epochs" for k, v in counts.items())


def unsolved_text(sol) -> str:
    """Every reason of the unsolved epochs with its count: ``"no ephemeris in 1 of 120 epochs, ..."``."""
    return reasons_text(sol.record.unsolved, len(sol))


class Unsolved(enum.IntEnum):
    """Why an epoch has no solution (0 for a solved epoch): 1-7 in the order a receiver's checks run, then
    relative positioning's own."""

    SOLVED = 0
    NO_OBSERVATIONS = 1  # no usable pseudorange of the systems asked for
    NO_EPHEMERIS = 2  # pseudoranges, but no satellite with a usable ephemeris
    BELOW_MASK = 3  # satellites with ephemerides, but too few above the elevation mask
    TOO_FEW_SATELLITES = 4  # fewer observations than unknowns (or than four)
    NOT_CONVERGED = 5  # the iterations did not converge
    CHI2 = 6  # residuals fail the chi-square test and RAIM could not repair the epoch
    GDOP = 7  # geometry too weak (GDOP above the limit)
    NO_BASE_EPOCH = 8  # RTK: no base epoch at the rover's time or at most max_age_s before it


def sd_columns(cov: np.ndarray, diag, off, unknown: float = np.nan) -> list[np.ndarray]:
    """Square roots of the variances ``cov[:, i, i]`` for ``i`` in ``diag``, then RTKLIB's ``sqvar`` of the
    covariances ``cov[:, i, j]`` for ``(i, j)`` in ``off`` (the sign times the root of the magnitude), m;
    ``unknown`` where a value is not finite or a variance is negative (RTKLIB's ``SQRT`` writes 0)."""
    out = []
    for i in diag:
        v = cov[:, i, i]
        out.append(np.where(np.isfinite(v) & (v >= 0), np.sqrt(np.abs(v)), unknown))
    for i, j in off:
        c = cov[:, i, j]
        out.append(np.where(np.isfinite(c), np.sign(c) * np.sqrt(np.abs(c)), unknown))
    return out


def _sigma_columns(cov: np.ndarray, enu: np.ndarray) -> dict[str, np.ndarray]:
    """Standard deviations (m) of the ECEF and east/north/up position, and the east/north/up covariances
    as signed square roots (the .pos file's sdne, sdeu, sdun, m); NaN where unknown."""
    names = ("sdx_m", "sdy_m", "sdz_m", "sde_m", "sdn_m", "sdu_m", "sdne_m", "sdeu_m", "sdun_m")
    values = sd_columns(cov, (0, 1, 2), ()) + sd_columns(enu, (0, 1, 2), ((1, 0), (0, 2), (2, 1)))
    return dict(zip(names, values, strict=True))


@dataclass(frozen=True)
class ProcessingRecord:
    """What produced a solution: settings, models per system, and why epochs or satellites were dropped.

    Attributes
    ----------
    program : str
    mode : str
        ``"single"``, ``"rtk"``, ``"static"`` (static RTK), ``"ppp-kinematic"``, ``"ppp-static"``
        (``""`` when unknown, e.g. read from a file).
    inputs : tuple of str
    systems : str
        System letters processed.
    elmask_deg : float or None
    ephemeris : str
        ``"broadcast"`` or ``"precise"``.
    iono : str
        The ionosphere option (``"brdc"``, ``"if"``, ``"ionex"``, ``"off"``).
    iono_models : dict[str, str]
        Model serving each satellite class (``"C3": "BDGIM"``, ``"E": "GPS Klobuchar (fallback)"``).
    tropo : str
    signals : dict[str, dict[str, int]]
        Per system, the signals (or ``"2I+6I"`` pairs) used and how many satellite-epochs each served.
    clock_reference : str
        The system whose receiver clock is the reference of the inter-system biases.
    unsolved : dict[str, int]
        Epochs per :class:`Unsolved` reason (solved epochs are not counted).
    dropped : dict[str, dict[str, int]]
        Per system, satellite-epochs left out and why (``"no ephemeris"``, ``"below mask"``, ``"RAIM"``).
    raim_excluded : int
        Satellite-epochs excluded by fault detection.
    notes : tuple of str
        Warnings issued while processing.
    masked : tuple of str
        What the observation masks the user set (C/N0 mask, excluded satellites) left out, one line each.
    base_m : tuple of float
        RTK: the base marker's ECEF position used, m (empty otherwise).
    config : object
        The recipe's configuration (e.g. :class:`kompas.SppConfig`).
    """

    program: str = "kompas"
    mode: str = ""
    inputs: tuple = ()
    systems: str = ""
    elmask_deg: float | None = None
    ephemeris: str = ""
    iono: str = ""
    iono_models: dict = field(default_factory=dict)
    tropo: str = ""
    signals: dict = field(default_factory=dict)
    clock_reference: str = ""
    unsolved: dict = field(default_factory=dict)
    dropped: dict = field(default_factory=dict)
    raim_excluded: int = 0
    notes: tuple = ()
    masked: tuple = ()
    base_m: tuple = ()
    config: object = None

    def merged(self, other: ProcessingRecord) -> ProcessingRecord:
        """This record with the counters of ``other`` added (consecutive blocks of one run)."""

        def add(a: dict, b: dict) -> dict:
            out = dict(a)
            for k, v in b.items():
                out[k] = add(out.get(k, {}), v) if isinstance(v, dict) else out.get(k, 0) + v
            return out

        notes = self.notes + tuple(n for n in other.notes if n not in self.notes)
        return replace(
            self,
            signals=add(self.signals, other.signals),
            unsolved=add(self.unsolved, other.unsolved),
            dropped=add(self.dropped, other.dropped),
            raim_excluded=self.raim_excluded + other.raim_excluded,
            iono_models={**other.iono_models, **self.iono_models},
            notes=notes,
        )


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
        Receiver clock per system letter, m (c times seconds); the first key is the reference system of
        the inter-system biases (``record.clock_reference``).
    residuals : dict or None
        Long table ``{"time_ns", "sat", "residual_m", "used", "elevation_rad"}`` of post-fit residuals
        (SPP: undifferenced code; PPP: undifferenced, with ``signal`` and ``kind``, 0 phase and 1 code;
        RTK: double differences, with ``ref`` the reference satellite, ``band`` and ``kind``).
    reason : numpy.ndarray of uint8, shape (E,)
        :class:`Unsolved` code of each epoch (0 where solved).
    ratio : numpy.ndarray or None, shape (E,)
        Relative positioning: ratio test value of the integer ambiguity search of the double differences
        (RTKLIB's ``ratio``; on a float epoch that of the failed search, 0 where none ran).
    age_s : numpy.ndarray or None, shape (E,)
        Relative positioning: age of the base observations (rover minus base time tag), s.
    fixed_by_system : dict[str, numpy.ndarray]
        Relative positioning: fixed double-difference ambiguities per system letter and epoch.
    states : dict[str, numpy.ndarray]
        Other estimated parameters per epoch, shape (E,) each, named with their unit (PPP: ``ztd_m``,
        ``zwd_m``, ``ztd_sigma_m``, ``grad_n_m``, ``grad_e_m``); written as extra table columns.
    record : ProcessingRecord
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
    reason: np.ndarray | None = None
    ratio: np.ndarray | None = None
    age_s: np.ndarray | None = None
    fixed_by_system: dict = field(default_factory=dict)
    states: dict = field(default_factory=dict)
    record: ProcessingRecord = field(default_factory=ProcessingRecord)

    @classmethod
    def concat(cls, parts) -> Solution:
        """Consecutive solutions of one run as one (arrays joined, record counters added).

        Raises
        ------
        ConfigError
            No part, parts of different runs (other systems or states) or not in time order.
        """
        from .errors import ConfigError

        parts = list(parts)
        if not parts:
            raise ConfigError("Solution.concat needs at least one solution")
        keys = {tuple(sorted(p.nsat_by_system)) for p in parts}
        if len(keys) > 1 or len({tuple(sorted(p.states)) for p in parts}) > 1:
            raise ConfigError(
                "Solution.concat joins consecutive solutions of one run; these have different systems or "
                f"states ({', '.join(''.join(k) for k in sorted(keys))})"
            )
        times = np.concatenate([p.time_ns for p in parts])
        if np.any(np.diff(times) <= 0):
            raise ConfigError(
                "Solution.concat needs consecutive solutions in time order, without repeated epochs"
            )
        if len(parts) == 1:
            return parts[0]
        out = {}
        for f in fields(cls):
            vals = [getattr(p, f.name) for p in parts]
            if f.name == "record":
                rec = vals[0]
                for r in vals[1:]:
                    rec = rec.merged(r)
                out[f.name] = rec
            elif vals[0] is None:
                out[f.name] = None
            elif isinstance(vals[0], dict):
                out[f.name] = {k: np.concatenate([v[k] for v in vals]) for k in vals[0]}
            else:
                out[f.name] = np.concatenate(vals)
        return cls(**out)

    def __len__(self) -> int:
        return int(self.time_ns.size)

    def __repr__(self) -> str:
        """One line: epochs and their span, epochs per quality, systems, mode (the arrays are not shown)."""
        from .time import time_span

        span = f" {time_span(self.time_ns)} GPST" if len(self) else ""
        q, n = np.unique(np.asarray(self.quality, dtype=np.int64), return_counts=True)
        names = {int(v): v.name for v in Quality} | {0: "unsolved"}
        counts = ", ".join(f"{names.get(k, k)} {c}" for k, c in zip(q.tolist(), n.tolist(), strict=True))
        systems = self.record.systems or "".join(self.nsat_by_system)
        mode = f", mode {self.record.mode!r}" if self.record.mode else ""
        res = f", {len(self.residuals['time_ns'])} residuals" if self.residuals else ""
        what = f"{len(self)} epoch{'s' if len(self) != 1 else ''}{span}, {counts or 'no epoch'}"
        return f"Solution({what}, systems {systems or '-'}{mode}{res})"

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
        """East/north/up error against a reference ECEF position, (3,) or one per epoch (E, 3), m: (E, 3).

        Raises
        ------
        ConfigError
            A reference that is not an ECEF position near the Earth's surface (latitude/longitude/height,
            kilometres, NaN): the errors would be numbers without meaning.
        """
        from .errors import ConfigError
        from .frames import ecef_to_enu, near_earth_surface

        ref = np.asarray(truth_ecef, dtype=float)
        if not near_earth_surface(ref):
            text = str(ref.tolist())[:80]
            raise ConfigError(
                f"the reference must be ECEF X, Y, Z in metres near the Earth's surface, not {text}"
            )
        if ref.ndim != 1 and ref.shape != self.pos_m.shape:
            raise ConfigError(
                f"the reference is one position (3,) or one per epoch ({len(self)}, 3), not {ref.shape}"
            )
        return ecef_to_enu(self.pos_m, ref)

    def columns(self) -> dict[str, np.ndarray]:
        """The table columns: time (datetime64, GPST), x_m y_m z_m lat_deg lon_deg height_m, nsat,
        nsat_<system>, gdop pdop hdop vdop, with a covariance sdx_m sdy_m sdz_m sde_m sdn_m sdu_m
        (standard deviations, m) and sdne_m sdeu_m sdun_m (RTKLIB's signed square roots of the east/north
        covariances), clock_<system>_m (receiver clock, m), isb_<system>_m
        (inter-system bias: that system's clock minus the reference system's, m; the reference is
        ``record.clock_reference``), status (RTKLIB Q code).

        Every column is a new array: editing one leaves the solution as it was."""
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
        if self.cov_m2 is not None:
            cols.update(_sigma_columns(np.asarray(self.cov_m2, dtype=np.float64), self.cov_enu_m2()))
        clocks = {k: np.asarray(v, dtype=np.float64) for k, v in self.clock_m.items()}
        cols.update({f"clock_{k}_m": v for k, v in clocks.items()})
        ref_key = self.record.clock_reference or next(iter(clocks), "")
        if len(clocks) > 1 and ref_key in clocks:
            ref = clocks[ref_key]
            cols.update({f"isb_{k}_m": v - ref for k, v in clocks.items() if k != ref_key})
        cols["status"] = np.asarray(self.quality)
        if self.ratio is not None:
            cols["ratio"] = np.asarray(self.ratio, dtype=np.float64)
        if self.age_s is not None:
            cols["age_s"] = np.asarray(self.age_s, dtype=np.float64)
        cols.update({f"nfix_{k}": np.asarray(v) for k, v in self.fixed_by_system.items()})
        cols.update({k: np.asarray(v, dtype=np.float64) for k, v in self.states.items()})
        return {k: np.array(v, copy=True) for k, v in cols.items()}

    def to_pandas(self):
        """``pandas.DataFrame`` of :meth:`columns`."""
        import pandas as pd

        return pd.DataFrame(self.columns())

    def residual_columns(self) -> dict[str, np.ndarray]:
        """The residual table as numpy columns: ``time`` (datetime64, GPST), ``sv``, for double differences
        ``ref_sv``, ``band`` and ``kind`` (``phase``/``code``), for PPP ``signal`` and ``kind``, then
        ``residual_m``, ``elevation_deg`` and ``used``; new arrays, as those of :meth:`columns`.

        Residuals are observed minus computed. A double difference is the satellite's single difference
        minus the reference's (RTKLIB's solution status file, ``-y``, gives the opposite sign: reference
        minus satellite), and RTK's are those of the float update, also on fixed epochs (RTKLIB writes
        the fixed solution's there).

        Raises
        ------
        ConfigError
            The solution carries no residuals.
        """
        from .errors import ConfigError
        from .satsys import sat_id

        if not self.residuals:
            raise ConfigError(
                "this solution carries no residuals (spp computes them with residuals=True; on the command "
                "line --residuals)"
            )
        r = self.residuals

        def ids(sat):
            return np.asarray(sat_id(sat)) if len(sat) else np.zeros(0, "U3")

        cols = {"time": to_datetime64(r["time_ns"]), "sv": ids(r["sat"])}
        kind = np.where(np.asarray(r.get("kind", ())) == 0, "phase", "code")
        if "ref" in r:  # double differences
            cols.update(ref_sv=ids(r["ref"]), band=np.asarray(r["band"]), kind=kind)
        elif "signal" in r:  # undifferenced, per signal (an ionosphere-free pair as "1C+2W")
            cols.update(signal=np.asarray(r["signal"]), kind=kind)
        cols.update(
            residual_m=np.asarray(r["residual_m"], dtype=np.float64),
            elevation_deg=np.degrees(r["elevation_rad"]),
            used=np.asarray(r["used"], dtype=bool),
        )
        return {k: np.array(v, copy=True) for k, v in cols.items()}

    def residuals_to_pandas(self):
        """Post-fit residuals per satellite and epoch (``pandas.DataFrame`` of :meth:`residual_columns`):
        pseudorange (SPP), phase and code (PPP), double-difference phase and code (RTK)."""
        import pandas as pd

        return pd.DataFrame(self.residual_columns())
