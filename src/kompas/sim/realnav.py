"""Simulation over the real constellation of a navigation file: its broadcast states are the truth."""

from __future__ import annotations

import numpy as np

from ..products.broadcast import BroadcastProduct
from ..products.state import SatState
from ..satsys import Constellation, sat_system

__all__ = ["BroadcastTruth"]

_SIM_SYSTEMS = (Constellation.BEIDOU, Constellation.GLONASS, Constellation.GPS, Constellation.GALILEO)


class BroadcastTruth:
    """The satellites, orbits and clocks of a real navigation file, as the simulator's truth.

    Satellite states are those of :class:`~kompas.products.broadcast.BroadcastProduct` (nearest-toe
    selection and the ``"post"`` record policy, as kompas's SPP uses them by default), so a simulation
    without errors closes exactly. Group delays are
    the per-signal corrections the same product applies, taken from the records valid at ``t_ref_ns``.

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
            accepted |= np.isin(k.msg, msgs) & (sat_system(k.sat) == "GRECJSI".index(letter) + 1)
        glo = np.unique(nav.glonass.sat)
        glo = glo[[s % 100 in self.glonass_channels for s in glo]] if glo.size else glo
        sats = np.unique(np.concatenate([k.sat[accepted], glo]).astype(np.int16))
        self.sats = sats[np.isin(sat_system(sats), [int(c) for c in _SIM_SYSTEMS])]
        self._t = int(t_ref_ns) + np.linspace(0, int(span_ns), 9).astype(np.int64)

    def state(self, sats, t_gpst_ns, offset_s=0.0) -> SatState:
        return self.product.state(sats, t_gpst_ns, offset_s)

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
