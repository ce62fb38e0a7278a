"""Which signals each simulated satellite transmits, and the slip pairs that hide in combinations.

Signals (RINEX 3 codes)
    * GPS: L1 C/A (1C), L2 P(Y) semi-codeless (2W), L5 Q (5Q).
    * GLONASS: G1 and G2 C/A (1C, 2C).
    * Galileo: E1 C (1C), E5a Q (5Q), E5b Q (7Q).
    * BeiDou-2 (C01-C18): B1I (2I), B2I (7I), B3I (6I) (BDS-SIS-ICD-B1I-3.0 sec. 1, the B2I signal
      is transmitted by BDS-2 satellites only).
    * BeiDou-3 MEO and IGSO: B1I, B3I, B1C pilot (1P), B2a pilot (5P) (BDS-SIS-ICD-B1C-1.0,
      BDS-SIS-ICD-B2a-1.0).
    * BeiDou-3 GEO (C59-C63): B1I and B3I only (B1C and B2a are MEO/IGSO open-service signals).

This is what the shared real files show (e.g. AJAC of 2024-07-27, set C: C02-C16 with 2I/6I/7I,
C19-C45 with 1P/2I/5P/6I, C60 with 2I/6I).

Combination-blind slip pairs
    For two carriers with an integer frequency ratio f_a / f_b = p / q (lowest terms), slips of
    (p, q) cycles change the geometry-free phase lambda_a N_a - lambda_b N_b = c (p / f_a - q / f_b)
    by exactly zero: GPS L1/L2 154/120 = 77/60, GLONASS G1/G2 9/7 on every channel, Galileo and
    BDS-3 1575.42/1176.45 = 154/115, BDS B1I/B3I 1561.098/1268.52 = 763/620. Equal slips (n, n)
    leave the Melbourne-Wuebbena wide-lane unchanged (f_a lambda_a n - f_b lambda_b n = 0).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..satsys import SYSTEM_LETTERS, GlonassChannels, carrier_frequency, sat_system, signal_id

__all__ = ["SIM_SIGNALS", "satellite_signals", "obs_types", "gf_blind_pair"]

SIM_SIGNALS = {
    "C": ("2I", "6I", "1P", "5P", "7I"),
    "R": ("1C", "2C"),
    "G": ("1C", "2W", "5Q"),
    "E": ("1C", "5Q", "7Q"),
}
"""Signals simulated per system (BeiDou: the union of BDS-2 and BDS-3, see the module docstring)."""

_BDS2 = ("2I", "7I", "6I")
_BDS3 = ("2I", "6I", "1P", "5P")
_BDS3_GEO = ("2I", "6I")
_PAIR_MAX_CYCLES = 1000


def _sorted(codes) -> tuple[str, ...]:
    return tuple(sorted(codes, key=lambda c: int(signal_id(c))))


def satellite_signals(sat: int) -> tuple[str, ...]:
    """Signal codes the simulated satellite ``sat`` (int16 index) transmits, in signal-id order."""
    sat = int(sat)
    letter = SYSTEM_LETTERS[sat // 100 - 1]
    if letter != "C":
        return _sorted(SIM_SIGNALS[letter])
    prn = sat % 100
    if prn <= 18:
        return _sorted(_BDS2)
    return _sorted(_BDS3_GEO if 59 <= prn <= 63 else _BDS3)


def obs_types(sats) -> dict[str, tuple[str, ...]]:
    """RINEX observation codes (kinds C, L, D, S of each signal) per system letter for these satellites."""
    out: dict[str, set] = {}
    for s in np.unique(np.asarray(sats, dtype=np.int64)).tolist():
        out.setdefault(SYSTEM_LETTERS[s // 100 - 1], set()).update(satellite_signals(s))
    # ordered as the RINEX writer orders them: by signal code, then kind C, L, D, S
    return {c: tuple(k + s for s in sorted(out[c]) for k in "CLDS") for c in SYSTEM_LETTERS if c in out}


def gf_blind_pair(sat: int, sig_a: str, sig_b: str, channels: GlonassChannels) -> tuple[int, int] | None:
    """Smallest slip pair (p, q) on signals a, b of ``sat`` that leaves the geometry-free phase unchanged.

    Returns ``None`` when the frequency ratio is not p/q with p, q <= 1000.
    """
    f = carrier_frequency(np.array([sat, sat]), np.array([signal_id(sig_a), signal_id(sig_b)]), channels)
    # every simulated carrier is a whole number of Hz (GLONASS: 1602 MHz + k 562.5 kHz and so on)
    fa, fb = (Fraction(round(x)) for x in f.tolist())
    r = fa / fb
    if r.numerator > _PAIR_MAX_CYCLES or r.denominator > _PAIR_MAX_CYCLES:
        return None
    return r.numerator, r.denominator


def sat_letters(sats) -> np.ndarray:
    """System letter of each satellite index."""
    return np.array(list(" " + SYSTEM_LETTERS))[sat_system(np.asarray(sats))]
