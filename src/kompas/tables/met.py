"""Meteorological observations of a station: one long table of (epoch, observable, value).

Filled by :func:`kompas.io.readers.met.read_met` from RINEX MET files (2.x, 3.x, 4.x); any other source
of station meteorology can fill it too. Observable codes and their units are those of the RINEX
meteorological files (RINEX 2.11 Table A5, unchanged in 3.05 and 4.02):

====  =====================================================  ========
code  quantity                                               unit
====  =====================================================  ========
PR    pressure                                               hPa (mbar)
TD    dry temperature                                        degC
HR    relative humidity                                      percent
ZW    wet zenith path delay (water-vapour radiometer)        mm
ZD    dry (hydrostatic) zenith path delay                    mm
ZT    total zenith path delay                                mm
WD    wind azimuth, from where the wind blows                deg
WS    wind speed                                             m/s
RI    rain increment since the last measurement              0.1 mm
HI    hail indicator (non-zero: hail since the last one)     --
====  =====================================================  ========

Values are kept in these units as written; :meth:`MetTable.atmosphere` converts what the troposphere
models need (pressure hPa, temperature K, relative humidity as a fraction 0..1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..time import to_datetime64

__all__ = ["MET_CODES", "MetSensor", "MetHeader", "MetTable", "MetAtmosphere"]

MET_CODES = {
    "PR": ("pressure", "hPa"), "TD": ("dry temperature", "degC"), "HR": ("relative humidity", "%"),
    "ZW": ("wet zenith path delay", "mm"), "ZD": ("dry zenith path delay", "mm"),
    "ZT": ("total zenith path delay", "mm"), "WD": ("wind azimuth", "deg"), "WS": ("wind speed", "m/s"),
    "RI": ("rain increment", "0.1 mm"), "HI": ("hail indicator", ""),
}  # fmt: skip
"""RINEX meteorological observable -> (quantity, unit) (RINEX 2.11 Table A5)."""

_KELVIN_OFFSET = 273.15  # K at 0 degC (SI Brochure, 9th ed., sec. 2.3.1)
_NS = 10**9


@dataclass(frozen=True)
class MetSensor:
    """One ``SENSOR MOD/TYPE/ACC`` record and, if given, its ``SENSOR POS XYZ/H`` record.

    Attributes
    ----------
    code : str
        The observable it measures (``"PR"`` ...).
    model, type : str
        Manufacturer/model and type, as written.
    accuracy : float
        In the observable's unit; NaN when blank.
    position_m : numpy.ndarray, shape (3,)
        Geocentric X, Y, Z (ITRF or WGS 84), m; NaN when absent or written as zeros ("not known").
    height_m : float
        Ellipsoidal height H of the sensor, m; NaN when absent.
    """

    code: str
    model: str = ""
    type: str = ""
    accuracy: float = float("nan")
    position_m: np.ndarray = field(default_factory=lambda: np.full(3, np.nan))
    height_m: float = float("nan")


@dataclass(frozen=True)
class MetHeader:
    """Header of a meteorological file.

    Attributes
    ----------
    version : float
    program, run_by, date : str
        ``PGM / RUN BY / DATE``.
    marker_name, marker_number : str
    codes : tuple of str
        ``# / TYPES OF OBSERV`` in file order.
    sensors : dict
        code -> :class:`MetSensor`.
    time_system : str
        ``"GPS"``: RINEX MET epochs are GPS time ("not local time", RINEX 2.11 Table A6).
    comments : tuple of str
    other : dict
        Any other header label -> tuple of its 60-column contents (``DOI``, ``LICENSE OF USE`` ...).
    """

    version: float
    program: str = ""
    run_by: str = ""
    date: str = ""
    marker_name: str = ""
    marker_number: str = ""
    codes: tuple[str, ...] = ()
    sensors: dict[str, MetSensor] = field(default_factory=dict)
    time_system: str = "GPS"
    comments: tuple[str, ...] = ()
    other: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class MetAtmosphere:
    """Station atmosphere at given epochs, for the troposphere models (NaN where not known).

    Attributes
    ----------
    time_ns : (N,) int64
        GPST ns.
    pressure_hpa : (N,) float64
        Pressure, hPa.
    temperature_k : (N,) float64
        Dry temperature, K (``TD + 273.15``).
    humidity : (N,) float64
        Relative humidity as a fraction 0..1 (``HR / 100``), the unit of
        :func:`kompas.models.troposphere.saastamoinen`.
    """

    time_ns: np.ndarray
    pressure_hpa: np.ndarray
    temperature_k: np.ndarray
    humidity: np.ndarray


@dataclass(frozen=True, eq=False, repr=False)
class MetTable:
    """Meteorological observations as one long table sorted by (time, observable in header order).

    Attributes
    ----------
    time_ns : (N,) int64
        Epoch of each value, GPST ns.
    code : (N,) <U2
        Observable (:data:`MET_CODES`).
    value : (N,) float64
        In the observable's unit (a blank field in the file has no row).
    header : MetHeader
    path : str or None
    """

    time_ns: np.ndarray
    code: np.ndarray
    value: np.ndarray
    header: MetHeader
    path: str | None = None

    def __len__(self) -> int:
        return int(self.time_ns.size)

    @property
    def codes(self) -> tuple[str, ...]:
        return self.header.codes

    def series(self, code: str) -> tuple[np.ndarray, np.ndarray]:
        """``(time_ns, value)`` of one observable, in time order."""
        m = self.code == code
        return self.time_ns[m], self.value[m]

    def interpolate(self, code: str, t_ns, max_gap_s: float = 3600.0) -> np.ndarray:
        """One observable at GPST epochs ``t_ns``, linear in time between its two nearest samples.

        NaN outside the span of the samples (no extrapolation), where the two samples around the
        epoch are more than ``max_gap_s`` apart, and when the file has no such observable. Exact at
        the sample epochs.
        """
        t = np.atleast_1d(np.asarray(t_ns, dtype=np.int64))
        ts, vs = self.series(code)
        out = np.full(t.shape, np.nan)
        if ts.size == 0:
            return out
        j = np.searchsorted(ts, t, side="right")  # ts[j-1] <= t < ts[j]
        exact = (j > 0) & (ts[np.maximum(j - 1, 0)] == t)
        out[exact] = vs[j[exact] - 1]
        inner = ~exact & (j > 0) & (j < ts.size)
        lo, hi = j[inner] - 1, j[inner]
        gap = (ts[hi] - ts[lo]) / _NS
        w = (t[inner] - ts[lo]) / (ts[hi] - ts[lo])
        out[inner] = np.where(gap <= max_gap_s, vs[lo] + w * (vs[hi] - vs[lo]), np.nan)
        return out

    def atmosphere(self, t_ns, max_gap_s: float = 3600.0) -> MetAtmosphere:
        """Pressure (hPa), temperature (K) and relative humidity (0..1) at GPST epochs (:meth:`interpolate`).

        Values are those of the sensors (at their height, ``header.sensors[code].height_m``), not
        reduced to the antenna.
        """
        t = np.atleast_1d(np.asarray(t_ns, dtype=np.int64))
        return MetAtmosphere(
            time_ns=t,
            pressure_hpa=self.interpolate("PR", t, max_gap_s),
            temperature_k=self.interpolate("TD", t, max_gap_s) + _KELVIN_OFFSET,
            humidity=self.interpolate("HR", t, max_gap_s) / 100.0,
        )

    def dense(self) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
        """``(epochs (E,), codes (K,), values (E, K))`` with NaN where an epoch lacks an observable."""
        epochs, ei = np.unique(self.time_ns, return_inverse=True)
        codes = self.codes
        col = {c: k for k, c in enumerate(codes)}
        out = np.full((epochs.size, len(codes)), np.nan)
        out[ei, [col[c] for c in self.code.tolist()]] = self.value
        return epochs, codes, out

    def to_pandas(self):
        """Long DataFrame: ``time`` (datetime64, GPST), ``code``, ``value``, ``unit``."""
        import pandas as pd

        units = np.array([MET_CODES.get(c, ("", ""))[1] for c in self.code.tolist()], dtype=object)
        return pd.DataFrame(
            {"time": to_datetime64(self.time_ns), "code": self.code, "value": self.value, "unit": units}
        )

    def to_xarray(self):
        """``xarray.Dataset`` with one variable per observable over ``time`` (GPST), sensors in attrs."""
        import xarray as xr

        epochs, codes, values = self.dense()
        data = {}
        for k, c in enumerate(codes):
            quantity, unit = MET_CODES.get(c, (c, ""))
            s = self.header.sensors.get(c)
            attrs = {"long_name": quantity, "units": unit}
            if s is not None:
                attrs.update(sensor_model=s.model, sensor_type=s.type, accuracy=s.accuracy,
                             sensor_position_m=s.position_m.tolist(), sensor_height_m=s.height_m)  # fmt: skip
            data[c] = ("time", values[:, k], attrs)
        h = self.header
        return xr.Dataset(
            data,
            coords={"time": to_datetime64(epochs)},
            attrs={"version": h.version, "marker_name": h.marker_name, "time_system": "GPS"},
        )

    def __repr__(self) -> str:
        n_ep = np.unique(self.time_ns).size
        return (
            f"MetTable({self.header.marker_name!r}, RINEX {self.header.version:g}, {n_ep} epochs x "
            f"{'/'.join(self.codes)}, {len(self)} values)"
        )
