"""Preprocessing of observations for QC, RTK and PPP: arrays in, flags and arcs out (no file I/O).

* :func:`detect_slips` -> :class:`SlipFlags`: cycle slips per (row, band) from the geometry-free and
  Melbourne-Wuebbena combinations and the loss-of-lock indicator, with thresholds that scale with the
  sampling interval and the elevation; ambiguity arcs (:func:`arcs` lists them).
* :func:`detect_clock_jumps` -> :class:`ClockJumps` and :func:`repair_clock_jumps`: receiver clock
  resets (millisecond jumps) in code and phase.
* :class:`Series`: rows of one satellite in time order, cut at gaps, for vectorised per-arc work.

Typical use (RTK/PPP helpers call the same functions)::

    ob = obs.observables({"C": (2, 6, 7), "R": (1, 2)})
    jumps = detect_clock_jumps(ob)
    ob = repair_clock_jumps(ob, jumps)
    flags = detect_slips(ob, elevation_rad=el, glo_channels=obs.header.glonass_channels)
    flags.slip        # (rows, bands) bool
    flags.arc         # ambiguity arc per cell
"""

from ..estimators.grouped import group_median as segment_median  # the name this package gave it
from .arcs import ArcTable, arcs
from .clock import ClockJumpOptions, ClockJumps, detect_clock_jumps, repair_clock_jumps
from .slips import Cause, SlipFlags, SlipOptions, detect_slips, elevation_factor
from .tracks import Series, default_max_gap_s

__all__ = [
    "ArcTable",
    "arcs",
    "Cause",
    "ClockJumps",
    "ClockJumpOptions",
    "SlipFlags",
    "SlipOptions",
    "Series",
    "default_max_gap_s",
    "detect_clock_jumps",
    "detect_slips",
    "elevation_factor",
    "repair_clock_jumps",
    "segment_median",
]
