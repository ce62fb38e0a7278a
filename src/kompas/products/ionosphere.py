"""Broadcast ionosphere: each system's own model with the parameters valid at each epoch.

Parameters come from navigation files: RINEX 2/3 header records (``ION ALPHA/BETA``, ``GPSA/GPSB``,
``QZSA/QZSB``, ``BDSA/BDSB``, ``GAL``, ``IRNA/IRNB``) and RINEX 4 ``> ION`` frames (``KLOB``, ``NEQG``,
``BDGIM``). A frame is valid from its transmission time: at each epoch the latest frame transmitted at
or before it is used (before the first frame, the first one); header values, which carry no time, serve
where a model has no frame.

Default models (:data:`DEFAULT_MODELS`), each a pure function of :mod:`kompas.models`:

======================  ============================================  ===================================
satellites              model, in order of preference                 reference
======================  ============================================  ===================================
GPS, GLONASS            GPS Klobuchar                                 IS-GPS-200N 20.3.3.5.2.5
QZSS                    QZSS Klobuchar, else GPS Klobuchar            IS-QZSS-PNT-005 5.9
NavIC                   NavIC Klobuchar-type, else GPS Klobuchar      IRNSS SPS ICD 1.1 5.3.3 (GPS form)
BDS-2                   BDS Klobuchar                                 BDS-SIS-ICD-B1I-3.0 5.2.4.7
BDS-3                   BDGIM, else BDS Klobuchar                     BDS-SIS-ICD-B1C-1.0 7.10 / B1I ICD
Galileo                 NeQuick-G                                     Galileo Ionospheric Model ICD 1.2
======================  ============================================  ===================================

Fallback where a system's own model has no parameters: the first model of :data:`FALLBACK_ORDER` that
has them serves (every broadcast model describes the same ionosphere, so GPS Klobuchar serves BeiDou as
well as it serves GPS; its variance fraction is the option ``fallback_iono_factor``, by default that of a
system's own model), a warning says so and the record and the ``.pos`` header name the model; where no
model has parameters, no delay is applied, the variance is that of an uncorrected ionosphere (RTKLIB
ERR_ION, 5 m) and a warning says so. Never zero delay with zero variance.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import KompasWarning, caller_stacklevel
from ..satsys import bds_generation, sat_letter
from ..time import week_tow

__all__ = [
    "IonoParameters",
    "IonoContext",
    "BroadcastIonosphere",
    "DEFAULT_MODELS",
    "FALLBACK_ORDER",
    "MODEL_NAMES",
    "register_model",
    "IonexIonosphere",
]

DEFAULT_MODELS = {
    "G": ("GPS_KLOB",),
    "R": ("GPS_KLOB",),
    "J": ("QZS_KLOB", "GPS_KLOB"),
    "I": ("IRN_KLOB", "GPS_KLOB"),
    "C2": ("BDS_KLOB",),
    "C3": ("BDGIM", "BDS_KLOB"),
    "E": ("NEQUICK_G",),
    "S": ("GPS_KLOB",),
}
"""Model preference per satellite class (system letter; BeiDou split into BDS-2 ``C2`` and BDS-3 ``C3``)."""

FALLBACK_ORDER = ("GPS_KLOB", "BDS_KLOB", "NEQUICK_G", "BDGIM", "QZS_KLOB", "IRN_KLOB")
"""Models tried, in order, for a class whose own models have no parameters."""

MODEL_NAMES = {
    "IONEX": "IONEX maps",
    "GPS_KLOB": "GPS Klobuchar",
    "QZS_KLOB": "QZSS Klobuchar",
    "IRN_KLOB": "NavIC Klobuchar",
    "BDS_KLOB": "BDS Klobuchar",
    "BDGIM": "BDGIM",
    "NEQUICK_G": "NeQuick-G",
}

# header record names -> (model, part); RINEX 2 ION ALPHA/BETA are read as GPSA/GPSB
_HEADER = {
    "GPSA": ("GPS_KLOB", 0),
    "GPSB": ("GPS_KLOB", 1),
    "QZSA": ("QZS_KLOB", 0),
    "QZSB": ("QZS_KLOB", 1),
    "BDSA": ("BDS_KLOB", 0),
    "BDSB": ("BDS_KLOB", 1),
    "IRNA": ("IRN_KLOB", 0),
    "IRNB": ("IRN_KLOB", 1),
    "GAL": ("NEQUICK_G", 0),
}
# RINEX 4 ION frames: (system letter, model of the frame) -> model
_FRAMES = {
    ("G", "KLOB"): "GPS_KLOB",
    ("J", "KLOB"): "QZS_KLOB",
    ("I", "KLOB"): "IRN_KLOB",
    ("C", "KLOB"): "BDS_KLOB",
    ("C", "BDGIM"): "BDGIM",
    ("E", "NEQG"): "NEQUICK_G",
}
_N_COEF = {"GPS_KLOB": 8, "QZS_KLOB": 8, "IRN_KLOB": 8, "BDS_KLOB": 8, "BDGIM": 9, "NEQUICK_G": 3}


@dataclass(frozen=True)
class IonoParameters:
    """Parameter sets of one model over time.

    Attributes
    ----------
    model : str
        Key of :data:`MODEL_NAMES`.
    t_ns : numpy.ndarray of int64, shape (K,)
        Start of validity of each set (GPST ns, transmission time), sorted.
    coef : numpy.ndarray, shape (K, n)
        Coefficients in the broadcast units (Klobuchar alpha0..3, beta0..3; BDGIM alpha1..9 in TECU;
        NeQuick-G a_i0..a_i2).
    source : str
        ``"header"`` or ``"RINEX 4 ION frames"``.
    """

    model: str
    t_ns: np.ndarray
    coef: np.ndarray
    source: str

    def at(self, t_ns) -> np.ndarray:
        """The coefficient set valid at each instant, shape (..., n)."""
        k = np.searchsorted(self.t_ns, np.asarray(t_ns, dtype=np.int64), side="right") - 1
        return self.coef[np.clip(k, 0, self.t_ns.size - 1)]


@dataclass(frozen=True)
class IonoContext:
    """Geometry of the rows a model is evaluated for (all arrays of one shape).

    Attributes
    ----------
    t_ns : int64 instants (GPST ns); lat_rad, lon_rad, height_m : receiver geodetic position;
    az_rad, el_rad : azimuth and elevation of the satellite; sat_pos_m : (..., 3) satellite ECEF position.
    """

    t_ns: np.ndarray
    lat_rad: np.ndarray
    lon_rad: np.ndarray
    height_m: np.ndarray
    az_rad: np.ndarray
    el_rad: np.ndarray
    sat_pos_m: np.ndarray


Evaluator = Callable[[np.ndarray, IonoContext], tuple[np.ndarray, float]]
"""``f(coef (..., n), ctx) -> (delay_m at f_ref, f_ref_hz)``."""


def _klobuchar_gps(coef, ctx):
    from ..models.ionosphere import F_GPS_L1_HZ, klobuchar_gps

    tow = week_tow(ctx.t_ns, "GPS")[1]
    d = klobuchar_gps(coef[..., :4], coef[..., 4:8], ctx.lat_rad, ctx.lon_rad, ctx.az_rad, ctx.el_rad, tow)
    return d, F_GPS_L1_HZ


def _klobuchar_bds(coef, ctx):
    from ..models.ionosphere import F_BDS_B1I_HZ, klobuchar_bds

    sow = week_tow(ctx.t_ns, "BDS")[1]
    d = klobuchar_bds(coef[..., :4], coef[..., 4:8], ctx.lat_rad, ctx.lon_rad, ctx.az_rad, ctx.el_rad, sow)
    return d, F_BDS_B1I_HZ


def _bdgim(coef, ctx):
    from ..models.bdgim import bdgim_delay

    d = bdgim_delay(coef, ctx.lat_rad, ctx.lon_rad, ctx.az_rad, ctx.el_rad, ctx.t_ns)
    return d, 1575.42e6  # B1C, BDS-SIS-ICD-B1C-1.0 sec. 4.2.1


def _nequick(coef, ctx):
    from ..models.ionosphere import F_GPS_L1_HZ
    from ..models.nequick import nequick_g_delay

    rcv = np.stack([ctx.lat_rad, ctx.lon_rad, ctx.height_m], axis=-1)
    return nequick_g_delay(coef, rcv, ctx.sat_pos_m, ctx.t_ns), F_GPS_L1_HZ  # E1 = L1


_EVALUATORS: dict[str, Evaluator] = {
    "GPS_KLOB": _klobuchar_gps,
    "QZS_KLOB": _klobuchar_gps,
    "IRN_KLOB": _klobuchar_gps,
    "BDS_KLOB": _klobuchar_bds,
    "BDGIM": _bdgim,
    "NEQUICK_G": _nequick,
}

NODE_STEP_S = {"NEQUICK_G": 1800.0}
"""Models evaluated on a time grid per satellite and interpolated linearly in between (s). NeQuick-G
integrates the electron density along each ray (about 160 us per ray); evaluated at each satellite's
first epoch in every 1800 s and at the ends of its arcs, its slant delays differ from the full evaluation
by 22 mm RMS and 12 cm at most (ESBC, 2020-06-25, 19,479 Galileo rays above 10 deg; 1.7 mm / 3 cm at
300 s, 6 mm / 6 cm at 900 s), far below the model's own error (the ICD aims at 70 % of the delay, i.e. a
30 % error of metres), at a twenty-fifth of the cost. The arc ends are those of the rows evaluated
together, so a file solved in blocks gets nodes at the block ends too: SPP positions of a file solved in
10-epoch blocks differ from one solved whole by up to 4 cm (G+R+E+C) and 18 cm (Galileo alone; set D,
2026-11-29), within the model's error; the recipes' default blocks (6 h at 30 s) hold 720 epochs."""


def register_model(name: str, evaluator: Evaluator) -> None:
    """Make a model available to :class:`BroadcastIonosphere` (used by the NeQuick-G and BDGIM modules)."""
    _EVALUATORS[name] = evaluator


def _header_sets(navs) -> dict[str, np.ndarray]:
    parts: dict[str, list] = {}
    for n in navs:
        for name, coef in (n.header.iono_corr or {}).items():
            if name not in _HEADER:
                continue
            model, part = _HEADER[name]
            sets = parts.setdefault(model, [None, None])
            if sets[part] is None:
                sets[part] = np.asarray(coef, dtype=float)[:4]
    out = {}
    for model, (a, b) in parts.items():
        if model == "NEQUICK_G" and a is not None:
            out[model] = a[:3]
        elif a is not None and b is not None and np.all(np.isfinite(a)) and np.all(np.isfinite(b)):
            out[model] = np.concatenate([a, b])
    return {m: c for m, c in out.items() if np.all(np.isfinite(c)) and np.any(c != 0.0)}


HEADER_REACH_NS = 26 * 3600 * 10**9
"""How far from the observations a navigation file's records may lie for its header's ionospheric
parameters to serve them: a day's file and the records of its edges (a day and 2 h)."""


def _timed_records(nav) -> np.ndarray:
    """Reference times of a file's orbit records, GPST ns, without the unknown ones (int64 min)."""
    t = nav.record_times_ns()
    return t[t != np.iinfo(np.int64).min]


def _nearest_first(navs, near_ns):
    """The files by the distance of their nearest orbit record to ``near_ns`` (an epoch, or the first and
    last epochs of the observations), those within :data:`HEADER_REACH_NS` only (all of them, in their
    order, without ``near_ns``)."""
    if near_ns is None:
        return list(navs)
    lo, hi = (near_ns, near_ns) if np.ndim(near_ns) == 0 else (min(near_ns), max(near_ns))

    def distance(n):
        t = _timed_records(n)
        return int(np.maximum(np.maximum(lo - t, t - hi), 0).min()) if t.size else None

    d = [distance(n) for n in navs]
    order = sorted((x, k) for k, x in enumerate(d) if x is not None and x <= HEADER_REACH_NS)
    return [navs[k] for _, k in order]


def _header_series(navs) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per model, the header sets of ``navs`` (nearest first) as a time series: each file's set serves
    the epochs nearer the median of its records than another file's (start of validity: the midpoint
    between consecutive medians), so a session across midnight takes each day's parameters on its day.
    Of files with one median (a day's per-system files), the first giving the model wins; files without
    timed records serve at any time, as the only set."""
    items: dict[str, list] = {}
    for n in navs:
        t = _timed_records(n)
        mid = int(np.median(t)) if t.size else np.iinfo(np.int64).min
        for model, coef in _header_sets([n]).items():
            if not any(m == mid for m, _ in items.setdefault(model, [])):
                items[model].append((mid, coef))
    out = {}
    for model, sets in items.items():
        sets.sort(key=lambda x: x[0])
        mids = np.array([m for m, _ in sets], dtype=np.int64)
        start = np.r_[np.iinfo(np.int64).min, mids[:-1] // 2 + mids[1:] // 2]
        out[model] = (start, np.stack([c for _, c in sets]))
    return out


def _frame_sets(navs) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rows: dict[str, list] = {}
    for n in navs:
        ion = n.ion
        for i in range(len(ion)):
            model = _FRAMES.get((str(ion.system[i]), str(ion.model[i])))
            if model is None or ion.ttm_ns[i] == np.iinfo(np.int64).min:
                continue
            c = np.asarray(ion.coef[i, : _N_COEF[model]], dtype=float)
            if np.all(np.isfinite(c)):
                rows.setdefault(model, []).append((int(ion.ttm_ns[i]), c))
    out = {}
    for model, items in rows.items():
        items.sort(key=lambda r: r[0])
        out[model] = (np.array([r[0] for r in items], np.int64), np.stack([r[1] for r in items]))
    return out


class BroadcastIonosphere:
    """The broadcast ionospheric models of a set of navigation files (see the module docstring).

    Parameters
    ----------
    navs : NavData or list of NavData
    models : dict, optional
        Model preference per satellite class, replacing :data:`DEFAULT_MODELS` entries.
    near_ns : int or (int, int), optional
        An epoch of the observations, or their first and last, GPST ns. The header parameters carry no
        time: each file's set serves the epochs nearest its records (:func:`_header_series`; files of one
        day: the first giving a model's set wins); with ``near_ns`` a file whose records all lie more than
        :data:`HEADER_REACH_NS` away gives none (another day's coefficients would be applied unsaid; the
        model's fallback, with its warning, serves instead).
    """

    def __init__(self, navs, models: dict | None = None, near_ns: int | None = None):
        navs = navs if isinstance(navs, list | tuple) else [navs]
        self.models = {**DEFAULT_MODELS, **(models or {})}
        self.parameters: dict[str, IonoParameters] = {}
        frames = _frame_sets(navs)
        for model, (start, coef) in _header_series(_nearest_first(navs, near_ns)).items():
            self.parameters[model] = IonoParameters(model, start, coef, "header")
        for model, (t, c) in frames.items():
            self.parameters[model] = IonoParameters(model, t, c, "RINEX 4 ION frames")

    def available(self, model: str) -> bool:
        """The model has parameters and an implementation."""
        return model in self.parameters and model in _EVALUATORS

    def assignment(self) -> dict[str, tuple[str | None, bool]]:
        """Per satellite class: ``(model or None, is_fallback)``."""
        out = {}
        fallback = next((m for m in FALLBACK_ORDER if self.available(m)), None)
        for cls, prefs in self.models.items():
            own = next((m for m in prefs if self.available(m)), None)
            out[cls] = (own, False) if own is not None else (fallback, fallback is not None)
        return out

    def _evaluate(self, model: str, sat, ctx: IonoContext):
        coef = self.parameters[model].at(ctx.t_ns)
        step = NODE_STEP_S.get(model)
        if step is None or sat.size < 3:
            return _EVALUATORS[model](coef, ctx)
        node = _nodes(sat, ctx.t_ns, int(step * 1e9))
        sub = IonoContext(*(np.asarray(getattr(ctx, f))[node] for f in ctx.__dataclass_fields__))
        d_node, f_ref = _EVALUATORS[model](coef[node], sub)
        return _interpolate(sat, ctx.t_ns, node, d_node), f_ref

    def delay(self, sat, ctx: IonoContext, freq_hz):
        """Ionospheric code delay on each row's frequency and the model serving each row.

        Parameters
        ----------
        sat : numpy.ndarray of int
            Satellite indices, shape of the context arrays.
        ctx : IonoContext
        freq_hz : numpy.ndarray
            Carrier frequency of each row, Hz.

        Returns
        -------
        delay_m : numpy.ndarray
            Group delay (positive), m; 0 where no model serves.
        model : numpy.ndarray of <U9
            Model key per row (``""`` where none serves).
        fallback : numpy.ndarray of bool
            The row is served by another system's model.
        """
        cls = satellite_class(sat)
        delay = np.zeros(np.shape(sat))
        model_of = np.full(np.shape(sat), "", dtype="U9")
        fallback = np.zeros(np.shape(sat), bool)
        for c, (model, is_fb) in self.assignment().items():
            rows = cls == c
            if model is None or not rows.any():
                continue
            sub = IonoContext(
                *(
                    np.asarray(a)[rows]
                    for a in (ctx.t_ns, ctx.lat_rad, ctx.lon_rad, ctx.height_m, ctx.az_rad, ctx.el_rad)
                ),
                sat_pos_m=np.asarray(ctx.sat_pos_m)[rows],
            )
            d_ref, f_ref = self._evaluate(model, np.asarray(sat)[rows], sub)
            delay[rows] = d_ref * (f_ref / np.asarray(freq_hz)[rows]) ** 2
            model_of[rows], fallback[rows] = model, is_fb
        return delay, model_of, fallback


def _nodes(sat, t_ns, step_ns):
    """Rows where a decimated model is evaluated: the first row of each satellite in each step of time,
    and the last row before each gap longer than a step and at the end of each arc."""
    order = np.lexsort((t_ns, sat))
    s, t = sat[order], t_ns[order]
    b = t // step_ns
    first = np.r_[True, (s[1:] != s[:-1]) | (b[1:] != b[:-1])]
    last = np.r_[(s[1:] != s[:-1]) | (np.diff(t) > step_ns), True]
    keep = np.zeros(sat.size, bool)
    keep[order[first | last]] = True
    return keep


def _interpolate(sat, t_ns, node, values):
    """Per satellite, linear interpolation in time of the node values to every row."""
    out = np.empty(sat.size)
    out[node] = values
    for s in np.unique(sat[~node]):
        m = sat == s
        tn, vn = t_ns[m & node], out[m & node]
        order = np.argsort(tn)
        rows = m & ~node
        out[rows] = np.interp(t_ns[rows].astype(float), tn[order].astype(float), vn[order])
    return out


def satellite_class(sat) -> np.ndarray:
    """Satellite class of :data:`DEFAULT_MODELS`: the system letter, BeiDou split into ``C2``/``C3``."""
    letters = sat_letter(sat).astype("U2")
    gen = bds_generation(sat)
    return np.where(letters == "C", np.where(gen == 3, "C3", "C2"), letters)


class IonexIonosphere:
    """Ionospheric delays of every system from IONEX global maps (:mod:`kompas.models.ionex_model`).

    Parameters
    ----------
    ionex : Ionex or list of Ionex
        From :func:`kompas.read_ionex`; several files (consecutive days) are joined in time.
    """

    def __init__(self, ionex):
        maps = ionex if isinstance(ionex, list | tuple) else [ionex]
        if not maps:
            raise ValueError("IonexIonosphere needs at least one IONEX file")
        first = maps[0]
        for m in maps[1:]:
            if not (np.array_equal(m.lat_rad, first.lat_rad) and np.array_equal(m.lon_rad, first.lon_rad)):
                raise ValueError("IONEX files with different grids cannot be joined")
        t = np.concatenate([m.time_ns for m in maps])
        tec = np.concatenate([m.tec_tecu for m in maps])
        t, keep = np.unique(t, return_index=True)
        self.time_ns, self.tec_tecu = t, tec[keep]
        self.lat_rad, self.lon_rad = first.lat_rad, first.lon_rad
        self.radius_m, self.height_m = float(first.base_radius_m), float(first.height_m[0])
        self.paths = tuple(getattr(m, "path", None) for m in maps)
        other = sorted({m.mapping_function for m in maps} - {"COSZ", "NONE", ""})
        if other:  # IONEX 1.0 MAPPING FUNCTION: NONE, COSZ (1/cos z) or QFAC (Q-factor)
            warnings.warn(
                f"the IONEX maps give the mapping function {', '.join(other)}; kompas maps their vertical "
                "TEC with the single-layer 1/cos z' (COSZ)",
                KompasWarning,
                stacklevel=caller_stacklevel(),
            )
        # rows asked for (with an elevation) and rows the maps served, over every call: a run with maps of
        # another day must say that they served nothing (kompas.spp records it)
        self.n_asked = 0
        self.n_served = 0

    def coverage_note(self) -> str | None:
        """A note when the maps did not serve every row asked for (None when they did or none was asked)."""
        from ..time import time_span

        if self.n_asked == 0 or self.n_served == self.n_asked:
            return None
        span = time_span(self.time_ns)
        if self.n_served == 0:
            return (
                f"the IONEX maps ({span}) served none of the observations (maps of another day?): no "
                "ionosphere correction, a larger variance"
            )
        share = 100.0 * self.n_served / self.n_asked
        return (
            f"the IONEX maps ({span}) served {share:.0f} % of the observations; the rest has no "
            "ionosphere correction and a larger variance"
        )

    def assignment(self) -> dict[str, tuple[str | None, bool]]:
        """Every satellite class is served by the maps."""
        return {cls: ("IONEX", False) for cls in DEFAULT_MODELS}

    def delay(self, sat, ctx: IonoContext, freq_hz):
        """Delay (m) on each row's frequency, the model per row, no fallback (as BroadcastIonosphere)."""
        from ..models.ionex_model import ionex_delay

        d = ionex_delay(self.tec_tecu, self.time_ns, self.lat_rad, self.lon_rad, self.radius_m, self.height_m,
                        ctx.t_ns, ctx.lat_rad, ctx.lon_rad, ctx.az_rad, ctx.el_rad, freq_hz)  # fmt: skip
        served = np.isfinite(d) & (np.asarray(sat) > 0)
        self.n_asked += int(np.sum(np.isfinite(np.asarray(ctx.el_rad, dtype=float))))
        self.n_served += int(np.sum(served))
        model = np.where(served, "IONEX", "")
        return np.where(served, d, 0.0), model, np.zeros(np.shape(sat), bool)
