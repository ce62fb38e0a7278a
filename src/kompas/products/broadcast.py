"""Broadcast ephemerides behind the satellite-state protocol: selection, evaluation, group delays.

Record policy (``policy=``): which records may serve a query
    ``"icd"`` (the default) uses a record only within the validity its system's interface document
    gives it, relative to the record's reference epoch (toe; GLONASS t_b):

    ======== ============================== ===========================================================
    system   window (after, before toe)     rule
    ======== ============================== ===========================================================
    GPS      fit/2, fit/2 (4 h fit: 2 h)    IS-GPS-200N 20.3.3.4.3.1 (fit interval flag 0 = 4 h) and
                                            20.3.4.4 (toe in the middle of the fit interval); the
                                            record's RINEX fit interval (hours) when given, else 4 h
                                            (also for a 0/1 flag written in its place)
    QZSS     fit/2, fit/2 (2 h fit: 1 h)    IS-QZSS-PNT-005 4.1.2 (flag 0 = 2 h), as GPS
    NavIC    2 h, 2 h                       IRNSS SPS ICD 1.1 (2-hourly updates); no fit interval given
    Galileo  4 h, 0                         OS SIS ICD 2.0 5.1.9 / OS SDD 1.2 2.3: a batch (IODnav) is
                                            valid 4 h and used from its toe on; SISA = NAPA (no accuracy
                                            prediction) or a data-validity bit set ("marginal" in the
                                            OS SDD) counts as unhealthy
    BeiDou   1 h, 0                         BDS-SIS-ICD-B1I-3.0 5.2.4 (D1/D2 ephemeris and clock
                                            parameters updated every hour, toe at the start of the hour
                                            of use); CNAV records alike (B1C-1.0 7.4)
    GLONASS  15 min, 15 min                 ICD GLONASS FDMA Ed. 5.1 4.4: the immediate data refer to
                                            the middle t_b of a 30-min interval (P1 = 30 min): a record
                                            serves |t - t_b| <= 15 min
    ======== ============================== ===========================================================

    "GLONASS 30 min" therefore means the 30-min interval *centred* on t_b (not 30 min on either side:
    that is RTKLIB's stretching). RINEX files before 3.05 do not carry P1 (45 or 60 min intervals), so
    30 min is assumed for every record. A query for which no record is valid but one would serve
    under RTKLIB's windows gets status ``STALE`` and the age of that record (values stay NaN).

    ``"post"`` (post-processing, the SPP default) keeps the ICD health rules and GPS/QZSS/Galileo
    validity after the reference epoch, but also takes the *next* record before its reference epoch when
    nearer: Galileo up to 10 min (one I/NAV issue interval), BeiDou up to 1 h (one update period). A
    receiver could not have had that record yet, but a post-processing user has it, and it is the
    fresher prediction: on the shared data sets BeiDou SPP is 0.05-0.5 m better in 3D RMS with it than
    with the strict ICD windows (BENCHMARKS.md). BeiDou records stay usable up to RTKLIB's 6 h after
    toe and GLONASS records |t - t_b| <= 30 min: station and trimmed files often lack the hourly BeiDou
    records of some satellites (set D: 5 of 15 BeiDou satellites at PASA, 0.4-0.5 m worse without
    them) and the half-hourly GLONASS ones (DELF: 31 instead of 1 of 105 epochs), and SPP's RAIM/FDE
    guards against the rare bad extrapolation (a C12 record 4 h after toe was 94 m off). Monitoring
    uses ``"icd"``.

    ``"rtklib"`` stretches records as RTKLIB 2.4.3 / RTKLIB-EX ``seleph``/``selgeph`` do (rtklib.h
    ``MAXDTOE*``): |t - toe| <= 7201 s GPS/QZSS/NavIC, 14400 s Galileo, 21601 s BeiDou, 1800 s
    GLONASS, symmetric around the reference epoch (the +1 s is RTKLIB's). Nothing is ``STALE``.
    ``max_dtoe_s`` / ``max_before_toe_s`` override the windows of either policy per system.

Selection rule (``selection=``, reproducible, documented)
    ``"nearest"``: among the records of the satellite whose message type is accepted,
    self-consistent (GPS/QZSS: IODE equal to the low 8 bits of IODC) and valid at the query time,
    the one whose reference epoch is nearest to the query time; ties go to the later reference
    epoch, then to the later file row (post-processing; RTKLIB's rule). If that record is unhealthy
    the satellite is, even where an older healthy record is still valid (RTKLIB: ``seleph`` picks the
    nearest record, ``satexclude`` then rejects it on its health word): an operator's flag, e.g.
    around a manoeuvre, is not undone by serving the orbit uploaded before it.
    ``"transmitted"``: the record a receiver would hold at the query time: the latest record already
    transmitted (transmission time <= t; GLONASS: frame time), if it is valid and, when ``max_age_s``
    is given, transmitted at most that long before t. This is the rule of signal-in-space (SISRE)
    analyses: a station's file lacks fresh records while a satellite is below its horizon.

Status of a row without a usable record: UNHEALTHY when the record that would serve is unhealthy (or only
records failing their self-consistency check are valid), STALE (ICD
policy) when only a stretched record would serve, OUTSIDE_FIT when the satellite has records but none
valid, NO_EPHEMERIS when it has none of an accepted type, UNSUPPORTED for SBAS: its GEO records are read,
not evaluated (the shared data's healthy ones say "do not use" and are kilometres off: BENCHMARKS.md, "SBAS
records"). ``SatState.age_s`` holds the age (query time minus reference epoch, s) of the record used, or of
the stale record.

Group delays
    Broadcast clocks refer to a reference signal or combination: GPS/QZSS LNAV the L1/L2 P(Y)
    ionosphere-free combination (IS-GPS-200N 20.3.3.3.3.2), Galileo I/NAV E1/E5b and F/NAV E1/E5a
    (OS SIS ICD 5.1.5), BeiDou D1/D2 and CNAV B3I (BDS-SIS-ICD-B1I-3.0 5.2.4.10, B1C-1.0 7.6).
    :meth:`BroadcastProduct.state` with ``signal=`` returns the clock *for that signal*, or NaN
    (status UNSUPPORTED) where the record gives no delay of that signal (BeiDou B1C, B2a, B2b with a
    D1/D2 record), unless the data hold the B-CNAV1, B-CNAV2 or B-CNAV3 record that refers to it, which
    then serves those rows (``_beidou_cnav_rows``);
    :meth:`BroadcastProduct.if_clock` the clock of an ionosphere-free pair, taken from the message
    whose clock refers to that pair (Galileo E1/E5a: F/NAV). GLONASS: ``tau_n`` refers to the G1
    transmission, and G2 leaves ``delta tau_n`` later (ICD GLONASS FDMA Ed. 5.1 table 4.5; RINEX 3.05/4
    records carry it), so the G2 clock is the broadcast one minus ``delta tau_n`` and the G1/G2
    ionosphere-free clock the broadcast one plus ``delta tau_n / (gamma - 1)``, gamma = (9/7)^2. Measured
    (BENCHMARKS.md): on KMS3's RINEX 4 day it lowers the post-fit residuals of GLONASS ionosphere-free
    SPP from 2.09 to 1.25 m RMS, while referring the broadcast clock to the ionosphere-free pair instead
    (RTKLIB-EX's reading) leaves them at 2.09 m and doubles those of G1-only SPP. Without ``delta tau_n``
    (older records, "not known") no term is applied. FDMA inter-frequency biases of the receiver belong
    to the estimator.
"""

from __future__ import annotations

import numpy as np

from ..constants import SYSTEM_CONSTANTS
from ..errors import ConfigError
from ..satsys import (
    SYSTEM_LETTERS,
    Constellation,
    band_frequency,
    bds_generation,
    check_signals,
    is_bds_geo,
    ratio_band_frequency,
    sat_system,
    signal_band,
    signal_id,
)
from ..tables.nav import check_navdata
from ..time import _as_ns
from .kepler import kepler_state
from .record_age import RECORD_AGE_ORBIT_SIGMA_M, record_orbit_drift_mps, record_orbit_sigma_m
from .record_search import latest, nearest_in_window
from .state import SatState, Status, as_query, as_signals

__all__ = [
    "BroadcastProduct",
    "RECORD_AGE_ORBIT_SIGMA_M",
    "record_orbit_sigma_m",
    "record_orbit_drift_mps",
    "POLICIES",
    "ICD_WINDOW_S",
    "RTKLIB_WINDOW_S",
    "POST_WINDOW_S",
    "DEFAULT_FIT_H",
    "IF_CLOCK_PAIRS",
    "IF_CLOCK_ANTEX_CODES",
]

POLICIES = ("icd", "post", "rtklib")
"""Record policies of :class:`BroadcastProduct` (module docstring)."""

ICD_WINDOW_S = {
    "G": (7200.0, 7200.0),
    "J": (3600.0, 3600.0),
    "I": (7200.0, 7200.0),
    "E": (14400.0, 0.0),
    "C": (3600.0, 0.0),
    "R": (900.0, 900.0),
}
"""Validity of a record per system, (s after, s before) its reference epoch (module docstring table).
GPS and QZSS records with a fit interval use half of it on each side instead."""

POST_WINDOW_S = {**ICD_WINDOW_S, "E": (14400.0, 600.0), "C": (21601.0, 3600.0), "R": (1800.0, 1800.0)}
"""The ``"post"`` policy (SPP's default): before the reference epoch (a record not yet broadcast, known only
in post-processing) Galileo 10 min (one I/NAV issue interval) and BeiDou 1 h (one update period); after it
the ICD validity except BeiDou, kept at RTKLIB's 6 h; GLONASS the neighbouring 30-min records
(|t - t_b| <= 30 min, RTKLIB's window). Module docstring: why."""

RTKLIB_WINDOW_S = {
    "G": (7201.0, 7201.0),
    "J": (7201.0, 7201.0),
    "I": (7201.0, 7201.0),
    "E": (14400.0, 14400.0),
    "C": (21601.0, 21601.0),
    "R": (1800.0, 1800.0),
}
"""RTKLIB's stretching, |t - toe| <= MAXDTOE (+1 s for GPS/QZSS/NavIC/BeiDou as ``seleph`` adds it), s."""

DEFAULT_FIT_H = {"G": 4.0, "J": 2.0}
"""Fit interval when a record states none, hours, and the shortest there is: IS-GPS-200N 20.3.3.4.3.1
(flag 0 = 4 h), IS-QZSS-PNT-005 4.1.2 (flag 0 = 2 h). A smaller value (0 or 1) is the fit interval flag
that some writers put in RINEX's "fit interval (hours)" field: flag 1 says only "longer than the
shortest", so the shortest is used."""

IF_CLOCK_PAIRS = {
    "G": ("1W", "2W"),
    "R": ("1P", "2P"),
    "E": ("1C", "5Q"),
    "C": ("2I", "6I"),
    "J": ("1C", "2L"),
}
"""Ionosphere-free signal pairs of the IGS/MGEX precise clocks, the default of :meth:`if_clock`."""

IF_CLOCK_ANTEX_CODES = {x: (f"{x}0{a[0]}", f"{x}0{b[0]}") for x, (a, b) in IF_CLOCK_PAIRS.items()}
"""ANTEX frequency codes of the same pairs (``"G": ("G01", "G02")``): the satellite antenna offsets the
precise orbits' centre of mass is moved by."""

_KEPLER_FIELDS = (
    "sqrt_a_sqrtm", "e", "i0_rad", "omega0_rad", "omega_rad", "m0_rad", "delta_n_radps", "idot_radps",
    "omega_dot_radps", "cuc_rad", "cus_rad", "crc_m", "crs_m", "cic_rad", "cis_rad", "toe_s",
    "af0_s", "af1_sps", "af2_sps2", "a_dot_mps", "delta_n_dot_radps2",
)  # fmt: skip

_DEFAULT_MSG = {"G": ("LNAV",), "J": ("LNAV",), "I": ("LNAV",), "E": ("INAV",), "C": ("D1", "D2")}
_LETTERS = np.array([" ", "G", "R", "E", "C", "J", "S", "I"])
_NAT = np.iinfo(np.int64).min
_INCONSISTENT, _UNHEALTHY, _HEALTHY = 0, 1, 2  # record grades (BroadcastProduct._selected)

# URA / SISA index tables are already converted to metres by the reader (sv_accuracy_m)


def _effective_options(messages, max_dtoe_s, max_before_toe_s, selection, policy) -> dict:
    """Ephemeris options as a product applies them: messages over the defaults, windows as plain dicts."""
    return {
        "messages": {**_DEFAULT_MSG, **{k: tuple(v) for k, v in (messages or {}).items()}},
        "max_dtoe_s": dict(max_dtoe_s or {}),
        "max_before_toe_s": dict(max_before_toe_s or {}),
        "selection": selection,
        "policy": policy,
    }


class BroadcastProduct:
    """Satellite states from broadcast navigation data of every constellation.

    Parameters
    ----------
    nav : NavData or list of NavData
        From :func:`kompas.io.readers.rinex_nav.read_nav`; several files are merged.
    messages : dict, optional
        Accepted message types per system letter, e.g. ``{"E": ("FNAV",)}``. Defaults: GPS/QZSS/NavIC
        LNAV, Galileo I/NAV (E1/E5b users; F/NAV for E5a users), BeiDou D1/D2.
    policy : {"icd", "post", "rtklib"}
        Record validity (module docstring): each system's ICD rules (stale records flagged), the same
        with the next record usable shortly before its reference epoch (post-processing), or RTKLIB's
        stretching.
    max_dtoe_s, max_before_toe_s : dict, optional
        Overrides of the policy's window after / before the reference epoch per system letter, s.
    glonass_step_s : float
        Maximum RK4 step of the GLONASS integration, s (ICD: any step up to 60 s is adequate).
    selection : {"nearest", "transmitted"}
        Record selection rule (module docstring).
    max_age_s : dict, optional
        With ``selection="transmitted"``: longest time since transmission per system letter, s.
    """

    @classmethod
    def from_options(cls, nav, eph) -> BroadcastProduct:
        """The product of a recipe's ephemeris options (:class:`kompas.config.EphemerisOptions`: accepted
        messages, longest use of a record after and before its reference epoch, selection, validity policy);
        a product passes unchanged."""
        if isinstance(nav, BroadcastProduct):
            return nav
        return cls(
            nav, messages=eph.messages, max_dtoe_s=eph.max_dtoe_s, selection=eph.selection, policy=eph.policy,
            max_before_toe_s=eph.max_before_toe_s,
        )  # fmt: skip

    def differing_options(self, eph, names) -> list[str]:
        """Of ``names``, the ephemeris options whose value in ``eph``
        (:class:`kompas.config.EphemerisOptions`) this product does not apply (messages and windows compared
        after the defaults are filled in)."""
        given = _effective_options(**{k: getattr(eph, k) for k in self.applied_options()})
        mine = _effective_options(**self.applied_options())
        return [k for k in given if k in names and given[k] != mine[k]]

    def applied_options(self) -> dict:
        """The :class:`kompas.config.EphemerisOptions` values this product applies (messages and windows
        only where they differ from the defaults, as the options hold them)."""
        messages = {k: tuple(v) for k, v in self.messages.items() if tuple(v) != _DEFAULT_MSG.get(k)}
        return {
            "messages": messages or None,
            "max_dtoe_s": dict(self._overrides[0]) or None,
            "max_before_toe_s": dict(self._overrides[1]) or None,
            "selection": self.selection,
            "policy": self.policy,
        }

    def __init__(
        self,
        nav,
        messages: dict | None = None,
        max_dtoe_s: dict | None = None,
        glonass_step_s=60.0,
        selection: str = "nearest",
        max_age_s: dict | None = None,
        max_before_toe_s: dict | None = None,
        policy: str = "icd",
    ):
        if selection not in ("nearest", "transmitted"):
            raise ConfigError(f"selection must be 'nearest' or 'transmitted', not {selection!r}")
        if policy not in POLICIES:
            raise ConfigError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
        self.selection = selection
        self.policy = policy
        self.max_age_s = dict(max_age_s or {})
        navs = nav if isinstance(nav, list | tuple) else [nav]
        check_navdata(navs)
        self.navs = list(navs)
        self.kepler = _concat([n.kepler for n in navs])
        self.glonass = _concat([n.glonass for n in navs])
        self.messages = {**_DEFAULT_MSG, **(messages or {})}
        base = {"icd": ICD_WINDOW_S, "post": POST_WINDOW_S, "rtklib": RTKLIB_WINDOW_S}[policy]
        self._overrides = (dict(max_dtoe_s or {}), dict(max_before_toe_s or {}))
        self.max_dtoe_s = {x: base[x][0] for x in base} | self._overrides[0]
        self.max_before_toe_s = {x: base[x][1] for x in base} | self._overrides[1]
        self.glonass_step_s = float(glonass_step_s)
        self._siblings: dict = {}

    def with_messages(self, messages: dict) -> BroadcastProduct:
        """The same data and options with other accepted message types (cached; shares the tables)."""
        key = tuple(sorted((k, tuple(v)) for k, v in messages.items()))
        if key not in self._siblings:
            other = BroadcastProduct(
                self.navs,
                {**self.messages, **messages},
                self._overrides[0],
                self.glonass_step_s,
                self.selection,
                self.max_age_s,
                self._overrides[1],
                self.policy,
            )
            self._siblings[key] = other
        return self._siblings[key]

    # ------------------------------------------------------------------------------------------
    def glonass_channels(self):
        """GLONASS slot -> FDMA channel from the records (latest per slot, over all files)."""
        from ..satsys import GlonassChannels

        return GlonassChannels.merge(*(n.glonass_channels() for n in self.navs))

    def clock(self, sats, t_gpst_ns, offset_s=0.0, select_ns=None) -> SatState:
        """Broadcast clocks only, without the relativistic term (positions NaN), for a first estimate of the
        transmission time as RTKLIB's ``ephclk`` makes it: ``af0 + af1 dt + af2 dt^2`` (GLONASS ``-tau_n +
        gamma_n dt``). Record selection and status are those of :meth:`state`; no orbit is evaluated."""
        return self.state(sats, t_gpst_ns, offset_s, _clock_only=True, select_ns=select_ns)

    def state(
        self, sats, t_gpst_ns, offset_s=0.0, signal=None, _clock_only=False, select_ns=None
    ) -> SatState:
        """Satellite states at ``t_gpst_ns + offset_s`` (GPST).

        Parameters
        ----------
        sats : array_like
            Satellite ids (``"C19"``) or indices; broadcast with the times.
        t_gpst_ns : array_like of int64, or GTime
            Query instants, GPST ns (typically signal transmission times); ``datetime64`` is a
            ``TimeError`` (:func:`kompas.time.from_datetime64` converts it).
        offset_s : array_like of float
            Added to the instants, s (sub-nanosecond parts, light-time iterations).
        signal : str or array_like of str or of int, optional
            Signal (``"2I"``, ``"1C"``..., or uint8 signal ids per row) whose clock is wanted; the group
            delay of that signal is applied (see module docstring). Without it, the broadcast reference
            clock is returned. An array gives one signal per query (``ConfigError`` for another length).
        select_ns : array_like of int64, or GTime, optional
            Instants (GPST ns) at which to select the records instead of the query instants: one
            satellite evaluated at two instants from the same record, e.g. a base epoch tens of seconds
            older than the rover's, so that the records' own errors cancel in a single difference.

        Returns
        -------
        SatState
            With ``age_s``, the age of the record used (module docstring).
        """
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        signal = as_signals(signal, s.size)
        sel = None if select_ns is None else np.broadcast_to(_as_ns(select_ns, "select_ns").ravel(), s.shape)
        check_signals(s, signal)
        out = SatState.empty(s.size)
        sysc = sat_system(s)
        kep_mask = np.isin(sysc, [Constellation.GPS, Constellation.GALILEO, Constellation.BEIDOU,
                                  Constellation.QZSS, Constellation.NAVIC])  # fmt: skip
        if kep_mask.any():
            self._kepler_state(np.flatnonzero(kep_mask), s, t, o, out, signal, _clock_only, sel)
        glo = sysc == Constellation.GLONASS
        if glo.any():
            self._glonass_state(np.flatnonzero(glo), s, t, o, out, signal, _clock_only, sel)
        out.status[sysc == Constellation.SBAS] = Status.UNSUPPORTED
        if signal is not None and (sysc == Constellation.BEIDOU).any():
            self._beidou_cnav_rows(s, t, o, out, signal, sel)
        return out

    def _beidou_cnav_rows(self, s, t, o, out, signal, sel) -> None:
        """BeiDou-3 B1C, B2a and B2b rows that the accepted records (D1/D2 by default) leave without a
        clock (they give no delay of those signals) take the B-CNAV1, B-CNAV2 or B-CNAV3 record, whose
        group delays refer to them (BDS-SIS-ICD-B1C-1.0 7.6, B2a-1.0 7.6, B2b-1.0 7.5): a satellite
        observed on B1C or B2a alone is served, as Galileo E1/E5a takes F/NAV in :meth:`if_clock`."""
        if set(self.messages.get("C", ())) & {"CNV1", "CNV2", "CNV3"}:
            return  # CNAV records are accepted already: nothing more to look for
        rows = np.flatnonzero((sat_system(s) == Constellation.BEIDOU) & (out.status == Status.UNSUPPORTED))
        band = signal_band(_signal_ids(signal, rows)).astype(str)
        for b, msg in (("1", "CNV1"), ("1", "CNV2"), ("5", "CNV2"), ("5", "CNV1"), ("7", "CNV3")):
            r = rows[(band == b) & (out.status[rows] != Status.OK)]
            if not r.size or not np.any(self.kepler.msg == msg):
                continue
            sig = signal if np.ndim(signal) == 0 else np.asarray(signal)[r]
            st = self.with_messages({"C": (msg,)}).state(
                s[r], t[r], o[r], sig, select_ns=None if sel is None else sel[r]
            )
            ok = r[st.status == Status.OK]
            for f in ("pos_m", "vel_mps", "clk_s", "clk_rate", "var_m2", "status", "age_s"):
                getattr(out, f)[ok] = getattr(st, f)[st.status == Status.OK]

    def if_clock(self, sats, t_gpst_ns, pairs: dict | None = None, offset_s=0.0):
        """Satellite clocks of an ionosphere-free signal pair per system, from the right message.

        The clock comes from the message type whose broadcast clock refers to the pair when the data
        have it (Galileo E1/E5a: F/NAV, E1/E5b: I/NAV; OS SIS ICD 5.1.5), else from the accepted
        messages with their group delays: ``g c1 + (1 - g) c2``, g = f1^2 / (f1^2 - f2^2).

        Parameters
        ----------
        sats, t_gpst_ns, offset_s
            As in :meth:`state`.
        pairs : dict, optional
            Signal pair per system letter; default :data:`IF_CLOCK_PAIRS` (the precise products'
            pairs).

        Returns
        -------
        clk_s : numpy.ndarray, shape (N,)
            Clock bias, s (NaN where no valid record).
        status : numpy.ndarray of uint8, shape (N,)
        """
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        pairs = {**IF_CLOCK_PAIRS, **(pairs or {})}
        clk = np.full(s.size, np.nan)
        status = np.full(s.size, Status.NO_EPHEMERIS, dtype=np.uint8)
        letters = _LETTERS[sat_system(s)]
        for letter in np.unique(letters).tolist():
            m = letters == letter
            if letter not in pairs:
                status[m] = Status.UNSUPPORTED
                continue
            s1, s2 = pairs[letter]
            prod = self
            if letter == "E":
                bands = {s1[0], s2[0]}
                want = "FNAV" if bands == {"1", "5"} else "INAV" if bands == {"1", "7"} else None
                if want and np.any((self.kepler.msg == want) & (sat_system(self.kepler.sat) == 3)):
                    prod = self.with_messages({"E": (want,)})
            r = np.flatnonzero(m)
            clk[r], status[r] = _pair_clock(prod, letter, s1, s2, s[r], t[r], o[r])
            if prod is not self:  # a satellite without a valid record of that message: the others'
                r = r[status[r] != Status.OK]
                if r.size:
                    c, st = _pair_clock(self, letter, s1, s2, s[r], t[r], o[r])
                    clk[r], status[r] = (
                        np.where(st == Status.OK, c, clk[r]),
                        np.where(st == Status.OK, st, status[r]),
                    )
        return clk, status

    # ------------------------------------------------------------------------------------------
    def _windows(self, letters, fit_h=None):
        """Per table row: (valid after, valid before, stretched after, stretched before), s.

        The stretched windows are RTKLIB's (never narrower than the valid ones): a query served only by
        them is STALE under the ICD policy.
        """
        n = letters.size
        win = np.empty((4, n))
        for x in np.unique(letters).tolist():
            m = letters == x
            va, vb = self.max_dtoe_s.get(x, 7200.0), self.max_before_toe_s.get(x, 7200.0)
            sa, sb = RTKLIB_WINDOW_S.get(x, (7201.0, 7201.0))
            win[:, m] = np.array([va, vb, max(sa, va), max(sb, vb)])[:, None]
            if self.policy != "rtklib" and fit_h is not None and x in DEFAULT_FIT_H:
                fit = np.asarray(fit_h, dtype=float)[m]
                # below the shortest fit interval the field is the 0/1 flag some writers put there
                half = 1800.0 * np.where(np.isfinite(fit) & (fit >= DEFAULT_FIT_H[x]), fit, DEFAULT_FIT_H[x])
                if x not in self._overrides[0]:
                    win[0, m] = half
                    win[2, m] = np.maximum(win[2, m], half)
                if x not in self._overrides[1]:
                    win[1, m] = half
                    win[3, m] = np.maximum(win[3, m], half)
        return win

    def _select(self, table, rows_ok, ref_ns, q_sat, q_t, win, grade, tx_ns, max_age):
        """Record per query: (row or -1, status, row whose age is reported or -1); module docstring."""
        row, status = self._choose(table, rows_ok, ref_ns, q_sat, q_t, win[0], win[1], grade, tx_ns, max_age)
        age_row = row.copy()
        if self.policy != "rtklib":
            row2, status2 = self._choose(
                table, rows_ok, ref_ns, q_sat, q_t, win[2], win[3], grade, tx_ns, max_age
            )
            stale = (status == Status.OUTSIDE_FIT) & (status2 == Status.OK)
            status[stale] = Status.STALE
            age_row[stale] = row2[stale]
        return row, status, age_row

    def _selected(self, table, rows_ok, ref_ns, tx_ns, query, win, grade, max_age, out):
        """Select a record for each query, write its status and age into ``out``, return the selected.

        Parameters
        ----------
        table : KeplerEph or GlonassEph
            The records (``table.sat``).
        rows_ok : ndarray of bool, shape (R,)
            Usable records.
        grade : ndarray of int, shape (R,)
            Health of each record: ``_HEALTHY``, ``_UNHEALTHY`` or ``_INCONSISTENT`` (unusable, and not
            superseding an older record: a GPS/QZSS data set cutover, IODE not IODC mod 256).
        ref_ns, tx_ns : ndarray of int64, shape (R,)
            Reference time (toe or toc) and transmission time of each record, GPST ns.
        query : tuple of ndarray
            ``(idx, s, t, o, sel)``: the queries of this family (indices into the others), satellite
            indices, instants (GPST ns) and offsets (s) of all queries, and the instants at which to
            select the records (None: the queries' own).
        win : ndarray, shape (4, R)
            Validity windows (:meth:`_windows`), s.
        max_age : float or ndarray
            Largest age per query, s.
        out : SatState
            Receives ``status`` and ``age_s`` (s, from the reference time) of the queries ``idx``.

        Returns
        -------
        qi, r : ndarray of int64
            The queries with a selected record and that record.
        """
        idx, s, t, o, sel = query
        if sel is None:
            t_sel = t[idx] + np.rint(np.nan_to_num(o[idx]) * 1e9).astype(np.int64)  # the offset counts too
        else:
            t_sel = sel[idx]
        row, status, age_row = self._select(table, rows_ok, ref_ns, s[idx], t_sel, win, grade, tx_ns, max_age)
        out.status[idx] = status
        has = age_row >= 0
        out.age_s[idx[has]] = (t[idx[has]] - ref_ns[age_row[has]]) * 1e-9 + o[idx[has]]
        good = row >= 0
        return idx[good], row[good]

    def _choose(self, table, rows_ok, ref_ns, q_sat, q_t, after_s, before_s, grade, tx_ns, max_age):
        """(row, status) with per-row windows ``after_s``/``before_s`` (s) around ``ref_ns``."""
        if self.selection == "transmitted":
            return _transmitted(
                table.sat, rows_ok, ref_ns, q_sat, q_t, after_s, before_s, grade, tx_ns, max_age
            )
        n = q_sat.size
        row = np.full(n, -1, dtype=np.int64)
        status = np.full(n, Status.NO_EPHEMERIS, dtype=np.uint8)
        cand = np.flatnonzero(rows_ok)
        if cand.size == 0 or n == 0:
            return row, status
        status[np.isin(q_sat, table.sat[cand])] = Status.OUTSIDE_FIT

        def pick(c):  # per query, the nearest valid record among the candidates c (-1: none)
            if c.size == 0:
                return np.full(n, -1, dtype=np.int64)
            r = nearest_in_window(table.sat[c], ref_ns[c], after_s[c], before_s[c], q_sat, q_t)
            return np.where(r >= 0, c[np.maximum(r, 0)], -1)

        # the nearest valid record of any grade, of a self-consistent one, of a healthy one; where a grade
        # leaves no record out the search is the same (the usual case: one search)
        current_c = cand[grade[cand] >= _UNHEALTHY]
        healthy_c = current_c[grade[current_c] == _HEALTHY]
        current = pick(current_c)
        valid = current if current_c.size == cand.size else pick(cand)
        healthy = current if healthy_c.size == current_c.size else pick(healthy_c)
        status[valid >= 0] = Status.UNHEALTHY
        ok = (healthy >= 0) & (ref_ns[healthy] == ref_ns[current])  # no nearer record says unhealthy
        row[ok] = healthy[ok]
        status[ok] = Status.OK
        return row, status

    def _kepler_state(self, idx, s, t, o, out, signal, clock_only=False, sel=None):
        k = self.kepler
        if len(k) == 0:
            return
        letters = _LETTERS[sat_system(k.sat)]
        ok = np.zeros(len(k), dtype=bool)
        for letter, msgs in self.messages.items():
            ok |= (letters == letter) & np.isin(k.msg, msgs)
        ok &= np.isfinite(k.sqrt_a_sqrtm) & (k.toe_ns != _NAT)
        # GPS/QZSS LNAV: IODE must equal IODC mod 256 (IS-GPS-200N 20.3.4.4)
        lnav_gq = np.isin(letters, ["G", "J"]) & (k.msg == "LNAV")
        iode_ok = ~lnav_gq | (np.nan_to_num(k.iode, nan=-1) == np.mod(np.nan_to_num(k.iodc, nan=-2), 256))
        healthy = _healthy(letters, k.health, k.msg)
        if self.policy != "rtklib":
            healthy &= ~_galileo_marginal(letters, k.health, k.sv_accuracy_m)
        grade = np.where(iode_ok, np.where(healthy, _HEALTHY, _UNHEALTHY), _INCONSISTENT)
        win = self._windows(letters, k.fit_interval_h)
        q_sys = sat_system(s[idx]) - 1
        q_age = np.array([self.max_age_s.get(x, np.inf) for x in SYSTEM_LETTERS])[q_sys]
        qi, r = self._selected(k, ok, k.toe_ns, k.ttm_ns, (idx, s, t, o, sel), win, grade, q_age, out)
        if qi.size == 0:
            return
        tc = (t[qi] - k.toc_ns[r]) * 1e-9 + o[qi]
        if clock_only:
            out.clk_s[qi] = k.af0_s[r] + tc * (k.af1_sps[r] + tc * np.nan_to_num(k.af2_sps2[r]))
            return
        eph = {f: getattr(k, f)[r] for f in _KEPLER_FIELDS}
        tk = (t[qi] - k.toe_ns[r]) * 1e-9 + o[qi]
        consts = [SYSTEM_CONSTANTS[x] for x in SYSTEM_LETTERS]
        qs = sat_system(s[qi]) - 1
        gm = np.array([c.gm for c in consts])[qs]
        om = np.array([c.omega_e for c in consts])[qs]
        fr = np.array([c.f_rel for c in consts])[qs]
        pos, vel, clk, rate = kepler_state(eph, tk, tc, gm, om, fr, is_bds_geo(s[qi]))
        if signal is not None:
            clk = clk - _kepler_group_delay(k, r, letters[r], signal, qi)
        acc = k.sv_accuracy_m[r]
        out.pos_m[qi], out.vel_mps[qi], out.clk_s[qi], out.clk_rate[qi] = pos, vel, clk, rate
        out.var_m2[qi] = np.where(acc > 0, acc * acc, np.nan)
        bad = ~np.isfinite(clk) | ~np.all(np.isfinite(pos), axis=1)
        out.status[qi[bad]] = Status.UNSUPPORTED

    def _glonass_state(self, idx, s, t, o, out, signal, clock_only=False, sel=None):
        from .glonass import clock as glo_clock
        from .glonass import propagate

        g = self.glonass
        if len(g) == 0:
            return
        ok = np.all(np.isfinite(g.pos_m), axis=1) & np.all(np.isfinite(g.vel_mps), axis=1)
        grade = np.where(np.nan_to_num(g.health, nan=1) == 0, _HEALTHY, _UNHEALTHY)
        win = self._windows(np.full(len(g), "R"))
        age = self.max_age_s.get("R", np.inf)
        qi, r = self._selected(g, ok, g.toc_ns, g.tof_ns, (idx, s, t, o, sel), win, grade, age, out)
        if qi.size == 0:
            return
        dt = (t[qi] - g.toc_ns[r]) * 1e-9 + o[qi]
        if clock_only:
            out.clk_s[qi] = glo_clock(g.minus_tau_n_s[r], g.gamma_n[r], dt)[0]
            return
        acc = np.nan_to_num(g.acc_mps2[r])
        pos, vel = propagate(g.pos_m[r], g.vel_mps[r], acc, dt, max_step_s=self.glonass_step_s)
        clk, rate = glo_clock(g.minus_tau_n_s[r], g.gamma_n[r], dt)
        if signal is not None:
            clk = clk - _glonass_group_delay(g, r, signal, qi)
        out.pos_m[qi], out.vel_mps[qi], out.clk_s[qi], out.clk_rate[qi] = pos, vel, clk, rate


# ----------------------------------------------------------------------------------------------


def _concat(tables):
    tables = [tb for tb in tables if tb is not None]
    if len(tables) == 1:
        return tables[0]
    first = tables[0]
    fields = {f: np.concatenate([getattr(tb, f) for tb in tables]) for f in first.__dataclass_fields__}
    return type(first)(**fields)


def _transmitted(t_sat, rows_ok, ref_ns, q_sat, q_t, after_s, before_s, grade, tx_ns, max_age):
    """(row, status): the latest self-consistent record transmitted at or before each query, if valid and
    healthy (module docstring); UNHEALTHY where it is unhealthy or only inconsistent records are valid."""
    n = q_sat.size
    row = np.full(n, -1, dtype=np.int64)
    status = np.full(n, Status.NO_EPHEMERIS, dtype=np.uint8)
    cand = np.flatnonzero(rows_ok & (tx_ns != _NAT))
    if cand.size == 0 or n == 0:
        return row, status
    status[np.isin(q_sat, t_sat[cand])] = Status.OUTSIDE_FIT

    def latest_within(c):  # per query, the latest record of c transmitted, and whether it is valid
        r = latest(t_sat[c], tx_ns[c], q_sat, q_t)
        rr = c[np.maximum(r, 0)] if c.size else np.zeros(n, np.int64)
        dt = q_t - ref_ns[rr]
        within = (r >= 0) & (dt <= after_s[rr] * 1e9) & (dt >= -before_s[rr] * 1e9)
        return rr, within & ((q_t - tx_ns[rr]) <= np.asarray(max_age, dtype=float) * 1e9)

    current_c = cand[grade[cand] >= _UNHEALTHY]
    if current_c.size < cand.size:  # UNHEALTHY where only an inconsistent record is valid (overridden below)
        status[latest_within(cand)[1]] = Status.UNHEALTHY
    rr, within = latest_within(current_c)
    healthy = grade[rr] == _HEALTHY
    status[within] = np.where(healthy[within], Status.OK, Status.UNHEALTHY)
    ok = within & healthy
    row[ok] = rr[ok]
    return row, status


def _healthy(letters, health, msg):
    """Broadcast health of records (system letters, health words, message types): True where usable.

    GPS/NavIC: health word 0; QZSS LNAV: health word 0 but for its least significant bit, the health of
    L1C/B (IS-QZSS-PNT-005 5.4.1: bits L1C/A-or-L1C/B, L1C/A, L2C, L5, L1C, L1C/B), which satellites
    transmitting L1C/A set (J02, J03 and J07 in 2026); RTKLIB masks the same bit, once LEX's;
    BeiDou: SatH1 0; Galileo: signal health status bits of E1-B, E5a and E5b all 0 (data validity bits
    are not used, as in RTKLIB). A record without a health word is not usable.
    """
    given = np.isfinite(health)
    h = np.where(given, health, 1.0).astype(np.int64)
    h = np.where((letters == "J") & (msg == "LNAV"), h & ~1, h)
    gal = letters == "E"
    hs_bits = (0b11 << 1) | (0b11 << 4) | (0b11 << 7)
    return given & np.where(gal, (h & hs_bits) == 0, h == 0)


def _galileo_marginal(letters, health, sisa_m):
    """Galileo records a user should not rely on under the ICD policy: a data-validity status bit (E1-B,
    E5a or E5b DVS, RINEX health bits 0, 3, 6) set or SISA = NAPA (no accuracy prediction, stored as a
    negative accuracy); "marginal" in the Galileo OS SDD 1.2 sec. 2.3.1."""
    h = np.nan_to_num(health, nan=0.0).astype(np.int64)
    dvs = (1 << 0) | (1 << 3) | (1 << 6)
    return (letters == "E") & (((h & dvs) != 0) | (np.nan_to_num(sisa_m, nan=1.0) < 0))


def _signal_ids(signal, qi):
    """Signal ids (uint8) of the queries ``qi``: ``signal`` is one code, codes per query (``"2I"`` or
    ``"C2I"``) or signal ids per query."""
    sig = np.asarray(signal)
    if sig.ndim == 0:
        return np.full(qi.size, signal_id(str(sig)), dtype=np.int64)
    sig = sig[qi]
    if sig.dtype.kind in "US":
        return np.asarray(signal_id(sig), dtype=np.int64)
    return sig.astype(np.int64)


def _glonass_group_delay(g, r, signal, qi):
    """Delay of the signal's band behind G1, s: ``delta tau_n`` (ICD GLONASS FDMA Ed. 5.1 table 4.5: the
    time difference between the navigation signals transmitted in the L2 and the L1 sub-bands) for G2,
    0 for G1, whose transmission the broadcast ``tau_n`` refers to; 0 where the record does not give it
    (RINEX before 3.05, or "not known")."""
    band = signal_band(_signal_ids(signal, qi)).astype(str)
    return np.where(band == "2", np.nan_to_num(g.delta_tau_s[r]), 0.0)


def _kepler_group_delay(k, r, letters, signal, qi):
    """Group delay to subtract from the broadcast clock for the signal in use, s (see module docstring)."""
    sid = _signal_ids(signal, qi)
    band = signal_band(sid).astype(str)  # band digit as text, compared with "1", "2", ...
    attr = np.asarray([chr(ord("A") + i) for i in range(26)])[sid % 26]
    corr = np.zeros(r.size)
    msg = k.msg[r]

    def f(sys_letter, b):
        return band_frequency(sys_letter, b)

    # GPS / QZSS LNAV: T_GD scaled by gamma = (f1/f)^2 of the band (IS-GPS-200N 20.3.3.3.3.2)
    gq = np.isin(letters, ["G", "J", "I"])
    tgd = np.nan_to_num(k.tgd_s[r])
    for b in ("1", "2", "5"):
        m = gq & (band == b)
        if m.any():
            gamma = (f("G", "1") / f("G", b)) ** 2
            corr[m] = gamma * tgd[m]
    # GPS CNAV inter-signal corrections (IS-GPS-200N 30.3.3.3.1.1): L1C/A and L2C, L5; CNAV-2 adds L1C data
    # (S) and pilot (L) (IS-GPS-800J 3.5.3.9), which CNAV records lack (NaN: T_GD alone, as for L1C D+P, X)
    cnav = gq & np.isin(msg, ["CNAV", "CNV2"])
    isc_of = (("1", "C", "isc_l1ca_s"), ("1", "S", "isc_l1cd_s"), ("1", "L", "isc_l1cp_s"),
              ("2", "SLX", "isc_l2c_s"), ("5", "I", "isc_l5i5_s"), ("5", "QX", "isc_l5q5_s"))  # fmt: skip
    for b, attrs, isc in isc_of:
        m = cnav & (band == b) & np.isin(attr, list(attrs))
        corr[m] = tgd[m] - np.nan_to_num(getattr(k, isc)[r][m])
    # Galileo: I/NAV refers to E1/E5b, F/NAV to E1/E5a (OS SIS ICD 5.1.5)
    gal = letters == "E"
    bgd_b = np.nan_to_num(k.bgd_e5b_e1_s[r])
    bgd_a = np.nan_to_num(k.bgd_e5a_e1_s[r])
    inav = gal & (msg == "INAV")
    fnav = gal & (msg == "FNAV")
    fe1 = f("E", "1")
    g5a, g5b = (fe1 / f("E", "5")) ** 2, (fe1 / f("E", "7")) ** 2
    corr[inav & (band == "1")] = bgd_b[inav & (band == "1")]
    m = inav & (band == "7")
    corr[m] = g5b * bgd_b[m]
    # E5a with an I/NAV clock: E1 clock, then the E1 -> E5a step that BGD(E1,E5a) defines
    m = inav & (band == "5")
    corr[m] = bgd_b[m] + (g5a - 1.0) * bgd_a[m]
    corr[fnav & (band == "1")] = bgd_a[fnav & (band == "1")]
    m = fnav & (band == "5")
    corr[m] = g5a * bgd_a[m]
    m = fnav & (band == "7")
    corr[m] = bgd_a[m] + (g5b - 1.0) * bgd_b[m]
    # BeiDou D1/D2: clock refers to B3I; B1I - TGD1, B2I - TGD2 (BDS-SIS-ICD-B1I-3.0 5.2.4.10). TGD2 is
    # BeiDou-2's B2I delay: BeiDou-3 sends no B2I (its band 7 is B2b, whose delay TGD_B2bI comes with
    # B-CNAV3), and D1/D2 give no delay of B1C or B2a either, so those clocks are unknown (NaN: the
    # satellite is not used on that signal) instead of the B3I clock metres off
    bds = letters == "C"
    d12 = bds & np.isin(msg, ["D1", "D2"])
    corr[d12 & (band == "2")] = np.nan_to_num(k.tgd1_s[r])[d12 & (band == "2")]
    bds2 = bds_generation(k.sat[r]) == 2
    m = d12 & (band == "7") & bds2
    corr[m] = np.nan_to_num(k.tgd2_s[r])[m]
    corr[d12 & ~np.isin(band, ["2", "6"]) & ~((band == "7") & bds2)] = np.nan
    # BeiDou CNAV1/2: B1Cp TGD_B1Cp, B1Cd TGD_B1Cp + ISC_B1Cd, B2ap TGD_B2ap, B2ad TGD_B2ap + ISC_B2ad
    # (BDS-SIS-ICD-B1C-1.0 7.6.2, B2a-1.0 7.6.2: ISC is the data component's delay after the pilot's, the
    # sign RTKLIB-EX's pntpos.c prange() applies; GPS's ISC has the opposite sense); B1I/B3I users of CNAV
    # rows as for D1/D2 is not defined
    cn = bds & np.isin(msg, ["CNV1", "CNV2", "CNV3"])
    tb1 = np.nan_to_num(k.tgd_b1cp_s[r])
    tb2 = np.nan_to_num(k.tgd_b2ap_s[r])
    m = cn & (band == "1")
    corr[m] = np.where(attr[m] == "D", tb1[m] + np.nan_to_num(k.isc_b1cd_s[r])[m], tb1[m])
    m = cn & (band == "5")
    corr[m] = np.where(attr[m] == "D", tb2[m] + np.nan_to_num(k.isc_b2ad_s[r])[m], tb2[m])
    m = cn & (band == "7")
    corr[m] = np.nan_to_num(k.tgd_b2bi_s[r])[m]
    return corr


def _pair_clock(prod, letter, s1, s2, s, t, o):
    """Ionosphere-free clock of the signal pair ``(s1, s2)`` from ``prod``'s records, and its status."""
    c1 = prod.state(s, t, o, signal=s1)
    c2 = prod.state(s, t, o, signal=s2)
    f1, f2 = ratio_band_frequency(letter, s1[0]), ratio_band_frequency(letter, s2[0])
    g = f1 * f1 / (f1 * f1 - f2 * f2)
    ok = (c1.status == Status.OK) & (c2.status == Status.OK)
    clk = np.where(ok, g * c1.clk_s + (1.0 - g) * c2.clk_s, np.nan)
    return clk, np.where(ok, Status.OK, np.maximum(c1.status, c2.status)).astype(np.uint8)
