"""Write ANTEX satellite antenna blocks with nominal phase-centre offsets.

Where an ANTEX file lacks a satellite, kompas falls back on the nominal block offsets of its satellite
catalog (GPSPACE ``gpsppp.svb_*``, PRIDE ``sat_parameters``; :mod:`kompas.ppp_model`), while RTKLIB, for
one, applies no satellite offset at all. :func:`complete_antex` writes a copy of an ANTEX file with a block
for each such satellite, so that another program given the copy applies the same offsets as kompas (the
like-for-like comparison of ``benchmarks/bench_ppp.py``).

Format: ANTEX 1.4 (Rothacher & Schmid 2010, "ANTEX: The Antenna Exchange Format, Version 1.4", IGS):
labels in columns 61-80; for a satellite, ``NORTH / EAST / UP`` hold the body-frame x, y, z offsets (mm)
and ``TYPE / SERIAL NO`` its id in columns 21-23. The blocks written carry the one offset on every
frequency of the system and no phase centre variation (a ``NOAZI`` row of zeros, 0-17 deg nadir).
"""

from __future__ import annotations

import numpy as np

from ...time import DAY_NS, gpst_to_calendar
from ..readers.antex import Antex
from ._sink import write_bytes, write_text

__all__ = ["ANTEX_FREQUENCIES", "nominal_satellite_blocks", "complete_antex"]

ANTEX_FREQUENCIES = {
    "G": ("G01", "G02", "G05"),
    "R": ("R01", "R02"),
    "E": ("E01", "E05", "E06", "E07", "E08"),
    "C": ("C01", "C02", "C05", "C06", "C07", "C08"),
    "J": ("J01", "J02", "J05"),
}
"""ANTEX frequency codes written per system (ANTEX 1.4 table of frequency codes)."""


def _rec(text: str, label: str) -> str:
    return f"{text:60s}{label}"


def nominal_satellite_blocks(sat_ids, pco_m, valid_from_ns: int) -> str:
    """ANTEX blocks, one per satellite: its offset on every frequency of its system, no PCV.

    Parameters
    ----------
    sat_ids : sequence of str
        Satellite ids (``"R05"``) of the systems in :data:`ANTEX_FREQUENCIES`.
    pco_m : array_like, shape (N, 3)
        Body-frame x, y, z offsets, m.
    valid_from_ns : int
        Start of validity (``VALID FROM``), GPST ns.

    Returns
    -------
    str
        The blocks, each line ending in a newline.
    """
    pco = np.asarray(pco_m, dtype=float).reshape(-1, 3)
    y, mo, d, hh, mi, ss = (np.asarray(v).item() for v in gpst_to_calendar(np.int64(valid_from_ns)))
    lines = []
    for sid, (x, yy, z) in zip(sat_ids, 1000.0 * pco, strict=True):
        freqs = ANTEX_FREQUENCIES[sid[0]]
        lines += [
            _rec("", "START OF ANTENNA"),
            _rec(f"{'NOMINAL':20s}{sid:20s}{sid:10s}", "TYPE / SERIAL NO"),
            _rec(f"{'':20s}{'kompas nominal':20s}{0:6d}", "METH / BY / # / DATE"),
            _rec(f"{0.0:8.1f}", "DAZI"),
            _rec(f"{0.0:8.1f}{17.0:6.1f}{1.0:6.1f}", "ZEN1 / ZEN2 / DZEN"),
            _rec(f"{len(freqs):6d}", "# OF FREQUENCIES"),
            _rec(f"{y:6d}{mo:6d}{d:6d}{hh:6d}{mi:6d}{ss:13.7f}", "VALID FROM"),
        ]
        for f in freqs:
            lines += [
                _rec(f"   {f}", "START OF FREQUENCY"),
                _rec(f"{x:10.2f}{yy:10.2f}{z:10.2f}", "NORTH / EAST / UP"),
                "   NOAZI" + f"{0.0:8.2f}" * 18,
                _rec(f"   {f}", "END OF FREQUENCY"),
            ]
        lines.append(_rec("", "END OF ANTENNA"))
    return "".join(ln + "\n" for ln in lines)


def complete_antex(src_text: str, antex: Antex, catalog, sat_ids, t_gpst_ns: int, out) -> list[str]:
    """Write ``src_text`` (an ANTEX file) to ``out`` with a nominal block appended for each satellite of
    ``sat_ids`` that ``antex`` (the file read) lacks at ``t_gpst_ns`` and ``catalog`` has offsets for.

    Parameters
    ----------
    src_text : str
        The ANTEX file's text.
    antex : Antex
        The same file read (:func:`kompas.io.readers.antex.read_antex`).
    catalog : SatelliteCatalog
        Nominal offsets (:func:`kompas.io.readers.satmeta.read_satellite_catalog`).
    sat_ids : sequence of str
        Satellites wanted; those of systems outside :data:`ANTEX_FREQUENCIES` are skipped.
    t_gpst_ns : int
        Instant of the lookup; the blocks are valid from the start of its day.
    out : path or text file
        A path ending in ``.gz`` is written gzip-compressed.

    Returns
    -------
    list of str
        The satellites added.
    """
    t = int(t_gpst_ns)
    missing = []
    for sid in sat_ids:
        if sid[0] not in ANTEX_FREQUENCIES:
            continue
        try:
            antex.satellite(sid, t)
        except KeyError:
            missing.append(sid)
    added, pco = [], []
    if missing:
        info = catalog.lookup(np.array(missing), t)
        ok = info.found & np.all(np.isfinite(info.nominal_pco_m), axis=1)
        added = [s for s, k in zip(missing, ok, strict=True) if k]
        pco = info.nominal_pco_m[ok]
    day0 = t - t % DAY_NS
    text = src_text.rstrip("\n") + "\n" + nominal_satellite_blocks(added, pco, day0)
    if hasattr(out, "write"):
        write_text(out, text)
    else:  # a path: gzip-compressed when it ends in .gz, like the other writers
        write_bytes(out, text.encode("utf-8"))
    return added
