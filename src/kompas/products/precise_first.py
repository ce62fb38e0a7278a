"""Satellite states for relative positioning: precise orbits and clocks where they serve, broadcast elsewhere.

Double differences cancel most orbit and clock errors, but not a missing ephemeris: a satellite whose
records are absent from the navigation files (a trimmed file, a receiver that missed the message) drops out
of RTK altogether. On set D of the shared data, four of the eleven GPS satellites PASA tracks have no
record in the BRDC file; the IGS SP3 and clock files of the same set hold all of them. RTKLIB offers the
same choice (``pos1-sateph=precise``), but then uses precise states only, and systems without them drop out.

:class:`PreciseFirst` answers the broadcast product's calls of :func:`kompas.measurement.transmission_states`
(``state`` and ``clock`` with ``select_ns``) from the precise products for the systems they serve and from
the broadcast records otherwise. Three conventions are matched to the broadcast states that they stand in
for:

- the clock includes the relativistic periodic term ``-2 r.v / c^2`` (IS-GPS-200N 20.3.3.3.3.1), which the
  broadcast clock polynomial carries and the IGS clocks leave out (Kouba & Heroux 2001, GPS Solutions
  5(2), 12-28);
- positions are moved from the centre of mass to the antenna phase centre where the ANTEX file given has
  the satellite (ionosphere-free offset of the clock pair, nominal yaw attitude). Without it the position is
  the centre of mass; in a single difference an offset ``d`` then enters as at most
  ``d x baseline / range`` (1-3 m offsets: at most 3 mm over 20 km);
- the source of a satellite is decided at the selection instant (``select_ns``, the rover's epoch in RTK),
  which both ends of a single difference share: the precise products when they serve it and the instant
  :data:`TRAVEL_S` before it (the signal's travel time, so that the transmission instants of a receiver
  at that epoch are inside), else the broadcast records. Where the precise products serve the selection
  instant but not the evaluated one (a base epoch of some age before their first sample) the row is
  invalid rather than broadcast, so that no single difference mixes two clock sources (their datums differ
  by metres). The precise clocks reach :data:`~kompas.products.precise.CLOCK_EDGE_S` beyond their first and
  last samples, so the first epoch of a day processed with the day's clock file alone (first sample at
  00:00:00, transmission 0.07 s earlier) is served by them; an epoch within TRAVEL_S of that edge is served by
  the broadcast records.
"""

from __future__ import annotations

import numpy as np

from ..models.relativity import periodic_clock_correction_s
from ..satsys import sat_letter
from ..time import _as_ns
from .broadcast import IF_CLOCK_ANTEX_CODES
from .state import SatState, as_query

__all__ = ["PreciseFirst"]

TRAVEL_S = 0.15
"""Longest signal travel time from a GNSS satellite to a receiver on the ground, s (BeiDou GEO at 5 deg
elevation: 41 130 km, 0.137 s)."""

_FIELDS = ("pos_m", "vel_mps", "clk_s", "clk_rate", "var_m2", "status")


class PreciseFirst:
    """Broadcast-product calls answered from precise products for the systems they serve.

    Parameters
    ----------
    broadcast : BroadcastProduct
        For the other systems and for satellites the precise products lack.
    precise : PreciseMix
        One precise product per system (:meth:`kompas.products.mix.PreciseMix.from_files`).
    antex : Antex, optional
        Satellite antenna offsets (the centre of mass is moved to the phase centre where it has the
        satellite).

    Attributes
    ----------
    navs : list of NavData
        The broadcast product's navigation data.
    systems : str
        Letters served by the precise products.
    """

    def __init__(self, broadcast, precise, antex=None):
        self.broadcast = broadcast
        self.precise = precise
        self.antex = antex
        self.navs = broadcast.navs
        self.systems = precise.systems

    def clock(self, sats, t_gpst_ns, offset_s=0.0, select_ns=None) -> SatState:
        """The clocks of :meth:`state` for a first estimate of the transmission time (positions of precise
        rows at the centre of mass: no antenna offset is evaluated)."""
        return self._states(sats, t_gpst_ns, offset_s, select_ns, apc=False)

    def state(self, sats, t_gpst_ns, offset_s=0.0, select_ns=None) -> SatState:
        """Satellite states at ``t_gpst_ns + offset_s`` (GPST), with the source of each satellite chosen at
        ``select_ns`` (default: the query instants); see the module docstring.

        Returns
        -------
        SatState
            Antenna phase centre (where known) and clock with the relativistic term for precise rows;
            broadcast rows as :meth:`BroadcastProduct.state` gives them.
        """
        return self._states(sats, t_gpst_ns, offset_s, select_ns, apc=True)

    def _states(self, sats, t_gpst_ns, offset_s, select_ns, apc: bool) -> SatState:
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        sel = t if select_ns is None else np.broadcast_to(_as_ns(select_ns, "select_ns").ravel(), s.shape)
        out = self.broadcast.state(s, t, o, select_ns=select_ns)
        r = np.flatnonzero(self.covers(s, sel))
        if r.size == 0:
            return out
        st = self.precise.state(s[r], t[r], o[r])  # NO_PRECISE rows stay invalid: no broadcast behind them
        pos = st.pos_m + self._apc(s[r], t[r], o[r]) if apc else st.pos_m
        clk = st.clk_s + periodic_clock_correction_s(st.pos_m, st.vel_mps)
        values = (pos, st.vel_mps, clk, st.clk_rate, st.var_m2, st.status)
        for name, value in zip(_FIELDS, values, strict=True):
            getattr(out, name)[r] = value
        out.age_s[r] = np.nan
        return out

    def _serves(self, s, sel) -> np.ndarray:
        """Whether the precise products serve satellites at the selection instants and TRAVEL_S before."""
        both = self.precise.state(
            np.r_[s, s], np.r_[sel, sel], np.r_[np.zeros(s.size), np.full(s.size, -TRAVEL_S)]
        )
        return both.ok[: s.size] & both.ok[s.size :]

    def _apc(self, s, t, o) -> np.ndarray:
        """Centre of mass -> antenna phase centre, ECEF m (zero where the ANTEX file lacks the satellite)."""
        out = np.zeros((s.size, 3))
        if self.antex is None:
            return out
        letters = sat_letter(s)
        for letter, product in self.precise.by_system.items():
            m = np.flatnonzero(letters == letter)
            if m.size == 0 or letter not in IF_CLOCK_ANTEX_CODES:
                continue
            codes = IF_CLOCK_ANTEX_CODES[letter]
            apc = product.apc(s[m], t[m], codes, antex=self.antex, attitude="nominal", offset_s=o[m])
            out[m] = np.nan_to_num(apc.offset_m)
        return out

    def covers(self, sats, t_gpst_ns) -> np.ndarray:
        """Rows (satellite, instant) whose states come from the precise products."""
        s, t, _ = as_query(sats, t_gpst_ns)
        out = np.isin(sat_letter(s), list(self.systems))
        r = np.flatnonzero(out)
        out[r] = self._serves(s[r], t[r])
        return out
