"""RINEX observation files, versions 2.10/2.11, 3.00-3.05 and 4.00-4.02 -> :class:`ObsTable`.

The reader walks the epoch records in Python (one step per epoch, a few thousand per day) and
parses the observation values of all satellite records of one system at once with numpy
(:mod:`kompas.io._fixed`), which is what makes it fast.

References: RINEX 2.11 (Gurtner & Estey 2007) sec. 5 and Table A1; RINEX 3.05 (IGS/RTCM 2020)
sec. 5.1-5.7 and Tables A1-A3; RINEX 4.02 (IGS/RTCM 2024) sec. 5 and Table A2.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np

from ...errors import FormatError, KompasError, KompasWarning, TruncatedFileWarning
from ...satsys import RINEX2_CODE_MAP, GlonassChannels, sat_index, signal_id
from ...tables.obs import ObsHeader, ObsTable
from ...time import gtime_from_calendar, normalize_scale
from .._fixed import parse_obs_fields
from .._open import iter_blocks

__all__ = ["read_obs"]

_KINDS = "CLDS"  # code, phase, Doppler, signal strength


def _default_time_system(system: str) -> str:
    # RINEX 3.05 Table A2 "TIME OF FIRST OBS": GPS for GPS/mixed files, else the system's own time
    return {"R": "GLO", "E": "GAL", "C": "BDT", "J": "QZS", "I": "IRN"}.get(system, "GPS")


# ----------------------------------------------------------------------------------------------
# Small strict field parsers (raise FormatError with the line)


class _Ctx:
    """Path and line bookkeeping for error messages."""

    __slots__ = ("base", "path")

    def __init__(self, path):
        self.path = path
        self.base = 0  # lines consumed before the current block: local line numbers + base = file lines

    def err(self, lineno, msg):
        return FormatError(self.path, None if lineno is None else lineno + self.base, msg)

    def num(self, text, lineno, what, default=None):
        t = text.strip()
        if not t:
            if default is not None:
                return default
            raise self.err(lineno, f"{what}: expected a number, found a blank field")
        try:
            return float(t.replace("D", "E").replace("d", "e"))
        except ValueError:
            raise self.err(lineno, f"{what}: expected a number, found {t!r}") from None

    def int(self, text, lineno, what, default=None):
        t = text.strip()
        if not t:
            if default is not None:
                return default
            raise self.err(lineno, f"{what}: expected an integer, found a blank field")
        try:
            return int(t)
        except ValueError:
            raise self.err(lineno, f"{what}: expected an integer, found {t!r}") from None


_CAL_NAMES = ("year", "month", "day", "hour", "minute")


def _cal_fields(ctx, text, ln, cols):
    """Year..minute integers and float seconds from six (start, end) column ranges."""
    out = [ctx.int(text[a:b], ln, what) for (a, b), what in zip(cols[:5], _CAL_NAMES, strict=True)]
    out.append(ctx.num(text[cols[5][0] : cols[5][1]], ln, "second"))
    return tuple(out)


def _three_numbers(ctx, raw, ln, label):
    """Three F14.4 numbers; blank-separated values in shifted columns (seen in real writers) too."""
    tokens = raw[:60].split()
    if len(tokens) == 3:
        return np.array([ctx.num(t, ln, label) for t in tokens])
    return np.array([ctx.num(raw[k : k + 14], ln, label) for k in (0, 14, 28)])


def _split_lines(data: bytes) -> list[bytes]:
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


# ----------------------------------------------------------------------------------------------
# Header


def _parse_header(lines: list[bytes], ctx: _Ctx) -> tuple[ObsHeader, int]:
    """Parse the header; return it and the index of the first body line."""
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1  # tolerate blank lines before the first record (seen in real files)
    if first >= len(lines):
        raise ctx.err(None, "file holds no RINEX header")
    head = lines[first].decode("latin-1")
    if head[60:80].strip() != "RINEX VERSION / TYPE":
        raise ctx.err(first + 1, "expected 'RINEX VERSION / TYPE' as the first header record")
    version = ctx.num(head[0:9], first + 1, "RINEX version")
    if head[20:21] != "O":
        raise ctx.err(first + 1, f"expected file type 'O' (observation data), found {head[20:21]!r}")
    if not (2.0 <= version < 5.0):
        raise ctx.err(first + 1, f"unsupported RINEX version {version}")
    system = head[40:41].strip() or "G"
    kw: dict = {"version": version, "system": system}
    obs_types: dict[str, list[str]] = {}
    pending: tuple | None = None  # (system, declared count, line) of a multi-line obs type list
    comments, shifts = [], []
    glo_lines = []
    cpb: dict[str, float] = {}
    scale: dict[tuple[str, str], float] = {}
    tfirst = tlast = None
    ts_first = ""
    i = first + 1
    end = None
    while i < len(lines):
        raw = lines[i].decode("latin-1")
        label = raw[60:80].strip()
        ln = i + 1
        i += 1
        if label == "END OF HEADER":
            end = i
            break
        if label == "COMMENT":
            comments.append(raw[:60].rstrip())
        elif label == "PGM / RUN BY / DATE":
            kw.update(program=raw[0:20].strip(), run_by=raw[20:40].strip(), date=raw[40:60].strip())
        elif label == "MARKER NAME":
            kw["marker_name"] = raw[0:60].strip()
        elif label == "MARKER NUMBER":
            kw["marker_number"] = raw[0:20].strip()
        elif label == "MARKER TYPE":
            kw["marker_type"] = raw[0:20].strip()
        elif label == "OBSERVER / AGENCY":
            kw.update(observer=raw[0:20].strip(), agency=raw[20:60].strip())
        elif label == "REC # / TYPE / VERS":
            kw.update(
                receiver_number=raw[0:20].strip(),
                receiver_type=raw[20:40].strip(),
                receiver_version=raw[40:60].strip(),
            )
        elif label == "ANT # / TYPE":
            kw.update(antenna_number=raw[0:20].strip(), antenna_type=raw[20:40].rstrip())
        elif label in ("APPROX POSITION XYZ", "ANTENNA: DELTA H/E/N"):
            key = "approx_position_m" if label.startswith("APPROX") else "antenna_delta_hen_m"
            kw[key] = _three_numbers(ctx, raw, ln, label)
        elif label == "SYS / # / OBS TYPES":
            if raw[0:1] != " ":
                if pending and len(obs_types[pending[0]]) != pending[1]:
                    raise ctx.err(
                        pending[2],
                        f"system {pending[0]}: {pending[1]} observation types declared, "
                        f"{len(obs_types[pending[0]])} listed",
                    )
                sys_ = raw[0:1]
                n = ctx.int(raw[3:6], ln, "number of observation types")
                obs_types[sys_] = []
                pending = (sys_, n, ln)
            elif pending is None:
                raise ctx.err(ln, "continuation of SYS / # / OBS TYPES without a system")
            obs_types[pending[0]].extend(raw[7 + 4 * k : 10 + 4 * k].strip() for k in range(13))
            obs_types[pending[0]] = [c for c in obs_types[pending[0]] if c]
        elif label == "# / TYPES OF OBSERV":
            if raw[0:6].strip():
                n = ctx.int(raw[0:6], ln, "number of observation types")
                obs_types["*"] = []
                pending = ("*", n, ln)
            elif pending is None:
                raise ctx.err(ln, "continuation of # / TYPES OF OBSERV without a count")
            obs_types["*"].extend(c for c in (raw[6 + 6 * k : 12 + 6 * k].strip() for k in range(9)) if c)
        elif label == "SYS / PHASE SHIFT":
            if raw[0:1].strip():
                val = raw[6:14].strip()
                sats = tuple(x for x in (raw[19 + 4 * k : 22 + 4 * k].strip() for k in range(10)) if x)
                shifts.append(
                    (raw[0:1], raw[2:5].strip(), ctx.num(val, ln, "phase shift") if val else 0.0, sats)
                )
        elif label == "SYS / SCALE FACTOR":
            if raw[0:1].strip():
                fac = ctx.num(raw[2:6], ln, "scale factor")
                codes = [raw[11 + 4 * k : 14 + 4 * k].strip() for k in range(12)]
                codes = [c for c in codes if c] or list(obs_types.get(raw[0:1], []))
                for c in codes:
                    scale[(raw[0:1], c)] = fac
        elif label == "GLONASS SLOT / FRQ #":
            glo_lines.append(raw)
        elif label == "GLONASS COD/PHS/BIS":
            for k in range(4):
                code, val = raw[1 + 13 * k : 4 + 13 * k].strip(), raw[5 + 13 * k : 13 + 13 * k].strip()
                if code:
                    cpb[code] = ctx.num(val, ln, f"GLONASS code-phase bias {code}") if val else np.nan
        elif label in ("TIME OF FIRST OBS", "TIME OF LAST OBS"):
            # F13.7 seconds then 5X, A3; some writers shift the seconds one column right, so the
            # column after the field (a blank in the standard layout) is read too
            f = _cal_fields(ctx, raw, ln, ((0, 6), (6, 12), (12, 18), (18, 24), (24, 30), (30, 44)))
            if label == "TIME OF FIRST OBS":
                tfirst, ts_first = (f, ln), raw[44:60].strip()[:3]
            else:
                tlast = (f, ln)
        elif label == "INTERVAL":
            iv = ctx.num(raw[0:10], ln, "INTERVAL")
            kw["interval_s"] = iv if iv > 0 else None
        elif label == "LEAP SECONDS":
            kw["leap_seconds"] = ctx.int(raw[0:6], ln, "LEAP SECONDS")
        elif label == "SIGNAL STRENGTH UNIT":
            kw["signal_strength_unit"] = raw[0:20].strip()
        elif label == "RCV CLOCK OFFS APPL":
            kw["rcv_clock_offset_applied"] = ctx.int(raw[0:6], ln, "RCV CLOCK OFFS APPL", 0) == 1
    if end is None:
        raise ctx.err(len(lines), "file ends before 'END OF HEADER'")
    if pending and len(obs_types[pending[0]]) != pending[1]:
        raise ctx.err(
            pending[2], f"{pending[1]} observation types declared, {len(obs_types[pending[0]])} listed"
        )
    if version < 3:
        types = obs_types.pop("*", None)
        if types is None:
            raise ctx.err(end, "header has no '# / TYPES OF OBSERV' record")
        obs_types = {s: list(types) for s in "GRESJ"}
    elif not obs_types:
        raise ctx.err(end, "header has no 'SYS / # / OBS TYPES' record")
    ts = normalize_ts(ts_first or _default_time_system(system), ctx, tfirst[1] if tfirst else end)
    kw["time_system"] = ts
    for key, tv in (("time_of_first_obs_ns", tfirst), ("time_of_last_obs_ns", tlast)):
        if tv is not None:
            kw[key] = int(_calendar(ctx, tv[1], *tv[0], scale=ts))
    kw.update(
        obs_types={s: tuple(v) for s, v in obs_types.items()},
        glonass_channels=_glo_channels(glo_lines, ctx, end),
        glonass_cpb_m=cpb,
        phase_shifts=tuple(shifts),
        scale_factors=scale,
        comments=tuple(comments),
        n_lines=end,
    )
    return ObsHeader(**kw), end


def normalize_ts(ts: str, ctx: _Ctx, lineno) -> str:
    """Validate a RINEX time-system id and return it (``GPS``, ``GLO``, ...)."""
    ts = ts.upper()
    try:
        normalize_scale(ts)
    except KompasError:
        raise ctx.err(lineno, f"unknown time system {ts!r}") from None
    return ts


def _glo_channels(lines, ctx, lineno):
    try:
        return GlonassChannels.from_rinex_header(lines)
    except KompasError as exc:
        raise ctx.err(lineno, str(exc)) from None


def _calendar(ctx, lineno, y, mo, d, h, mi, s, scale):
    try:
        return gtime_from_calendar(y, mo, d, h, mi, s, scale=scale)
    except KompasError as exc:
        raise ctx.err(lineno, f"invalid epoch {y}-{mo}-{d} {h}:{mi}:{s}: {exc}") from None


# ----------------------------------------------------------------------------------------------
# Body: epoch walk


@dataclass
class _Epochs:
    time: list
    line: list  # file line of each epoch record
    flag: list
    clock: list
    # satellite records, stored per epoch as blocks: first line index, count, lines per record, layout
    blk_first: list
    blk_count: list
    blk_step: list
    blk_layout: list
    events: list
    rec_sat: list  # RINEX 2 only: satellite ids from the epoch lines (RINEX 3 ids are on the record lines)

    @classmethod
    def empty(cls):
        return cls([], [], [], [], [], [], [], [], [], [])

    def records(self):
        """Per satellite record: (line index, epoch number, layout) arrays."""
        count = np.asarray(self.blk_count, dtype=np.int64)
        total = int(count.sum())
        start = np.concatenate([[0], np.cumsum(count)[:-1]]) if count.size else np.zeros(0, np.int64)
        within = np.arange(total) - np.repeat(start, count)
        line = np.repeat(np.asarray(self.blk_first, np.int64), count) + within * np.repeat(
            np.asarray(self.blk_step, np.int64), count
        )
        epoch = np.repeat(np.arange(count.size), count)
        layout = np.repeat(np.asarray(self.blk_layout, np.int64), count)
        return line, epoch, layout


def _walk_v3(lines, start, header, ctx, layouts, layout):
    """Walk the epochs of a block of lines; stop before an epoch that does not end inside the block.

    Returns the epochs, the index of the first line not consumed and the layout in force.
    """
    ep = _Epochs.empty()
    n = len(lines)
    i = start
    ts = header.time_system
    cal = []
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        ln = i + 1
        if line[:1] != b">":
            raise _not_an_epoch(lines, i, ep, ctx)
        s = line.decode("latin-1")
        flag = ctx.int(s[31:32], ln, "epoch flag", 0)
        nrec = ctx.int(s[32:35], ln, "number of satellites/records")
        if flag > 6:
            raise ctx.err(ln, f"epoch flag {flag} is not 0-6")
        if i + 1 + nrec > n:
            break
        if 2 <= flag <= 5:
            special = [b.decode("latin-1") for b in lines[i + 1 : i + 1 + nrec]]
            ep.events.append((ln + ctx.base, flag, s[2:29].strip(), special))
            if flag in (3, 4):
                layout = _maybe_new_layout(special, header, layouts, layout, ctx, i + 2)
            i += 1 + nrec
            continue
        f = _cal_fields(ctx, s, ln, ((2, 6), (7, 9), (10, 12), (13, 15), (16, 18), (18, 29)))
        if flag == 6:  # cycle-slip records: consumed, reported as events
            ep.events.append(
                (
                    ln + ctx.base,
                    flag,
                    s[2:29].strip(),
                    [b.decode("latin-1") for b in lines[i + 1 : i + 1 + nrec]],
                )
            )
            i += 1 + nrec
            continue
        cal.append((f, ln))
        ep.line.append(ln + ctx.base)
        ep.flag.append(flag)
        ep.clock.append(ctx.num(s[41:56], ln, "receiver clock offset", np.nan) if len(s) > 41 else np.nan)
        ep.blk_first.append(i + 1)
        ep.blk_count.append(nrec)
        ep.blk_step.append(1)
        ep.blk_layout.append(layout)
        i += 1 + nrec
    ep.time = _epoch_times(cal, ts, ctx)
    return ep, i, layout


def _not_an_epoch(lines, i, ep, ctx):
    """Error for a body line that should open an epoch; blames an epoch that swallowed the next one."""
    if ep.blk_first:
        first, count = ep.blk_first[-1], ep.blk_count[-1]
        inside = [j for j in range(first, first + count) if lines[j][:1] == b">"]
        if inside:
            found = inside[0] - first
            return ctx.err(first, f"epoch announces {count} satellite records, found {found}")
    return ctx.err(i + 1, f"expected an epoch record starting with '>', found {lines[i][:20]!r}")


def _walk_v2(lines, start, header, ctx, layouts, layout):
    """RINEX 2 twin of :func:`_walk_v3`."""
    ep = _Epochs.empty()
    n = len(lines)
    i = start
    ts = header.time_system
    default_sys = header.system if header.system in "GRESJ" else "G"
    cal = []
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        ln = i + 1
        s = line.decode("latin-1")
        flag = ctx.int(s[26:29], ln, "epoch flag", 0)
        nrec = ctx.int(s[29:32], ln, "number of satellites/records")
        if flag > 6:
            raise ctx.err(ln, f"epoch flag {flag} is not 0-6")
        if 2 <= flag <= 5:
            if i + nrec >= n:
                break
            special = [b.decode("latin-1") for b in lines[i + 1 : i + 1 + nrec]]
            ep.events.append((ln + ctx.base, flag, s[1:26].strip(), special))
            if flag in (3, 4):
                layout = _maybe_new_layout(special, header, layouts, layout, ctx, i + 2)
            i += 1 + nrec
            continue
        f = _cal_fields(ctx, s, ln, ((1, 3), (4, 6), (7, 9), (10, 12), (13, 15), (15, 26)))
        f = (f[0] + (1900 if f[0] >= 80 else 2000), *f[1:])
        # satellite list: 12 per line, continuation lines
        nlist = (nrec + 11) // 12
        if i + nlist > n:
            break
        sats = []
        for c in range(nlist):
            sl = lines[i + c].decode("latin-1")
            cnt = min(12, nrec - 12 * c)
            sats.extend(sl[32 + 3 * k : 35 + 3 * k] for k in range(cnt))
        clock = ctx.num(s[68:80], ln, "receiver clock offset", np.nan) if len(s) > 68 else np.nan
        nobs = len(layouts[layout][default_sys if default_sys in layouts[layout] else "G"])
        per = max(1, (nobs + 4) // 5)
        first = i + nlist
        if first + per * nrec > n:
            break
        if flag == 6:
            ep.events.append(
                (
                    ln + ctx.base,
                    flag,
                    s[1:26].strip(),
                    [b.decode("latin-1") for b in lines[first : first + per * nrec]],
                )
            )
            i = first + per * nrec
            continue
        cal.append((f, ln))
        ep.line.append(ln + ctx.base)
        ep.flag.append(flag)
        ep.clock.append(clock)
        ep.blk_first.append(first)
        ep.blk_count.append(nrec)
        ep.blk_step.append(per)
        ep.blk_layout.append(layout)
        ep.rec_sat.extend(
            (x.replace(" ", "0") if x[0] != " " else default_sys + x[1:].replace(" ", "0")) for x in sats
        )
        i = first + per * nrec
    ep.time = _epoch_times(cal, ts, ctx)
    return ep, i, layout


def _epoch_times(cal, ts, ctx):
    if not cal:
        return np.zeros(0, np.int64)
    f = np.array([c[0] for c in cal], dtype=np.float64)
    try:
        return gtime_from_calendar(f[:, 0], f[:, 1], f[:, 2], f[:, 3], f[:, 4], f[:, 5], scale=ts)
    except KompasError:
        for fields, ln in cal:  # find the offending epoch for the message
            _calendar(ctx, ln, *fields, scale=ts)
        raise


def _maybe_new_layout(special, header, layouts, layout, ctx, first_line):
    """Event flags 3/4 may carry new observation-type records: start a new layout if they do."""
    v2 = header.version < 3
    label = "# / TYPES OF OBSERV" if v2 else "SYS / # / OBS TYPES"
    recs = [s for s in special if s[60:80].strip() == label]
    if not recs:
        return layout
    fake = [
        b"     %.2f           OBSERVATION DATA    %s                   RINEX VERSION / TYPE"
        % (header.version, header.system.encode())
    ]
    fake += [r.encode("latin-1") for r in recs] + [b" " * 60 + b"END OF HEADER"]
    sub, _ = _parse_header_types(fake, ctx)
    new = dict(layouts[layout])
    new.update(sub)
    layouts.append(new)
    return len(layouts) - 1


def _parse_header_types(lines, ctx):
    # reuse the header parser for an in-body block of observation-type records
    try:
        h, end = _parse_header(lines, ctx)
    except FormatError as exc:
        raise ctx.err(None, f"in-body header records: {exc.message}") from None
    return h.obs_types, end


# ----------------------------------------------------------------------------------------------
# Body: values


def _signal_layout(system, codes, version, ctx, lineno):
    """Per observation type of one system: (kind index 0-3 or -1, signal id or -1)."""
    kinds, sigs = [], []
    for c in codes:
        if version < 3:
            m = RINEX2_CODE_MAP.get(system, {}).get(c)
            if m is None:
                kinds.append(-1)
                sigs.append(-1)
                continue
            kind, sig = m
        else:
            if len(c) != 3 or c[0] not in _KINDS:
                kinds.append(-1)  # e.g. 'X1' channel numbers: kept out of the table
                sigs.append(-1)
                continue
            kind, sig = c[0], c[1:]
        try:
            sigs.append(int(signal_id(sig)))
        except KompasError:
            raise ctx.err(lineno, f"system {system}: observation code {c!r} is not a RINEX signal") from None
        kinds.append(_KINDS.index(kind))
    return np.array(kinds), np.array(sigs)


def _parse_block(lines, rec_lines, nobs, per_line, ctx):
    """Values, LLI and SSI of a block of satellite records with the same layout and system.

    Returns (values (n, nobs) float64, lli (n, nobs) uint8, ssi (n, nobs) uint8).
    """
    n = len(rec_lines)
    if per_line:  # RINEX 3/4: one line per record, 3-character satellite id first
        w = 3 + 16 * nobs
        parts = [lines[j] for j in rec_lines]
        too_long = [k for k, p in enumerate(parts) if len(p) > w and p[w:].strip()]
        if too_long:
            j = rec_lines[too_long[0]]
            raise ctx.err(j + 1, f"satellite record holds more than the {nobs} declared observation fields")
        buf = b"".join(p[:w].ljust(w) for p in parts)
        arr = np.frombuffer(buf, np.uint8).reshape(n, w)[:, 3:]
    else:  # RINEX 2: ceil(nobs/5) lines of 80 columns per record
        per = max(1, (nobs + 4) // 5)
        chunks = []
        for j in rec_lines:
            for q in range(per):
                p = lines[j + q]
                if len(p) > 80 and p[80:].strip():
                    raise ctx.err(j + q + 1, "observation line longer than 80 columns")
                chunks.append(p[:80].ljust(80))
        arr = np.frombuffer(b"".join(chunks), np.uint8).reshape(n, per * 80)[:, : 16 * nobs]
    values, lli, ssi, bad = parse_obs_fields(arr, nobs)
    if bad.any():
        k = int(np.flatnonzero(bad.ravel())[0])
        rec, fld = divmod(k, nobs)
        text = arr[rec, 16 * fld : 16 * fld + 16].tobytes().decode("latin-1")
        j = rec_lines[rec] + (0 if per_line else fld // 5)
        raise ctx.err(
            j + 1,
            f"observation field {fld + 1} ({text!r}) is not an F14.3 value "
            "followed by LLI and signal-strength digits",
        )
    return values, lli, ssi


def _records_to_rows(ep, lines, header, layouts, ctx):
    """Parse every satellite record and expand to the long table columns."""
    rec_line, rec_epoch, rec_layout = ep.records()
    if rec_line.size == 0:
        return None
    if header.version >= 3:
        ids = [lines[j][:3] for j in rec_line.tolist()]
        sid_bytes = np.array(ids, dtype="S3")
        first = sid_bytes.view(np.uint8).reshape(-1, 3)[:, 0]
        if (first == ord(">")).any():
            j = int(rec_line[np.flatnonzero(first == ord(">"))[0]])
            k = int(rec_epoch[np.flatnonzero(first == ord(">"))[0]])
            raise ctx.err(j + 1, f"epoch {k + 1} announces more satellite records than it has")
    else:
        sid_bytes = np.array([x.encode("latin-1") for x in ep.rec_sat], dtype="S3")
    letters = sid_bytes.view(np.uint8).reshape(-1, 3)[:, 0]
    try:
        sat = sat_index(np.char.decode(sid_bytes, "latin-1"))
    except KompasError:
        ids = np.char.decode(sid_bytes, "latin-1")
        for k, s in enumerate(ids):
            try:
                sat_index([s])
            except KompasError:
                raise ctx.err(int(rec_line[k]) + 1, f"invalid satellite id {s!r}") from None
        raise
    v3 = header.version >= 3
    out = []
    for lay in np.unique(rec_layout):
        types = layouts[lay]
        for letter in np.unique(letters[rec_layout == lay]):
            sys_ = chr(letter)
            sel = np.flatnonzero((rec_layout == lay) & (letters == letter))
            codes = types.get(sys_)
            if codes is None:
                raise ctx.err(
                    int(rec_line[sel[0]]) + 1,
                    f"satellite of system {sys_!r} but the header has no observation types for it",
                )
            nobs = len(codes)
            kinds, sigs = _signal_layout(sys_, codes, header.version, ctx, header.n_lines)
            vals, lli, ssi = _parse_block(lines, rec_line[sel].tolist(), nobs, v3, ctx)
            for c, code in enumerate(codes):
                fac = header.scale_factors.get((sys_, code))
                if fac and fac != 1.0:
                    vals[:, c] /= fac
            dropped = kinds < 0
            if dropped.any() and np.isfinite(vals[:, dropped]).any():
                names = [codes[c] for c in np.flatnonzero(dropped) if np.isfinite(vals[:, c]).any()]
                warnings.warn(
                    f"{ctx.path}: system {sys_} observation types {names} map to no RINEX 3 signal of that "
                    "system; their values are not read",
                    KompasWarning,
                    stacklevel=4,
                )
            usig = np.unique(sigs[sigs >= 0])
            nsig = len(usig)
            if nsig == 0:
                continue
            # column index of each (kind, signal) in vals; nobs = the appended NaN column
            col = np.full((4, nsig), nobs)
            for c in range(nobs):
                if kinds[c] >= 0:
                    col[kinds[c], np.searchsorted(usig, sigs[c])] = c
            vx = np.concatenate([vals, np.full((len(sel), 1), np.nan)], axis=1)
            lx = np.concatenate([lli, np.zeros((len(sel), 1), np.uint8)], axis=1)
            sx = np.concatenate([ssi, np.zeros((len(sel), 1), np.uint8)], axis=1)
            code_m, phase, dopp, snr = (vx[:, col[q]] for q in range(4))
            keep = ~(np.isnan(code_m) & np.isnan(phase) & np.isnan(dopp) & np.isnan(snr))
            # LLI and SSI of the phase where there is one, else of the code
            use_phase = col[1] < nobs
            src = np.where(use_phase, col[1], col[0])
            ll = np.where(use_phase, lx[:, src], 0)
            ss = np.where(~np.isnan(phase), sx[:, src], np.where(np.isnan(code_m), 0, sx[:, col[0]]))
            r_epoch = np.broadcast_to(rec_epoch[sel][:, None], keep.shape)
            r_sat = np.broadcast_to(sat[sel][:, None], keep.shape)
            r_sig = np.broadcast_to(usig[None, :], keep.shape)
            out.append(
                (
                    r_epoch[keep],
                    r_sat[keep],
                    r_sig[keep].astype(np.uint8),
                    code_m[keep],
                    phase[keep],
                    dopp[keep],
                    snr[keep].astype(np.float32),
                    ll[keep].astype(np.uint8),
                    ss[keep].astype(np.uint8),
                )
            )
    if not out:
        return None
    cols = [np.concatenate([o[q] for o in out]) for q in range(9)]
    # duplicate satellite within one epoch: the file is corrupt
    key = (cols[0].astype(np.int64) << 24) | (cols[1].astype(np.int64) << 8) | cols[2]
    order = np.argsort(key, kind="stable")
    key = key[order]
    dup = np.flatnonzero(key[1:] == key[:-1])
    if dup.size:
        e = int(cols[0][order[dup[0]]])
        s = int(cols[1][order[dup[0]]])
        lns = rec_line[(rec_epoch == e) & (sat == s)]
        raise ctx.err(
            int(lns[-1]) + 1,
            f"satellite {sid_bytes[(rec_epoch == e) & (sat == s)][0].decode()} appears twice in one epoch",
        )
    return [c[order] for c in cols]


# ----------------------------------------------------------------------------------------------


def read_obs(path: str | os.PathLike) -> ObsTable:
    """Read a RINEX 2/3/4 observation file (plain, gz, Z, bz2, zip, Hatanaka).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ObsTable
        One long table sorted by (time, satellite, signal) with pseudorange (m), carrier phase
        (cycles), Doppler (Hz), signal strength (the header's unit, normally dB-Hz), loss-of-lock
        indicator and signal-strength indicator, plus per-epoch flags and receiver clock offsets.

    Raises
    ------
    FormatError
        Naming the file, the line and what was expected, for any record that does not parse.

    Warns
    -----
    TruncatedFileWarning
        When the file ends inside an epoch: every complete epoch before it is returned.
    """
    ctx = _Ctx(os.fspath(path))
    try:
        return _read(path, ctx)
    except KompasError:
        raise
    except (ValueError, IndexError, UnicodeError, OverflowError, KeyError) as exc:  # pragma: no cover
        # last resort: 12,000+ mutated files found no path here, but never show a bare traceback
        raise FormatError(
            ctx.path, None, f"unreadable observation data ({type(exc).__name__}: {exc})"
        ) from None


_BLOCK = 1 << 22  # bytes per block: bounds the memory of the line lists of one block


class _Parts:
    """Row columns and epoch arrays of the blocks read so far."""

    def __init__(self):
        self.cols = [[] for _ in range(9)]
        self.time, self.line, self.flag, self.clock, self.events = [], [], [], [], []
        self.n_epochs = 0

    def add(self, ep, cols):
        if cols is not None:
            cols[0] = cols[0] + self.n_epochs
            for q in range(9):
                self.cols[q].append(cols[q])
        self.time.append(np.asarray(ep.time, np.int64))
        self.line.extend(ep.line)
        self.flag.extend(ep.flag)
        self.clock.extend(ep.clock)
        self.events.extend(ep.events)
        self.n_epochs += len(ep.flag)

    def column(self, q, dtype):
        # concatenated one column at a time, freeing the pieces: peak memory stays near one table
        parts, self.cols[q] = self.cols[q], []
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _read(path, ctx) -> ObsTable:
    header = None
    layouts: list = []
    layout = 0
    parts = _Parts()
    pending = b""
    blocks = iter_blocks(path, _BLOCK)
    eof = False
    while not eof:
        block = next(blocks, None)
        eof = block is None
        data = pending + (b"" if eof else bytes(block))
        cut = len(data) if eof else data.rfind(b"\n") + 1
        if cut == 0:
            pending = data
            continue
        lines = _split_lines(data[:cut])
        rest = data[cut:]
        start = 0
        if header is None:
            if not eof and b"END OF HEADER" not in data[:cut]:
                pending = data
                continue
            header, start = _parse_header(lines, ctx)
            layouts = [dict(header.obs_types)]
        walk = _walk_v3 if header.version >= 3 else _walk_v2
        ep, stop, layout = walk(lines, start, header, ctx, layouts, layout)
        parts.add(ep, _records_to_rows(ep, lines, header, layouts, ctx))
        left = lines[stop:]
        if eof:
            if any(x.strip() for x in left):
                warnings.warn(
                    TruncatedFileWarning(
                        f"{ctx.path}, line {ctx.base + stop + 1}: file ends inside this epoch; "
                        f"{parts.n_epochs} complete epochs read"
                    ),
                    stacklevel=3,
                )
            break
        ctx.base += stop
        pending = b"\n".join([*left, rest]) if left else rest
    return _assemble(header, layouts, parts, ctx)


def _assemble(header, layouts, parts, ctx) -> ObsTable:
    etime = np.concatenate(parts.time) if parts.time else np.zeros(0, np.int64)
    if etime.size > 1 and np.any(np.diff(etime) <= 0):
        k = int(np.flatnonzero(np.diff(etime) <= 0)[0]) + 1
        ctx.base = 0
        raise ctx.err(parts.line[k], "epoch time does not increase")
    dtypes = (
        np.int64,
        np.int16,
        np.uint8,
        np.float64,
        np.float64,
        np.float64,
        np.float32,
        np.uint8,
        np.uint8,
    )
    e_idx = parts.column(0, np.int64)
    counts = np.bincount(e_idx, minlength=etime.size)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    time_ns = etime[e_idx]
    del e_idx
    cols = {
        name: parts.column(q, dtypes[q])
        for q, name in enumerate(
            ("", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli", "ssi")
        )
        if q
    }
    return ObsTable(
        time_ns=time_ns,
        **cols,
        epoch_time_ns=etime,
        epoch_offsets=offsets,
        epoch_flag=np.asarray(parts.flag, dtype=np.uint8),
        epoch_clock_s=np.asarray(parts.clock, dtype=np.float64),
        header=header,
        events=tuple(parts.events),
        obs_code_layouts=tuple({s: tuple(v) for s, v in lay.items()} for lay in layouts),
        path=ctx.path,
    )
