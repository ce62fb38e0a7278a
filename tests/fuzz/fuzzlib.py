"""Fuzz harness for the file readers (issue 10): mutate small valid files, read them, judge the result.

Seeds
    Small valid files of every format the readers take, made here from the hand-written records of
    the unit tests and from kompas's own writers (the simulator's RINEX 3 observation and navigation
    files, .pos and NMEA solutions). Nothing is copied from real data; :func:`real_seeds` can cut
    seeds from the shared data set at run time (header plus the first records) for long runs.
Blocks
    A seed is a prefix (the header), blocks (records: an epoch, a navigation record, a clock
    record, an antenna, a map, a bias line ...) and a suffix. Every block is read alone
    (prefix + block + suffix) once, which says which output rows it makes.
Mutations
    byte flips, line deletion and duplication, column shifts (a blank inserted or deleted inside a
    line), truncation at a byte inside a record, huge and non-finite numbers (``9.99E+307``,
    ``1E999``, ``nan``, ``inf``, ``1_000``, a 25-digit integer) in place of a number, non-UTF-8 bytes
    (``0xff``, ``0xc3 0x28``, NEL ``0x85``, NUL). Each mutation says which lines of the seed it touched.
Oracles
    1. only :class:`~kompas.errors.KompasError` escapes (and no "unreadable ..." FormatError, the
       readers' last-resort wrapper of an unexpected exception);
    2. no hang (a per-case time limit, SIGALRM);
    3. no silent change: every row made by a block the mutation did not touch is in the result with
       the same values, or is missing with a DroppedRecordWarning or TruncatedFileWarning saying so.
       (Not judged when the mutation touched the header or the suffix.)
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
import re
import signal
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "unit"))  # the unit tests' hand-made records

import kompas  # noqa: E402
from kompas import FormatError, KompasError  # noqa: E402
from kompas.errors import DroppedRecordWarning, TruncatedFileWarning  # noqa: E402

REGRESSIONS = HERE.parent / "data" / "fuzz_regressions"

READERS = {
    "obs": kompas.read_obs, "nav": kompas.read_nav, "sp3": kompas.read_sp3, "clk": kompas.read_clk,
    "antex": kompas.read_antex, "ionex": kompas.read_ionex, "bias": kompas.read_bias,
    "pos": getattr(kompas, "read_pos_table", kompas.read_pos), "nmea": kompas.read_nmea,
}  # fmt: skip
if hasattr(kompas, "read_met"):
    READERS["met"] = kompas.read_met


# ----------------------------------------------------------------------------------------------
# Seeds and their blocks


@dataclass(frozen=True)
class Layout:
    """Where a seed's blocks are: the first body line, how a block starts, where the suffix starts."""

    body: re.Pattern  # the first line matching it (and after the header) starts the body
    start: re.Pattern  # a line matching it starts a block
    suffix: re.Pattern | None = None  # the first body line matching it starts the suffix
    body_after: bool = True  # the body starts after the line matching ``body`` (else at it)


_EOH = re.compile(r".{60,65}END OF HEADER")  # (column 65 in RINEX clock 3.04)
LAYOUTS = {
    "obs3": Layout(_EOH, re.compile(r">")),
    "obs2": Layout(_EOH, re.compile(r" [ \d]\d [ \d]\d [ \d]\d [ \d]\d [ \d]\d [ \d]\d\.\d{7}  \d")),
    "nav3": Layout(_EOH, re.compile(r"[A-Z]")),
    "nav4": Layout(_EOH, re.compile(r">")),
    "nav2": Layout(_EOH, re.compile(r"[ \d]\d ")),
    "sp3": Layout(re.compile(r"\*"), re.compile(r"\*"), re.compile(r"EOF"), body_after=False),
    "clk": Layout(_EOH, re.compile(r"(AS|AR|CR|DR|MS) ")),
    "antex": Layout(_EOH, re.compile(r".{60}START OF ANTENNA")),
    "ionex": Layout(_EOH, re.compile(r".{60}START OF (TEC|RMS|HEIGHT) MAP"), re.compile(r".{60}END OF FILE")),
    "bias": Layout(re.compile(r"\*BIAS SVN_"), re.compile(r" (OSB|DSB|ISB) "), re.compile(r"-BIAS/SOLUTION")),
    "pos": Layout(re.compile(r"%  GPST|%  UTC"), re.compile(r"\d")),
    "nmea": Layout(re.compile(r""), re.compile(r"\$..GGA"), body_after=False),
    "met": Layout(_EOH, re.compile(r" (\d\d|\d{4}) ")),
}


@dataclass
class Seed:
    name: str
    reader: str  # key of READERS
    layout: str  # key of LAYOUTS
    data: bytes
    suffix: str  # file name suffix (readers detect nothing from it, but keep it honest)
    lines: list[bytes] = field(init=False)
    prefix: int = field(init=False)  # body start (0-based line)
    tail: int = field(init=False)  # suffix start
    blocks: list[tuple[int, int]] = field(init=False)  # [first, end) line ranges
    rows: list[Counter | None] = field(init=False)  # rows of each block read alone (None: unknown)
    full: Counter | None = field(init=False)

    def __post_init__(self):
        self.lines = self.data.split(b"\n")
        if self.lines and self.lines[-1] == b"":
            self.lines.pop()
        lay = LAYOUTS[self.layout]
        text = [x.decode("latin-1") for x in self.lines]
        first = next((i for i, t in enumerate(text) if lay.body.match(t)), len(text) - 1)
        self.prefix = first + 1 if lay.body_after else first
        self.tail = next((i for i in range(self.prefix, len(text)) if lay.suffix and lay.suffix.match(text[i])),
                         len(text))  # fmt: skip
        starts = [i for i in range(self.prefix, self.tail) if lay.start.match(text[i])]
        if not starts or starts[0] != self.prefix:
            starts = [self.prefix, *starts]
        self.blocks = list(zip(starts, [*starts[1:], self.tail], strict=True))

    def assemble(self, lines: list[bytes]) -> bytes:
        return b"".join(x + b"\n" for x in lines)

    def block_bytes(self, k: int) -> bytes:
        a, b = self.blocks[k]
        return self.assemble(self.lines[: self.prefix] + self.lines[a:b] + self.lines[self.tail :])


def _text(lines) -> bytes:
    return ("\n".join(lines) + "\n").encode("latin-1")


def hand_seeds() -> list[Seed]:
    """Seeds from the hand-written records of the unit tests."""
    import test_antex as ta
    import test_bias as tb
    import test_io_clk as tc
    import test_io_sp3 as ts
    import test_ionex as ti
    import test_obs_reliability as tor
    import test_rinex_nav as tn
    import test_rinex_obs as to

    sp3 = ts._header(["G01", "R07", "C19"], n_epochs=3, pv="V")
    for hh in (0, 1, 2):
        sp3.append(ts._epoch(2020, 6, 25, hh, 0))
        for sat in ("G01", "R07", "C19"):
            sp3.append(
                ts._p(sat, -10814.532184 + hh, 19731.805028, -14065.684957, 15.944433, "  3  4  5  63 EP  M ")
            )
            sp3.append(ts._p(sat, 1234.5, -2345.6, 0.15, -1.234567, kind="V"))
    r2 = tn.R2_GPS + tn.R2_GPS[tn.R2_GPS.index("END OF HEADER") + 14 :].replace(
        " 6 21  4 28 17", " 7 21  4 28 19"
    )
    out = [
        Seed("obs3_hand", "obs", "obs3", _text([to.HEADER3, *to.EPOCH1, *to.EVENT, *to.EPOCH2]), ".rnx"),
        Seed("obs2_hand", "obs", "obs2", _text([to.HEADER2, *tor.V2_EPOCH, *tor.V2_LAST]), ".21o"),
        Seed("nav3_hand", "nav", "nav3", tn.R3_TEXT.encode("latin-1"), ".rnx"),
        Seed("nav4_hand", "nav", "nav4", (tn.R4_HEADER + tn.R4_FRAMES).encode("latin-1"), ".rnx"),
        Seed("nav2_gps", "nav", "nav2", r2.encode("latin-1"), ".21n"),
        Seed("nav2_glo", "nav", "nav2", tn.R2_GLO.encode("latin-1"), ".18g"),
        Seed("sp3_hand", "sp3", "sp3", _text([*sp3, "EOF"]), ".sp3"),
        Seed("clk_hand", "clk", "clk", tc.TINY, ".clk"),
        Seed("antex_hand", "antex", "antex", ta._VALID, ".atx"),
        Seed("ionex_hand", "ionex", "ionex", _text(ti.HEADER + ti.TEC1 + ti.TEC2 + ti.RMS1 + ti.END), ".22i"),
        Seed("bias_hand", "bias", "bias", _text(tb.bia()), ".bia"),
    ]
    if "met" in READERS:
        import test_met as tm

        out += [Seed(f"met{v}_hand", "met", "met", tm.SPEC_EXAMPLES[v].encode("latin-1"), ".met")
                for v in sorted(tm.SPEC_EXAMPLES)]  # fmt: skip
    return out


def writer_seeds() -> list[Seed]:
    """Seeds written by kompas's writers: simulated RINEX 3.05 observations and navigation, solutions."""
    import io

    from kompas.io.writers.nmea import write_nmea
    from kompas.io.writers.pos import format_pos
    from kompas.io.writers.rinex_nav import write_nav
    from kompas.io.writers.rinex_obs import write_obs
    from kompas.satsys import sat_letter
    from kompas.sim import simulate

    t0 = int(kompas.gtime_from_calendar(2024, 3, 1))
    sim = simulate([-2148744.0, 4426641.0, 4044655.0], t0, hours=0.1, interval_s=60.0, errors="none")
    obs, nav = io.StringIO(), io.StringIO()
    # three satellites of each system: every system's observation layout, in records a quarter the size
    # of the full constellation's, so that cutting the last one at every byte stays affordable
    first = {}
    for sat in np.unique(sim.obs.select(systems="CRGE").sat).tolist():
        first.setdefault(str(sat_letter(sat)), []).append(sat)
    write_obs(sim.obs.select(sats=[s for sats in first.values() for s in sats[:3]]), obs)
    write_nav(sim.nav, nav)
    sol = kompas.spp(sim.obs, sim.nav)
    nmea = io.StringIO()
    write_nmea(sol, nmea)
    obs_lines = obs.getvalue().splitlines()
    epochs = [i for i, x in enumerate(obs_lines) if x.startswith(">")]
    nav_lines = nav.getvalue().splitlines()
    end = next(i for i, x in enumerate(nav_lines) if "END OF HEADER" in x)
    records = [i for i in range(end + 1, len(nav_lines)) if nav_lines[i][:1].strip()]
    picked = [records[0], *[r for r in records if nav_lines[r][0] != nav_lines[records[0]][0]][:1]]
    nav_keep = nav_lines[: end + 1] + [
        x for r in picked for x in nav_lines[r : min((q for q in records if q > r), default=len(nav_lines))]
    ]
    return [
        Seed("obs3_sim", "obs", "obs3", _text(obs_lines[: epochs[3]]), ".rnx"),
        Seed("nav3_sim", "nav", "nav3", _text(nav_keep), ".rnx"),
        Seed("pos_sim", "pos", "pos", format_pos(sol).encode("latin-1"), ".pos"),
        Seed("nmea_sim", "nmea", "nmea", nmea.getvalue().encode("latin-1"), ".nmea"),
    ]


def seeds() -> list[Seed]:
    """Every built-in seed, each with its blocks read alone (deterministic)."""
    out = hand_seeds() + writer_seeds()
    for s in out:
        prepare(s)
    return out


def real_seeds(data_dir: Path, n_blocks: int = 12) -> list[Seed]:
    """Seeds cut from the shared real data at run time: the header and the first ``n_blocks`` records."""
    picks = [
        ("real_obs3", "obs", "obs3", "A_2020-177_ESBC_WTZR/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"),
        ("real_obs2", "obs", "obs2", "G_2021-118_SLAC_rinex2/slac1180.21o"),
        ("real_nav3", "nav", "nav3", "A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"),
        ("real_nav4", "nav", "nav4", "F_2022-159_KMS3_rinex4/KMS300DNK_R_20221591000_01H_MN.rnx.gz"),
        ("real_nav2", "nav", "nav2", "G_2021-118_SLAC_rinex2/brdc1180.21n"),
        ("real_sp3", "sp3", "sp3", "A_2020-177_ESBC_WTZR/COD0MGXFIN_20201770000_01D_05M_ORB.SP3"),
        ("real_clk", "clk", "clk", "G_2021-118_SLAC_rinex2/COD0MGXFIN_20211180000_01D_30S_CLK.CLK"),
    ]
    out = []
    for name, reader, layout, rel in picks:
        path = data_dir / rel
        if not path.exists():
            continue
        raw = path.read_bytes()
        raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        probe = Seed(name, reader, layout, raw[: 4 << 20], path.suffix)
        end = probe.blocks[min(n_blocks, len(probe.blocks)) - 1][1]
        keep = probe.lines[:end] + (probe.lines[probe.tail :] if layout == "sp3" else [])
        seed = Seed(name, reader, layout, probe.assemble(keep), path.suffix)
        prepare(seed)
        out.append(seed)
    return out


def prepare(seed: Seed) -> None:
    """Read the whole seed and each block alone; the block model holds when the rows add up."""
    full = run(seed, seed.data)
    if full.status not in ("ok", "warned") or full.dropped:
        raise AssertionError(f"seed {seed.name} does not read cleanly: {full.status} {full.detail}")
    seed.full = full.rows
    seed.rows = []
    for k in range(len(seed.blocks)):
        r = run(seed, seed.block_bytes(k))
        seed.rows.append(r.rows if r.status in ("ok", "warned") else None)
    union = Counter()
    for r in seed.rows:
        if r is not None:
            union += r
    if not union <= seed.full:  # a block read alone makes rows the whole file does not: no block model
        seed.rows = [None] * len(seed.blocks)


# ----------------------------------------------------------------------------------------------
# Rows of a reader's result: (key, values), NaN-normalised


def _norm(v):
    if isinstance(v, float | np.floating):
        return "nan" if math.isnan(v) else float(v)
    if isinstance(v, np.integer | np.bool_):
        return int(v)
    if isinstance(v, np.ndarray):
        return tuple(_norm(x) for x in v.ravel().tolist())
    if isinstance(v, list | tuple):
        return tuple(_norm(x) for x in v)
    return v


def _table_rows(obj, n_key: int, tag: str = "") -> list[tuple]:
    """Rows of a struct-of-arrays: every array field whose first axis has the table's length."""
    items = [(f.name, getattr(obj, f.name)) for f in fields(obj)] if is_dataclass(obj) else list(obj.items())
    arrays = [(k, v) for k, v in items if isinstance(v, np.ndarray) and v.ndim >= 1]
    if not arrays:
        return []
    n = arrays[0][1].shape[0]
    cols = [v for _, v in arrays if v.shape[0] == n]
    out = []
    for i in range(n):
        row = tuple(
            _norm(c[i]) if c.ndim > 1 else _norm(c[i].item() if hasattr(c[i], "item") else c[i]) for c in cols
        )
        out.append(((tag, *row[:n_key]), row[n_key:]))
    return out


def rows_of(kind: str, result) -> Counter:
    """Multiset of (key, values) rows of a reader's result."""
    rows: list[tuple] = []
    if kind == "obs":
        r = result
        cols = (r.time_ns, r.sat, r.signal, r.code_m, r.phase_cyc, r.doppler_hz, r.cn0_dbhz, r.lli, r.ssi)
        rows = [((int(a), int(b), int(c)), tuple(_norm(x) for x in rest))
                for a, b, c, *rest in zip(*(np.asarray(c).tolist() for c in cols), strict=True)]  # fmt: skip
    elif kind == "nav":
        for name, n_key in (("kepler", 3), ("glonass", 2), ("sbas", 2), ("sto", 5), ("eop", 4), ("ion", 5)):
            rows += _table_rows(getattr(result, name), n_key, name)
    elif kind == "sp3":
        s = result
        for e, t in enumerate(s.time_ns.tolist()):
            for j, sat in enumerate(s.sats.tolist()):
                p = (s.pos_m[e, j], s.clk_s[e, j], s.pos_sdev_m[e, j], s.clk_sdev_s[e, j], s.clk_event[e, j],
                     s.clk_pred[e, j], s.maneuver[e, j], s.orb_pred[e, j])  # fmt: skip
                if np.isfinite(s.pos_m[e, j]).any() or np.isfinite(s.clk_s[e, j]):
                    rows.append((("P", t, sat), _norm(list(p))))
                if s.vel_mps is not None and (
                    np.isfinite(s.vel_mps[e, j]).any() or np.isfinite(s.clk_rate[e, j])
                ):
                    v = (s.vel_mps[e, j], s.clk_rate[e, j], s.vel_sdev_mps[e, j], s.clk_rate_sdev[e, j])
                    rows.append((("V", t, sat), _norm(list(v))))
    elif kind == "antex":
        for a in result.antennas:
            freqs = tuple(
                (c, _norm(f.pco_m), _norm(f.pcv_noazi_m), _norm(f.pcv_m)) for c, f in sorted(a.freqs.items())
            )
            rows.append(
                ((a.type, a.serial, a.valid_from_ns), (a.sat, a.valid_until_ns, _norm(a.zen_rad), freqs))
            )
    elif kind == "ionex":
        for e, t in enumerate(result.time_ns.tolist()):
            rows.append((("TEC", t), _norm(result.tec_tecu[e])))
            if result.rms_tecu is not None and np.isfinite(result.rms_tecu[e]).any():
                rows.append((("RMS", t), _norm(result.rms_tecu[e])))
    elif kind in ("clk", "bias", "met"):
        rows = _table_rows(result, {"clk": 4, "bias": 8, "met": 2}[kind])
    elif kind in ("pos", "nmea"):
        rows = _table_rows({k: v for k, v in result.items() if isinstance(v, np.ndarray)}, 1)
    return Counter(rows)


# ----------------------------------------------------------------------------------------------
# Running one case


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


@dataclass
class Outcome:
    status: str  # ok, warned, error; failures: escape, masked, hang
    detail: str = ""
    rows: Counter | None = None
    dropped: bool = False  # a warning says records were dropped or the file is truncated


_SCRATCH: list[Path] = []  # the folder run() writes its case file into (use_scratch)


def use_scratch(folder: Path | str) -> None:
    """Write the case files into ``folder``, which the caller owns and removes (pytest's tmp_path)."""
    _SCRATCH[:] = [Path(folder)]


def run(seed: Seed, data: bytes, timeout_s: float = 10.0) -> Outcome:
    """Read ``data`` with the seed's reader under a time limit; classify what happened."""
    if not _SCRATCH:
        raise RuntimeError("fuzzlib.use_scratch(folder) first: the cases are written to a file there")
    path = _SCRATCH[0] / f"case{seed.suffix}"
    path.write_bytes(data)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = READERS[seed.reader](path)
    except Hang:
        return Outcome("hang", f"no result after {timeout_s} s")
    except KompasError as exc:
        if isinstance(exc, FormatError) and "unreadable" in exc.message:
            return Outcome("masked", exc.message[:300])
        return Outcome("error", f"{type(exc).__name__}: {str(exc)[:200]}")
    except Exception as exc:
        return Outcome("escape", f"{type(exc).__name__}: {str(exc)[:300]}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    try:
        rows = rows_of(seed.reader, result)
    except Exception as exc:
        return Outcome("escape", f"inconsistent result: {type(exc).__name__}: {exc}")
    dropped = any(issubclass(w.category, DroppedRecordWarning | TruncatedFileWarning) for w in caught)
    return Outcome("warned" if caught else "ok", "", rows, dropped)


def judge(seed: Seed, touched: set[int], out: Outcome) -> str | None:
    """The failure of a case, or None. ``touched``: 0-based lines of the seed the mutation touched."""
    if out.status in ("escape", "masked", "hang"):
        return f"{out.status}: {out.detail}"
    if out.status == "error" or any(i < seed.prefix or i >= seed.tail for i in touched):
        return None
    want: Counter = Counter()
    for k, (a, b) in enumerate(seed.blocks):
        if seed.rows[k] is not None and not any(a <= i < b for i in touched):
            want += seed.rows[k]
    got = out.rows
    got_keys = {k for k, _ in got}
    for (key, values), n in want.items():
        if got[(key, values)] >= n:
            continue
        if key in got_keys:
            have = [v for k, v in got if k == key]
            return (
                f"changed: row {key} of an untouched record reads {have[0]!r:.300} instead of {values!r:.300}"
            )
        if not out.dropped:
            return f"silently missing: row {key} of an untouched record"
    return None


# ----------------------------------------------------------------------------------------------
# Mutations

_BYTES = b"0123456789 .-+EDed\n\r\t#*>ASPVGRCEN\xff\x85\x00"
_NUMBER = re.compile(rb"[-+]?\d*\.?\d+(?:[EeDd][-+]?\d+)?")
_WEIRD = [b"9.99E+307", b"1E999", b"-1D999", b"nan", b"NaN", b"inf", b"-inf", b"1_000", b"0x10",
          b"9999999999999999999999999", b"-0", b"1e-999"]  # fmt: skip
_NON_UTF8 = [b"\xff", b"\xc3\x28", b"\x85", b"\x00", b"\xe2\x80\xa8", b"\xfe\xff"]
OPERATORS = ("flip", "delete_line", "duplicate_line", "shift", "truncate", "number", "non_utf8")


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos)


def mutate(seed: Seed, rng: random.Random, op: str) -> tuple[bytes, set[int], str]:
    """One mutation of the seed: (bytes, touched lines of the seed, description)."""
    data, lines = seed.data, seed.lines
    n = len(lines)
    if op == "flip":
        pos = rng.randrange(len(data))
        byte = bytes([rng.choice(_BYTES)])
        li = _line_of(data, pos)
        return data[:pos] + byte + data[pos + 1 :], {li, li + 1}, f"flip {pos} {byte!r}"
    if op in ("delete_line", "duplicate_line"):
        k = rng.randrange(n)
        new = lines[:k] + lines[k + 1 :] if op == "delete_line" else lines[: k + 1] + lines[k:]
        return seed.assemble(new), {k}, f"{op} {k}"
    if op == "shift":
        k = rng.randrange(n)
        line = lines[k]
        c = rng.randrange(len(line) + 1)
        new = (
            line[:c] + b" " + line[c:] if rng.random() < 0.5 or not line else line[: max(c - 1, 0)] + line[c:]
        )
        return seed.assemble([*lines[:k], new, *lines[k + 1 :]]), {k}, f"shift line {k} col {c}"
    if op == "truncate":
        if seed.blocks and rng.random() < 0.8:  # a cut at a byte inside a record
            a, b = seed.blocks[rng.randrange(len(seed.blocks))]
            start = sum(len(x) + 1 for x in lines[:a])
            end = sum(len(x) + 1 for x in lines[:b])
            pos = rng.randrange(start, max(end, start + 1))
        else:
            pos = rng.randrange(len(data) + 1)
        return data[:pos], set(range(_line_of(data, pos), n + 1)), f"truncate {pos}"
    if op == "number":
        spans = [m.span() for m in _NUMBER.finditer(data)]
        a, b = spans[rng.randrange(len(spans))] if spans else (0, 0)
        word = rng.choice(_WEIRD)
        if rng.random() < 0.5:  # keep the field's width (right-aligned, as a writer would)
            word = word.rjust(b - a)[-max(b - a, len(word)) :]
        return data[:a] + word + data[b:], {_line_of(data, a)}, f"number {a}:{b} -> {word!r}"
    pos = rng.randrange(len(data))
    blob = rng.choice(_NON_UTF8)
    li = _line_of(data, pos)
    if rng.random() < 0.5:
        return data[:pos] + blob + data[pos + 1 :], {li, li + 1}, f"non_utf8 replace {pos} {blob!r}"
    return data[:pos] + blob + data[pos:], {li, li + 1}, f"non_utf8 insert {pos} {blob!r}"


# ----------------------------------------------------------------------------------------------
# A run: many cases, counted per seed; failures kept as regression files


@dataclass
class Tally:
    cases: Counter = field(default_factory=Counter)  # (seed, outcome) -> n
    failures: list = field(default_factory=list)  # (seed name, description, failure, data, touched)


def fuzz(seed_list: list[Seed], n_cases: int, rng: random.Random, tally: Tally, timeout_s: float = 10.0):
    for _ in range(n_cases):
        seed = seed_list[rng.randrange(len(seed_list))]
        op = rng.choice(OPERATORS)
        data, touched, desc = mutate(seed, rng, op)
        out = run(seed, data, timeout_s)
        failure = judge(seed, touched, out)
        tally.cases[(seed.name, "fail" if failure else out.status)] += 1
        if failure:
            tally.failures.append((seed.name, desc, failure, data, touched))
    return tally


def save_regression(seed_name: str, desc: str, failure: str, data: bytes, touched: set[int]) -> Path:
    """Keep a failing case: the mutated bytes and a JSON note (seed, mutation, touched lines, failure)."""
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:12]
    path = REGRESSIONS / f"{seed_name}-{digest}.bin"
    path.write_bytes(data)
    note = {"seed": seed_name, "mutation": desc, "touched": sorted(touched), "found": failure}
    path.with_suffix(".json").write_text(json.dumps(note, indent=1) + "\n")
    return path
