"""Write RINEX clock files, version 3.04 or 3.00.

Format: "RINEX Extensions to Handle Clock Information", version 3.04 (IGS, 2017); the inverse of
:func:`kompas.io.readers.clk.read_clk` for everything the :class:`~kompas.io.readers.clk.ClockData`
table holds (header records the table does not keep, such as ``SYS / DCBS APPLIED``, are not written).

Header (labels from column 66, 65-column bodies)
    ``RINEX VERSION / TYPE``, ``PGM / RUN BY / DATE``, ``COMMENT``, ``TIME SYSTEM ID``,
    ``LEAP SECONDS GNSS`` (GPS - UTC, when known), ``SYS / PCVS APPLIED``, ``# / TYPES OF DATA``,
    ``STATION NAME / NUM`` (single-receiver files), ``ANALYSIS CENTER``,
    ``# OF CLK REF`` / ``ANALYSIS CLK REF``,
    ``# OF SOLN STA / TRF`` / ``SOLN STA NAME / NUM`` (A9, 1X, A20, 3 x I11 millimetres with blanks),
    ``# OF SOLN SATS``, ``PRN LIST`` (16 per line), ``END OF HEADER``.
Records
    ``A2,1X,A9,1X,I4,4(1X,I2.2),1X,F9.6,1X,I2,3X,2(E19.12,1X)`` and, beyond two values, a
    continuation line ``4(E19.12,1X)``. Numbers are written ``d.dddddddddddd E+ee`` (Fortran
    ``1PE19.12``, as the IGS combination writes them): 13 significant digits, enough to give back
    exactly the value a reader took from a file written with 12 (``0.d...``, CODE) or 13 digits.
    Records are ordered by epoch, then kind (AR, AS, CR, DR, MS), then name.
    Epochs are written in the table's time system.
Version 3.00 (``version=3.0``; IGS 2010, the layout of CODE's and CNES's MGEX clocks of 2020)
    Header labels from column 61 (60-column bodies), ``SOLN STA NAME / NUM`` ``A4,1X,A20,3 x I11``,
    ``PRN LIST`` 15 per line, ``LEAP SECONDS``, records
    ``A2,1X,A4,1X,I4,4(1X,I2),1X,F9.6,1X,I2,3X,2(E19.12,1X)``: names of at most 4 characters.
    RTKLIB 2.4.3 reads this layout and skips every record of a 3.04 file without a word (its satellite
    and epoch columns are those of 3.00); RTKLIB-EX reads both.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from ...errors import KompasError
from ...time import FILE_TIME_SYSTEMS, gpst_to_calendar, normalize_scale
from ..readers.clk import RECORD_KINDS, ClockData
from ._fields import fit
from ._sink import write_bytes

__all__ = ["write_clk", "clk_from_arrays"]

_VALUES = ("bias_s", "bias_sigma_s", "rate", "rate_sigma", "accel", "accel_sigma")


def clk_from_arrays(kind, name, time_ns, bias_s, *, rate=None, agency="KSM", analysis_center="kompas.sim",
                    station_coords=None, prn_list=(), comments=(), leap_seconds=None, trf="IGS20",
                    time_system="GPST") -> ClockData:  # fmt: skip
    """A :class:`ClockData` table from record arrays, ready for :func:`write_clk`.

    Parameters
    ----------
    kind, name : (N,) str
        Record kinds (``"AS"``, ``"AR"``) and satellite ids or station names (at most 9 characters).
    time_ns : (N,) int64
        GPST ns.
    bias_s : (N,) float
        Clock biases, s.
    rate : (N,) float, optional
        Clock rates, s/s (written as the third value, with a zero sigma in between).
    agency : str, optional
        Analysis centre's 3-character code for ``ANALYSIS CENTER`` (:func:`write_clk` refuses a longer one).
    analysis_center : str, optional
        Analysis centre's name for ``ANALYSIS CENTER``, at most 55 characters (:func:`write_clk` refuses
        a longer one).
    station_coords : dict, optional
        Station name -> (x, y, z) m for ``SOLN STA NAME / NUM``.
    prn_list : sequence of str, optional
        Satellite ids (``"G01"``) for ``PRN LIST`` and ``# OF SOLN SATS``; empty writes neither.
    comments : sequence of str, optional
        ``COMMENT`` lines (a long one continues on more lines).
    leap_seconds : int, optional
        GPS - UTC, s, for ``LEAP SECONDS GNSS``; None writes no such record.
    trf : str, optional
        Reference frame of ``station_coords`` for ``# OF SOLN STA / TRF``, at most 50 characters (unused
        without them).
    time_system : str, optional
        Time system of the file's epochs, a key of :data:`kompas.time.FILE_TIME_SYSTEMS`: ``time_ns``
        stays GPST and the writer converts the epochs to this scale.
    """
    from ...satsys import sat_index

    kind = np.asarray(kind, "U2")
    name = np.asarray(name, "U9")
    n = kind.size
    sat = np.full(n, -1, np.int16)
    if np.any(kind == "AS"):
        sat[kind == "AS"] = sat_index(name[kind == "AS"])
    nan = np.full(n, np.nan)
    has_rate = rate is not None
    coords = dict(station_coords or {})
    return ClockData(
        kind=kind,
        name=name,
        sat=sat,
        time_ns=np.asarray(time_ns, np.int64),
        bias_s=np.asarray(bias_s, float),
        bias_sigma_s=np.zeros(n) if has_rate else nan,
        rate=np.asarray(rate, float) if has_rate else nan.copy(),
        rate_sigma=nan.copy(),
        accel=nan.copy(),
        accel_sigma=nan.copy(),
        version=3.04,
        satellite_system="M",
        time_system=time_system,
        agency=agency,
        analysis_center=analysis_center,
        data_types=tuple(k for k in RECORD_KINDS if np.any(kind == k)),
        leap_seconds=leap_seconds,
        station_coords=coords,
        station_domes={k: "" for k in coords},
        trf=trf if coords else "",
        n_stations_header=len(coords) if coords else None,
        n_sats_header=len(prn_list) or None,
        prn_list=tuple(prn_list),
        comments=tuple(comments),
    )


def _fortran_e(v: float) -> str:
    """``1PE19.12``: d.dddddddddddd E+ee, 13 significant digits (the IGS combination's layout)."""
    if not np.isfinite(v):
        raise KompasError(f"RINEX clock: cannot write the value {v!r}")
    text = f"{v: .12E}"
    if len(text) != 19:
        raise KompasError(f"RINEX clock: the value {v!r} does not fit E19.12")
    return text


_LAYOUT = {3.04: (65, 9, 16), 3.0: (60, 4, 15)}  # header body width, name width, PRN LIST entries per line


def _header(c: ClockData, program: str, now: _dt.datetime, version: float) -> list[str]:
    width, nw, per_line = _LAYOUT[version]

    def _rec(body: str, label: str) -> str:
        if len(body) > width:
            raise KompasError(
                f"RINEX clock header record {label!r}: content longer than {width} columns: {body!r}"
            )
        return f"{body:<{width}s}{label}"

    ts = FILE_TIME_SYSTEMS.get(c.time_system)
    if ts is None:
        raise KompasError(f"RINEX clock cannot state the time system {c.time_system!r}")
    sysl = fit(c.satellite_system or " ", 1, "RINEX clock satellite system")
    out = [
        _rec(
            f"{3.0:9.2f}{'':11s}C{'':19s}{sysl}" if version == 3.0 else f"{3.04:4.2f}{'':17s}C{'':20s}{sysl}",
            "RINEX VERSION / TYPE",
        ),
        _rec(
            f"{program[:20]:20s}{'kompas':20s}{now.strftime('%Y%m%d %H%M%S UTC'):20s}"
            if version == 3.0
            else f"{program[:20]:20s} {'kompas':20s} {now.strftime('%Y%m%d %H%M%S UTC'):20s}",
            "PGM / RUN BY / DATE",
        ),
    ]  # fmt: skip
    # comments longer than the field go on as many lines as they need
    out += [_rec(x[k : k + width], "COMMENT") for x in c.comments for k in range(0, max(len(x), 1), width)]
    out.append(_rec(f"   {ts}", "TIME SYSTEM ID"))
    if c.leap_seconds is not None:
        out.append(_rec(f"{c.leap_seconds:6d}", "LEAP SECONDS" if version == 3.0 else "LEAP SECONDS GNSS"))
    for sys_letter, (prog, source) in c.pcvs_applied.items():
        pcvs = f"{fit(sys_letter, 1, 'RINEX clock PCVS system')} {fit(prog, 17, 'RINEX clock PCVS program')} "
        out.append(_rec(pcvs + fit(source, 40, "RINEX clock PCVS source"), "SYS / PCVS APPLIED"))
    types = c.data_types or tuple(k for k in RECORD_KINDS if np.any(c.kind == k))
    out.append(_rec(f"{len(types):6d}" + "".join(f"    {t:2s}" for t in types), "# / TYPES OF DATA"))
    if c.station_name:
        out.append(_rec(f"{_name(c.station_name, nw)}", "STATION NAME / NUM"))
    centre = fit(c.analysis_center, 55, "RINEX clock analysis centre")
    out.append(_rec(f"{fit(c.agency, 3, 'RINEX clock agency')}  {centre}", "ANALYSIS CENTER"))
    if c.clock_refs:
        out.append(_rec(f"{len(c.clock_refs):6d}", "# OF CLK REF"))
        out += [_rec(_name(r, nw), "ANALYSIS CLK REF") for r in c.clock_refs]
    if c.station_coords or c.n_stations_header:
        n = c.n_stations_header if c.n_stations_header is not None else len(c.station_coords)
        out.append(_rec(f"{n:6d}    {fit(c.trf, 50, 'RINEX clock TRF')}", "# OF SOLN STA / TRF"))
        for name, xyz in c.station_coords.items():
            mm = [round(v * 1e3) for v in xyz]
            dom = fit(c.station_domes.get(name, ""), 20, "RINEX clock DOMES number")
            out.append(
                _rec(f"{_name(name, nw)} {dom}{mm[0]:11d} {mm[1]:11d} {mm[2]:11d}", "SOLN STA NAME / NUM")
            )
    if c.n_sats_header is not None or c.prn_list:
        n = c.n_sats_header if c.n_sats_header is not None else len(c.prn_list)
        out.append(_rec(f"{n:6d}", "# OF SOLN SATS"))
        for k in range(0, len(c.prn_list), per_line):
            out.append(_rec("".join(f"{p:3s} " for p in c.prn_list[k : k + per_line]), "PRN LIST"))
    out.append(_rec("", "END OF HEADER"))
    return out


def _name(name: str, width: int) -> str:
    """A station or satellite name in its field, KompasError when longer (it would be cut)."""
    return fit(name, width, "RINEX clock: the name")


def _body(c: ClockData, version: float) -> list[str]:
    vals = np.stack([getattr(c, v) for v in _VALUES], -1)
    fin = np.isfinite(vals)
    nval = np.where(fin.any(axis=1), _VALUES.__len__() - np.argmax(fin[:, ::-1], axis=1), 0)
    bad = (nval == 0) | np.any(~fin & (np.arange(6)[None] < nval[:, None]), axis=1)
    if bad.any():
        raise KompasError(f"RINEX clock: record {int(np.argmax(bad))} has no value or a gap between values")
    kind_rank = np.array([RECORD_KINDS.index(k) if k in RECORD_KINDS else 9 for k in c.kind.tolist()])
    order = np.lexsort((c.name, kind_rank, c.time_ns))
    cal = gpst_to_calendar(c.time_ns, normalize_scale(FILE_TIME_SYSTEMS[c.time_system]))
    y, mo, d, h, mi, s = (np.atleast_1d(a) for a in cal)
    nw = _LAYOUT[version][1]
    date = "{:4d} {:2d} {:2d} {:2d} {:2d}" if version == 3.0 else "{:4d} {:02d} {:02d} {:02d} {:02d}"
    out = []
    for i in order.tolist():
        n = int(nval[i])
        v = [_fortran_e(x) for x in vals[i, :n]]
        line = (f"{c.kind[i]:2s} {_name(str(c.name[i]), nw)} {date.format(y[i], mo[i], d[i], h[i], mi[i])} "
                f"{s[i]:9.6f} {n:2d}   " + " ".join(v[:2]))  # fmt: skip
        out.append(line)
        if n > 2:
            out.append(" ".join(v[2:]))
    return out


def write_clk(
    clk: ClockData,
    path_or_file,
    *,
    program: str = "kompas",
    version: float = 3.04,
    _now: _dt.datetime | None = None,
) -> None:
    """Write a :class:`ClockData` table as a RINEX clock 3.04 or 3.00 file (module docstring).

    Parameters
    ----------
    clk : ClockData
        From :func:`kompas.io.readers.clk.read_clk` or :func:`clk_from_arrays`.
    path_or_file : str, os.PathLike or file
        Destination (gzip-compressed when the name ends in ``.gz``).
    program : str
        ``PGM / RUN BY / DATE`` program name (20 characters).
    version : {3.04, 3.0}
        Format version: 3.00 for RTKLIB 2.4.3, which reads no 3.04 record.

    Raises
    ------
    KompasError
        A version other than these, a time system the format cannot state, a header text or a name
        longer than its field (comments continue on more lines), a record with no value or with a
        missing value before a present one, a value beyond E19.12.
    """
    if version not in _LAYOUT:
        raise KompasError(f"RINEX clock version must be 3.04 or 3.00, not {version!r}")
    version = float(version)
    lines = _header(clk, program, _now or _dt.datetime.now(_dt.UTC), version) + _body(clk, version)
    write_bytes(path_or_file, ("\n".join(lines) + "\n").encode("ascii"))
