"""Observable-specific biases of the precise model: code and phase biases per row and band column from a
Bias-SINEX file (OSB, or DSB to the satellite clock's reference observable), for :mod:`kompas.ppp_model`."""

from __future__ import annotations

import numpy as np

from .constants import C_LIGHT
from .io.readers.bias import OPEN_END_NS
from .products.broadcast import IF_CLOCK_PAIRS
from .satsys import sat_letter, signal_code
from .tables.observables import NO_SIGNAL
from .time import time_span

__all__ = ["DEFAULT_CLOCK_REFERENCE", "note_once", "observation_biases"]


def note_once(notes: list, text: str) -> None:
    """Append ``text`` to ``notes`` unless it is there (a model term evaluated per band or per block of rows
    would say it again)."""
    if text not in notes:
        notes.append(text)


def observation_biases(
    ob, rows, t_ns, bias, clock_reference: dict, notes: list, max_age_s: float = 0.0, freq_hz=None
):
    """Code and phase biases to subtract per row and column, m (R, B) each, from OSB (or DSB to the
    satellite clock's reference observable of the same band); code 0 and phase NaN where the file gives
    none. ``freq_hz`` (R, B), the carrier of each cell, turns biases given in cycles into seconds."""
    sig = ob.signal[rows]
    n, n_b = sig.shape
    code_b = np.zeros((n, n_b))
    phase_b = np.full((n, n_b), np.nan)
    if bias is None or len(bias) == 0:
        return code_b, phase_b
    t_code = _aged_times(bias, t_ns, max_age_s, notes)
    served = False
    sats = ob.sat[rows]
    letters = sat_letter(sats)
    freq = np.full((n, n_b), np.nan) if freq_hz is None else np.asarray(freq_hz, dtype=np.float64)
    for b in range(n_b):
        has = sig[:, b] != NO_SIGNAL
        if not has.any():
            continue
        codes = signal_code(np.where(has, sig[:, b], 0))
        c_obs = np.char.add("C", codes)
        l_obs = np.char.add("L", codes)
        cb = bias.osb(sats, c_obs, t_code, frequency_hz=freq[:, b])
        lb = bias.osb(sats, l_obs, t_ns, frequency_hz=freq[:, b])
        miss = has & ~np.isfinite(cb)
        served |= bool(np.any(has & (np.isfinite(cb) | np.isfinite(lb))))
        if miss.any():
            pairs, inverse = np.unique(
                np.char.add(letters.astype("U1"), codes.astype("U2")), return_inverse=True
            )
            ref = np.array([_reference_code(clock_reference, p[0], p[1:]) for p in pairs.tolist()])[inverse]
            dsb = bias.dsb(sats, c_obs, ref, t_code, frequency_hz=freq[:, b])
            served |= bool(np.any(miss & (ref != c_obs) & np.isfinite(dsb)))
            # a code that is the reference itself keeps its NaN: no bias, 0 below
            cb = np.where(miss & (ref != c_obs), dsb, cb)
        code_b[:, b] = np.where(has & np.isfinite(cb), cb * C_LIGHT, 0.0)
        phase_b[:, b] = np.where(has & np.isfinite(lb), lb * C_LIGHT, np.nan)
    if not served and n:
        note_once(
            notes,
            f"the bias file ({_bias_span(bias)}) has no bias for these observations at their epochs: no code "
            "or phase bias applied (--bias-max-age extends the use of code biases)",
        )
    return code_b, phase_b


def _bias_span(bias) -> str:
    """The validity span of a bias file's entries, for messages."""
    ends = bias.end_ns[bias.end_ns != OPEN_END_NS]
    return time_span(np.r_[bias.start_ns.min(), ends]) if ends.size else f"from {time_span(bias.start_ns)}"


def _aged_times(bias, t_ns, max_age_s: float, notes: list) -> np.ndarray:
    """Query times for code biases: clipped into the file's span when within ``max_age_s`` of it."""
    lo = int(bias.start_ns.min())
    ends = bias.end_ns[bias.end_ns != OPEN_END_NS]
    hi = int(ends.max()) - 1 if ends.size else int(OPEN_END_NS)
    clipped = np.clip(t_ns, lo, hi)
    age = np.abs(t_ns - clipped) * 1e-9
    use = (age > 0) & (age <= max_age_s)
    if use.any():
        note_once(
            notes,
            f"code biases taken from a bias file {age[use].max() / 86400:.1f} days from the observations",
        )
    return np.where(use, clipped, t_ns)


DEFAULT_CLOCK_REFERENCE = {x: ("C" + a, "C" + b) for x, (a, b) in IF_CLOCK_PAIRS.items()}
"""Observables the IGS/MGEX satellite clocks refer to when a bias file does not say
(``SATELLITE_CLOCK_REFERENCE_OBSERVABLES``): the pseudoranges of the ionosphere-free pairs of
:data:`kompas.products.broadcast.IF_CLOCK_PAIRS` (GPS P(Y) L1/L2; GLONASS P L1/L2; Galileo E1/E5a as F/NAV;
BeiDou B1I/B3I; QZSS L1 C/A and L2C; Montenbruck et al. 2017, "The Multi-GNSS Experiment (MGEX) of the
IGS", Adv. Space Res. 59(7):1671-1697, sec. 6), used to turn a DSB into the correction of a code that is
not the reference."""


def _reference_code(clock_reference: dict, letter: str, code: str) -> str:
    """The clock's reference code of ``code``'s band (the bias file's, else the IGS convention)."""
    refs = clock_reference.get(letter) or DEFAULT_CLOCK_REFERENCE.get(letter, ())
    for ref in refs:
        if ref[1] == code[0]:
            return ref
    return "C" + code
