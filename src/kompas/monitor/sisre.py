"""Signal-in-space range error: broadcast ephemerides against precise orbits and clocks.

For every satellite and precise epoch the broadcast state a receiver held at that instant
(:class:`~kompas.products.broadcast.BroadcastProduct`, normally ``selection="transmitted"`` under the ICD
record policy) is compared with the precise product moved from the centre of mass to the antenna phase
centre: the ANTEX offset where the ANTEX file has the satellite, else the block-level nominal offset of
the satellite catalog (labelled ``NOMINAL``), rotated with each satellite's attitude law
(:meth:`kompas.products.precise.PreciseProduct.apc`). Orbit differences are split into radial,
along-track and cross-track. Clock differences are taken for the precise product's ionosphere-free
signal pair (:meth:`~kompas.products.broadcast.BroadcastProduct.if_clock` picks the message whose clock
refers to it, e.g. Galileo F/NAV for E1/E5a) with the periodic relativistic term added to the precise
clocks (-2 r.v / c^2, IGS convention).

Clock datum (Montenbruck, Steigenberger & Hauschild 2015, GPS Solut. 19:321-333, sec. 3; 2018, Adv.
Space Res. 61:3020-3038, sec. 2.4): broadcast clocks refer to each system's time, precise clocks to the
analysis centre's reference clock, and a user's receiver clock absorbs any offset common to all
satellites of a system. The mean clock difference of each system at each epoch (over its satellites
with a valid sample, at least two, without the samples far from the median: :func:`align_clocks`) is
therefore removed; BDS-2 and BDS-3 share BDT and one datum
(``clock_datum="system"``). ``clock_datum="bds-generation"`` gives them one each: an analysis centre that
estimates BeiDou as one system with receivers whose BDS-2/BDS-3 inter-system biases differ moves the mean of
those biases into the BDS-3 (or BDS-2) satellite clocks, a constant between the generations that no user of
both would see, since a receiver estimating that bias absorbs it.

The signal-in-space range error is

    SISRE_orb = sqrt((w_R R)^2 + w_AC^2 (A^2 + C^2))
    SISRE     = sqrt((w_R R - c dt)^2 + w_AC^2 (A^2 + C^2))      (global average over the Earth)

with the constellation weights (w_R, w_AC^2) of Montenbruck et al. (2015, Table 3; 2018, Table 4):
GPS (0.98, 1/49), GLONASS (0.98, 1/45), Galileo (0.98, 1/61), BeiDou MEO (0.98, 1/54), BeiDou
IGSO/GEO and QZSS (0.99, 1/126). The worst-user range error is the largest |e . dr - c dt| over the lines
of sight e of every user that sees the satellite above the horizon (nadir angles up to
asin(R_E / r)), found exactly (:func:`worst_user_error`). Against the broadcast accuracy (URA, SISA): a
sample whose worst-user error exceeds k x URA is an integrity event (k = 4.42, the GPS SPS Performance
Standard 5th ed. 2020 sec. 3.5.1 threshold for a major service failure, by default); events are
reported per satellite with their start and end times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import C_LIGHT, OMEGA_EARTH_IERS
from ..products.broadcast import IF_CLOCK_ANTEX_CODES, IF_CLOCK_PAIRS
from ..products.state import Status
from ..satsys import bds_generation, bds_orbit_class, sat_id, sat_index, sat_prn, sat_system

__all__ = [
    "SisreResult",
    "bds_orbit_type",
    "group_of",
    "GROUP_ORDER",
    "sisre",
    "align_clocks",
    "CLOCK_DATUMS",
    "worst_user_error",
    "integrity_events",
    "EVENT_COLUMNS",
    "EVENT_TYPES",
    "SISRE_WEIGHTS",
    "IF_SIGNALS",
    "K_URA",
    "EARTH_RADIUS_M",
]

SISRE_WEIGHTS = {
    "G": (0.98, 1 / 49),
    "R": (0.98, 1 / 45),
    "E": (0.98, 1 / 61),
    "C_MEO": (0.98, 1 / 54),
    "C_IGSO_GEO": (0.99, 1 / 126),
    "J": (0.99, 1 / 126),
}

# The ionosphere-free pair the precise clocks refer to (IGS/MGEX conventions,
# kompas.products.broadcast.IF_CLOCK_PAIRS) and the ANTEX frequency codes of the same pair (system letter
# and band, e.g. G01), per system: (broadcast signal 1, signal 2, ANTEX code 1, code 2)
IF_SIGNALS = {x: (*IF_CLOCK_PAIRS[x], *codes) for x, codes in IF_CLOCK_ANTEX_CODES.items()}

K_URA = 4.42
"""Integrity threshold in units of the broadcast URA (GPS SPS Performance Standard, 5th ed. 2020, 3.5.1)."""

EARTH_RADIUS_M = 6_378_137.0
"""Radius of the sphere users stand on for the worst-user line of sight, m (WGS-84 semi-major axis)."""

GROUP_ORDER = (
    "GPS",
    "GLONASS",
    "Galileo",
    "BDS-2 GEO",
    "BDS-2 IGSO",
    "BDS-2 MEO",
    "BDS-3 MEO",
    "BDS-3 IGSO",
    "BDS-3 GEO",
    "QZSS",
    "NavIC",
)
"""Reporting groups: BeiDou split by generation and orbit type."""


def bds_orbit_type(prn: int) -> str:
    """``"GEO"``, ``"IGSO"`` or ``"MEO"`` for a BeiDou PRN (:func:`kompas.satsys.bds_orbit_class`)."""
    return str(bds_orbit_class(sat_index(f"C{int(prn):02d}")))


def group_of(sat: int) -> str:
    """Reporting group of a satellite: system name, BeiDou as ``"BDS-<generation> <orbit type>"``."""
    letter = sat_id(int(sat))[0]
    if letter == "C":
        return f"BDS-{int(bds_generation(sat))} {bds_orbit_class(sat)}"
    return {"G": "GPS", "R": "GLONASS", "E": "Galileo", "J": "QZSS", "I": "NavIC", "S": "SBAS"}[letter]


def _weights(sats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(w_R, w_AC^2) per satellite (module docstring); NaN for systems without weights."""
    letters = np.array([sat_id(int(x))[0] for x in sats])
    key = np.where(letters == "C", np.where(bds_orbit_class(sats) == "MEO", "C_MEO", "C_IGSO_GEO"), letters)
    w_r = np.array([SISRE_WEIGHTS.get(k, (np.nan, np.nan))[0] for k in key.tolist()])
    w_ac2 = np.array([SISRE_WEIGHTS.get(k, (np.nan, np.nan))[1] for k in key.tolist()])
    return w_r, w_ac2


@dataclass(frozen=True)
class SisreResult:
    """Per-sample differences, per-satellite statistics and integrity events.

    Attributes
    ----------
    sat, time_ns : numpy.ndarray
        One sample per (satellite, epoch) with a valid broadcast state and a precise orbit.
    radial_m, along_m, cross_m : numpy.ndarray
        Broadcast minus precise (APC) in the RAC frame of the precise orbit, m.
    clock_m : numpy.ndarray
        c (broadcast - precise) clock for the ionosphere-free pair, datum aligned per system and epoch,
        m (NaN where no precise clock or no datum).
    sisre_orb_m, sisre_m : numpy.ndarray
        Global-average signal-in-space range errors (orbit only; orbit and clock), m.
    sisre_debiased_m : numpy.ndarray
        ``sisre_m`` after removing each satellite's mean radial difference and mean clock difference
        over the span: what remains when the broadcast reference point (PCO convention) and the
        satellite's inter-signal clock bias are taken as unknown constants (a diagnostic, not a SISRE).
        The rows of ``table`` give the removed constant as ``bias_m`` (mean of ``w_R R - c dt``), split
        into ``bias_radial_m`` (``w_R`` times the mean radial difference) and ``bias_clock_m`` (minus the
        mean clock difference): per satellite, ``sisre_m^2 = bias_m^2 + sisre_debiased_m^2`` (exactly where
        every sample has a clock).
    wul_m : numpy.ndarray
        Worst-user instantaneous range error |e . dr - c dt|, m (NaN without clock).
    ura_m : numpy.ndarray
        Broadcast accuracy of the record (URA / SISA), m (NaN where none is broadcast).
    age_s : numpy.ndarray
        Age of the broadcast record (query time minus its reference epoch), s.
    apc_source : numpy.ndarray of str
        ``"ANTEX"``, ``"NOMINAL"``, ``"SIM"`` (kompas.sim's products: phase centres, no offset) or ``""``
        (centre of mass compared).
    table : list of dict
        One row per satellite (:func:`_satellite_rows`).
    unhealthy, stale : dict
        Satellite id -> epochs the broadcast data flagged it unhealthy / had only a stale record.
    events : list of dict
        Integrity events (:func:`integrity_events`).
    """

    sat: np.ndarray
    time_ns: np.ndarray
    radial_m: np.ndarray
    along_m: np.ndarray
    cross_m: np.ndarray
    clock_m: np.ndarray
    sisre_orb_m: np.ndarray
    sisre_m: np.ndarray
    sisre_debiased_m: np.ndarray
    wul_m: np.ndarray
    ura_m: np.ndarray
    age_s: np.ndarray
    apc_source: np.ndarray
    table: list
    unhealthy: dict
    stale: dict
    events: list

    @property
    def apc(self) -> np.ndarray:
        """Whether a phase-centre offset (ANTEX or nominal) was applied to the sample."""
        return self.apc_source != ""

    def groups(self) -> list[dict]:
        """RMS statistics per reporting group (:data:`GROUP_ORDER`, over all samples of the group)."""
        names = np.array([group_of(s) for s in self.sat]) if self.sat.size else np.zeros(0, "U1")
        return [_stats(g, self, names == g) for g in GROUP_ORDER if np.any(names == g)]


def _rms(x) -> float:
    x = x[np.isfinite(x)]
    return float(np.sqrt(np.mean(x * x))) if x.size else float("nan")


def _apc_label(src: np.ndarray) -> str:
    kinds = sorted(set(src.tolist()))
    if kinds == [""]:
        return "none"
    return kinds[0] if len(kinds) == 1 else "mixed"


def _constant_part(r: SisreResult, m: np.ndarray) -> tuple[float, float]:
    """Mean of the SISRE range term ``w_R R - c dt`` over the samples with a clock, and ``w_R`` times the
    mean radial difference over the same samples (module docstring), m.

    ``sisre_m^2 = bias^2 + sisre_debiased_m^2`` over those samples: the constant part of a satellite's
    error (broadcast reference point, inter-signal clock bias, clock datum) and its time-varying rest."""
    ok = m & np.isfinite(r.clock_m)
    if not ok.any():
        return float("nan"), float("nan")
    sats, which = np.unique(r.sat[ok], return_inverse=True)
    w = _weights(sats)[0][which]
    radial = float(np.mean(w * r.radial_m[ok]))
    return radial - float(np.mean(r.clock_m[ok])), radial


def _stats(name: str, r: SisreResult, m: np.ndarray) -> dict:
    fin = np.isfinite(r.wul_m[m])
    bias, bias_radial = _constant_part(r, m)
    return {
        "name": name,
        "n": int(m.sum()),
        "n_clock": int(np.isfinite(r.clock_m[m]).sum()),
        "n_sat": int(np.unique(r.sat[m]).size),
        "apc": _apc_label(r.apc_source[m]),
        "radial_mean_m": float(np.mean(r.radial_m[m])),
        "radial_m": _rms(r.radial_m[m]),
        "along_m": _rms(r.along_m[m]),
        "cross_m": _rms(r.cross_m[m]),
        "orbit_3d_m": _rms(np.sqrt(r.radial_m[m] ** 2 + r.along_m[m] ** 2 + r.cross_m[m] ** 2)),
        "clock_m": _rms(r.clock_m[m]),
        "sisre_orb_m": _rms(r.sisre_orb_m[m]),
        "sisre_m": _rms(r.sisre_m[m]),
        "sisre_debiased_m": _rms(r.sisre_debiased_m[m]),
        "bias_m": bias,
        "bias_radial_m": bias_radial,
        "bias_clock_m": bias - bias_radial,
        "age_max_h": float(np.max(r.age_s[m])) / 3600.0 if m.any() else float("nan"),
        "clock_mean_m": float(np.nanmean(r.clock_m[m])) if np.isfinite(r.clock_m[m]).any() else float("nan"),
        "wul_max_m": float(np.max(r.wul_m[m][fin])) if fin.any() else float("nan"),
        "ura_m": float(np.nanmean(r.ura_m[m])) if np.isfinite(r.ura_m[m]).any() else float("nan"),
    }


CLOCK_DATUMS = ("system", "bds-generation")
"""Groups of satellites sharing a clock datum (module docstring)."""


DATUM_OUTLIER_K = 5.0
"""Samples beyond this many robust sigmas (1.4826 x MAD) from the epoch's median stay out of its datum."""
DATUM_OUTLIER_FLOOR_M = 1.0
"""Smallest such distance, m: a datum of a few satellites with nearly equal clocks keeps them all."""


def align_clocks(dclk_m, time_ns, sats, min_count: int = 2, datum: str = "system") -> np.ndarray:
    """Remove the per-epoch, per-system mean from clock differences (module docstring).

    The mean is taken over the samples within ``max(DATUM_OUTLIER_K`` robust sigmas,
    ``DATUM_OUTLIER_FLOOR_M)`` of the epoch's median: one faulty broadcast clock (a 300-m error) would
    otherwise move every other satellite's clock error by its share of the mean and raise integrity
    events on healthy satellites. The faulty sample keeps its own (aligned) error.

    Parameters
    ----------
    dclk_m : numpy.ndarray, shape (N,)
        c (broadcast - precise) clock differences, m (NaN where unknown).
    time_ns, sats : numpy.ndarray, shape (N,)
        Epoch and satellite of each sample.
    min_count : int
        Fewest samples of a system at an epoch that form its datum (outliers not counted); others become
        NaN.
    datum : {"system", "bds-generation"}
        One datum per system, or BDS-2 and BDS-3 separately (:data:`CLOCK_DATUMS`).
    """
    from ..estimators.grouped import group_median

    if datum not in CLOCK_DATUMS:
        raise ValueError(f"clock datum {datum!r}: expected one of {', '.join(CLOCK_DATUMS)}")
    group = sat_system(sats).astype(np.int64)
    if datum == "bds-generation":
        group = group * 4 + bds_generation(sats)  # 0 outside BeiDou
    key = np.asarray(time_ns, dtype=np.int64) * 64 + group
    uk, inv = np.unique(key, return_inverse=True)
    med = group_median(dclk_m, inv, uk.size)[inv]
    mad = group_median(np.abs(dclk_m - med), inv, uk.size)[inv]
    fin = np.abs(dclk_m - med) <= np.maximum(DATUM_OUTLIER_K * 1.4826 * mad, DATUM_OUTLIER_FLOOR_M)
    sums = np.bincount(inv, weights=np.where(fin, dclk_m, 0.0), minlength=uk.size)
    cnt = np.bincount(inv, weights=fin.astype(float), minlength=uk.size)
    mean = sums / np.maximum(cnt, 1.0)
    return np.where(cnt[inv] >= min_count, dclk_m - mean[inv], np.nan)


def worst_user_error(radial_m, along_m, cross_m, clock_m, radius_m, earth_radius_m=EARTH_RADIUS_M):
    """Largest instantaneous range error |e . dr - c dt| over every user that sees the satellite, m.

    With the line of sight at nadir angle theta and azimuth phi around the radial direction,
    e . dr = R cos(theta) + sin(theta) (A cos(phi) + C sin(phi)); over phi its extremes are
    R cos(theta) +- H sin(theta) with H = sqrt(A^2 + C^2), and over theta in [0, asin(R_E / r)] the
    extremes of |R cos(theta) +- H sin(theta) - c dt| lie at the interval ends or where
    tan(theta) = +-H / R. All candidates are evaluated (arrays of shape (N,)).
    """
    r, h = np.asarray(radial_m, float), np.hypot(along_m, cross_m)
    dt = np.asarray(clock_m, float)
    th_max = np.arcsin(np.clip(earth_radius_m / np.asarray(radius_m, float), 0.0, 1.0))
    best = np.abs(r - dt)
    for sign in (1.0, -1.0):
        cands = [th_max, np.arctan2(sign * h, r) % np.pi]
        for th in cands:
            th = np.clip(th, 0.0, th_max)
            best = np.maximum(best, np.abs(r * np.cos(th) + sign * h * np.sin(th) - dt))
    return best


EVENT_COLUMNS = ("sat", "start_ns", "end_ns", "n", "max_error_m", "max_ratio")
"""Keys of :func:`integrity_events`' records (the columns of its table when there is no event)."""
EVENT_TYPES = {"sat": "string", "start_ns": "int64", "end_ns": "int64", "n": "int64"}
"""Parquet types of the event columns that are not float64 (an empty day's table has the same schema)."""


def integrity_events(sat, time_ns, wul_m, ura_m, k: float = K_URA, step_ns: int | None = None) -> list:
    """Runs of consecutive samples of a satellite whose worst-user error exceeds k x URA.

    Parameters
    ----------
    sat, time_ns, wul_m, ura_m : numpy.ndarray, shape (N,)
        Samples (any order).
    k : float
        Threshold in URAs (:data:`K_URA`).
    step_ns : int, optional
        Sampling interval: samples further apart start a new event (default: the smallest spacing).

    Returns
    -------
    list of dict
        ``sat``, ``start_ns``, ``end_ns``, ``n`` (samples), ``max_error_m`` and ``max_ratio`` (error/URA).
    """
    bad = np.isfinite(wul_m) & np.isfinite(ura_m) & (ura_m > 0) & (wul_m > k * np.nan_to_num(ura_m))
    if not bad.any():
        return []
    order = np.lexsort((time_ns[bad], sat[bad]))
    s, t = sat[bad][order], np.asarray(time_ns)[bad][order]
    err, ura = wul_m[bad][order], ura_m[bad][order]
    if step_ns is None:
        d = np.diff(np.unique(time_ns))
        step_ns = int(d.min()) if d.size else 0
    new = np.r_[True, (s[1:] != s[:-1]) | (np.diff(t) > step_ns)]
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], s.size]
    out = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        ratio = err[a:b] / ura[a:b]
        out.append(
            {
                "sat": sat_id(int(s[a])),
                "start_ns": int(t[a]),
                "end_ns": int(t[b - 1]),
                "n": b - a,
                "max_error_m": float(err[a:b].max()),
                "max_ratio": float(ratio.max()),
            }
        )
    return out


def _rac(d, pos, vel):
    """Radial, along-track, cross-track components of ``d``, each (N,).

    ``pos`` and ``vel`` are Earth-fixed (SP3); the orbital frame takes the inertial velocity
    ``v + omega x r`` (IERS Conventions 2010, Table 1.1 omega): with the Earth-fixed one a geostationary
    satellite (53 m/s) would have its along- and cross-track axes at random, and those of a MEO tilted by
    up to 30 degrees.
    """
    omega = np.array([0.0, 0.0, OMEGA_EARTH_IERS])
    vel = vel + np.cross(omega, pos)
    e_r = pos / np.linalg.norm(pos, axis=1)[:, None]
    e_c = np.cross(pos, vel)
    e_c /= np.linalg.norm(e_c, axis=1)[:, None]
    e_a = np.cross(e_c, e_r)
    return tuple(np.einsum("ij,ij->i", d, e) for e in (e_r, e_a, e_c))


def _clock_differences(broadcast, precise, s, t, pos, vel) -> np.ndarray:
    """c (broadcast IF clock - precise clock with the relativistic term), m, before datum alignment."""
    bclk, bstat = broadcast.if_clock(s, t)  # the pairs of IF_CLOCK_PAIRS
    pclk, _, _ = precise.clock(s, t)
    # IGS precise clocks exclude the periodic relativistic effect, which broadcast clocks as users apply
    # them contain (Kepler: F e sqrt(A) sin E; GLONASS: within -tau_n + gamma_n dt): add -2 r.v / c^2
    # (IGS conventions; RTKLIB peph2pos does the same)
    rel = -2.0 * np.einsum("ij,ij->i", pos, vel) / C_LIGHT**2
    return np.where(bstat == Status.OK, C_LIGHT * (bclk - (pclk + rel)), np.nan)


def _flag_counts(sats_all, status, code) -> dict:
    ids, n = np.unique(sats_all[status == code], return_counts=True)
    return {sat_id(int(x)): int(c) for x, c in zip(ids, n, strict=True)}


def _samples(broadcast, precise, times, sats, antex, catalog, attitude, prefer, clock_datum):
    """Broadcast and precise states on the grid; returns the per-sample arrays of the valid samples."""
    s = np.repeat(sats[None, :], times.size, 0).ravel()
    t = np.repeat(times[:, None], sats.size, 1).ravel()
    b = broadcast.state(s, t)
    p = precise.orbit(s, t)
    flags = {
        "unhealthy": _flag_counts(s, b.status, Status.UNHEALTHY),
        "stale": _flag_counts(s, b.status, Status.STALE),
    }
    ok = b.ok & p.ok
    s, t = s[ok], t[ok]
    pos, vel = p.pos_m[ok], p.vel_mps[ok]
    apc = precise.apc(
        s, t, IF_CLOCK_ANTEX_CODES, antex=antex, catalog=catalog, attitude=attitude, prefer=prefer
    )
    off = np.where(np.isfinite(apc.offset_m), apc.offset_m, 0.0)
    radial, along, cross = _rac(b.pos_m[ok] - (pos + off), pos, vel)
    dclk = align_clocks(_clock_differences(broadcast, precise, s, t, pos, vel), t, s, datum=clock_datum)
    ura = np.sqrt(b.var_m2[ok])
    return (
        s,
        t,
        (radial, along, cross),
        dclk,
        ura,
        b.age_s[ok],
        apc.source,
        np.linalg.norm(pos, axis=1),
        flags,
    )


def sisre(
    broadcast,
    precise,
    times_ns,
    sats,
    antex=None,
    catalog=None,
    attitude: str = "model",
    k_ura: float = K_URA,
    min_samples: int = 6,
    prefer: str = "antex",
    clock_datum: str = "system",
    default_ura_m: dict | None = None,
) -> SisreResult:
    """Compare broadcast and precise states on a grid of satellites and epochs (module docstring).

    Parameters
    ----------
    broadcast : BroadcastProduct
        Orbits and clocks (``selection="transmitted"`` recommended: what a receiver held).
    precise : PreciseProduct
    times_ns : array_like of int64
        Epochs, GPST ns.
    sats : array_like
        Satellites (ids or indices).
    antex : Antex, optional
        Satellite phase-centre offsets (IGS calibrations).
    catalog : SatelliteCatalog, optional
        Nominal block offsets for satellites ``antex`` lacks, attitude laws, blocks for the table.
    attitude : {"model", "nominal"}
        Attitude laws of the catalog, or nominal yaw steering for every satellite.
    prefer : {"antex", "nominal"}
        Offset used where both exist (:meth:`~kompas.products.precise.PreciseProduct.apc`).
    k_ura : float
        Integrity threshold in URAs (:func:`integrity_events`).
    min_samples : int
        Satellites with fewer valid samples are listed with ``too_few`` and no statistics.
    clock_datum : {"system", "bds-generation"}
        Satellites sharing a clock datum (:func:`align_clocks`).
    default_ura_m : dict, optional
        URA per system letter for the integrity test of records that broadcast none (GLONASS in RINEX 3;
        default :data:`kompas.monitor.service.DEFAULT_URA_M`, as the service volume uses); the result's
        ``ura_m`` stays the broadcast value (NaN there).

    Returns
    -------
    SisreResult
    """
    sats = np.asarray(sats)
    sats = np.unique(sat_index(sats) if sats.dtype.kind in "US" else sats.astype(np.int16))
    times = np.unique(np.asarray(times_ns, dtype=np.int64))
    s, t, (rad, alo, cro), dclk, ura, age, src, radius, flags = _samples(
        broadcast, precise, times, sats, antex, catalog, attitude, prefer, clock_datum
    )
    w_r, w_ac2 = _weights(s) if s.size else (np.zeros(0), np.zeros(0))
    sis_orb = np.sqrt((w_r * rad) ** 2 + w_ac2 * (alo**2 + cro**2))
    sis = np.sqrt((w_r * rad - dclk) ** 2 + w_ac2 * (alo**2 + cro**2))
    debiased = np.sqrt(
        (w_r * _minus_sat_mean(rad, s) - _minus_sat_mean(dclk, s)) ** 2 + w_ac2 * (alo**2 + cro**2)
    )
    wul = worst_user_error(rad, alo, cro, dclk, radius)
    step = int(np.diff(times).min()) if times.size > 1 else None
    events = integrity_events(s, t, wul, _with_default_ura(ura, s, default_ura_m), k_ura, step)
    res = SisreResult(s, t, rad, alo, cro, dclk, sis_orb, sis, debiased, wul, ura, age, src, [],
                      flags["unhealthy"], flags["stale"], events)  # fmt: skip
    table = _satellite_rows(res, sats, catalog, times, min_samples)
    return SisreResult(**{**res.__dict__, "table": table})


def _with_default_ura(ura, sats, default_ura_m):
    """``ura`` with the system's default where no accuracy is broadcast (``sisre``'s ``default_ura_m``)."""
    from .service import default_ura_of

    return np.where(np.isfinite(ura) & (ura > 0), ura, default_ura_of(sats, default_ura_m))


def _minus_sat_mean(x, sats):
    """``x`` minus the mean of its finite values per satellite."""
    _, inv = np.unique(sats, return_inverse=True)
    fin = np.isfinite(x)
    mean = np.bincount(inv, np.where(fin, x, 0.0)) / np.maximum(np.bincount(inv, fin), 1)
    return x - mean[inv]


_CLOCK_STATS = (
    "clock_m",
    "sisre_m",
    "sisre_debiased_m",
    "bias_m",
    "bias_radial_m",
    "bias_clock_m",
    "clock_mean_m",
)
"""Statistics of :func:`_stats` that need the samples with a precise clock."""


def _satellite_rows(res: SisreResult, sats, catalog, times, min_samples: int) -> list:
    """One dict per satellite: statistics (:func:`_stats`), group, block and integrity event count; the
    clock statistics are NaN (``too_few_clock``) for a satellite with fewer than ``min_samples`` clocks."""
    blocks = {}
    if catalog is not None and sats.size:
        info = catalog.lookup(sats, np.full(sats.size, times[times.size // 2]))
        blocks = {int(x): b for x, b in zip(sats.tolist(), info.block.tolist(), strict=True)}
    n_events = {}
    for e in res.events:
        n_events[e["sat"]] = n_events.get(e["sat"], 0) + e["n"]
    table = []
    for x in sats.tolist():
        m = res.sat == x
        base = {"sat": sat_id(x), "group": group_of(x), "prn": int(sat_prn(x)), "block": blocks.get(x, "")}
        if m.sum() < min_samples:
            if m.any():
                table.append({**base, "n": int(m.sum()), "too_few": True})
            continue
        row = _stats(sat_id(x), res, m)
        row.pop("name")
        row.pop("n_sat")
        if row["n_clock"] < min_samples:  # a clock file covering a part of the orbits' span
            row.update(dict.fromkeys(_CLOCK_STATS, float("nan")), too_few_clock=True)
        table.append({**base, **row, "n_exceed": n_events.get(sat_id(x), 0)})
    return table
