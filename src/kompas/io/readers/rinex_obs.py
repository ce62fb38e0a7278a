"""RINEX observation files, versions 2.10/2.11, 3.00-3.05 and 4.00-4.02 -> :class:`ObsTable`.

Pseudoranges, phases and Dopplers written as ``0.000`` are read as missing (NaN): writers put
zeros where a receiver had no observation, and RTKLIB (``rinex.c``) reads them the same way.

The reader walks the epoch records in Python (one step per epoch, a few thousand per day) and
parses the observation values of all satellite records of one system at once with numpy
(:mod:`kompas.io._fixed`), which is what makes it fast.

References: RINEX 2.11 (Gurtner & Estey 2007) sec. 5 and Table A1; RINEX 3.05 (IGS/RTCM 2020)
sec. 5.1-5.7 and Tables A1-A3; RINEX 4.02 (IGS/RTCM 2024) sec. 5 and Table A2.
"""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass

import numpy as np

from ...errors import FormatError, KompasError, KompasWarning, caller_stacklevel
from ...satsys import rinex2_signal, sat_index, sat_letter, signal_id
from ...tables.obs import ObsHeader, ObsTable
from .._fixed import parse_obs_fields
from .._open import is_crinex, iter_blocks, peek
from .._text import Diagnostics, calendar_ns_or_bad, calendar_problem
from ._obs_header import cal_fields, parse_header, records_not_applied

__all__ = ["read_obs", "iter_obs", "read_obs_header"]

_KINDS = "CLDS"  # code, phase, Doppler, signal strength


def _split_lines(data: bytes) -> list[bytes]:
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


# ----------------------------------------------------------------------------------------------
# Body: epoch walk


@dataclass
class _Epochs:
    cal: list  # (calendar fields, local line) of each epoch record
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
    time: np.ndarray | None = None

    @classmethod
    def empty(cls):
        return cls([], [], [], [], [], [], [], [], [], [])

    def add(self, fields, ln, base, flag, clock, first, count, step, layout):
        self.cal.append((fields, ln))
        self.line.append(ln + base)
        self.flag.append(flag)
        self.clock.append(clock)
        self.blk_first.append(first)
        self.blk_count.append(count)
        self.blk_step.append(step)
        self.blk_layout.append(layout)

    def keep(self, mask: np.ndarray) -> None:
        """Keep the epochs where ``mask`` is True (and their satellite records)."""
        if self.rec_sat:
            per_rec = np.repeat(mask, np.asarray(self.blk_count, np.int64))
            self.rec_sat = [s for s, k in zip(self.rec_sat, per_rec.tolist(), strict=True) if k]
        for name in ("cal", "line", "flag", "clock", "blk_first", "blk_count", "blk_step", "blk_layout"):
            setattr(self, name, [v for v, k in zip(getattr(self, name), mask.tolist(), strict=True) if k])
        if self.time is not None:
            self.time = self.time[mask]

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


def _event(ep, ctx, ln, flag, when, records):
    ep.events.append((ln + ctx.base, flag, when, [b.decode("latin-1") for b in records]))


def _walk_v3(lines, start, header, ctx, layouts, layout, tail):
    """Walk the epochs of a block of lines; stop before an epoch that does not end inside the block.

    ``tail`` is the index of the file's last line when it may be cut (the file does not end with
    a newline), else -1: an epoch that ends on it is complete only if that line holds every
    declared field. Returns the epochs, the index of the first line not consumed and the layout.
    """
    ep = _Epochs.empty()
    n = len(lines)
    i = start
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if i == tail:  # an epoch line cut by the end of the file
            break
        ln = i + 1
        if line[:1] != b">":
            raise _not_an_epoch(lines, i, ep, ctx)
        s = line.decode("latin-1")
        flag = _epoch_flag(ctx, s, ln, True)
        nrec = ctx.count(s[32:35], ln, "number of satellites/records")
        if flag > 6:
            raise ctx.error(ln, f"epoch flag {flag} is not 0-6")
        if i + 1 + nrec > n:
            break
        if 2 <= flag <= 5:
            _event(ep, ctx, ln, flag, s[2:29].strip(), lines[i + 1 : i + 1 + nrec])
            if flag in (3, 4):
                layout = _maybe_new_layout(ep.events[-1][3], header, layouts, layout, ctx)
            i += 1 + nrec
            continue
        f = _epoch_calendar(ctx, s, ln, True)
        if flag == 6:  # cycle-slip records: consumed, reported as events
            _event(ep, ctx, ln, flag, s[2:29].strip(), lines[i + 1 : i + 1 + nrec])
        elif tail >= 0 and i + nrec == tail and not _v3_complete(lines[tail], layouts[layout]):
            break
        elif (problem := calendar_problem(*f)) is not None:
            ctx.drop(ln, f"epoch {s[2:29].strip()!r}: {problem}")
        else:
            clock = ctx.float(s[41:56], ln, "receiver clock offset", np.nan)
            ep.add(f, ln, ctx.base, flag, clock, i + 1, nrec, 1, layout)
        i += 1 + nrec
    return ep, i, layout


def _v3_complete(line: bytes, types: dict) -> bool:
    """A RINEX 3/4 satellite record line reaches the end of its last declared value."""
    nobs = len(types.get(line[:1].decode("latin-1"), ()))
    return len(line) >= 3 + 16 * nobs - 2


def _not_an_epoch(lines, i, ep, ctx):
    """Error for a body line that should open an epoch; blames an epoch that swallowed the next one."""
    if ep.blk_first:
        first, count = ep.blk_first[-1], ep.blk_count[-1]
        inside = [j for j in range(first, first + count) if lines[j][:1] == b">"]
        if inside:
            found = inside[0] - first
            return ctx.error(first, f"epoch announces {count} satellite records, found {found}")
    text = lines[i][:20].decode("latin-1")
    return ctx.error(i + 1, f"expected an epoch record starting with '>', found {text!r}")


def _v2_sats(lines, i, nlist, nrec, default_sys, ctx):
    """Satellite ids of a RINEX 2 epoch: 12 per line from column 33, continuation lines after."""
    sats = []
    for c in range(nlist):
        sl = lines[i + c].decode("latin-1")
        cnt = min(12, nrec - 12 * c)
        if len(sl) < 32 + 3 * cnt:
            raise ctx.error(i + c + 1, f"epoch line lists fewer than the {nrec} satellites it announces")
        sats.extend(sl[32 + 3 * k : 35 + 3 * k] for k in range(cnt))
    return [(x.replace(" ", "0") if x[0] != " " else default_sys + x[1:].replace(" ", "0")) for x in sats]


def _walk_v2(lines, start, header, ctx, layouts, layout, tail):
    """RINEX 2 twin of :func:`_walk_v3`."""
    ep = _Epochs.empty()
    n = len(lines)
    i = start
    default_sys = header.system if header.system in "GRESJ" else "G"
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if i == tail:  # an epoch line cut by the end of the file
            break
        ln = i + 1
        s = line.decode("latin-1")
        flag = _epoch_flag(ctx, s, ln, False)
        nrec = ctx.count(s[29:32], ln, "number of satellites/records")
        if flag > 6:
            raise ctx.error(ln, f"epoch flag {flag} is not 0-6")
        if 2 <= flag <= 5:
            if i + 1 + nrec > n:
                break
            _event(ep, ctx, ln, flag, s[1:26].strip(), lines[i + 1 : i + 1 + nrec])
            if flag in (3, 4):
                layout = _maybe_new_layout(ep.events[-1][3], header, layouts, layout, ctx)
            i += 1 + nrec
            continue
        f = _epoch_calendar(ctx, s, ln, False)
        nlist = max(1, (nrec + 11) // 12)  # the epoch line and its satellite-list continuation lines
        nobs = len(layouts[layout][default_sys if default_sys in layouts[layout] else "G"])
        per = max(1, (nobs + 4) // 5)
        first = i + nlist
        end = first + per * nrec
        if end > n or (tail >= 0 and end - 1 == tail and not _v2_complete(lines[tail], nobs, per)):
            break
        if flag == 6:
            _event(ep, ctx, ln, flag, s[1:26].strip(), lines[first:end])
        elif (problem := calendar_problem(*f)) is not None:
            ctx.drop(ln, f"epoch {s[1:26].strip()!r}: {problem}")
        else:
            clock = ctx.float(s[68:80], ln, "receiver clock offset", np.nan)
            ep.rec_sat.extend(_v2_sats(lines, i, nlist, nrec, default_sys, ctx))
            ep.add(f, ln, ctx.base, flag, clock, first, nrec, per, layout)
        i = end
    return ep, i, layout


def _v2_complete(line: bytes, nobs: int, per: int) -> bool:
    """The last line of a RINEX 2 record reaches the end of its last declared value."""
    m = nobs - 5 * (per - 1)
    return len(line) >= 16 * m - 2


_EPOCH_COLS = {  # year .. second of an epoch line, RINEX 3/4 (True) and RINEX 2 (False)
    True: ((2, 6), (7, 9), (10, 12), (13, 15), (16, 18), (18, 29)),
    False: ((1, 3), (4, 6), (7, 9), (10, 12), (13, 15), (15, 26)),
}


def _epoch_calendar(ctx, s: str, ln: int, v3: bool) -> tuple:
    """Year, month, day, hour, minute (int) and second (float) of an epoch line; RINEX 2's two-digit
    years 80-99 are 1980-1999, 00-79 2000-2079."""
    f = cal_fields(ctx, s, ln, _EPOCH_COLS[v3])
    return f if v3 else (f[0] + (1900 if f[0] >= 80 else 2000), *f[1:])


def _epoch_flag(ctx, s: str, ln: int, v3: bool) -> int:
    return ctx.int(s[31:32] if v3 else s[26:29], ln, "epoch flag", 0)


def _epoch_times(ep, ts, ctx):
    """GPST ns of the epochs; an epoch the time scale cannot hold (a false leap second) is dropped."""
    if not ep.cal:
        ep.time = np.zeros(0, np.int64)
        return
    f = np.array([c[0] for c in ep.cal], dtype=np.float64)
    ns, bad, why = calendar_ns_or_bad(*(f[:, k].astype(np.int64) for k in range(5)), f[:, 5], ts)
    ep.time = ns
    if bad.any():
        for k in np.flatnonzero(bad):
            ctx.drop(ep.cal[k][1], f"epoch: {why[int(k)]}")
        ep.keep(~bad)


def _maybe_new_layout(special, header, layouts, layout, ctx):
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
    try:
        sub, _ = parse_header(fake, Diagnostics(ctx.path, strict=ctx.strict))
    except FormatError as exc:
        raise ctx.error(None, f"in-body header records: {exc.message}") from None
    new = dict(layouts[layout])
    new.update(sub.obs_types)
    layouts.append(new)
    return len(layouts) - 1


# ----------------------------------------------------------------------------------------------
# Body: values


@functools.lru_cache(maxsize=512)
def _signal_id(sig: str) -> int:
    """:func:`~kompas.satsys.signal_id` of one code, cached: every block of every file asks again for the
    same few dozen codes, and the call costs ~70 us (uncached, a third of the time to read 96 files of
    15 minutes: 0.59 of 1.74 s under cProfile)."""
    return int(signal_id(sig))


def _signal_layout(system, codes, version, ctx, lineno):
    """Per observation type of one system: (kind index 0-3 or -1, signal id or -1)."""
    kinds, sigs = [], []
    for c in codes:
        if version < 3:
            m = rinex2_signal(system, c, codes)
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
            if system == "C" and round(version, 2) == 3.02 and sig[0] == "1":
                sig = "2" + sig[1:]  # RINEX 3.02 alone wrote BeiDou B1I as band 1 (3.01 and 3.03 on: 2)
        try:
            sigs.append(_signal_id(sig))
        except (KompasError, UnicodeError):
            raise ctx.error(
                lineno, f"system {system}: observation code {c!r} is not a RINEX signal"
            ) from None
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
            raise ctx.error(j + 1, f"satellite record holds more than the {nobs} declared observation fields")
        buf = b"".join(p[:w].ljust(w) for p in parts)
        arr = np.frombuffer(buf, np.uint8).reshape(n, w)[:, 3:]
    else:  # RINEX 2: ceil(nobs/5) lines of 80 columns per record
        per = max(1, (nobs + 4) // 5)
        chunks = []
        for j in rec_lines:
            for q in range(per):
                p = lines[j + q]
                if len(p) > 80 and p[80:].strip():
                    raise ctx.error(j + q + 1, "observation line longer than 80 columns")
                chunks.append(p[:80].ljust(80))
        arr = np.frombuffer(b"".join(chunks), np.uint8).reshape(n, per * 80)[:, : 16 * nobs]
    values, lli, ssi, bad = parse_obs_fields(arr, nobs)
    if bad.any():
        k = int(np.flatnonzero(bad.ravel())[0])
        rec, fld = divmod(k, nobs)
        text = arr[rec, 16 * fld : 16 * fld + 16].tobytes().decode("latin-1")
        j = rec_lines[rec] + (0 if per_line else fld // 5)
        raise ctx.error(
            j + 1,
            f"observation field {fld + 1} ({text!r}) is not an F14.3 value "
            "followed by LLI and signal-strength digits",
        )
    return values, lli, ssi


def _record_sats(ep, lines, header, ctx, rec_line, rec_epoch):
    """Satellite ids (S3), system letters (uint8) and indices of every satellite record."""
    if header.version >= 3:
        sid_bytes = np.array([lines[j][:3] for j in rec_line.tolist()], dtype="S3")
        first = sid_bytes.view(np.uint8).reshape(-1, 3)[:, 0]
        if (first == ord(">")).any():
            k = int(np.flatnonzero(first == ord(">"))[0])
            raise ctx.error(
                int(rec_line[k]) + 1,
                f"epoch {int(rec_epoch[k]) + 1} announces more satellite records than it has",
            )
    else:
        sid_bytes = np.array([x.encode("latin-1") for x in ep.rec_sat], dtype="S3")
    letters = sid_bytes.view(np.uint8).reshape(-1, 3)[:, 0]
    ids = np.char.decode(sid_bytes, "latin-1")
    try:
        sat = sat_index(ids)
    except KompasError:
        for k, s in enumerate(ids):
            try:
                sat_index([s])
            except KompasError:
                raise ctx.error(int(rec_line[k]) + 1, f"invalid satellite id {s!r}") from None
        raise
    return sid_bytes, letters, sat


def _system_values(lines, rec_lines, sys_, codes, header, ctx):
    """Values, LLI, SSI and (kind, signal) of each observation type of one system's records."""
    kinds, sigs = _signal_layout(sys_, codes, header.version, ctx, header.n_lines)
    vals, lli, ssi = _parse_block(lines, rec_lines, len(codes), header.version >= 3, ctx)
    for c, code in enumerate(codes):
        fac = header.scale_factors.get((sys_, code))
        if fac and fac != 1.0:
            vals[:, c] /= fac
    # a range, phase or Doppler written as 0.000 is no observation (RTKLIB reads it so), never 0 m
    ranged = (kinds >= 0) & (kinds <= 2)
    np.putmask(vals, (vals == 0.0) & ranged, np.nan)
    dropped = kinds < 0
    if dropped.any() and np.isfinite(vals[:, dropped]).any():
        names = [codes[c] for c in np.flatnonzero(dropped) if np.isfinite(vals[:, c]).any()]
        warnings.warn(
            f"{ctx.path}: system {sys_} observation types {names} map to no RINEX 3 signal of that "
            "system; their values are not read",
            KompasWarning,
            stacklevel=caller_stacklevel(),
        )
    return vals, lli, ssi, kinds, sigs


def _long_rows(vals, lli, ssi, kinds, sigs, epochs, sats):
    """One row per (record, signal) that holds a value: the nine long-table columns."""
    nobs = vals.shape[1]
    usig = np.unique(sigs[sigs >= 0])
    if usig.size == 0:
        return None
    # column index of each (kind, signal) in vals; nobs = the appended NaN column
    col = np.full((4, usig.size), nobs)
    for c in range(nobs):
        if kinds[c] >= 0:
            col[kinds[c], np.searchsorted(usig, sigs[c])] = c
    n = vals.shape[0]
    vx = np.concatenate([vals, np.full((n, 1), np.nan)], axis=1)
    lx = np.concatenate([lli, np.zeros((n, 1), np.uint8)], axis=1)
    sx = np.concatenate([ssi, np.zeros((n, 1), np.uint8)], axis=1)
    code_m, phase, dopp, snr = (vx[:, col[q]] for q in range(4))
    keep = ~(np.isnan(code_m) & np.isnan(phase) & np.isnan(dopp) & np.isnan(snr))
    # LLI and SSI of the phase where there is one, else of the code
    use_phase = col[1] < nobs
    src = np.where(use_phase, col[1], col[0])
    ll = np.where(use_phase, lx[:, src], 0)
    ss = np.where(~np.isnan(phase), sx[:, src], np.where(np.isnan(code_m), 0, sx[:, col[0]]))
    shape = keep.shape
    return (
        np.broadcast_to(epochs[:, None], shape)[keep], np.broadcast_to(sats[:, None], shape)[keep],
        np.broadcast_to(usig[None, :], shape)[keep].astype(np.uint8), code_m[keep], phase[keep], dopp[keep],
        snr[keep].astype(np.float32), ll[keep].astype(np.uint8), ss[keep].astype(np.uint8),
    )  # fmt: skip


def _records_to_rows(ep, lines, header, layouts, ctx, systems=None):
    """Parse every satellite record (of ``systems``, all when None) and expand to the long table columns,
    sorted by (epoch, sat, signal)."""
    rec_line, rec_epoch, rec_layout = ep.records()
    if rec_line.size == 0:
        return None
    sid_bytes, letters, sat = _record_sats(ep, lines, header, ctx, rec_line, rec_epoch)
    wanted = np.ones(sat.size, bool) if systems is None else np.isin(sat_letter(sat), list(systems))
    out = []
    for lay in np.unique(rec_layout):
        for letter in np.unique(letters[(rec_layout == lay) & wanted]):
            sys_ = chr(letter)
            sel = np.flatnonzero((rec_layout == lay) & (letters == letter) & wanted)
            codes = layouts[lay].get(sys_)
            if codes is None:
                msg = f"satellite of system {sys_!r} but the header has no observation types for it"
                raise ctx.error(int(rec_line[sel[0]]) + 1, msg)
            parsed = _system_values(lines, rec_line[sel].tolist(), sys_, codes, header, ctx)
            rows = _long_rows(*parsed, rec_epoch[sel], sat[sel])
            if rows is not None:
                out.append(rows)
    if not out:
        return None
    cols = [np.concatenate([o[q] for o in out]) for q in range(9)]
    # duplicate satellite within one epoch: the file is corrupt
    key = (cols[0].astype(np.int64) << 24) | (cols[1].astype(np.int64) << 8) | cols[2]
    order = np.argsort(key, kind="stable")
    key = key[order]
    dup = np.flatnonzero(key[1:] == key[:-1])
    if dup.size:
        e, s = int(cols[0][order[dup[0]]]), int(cols[1][order[dup[0]]])
        both = (rec_epoch == e) & (sat == s)
        msg = f"satellite {sid_bytes[both][0].decode()} appears twice in one epoch"
        raise ctx.error(int(rec_line[both][-1]) + 1, msg)
    return [c[order] for c in cols]


# ----------------------------------------------------------------------------------------------


def _systems(systems):
    """The ``systems`` argument as upper-case letters of known systems (``"cr"`` -> ``"RC"``); SignalError
    for an unknown letter (read as nothing, it returned an empty table before)."""
    from ...satsys import parse_systems

    return None if systems is None else parse_systems(systems)


def read_obs(path: str | os.PathLike, *, strict: bool = False, systems: str | None = None) -> ObsTable:
    """Read a RINEX 2/3/4 observation file (plain, gz, Z, bz2, zip, Hatanaka).

    Parameters
    ----------
    path : str or os.PathLike
    strict : bool
        Refuse (FormatError) what the default mode repairs or drops with a warning: header
        variants of the tolerance policy (:mod:`kompas.io._text`) and epochs with impossible dates.
    systems : str, optional
        Read only the satellite records of these systems (letters, e.g. ``"CR"``); the others are
        skipped unparsed, which is faster. Every epoch is kept.

    Returns
    -------
    ObsTable
        One long table sorted by (time, satellite, signal) with pseudorange (m), carrier phase
        (cycles), Doppler (Hz), signal strength (the header's unit, normally dB-Hz), loss-of-lock
        indicator and signal-strength indicator, plus per-epoch flags and receiver clock offsets.
        A file without epochs gives an empty table.

    Raises
    ------
    FormatError
        Naming the file, the line and what was expected, for any record that does not parse.

    Warns
    -----
    TruncatedFileWarning
        When the file ends inside an epoch (or its last line, without its end of line, stops
        before the last declared value): every complete epoch before it is returned.
    DroppedRecordWarning
        For epochs whose date is impossible (a field out of range, years outside 1980-2200):
        they are skipped.
    FormatWarning
        For each kind of repaired header variant.
    """
    ctx = Diagnostics(path, strict=strict)
    systems = _systems(systems)
    with ctx.last_resort("observation data"):
        obs = _read(path, ctx, systems)
    ctx.emit()
    return obs


_HEADER_BYTES = 1 << 20  # a header longer than this (about 13,000 lines) is not a header


def read_obs_header(path: str | os.PathLike, *, strict: bool = False) -> ObsHeader:
    """The header of a RINEX observation file, read from the file's first bytes.

    The body is neither decompressed nor parsed (a Hatanaka file's header is plain text), so this is
    cheap for a file of any length: how several files of one receiver are put in time order and
    checked against each other before any is read (:mod:`kompas.io.readers.obs_files`).

    Raises
    ------
    FormatError
        As :func:`read_obs` for the header, or when no ``END OF HEADER`` comes in the first MB.
    """
    ctx = Diagnostics(path, strict=strict)
    with ctx.last_resort("observation header"):
        head = peek(path, _HEADER_BYTES)
        end = head.find(b"END OF HEADER")
        if end < 0:
            raise ctx.error(None, f"no 'END OF HEADER' in the first {_HEADER_BYTES} bytes")
        lines = _split_lines(head[: head.find(b"\n", end) + 1 or len(head)])
        if is_crinex(head.lstrip(b"\r\n ")):  # CRINEX VERS / TYPE and CRINEX PROG / DATE come first
            ctx.base, lines = 2, lines[2:]
        header, _ = parse_header(lines, ctx)
    ctx.emit()
    return header


_BLOCK = 1 << 22  # bytes per block: bounds the memory of the line lists of one block


def first_epoch_ns(path: str | os.PathLike, header: ObsHeader) -> int | None:
    """GPST ns of the first observation epoch in the body of a file (None: it has none).

    A Hatanaka file writes its first epoch line whole (after ``&`` in CRINEX 1, from ``>`` in CRINEX 3),
    so it is read from the compressed text; other files parse their first 64 kB. Warnings are left to
    the full read. How :mod:`kompas.io.readers.obs_files` orders files whose headers may be stale.
    """
    head = peek(path, _HEADER_BYTES)
    ctx = Diagnostics(path)
    if is_crinex(head.lstrip(b"\r\n ")):
        body = head[head.find(b"\n", head.find(b"END OF HEADER")) + 1 :]
        line = next((x.decode("latin-1") for x in _split_lines(body) if x[:1] in (b">", b"&")), "")
        v3 = line.startswith(">")
        try:  # the walkers' fields (a CRINEX 1 line is a RINEX 2 one after its '&')
            f, flag = _epoch_calendar(ctx, line, 0, v3), _epoch_flag(ctx, line, 0, v3)
        except KompasError:
            f, flag = None, -1
        if f is not None and flag in (0, 1):
            t, bad, _ = calendar_ns_or_bad(
                *(np.array([x]) for x in f[:5]), np.array([f[5]]), header.time_system
            )
            if not bad[0]:
                return int(t[0])
    with warnings.catch_warnings():  # said by the full read, once
        warnings.simplefilter("ignore")
        try:
            for _, _, part in _read_blocks(path, ctx, systems="", size=1 << 16):
                if part.n_epochs:
                    return int(np.concatenate(part.time)[0])
        except KompasError:  # the full read names it
            return None
    return None


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

    def extend(self, other: _Parts) -> None:
        """Append another block's parts (epoch indices shifted)."""
        for q in range(9):
            for c in other.cols[q]:
                self.cols[q].append(c + self.n_epochs if q == 0 else c)
        self.time.extend(other.time)
        self.line.extend(other.line)
        self.flag.extend(other.flag)
        self.clock.extend(other.clock)
        self.events.extend(other.events)
        self.n_epochs += other.n_epochs

    def column(self, q, dtype):
        # concatenated one column at a time, freeing the pieces: peak memory stays near one table
        parts, self.cols[q] = self.cols[q], []
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _read(path, ctx, systems=None) -> ObsTable:
    parts = _Parts()
    last = None
    for last in _read_blocks(path, ctx, systems):
        parts.extend(last[2])
    if last is None:  # pragma: no cover - _read_blocks raises before
        raise ctx.error(None, "no header")
    return _assemble(last[0], last[1], parts, ctx)


def _read_blocks(path, ctx, systems=None, size=None):
    """``(header, layouts, parts)`` for each block of about ``size`` (default :data:`_BLOCK`) bytes of
    complete epochs."""
    header = None
    layouts: list = []
    layout = 0
    n_epochs = 0
    pending = b""
    blocks = iter_blocks(path, size or _BLOCK)  # read when called: tests shrink _BLOCK
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
            header, start = parse_header(lines, ctx)
            layouts = [dict(header.obs_types)]
        # the last line of a file without a final end of line may be cut anywhere
        tail = len(lines) - 1 if eof and not data.endswith((b"\n", b"\r")) else -1
        walk = _walk_v3 if header.version >= 3 else _walk_v2
        ep, stop, layout = walk(lines, start, header, ctx, layouts, layout, tail)
        _epoch_times(ep, header.time_system, ctx)
        part = _Parts()
        part.add(ep, _records_to_rows(ep, lines, header, layouts, ctx, systems))
        n_epochs += part.n_epochs
        yield header, layouts, part
        left = lines[stop:]
        if eof:
            if any(x.strip() for x in left):
                ctx.truncated(
                    f"line {ctx.base + stop + 1}: the file ends inside this epoch; "
                    f"{n_epochs} complete epochs read"
                )
            break
        ctx.base += stop
        pending = b"\n".join([*left, rest]) if left else rest


def iter_obs(path: str | os.PathLike, *, strict: bool = False, systems: str | None = None):
    """Read a RINEX observation file block by block: a generator of :class:`~kompas.tables.obs.ObsTable`.

    Each table holds the complete epochs of about 4 MB of text (a few hundred epochs), in file order, with
    the file's header; together they hold what :func:`read_obs` returns. Memory stays bounded whatever the
    length of the file (a day at 1 Hz), which is how ``kompas spp`` reads: the epoch engine
    (:mod:`kompas.engine`) solves each block as it comes. Warnings are issued when the generator ends.

    Raises
    ------
    FormatError
        As :func:`read_obs`; epoch times must increase across blocks too.
    """
    ctx = Diagnostics(path, strict=strict)
    systems = _systems(systems)
    last = None
    empty = None
    try:
        for header, layouts, part in _read_blocks(path, ctx, systems):
            if part.n_epochs == 0:
                empty = (header, layouts, part)
                continue
            table = _assemble(header, layouts, part, ctx)
            if last is not None and table.epoch_time_ns[0] <= last:
                raise ctx.error(None, "epoch time does not increase between blocks")
            last = int(table.epoch_time_ns[-1])
            yield table
        if last is None and empty is not None:  # a file without epochs still gives its header
            yield _assemble(*empty[:2], empty[2], ctx)
    except KompasError:
        raise
    except (ValueError, IndexError, UnicodeError, OverflowError, KeyError) as exc:  # pragma: no cover
        raise FormatError(
            ctx.path, None, f"unreadable observation data ({type(exc).__name__}: {exc})"
        ) from None
    ctx.emit()


def _warn_not_applied(events, header, ctx) -> None:
    found = records_not_applied(events, header, ctx)
    if found:
        line, when, _ = found[0]
        labels = ", ".join(dict.fromkeys(lab for *_, lab in found))
        warnings.warn(
            f"{ctx.path}, line {line} (event at {when or 'no epoch'}): header records inside the body "
            f"({labels}; {len(found)} in all) are not applied: the whole file is read with its header's "
            "marker, antenna and scaling (split the file at the event to process each part with its own)",
            KompasWarning,
            stacklevel=caller_stacklevel(),
        )


def _assemble(header, layouts, parts, ctx) -> ObsTable:
    _warn_not_applied(parts.events, header, ctx)
    etime = np.concatenate(parts.time) if parts.time else np.zeros(0, np.int64)
    if etime.size > 1 and np.any(np.diff(etime) <= 0):
        k = int(np.flatnonzero(np.diff(etime) <= 0)[0]) + 1
        ctx.base = 0
        raise ctx.error(parts.line[k], "epoch time does not increase")
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
