"""Write an :class:`~kompas.tables.obs.ObsTable` as a RINEX 3.05 observation file.

The inverse of :func:`kompas.io.readers.rinex_obs.read_obs` for the data the table holds: reading the written
file gives the same rows (times, satellites, signals, values, LLI, SSI), epoch flags and receiver
clock offsets.

Layout (RINEX 3.05, IGS/RTCM 2020, sec. 5 and Tables A2/A3)
    * Header records in the order of Table A2; ``SYS / # / OBS TYPES`` lists, per system, the
      kinds C, L, D, S of each signal that hold at least one value (L also when only a loss-of-lock
      indicator is set), ordered by signal then kind (as :meth:`ObsTable.codes_by_system`).
    * Epochs are written in GPST (``TIME OF FIRST OBS`` says ``GPS``), whatever the time system of
      the file the table was read from.
    * One line per satellite: the id, then per observation type ``F14.3`` + LLI (I1) + SSI (I1);
      a missing value is 16 blanks, an indicator 0 is a blank, trailing blanks are dropped.
    * The table keeps one LLI (of the phase) and one SSI (of the phase, else of the code) per
      signal: the LLI is written on the phase field, the SSI on the phase field (on the code field
      where there is no phase value), as the reader takes them.

Not written: event epochs (flags 2-6, ``ObsTable.events``; a warning says so), ``SYS / SCALE
FACTOR`` (the table's values are already unscaled) and the ``PRN / # OF OBS`` statistics.

The body is formatted with numpy: the values of a block of epochs become one character array
that is written in one piece (a day of 30 s data with ~80 satellites takes about a second).
"""

from __future__ import annotations

import datetime as _dt
import warnings

import numpy as np

from ...errors import KompasError, KompasWarning, caller_stacklevel
from ...satsys import SYSTEM_LETTERS, sat_id, sat_system, signal_code, signal_id, system_code
from ...tables.obs import ObsHeader, ObsTable
from ...time import gps_utc_offset_s, gpst_to_calendar
from ._fields import fit
from ._sink import write_bytes

__all__ = ["write_obs", "obs_types_of"]

_KINDS = "CLDS"
_VERSION = 3.05
_SYSTEM_NAMES = {
    "G": "G: GPS",
    "R": "R: GLONASS",
    "E": "E: Galileo",
    "C": "C: BeiDou",
    "J": "J: QZSS",
    "S": "S: SBAS payload",
    "I": "I: NavIC/IRNSS",
    "M": "M: Mixed",
}
_SP, _DOT, _MINUS, _ZERO, _NL = 32, 46, 45, 48, 10
_EPOCH_W = 56  # '>' epoch line with the receiver clock offset (F15.12 in columns 42-56)
_BLOCK_EPOCHS = 400  # epochs formatted at once: bounds the memory of the character arrays


# ----------------------------------------------------------------------------------------------
# Observation types


def obs_types_of(obs: ObsTable) -> dict[str, list[str]]:
    """Observation codes per system letter that :func:`write_obs` writes for ``obs``.

    The codes with at least one value (:meth:`ObsTable.codes_by_system`), plus the phase code of a
    signal that has a loss-of-lock indicator but no phase value (so that the indicator survives).
    Ordered by signal, then kind C, L, D, S.
    """
    types = obs.codes_by_system()
    if len(obs) and np.any(obs.lli):
        sys_code = sat_system(obs.sat)
        m = obs.lli != 0
        pairs = np.unique((sys_code[m].astype(np.int64) << 8) | obs.signal[m])
        for p in pairs.tolist():
            letter = SYSTEM_LETTERS[(p >> 8) - 1]
            code = "L" + str(signal_code(p & 0xFF))
            codes = types.setdefault(letter, [])
            if code not in codes:
                codes.append(code)
                codes.sort(key=lambda c: (c[1:], _KINDS.index(c[0])))
    return {s: types[s] for s in SYSTEM_LETTERS if types.get(s)}


# ----------------------------------------------------------------------------------------------
# Header


def _rec(content: str, label: str) -> str:
    if len(content) > 60:
        raise KompasError(f"RINEX header record {label!r}: content longer than 60 columns: {content!r}")
    return f"{content:<60s}{label:<20s}"


def _xyz(v, label: str) -> str:
    v = np.asarray(v, dtype=np.float64)
    if np.any(np.abs(v) >= 1e9):
        raise KompasError(f"{label}: value {v} does not fit F14.4")
    return _rec("".join(f"{x:14.4f}" for x in v), label)


def _time_rec(t_ns: int, label: str) -> str:
    y, mo, d, h, mi, s = (np.asarray(a).item() for a in gpst_to_calendar(np.int64(t_ns), "GPST"))
    s_ns = round(s * 1e9)
    return _rec(
        f"{y:6d}{mo:6d}{d:6d}{h:6d}{mi:6d}{s_ns // 10**9:5d}.{(s_ns % 10**9) // 100:07d}     GPS", label
    )


def _header_lines(
    obs: ObsTable, hdr: ObsHeader, types: dict[str, list[str]], program: str, now: _dt.datetime | None
) -> list[str]:
    """Every header record, in the order of RINEX 3.05 Table A2."""
    out = _identity_records(obs, hdr, types, program, now)
    out += _type_records(hdr, types)
    out += _time_records(obs, hdr)
    out += _phase_shift_records(hdr, types)
    if "R" in types:
        out += _glonass_records(hdr)
    leap = hdr.leap_seconds
    if leap is None and obs.n_epochs:
        leap = int(gps_utc_offset_s(obs.epoch_time_ns[0]))  # from kompas's leap-second table
    if leap is not None:
        out.append(_rec(f"{leap:6d}", "LEAP SECONDS"))
    out.append(_rec("", "END OF HEADER"))
    return out


def _identity_records(obs, hdr, types, program, now) -> list[str]:
    """Version/type, program, comments, marker, observer, receiver, antenna, position, antenna delta."""
    systems = "".join(types) or obs.systems
    sys_letter = systems if len(systems) == 1 else "M"
    now = now or _dt.datetime.now(_dt.UTC)
    out = [
        _rec(f"{_VERSION:9.2f}{'':11s}{'OBSERVATION DATA':<20s}{_SYSTEM_NAMES[sys_letter]:<20s}",
             "RINEX VERSION / TYPE"),
        _rec(fit(program, 20, "program") + fit("", 20, "run by") + now.strftime("%Y%m%d %H%M%S UTC"),
             "PGM / RUN BY / DATE"),
    ]  # fmt: skip
    out += [_rec(c, "COMMENT") for c in hdr.comments]
    out.append(_rec(fit(hdr.marker_name, 60, "marker name"), "MARKER NAME"))
    if hdr.marker_number:
        out.append(_rec(fit(hdr.marker_number, 20, "marker number"), "MARKER NUMBER"))
    if hdr.marker_type:
        out.append(_rec(fit(hdr.marker_type, 20, "marker type"), "MARKER TYPE"))
    out.append(_rec(fit(hdr.observer, 20, "observer") + fit(hdr.agency, 40, "agency"), "OBSERVER / AGENCY"))
    rec = (fit(hdr.receiver_number, 20, "receiver number") + fit(hdr.receiver_type, 20, "receiver type")
           + fit(hdr.receiver_version, 20, "receiver version"))  # fmt: skip
    out.append(_rec(rec, "REC # / TYPE / VERS"))
    ant = fit(hdr.antenna_number, 20, "antenna number") + fit(hdr.antenna_type, 20, "antenna type")
    out.append(_rec(ant, "ANT # / TYPE"))
    pos = np.asarray(hdr.approx_position_m, dtype=np.float64)
    if np.all(np.isfinite(pos)):
        out.append(_xyz(pos, "APPROX POSITION XYZ"))
    dhen = np.asarray(hdr.antenna_delta_hen_m, dtype=np.float64)
    out.append(_xyz(np.where(np.isfinite(dhen), dhen, 0.0), "ANTENNA: DELTA H/E/N"))
    return out


def _type_records(hdr, types) -> list[str]:
    """SYS / # / OBS TYPES (13 codes per line) and SIGNAL STRENGTH UNIT."""
    out = []
    for letter, codes in types.items():
        if len(codes) > 999:
            raise KompasError(f"system {letter}: {len(codes)} observation types (at most 999)")
        for k in range(0, len(codes), 13):
            chunk = "".join(f" {c:3s}" for c in codes[k : k + 13])
            lead = f"{letter}  {len(codes):3d}" if k == 0 else " " * 6
            out.append(_rec(lead + chunk, "SYS / # / OBS TYPES"))
    if hdr.signal_strength_unit:
        out.append(_rec(fit(hdr.signal_strength_unit, 20, "signal strength unit"), "SIGNAL STRENGTH UNIT"))
    return out


def _time_records(obs, hdr) -> list[str]:
    """INTERVAL, TIME OF FIRST/LAST OBS, RCV CLOCK OFFS APPL."""
    out = []
    interval = hdr.interval_s if hdr.interval_s else obs.interval_s()
    if interval:
        out.append(_rec(f"{interval:10.3f}", "INTERVAL"))
    if obs.n_epochs:
        t_first, t_last = int(obs.epoch_time_ns[0]), int(obs.epoch_time_ns[-1])
    elif hdr.time_of_first_obs_ns is not None:
        t_first, t_last = int(hdr.time_of_first_obs_ns), None
    else:
        raise KompasError("cannot write TIME OF FIRST OBS: the table has no epoch and the header no time")
    out.append(_time_rec(t_first, "TIME OF FIRST OBS"))
    if t_last is not None:
        out.append(_time_rec(t_last, "TIME OF LAST OBS"))
    if hdr.rcv_clock_offset_applied:
        out.append(_rec(f"{1:6d}", "RCV CLOCK OFFS APPL"))
    return out


def _phase_shift_records(hdr, types) -> list[str]:
    """SYS / PHASE SHIFT, mandatory since RINEX 3.01: the header's records, else "unknown" per system."""
    out = []
    shifts = [s for s in hdr.phase_shifts if s[0] in types]
    have = {s[0] for s in shifts}
    shifts += [(letter, "", None, ()) for letter in types if letter not in have]
    shifts.sort(key=lambda s: SYSTEM_LETTERS.index(s[0]))
    for letter, code, shift, sats in shifts:
        val = "" if shift is None or (code == "" and shift == 0.0) else f"{shift:8.5f}"
        head = f"{letter} {code:3s} {val:>8s}"
        if not sats:
            out.append(_rec(head.rstrip(), "SYS / PHASE SHIFT"))
            continue
        for k in range(0, len(sats), 10):
            lead = f"{head}  {len(sats):2d}" if k == 0 else " " * 18
            out.append(_rec(lead + "".join(f" {x:3s}" for x in sats[k : k + 10]), "SYS / PHASE SHIFT"))
    return out


def _glonass_records(hdr) -> list[str]:
    """GLONASS SLOT / FRQ # (8 per line) and GLONASS COD/PHS/BIS."""
    out = []
    chans = sorted(hdr.glonass_channels.as_dict().items())
    items = [f"R{slot:02d} {k:2d} " for slot, k in chans]
    if not items:
        out.append(_rec(f"{0:3d}", "GLONASS SLOT / FRQ #"))
    for k in range(0, len(items), 8):
        lead = f"{len(items):3d} " if k == 0 else " " * 4
        out.append(_rec(lead + "".join(items[k : k + 8]), "GLONASS SLOT / FRQ #"))
    cpb = dict(hdr.glonass_cpb_m) or {c: float("nan") for c in ("C1C", "C1P", "C2C", "C2P")}
    parts = [f" {c:3s} {'' if not np.isfinite(v) else f'{v:8.3f}':>8s}" for c, v in cpb.items()]
    for k in range(0, len(parts), 4):
        out.append(_rec("".join(parts[k : k + 4]), "GLONASS COD/PHS/BIS"))
    return out


# ----------------------------------------------------------------------------------------------
# Body


def _f14_3(milli: np.ndarray) -> np.ndarray:
    """int64 values in units of 0.001 -> (n, 14) uint8 characters of Fortran ``F14.3``."""
    n = milli.size
    ch = np.full((n, 14), _SP, np.uint8)
    neg = milli < 0
    m = np.abs(milli)
    ch[:, 10] = _DOT
    ch[:, 13] = _ZERO + m % 10
    ch[:, 12] = _ZERO + (m // 10) % 10
    ch[:, 11] = _ZERO + (m // 100) % 10
    ip = m // 1000
    nd = np.ones(n, np.int64)  # digits of the integer part ("0.123" has one)
    ch[:, 9] = _ZERO + ip % 10
    for k in range(1, 10):
        p = 10**k
        show = ip >= p
        nd += show
        ch[show, 9 - k] = _ZERO + (ip[show] // p) % 10
    rows = np.flatnonzero(neg)
    ch[rows, 9 - nd[rows]] = _MINUS
    return ch


_NAMES = {"C": "pseudorange", "L": "phase", "D": "Doppler", "S": "signal strength"}


def _milli(values: np.ndarray, what: str) -> np.ndarray:
    """Values rounded to the format's 3 decimals, as int64 thousandths (exact for RINEX values)."""
    m = np.rint(values * 1000.0)
    # F14.3 holds -999999999.999 .. 9999999999.999
    bad = (m >= 1e13) | (m <= -1e12)
    if np.any(bad):
        v = values[np.flatnonzero(bad)[0]]
        raise KompasError(f"{what} value {v!r} does not fit the F14.3 field of RINEX")
    return m.astype(np.int64)


def _column_lut(types: dict[str, list[str]]) -> tuple[np.ndarray, int]:
    """(system code, signal id, kind) -> column of the record (-1: not written), and the widest system."""
    lut = np.full((len(SYSTEM_LETTERS) + 1, 256, 4), -1, np.int64)
    for letter, codes in types.items():
        sc = int(system_code(letter))
        for c, code in enumerate(codes):
            lut[sc, int(signal_id(code[1:])), _KINDS.index(code[0])] = c
    return lut, max((len(c) for c in types.values()), default=0)


def _epoch_lines(obs: ObsTable, e0: int, e1: int, nsat: np.ndarray) -> list[bytes]:
    t = obs.epoch_time_ns[e0:e1]
    y, mo, d, h, mi, s = gpst_to_calendar(t, "GPST")
    s_ns = np.rint(np.asarray(s) * 1e9).astype(np.int64)
    if np.any(s_ns % 100):
        k = int(np.flatnonzero(s_ns % 100)[0]) + e0
        raise KompasError(f"epoch {k} ({int(obs.epoch_time_ns[k])} ns) is not a multiple of 1e-7 s (RINEX)")
    clk = obs.epoch_clock_s[e0:e1]
    if np.any(np.abs(clk[np.isfinite(clk)]) >= 100.0):
        raise KompasError("a receiver clock offset does not fit the F15.12 field of RINEX")
    flags = obs.epoch_flag[e0:e1]
    out = []
    for k, (yy, mm, dd, hh, mn, ss, fl, n, c) in enumerate(
        zip(
            y.tolist(), mo.tolist(), d.tolist(), h.tolist(), mi.tolist(), s_ns.tolist(),
            flags.tolist(), nsat.tolist(), clk.tolist(), strict=True,
        )
    ):  # fmt: skip
        if n > 999:
            raise KompasError(f"epoch {e0 + k} has {n} satellites (RINEX allows 999)")
        sec = f"{ss // 10**9:3d}.{(ss % 10**9) // 100:07d}"
        line = f"> {yy:4d} {mm:02d} {dd:02d} {hh:02d} {mn:02d}{sec}  {fl:1d}{n:3d}"
        if c == c:  # not NaN
            line += f"      {c:15.12f}"
        out.append(line.encode("ascii"))
    return out


def _body_block(obs: ObsTable, e0: int, e1: int, lut: np.ndarray, nobs_max: int) -> bytes:
    r0, r1 = int(obs.epoch_offsets[e0]), int(obs.epoch_offsets[e1])
    sat = obs.sat[r0:r1]
    sig = obs.signal[r0:r1].astype(np.int64)
    sc = sat_system(sat).astype(np.int64)
    e_of_row = np.repeat(np.arange(e1 - e0), np.diff(obs.epoch_offsets[e0 : e1 + 1]))
    n = r1 - r0
    # one record per (epoch, satellite): the rows are sorted by time, then satellite
    start = np.ones(n, bool)
    if n:
        start[1:] = (e_of_row[1:] != e_of_row[:-1]) | (sat[1:] != sat[:-1])
    rec_of_row = np.cumsum(start) - 1
    nrec = int(start.sum())
    values = np.zeros((nrec, max(nobs_max, 1)), np.int64)
    present = np.zeros(values.shape, bool)
    lli = np.zeros(values.shape, np.uint8)
    ssi = np.zeros(values.shape, np.uint8)
    cols = (obs.code_m[r0:r1], obs.phase_cyc[r0:r1], obs.doppler_hz[r0:r1])
    cn0 = np.round(obs.cn0_dbhz[r0:r1].astype(np.float64), 3)  # the file's 3 decimals (ObsTable._cn0_f8)
    row_lli, row_ssi = obs.lli[r0:r1], obs.ssi[r0:r1]
    if np.any(row_lli > 9) or np.any(row_ssi > 9):
        raise KompasError("LLI and SSI are single digits 0-9 in RINEX; the table holds larger values")
    for k, (kind, v) in enumerate(zip(_KINDS, (*cols, cn0), strict=True)):
        col = lut[sc, sig, k]
        have = np.isfinite(v) & (col >= 0)
        milli = _milli(v[have], _NAMES[kind])
        rr, cc = rec_of_row[have], col[have]
        values[rr, cc] = milli
        present[rr, cc] = True
        if kind == "L":  # LLI on the phase, also where only the indicator is known
            m = (col >= 0) & (have | (row_lli != 0))
            lli[rec_of_row[m], col[m]] = row_lli[m]  # no value: 14 blanks, then the indicator
            ssi[rr, cc] = row_ssi[have]
        elif kind == "C":  # the table's SSI is the code's only where there is no phase value
            m = have & ~np.isfinite(obs.phase_cyc[r0:r1])
            ssi[rec_of_row[m], col[m]] = row_ssi[m]
    keep_rec = present.any(axis=1) | (lli != 0).any(axis=1)
    # characters of every field: (nrec, nobs, 16)
    ch = np.full((nrec, values.shape[1], 16), _SP, np.uint8)
    if present.any():
        ch[present, :14] = _f14_3(values[present])
    ind = lli != 0
    ch[ind, 14] = _ZERO + lli[ind]
    ind = (ssi != 0) & present
    ch[ind, 15] = _ZERO + ssi[ind]
    rec_sat = sat[start]
    rec_epoch = e_of_row[start]
    ch = ch[keep_rec]
    rec_sat, rec_epoch = rec_sat[keep_rec], rec_epoch[keep_rec]
    nrec = int(keep_rec.sum())
    nsat = np.bincount(rec_epoch, minlength=e1 - e0)
    width = max(3 + 16 * values.shape[1], _EPOCH_W)
    big = np.full((e1 - e0 + nrec, width + 1), _SP, np.uint8)
    big[:, width] = _NL
    # epoch k sits before its records: row = records before it + k
    rec_before = np.concatenate([[0], np.cumsum(nsat)[:-1]]).astype(np.int64)
    erow = rec_before + np.arange(e1 - e0)
    rrow = np.arange(nrec) + rec_epoch + 1
    if nrec:
        ids = np.asarray(sat_id(rec_sat)).astype("S3").view(np.uint8).reshape(nrec, 3)
        big[rrow, :3] = ids
        big[rrow, 3 : 3 + 16 * values.shape[1]] = ch.reshape(nrec, -1)
    for r, line in zip(erow.tolist(), _epoch_lines(obs, e0, e1, nsat), strict=True):
        big[r, : len(line)] = np.frombuffer(line, np.uint8)
    # drop trailing blanks: keep columns up to the last non-blank of each row, and the newline
    nonblank = big[:, :width] != _SP
    last = width - np.argmax(nonblank[:, ::-1], axis=1)
    last[~nonblank.any(axis=1)] = 0
    keep = np.arange(width + 1)[None, :] < last[:, None]
    keep[:, width] = True
    return big[keep].tobytes()


def write_obs(
    obs: ObsTable,
    path_or_file,
    *,
    header: ObsHeader | None = None,
    program: str = "kompas",
    _now: _dt.datetime | None = None,
) -> None:
    """Write observations as a RINEX 3.05 observation file (RINEX 3.05 sec. 5, Tables A2/A3).

    Parameters
    ----------
    obs : ObsTable
        The observations: pseudorange (m), carrier phase (cycles), Doppler (Hz) and signal strength
        (the header's unit) per row, with LLI/SSI, epoch flags (0/1) and receiver clock offsets (s).
        Values are written with the format's 3 decimals (rounded).
    path_or_file : str or os.PathLike or file
        Destination path (gzip-compressed when it ends in ``.gz``) or an open file (text or binary).
    header : ObsHeader, optional
        Station, receiver and antenna metadata; default ``obs.header``. Observation types, time of
        first/last observation and (when the header has none) the interval come from the table.
    program : str
        Written in ``PGM / RUN BY / DATE`` (at most 20 characters).

    Raises
    ------
    KompasError
        If a value does not fit its RINEX field (e.g. ``|value| >= 1e10`` for F14.3), an epoch is not
        a multiple of 0.1 microseconds, or a header text is longer than its field.

    Warns
    -----
    KompasWarning
        When the table holds event epochs (flags 2-6), which are not written.
    """
    hdr = header if header is not None else obs.header
    if hdr is None:
        hdr = ObsHeader(version=_VERSION, system="M")
    if obs.events:
        warnings.warn(
            f"write_obs: {len(obs.events)} event epochs (flags 2-6) are not written",
            KompasWarning,
            stacklevel=caller_stacklevel(),
        )
    types = obs_types_of(obs)
    if not types:  # no value at all: RINEX still needs observation types; keep the header's RINEX 3 ones
        v3 = hdr.version >= 3
        types = {
            s: [c for c in hdr.obs_types[s] if len(c) == 3 and c[0] in _KINDS]
            for s in SYSTEM_LETTERS
            if v3 and s in hdr.obs_types
        }
        types = {s: c for s, c in types.items() if c}
        if not types:
            raise KompasError(
                "nothing to write: the table has no value and the header no RINEX 3 observation types"
            )
    lut, nobs_max = _column_lut(types)
    parts = ["\n".join(_header_lines(obs, hdr, types, program, _now)).encode("ascii") + b"\n"]
    for e0 in range(0, obs.n_epochs, _BLOCK_EPOCHS):
        parts.append(_body_block(obs, e0, min(e0 + _BLOCK_EPOCHS, obs.n_epochs), lut, nobs_max))
    write_bytes(path_or_file, b"".join(parts))
