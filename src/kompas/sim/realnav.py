"""Simulation over the real constellation of a navigation file: its broadcast states are the truth."""

from __future__ import annotations

import numpy as np

from ..products.broadcast import BroadcastProduct
from ..products.state import SatState, as_query
from ..satsys import Constellation, sat_system, system_code

__all__ = ["BroadcastTruth"]

_SIM_SYSTEMS = (Constellation.BEIDOU, Constellation.GLONASS, Constellation.GPS, Constellation.GALILEO)


class BroadcastTruth:
    """The satellites, orbits and clocks of a real navigation file, as the simulator's truth.

    Satellite states are those of :class:`~kompas.products.broadcast.BroadcastProduct` (nearest-toe
    selection and the ``"post"`` record policy, as kompas's SPP uses them by default), so a simulation
    without errors closes exactly. Group delays are
    the per-signal corrections the same product applies, taken from the records valid at ``t_ref_ns``.

    Where the record in use changes, the true orbit and clock step by the two records' disagreement
    (GLONASS every 30 min: several cycles of phase; Galileo's 10-min issues: tenths of a cycle): code
    and phase step together, the Doppler stays smooth, and truth.json records no event there, so a
    slip detector scored against it may see such a step as a false alarm.

    Parameters
    ----------
    nav : NavData
    t_ref_ns : int
        GPST ns near the simulated span (group delays are evaluated there).
    span_ns : int
        Length of the span; group delays of satellites without a record at ``t_ref_ns`` are looked up
        at later instants of the span.
    """

    def __init__(self, nav, t_ref_ns: int, span_ns: int):
        self.nav = nav
        self.product = BroadcastProduct(nav, policy="post")  # SPP's default (config.EphemerisOptions)
        self.glonass_channels = nav.glonass_channels()
        k = nav.kepler
        accepted = np.zeros(len(k), bool)
        for letter, msgs in self.product.messages.items():
            accepted |= np.isin(k.msg, msgs) & (sat_system(k.sat) == system_code(letter))
        glo = np.unique(nav.glonass.sat)
        glo = glo[[s % 100 in self.glonass_channels for s in glo]] if glo.size else glo
        sats = np.unique(np.concatenate([k.sat[accepted], glo]).astype(np.int16))
        self.sats = sats[np.isin(sat_system(sats), [int(c) for c in _SIM_SYSTEMS])]
        self._t = int(t_ref_ns) + np.linspace(0, int(span_ns), 9).astype(np.int64)
        g = nav.glonass
        order = np.lexsort((g.toc_ns, g.sat)) if len(g) else None
        self._glo_toc = None if order is None else (g.sat[order].astype(np.int64), g.toc_ns[order])

    def state(self, sats, t_gpst_ns, offset_s=0.0) -> SatState:
        """Broadcast states; GLONASS rows are evaluated in groups of equal integration step count.

        :func:`kompas.products.glonass.propagate` gives every row of a call the step count of the
        largest |t - t_b| of that call, so a row's state would depend on the other rows. Grouping the
        rows by their own count, ceil(|t - t_b| / step) with t_b the nearest record time of that
        satellite, makes each state a function of its own query only (simulated blocks then do not
        change any value).
        """
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        glo = sat_system(s) == int(Constellation.GLONASS)
        if not glo.any() or self._glo_toc is None:
            return self.product.state(s, t, o)
        key = np.zeros(s.size, np.int64)
        dt = np.abs(self._dt_nearest(s[glo], t[glo], np.nan_to_num(o[glo], nan=np.inf)))
        steps = np.ceil(np.where(np.isfinite(dt), dt, 0.0) / self.product.glonass_step_s).astype(np.int64)
        key[glo] = np.where(np.isfinite(dt), 1 + steps, -1)
        out = SatState.empty(s.size)
        for k in np.unique(key).tolist():
            m = np.flatnonzero(key == k)
            st = self.product.state(s[m], t[m], o[m])
            for f in ("pos_m", "vel_mps", "clk_s", "clk_rate", "var_m2", "status"):
                getattr(out, f)[m] = getattr(st, f)
        return out

    def _dt_nearest(self, s, t, o):
        """t + o minus the nearest GLONASS record time of each satellite, s (inf without records)."""
        sat_t, toc = self._glo_toc
        finite = np.isfinite(o)
        o_ns = np.rint(np.where(finite, o, 0.0) * 1e9).astype(np.int64)
        key = s.astype(np.int64) * (1 << 40) + (t + o_ns) // 10**6  # ms
        ref = sat_t.astype(np.int64) * (1 << 40) + toc // 10**6
        j = np.clip(np.searchsorted(ref, key), 1, max(ref.size - 1, 1))
        best = np.full(s.size, np.inf)
        for c in (j - 1, j):
            c = np.clip(c, 0, ref.size - 1)
            same = sat_t[c] == s
            best = np.where(same & (np.abs(key - ref[c]) < np.abs(best)), (key - ref[c]).astype(float), best)
        return np.where(finite, best * 1e-3, np.inf)

    def group_delay_s(self, sats, signals) -> np.ndarray:
        """Delay of each (satellite, signal) code against the broadcast reference clock, s."""
        s, sig = np.broadcast_arrays(np.asarray(sats, dtype=np.int64), np.asarray(signals, dtype="U3"))
        s, sig = s.ravel(), sig.ravel()
        out = np.full(s.size, np.nan)
        for t in self._t:  # first instant of the span at which the satellite has a record
            todo = np.isnan(out)
            if not todo.any():
                break
            ref = self.product.state(s[todo], t)
            with_sig = self.product.state(s[todo], t, signal=sig[todo])
            out[todo] = np.where(ref.ok & with_sig.ok, ref.clk_s - with_sig.clk_s, np.nan)
        return np.nan_to_num(out).reshape(np.shape(np.broadcast_arrays(sats, signals)[0]))
