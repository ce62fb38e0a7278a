"""RTKLIB solution files (``.pos``): the writer (:mod:`kompas.io.readers.pos` reads them).

Layout: RTKLIB 2.4.3, ``solution.c`` (``outsolheads``/``outpos``/``outecef``) and ``postpos.c``
(``outheader``), as produced by ``rnx2rtkp`` with the default separator (one blank):

* header lines starting with ``%``: program, input files, first and last epoch, the base or e/n/u
  reference (``% ref pos``: ECEF x, y, z in m, ``%14.4f``, in xyz files; latitude, longitude in deg and
  height in m, ``%13.9f %14.9f %10.4f``, otherwise, as RTKLIB ``outrpos``), processing options, a lone
  ``%``, the coordinate legend and the column header;
* one line per epoch with a solution, in one of two coordinate layouts:

  ``llh``  time, latitude and longitude (deg, ``%14.9f``), ellipsoidal height (m, ``%10.4f``), Q
  (``%3d``), ns (``%3d``), sdn, sde, sdu, sdne, sdeu, sdun (m, ``%8.4f``), age (s, ``%6.2f``),
  ratio (``%6.1f``);

  ``xyz``  time, ECEF x, y, z (m, ``%14.4f``), Q, ns, sdx, sdy, sdz, sdxy, sdyz, sdzx, age, ratio.

  Standard deviations are ``sqrt`` of the variances and, for the off-diagonal terms, the signed
  square root ``sign(c) * sqrt(|c|)`` of the covariance (RTKLIB ``sqvar``); the llh layout uses
  the covariance in the local east/north/up frame. Unknown variances are written as 0.0000, as
  RTKLIB does.

Times are ``yyyy/mm/dd hh:mm:ss.sss`` (GPST or UTC) or ``week tow`` (GPST), rounded to the chosen
number of decimals (3 by default) with the carry into the minute/week that RTKLIB applies.

Line ends follow RTKLIB byte for byte by default: the program/input/epoch lines and the lone ``%``
end in LF, the option lines, the two legend lines and the solution lines in CR LF (the two source
files of RTKLIB differ). ``crlf=False`` writes LF everywhere.

RTKLIB's own tools (``pos2kml``, ``rtkplot``, ``rtkpost``'s readers) and :func:`read_pos` read
the files back.
"""

from __future__ import annotations

import os

import numpy as np

from ...errors import ConfigError
from ...frames import ecef_to_enu, ecef_to_geodetic, enu_rotation
from ...solution import Quality, Solution, require_solution, sd_columns
from ...time import (
    gpst_to_calendar,
)
from ...time import week_tow as _week_tow
from ._sink import write_text

__all__ = ["write_pos", "format_pos"]

_LEGEND_LLH = "lat/lon/height=WGS84/ellipsoidal"
_LEGEND_XYZ = "x/y/z-ecef=WGS84"
_LEGEND_ENU = "e/n/u-baseline=WGS84"
_LEGEND_Q = ",Q=1:fix,2:float,3:sbas,4:dgps,5:single,6:ppp,ns=# of satellites"
_SD_LLH = ("sdn(m)", "sde(m)", "sdu(m)", "sdne(m)", "sdeu(m)", "sdun(m)")
_SD_XYZ = ("sdx(m)", "sdy(m)", "sdz(m)", "sdxy(m)", "sdyz(m)", "sdzx(m)")
_SD_ENU = ("sde(m)", "sdn(m)", "sdu(m)", "sden(m)", "sdnu(m)", "sdue(m)")
COORDS = ("llh", "xyz", "enu")
"""Coordinate layouts of a .pos file (RTKLIB ``out-solformat`` llh, xyz, enu)."""

# Names RTKLIB's outprcopts prints, keyed by the option values kompas configurations use.
_IONO_NAMES = {"off": "OFF", "brdc": "Broadcast", "sbas": "SBAS", "if": "Iono-Free LC",
               "est": "Estimate TEC", "ionex": "IONEX TEC"}  # fmt: skip
_MODE_NAMES = {"single": "Single", "rtk": "Kinematic", "static": "Static", "ppp-kinematic": "PPP Kinematic",
               "ppp-static": "PPP Static"}  # fmt: skip
_EPH_NAMES = {"broadcast": "Broadcast", "precise": "Precise"}
_TROPO_NAMES = {"off": "OFF", "saas": "Saastamoinen", "saas+met": "Saastamoinen (measured meteorology)",
                "sbas": "SBAS", "est": "Estimate ZTD",
                "estg": "Estimate ZTD+Grad"}  # fmt: skip
_SYSTEM_NAMES = {
    "G": "GPS",
    "S": "SBAS",
    "R": "GLONASS",
    "E": "Galileo",
    "J": "QZSS",
    "C": "BDS",
    "I": "NavIC",
}


# ----------------------------------------------------------------------------------------------
# writer


def write_pos(
    solution: Solution,
    path_or_file,
    *,
    coords: str = "llh",
    time_format: str = "gpst",
    decimals: int = 3,
    age_s=None,
    ratio=None,
    header: bool = True,
    crlf: bool = True,
    ref_m=None,
) -> None:
    """Write a solution as an RTKLIB 2.4.3 ``.pos`` file.

    Only epochs with a solution (``quality != 0`` and a finite position) are written, as RTKLIB does.

    Parameters
    ----------
    solution : Solution
        Positions (ECEF, m), quality (RTKLIB Q codes), satellites, covariance (ECEF, m^2).
    path_or_file : str or os.PathLike or text file
        Destination; an open file must be text mode (opened with ``newline=""`` to keep the CR LF
        line ends).
    coords : {"llh", "xyz", "enu"}
        ``llh``: WGS-84 latitude/longitude (deg) and ellipsoidal height (m) with east/north/up
        standard deviations; ``xyz``: ECEF x, y, z (m) with ECEF standard deviations; ``enu``: the
        east/north/up baseline from ``ref_m`` (m, in the frame of the reference point, RTKLIB
        ``outenu``) with east/north/up standard deviations, and the reference in a ``% ref pos`` line.
    time_format : {"gpst", "utc", "tow"}
        Calendar GPST (RTKLIB default), calendar UTC (leap seconds from kompas's table), or GPS week
        and time of week (s).
    decimals : int
        Decimals of the seconds (RTKLIB ``out-timendec``), 0-9.
    age_s, ratio : array_like, shape (E,), optional
        Age of differential corrections (s) and ambiguity ratio test value per epoch; by default the
        solution's own ``age_s`` and ``ratio`` (relative positioning), else 0.
    header : bool
        Write the ``%`` header lines (RTKLIB ``out-outhead``).
    crlf : bool
        True: RTKLIB's line ends byte for byte (see the module notes); False: LF only.
    ref_m : array_like, shape (3,), optional
        ``enu``: the reference point, ECEF m; by default the base marker of a relative solution
        (``solution.record.base_m``).

    Notes
    -----
    Header content comes from ``solution.record`` (:class:`kompas.solution.ProcessingRecord`): program,
    input files, mode, elevation mask, the ionosphere option with the model that served each satellite
    class, troposphere, ephemeris and systems.
    """
    text = format_pos(
        solution,
        coords=coords,
        time_format=time_format,
        decimals=decimals,
        age_s=age_s,
        ratio=ratio,
        header=header,
        crlf=crlf,
        ref_m=ref_m,
    )
    write_text(path_or_file, text)


def format_pos(
    solution: Solution,
    *,
    coords: str = "llh",
    time_format: str = "gpst",
    decimals: int = 3,
    age_s=None,
    ratio=None,
    header: bool = True,
    crlf: bool = True,
    ref_m=None,
) -> str:
    """The text :func:`write_pos` writes (same options)."""
    require_solution(solution, "write_pos")
    if coords not in COORDS:
        raise ConfigError(f"coords must be 'llh', 'xyz' or 'enu', not {coords!r}")
    ref = _reference(solution, ref_m) if coords == "enu" else None
    # a relative solution names its base in the header whatever the coordinates (RTKLIB's % ref pos)
    ref_line = ref if ref is not None else _base_of(solution)
    if time_format not in ("gpst", "utc", "tow"):
        raise ConfigError(f"time_format must be 'gpst', 'utc' or 'tow', not {time_format!r}")
    if not isinstance(decimals, int | np.integer) or not 0 <= decimals <= 9:
        raise ConfigError(f"decimals must be an integer 0-9, not {decimals!r}")
    decimals = int(decimals)
    e = len(solution)
    age = _per_epoch(age_s if age_s is not None else solution.age_s, e, "age_s")
    rat = _per_epoch(ratio if ratio is not None else solution.ratio, e, "ratio")

    pos = np.asarray(solution.pos_m, dtype=np.float64)
    q = np.asarray(solution.quality)
    rows = np.flatnonzero((q != Quality.NONE) & np.all(np.isfinite(pos), axis=1))
    t = np.asarray(solution.time_ns, dtype=np.int64)[rows]
    times = _time_strings(t, time_format, decimals)

    if coords == "llh":
        llh = solution.llh()[rows]
        cov = solution.cov_enu_m2()[rows]
        # ENU covariance: 0 = east, 1 = north, 2 = up (RTKLIB outpos: Q[4], Q[0], Q[8], Q[1], Q[2], Q[5])
        sd = sd_columns(cov, (1, 0, 2), ((0, 1), (0, 2), (1, 2)), unknown=0.0)
        c1, c2, c3 = np.degrees(llh[:, 0]), np.degrees(llh[:, 1]), llh[:, 2]
        fmt = "{} {:14.9f} {:14.9f} {:10.4f} {:3d} {:3d}" + " {:8.4f}" * 6 + " {:6.2f} {:6.1f}"
    else:
        cov = solution.cov_m2 if solution.cov_m2 is not None else np.full((e, 3, 3), np.nan)
        cov = np.asarray(cov, dtype=np.float64)[rows]
        c1, c2, c3 = pos[rows, 0], pos[rows, 1], pos[rows, 2]
        if ref is not None:  # RTKLIB outenu: baseline and covariance in the reference's frame
            c1, c2, c3 = ecef_to_enu(pos[rows], ref).T
            r = enu_rotation(*ecef_to_geodetic(ref)[:2])
            cov = r @ cov @ r.T
        # RTKLIB outecef: P[0], P[4], P[8], P[1] (xy), P[5] (yz), P[2] (zx); outenu: Q[0], Q[4], Q[8],
        # Q[1] (en), Q[5] (nu), Q[2] (ue)
        sd = sd_columns(cov, (0, 1, 2), ((0, 1), (1, 2), (0, 2)), unknown=0.0)
        fmt = "{} {:14.4f} {:14.4f} {:14.4f} {:3d} {:3d}" + " {:8.4f}" * 6 + " {:6.2f} {:6.1f}"

    eol = "\r\n" if crlf else "\n"
    ns = np.asarray(solution.nsat)[rows].astype(np.int64)
    cols = [times, c1.tolist(), c2.tolist(), c3.tolist(), q[rows].astype(np.int64).tolist(), ns.tolist()]
    cols += [s.tolist() for s in sd] + [age[rows].tolist(), rat[rows].tolist()]
    body = [fmt.format(*r) + eol for r in zip(*cols, strict=True)]
    head = _header_lines(solution, coords, time_format, decimals, eol, ref_line) if header else []
    return "".join(head + body)


def _reference(solution, ref_m) -> np.ndarray:
    """The reference point of an e/n/u baseline file, ECEF m (ConfigError without one)."""
    ref = np.asarray(solution.record.base_m if ref_m is None else ref_m, dtype=np.float64)
    if ref.shape != (3,) or not np.all(np.isfinite(ref)) or np.linalg.norm(ref) < 6.0e6:
        raise ConfigError(
            "an e/n/u baseline needs a reference point (ECEF m near the Earth's surface): the base of a "
            f"relative solution or ref_m, not {ref.tolist()}"
        )
    return ref


def _base_of(solution) -> np.ndarray | None:
    """The base position of a relative solution, ECEF m (None for a solution without one)."""
    base = np.asarray(getattr(solution.record, "base_m", ()) or (), dtype=np.float64)
    return base if base.shape == (3,) and np.all(np.isfinite(base)) else None


def _per_epoch(values, e, name):
    if values is None:
        return np.zeros(e)
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (e,):
        raise ConfigError(f"{name} must have one value per epoch ({e}), got shape {arr.shape}")
    return np.where(np.isfinite(arr), arr, 0.0)


def _round_time(t_ns, decimals):
    """Round GPST ns half-up to ``decimals`` of a second (RTKLIB rounds before splitting fields)."""
    unit = 10 ** (9 - decimals)
    return (t_ns + unit // 2) // unit * unit


def _time_strings(t_ns, time_format, decimals):
    if t_ns.size == 0:
        return []
    t = _round_time(t_ns, decimals)
    if time_format == "tow":
        week, tow = _week_tow(t, "GPS")
        width = 6 + (decimals + 1 if decimals > 0 else 0)
        return [f"{w:4d} {s:{width}.{decimals}f}" for w, s in zip(week.tolist(), tow.tolist(), strict=True)]
    scale = "UTC" if time_format == "utc" else "GPST"
    y, mo, d, hh, mi, ss = gpst_to_calendar(t, scale)
    sw = decimals + 3 if decimals > 0 else 2
    return [
        f"{a:04d}/{b:02d}/{c:02d} {h:02d}:{m:02d}:{s:0{sw}.{decimals}f}"
        for a, b, c, h, m, s in zip(
            y.tolist(), mo.tolist(), d.tolist(), hh.tolist(), mi.tolist(), ss.tolist(), strict=True
        )
    ]


def _option_lines(sol) -> list[str]:
    """RTKLIB's option lines from the solution's processing record (what was actually used)."""
    rec = sol.record
    opts = []
    q = np.asarray(sol.quality)
    ok = q != Quality.NONE
    mode = _MODE_NAMES.get(rec.mode, rec.mode)
    if not mode and ok.any() and np.all(q[ok] == Quality.SINGLE):
        mode = "Single"
    if mode:
        opts.append(f"% pos mode  : {mode}")
    passes = _passes(getattr(rec, "config", None))
    if passes:  # RTKLIB's "solution" line: the filter passes behind the positions
        opts.append(f"% solution  : {passes}")
    if rec.elmask_deg is not None:
        opts.append(f"% elev mask : {float(rec.elmask_deg):.1f} deg")
    if rec.iono:
        name = _IONO_NAMES.get(rec.iono, rec.iono)
        if rec.iono_models:
            groups: dict[str, list[str]] = {}
            for cls, model in rec.iono_models.items():
                groups.setdefault(model, []).append(cls)
            name += " (" + "; ".join(f"{m}: {' '.join(c)}" for m, c in groups.items()) + ")"
        opts.append(f"% ionos opt : {name}")
    if rec.tropo:
        opts.append(f"% tropo opt : {_TROPO_NAMES.get(rec.tropo, rec.tropo)}")
    if rec.ephemeris:
        opts.append(f"% ephemeris : {_EPH_NAMES.get(rec.ephemeris, rec.ephemeris)}")
    systems = rec.systems or "".join(sol.nsat_by_system)
    names = [_SYSTEM_NAMES[c] for c in _SYSTEM_NAMES if c in str(systems).upper()]
    if names:
        opts.append(f"% navi sys  : {' '.join(names)}")
    return opts


def _passes(config) -> str:
    """Forward, Backward or Combined from a run's configuration (RTK ``ppk``, PPP ``filter.smoothing``);
    empty for a configuration with neither."""
    if isinstance(getattr(config, "ppk", None), bool):
        return "Combined" if config.ppk else "Forward"
    smoothing = getattr(getattr(config, "filter", None), "smoothing", None)
    return smoothing.capitalize() if isinstance(smoothing, str) else ""


def _ref_text(ref, coords) -> str:
    """The ``% ref pos`` fields as RTKLIB's outrpos writes them: ECEF X Y Z (m) in an xyz file, which its
    reader (decode_refpos) takes as ECEF there; latitude, longitude (deg) and height (m) otherwise."""
    if coords == "xyz":
        return "{:14.4f} {:14.4f} {:14.4f}".format(*np.asarray(ref, dtype=np.float64).tolist())
    lat, lon, h = ecef_to_geodetic(ref)
    return f"{np.degrees(lat):13.9f} {np.degrees(lon):14.9f} {h:10.4f}"


def _header_lines(sol, coords, time_format, decimals, eol, ref=None):
    rec = sol.record
    lines = [f"% program   : {rec.program or 'kompas'}\n"]
    lines += [f"% inp file  : {os.fspath(p)}\n" for p in rec.inputs if p is not None]
    t = np.asarray(sol.time_ns, dtype=np.int64)
    if t.size:
        scale = "UTC" if time_format == "utc" else "GPST"
        for label, ti in (("obs start", t.min()), ("obs end  ", t.max())):
            cal = _time_strings(np.array([ti]), "utc" if scale == "UTC" else "gpst", 1)[0]
            w, s = _week_tow(np.array([_round_time(ti, 1)]), "GPS")
            lines.append(f"% {label} : {cal} {scale} (week{int(w[0]):04d} {float(s[0]):8.1f}s)\n")
    if ref is not None:
        lines.append(f"% ref pos   :{_ref_text(ref, coords)}\n")
    lines += [o + eol for o in _option_lines(sol)]
    lines.append("%\n")
    legend = {"llh": _LEGEND_LLH, "xyz": _LEGEND_XYZ, "enu": _LEGEND_ENU}[coords]
    lines.append(f"% ({legend}{_LEGEND_Q}){eol}")
    label = "UTC" if time_format == "utc" else "GPST"
    width = (8 if time_format == "tow" else 16) + decimals + 1  # RTKLIB outsolheads, misaligned at 0 decimals
    if coords == "llh":
        cols = f"{'latitude(deg)':>14s} {'longitude(deg)':>14s} {'height(m)':>10s}"
        sd = _SD_LLH
    elif coords == "xyz":
        cols = f"{'x-ecef(m)':>14s} {'y-ecef(m)':>14s} {'z-ecef(m)':>14s}"
        sd = _SD_XYZ
    else:
        cols = f"{'e-baseline(m)':>14s} {'n-baseline(m)':>14s} {'u-baseline(m)':>14s}"
        sd = _SD_ENU
    cols += f" {'Q':>3s} {'ns':>3s} " + " ".join(f"{s:>8s}" for s in sd) + f" {'age(s)':>6s} {'ratio':>6s}"
    lines.append(f"%  {label:<{width}s} {cols}{eol}")
    return lines


# ----------------------------------------------------------------------------------------------
# reader
