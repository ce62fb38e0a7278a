"""Constellations, satellite ids, signals and their carrier frequencies.

Satellites
    RINEX ids such as ``"C19"`` map to compact int16 indices ``100 * system_code + prn``
    (``C19`` -> 419), so an index is both small and readable; :func:`sat_index` and
    :func:`sat_id` convert whole arrays.

Signals
    A RINEX 3/4 observation code is a type letter (``C`` code, ``L`` phase, ``D`` Doppler,
    ``S`` signal strength), a band digit and a tracking attribute: ``"C2I"`` is BeiDou B1I
    code. The band and attribute (``"2I"``) form the *signal*, stored as a uint8
    ``signal_id = 26 * (band - 1) + (attribute - 'A')``; the system comes from the satellite.

GLONASS FDMA
    G1 and G2 frequencies depend on the satellite's channel number k
    (ICD GLONASS FDMA Ed. 5.1 sec. 3.3.1.4): f = 1602 + 0.5625 k MHz and 1246 + 0.4375 k MHz.
    A :class:`GlonassChannels` table (from a RINEX header or from navigation records) must be
    given to get them; a missing channel is an error, never a silent default.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .constants import BDS_GEO_PRNS, C_LIGHT
from .errors import SignalError

__all__ = [
    "Constellation",
    "SYSTEM_LETTERS",
    "sat_index",
    "sat_id",
    "sat_system",
    "sat_prn",
    "is_bds_geo",
    "Signal",
    "SIGNALS",
    "signal_id",
    "signal_code",
    "signal_info",
    "band_frequency",
    "ratio_band_frequency",
    "carrier_frequency",
    "wavelength",
    "nominal_frequency",
    "GlonassChannels",
    "GLO_F1_BASE_HZ",
    "GLO_F1_STEP_HZ",
    "GLO_F2_BASE_HZ",
    "GLO_F2_STEP_HZ",
    "RINEX2_CODE_MAP",
    "rinex2_signal",
    "SYSTEM_NAMES",
    "system_code",
    "system_letter",
    "parse_systems",
    "sat_letter",
    "letters_of",
    "signal_band",
    "BAND_PRIORITY",
    "bds_orbit_class",
    "bds_generation",
]


class Constellation(enum.IntEnum):
    """GNSS constellations; the value is the system code used in satellite indices."""

    GPS = 1
    GLONASS = 2
    GALILEO = 3
    BEIDOU = 4
    QZSS = 5
    SBAS = 6
    NAVIC = 7

    @property
    def letter(self) -> str:
        """The RINEX system letter."""
        return _LETTER_OF[self]

    @classmethod
    def from_letter(cls, letter: str) -> Constellation:
        """The constellation of a RINEX system letter (``"C"`` -> BEIDOU)."""
        try:
            return _FROM_LETTER[letter.upper()]
        except (KeyError, AttributeError):
            raise SignalError(f"unknown system letter {letter!r}; expected one of {SYSTEM_LETTERS}") from None


_LETTER_OF = {
    Constellation.GPS: "G",
    Constellation.GLONASS: "R",
    Constellation.GALILEO: "E",
    Constellation.BEIDOU: "C",
    Constellation.QZSS: "J",
    Constellation.SBAS: "S",
    Constellation.NAVIC: "I",
}
_FROM_LETTER = {v: k for k, v in _LETTER_OF.items()}
SYSTEM_LETTERS = "GRECJSI"
"""RINEX system letters in the order of their codes."""

SYSTEM_NAMES = {
    "G": "GPS",
    "R": "GLONASS",
    "E": "Galileo",
    "C": "BeiDou",
    "J": "QZSS",
    "S": "SBAS",
    "I": "NavIC",
}
"""Display names by system letter."""


def system_code(letters) -> np.ndarray | int:
    """System letters -> :class:`Constellation` values (1..7), vectorised.

    Raises
    ------
    SignalError
        For a letter that is not one of :data:`SYSTEM_LETTERS`.
    """
    arr = np.asarray(letters, dtype="U1")
    flat = np.atleast_1d(np.char.upper(arr)).astype("S1").view(np.uint8)
    code = _CODE_OF_LETTER[np.minimum(flat, 127)]
    if np.any(code == 0):
        bad = np.atleast_1d(arr)[np.flatnonzero(code == 0)[0]]
        raise SignalError(f"unknown system letter {str(bad)!r}; expected one of {SYSTEM_LETTERS}")
    return code.reshape(arr.shape) if arr.ndim else int(code[0])


def system_letter(codes) -> np.ndarray | str:
    """:class:`Constellation` values -> system letters (``" "`` for 0), vectorised."""
    c = np.asarray(codes, dtype=np.int64)
    out = _LETTER_OF_CODE[c]
    return out if c.ndim else str(out)


def parse_systems(text, allowed: str = SYSTEM_LETTERS) -> str:
    """A user's choice of systems (``"C,R"``, ``"rc"``, ``["C", "R"]``) -> letters in kompas order.

    The result is sorted by :data:`SYSTEM_LETTERS` (``"RC"`` and ``"CR"`` both give ``"RC"``), so that
    nothing downstream depends on the order the user typed.

    Raises
    ------
    SignalError
        For an empty choice or a letter outside ``allowed``.
    """
    raw = "".join(text) if not isinstance(text, str) else text
    letters = [c for c in raw.upper() if not (c.isspace() or c in ",;+")]
    bad = sorted({c for c in letters if c not in allowed})
    if bad or not letters:
        raise SignalError(f"systems must be letters of {allowed}, not {text!r}")
    return "".join(c for c in SYSTEM_LETTERS if c in letters)


_CODE_OF_LETTER = np.zeros(128, dtype=np.int16)
for _c, _l in _LETTER_OF.items():
    _CODE_OF_LETTER[ord(_l)] = int(_c)
_LETTER_OF_CODE = np.array([" "] + [_LETTER_OF[Constellation(i)] for i in range(1, 8)])


# ----------------------------------------------------------------------------------------------
# Satellites


def sat_index(ids) -> np.ndarray:
    """Satellite ids (``"C19"``, ``"G05"``, ``"R 7"``) -> int16 indices ``100 * code + prn``.

    Vectorised over any array-like of str. A bare PRN without a letter (``"07"``, RINEX 2
    GPS-only files) is GPS.

    Raises
    ------
    SignalError
        For an unknown system letter or a PRN outside 1..99.
    """
    arr = np.atleast_1d(np.asarray(ids, dtype="U"))
    if arr.size == 0:  # numpy's string functions fail on empty arrays
        return np.zeros(np.shape(ids), dtype=np.int16)
    # fixed 3-character form: letter + two digits, blanks as zero
    s = np.char.replace(np.char.rjust(np.char.strip(arr), 3), " ", "0")
    if s.size and np.char.str_len(s).max() > 3:
        bad = str(s[np.char.str_len(s) > 3][0])
        raise SignalError(f"satellite id {bad!r} is not a letter and a two-digit PRN")
    try:
        b = s.astype("S3").view(np.uint8).reshape(-1, 3)
    except UnicodeEncodeError:
        bad = next(x for x in arr.ravel() if not str(x).isascii())
        raise SignalError(f"satellite id {str(bad)!r} is not ASCII") from None
    letters = b[:, 0].copy()
    letters[letters == ord("0")] = ord("G")
    code = _CODE_OF_LETTER[np.minimum(letters, 127)]
    digits = b[:, 1:].astype(np.int16) - ord("0")
    bad = (code == 0) | np.any((digits < 0) | (digits > 9), axis=1)
    prn = digits[:, 0] * 10 + digits[:, 1]
    bad |= prn == 0
    if np.any(bad):
        raise SignalError(f"invalid satellite id {str(arr.ravel()[np.flatnonzero(bad)[0]])!r}")
    out = (code * 100 + prn).astype(np.int16)
    return out.reshape(np.shape(ids)) if np.ndim(ids) else out[0]


def sat_id(index) -> np.ndarray:
    """int indices -> satellite ids (``419`` -> ``"C19"``), vectorised."""
    kind = np.asarray(index).dtype.kind
    if kind not in "iu" and np.size(index):
        raise SignalError(f"sat_id takes satellite indices (integers), not {np.asarray(index).dtype}"
                          + (" (ids to indices: sat_index)" if kind in "US" else ""))  # fmt: skip
    idx = np.asarray(index, dtype=np.int64)
    if idx.size == 0:
        return np.zeros(idx.shape, dtype="U3")
    code, prn = np.divmod(np.atleast_1d(idx), 100)
    if np.any((code < 1) | (code > 7) | (prn < 1)):
        raise SignalError(f"invalid satellite index in {idx.ravel()[:5]}")
    out = np.char.add(_LETTER_OF_CODE[code], np.char.zfill(prn.astype("U2"), 2))
    return out.reshape(idx.shape) if idx.ndim else str(out[0])


def sat_system(index) -> np.ndarray:
    """System code (:class:`Constellation` value) of satellite indices."""
    return np.asarray(index, dtype=np.int16) // 100


def sat_prn(index) -> np.ndarray:
    """PRN / slot number of satellite indices."""
    return np.asarray(index, dtype=np.int16) % 100


def sat_letter(index) -> np.ndarray:
    """System letter of satellite indices (vectorised)."""
    return _LETTER_OF_CODE[np.asarray(index, dtype=np.int64) // 100]


def letters_of(index) -> str:
    """The system letters of satellite indices, each once, in alphabetical order (``"CEG"``, ``""``)."""
    return "".join(sorted(set(sat_letter(np.asarray(index).ravel()).tolist())))


def is_bds_geo(index) -> np.ndarray:
    """True for BeiDou GEO satellites (C01-C05, C59-C63), which use the GEO orbit algorithm."""
    idx = np.asarray(index, dtype=np.int16)
    return (idx // 100 == Constellation.BEIDOU) & np.isin(idx % 100, list(BDS_GEO_PRNS))


# BeiDou orbit types and generations by PRN (BDS-SIS-ICD-B1I-3.0 sec. 3.1; CSNO constellation status):
# GEO C01-C05 and C59-C63; IGSO C06-C10, C13, C16 (BDS-2) and C38-C40 (BDS-3), C31/C56 (BDS-3 test IGSO);
# BDS-2 MEO C11, C12, C14; BDS-3 MEO C19-C30, C32-C37, C41-C46, C57/C58 (test). BDS-2 is C01-C18.
_BDS_IGSO = frozenset({6, 7, 8, 9, 10, 13, 16, 31, 38, 39, 40, 56})
_BDS_ORBIT = np.array(["MEO"] * 100, dtype="U4")
_BDS_ORBIT[sorted(BDS_GEO_PRNS)] = "GEO"
_BDS_ORBIT[sorted(_BDS_IGSO)] = "IGSO"
_BDS_ORBIT[0] = ""


def bds_orbit_class(index) -> np.ndarray:
    """``"GEO"``, ``"IGSO"`` or ``"MEO"`` for BeiDou satellite indices, ``""`` for other systems."""
    idx = np.asarray(index, dtype=np.int64)
    return np.where(idx // 100 == Constellation.BEIDOU, _BDS_ORBIT[idx % 100], "")


def bds_generation(index) -> np.ndarray:
    """2 for BDS-2 (C01-C18), 3 for BDS-3 (C19 and later), 0 for other systems (int8)."""
    idx = np.asarray(index, dtype=np.int64)
    gen = np.where(idx % 100 <= 18, 2, 3)
    return np.where(idx // 100 == Constellation.BEIDOU, gen, 0).astype(np.int8)


# ----------------------------------------------------------------------------------------------
# Signals


# Carrier frequencies by (system letter, band digit), Hz. FDMA GLONASS bands are None here.
_MHZ = 1e6
_BAND_FREQ: dict[tuple[str, str], float | None] = {
    # GPS, IS-GPS-200N sec. 3.3.1.1 and IS-GPS-705 sec. 3.3.1.1
    ("G", "1"): 1575.42 * _MHZ, ("G", "2"): 1227.60 * _MHZ, ("G", "5"): 1176.45 * _MHZ,
    # GLONASS: FDMA G1/G2 (ICD FDMA Ed. 5.1 sec. 3.3.1.4), CDMA L3OC 1202.025 MHz (ICD L3 CDMA 2016),
    # L1OC 1600.995 MHz and L2OC 1248.06 MHz (ICD L1/L2 CDMA 2016; RINEX 3.05 Table 5 bands 4 and 6)
    ("R", "1"): None, ("R", "2"): None, ("R", "3"): 1202.025 * _MHZ,
    ("R", "4"): 1600.995 * _MHZ, ("R", "6"): 1248.06 * _MHZ,
    # Galileo OS SIS ICD 2.0 Table 2 and E6 (HAS ICD)
    ("E", "1"): 1575.42 * _MHZ, ("E", "5"): 1176.45 * _MHZ, ("E", "7"): 1207.14 * _MHZ,
    ("E", "8"): 1191.795 * _MHZ, ("E", "6"): 1278.75 * _MHZ,
    # BeiDou: B1I 1561.098 (ICD B1I 3.0 sec. 4.2.1), B1C 1575.42 (ICD B1C 1.0), B2a 1176.45 (ICD B2a 1.0),
    # B2I/B2b 1207.14 (ICD B2b 1.0), B2a+b 1191.795, B3I 1268.52 (ICD B3I 1.0 sec. 4.2.1)
    ("C", "2"): 1561.098 * _MHZ, ("C", "1"): 1575.42 * _MHZ, ("C", "5"): 1176.45 * _MHZ,
    ("C", "7"): 1207.14 * _MHZ, ("C", "8"): 1191.795 * _MHZ, ("C", "6"): 1268.52 * _MHZ,
    # QZSS, IS-QZSS-PNT-005 sec. 3.1 and IS-QZSS-L6
    ("J", "1"): 1575.42 * _MHZ, ("J", "2"): 1227.60 * _MHZ, ("J", "5"): 1176.45 * _MHZ,
    ("J", "6"): 1278.75 * _MHZ,
    # SBAS, RTCA DO-229 / DO-253 (L1, L5)
    ("S", "1"): 1575.42 * _MHZ, ("S", "5"): 1176.45 * _MHZ,
    # NavIC: L5 1176.45, S 2492.028 (IRNSS SPS ICD 1.1 sec. 3.1), L1 1575.42 (NavIC L1 SPS ICD 2023)
    ("I", "5"): 1176.45 * _MHZ, ("I", "9"): 2492.028 * _MHZ, ("I", "1"): 1575.42 * _MHZ,
}  # fmt: skip

# Tracking attributes per (system, band) from RINEX 3.05 Table 5 and RINEX 4.02 Table 6.
_ATTRIBUTES: dict[tuple[str, str], str] = {
    ("G", "1"): "CSLXPWYMNR", ("G", "2"): "CDSLXPWYMNR", ("G", "5"): "IQX",
    ("R", "1"): "CP", ("R", "2"): "CP", ("R", "3"): "IQX", ("R", "4"): "ABX", ("R", "6"): "ABX",
    ("E", "1"): "ABCXZ", ("E", "5"): "IQX", ("E", "7"): "IQX", ("E", "8"): "IQX", ("E", "6"): "ABCXZ",
    ("C", "2"): "IQX", ("C", "1"): "DPXASN", ("C", "5"): "DPX", ("C", "7"): "IQXDPZ",
    ("C", "8"): "DPX", ("C", "6"): "IQXDPZA",
    ("J", "1"): "CSLXZEB", ("J", "2"): "SLX", ("J", "5"): "IQXDPZ", ("J", "6"): "SLXEZ",
    ("S", "1"): "C", ("S", "5"): "IQX",
    ("I", "5"): "ABCX", ("I", "9"): "ABCX", ("I", "1"): "DPX",
}  # fmt: skip

# Human names of the bands (for `kompas info` and plots).
_BAND_NAME = {
    ("G", "1"): "L1", ("G", "2"): "L2", ("G", "5"): "L5",
    ("R", "1"): "G1", ("R", "2"): "G2", ("R", "3"): "G3", ("R", "4"): "G1a", ("R", "6"): "G2a",
    ("E", "1"): "E1", ("E", "5"): "E5a", ("E", "7"): "E5b", ("E", "8"): "E5", ("E", "6"): "E6",
    ("C", "2"): "B1I", ("C", "1"): "B1C", ("C", "5"): "B2a", ("C", "7"): "B2I/B2b",
    ("C", "8"): "B2a+b", ("C", "6"): "B3I",
    ("J", "1"): "L1", ("J", "2"): "L2", ("J", "5"): "L5", ("J", "6"): "L6",
    ("S", "1"): "L1", ("S", "5"): "L5",
    ("I", "5"): "L5", ("I", "9"): "S", ("I", "1"): "L1",
}  # fmt: skip

# GLONASS FDMA, ICD GLONASS FDMA Ed. 5.1 sec. 3.3.1.4
GLO_F1_BASE_HZ = 1602.0e6
GLO_F1_STEP_HZ = 0.5625e6
GLO_F2_BASE_HZ = 1246.0e6
GLO_F2_STEP_HZ = 0.4375e6
_GLO_K_MIN, _GLO_K_MAX = -7, 6


@dataclass(frozen=True)
class Signal:
    """One signal of one system.

    Attributes
    ----------
    system : str
        RINEX system letter.
    code : str
        Band digit and attribute, e.g. ``"2I"``.
    band_name : str
        e.g. ``"B1I"``, ``"G1"``.
    frequency_hz : float or None
        Carrier frequency; ``None`` for GLONASS FDMA bands (depends on the channel).
    """

    system: str
    code: str
    band_name: str
    frequency_hz: float | None

    @property
    def id(self) -> int:
        """The uint8 signal id (see module docstring)."""
        return signal_id(self.code)

    @property
    def fdma(self) -> bool:
        return self.frequency_hz is None


SIGNALS: dict[tuple[str, str], Signal] = {
    (sys_, band + att): Signal(sys_, band + att, _BAND_NAME[(sys_, band)], _BAND_FREQ[(sys_, band)])
    for (sys_, band), atts in _ATTRIBUTES.items()
    for att in atts
}
"""Every known signal, keyed by ``(system letter, band+attribute)``, e.g. ``("C", "2I")``."""


def signal_id(code) -> np.ndarray | int:
    """Signal codes (``"2I"`` or full observation codes ``"C2I"``) -> uint8 ids, vectorised."""
    arr = np.asarray(code, dtype="U")
    if arr.size == 0:  # numpy's string functions fail on empty arrays
        return np.zeros(arr.shape, dtype=np.uint8)
    s = np.char.strip(arr)
    s = np.where(np.char.str_len(s) == 3, np.char.lstrip(s, "CLDSX"), s)
    s = np.char.ljust(s, 2)
    b = np.atleast_1d(s).astype("S2").view(np.uint8).reshape(-1, 2)
    band = b[:, 0].astype(np.int16) - ord("0")
    att = b[:, 1].astype(np.int16) - ord("A")
    bad = (band < 1) | (band > 9) | (att < 0) | (att > 25)
    if np.any(bad):
        raise SignalError(f"invalid signal code {str(np.atleast_1d(arr)[np.flatnonzero(bad)[0]])!r}")
    out = (26 * (band - 1) + att).astype(np.uint8)
    return out.reshape(arr.shape) if arr.ndim else int(out[0])


def check_signals(sats, signal) -> None:
    """Signal codes given as text (``"1C"``, ``"C1C"``) must exist in their satellite's system (RINEX
    3.05/4.02), else SignalError: an unknown one ("9Z", BeiDou "1C") had no group delay and was served as
    the reference signal's clock. Integer signal ids pass (the observables hold only known signals)."""
    if signal is None:
        return
    codes = np.asarray(signal)
    if codes.dtype.kind not in "US":
        return
    codes = np.broadcast_to(np.char.lstrip(codes.astype("U3"), "CLDS"), np.shape(sats))
    pairs = set(zip(sat_letter(sats).ravel().tolist(), codes.ravel().tolist(), strict=True))
    bad = sorted(p for p in pairs if p not in SIGNALS)
    if bad:
        raise SignalError(f"system {bad[0][0]} has no signal {bad[0][1]!r} (RINEX 3.05/4.02)")


def signal_code(sid) -> np.ndarray | str:
    """uint8 signal ids -> ``"2I"``-style codes, vectorised; ``""`` for an id that names no code (the
    observables' empty cell, 255)."""
    a = np.asarray(sid, dtype=np.int64)
    band, att = np.divmod(a, 26)
    chars = np.stack([(band + 1 + ord("0")), att + ord("A")], axis=-1).astype(np.uint8)
    out = chars.reshape(-1).view("S2").astype("U2").reshape(a.shape)
    out = np.where((a >= 0) & (a < 9 * 26), out, "")  # bands 1..9, attributes A..Z
    return out if a.ndim else str(out[()])


def signal_band(sid) -> np.ndarray | int:
    """Band digit (1..9) of uint8 signal ids, vectorised (``"2I"`` -> 2)."""
    a = np.asarray(sid, dtype=np.int64)
    out = a // 26 + 1
    return out if a.ndim else int(out)


BAND_PRIORITY: dict[tuple[str, str], str] = {
    # GPS: C/A, then P(Y) (the broadcast clock's reference, IS-GPS-200N 20.3.3.3.3.2), then L1C; L2 P(Y)
    # before L2C; L5 pilot, data, both
    ("G", "1"): "CWPYSLXMNR", ("G", "2"): "WPYLSXCDMNR", ("G", "5"): "QXI",
    # GLONASS: C/A before P (FDMA); L1OC/L2OC/L3OC pilot-first as written in RINEX 4.02 Table 6
    ("R", "1"): "CP", ("R", "2"): "CP", ("R", "3"): "IQX", ("R", "4"): "ABX", ("R", "6"): "ABX",
    # Galileo: E1-C (pilot), E1-B+C, E1-B; E5a/E5b/E5 pilot, both, data; E6
    ("E", "1"): "CXBAZ", ("E", "5"): "QXI", ("E", "7"): "QXI", ("E", "8"): "QXI", ("E", "6"): "CXBAZ",
    # BeiDou: B1I (I, I+Q, Q); B1C (pilot, both, data); B2a (pilot, both, data); B2I (BDS-2) and B2b
    # (BDS-3) share band 7; B3I; B2a+b
    ("C", "2"): "IXQ", ("C", "1"): "PXDASN", ("C", "5"): "PXD", ("C", "7"): "IXQDPZ",
    ("C", "6"): "IXQDPZA", ("C", "8"): "PXD",
    ("J", "1"): "CXSLZEB", ("J", "2"): "LXS", ("J", "5"): "QXIDPZ", ("J", "6"): "SLXEZ",
    ("S", "1"): "C", ("S", "5"): "IQX",
    ("I", "5"): "ABCX", ("I", "9"): "ABCX", ("I", "1"): "PDX",
}  # fmt: skip
"""Default choice among the tracking modes of one band (RINEX 3.05 Table 5, RINEX 4.02 Table 6):
the first attribute present wins. Every attribute RINEX defines for the band is listed, so no code of a
band is ever ignored; users reorder or restrict it per system (``--signals C:2I,2X``)."""


def signal_info(system: str, code: str) -> Signal:
    """The :class:`Signal` of a system letter and a code (``"C2I"`` or ``"2I"``).

    Raises
    ------
    SignalError
        If the system has no such band or attribute in RINEX 3.05/4.02.
    """
    c = code.strip()
    if len(c) == 3:
        c = c[1:]
    try:
        return SIGNALS[(system.upper(), c)]
    except KeyError:
        raise SignalError(f"system {system!r} has no RINEX signal {code!r}") from None


def ratio_band_frequency(system: str, band: str | int) -> float:
    """Carrier frequency of a band for frequency *ratios* (ionosphere-free coefficients), Hz: GLONASS FDMA
    G1 and G2 at channel 0, since G1/G2 = 9/7 on every channel (ICD GLONASS FDMA Ed. 5.1 3.3.1.4); any
    other band as :func:`band_frequency`."""
    channel = 0 if system.upper() == "R" and str(band) in ("1", "2") else None
    return band_frequency(system, band, channel)


def band_frequency(system: str, band: str | int, channel: int | None = None) -> float:
    """Carrier frequency of a band in Hz.

    Parameters
    ----------
    system : str
        RINEX letter.
    band : str or int
        Band digit (``"2"`` for BDS B1I).
    channel : int, optional
        GLONASS FDMA channel number k (-7..+6), required for GLONASS bands 1 and 2.
    """
    key = (system.upper(), str(band))
    if key not in _BAND_FREQ:
        raise SignalError(f"system {system!r} has no band {band!r}")
    f = _BAND_FREQ[key]
    if f is not None:
        return f
    if channel is None:
        raise SignalError(f"GLONASS FDMA band {band} needs the satellite's frequency channel number")
    if not _GLO_K_MIN <= int(channel) <= _GLO_K_MAX:
        raise SignalError(f"GLONASS channel {channel} outside {_GLO_K_MIN}..{_GLO_K_MAX}")
    if str(band) == "1":
        return GLO_F1_BASE_HZ + GLO_F1_STEP_HZ * int(channel)
    return GLO_F2_BASE_HZ + GLO_F2_STEP_HZ * int(channel)


# Dense lookup tables: frequency by [system code, band digit]; NaN where undefined, 0 for FDMA.
_FREQ_TABLE = np.full((8, 10), np.nan)
for (_s, _b), _f in _BAND_FREQ.items():
    _FREQ_TABLE[int(Constellation.from_letter(_s)), int(_b)] = 0.0 if _f is None else _f


def carrier_frequency(sats, signals, glo_channels: GlonassChannels | None = None) -> np.ndarray:
    """Carrier frequency in Hz for arrays of satellites and signals (vectorised).

    Parameters
    ----------
    sats : array_like
        Satellite indices (int) or ids (str).
    signals : array_like
        Signal ids (uint8) or codes (``"2I"``, ``"C2I"``); broadcast against ``sats``.
    glo_channels : GlonassChannels, optional
        Needed when any GLONASS FDMA signal is asked for.

    Raises
    ------
    SignalError
        For an undefined band of the system, or an FDMA GLONASS signal whose satellite has no
        known channel.
    """
    sats = np.asarray(sats)
    if sats.dtype.kind in "US":
        sats = np.asarray(sat_index(sats))  # a scalar id gives a scalar index
    sig = np.asarray(signals)
    if sig.dtype.kind in "US":
        sig = np.asarray(signal_id(sig))
    try:
        sats, sig = np.broadcast_arrays(sats.astype(np.int64), sig.astype(np.int64))
    except ValueError:
        raise SignalError(
            f"{sats.shape[0] if sats.ndim else 1} satellites and {sig.size} signals: give one signal, one "
            "per satellite, or arrays that broadcast"
        ) from None
    code = sats // 100
    band = sig // 26 + 1
    if np.any((code < 1) | (code > 7)):
        raise SignalError("invalid satellite index")
    f = np.asarray(_FREQ_TABLE[code, band], dtype=np.float64)  # a (0-d) array also for scalar queries
    if np.any(np.isnan(f)):
        i = np.flatnonzero(np.isnan(f))[0]
        raise SignalError(f"satellite {sat_id(sats.flat[i])} has no band {band.flat[i]}")
    fdma = f == 0.0
    if np.any(fdma):
        if glo_channels is None:
            raise SignalError("GLONASS FDMA frequency requested without a GLONASS channel table")
        if isinstance(glo_channels, Mapping):
            glo_channels = GlonassChannels(glo_channels)
        if not isinstance(glo_channels, GlonassChannels):
            raise SignalError(
                f"glo_channels must be GlonassChannels or a {{slot: channel}} mapping, not "
                f"{type(glo_channels).__name__} (NavData.glonass_channels() gives one)"
            )
        k = glo_channels.channel(sats[fdma] % 100)
        g1 = band[fdma] == 1
        f[fdma] = np.where(g1, GLO_F1_BASE_HZ + GLO_F1_STEP_HZ * k, GLO_F2_BASE_HZ + GLO_F2_STEP_HZ * k)
    return f[()] if f.ndim == 0 else f


def nominal_frequency(system_codes, bands) -> np.ndarray:
    """Carrier frequency by system code and band digit, vectorised; GLONASS FDMA bands at channel 0.

    For quantities where the channel does not matter (ionosphere scaling to 0.04 %, ionosphere-free
    coefficients: f1/f2 = 9/7 on every channel). NaN where the system has no such band.
    """
    tab = _FREQ_TABLE.copy()
    tab[int(Constellation.GLONASS), 1] = GLO_F1_BASE_HZ
    tab[int(Constellation.GLONASS), 2] = GLO_F2_BASE_HZ
    return tab[np.asarray(system_codes, dtype=np.int64), np.asarray(bands, dtype=np.int64)]


def wavelength(sats, signals, glo_channels: GlonassChannels | None = None) -> np.ndarray:
    """Carrier wavelength in metres; see :func:`carrier_frequency`."""
    return C_LIGHT / carrier_frequency(sats, signals, glo_channels)


# ----------------------------------------------------------------------------------------------
# GLONASS channels


def _whole(value) -> int:
    """An integer given as a number or as digits -> int; ValueError for a fraction (1.5 was read as 1)."""
    n = int(value)
    if not isinstance(value, str) and n != value:
        raise ValueError(value)
    return n


class GlonassChannels:
    """GLONASS slot -> FDMA frequency channel number k.

    Build it from a RINEX 3 observation header (``GLONASS SLOT / FRQ #`` records) with
    :meth:`from_rinex_header`, from navigation records with :meth:`from_nav`, or from a
    mapping ``{slot: k}`` of whole numbers (slots also as ``"R01"``); a fraction is a ``SignalError``.
    """

    __slots__ = ("_k",)

    def __init__(self, mapping: Mapping[int, int] | None = None):
        k = np.full(100, np.iinfo(np.int8).min, dtype=np.int16)
        if mapping is not None and not isinstance(mapping, Mapping):
            raise SignalError(
                f"GLONASS channels need a {{slot: channel}} mapping, not {type(mapping).__name__}"
            )
        for slot, ch in (mapping or {}).items():
            if isinstance(slot, str) and slot[:1].upper() == "R":
                slot = slot[1:]  # "R01" names slot 1
            try:
                slot, ch = _whole(slot), _whole(ch)
            except (TypeError, ValueError, OverflowError):
                raise SignalError(f"GLONASS slot {slot!r} / channel {ch!r} must be whole numbers") from None
            if not 1 <= slot <= 99:
                raise SignalError(f"GLONASS slot {slot} outside 1..99")
            if not _GLO_K_MIN <= ch <= _GLO_K_MAX:
                raise SignalError(f"GLONASS channel {ch} for slot R{slot:02d} outside -7..+6")
            k[slot] = ch
        self._k = k

    @classmethod
    def from_rinex_header(cls, lines: Iterable[str]) -> GlonassChannels:
        """Parse the ``GLONASS SLOT / FRQ #`` records of a RINEX 3/4 header.

        Parameters
        ----------
        lines : iterable of str
            Header lines; lines with other labels are ignored.

        Raises
        ------
        SignalError
            On a malformed record.
        """
        mapping: dict[int, int] = {}
        for line in lines:
            if line[60:].strip() != "GLONASS SLOT / FRQ #":
                continue
            body = line[4:60]
            for j in range(0, 56, 7):
                item = body[j : j + 7]
                if not item.strip():
                    continue
                sat, ch = item[:4].strip(), item[4:].strip()
                try:
                    if not sat.startswith("R"):
                        raise ValueError
                    mapping[int(sat[1:])] = int(ch)
                except ValueError:
                    raise SignalError(f"malformed GLONASS SLOT / FRQ # item {item!r}") from None
        return cls(mapping)

    @classmethod
    def from_nav(cls, slots, channels) -> GlonassChannels:
        """Build from navigation records' slot numbers and frequency numbers (arrays)."""
        return cls(dict(zip(np.asarray(slots).tolist(), np.asarray(channels).tolist(), strict=True)))

    @classmethod
    def merge(cls, *tables) -> GlonassChannels:
        """The union of channel tables (None entries skipped); a slot in several takes the last one's."""
        merged: dict[int, int] = {}
        for table in tables:
            if table is not None:
                merged.update(table.as_dict())
        return cls(merged)

    def known(self, slots) -> np.ndarray:
        """True for the slot numbers with a known channel (vectorised; slots outside 1..99 are unknown)."""
        s = np.asarray(slots, dtype=np.int64)
        inside = (s >= 1) & (s <= 99)
        return inside & (self._k[np.where(inside, s, 0)] != np.iinfo(np.int8).min)

    def unknown(self, sats) -> np.ndarray:
        """True for the GLONASS satellites (satellite indices) whose slot has no known channel: they have
        no known carrier frequency (vectorised; other systems False)."""
        s = np.asarray(sats, dtype=np.int64)
        return (sat_system(s) == system_code("R")) & ~self.known(sat_prn(s))

    def channel(self, slots) -> np.ndarray:
        """Channel numbers k for slot numbers (vectorised).

        Raises
        ------
        SignalError
            If any slot has no known channel.
        """
        s = np.asarray(slots, dtype=np.int64)
        if np.any((s < 1) | (s > 99)):
            raise SignalError("GLONASS slot outside 1..99")
        k = self._k[s]
        missing = k == np.iinfo(np.int8).min
        if np.any(missing):
            raise SignalError(
                f"no frequency channel known for GLONASS slot(s) {sorted(set(s[missing].tolist()))}"
            )
        return k.astype(np.int64)

    def as_dict(self) -> dict[int, int]:
        """``{slot: k}`` for every known slot."""
        have = np.flatnonzero(self._k != np.iinfo(np.int8).min)
        return {int(s): int(self._k[s]) for s in have}

    def __contains__(self, slot) -> bool:
        return 1 <= int(slot) <= 99 and self._k[int(slot)] != np.iinfo(np.int8).min

    def __len__(self) -> int:
        return int(np.count_nonzero(self._k != np.iinfo(np.int8).min))

    def __eq__(self, other) -> bool:
        return isinstance(other, GlonassChannels) and np.array_equal(self._k, other._k)

    def __repr__(self) -> str:
        return f"GlonassChannels({self.as_dict()})"


# ----------------------------------------------------------------------------------------------
# RINEX 2 observation codes -> RINEX 3 (kind, band+attribute), per system.
# RINEX 2.11 sec. 5.1 and Table A1; the attribute follows what the RINEX 2 code tracked:
# C1 is C/A (1C), P1/P2 and the L2 phase of GPS are P(Y) tracked semi-codelessly (1W/2W), C2 is
# L2C (2X); GLONASS P codes are 1P/2P; Galileo RINEX 2.11 codes carry no attribute (X).
def _rinex2_map() -> dict[str, dict[str, tuple[str, str]]]:
    m: dict[str, dict[str, tuple[str, str]]] = {}
    gps = {
        "C1": "1C",
        "P1": "1W",
        "L1": "1C",
        "D1": "1C",
        "S1": "1C",
        "C2": "2X",
        "P2": "2W",
        "L2": "2W",
        "D2": "2W",
        "S2": "2W",
        "C5": "5X",
        "L5": "5X",
        "D5": "5X",
        "S5": "5X",
    }
    glo = {
        "C1": "1C",
        "P1": "1P",
        "L1": "1C",
        "D1": "1C",
        "S1": "1C",
        "C2": "2C",
        "P2": "2P",
        "L2": "2P",
        "D2": "2P",
        "S2": "2P",
    }
    gal = {f"{k}{b}": f"{b}X" for k in "CLDS" for b in "15678"}
    sbas = {"C1": "1C", "L1": "1C", "D1": "1C", "S1": "1C", "C5": "5X", "L5": "5X", "D5": "5X", "S5": "5X"}
    # BeiDou (RINEX 2.12 draft, as RTKLIB's convbin writes it): bands 2, 7, 6 are B1I, B2I, B3I with the
    # RINEX 3.03 band numbers; the I components are what BDS-2-era receivers track. Band 1 is left out:
    # writers used it both for B1I (the numbering before RINEX 3.03) and for B1C.
    bds = {f"{k}{b}": f"{b}I" for k in "CLDS" for b in "276"}
    for sys_, table in (("G", gps), ("R", glo), ("E", gal), ("S", sbas), ("J", gps), ("C", bds)):
        m[sys_] = {code: ("C" if code[0] == "P" else code[0], sig) for code, sig in table.items()}
    return m


RINEX2_CODE_MAP = _rinex2_map()
"""RINEX 2 code -> (observation kind, RINEX 3 signal) per system letter."""

# the code whose tracking mode a RINEX 2 phase, Doppler and signal strength share by default, and the
# other code of the band that takes its place when the file lacks the first (RINEX 2.11 names no mode)
_RINEX2_PHASE_PARTNER = {"1": ("C1", "P1"), "2": ("P2", "C2")}


def rinex2_signal(system: str, code: str, codes=()) -> tuple[str, str] | None:
    """(kind, RINEX 3 signal) of a RINEX 2 observation code in a file whose header lists ``codes``.

    :data:`RINEX2_CODE_MAP`, except for the phase, Doppler and signal strength of GPS, GLONASS and QZSS
    bands 1 and 2: they belong to C1 and P2 by default, and to the band's other code when the file has
    that one alone -- ``L1 L2 P1 P2`` (no C1) puts L1 with P1 (1W, GLONASS 1P), ``L1 L2 C1 C2`` (no P2)
    puts L2 with C2 (2X, GLONASS 2C). Otherwise the phase would sit in a mode without a code, and the
    choice of one mode per band (:mod:`kompas.tables.observables`) would never use it. None for a code
    RINEX 2 does not define for the system.
    """
    m = RINEX2_CODE_MAP.get(system, {}).get(code)
    pair = _RINEX2_PHASE_PARTNER.get(code[1:2])
    if m is None or code[0] not in "LDS" or system not in "GRJ" or pair is None:
        return m
    first, other = pair
    if first not in codes and other in codes:
        return code[0], RINEX2_CODE_MAP[system][other][1]
    return m
