"""Precise products of several analysis centres behind one satellite-state interface, one centre per system.

Precise point positioning often needs products from more than one analysis centre: CNES/CLS (GRG) gives
30-s clocks for GPS, GLONASS and Galileo but no BeiDou; CODE or GFZ give BeiDou orbits and 5-min clocks in
their SP3 files. Orbits and clocks of one satellite must come from the same centre (each centre has its
own clock datum and its own orbit-clock consistency), so the mix routes every *system* to one centre's
:class:`~kompas.products.precise.PreciseProduct` (SP3 orbits with the same centre's RINEX clocks when given,
else the SP3 clocks). The receiver clock of each system absorbs the datum of that centre.

Choosing the centre of a system (:func:`group_by_centre`, :func:`choose_centres`): files are grouped by
the three-letter analysis-centre code of the IGS long file name (``COD0MGXFIN_...``: ``COD``), else by the
agency of the file header. Unless the user names a centre for a system, the centre whose clock file has
the most satellites of the system wins, then the centre whose SP3 has the most satellites of the system
(with clocks), then the one whose SP3 files hold the most epochs; ties keep the order the files were
given in. A clock file whose centre gave no SP3 is
combined with the SP3 of the other centres (orbits of one centre with clocks of another, as RTKLIB does
with any files it is given) and a note says so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, KompasError
from ..satsys import sat_letter
from .precise import ApcOffsets, PreciseProduct
from .state import SatState, Status, as_query

__all__ = ["PreciseMix", "centre_of", "group_by_centre", "choose_centres", "precise_products"]

_LONG_NAME = re.compile(r"^([A-Z0-9]{3})[0-9][A-Z0-9]{3}[A-Z]{3}_\d{11}_")


def _clock_span_note(p: PreciseProduct) -> str:
    """How far the clock file reaches when the SP3 clocks serve beyond it (empty when it spans the SP3)."""
    from ..time import time_span

    span = p.clock_span_ns()
    if p.clock_source != "clk" or not p.sp3_clocks or span is None:
        return ""
    if span[0] <= p.time_ns[0] and span[1] >= p.time_ns[-1]:
        return ""
    return f" ({time_span(np.array(span))}; the SP3 clocks outside it)"


def centre_of(product) -> str:
    """Analysis-centre code of an SP3 or clock object: from the IGS long file name, else the header agency."""
    path = getattr(product, "path", None)
    if path:
        m = _LONG_NAME.match(os.path.basename(str(path)).upper())
        if m:
            return m.group(1)
    agency = (getattr(product, "agency", "") or getattr(product, "analysis_center", "") or "").strip()
    return agency[:3].upper() or "?"


@dataclass(frozen=True)
class CentreFiles:
    """The SP3 and clock files of one analysis centre."""

    centre: str
    sp3: tuple
    clk: tuple

    def clock_count(self, letter: str) -> int:
        """Satellites of a system with clock records (``AS``) in the centre's clock files."""
        sats = set()
        for c in self.clk:
            sats |= set(np.unique(c.sat[(c.kind == "AS") & (c.sat >= 0)]).tolist())
        return int(np.sum(sat_letter(np.array(sorted(sats), dtype=np.int16)) == letter)) if sats else 0

    def sp3_epochs(self) -> int:
        """Distinct epochs of the centre's SP3 files (the time they cover)."""
        return (
            int(np.unique(np.concatenate([np.asarray(s.time_ns) for s in self.sp3])).size) if self.sp3 else 0
        )

    def sp3_count(self, letter: str) -> int:
        """Satellites of a system with positions and clocks in the centre's SP3 files."""
        n = 0
        for s in self.sp3:
            have = np.isfinite(s.clk_s).any(axis=0) & np.isfinite(s.pos_m).all(axis=-1).any(axis=0)
            n = max(n, int(np.sum((sat_letter(s.sats) == letter) & have)))
        return n


def group_by_centre(sp3_files, clk_files=()) -> dict[str, CentreFiles]:
    """Files grouped by analysis centre, in the order the centres first appear."""
    out: dict[str, dict] = {}
    for f in sp3_files:
        out.setdefault(centre_of(f), {"sp3": [], "clk": []})["sp3"].append(f)
    for f in clk_files:
        out.setdefault(centre_of(f), {"sp3": [], "clk": []})["clk"].append(f)
    return {k: CentreFiles(k, tuple(v["sp3"]), tuple(v["clk"])) for k, v in out.items()}


def choose_centres(groups: Mapping[str, CentreFiles], systems: str, wanted: Mapping[str, str] | None = None):
    """The centre serving each system (module docstring); systems no centre covers are left out.

    Raises
    ------
    ConfigError
        When ``wanted`` names a centre that was not given or that has no data of the system.
    """
    wanted = dict(wanted or {})
    out = {}
    for letter in systems:
        if letter in wanted:
            c = wanted[letter].upper()
            if c not in groups:
                raise ConfigError(f"centre {c} asked for system {letter} but no file of it was given")
            if not (groups[c].clock_count(letter) or groups[c].sp3_count(letter)):
                raise ConfigError(f"centre {c} has no orbits and clocks of system {letter}")
            out[letter] = c
            continue
        scores = [
            (g.clock_count(letter), g.sp3_count(letter), g.sp3_epochs(), -i, k)
            for i, (k, g) in enumerate(groups.items())
        ]
        best = max(scores) if scores else None
        if best is not None and (best[0] or best[1]):
            out[letter] = best[4]
    return out


class NoPreciseSystemError(KompasError):
    """None of the systems asked for has orbits or clocks in the precise products given."""


class PreciseMix:
    """Satellite states of each system from its own precise product (the ``SatelliteProduct`` protocol).

    Parameters
    ----------
    by_system : mapping
        System letter -> :class:`~kompas.products.precise.PreciseProduct` (several letters may share one).
    centres : mapping, optional
        System letter -> a label of the source (``"GRG"``), for records.

    Attributes
    ----------
    systems : str
        Letters served.
    """

    def __init__(self, by_system: Mapping[str, PreciseProduct], centres: Mapping[str, str] | None = None):
        if not by_system:
            raise KompasError("no precise product for any system")
        self.by_system = dict(by_system)
        self.centres = dict(centres or {})
        self.systems = "".join(self.by_system)
        self._letters = np.array(list(self.by_system))

    @classmethod
    def from_files(cls, sp3_files, clk_files=(), systems: str = "GRECJ", wanted=None, order: int = 11):
        """Build from SP3 and clock objects (:func:`kompas.read_sp3`, :func:`kompas.read_clk`).

        Returns
        -------
        mix : PreciseMix
        notes : list of str
            What was combined (``"C: COD SP3 (5-min SP3 clocks)"``) and any orbit/clock centre mix.
        """
        groups = group_by_centre(sp3_files, clk_files)
        chosen = choose_centres(groups, systems, wanted)
        if not chosen:
            held = sorted(
                {x for g in groups.values() for x in "GRECJI" if g.sp3_count(x) or g.clock_count(x)}
            )
            raise NoPreciseSystemError(
                f"the precise products ({', '.join(groups)}) have no orbits or clocks of the systems "
                f"{systems} (they hold {''.join(held) or 'none'})"
            )
        any_sp3 = [f for g in groups.values() for f in g.sp3]
        products: dict[str, PreciseProduct] = {}
        notes = []
        # a centre that gave clocks only takes the orbits of the centres that gave SP3 files
        orbits_of = {
            k: k if g.sp3 else ", ".join(sorted(x for x, h in groups.items() if h.sp3))
            for k, g in groups.items()
        }
        for letter, c in chosen.items():
            g = groups[c]
            key = c
            if key not in products:
                sp3 = list(g.sp3) or any_sp3
                if not sp3:
                    raise KompasError(f"clock files of {c} need an SP3 orbit file")
                use_clk = list(g.clk) or None
                # the centre's own SP3 clocks serve before and after its clock file's samples
                products[key] = PreciseProduct(sp3, use_clk, order=order, sp3_clocks=bool(g.sp3))
                if not g.sp3:
                    notes.append(f"{c} clocks are combined with the orbits of {orbits_of[c]}")
            p = products[key]
            src = f"{p.clock_interval_s:g}-s {'clock file' if p.clock_source == 'clk' else 'SP3 clocks'}"
            clocks = "" if g.sp3 else f"{c} "  # whose clocks, where they are not the orbits' centre's
            notes.append(f"{letter}: {orbits_of[c]} orbits ({p.interval_s:g}-s SP3) and {clocks}{src}"
                         + _clock_span_note(p))  # fmt: skip
        mix = cls({k: products[v] for k, v in chosen.items()}, chosen)
        return mix, notes

    def extrapolation_notes(self, t_first_ns: int, t_last_ns: int) -> list[str]:
        """Where observations from ``t_first_ns`` to ``t_last_ns`` (GPST ns) reach beyond a system's SP3
        data: there its orbits are extrapolated, up to one SP3 interval (:mod:`kompas.products.precise`),
        with errors that grow to metres. One note per product, naming the systems it serves."""
        from ..time import GTime

        served: dict[int, tuple[PreciseProduct, list[str]]] = {}
        for letter, p in self.by_system.items():
            served.setdefault(id(p), (p, []))[1].append(letter)
        notes = []
        for p, letters in served.values():
            first, last = int(p.time_ns[0]), int(p.time_ns[-1])
            parts = []
            if t_first_ns < first:
                iso = GTime(first).isoformat()
                parts.append(f"{(first - t_first_ns) / 60e9:.1f} min before its first epoch ({iso})")
            if t_last_ns > last:
                iso = GTime(last).isoformat()
                parts.append(f"{(t_last_ns - last) / 60e9:.1f} min after its last epoch ({iso})")
            if parts:
                accuracy = "GPS 15-min orbits: 0.06 m RMS in the first half interval, 0.4 m in the second"
                if max(first - t_first_ns, t_last_ns - last) > p.interval_s * 1e9:  # not a neighbouring day's
                    how = (f"orbits extrapolated up to one {p.interval_s:g}-s interval ({accuracy}) and not "
                           "farther: give the SP3 files of the observations' days")  # fmt: skip
                else:
                    how = (f"orbits extrapolated there (at most one {p.interval_s:g}-s interval; "
                           f"{accuracy}): give the neighbouring day's SP3 file")  # fmt: skip
                notes.append(
                    f"{''.join(letters)}: the observations reach {' and '.join(parts)} of the SP3 data: {how}"
                )
        return notes

    def antenna_model(self, letter: str) -> str:
        """The IGS antenna model the product of a system is aligned with (``""``: not named or no product)."""
        p = self.by_system.get(letter)
        return p.antenna_model if p is not None else ""

    def state(self, sats, t_gpst_ns, offset_s=0.0) -> SatState:
        """Centre-of-mass positions, velocities and clocks from each satellite's system product."""
        return self._states("state", sats, t_gpst_ns, offset_s)

    def orbit(self, sats, t_gpst_ns, offset_s=0.0) -> SatState:
        """Centre-of-mass orbits from each satellite's system product (:meth:`PreciseProduct.orbit`)."""
        return self._states("orbit", sats, t_gpst_ns, offset_s)

    def clock(self, sats, t_gpst_ns, offset_s=0.0):
        """Clocks from each satellite's system product (:meth:`PreciseProduct.clock`): bias, rate, status."""
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        clk, rate = np.full(s.size, np.nan), np.full(s.size, np.nan)
        status = np.full(s.size, Status.NO_PRECISE, dtype=np.uint8)
        for r, product in self._rows(s):
            clk[r], rate[r], status[r] = product.clock(s[r], t[r], o[r])
        return clk, rate, status

    def apc(self, sats, t_gpst_ns, freq_codes, antex=None, catalog=None, attitude="model", offset_s=0.0,
            prefer="antex") -> ApcOffsets:  # fmt: skip
        """Antenna phase-centre offsets from each satellite's system product (:meth:`PreciseProduct.apc`)."""
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        out = ApcOffsets(
            np.full((s.size, 3), np.nan), np.full(s.size, "", dtype="U7"), np.full(s.size, np.nan)
        )
        for r, product in self._rows(s):
            a = product.apc(s[r], t[r], freq_codes, antex, catalog, attitude, o[r], prefer)
            out.offset_m[r], out.source[r], out.yaw_rad[r] = a.offset_m, a.source, a.yaw_rad
        return out

    def _states(self, method: str, sats, t_gpst_ns, offset_s) -> SatState:
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        out = SatState.empty(s.size)
        out.status[:] = Status.NO_PRECISE
        for r, product in self._rows(s):
            st = getattr(product, method)(s[r], t[r], o[r])
            for name in ("pos_m", "vel_mps", "clk_s", "clk_rate", "var_m2", "status"):
                getattr(out, name)[r] = getattr(st, name)
        return out

    def phase_centres(self, sats) -> np.ndarray:
        """Whether each satellite's product gives antenna phase centres, not centres of mass
        (:attr:`PreciseProduct.phase_centres`; False for systems not served)."""
        s = np.asarray(sats).reshape(-1)
        out = np.zeros(s.size, dtype=bool)
        for r, product in self._rows(s):
            out[r] = product.phase_centres
        return out

    def _rows(self, s):
        """(rows, product) of each system served that has rows among satellites ``s``."""
        letters = sat_letter(s)
        for letter, product in self.by_system.items():
            r = np.flatnonzero(letters == letter)
            if r.size:
                yield r, product

    def __repr__(self) -> str:
        return "PreciseMix(" + ", ".join(f"{k}: {self.centres.get(k, '?')}" for k in self.by_system) + ")"


def precise_products(sp3_files, clk_files=()):
    """One :class:`PreciseProduct` for the files of one analysis centre, else a :class:`PreciseMix`.

    Files of several centres are not merged satellite by satellite: their clock datums differ by tens
    of ns, so each system is served by one centre (:func:`choose_centres`).

    Returns
    -------
    product : PreciseProduct or PreciseMix
    notes : list of str
        For a mix, which centre serves which system (:meth:`PreciseMix.from_files`); else empty.
    """
    clk_files = list(clk_files or ())
    if len(group_by_centre(sp3_files, clk_files)) <= 1:
        return PreciseProduct(list(sp3_files), clk_files or None), []
    letters = np.unique(sat_letter(np.concatenate([np.asarray(f.sats) for f in sp3_files])))
    return PreciseMix.from_files(sp3_files, clk_files, systems="".join(letters.tolist()))
