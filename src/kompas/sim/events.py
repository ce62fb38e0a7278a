"""Events injected into simulated observations, and the table that records them (QC truth).

Planning
    :func:`plan_events` draws every event of a receiver over the whole span before any observation
    is computed (one seeded stream per kind: single slips, geometry-free-blind pairs,
    Melbourne-Wuebbena-blind pairs, clock jumps, satellite gaps, outages), plus the events the user
    gives (:class:`Event`). The plan depends only on the seed, the satellites, signals and epochs, so
    the observations do not depend on how the span is cut into blocks.
Applying
    :class:`EventState` walks the blocks in order. A slip acts at its epoch when the satellite is
    observed on that signal then; otherwise it did not happen and is not recorded. A new ambiguity
    after a gap or outage acts at the first observation after the gap (it may wait for the
    satellite to rise). Gaps and outages remove data; clock jumps act on the receiver clock.
Recording
    :class:`EventTable`: one row per event that acted, with the epoch (GPST ns), satellite, signal,
    size (cycles for slips; seconds for clock jumps; removed epochs for gaps and outages), whether
    the LLI was set and why the event happened (``random``, ``gf-pair``, ``mw-pair``, ``new-amb``,
    ``user``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..satsys import sat_id, sat_index
from ..time import GTime
from .signals import gf_blind_pair

__all__ = ["Event", "EventTable", "plan_events", "EventState"]

_KINDS = ("slip", "clock", "gap", "outage")
_NEW_AMB_MAX = 1000  # cycles: size range of the ambiguity change at re-acquisition
_UNIT = {"slip": "cycle", "clock": "s", "gap": "epoch", "outage": "epoch"}


@dataclass(frozen=True)
class Event:
    """An event the user asks for at a known epoch (``time_ns`` must be one of the simulated epochs).

    Attributes
    ----------
    kind : {"slip", "clock", "gap", "outage"}
    time_ns : int
        GPST ns: the slip or jump epoch, or the first missing epoch of a gap.
    sat : str, optional
        Satellite id (slips and gaps).
    signal : str, optional
        Signal code such as ``"1C"`` (slips).
    size : float
        Cycles for a slip, seconds for a clock jump.
    end_ns : int, optional
        First epoch after a gap or outage, GPST ns.
    lli : bool, optional
        Set the loss-of-lock indicator at a slip (default: the error model's ``slip_lli``).
    """

    kind: str
    time_ns: int
    sat: str | None = None
    signal: str | None = None
    size: float = 0.0
    end_ns: int | None = None
    lli: bool | None = None


@dataclass(frozen=True)
class EventTable:
    """Events that acted on the observations of a receiver, by time, satellite, signal, kind, cause, size."""

    kind: np.ndarray
    time_ns: np.ndarray
    end_ns: np.ndarray
    sat: np.ndarray
    signal: np.ndarray
    size: np.ndarray
    lli: np.ndarray
    cause: np.ndarray

    @classmethod
    def from_rows(cls, rows: list[tuple]) -> EventTable:
        """From tuples (kind, time_ns, end_ns, sat, signal, size, lli, cause)."""
        cols = list(zip(*rows, strict=True)) if rows else [()] * 8
        dt = ("U6", np.int64, np.int64, np.int16, "U2", float, bool, "U7")
        arr = [np.array(c, dtype=d) for c, d in zip(cols, dt, strict=True)]
        order = np.lexsort(
            (arr[5], arr[7], arr[0], arr[4], arr[3], arr[1])
        )  # time, sat, signal, kind, cause, size
        return cls(*(a[order] for a in arr))

    def __len__(self) -> int:
        return int(self.time_ns.size)

    def select(self, kind: str) -> EventTable:
        """The rows of one kind."""
        m = self.kind == kind
        return EventTable(*(getattr(self, f)[m] for f in self.__dataclass_fields__))

    def to_records(self) -> list[dict]:
        """JSON-ready rows: kind, time (ISO GPST), time_ns, end_ns, sat, signal, band, size, unit, lli,
        cause."""
        out = []
        for i in range(len(self)):
            k = str(self.kind[i])
            rec = {
                "kind": k,
                "time": GTime(int(self.time_ns[i])).isoformat("GPST"),
                "time_ns": int(self.time_ns[i]),
            }
            if k in ("gap", "outage"):
                rec["end_ns"] = int(self.end_ns[i])
            rec["sat"] = str(sat_id(int(self.sat[i]))) if self.sat[i] >= 0 else None
            rec["signal"] = str(self.signal[i]) or None
            rec["band"] = str(self.signal[i])[:1] or None
            rec.update(
                size=float(self.size[i]), unit=_UNIT[k], lli=bool(self.lli[i]), cause=str(self.cause[i])
            )
            out.append(rec)
        return out


@dataclass
class _Plan:
    """Planned events in layout indices (epoch index, satellite column, signal column)."""

    slip_e: np.ndarray
    slip_s: np.ndarray
    slip_k: np.ndarray
    slip_size: np.ndarray
    slip_lli: np.ndarray
    slip_defer: np.ndarray
    slip_cause: np.ndarray
    jump_e: np.ndarray
    jump_s: np.ndarray  # sizes, s
    jump_cause: np.ndarray
    gaps: np.ndarray  # (G, 3): satellite column (-1: outage), first missing epoch, first epoch after
    gap_cause: np.ndarray


def _counts(rng, rate_per_hour, hours, n):
    return rng.poisson(rate_per_hour * hours, n) if rate_per_hour > 0 else np.zeros(n, np.int64)


def _signed(rng, n, hi):
    return rng.integers(1, hi + 1, n) * np.where(rng.random(n) < 0.5, -1, 1)


_PAIR_SIGNALS = {"G": ("1C", "2W"), "R": ("1C", "2C"), "E": ("1C", "5Q"), "C": ("2I", "6I")}
"""The two signals a slip pair hits: the classic dual-frequency pair of each system (BeiDou: B1I/B3I,
which BDS-2 and BDS-3 satellites both transmit)."""


def _pair_columns(layout, s):
    """Columns of the two signals a pair slip uses on satellite column s (None if it lacks one)."""
    a, b = _PAIR_SIGNALS[str(layout.letters[s])]
    ka, kb = np.flatnonzero(layout.sig_code[s] == a), np.flatnonzero(layout.sig_code[s] == b)
    return (int(ka[0]), int(kb[0])) if ka.size and kb.size else None


def _pairs(errors, layout, n_ep, hours, rng_gf, rng_mw):
    """Geometry-free-blind and Melbourne-Wuebbena-blind slip pairs as slip rows."""
    rows = []
    for rate, rng, cause in (
        (errors.gf_pair_rate_per_hour, rng_gf, "gf-pair"),
        (errors.mw_pair_rate_per_hour, rng_mw, "mw-pair"),
    ):
        counts = _counts(rng, rate, hours, layout.sats.size)
        for s in np.flatnonzero(counts):
            cols = _pair_columns(layout, s)
            n = int(counts[s])
            e = rng.integers(1, max(n_ep, 2), n)
            if cols is None:
                continue
            if cause == "gf-pair":
                pq = gf_blind_pair(layout.sats[s], *layout.sig_code[s, list(cols)], layout.channels)
                if pq is None:
                    continue
                m = _signed(rng, n, 1000 // max(pq))
                sizes = (m * pq[0], m * pq[1])
            else:
                m = _signed(rng, n, errors.slip_size_max)
                sizes = (m, m)
            for col, size in zip(cols, sizes, strict=True):
                rows.append((e, np.full(n, s), np.full(n, col), size, cause))
    return rows


def _user_rows(user_events, layout, tags, errors):
    """Slip, jump and gap rows of the user's events (epochs must be simulated epochs)."""
    slips, jumps, gaps = [], [], []
    for ev in user_events or ():
        if ev.kind not in _KINDS:
            raise ConfigError(f"event kind must be one of {_KINDS}, not {ev.kind!r}")
        e = int(np.searchsorted(tags, ev.time_ns))
        if e >= tags.size or tags[e] != ev.time_ns:
            raise ConfigError(f"event time {ev.time_ns} ns is not a simulated epoch")
        s = -1
        if ev.kind in ("slip", "gap"):
            s = int(np.searchsorted(layout.sats, sat_index(ev.sat)))
            if s >= layout.sats.size or layout.sats[s] != sat_index(ev.sat):
                raise ConfigError(f"event satellite {ev.sat!r} is not simulated")
        if ev.kind == "slip":
            k = np.flatnonzero(layout.sig_code[s] == str(ev.signal))
            if k.size == 0 or ev.size != round(ev.size) or ev.size == 0:
                raise ConfigError(f"slip on {ev.sat} {ev.signal!r}: unknown signal or non-integer size")
            lli = errors.slip_lli if ev.lli is None else bool(ev.lli)
            slips.append((e, s, int(k[0]), float(ev.size), lli))
        elif ev.kind == "clock":
            jumps.append((e, float(ev.size)))
        else:
            e1 = int(np.searchsorted(tags, ev.end_ns if ev.end_ns is not None else ev.time_ns + 1))
            gaps.append((s, e, max(e1, e + 1)))
    return slips, jumps, gaps


def plan_events(errors, layout, tags, interval_s, clock, seed, stream, user_events=()):
    """Every event of one receiver over the span (module docstring).

    Parameters
    ----------
    errors : ErrorModel
    layout : Layout
        Satellites (S,), signal codes (S, K), GLONASS channels.
    tags : (E,) int64
        Epochs, GPST ns.
    interval_s : float
    clock : callable
        ``clock(epoch_index) -> receiver clock without jumps, s`` (chooses the sign of each jump).
    seed, stream : int
        Seed and receiver stream.
    user_events : iterable of Event
    """
    n_ep, n_s = tags.size, layout.sats.size
    hours = n_ep * interval_s / 3600.0
    rng = {k: np.random.default_rng([seed, k, stream]) for k in (4, 6, 7, 8, 9, 10, 11)}
    rows = []  # (epochs, sat columns, signal columns, sizes, cause)
    if errors.cycle_slips:
        ss, kk = np.nonzero(layout.has)
        counts = _counts(rng[4], errors.slip_rate_per_hour, hours, ss.size)
        n = int(counts.sum())
        rows.append(
            (
                rng[4].integers(1, max(n_ep, 2), n),
                np.repeat(ss, counts),
                np.repeat(kk, counts),
                _signed(rng[4], n, errors.slip_size_max),
                "random",
            )
        )
    rows += _pairs(errors, layout, n_ep, hours, rng[6], rng[7])
    u_slips, u_jumps, u_gaps = _user_rows(user_events, layout, tags, errors)
    gaps, gap_cause = _gaps(errors, n_ep, n_s, hours, interval_s, rng[9], rng[10], u_gaps)
    slip = _slip_arrays(rows, u_slips, errors.slip_lli)
    slip = _with_new_ambiguities(slip, gaps, layout, errors, rng[11])
    je, js, jc = _jumps(errors, n_ep, hours, clock, rng[8], u_jumps)
    return _Plan(*slip, je, js, jc, gaps, gap_cause)


def _slip_arrays(rows, user, lli_flag):
    parts = [
        (
            np.asarray(e),
            np.asarray(s),
            np.asarray(k),
            np.asarray(z, float),
            np.full(len(e), lli_flag),
            np.zeros(len(e), bool),
            np.full(len(e), c, "U7"),
        )
        for e, s, k, z, c in rows
    ]
    if user:
        e, s, k, z, lli = (np.array(c) for c in zip(*user, strict=True))
        parts.append(
            (e, s, k, z.astype(float), lli.astype(bool), np.zeros(e.size, bool), np.full(e.size, "user"))
        )
    if not parts:
        z = np.zeros(0, np.int64)
        return z, z, z, np.zeros(0), np.zeros(0, bool), np.zeros(0, bool), np.zeros(0, "U7")
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(7))


def _gaps(errors, n_ep, n_s, hours, interval_s, rng_gap, rng_out, user):
    """(G, 3) gaps (satellite column or -1, first missing epoch, first epoch after) and their causes."""
    out = []
    for rate, rng, n, (lo, hi), outage in (
        (errors.gap_rate_per_hour, rng_gap, n_s, errors.gap_length_s, False),
        (errors.outage_rate_per_hour, rng_out, 1, errors.outage_length_s, True),
    ):
        counts = _counts(rng, rate, hours, n) * (n_ep > 1)  # a gap starts after the first epoch
        m = int(counts.sum())
        e0 = rng.integers(1, max(n_ep, 2), m)
        length = np.maximum(1, np.rint(rng.uniform(lo, hi, m) / interval_s)).astype(np.int64)
        s = np.full(m, -1) if outage else np.repeat(np.arange(n), counts)  # -1: every satellite
        out.append(np.stack([s, e0, np.minimum(e0 + length, n_ep)], -1))
    causes = [np.full(len(out[0]) + len(out[1]), "random")]
    if user:
        out.append(np.array(user, np.int64).reshape(-1, 3))
        causes.append(np.full(len(user), "user"))
    return np.concatenate(out).astype(np.int64), np.concatenate(causes).astype("U7")


def _with_new_ambiguities(slip, gaps, layout, errors, rng):
    """Add a deferred slip (new ambiguity, LLI set) on every signal after every gap and outage."""
    if not errors.gap_new_ambiguity or gaps.shape[0] == 0:
        return slip
    s_all = np.arange(layout.sats.size)
    es, ss = [], []
    for s, _, e1 in gaps.tolist():
        cols = s_all if s < 0 else np.array([s])
        es.append(np.full(cols.size, e1))
        ss.append(cols)
    e, s = np.concatenate(es), np.concatenate(ss)
    kk = np.nonzero(layout.has[s])
    e, s, k = e[kk[0]], s[kk[0]], kk[1]
    size = _signed(rng, e.size, _NEW_AMB_MAX).astype(float)
    new = (e, s, k, size, np.ones(e.size, bool), np.ones(e.size, bool), np.full(e.size, "new-amb"))
    return tuple(np.concatenate([a, b]) for a, b in zip(slip, new, strict=True))


def _jumps(errors, n_ep, hours, clock, rng, user):
    """Clock jump epochs, sizes (s, towards zero: a steered receiver clock) and causes."""
    n = int(_counts(rng, errors.clock_jump_rate_per_hour, hours, 1)[0])
    e = np.sort(rng.integers(1, max(n_ep, 2), n))
    sizes, total = [], 0.0
    for k in e.tolist():
        before = clock(k) + total
        size = -errors.clock_jump_s if before > 0 else errors.clock_jump_s
        sizes.append(size)
        total += size
    e_all = np.concatenate([e, np.array([u[0] for u in user], np.int64)]).astype(np.int64)
    s_all = np.concatenate([np.array(sizes, float), np.array([u[1] for u in user], float)])
    cause = np.concatenate([np.full(n, "random"), np.full(len(user), "user")]).astype("U7")
    order = np.argsort(e_all, kind="stable")
    return e_all[order], s_all[order], cause[order]


class EventState:
    """Applies a plan block by block, in order, and collects the events that acted."""

    def __init__(self, plan: _Plan, layout, tags):
        self.plan, self.layout, self.tags = plan, layout, tags
        self.carry = np.zeros(layout.has.shape)
        self.pending = np.zeros(0, np.int64)  # indices of deferred slips not yet applied
        self.rows: list[tuple] = []
        self._gap_removed = np.zeros(plan.gaps.shape[0], np.int64)
        self.outage_epochs = np.zeros(tags.size, bool)
        for s, e0, e1 in plan.gaps.tolist():
            if s < 0:
                self.outage_epochs[e0:e1] = True

    def clock_jumps_s(self, e: np.ndarray) -> np.ndarray:
        """Sum of the clock jumps at or before each epoch index, s."""
        cum = np.concatenate([[0.0], np.cumsum(self.plan.jump_s)])
        return cum[np.searchsorted(self.plan.jump_e, e, side="right")]

    def gap_mask(self, e0: int, e1: int, visible: np.ndarray) -> np.ndarray:
        """(Eb, S) True where a gap or outage removes the satellite; counts what each gap removed.

        An epoch or observation removed by several events counts once: outages first (in plan order),
        then satellite gaps, each with what the ones before it left, so the sizes add up to what is gone.
        """
        mask = np.zeros((e1 - e0, self.layout.sats.size), bool)
        gaps = self.plan.gaps.tolist()
        for g in sorted(range(len(gaps)), key=lambda i: gaps[i][0] >= 0):  # outages (-1) first
            s, a, b = gaps[g]
            lo, hi = max(a, e0) - e0, min(b, e1) - e0
            if lo >= hi:
                continue
            cols = slice(None) if s < 0 else s
            left = visible[lo:hi] & ~mask[lo:hi]
            self._gap_removed[g] += int(left.any(axis=-1).sum() if s < 0 else left[:, s].sum())
            mask[lo:hi, cols] = True
        return mask

    def slips(self, e0: int, e1: int, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative slips (Eb, S, K) in cycles and the LLI (Eb, S, K) of the block [e0, e1).

        ``observed`` (Eb, S, K) is True where the signal is in the output.
        """
        p = self.plan
        eb = e1 - e0
        lli = np.zeros(observed.shape, np.uint8)
        cand = np.concatenate([self.pending, np.flatnonzero((p.slip_e >= e0) & (p.slip_e < e1))])
        if cand.size == 0:
            return np.broadcast_to(self.carry, observed.shape), lli
        idx = np.where(observed, np.arange(eb)[:, None, None], eb)
        nxt = np.minimum.accumulate(idx[::-1], axis=0)[::-1]  # next observed epoch at or after
        le = np.maximum(p.slip_e[cand] - e0, 0)
        at = nxt[le, p.slip_s[cand], p.slip_k[cand]]
        act = np.where(p.slip_defer[cand], at < eb, at == le)
        self.pending = cand[p.slip_defer[cand] & (at >= eb)]
        c, at = cand[act], at[act]
        delta = np.zeros(observed.shape)
        np.add.at(delta, (at, p.slip_s[c], p.slip_k[c]), p.slip_size[c])
        lli[at, p.slip_s[c], p.slip_k[c]] |= p.slip_lli[c].astype(np.uint8)
        out = self.carry + np.cumsum(delta, axis=0)
        self.carry = out[-1].copy()
        lay = self.layout
        for j, t in zip(c.tolist(), self.tags[e0 + at].tolist(), strict=True):
            s, k = int(p.slip_s[j]), int(p.slip_k[j])
            self.rows.append(
                (
                    "slip",
                    t,
                    t,
                    int(lay.sats[s]),
                    str(lay.sig_code[s, k]),
                    float(p.slip_size[j]),
                    bool(p.slip_lli[j]),
                    str(p.slip_cause[j]),
                )
            )
        return out, lli

    def table(self) -> EventTable:
        """Slips recorded so far, the clock jumps, and the gaps and outages with what they removed."""
        p, tags, n = self.plan, self.tags, self.tags.size
        rows = list(self.rows)
        for e, s, c in zip(p.jump_e.tolist(), p.jump_s.tolist(), p.jump_cause.tolist(), strict=True):
            rows.append(("clock", int(tags[e]), int(tags[e]), -1, "", s, False, c))
        for g, ((s, a, b), c) in enumerate(zip(p.gaps.tolist(), p.gap_cause.tolist(), strict=True)):
            end = int(tags[b]) if b < n else int(tags[-1] + (tags[-1] - tags[-2] if n > 1 else 1))
            sat = -1 if s < 0 else int(self.layout.sats[s])
            rows.append(
                (
                    "outage" if s < 0 else "gap",
                    int(tags[a]),
                    end,
                    sat,
                    "",
                    float(self._gap_removed[g]),
                    False,
                    c,
                )
            )
        return EventTable.from_rows(rows)
