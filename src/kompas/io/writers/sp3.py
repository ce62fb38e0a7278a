"""Write SP3-d precise orbit and clock files.

Format: "The Extended Standard Product 3 Orbit Format (SP3-d)", IGS/NGS, 2016; the inverse of
:func:`kompas.io.readers.sp3.read_sp3` for everything the :class:`~kompas.io.readers.sp3.Sp3` table holds.

Header
    ``#d`` line: position/velocity flag, first epoch (in the file's time system), number of epochs
    (the table's), data used, coordinate system, orbit type, agency. ``##``: GPS week and seconds
    of week of the first epoch on the calendar of the file's time system (weeks from 1980-01-06
    whatever the scale), the epoch interval, Modified Julian Day and fraction. ``+``/``++``:
    satellites and accuracy exponents (2**e mm; 0 where unknown), 17 per line, at least five lines
    each. ``%c``: file type and time system; ``%f``: the bases of the
    standard deviations; ``%i``: zeros; ``/*``: the comments (SP3-d: any number, up to 80 columns).
Records
    ``*`` epoch; ``P`` x y z km (F14.6) and clock microseconds (F14.6), the standard-deviation
    exponents (I2 x3, I3) and the flags E, P, M, P in columns 75, 76, 79, 80; ``V`` the same for
    velocity dm/s and clock rate 1e-4 microseconds/s. A missing position is written 0.000000 (all
    three components) and a missing clock 999999.999999, as the format says; a standard deviation
    whose exponent is unknown is blank.

Values are rounded to the format's 6 decimals: 1 mm, 1 ps, 0.1 micrometre/s. A value read from an
SP3 file is written back unchanged.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from ...errors import KompasError
from ...time import FILE_TIME_SYSTEMS, MJD_GPS_EPOCH, gpst_to_calendar, normalize_scale
from ..readers.sp3 import Sp3
from ._fields import fit
from ._sink import write_bytes

__all__ = ["write_sp3", "sp3_from_arrays"]

_BAD = "999999.999999"
_PER_LINE = 17
_MIN_LINES = 5


def sp3_from_arrays(time_ns, sats, pos_m, clk_s, *, vel_mps=None, clk_rate=None, agency="KSIM",
                    frame="IGS20", orbit_type="FIT", data_used="ORBIT", time_system="GPST",
                    comments=(), file_type="M", accuracy_m=None) -> Sp3:  # fmt: skip
    """An :class:`Sp3` from arrays (no standard deviations, no flags), ready for :func:`write_sp3`.

    Parameters
    ----------
    time_ns : (E,) int64
        Epochs, GPST ns, equally spaced.
    sats : (S,) int16
        Satellite indices (:func:`kompas.satsys.sat_index`).
    pos_m : (E, S, 3) float
        Positions, m; NaN where missing.
    clk_s : (E, S) float
        Clocks, s; NaN where missing.
    vel_mps, clk_rate : optional
        Velocities (E, S, 3), m/s, and clock rates (E, S), s/s; ``clk_rate`` is kept only with
        ``vel_mps`` (``V`` records; NaN rates when omitted).
    agency : str, optional
        Agency of the ``#d`` line (at most 4 characters: :func:`write_sp3` refuses a longer one).
    frame : str, optional
        Coordinate system of the ``#d`` line (at most 5 characters).
    orbit_type : str, optional
        Orbit type of the ``#d`` line (``"FIT"``, ``"EXT"``, ``"BCT"``, ``"HLM"``; at most 3 characters).
    data_used : str, optional
        Data-used descriptor of the ``#d`` line (at most 5 characters).
    time_system : str, optional
        Time system of the file's epochs, a key of :data:`kompas.time.FILE_TIME_SYSTEMS`: ``time_ns``
        stays GPST; the ``##`` week and seconds of week are of the first epoch in this scale.
    comments : sequence of str, optional
        ``/*`` lines, at most 77 characters each (:func:`write_sp3` raises on a longer one).
    file_type : str, optional
        File type of the first ``%c`` line (``"G"``, ``"R"``, ``"E"``, ``"C"``, ``"J"``, ``"M"``: mixed;
        at most 2 characters).
    accuracy_m : (S,) float, optional
        Accuracy of each satellite, m, written as the ``++`` exponent of 2**e mm; None: unknown (0).
    """
    t = np.asarray(time_ns, np.int64)
    e, s = t.size, np.asarray(sats).size
    nan3, nan = np.full((e, s, 3), np.nan), np.full((e, s), np.nan)
    no = np.zeros((e, s), bool)
    wk, sow = _week_sow(_first_calendar(t, time_system))[:2] if e else (0, 0.0)
    has_v = vel_mps is not None
    return Sp3(
        time_ns=t,
        sats=np.asarray(sats, np.int16),
        pos_m=np.asarray(pos_m, float),
        clk_s=np.asarray(clk_s, float),
        vel_mps=None if not has_v else np.asarray(vel_mps, float),
        clk_rate=None if not has_v else np.asarray(clk_rate if clk_rate is not None else nan, float),
        pos_sdev_m=nan3,
        clk_sdev_s=nan,
        vel_sdev_mps=nan3.copy() if has_v else None,
        clk_rate_sdev=nan.copy() if has_v else None,
        clk_event=no,
        clk_pred=no.copy(),
        maneuver=no.copy(),
        orb_pred=no.copy(),
        accuracy_m=np.full(s, np.nan) if accuracy_m is None else np.asarray(accuracy_m, float),
        version="d",
        pv_flag="V" if has_v else "P",
        data_used=data_used,
        frame=frame,
        orbit_type=orbit_type,
        agency=agency,
        file_type=file_type,
        time_system=time_system,
        gps_week=wk,
        seconds_of_week=sow,
        interval_s=float((t[1] - t[0]) * 1e-9) if e > 1 else 0.0,
        n_epochs_header=e,
        base_pos=0.0,
        base_clk=0.0,
        comments=tuple(comments),
    )


def _exponent(sdev, base, scale) -> np.ndarray:
    """Exponents e with base**e * scale == sdev (-1 where unknown)."""
    out = np.full(np.shape(sdev), -1, np.int64)
    ok = np.isfinite(sdev) & (sdev > 0)
    if base > 1 and ok.any():
        out[ok] = np.rint(np.log(sdev[ok] / scale) / np.log(base)).astype(np.int64)
    return out


def _calendar(t_ns, scale):
    scale = normalize_scale(FILE_TIME_SYSTEMS.get(scale, scale))
    y, mo, d, h, mi, s = (np.atleast_1d(a) for a in gpst_to_calendar(np.atleast_1d(t_ns), scale))
    return y, mo, d, h, mi, np.rint(s * 1e9).astype(np.int64)


def _first_calendar(t_ns, scale) -> tuple[int, ...]:
    """Year, month, day, hour, minute and nanoseconds of the minute of the first epoch (line 1)."""
    return tuple(int(a[0]) for a in _calendar(t_ns[:1], scale))


def _week_sow(cal):
    """Line 2's week and seconds of week, MJD and fraction of day of line 1's calendar fields ``cal``:
    weeks from 1980-01-06 whatever the scale, so the line agrees with itself and with line 1 (a UTC
    file's week is not shifted by the leap seconds)."""
    y, mo, d, h, mi, s_ns = cal
    days = int((np.datetime64(f"{y:04d}-{mo:02d}-{d:02d}") - np.datetime64("1980-01-06")).astype(int))
    sod_ns = (h * 3600 + mi * 60) * 10**9 + s_ns
    week, dow = divmod(days, 7)
    return week, dow * 86400.0 + sod_ns / 1e9, MJD_GPS_EPOCH + days, sod_ns / 86400e9


def _header(sp3: Sp3) -> list[str]:
    ts = FILE_TIME_SYSTEMS.get(sp3.time_system)
    if ts is None:
        raise KompasError(f"SP3 cannot state the time system {sp3.time_system!r}")
    if len(sp3) == 0:
        raise KompasError("write_sp3: the table has no epoch")
    cal = _first_calendar(sp3.time_ns, sp3.time_system)
    y, mo, d, h, mi, s_ns = cal
    wk, sow, mjd, frac = _week_sow(cal)
    out = [
        f"#d{sp3.pv_flag}{y:4d} {mo:2d} {d:2d} {h:2d} {mi:2d} {s_ns / 1e9:11.8f} {len(sp3):7d} "
        f"{fit(sp3.data_used, 5, 'SP3 data used')} {fit(sp3.frame, 5, 'SP3 frame')} "
        f"{fit(sp3.orbit_type, 3, 'SP3 orbit type')} {fit(sp3.agency, 4, 'SP3 agency')}",
        f"## {wk:4d} {sow:15.8f} {sp3.interval_s:14.8f} {mjd:5d} {frac:15.13f}",
    ]
    ids = [str(x) for x in sp3.sat_ids]
    acc = np.where(np.isfinite(sp3.accuracy_m), np.rint(np.log2(np.maximum(sp3.accuracy_m, 1e-12) * 1e3)), 0)
    n_lines = max(_MIN_LINES, -(-len(ids) // _PER_LINE))
    ids += ["  0"] * (n_lines * _PER_LINE - len(ids))
    codes = [f"{int(a):3d}" for a in acc] + ["  0"] * (n_lines * _PER_LINE - acc.size)
    for k in range(n_lines):
        lead = f"+  {sp3.sats.size:3d}   " if k == 0 else "+        "
        out.append(lead + "".join(ids[k * _PER_LINE : (k + 1) * _PER_LINE]))
    for k in range(n_lines):
        out.append("++       " + "".join(codes[k * _PER_LINE : (k + 1) * _PER_LINE]))
    ft = fit(sp3.file_type or "M", 2, "SP3 file type")
    out += [
        f"%c {ft:2s} cc {ts} ccc cccc cccc cccc cccc ccccc ccccc ccccc ccccc",
        "%c cc cc ccc ccc cccc cccc cccc cccc ccccc ccccc ccccc ccccc",
        f"%f {sp3.base_pos:10.7f} {sp3.base_clk:12.9f}  0.00000000000  0.000000000000000",
        "%f  0.0000000  0.000000000  0.00000000000  0.000000000000000",
        "%i    0    0    0    0      0      0      0      0         0",
        "%i    0    0    0    0      0      0      0      0         0",
    ]
    # SP3-c has exactly four comment lines (lines 19-22) and SP3-d at least four: readers that take the
    # header as 22 lines (RTKLIB 2.4.3's readsp3h) would swallow the first epoch after fewer
    for c in (*sp3.comments, *[""] * (4 - len(sp3.comments))):
        if len(c) > 77:
            raise KompasError(f"SP3 comment longer than 77 characters: {c!r}")
        out.append(("/* " + c).rstrip() if c else "/*")
    return out


def _check_fits(values, ok, what):
    if np.any(np.abs(values[ok]) >= 1e7):
        raise KompasError(f"SP3: a {what} value does not fit F14.6")


def _records(sp3: Sp3, e: int, kind: str) -> list[str]:
    """The ``P`` (or ``V``) lines of epoch ``e``."""
    if kind == "P":
        vec, clk = sp3.pos_m[e] / 1e3, sp3.clk_s[e] / 1e-6
        vsd, csd = (
            _exponent(sp3.pos_sdev_m[e], sp3.base_pos, 1e-3),
            _exponent(sp3.clk_sdev_s[e], sp3.base_clk, 1e-12),
        )
        flags = (sp3.clk_event[e], sp3.clk_pred[e], sp3.maneuver[e], sp3.orb_pred[e])
    else:
        vec, clk = sp3.vel_mps[e] / 0.1, sp3.clk_rate[e] / 1e-10
        vsd = _exponent(sp3.vel_sdev_mps[e], sp3.base_pos, 1e-7)
        csd = _exponent(sp3.clk_rate_sdev[e], sp3.base_clk, 1e-16)
        flags = (np.zeros(vec.shape[0], bool),) * 4
    vec_ok = np.all(np.isfinite(vec), axis=1)
    clk_ok = np.isfinite(clk)
    _check_fits(vec, vec_ok, "position" if kind == "P" else "velocity")
    _check_fits(clk, clk_ok, "clock")
    out = []
    for s, name in enumerate(sp3.sat_ids.tolist()):
        xyz = "".join(f"{v:14.6f}" for v in vec[s]) if vec_ok[s] else f"{0.0:14.6f}" * 3
        line = f"{kind}{name}{xyz}{clk[s]:14.6f}" if clk_ok[s] else f"{kind}{name}{xyz} {_BAD}"
        ex = [f"{x:2d}" if (x >= 0 and vec_ok[s]) else "  " for x in vsd[s]]
        ec = f"{csd[s]:3d}" if (csd[s] >= 0 and clk_ok[s]) else "   "
        fl = ("E" if flags[0][s] else " ") + ("P" if flags[1][s] else " ") + "  "
        fl += ("M" if flags[2][s] else " ") + ("P" if flags[3][s] else " ")
        out.append((line + f" {ex[0]} {ex[1]} {ex[2]} {ec} " + fl).rstrip())
    return out


def write_sp3(sp3: Sp3, path_or_file, *, _now: _dt.datetime | None = None) -> None:
    """Write an :class:`Sp3` table as an SP3-d file (module docstring for the layout).

    Parameters
    ----------
    sp3 : Sp3
        From :func:`kompas.io.readers.sp3.read_sp3` or :func:`sp3_from_arrays`. Epochs are written in the
        table's time system; velocities (``V`` records) when the table has them.
    path_or_file : str, os.PathLike or binary/text file
        Destination (gzip-compressed when the name ends in ``.gz``).

    Raises
    ------
    KompasError
        No epoch; a time system SP3 cannot state; a value or a header text that does not fit its field;
        a comment longer than the line.
    """
    lines = _header(sp3)
    y, mo, d, h, mi, s_ns = _calendar(sp3.time_ns, sp3.time_system)
    has_v = sp3.vel_mps is not None
    for e in range(len(sp3)):
        lines.append(f"*  {y[e]:4d} {mo[e]:2d} {d[e]:2d} {h[e]:2d} {mi[e]:2d} {s_ns[e] / 1e9:11.8f}")
        p = _records(sp3, e, "P")
        if has_v:
            v = _records(sp3, e, "V")
            p = [x for pair in zip(p, v, strict=True) for x in pair]
        lines += p
    lines.append("EOF")
    write_bytes(path_or_file, ("\n".join(lines) + "\n").encode("ascii"))
