"""Navigation tables: broadcast ephemerides, system time offsets, EOP and ionosphere parameters.

Declared schemas with no format knowledge: readers (RINEX now, RTCM3 later) produce them and the
products (:mod:`kompas.products.broadcast`) consume them. Times are int64 GPST nanoseconds (``*_ns``);
a time a record does not carry is :data:`NAT_NS` (the int64 minimum, ``NaT`` as ``datetime64[ns]``).
Quantities are SI (m, s, rad); a field a message type does not carry is NaN. Integer-like broadcast
values (IODE, health, flags, indices) stay float64 so that "absent" can be NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dc_fields
from typing import Any

import numpy as np

from ..satsys import GlonassChannels
from ..time import to_datetime64

__all__ = [
    "NAT_NS",
    "NavData",
    "NavHeader",
    "IonoCorr",
    "TimeCorr",
    "LeapSeconds",
    "KeplerEph",
    "GlonassEph",
    "SbasEph",
    "StoTable",
    "EopTable",
    "IonTable",
]

NAT_NS = int(np.iinfo(np.int64).min)
"""int64 marker of a missing instant (``NaT`` when viewed as ``datetime64[ns]``)."""

# ----------------------------------------------------------------------------------------------
# Tables


def _ns_to_dt64(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.int64)
    nat = a == NAT_NS
    out = to_datetime64(np.where(nat, 0, a))
    out[nat] = np.datetime64("NaT")
    return out


def empty_table(cls):
    """A table of ``cls`` with no record, each column of its declared dtype and trailing shape.

    Parameters
    ----------
    cls : type
        One of the struct-of-arrays tables of this module (:class:`KeplerEph`, :class:`GlonassEph`,
        :class:`SbasEph`, :class:`StoTable`, :class:`EopTable`, :class:`IonTable`).
    """
    kw = {}
    for f in dc_fields(cls):
        if f.name == "sat":
            kw[f.name] = np.zeros(0, np.int16)
        elif f.name in ("msg", "system", "kind", "sbas_id", "utc_id", "model"):
            kw[f.name] = np.zeros(0, "<U4")
        elif f.name.endswith("_ns"):
            kw[f.name] = np.zeros(0, np.int64)
        elif f.name in ("pos_m", "vel_mps", "acc_mps2"):
            kw[f.name] = np.zeros((0, 3))
        elif f.name == "coef":
            kw[f.name] = np.zeros((0, 9))
        elif f.name == "week":
            kw[f.name] = np.zeros(0, np.int32)
        elif f.name == "freq_channel":
            kw[f.name] = np.zeros(0, np.int8)
        else:
            kw[f.name] = np.zeros(0)
    return cls(**kw)


class _Table:
    """Shared behaviour of the struct-of-arrays tables (length, repr, pandas export)."""

    def __len__(self) -> int:
        return len(self.sat)  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        n = len(self)
        if not n:
            return f"{type(self).__name__}(0 records)"
        sats = np.unique(self.sat)  # type: ignore[attr-defined]
        return f"{type(self).__name__}({n} records, {len(sats)} satellites)"

    def to_pandas(self):
        """The table as a ``pandas.DataFrame`` (pandas is imported here, not by kompas).

        ``*_ns`` columns become ``datetime64[ns]`` columns on the GPST clock (named without the
        ``_ns`` suffix, ``_gpst`` appended); ``(N, 3)`` columns are split into ``_x, _y, _z``
        (``coef`` into ``coef0..``); ``sat`` is shown as RINEX ids.
        """
        import pandas as pd

        from ..satsys import sat_id

        cols: dict[str, Any] = {}
        for f in dc_fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if f.name == "sat":  # 0 (a frame naming only a system) becomes ""
                cols["sat"] = np.where(v > 0, sat_id(np.where(v > 0, v, 101)), "")
            elif f.name.endswith("_ns"):
                cols[f.name[:-3] + "_gpst"] = _ns_to_dt64(v)
            elif v.ndim == 2:
                names = ("_x", "_y", "_z") if v.shape[1] == 3 else tuple(str(i) for i in range(v.shape[1]))
                for j, suffix in enumerate(names):
                    cols[f.name + suffix] = v[:, j]
            else:
                cols[f.name] = v
        return pd.DataFrame(cols)


@dataclass(frozen=True, repr=False)
class KeplerEph(_Table):
    """Broadcast Keplerian ephemerides of GPS, Galileo, BeiDou, QZSS and NavIC (one row per record).

    Every message type shares the table; ``msg`` says which one, and fields a type does not carry are
    NaN (NaT for times). Angles are radians as RINEX gives them (the semicircles of the ICDs are
    converted by the RINEX writer). Names follow the ICDs / RINEX tables in snake case.

    Attributes
    ----------
    sat : int16
        Satellite index (:func:`kompas.satsys.sat_index`).
    msg : <U4
        ``LNAV``, ``CNAV``, ``CNV2`` (GPS, QZSS); ``INAV``, ``FNAV`` (Galileo); ``D1``, ``D2``,
        ``CNV1``, ``CNV2``, ``CNV3`` (BeiDou); ``LNAV`` (NavIC).
    toc_ns : int64
        Clock reference epoch, GPST ns (the file gives BDT for BeiDou: converted).
    af0_s, af1_sps, af2_sps2 : float64
        Clock bias (s), drift (s/s), drift rate (s/s^2).
    iode : float64
        GPS/QZSS IODE, Galileo IODnav, NavIC IODEC, BeiDou CNAV IODE.
    crs_m, crc_m : float64
        Radius harmonic corrections, m.
    delta_n_radps : float64
        Mean motion difference (CNAV: delta n0), rad/s.
    m0_rad, omega0_rad, i0_rad, omega_rad : float64
        Mean anomaly, longitude of the ascending node at the week epoch, inclination, argument of
        perigee, rad.
    cuc_rad, cus_rad, cic_rad, cis_rad : float64
        Latitude and inclination harmonic corrections, rad.
    e : float64
        Eccentricity.
    sqrt_a_sqrtm : float64
        Square root of the semi-major axis, m^0.5.
    toe_ns : int64
        Ephemeris reference epoch, GPST ns.
    toe_s : float64
        ``toe`` as broadcast: seconds of the system's week (BDT week for BeiDou).
    week : int32
        Week of ``toe``: GPS week for GPS, QZSS, Galileo and NavIC (RINEX aligns them), BDT week for
        BeiDou. For messages without a week field it is derived from ``toc``; a written week that
        puts ``toe`` more than half a week from ``toc`` is corrected by one (module notes).
    omega_dot_radps, idot_radps : float64
        Rates of right ascension and inclination, rad/s.
    codes_l2, l2p_flag : float64
        GPS/QZSS LNAV codes on L2 and L2 P data flag.
    sv_accuracy_m : float64
        GPS/QZSS/BeiDou SV accuracy, Galileo SISA (-1: no accuracy prediction), NavIC URA, m.
    health : float64
        SV health as broadcast (GPS/QZSS health word, Galileo health bits, BeiDou SatH1 or CNAV
        health, CNAV L1/L2/L5 health).
    tgd_s : float64
        GPS/QZSS/NavIC TGD, s.
    iodc : float64
        GPS/QZSS LNAV IODC, BeiDou CNAV IODC.
    ttm_ns : int64
        Transmission time of message, GPST ns (NaT if unknown).
    fit_interval_h : float64
        Fit interval, hours (QZSS flag 0 -> 2.0, flag 1 -> NaN).
    data_sources : float64
        Galileo data source bits.
    bgd_e5a_e1_s, bgd_e5b_e1_s : float64
        Galileo broadcast group delays, s.
    aode, aodc : float64
        BeiDou D1/D2 ages of data.
    tgd1_s, tgd2_s : float64
        BeiDou D1/D2 TGD1 (B1I/B3I) and TGD2 (B2I/B3I), s.
    sat_type : float64
        BeiDou CNAV satellite type (1 GEO, 2 IGSO, 3 MEO); NaN for D1/D2.
    a_dot_mps : float64
        CNAV rate of change of the semi-major axis, m/s.
    delta_n_dot_radps2 : float64
        CNAV rate of change of delta n0, rad/s^2.
    top_ns : int64
        CNAV data predict time t_op, GPST ns.
    wn_op : float64
        GPS/QZSS CNAV week of t_op as written.
    urai_ned0, urai_ned1, urai_ned2, urai_ed : float64
        GPS/QZSS CNAV user range accuracy indices.
    isc_l1ca_s, isc_l2c_s, isc_l5i5_s, isc_l5q5_s, isc_l1cd_s, isc_l1cp_s : float64
        GPS/QZSS CNAV/CNAV-2 inter-signal corrections, s.
    sisai_oe, sisai_ocb, sisai_oc1, sisai_oc2, sismai : float64
        BeiDou CNAV accuracy indices.
    isc_b1cd_s, isc_b2ad_s, tgd_b1cp_s, tgd_b2ap_s, tgd_b2bi_s : float64
        BeiDou CNAV inter-signal corrections and group delays, s.
    integrity_flags : float64
        BeiDou CNAV integrity flags (B1C, B2a+B1C or B2b).
    """

    sat: np.ndarray
    msg: np.ndarray
    toc_ns: np.ndarray
    af0_s: np.ndarray
    af1_sps: np.ndarray
    af2_sps2: np.ndarray
    iode: np.ndarray
    crs_m: np.ndarray
    delta_n_radps: np.ndarray
    m0_rad: np.ndarray
    cuc_rad: np.ndarray
    e: np.ndarray
    cus_rad: np.ndarray
    sqrt_a_sqrtm: np.ndarray
    toe_ns: np.ndarray
    toe_s: np.ndarray
    week: np.ndarray
    cic_rad: np.ndarray
    omega0_rad: np.ndarray
    cis_rad: np.ndarray
    i0_rad: np.ndarray
    crc_m: np.ndarray
    omega_rad: np.ndarray
    omega_dot_radps: np.ndarray
    idot_radps: np.ndarray
    codes_l2: np.ndarray
    l2p_flag: np.ndarray
    sv_accuracy_m: np.ndarray
    health: np.ndarray
    tgd_s: np.ndarray
    iodc: np.ndarray
    ttm_ns: np.ndarray
    fit_interval_h: np.ndarray
    data_sources: np.ndarray
    bgd_e5a_e1_s: np.ndarray
    bgd_e5b_e1_s: np.ndarray
    aode: np.ndarray
    aodc: np.ndarray
    tgd1_s: np.ndarray
    tgd2_s: np.ndarray
    sat_type: np.ndarray
    a_dot_mps: np.ndarray
    delta_n_dot_radps2: np.ndarray
    top_ns: np.ndarray
    wn_op: np.ndarray
    urai_ned0: np.ndarray
    urai_ned1: np.ndarray
    urai_ned2: np.ndarray
    urai_ed: np.ndarray
    isc_l1ca_s: np.ndarray
    isc_l2c_s: np.ndarray
    isc_l5i5_s: np.ndarray
    isc_l5q5_s: np.ndarray
    isc_l1cd_s: np.ndarray
    isc_l1cp_s: np.ndarray
    sisai_oe: np.ndarray
    sisai_ocb: np.ndarray
    sisai_oc1: np.ndarray
    sisai_oc2: np.ndarray
    sismai: np.ndarray
    isc_b1cd_s: np.ndarray
    isc_b2ad_s: np.ndarray
    tgd_b1cp_s: np.ndarray
    tgd_b2ap_s: np.ndarray
    tgd_b2bi_s: np.ndarray
    integrity_flags: np.ndarray


@dataclass(frozen=True, repr=False)
class GlonassEph(_Table):
    """GLONASS FDMA broadcast ephemerides (PZ-90 state vectors), one row per record.

    Attributes
    ----------
    sat : int16
    toc_ns : int64
        Epoch of the ephemeris (t_b), GPST ns; the file gives UTC (RINEX 2, 3 and 4).
    minus_tau_n_s : float64
        The clock term as RINEX stores it: -tau_n, s (so clock correction = -tau_n + gamma_n * dt).
    gamma_n : float64
        Relative frequency bias +gamma_n (s/s).
    tk_s : float64
        Message frame time t_k, seconds of the UTC day.
    tof_ns : int64
        Message frame time as an instant, GPST ns.
    pos_m, vel_mps, acc_mps2 : (N, 3) float64
        PZ-90 position, velocity and luni-solar acceleration (file: km, km/s, km/s^2).
    health : float64
        B_n health (0 = OK).
    freq_channel : int8
        Frequency channel number k.
    age_days : float64
        Age of operational information E_n, days.
    status_flags, delta_tau_s, urai, health_flags : float64
        RINEX 3.05/4 fourth orbit line (NaN when absent): status flags, L1/L2 group delay difference
        (s), URAI (F_T index), health flags.
    """

    sat: np.ndarray
    toc_ns: np.ndarray
    minus_tau_n_s: np.ndarray
    gamma_n: np.ndarray
    tk_s: np.ndarray
    tof_ns: np.ndarray
    pos_m: np.ndarray
    vel_mps: np.ndarray
    acc_mps2: np.ndarray
    health: np.ndarray
    freq_channel: np.ndarray
    age_days: np.ndarray
    status_flags: np.ndarray
    delta_tau_s: np.ndarray
    urai: np.ndarray
    health_flags: np.ndarray


@dataclass(frozen=True, repr=False)
class SbasEph(_Table):
    """SBAS GEO broadcast ephemerides (ECEF state vectors), one row per record.

    Attributes
    ----------
    sat : int16
    toc_ns : int64
        Epoch (t_0), GPST ns.
    af0_s, af1_sps : float64
        a_Gf0 (s) and a_Gf1 (s/s).
    ttm_ns : int64
        Message frame (transmission) time, GPST ns.
    pos_m, vel_mps, acc_mps2 : (N, 3) float64
        Position, velocity, acceleration (file: km, km/s, km/s^2).
    health : float64
    ura : float64
        Accuracy code as written (RINEX: "URA").
    iodn : float64
        Issue of data navigation.
    """

    sat: np.ndarray
    toc_ns: np.ndarray
    af0_s: np.ndarray
    af1_sps: np.ndarray
    ttm_ns: np.ndarray
    pos_m: np.ndarray
    vel_mps: np.ndarray
    acc_mps2: np.ndarray
    health: np.ndarray
    ura: np.ndarray
    iodn: np.ndarray


@dataclass(frozen=True, repr=False)
class StoTable(_Table):
    """RINEX 4 ``> STO`` system time offset frames.

    Attributes
    ----------
    sat : int16
        Transmitting satellite (0 when the frame names only a system, e.g. ``R  ``).
    system : <U1
    msg : <U4
    ref_ns : int64
        Reference epoch of the offset (first line), GPST ns.
    kind : <U4
        Offset type (``GPUT``, ``GAGP``, ``BDUT``, ...).
    sbas_id, utc_id : <U18
        SBAS provider and UTC realisation (``UTC(USNO)``), blank if not given.
    ttm_s : float64
        Transmission time as written (seconds of the system's week).
    a0_s, a1_sps, a2_sps2 : float64
        Offset polynomial: s, s/s, s/s^2.
    """

    sat: np.ndarray
    system: np.ndarray
    msg: np.ndarray
    ref_ns: np.ndarray
    kind: np.ndarray
    sbas_id: np.ndarray
    utc_id: np.ndarray
    ttm_s: np.ndarray
    a0_s: np.ndarray
    a1_sps: np.ndarray
    a2_sps2: np.ndarray


@dataclass(frozen=True, repr=False)
class EopTable(_Table):
    """RINEX 4 ``> EOP`` Earth orientation frames (file units arcsec, arcsec/day, s/day converted).

    Attributes
    ----------
    sat : int16
    system : <U1
    msg : <U4
    ref_ns : int64
        Reference epoch t_EOP, GPST ns.
    xp_rad, dxp_radps, ddxp_radps2, yp_rad, dyp_radps, ddyp_radps2 : float64
        Pole coordinates and their rates, rad, rad/s, rad/s^2.
    ttm_s : float64
        Transmission time as written (seconds of the system's week).
    dut1_s, ddut1_sps, dddut1_sps2 : float64
        UT1 - UTC and its rates, s, s/s, s/s^2.
    """

    sat: np.ndarray
    system: np.ndarray
    msg: np.ndarray
    ref_ns: np.ndarray
    xp_rad: np.ndarray
    dxp_radps: np.ndarray
    ddxp_radps2: np.ndarray
    yp_rad: np.ndarray
    dyp_radps: np.ndarray
    ddyp_radps2: np.ndarray
    ttm_s: np.ndarray
    dut1_s: np.ndarray
    ddut1_sps: np.ndarray
    dddut1_sps2: np.ndarray


@dataclass(frozen=True, repr=False)
class IonTable(_Table):
    """RINEX 4 ``> ION`` ionosphere model frames; coefficients in the units of the file.

    ``model`` and the columns of ``coef`` (N, 9), NaN-padded:

    * ``KLOB`` (GPS, QZSS, BeiDou D1/D2, NavIC; Klobuchar): alpha0..alpha3 (s, s/semicircle, ...),
      beta0..beta3 (s, s/semicircle, ...), region code (QZSS; NaN if blank).
    * ``NEQG`` (Galileo; NeQuick-G): a_i0 (sfu), a_i1 (sfu/deg), a_i2 (sfu/deg^2), disturbance flags.
    * ``BDGIM`` (BeiDou CNAV): alpha1..alpha9 (TECu).

    Attributes
    ----------
    sat : int16
    system : <U1
    msg : <U4
    model : <U5
    ttm_ns : int64
        Transmission time (the frame's epoch), GPST ns.
    coef : (N, 9) float64
    """

    sat: np.ndarray
    system: np.ndarray
    msg: np.ndarray
    model: np.ndarray
    ttm_ns: np.ndarray
    coef: np.ndarray


@dataclass(frozen=True)
class IonoCorr:
    """One ``IONOSPHERIC CORR`` header record (or RINEX 2 ``ION ALPHA``/``ION BETA``).

    ``coef`` holds the four values in the units of the file (Klobuchar alpha: s, s/semicircle,
    s/semicircle^2, s/semicircle^3; beta: s, ...; GAL: a_i0..a_i2 and a blank/zero fourth);
    ``time_mark`` and ``sv`` are the RINEX 3.03+ transmission-time letter and satellite (or ``""``).
    """

    name: str
    coef: np.ndarray
    time_mark: str = ""
    sv: str = ""


@dataclass(frozen=True)
class TimeCorr:
    """One ``TIME SYSTEM CORR`` header record, or RINEX 2 ``DELTA-UTC`` (as ``GPUT``) or ``CORR TO
    SYSTEM TIME`` (as ``GLUT``, ``a0_s = -tau_c``).

    Attributes
    ----------
    name : str
        ``GPUT``, ``GLUT``, ``GAUT``, ``BDUT``, ``GPGA``, ...
    a0_s, a1_sps : float
        Offset (s) and rate (s/s).
    t_ref_s : float
        Reference time, seconds of week as written (NaN if absent).
    week : int
        Reference week as written (its numbering is the writer's; -1 if absent).
    source : str
        Satellite or SBAS provider that broadcast it (RINEX 3), ``""`` if absent.
    utc_id : int
        UTC identifier (RINEX 3), -1 if absent.
    ref_date : tuple or None
        RINEX 2 ``CORR TO SYSTEM TIME`` reference date (year, month, day).
    """

    name: str
    a0_s: float
    a1_sps: float
    t_ref_s: float = float("nan")
    week: int = -1
    source: str = ""
    utc_id: int = -1
    ref_date: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class LeapSeconds:
    """The ``LEAP SECONDS`` header record (future/week/day are -1 when not given)."""

    current: int
    future: int = -1
    week: int = -1
    day: int = -1
    system: str = ""


@dataclass(frozen=True)
class NavHeader:
    """Navigation file header.

    Attributes
    ----------
    version : float
    file_type : str
        ``N`` (RINEX 3/4 and RINEX 2 GPS), ``G`` (RINEX 2 GLONASS), ``H`` (RINEX 2 GEO).
    system : str
        ``M`` (mixed) or a system letter.
    program, run_by, date : str
    comments : tuple of str
    iono_corr : dict
        Name (``GPSA``, ``GPSB``, ``GAL``, ``BDSA``, ``QZSA``, ``IRNA``, ...) -> four coefficients in
        the file's units, from the first record of that name without a time mark (else the first).
    iono_corr_records : tuple of IonoCorr
        Every ionosphere record, with time marks.
    time_corr : dict
        Name -> :class:`TimeCorr` (first record of that name).
    time_corr_records : tuple of TimeCorr
    leap_seconds : LeapSeconds or None
    other : dict
        Any other header label -> tuple of its 60-column contents (``MERGED FILE``, ``DOI``, ...).
    """

    version: float
    file_type: str
    system: str
    program: str = ""
    run_by: str = ""
    date: str = ""
    comments: tuple[str, ...] = ()
    iono_corr: dict[str, np.ndarray] | None = None
    iono_corr_records: tuple[IonoCorr, ...] = ()
    time_corr: dict[str, TimeCorr] | None = None
    time_corr_records: tuple[TimeCorr, ...] = ()
    leap_seconds: LeapSeconds | None = None
    other: dict[str, tuple[str, ...]] | None = None


@dataclass(frozen=True, repr=False)
class NavData:
    """Everything read from one navigation file."""

    header: NavHeader
    kepler: KeplerEph
    glonass: GlonassEph
    sbas: SbasEph
    sto: StoTable
    eop: EopTable
    ion: IonTable
    path: str | None = None

    def record_sats(self) -> np.ndarray:
        """Satellites with orbit records (Keplerian and GLONASS), sorted, each once."""
        return np.unique(np.r_[self.kepler.sat, self.glonass.sat])

    def record_systems(self) -> set[str]:
        """Letters of the systems with orbit records (Keplerian and GLONASS)."""
        from ..satsys import letters_of

        return set(letters_of(self.record_sats()))

    def record_times_ns(self) -> np.ndarray:
        """Reference times (clock epochs) of every orbit record, GPST ns."""
        return np.r_[self.kepler.toc_ns, self.glonass.toc_ns].astype(np.int64)

    def glonass_channels(self) -> GlonassChannels:
        """GLONASS slot -> frequency channel, from the latest record of each slot.

        Raises
        ------
        SignalError
            If a record gives a channel outside -7..+6.
        """
        g = self.glonass
        if not len(g):
            return GlonassChannels()
        order = np.lexsort((g.toc_ns, g.sat))
        sat = g.sat[order]
        last = np.flatnonzero(np.r_[sat[1:] != sat[:-1], True])
        return GlonassChannels.from_nav(sat[last] % 100, g.freq_channel[order][last])

    def __repr__(self) -> str:
        h = self.header
        return (
            f"NavData(RINEX {h.version:g} {h.file_type}/{h.system}: kepler={len(self.kepler)}, "
            f"glonass={len(self.glonass)}, sbas={len(self.sbas)}, sto={len(self.sto)}, "
            f"eop={len(self.eop)}, ion={len(self.ion)})"
        )


def record_times_ns(navs) -> np.ndarray:
    """Reference times of every orbit record of several navigation data sets, GPST ns (empty without any):
    the span a message about the records' coverage names."""
    parts = [n.record_times_ns() for n in navs]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def check_navdata(navs) -> None:
    """Navigation data as the readers give them (ConfigError otherwise: a path, None or an empty list
    failed deep inside with an AttributeError or IndexError)."""
    from ..errors import ConfigError, read_first_hint

    if not navs:
        raise ConfigError("no navigation data given: a NavData (kompas.read_nav(path)) or a list of them")
    bad = [n for n in navs if not isinstance(n, NavData)]
    if bad:
        hint = read_first_hint(bad[0], "read_nav")
        raise ConfigError(f"navigation data must be NavData, not {type(bad[0]).__name__}{hint}")
