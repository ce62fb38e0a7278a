"""truth.json: everything a simulation did, so that a solution or a detector can be scored against it.

Layout (JSON object, format ``kompas.sim.truth/2``)
    ``simulated``: true. ``kompas_version``. ``settings``: start, span, interval, systems, seed,
    elevation mask, signal-in-space error, where the constellation came from. ``errors``: every
    field of the error model as ``{"value", "unit", "doc"}`` (the base's for a baseline).
    ``receivers``: one entry per receiver (role ``single``, ``base`` or ``rover``) with its true
    position, clock model, integer ambiguities per "satellite signal", multipath parameters, its
    own error model when it differs, and ``events`` (kind, time, satellite, signal, size, unit, LLI,
    cause; see :class:`kompas.sim.events.EventTable`). ``baseline`` (two receivers): rover - base
    in ECEF and in the base's east/north/up, m. ``products``: the SP3/clock files written from the
    truth and their conventions. ``files``: the files written. ``units``: the units of every
    number above. ``ecef_m`` repeats the (base) receiver position (the key the first version had).
"""

from __future__ import annotations

import json

import numpy as np

from .. import __version__

__all__ = ["truth_document", "write_truth", "UNITS"]

FORMAT = "kompas.sim.truth/2"
UNITS = {
    "ecef_m": "m, Earth-fixed frame of the simulation",
    "time_ns": "ns of GPS time since 1980-01-06 00:00:00",
    "time": "ISO 8601 date and time in the GPS time scale",
    "clock_s_at_start": "s (receiver clock minus GPS time at the first epoch)",
    "clock_drift_s_per_s": "s/s",
    "ambiguity_cycles": "cycles of the signal's carrier",
    "event size": "slip: cycles; clock: s; gap and outage: epochs removed while above the mask",
    "multipath": "zenith code amplitude m (grows as 1/sin(el)), period s, phase rad",
    "baseline_ecef_m": "m", "baseline_enu_m": "m, base's local east, north, up",
}  # fmt: skip
AMBIGUITY_MODEL = (
    "integer N per receiver, satellite and signal, uniform in [-200000, 200000) from numpy "
    "default_rng([seed, 1, receiver stream]); phase = (range terms) / lambda + N + the slips so far"
)


def _errors(em) -> dict:
    return {d["name"]: {"value": d["value"], "unit": d["unit"], "doc": d["doc"]} for d in em.describe()}


def _receiver(res, role: str, base_errors=None) -> dict:
    out = {"role": role, **res.record, "events": res.events.to_records()}
    if base_errors is not None and res.errors != base_errors:
        out["errors"] = _errors(res.errors)
    return out


def truth_document(results, *, files=None, products=None) -> dict:
    """The truth.json object of one receiver (``results`` a SimResult) or a baseline (BaselineResult).

    Parameters
    ----------
    results : SimResult or BaselineResult
        The simulation; a BaselineResult adds the rover and the ``baseline`` entry.
    files : dict, optional
        Names of the files written (``{"obs": ..., "nav": ...}``).
    products : dict, optional
        What :func:`kompas.sim.write_products` returned.
    """
    if hasattr(results, "rover"):
        first = results.base
        rcvs = [_receiver(results.base, "base"), _receiver(results.rover, "rover", results.base.errors)]
        extra = {
            "baseline": {
                "baseline_ecef_m": [float(v) for v in results.baseline_ecef_m],
                "baseline_enu_m": [float(v) for v in results.baseline_enu_m],
                "length_m": float(np.linalg.norm(results.baseline_ecef_m)),
            }
        }
    else:
        first, rcvs, extra = results, [_receiver(results, "single")], {}
    return {
        "format": FORMAT,
        "simulated": True,
        "kompas_version": __version__,
        "ecef_m": [float(v) for v in first.receiver_ecef_m],
        "settings": dict(first.settings),
        "errors": _errors(first.errors),
        "ambiguity_model": AMBIGUITY_MODEL,
        "receivers": rcvs,
        **extra,
        "products": products or {},
        "files": files or {},
        "units": UNITS,
    }


def write_truth(path, doc: dict) -> None:
    """Write the truth object as indented JSON (UTF-8)."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
