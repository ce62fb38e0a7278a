"""Benchmark: cycle-slip and clock-jump detection scored with the simulator's own recorded events.

    python benchmarks/bench_slip_detection.py [--seeds 3 4 5] [--hours 4] [--size-max 1000]

Per seed: 4 h at 30 s of BeiDou (GEO in view at Wuhan), GLONASS, GPS and Galileo with every continuous error
term of ``ErrorModel.default()`` (noise and code/phase multipath growing as 1/sin(el)) plus events: single
slips (0.5/h per satellite and signal, sizes 1..size-max cycles, no loss-of-lock indicator), GF-blind and
MW-blind pairs (0.5/h per satellite each), 1-ms receiver clock jumps (1/h) and satellite gaps (0.25/h, the
phase comes back with a new ambiguity and the LLI set). The observables are repaired for clock jumps, then
``detect_slips`` runs with broadcast elevations; each recorded slip (net size per cell,
:func:`kompas.sim.slip_cells`) counts as detected where its cell starts a new arc. A false alarm is a
flagged cell of an (epoch, satellite) without any slip. Printed: per system and cause the slips and the
share detected, above and below 10 degrees; false alarms per phase observations; clock jumps found.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

import numpy as np

from kompas.frames import azimuth_elevation, geodetic_to_ecef
from kompas.preprocess import detect_clock_jumps, detect_slips, repair_clock_jumps
from kompas.products.broadcast import BroadcastProduct
from kompas.satsys import is_bds_geo, sat_letter
from kompas.sim import ErrorModel, simulate, slip_cells
from kompas.time import GTime

BANDS = {"C": (2, 6, 1, 5, 7), "R": (1, 2), "G": (1, 2, 5), "E": (1, 5, 7)}
RCV = geodetic_to_ecef([np.radians(30.5), np.radians(114.3), 50.0])


def events_model(size_max: int) -> ErrorModel:
    return dataclasses.replace(
        ErrorModel.default(), cycle_slips=True, slip_rate_per_hour=0.5, slip_size_max=size_max,
        slip_lli=False, gf_pair_rate_per_hour=0.5, mw_pair_rate_per_hour=0.5, clock_jump_rate_per_hour=1.0,
        gap_rate_per_hour=0.25,
    )  # fmt: skip


def run(seed: int, hours: float, size_max: int):
    sim = simulate(RCV, GTime.from_calendar(2025, 1, 1).gpst_ns, hours=hours, interval_s=30, systems="CRGE",
                   errors=events_model(size_max), seed=seed)  # fmt: skip
    ob = sim.obs.observables(BANDS)
    el = azimuth_elevation(BroadcastProduct(sim.nav).state(ob.sat, ob.time_ns).pos_m, RCV)[1]
    chans = sim.obs.header.glonass_channels
    jumps = detect_clock_jumps(ob, chans)
    fl = detect_slips(repair_clock_jumps(ob, jumps, chans), elevation_rad=el, glo_channels=chans)
    return sim, ob, el, jumps, fl


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[3, 4, 5])
    ap.add_argument("--hours", type=float, default=4.0)
    ap.add_argument("--size-max", type=int, default=1000)
    args = ap.parse_args(argv)
    acc: dict = {}
    for seed in args.seeds:
        sim, ob, el, jumps, fl = run(seed, args.hours, args.size_max)
        cells = slip_cells(sim.events, ob)
        det = fl.cause[cells.row, cells.col] != 0
        low = np.degrees(el[cells.row]) < 10.0
        letters = sat_letter(ob.sat[cells.row])
        geo = is_bds_geo(ob.sat[cells.row])
        slipped_row = np.zeros(len(ob), bool)
        slipped_row[cells.row] = True
        false = fl.slip & ~slipped_row[:, None]
        has = np.isfinite(ob.phase_cyc)
        for x in "CRGE":
            for cause in ("random", "gf-pair", "mw-pair", "new-amb", "all"):
                m = (letters == x) & ((cells.cause == cause) | (cause == "all"))
                for name, sel in (("el>=10", m & ~low), ("el<10", m & low)):
                    a = acc.setdefault((x, cause, name), [0, 0])
                    a[0] += int(sel.sum())
                    a[1] += int(det[sel].sum())
            mx = sat_letter(ob.sat) == x
            f = acc.setdefault((x, "false"), [0, 0])
            f[0] += int(has[mx].sum())
            f[1] += int(false[mx].sum())
        g = acc.setdefault(("C", "GEO", "all"), [0, 0])
        g[0] += int(geo.sum())
        g[1] += int(det[geo].sum())
        cj = sim.events.select("clock")
        c = acc.setdefault(("clock",), [0, 0])
        c[0] += len(cj)
        c[1] += int(np.isin(cj.time_ns, jumps.time_ns).sum())
        acc.setdefault(("cancelled",), [0])[0] += cells.n_cancelled
    print(f"seeds {args.seeds}, {args.hours:g} h each, slip sizes 1..{args.size_max}\n")
    print("| system | cause | slips el>=10 | detected | slips el<10 | detected |")
    print("|---|---|---|---|---|---|")
    for x in "CRGE":
        for cause in ("random", "gf-pair", "mw-pair", "new-amb", "all"):
            hi, lo = acc[(x, cause, "el>=10")], acc[(x, cause, "el<10")]
            pct = lambda v: f"{100 * v[1] / v[0]:.2f} %" if v[0] else "-"  # noqa: E731
            print(f"| {x} | {cause} | {hi[0]} | {pct(hi)} | {lo[0]} | {pct(lo)} |")
    geo = acc[("C", "GEO", "all")]
    print(f"\nBDS GEO slips: {geo[0]}, detected {100 * geo[1] / geo[0]:.2f} %")
    for x in "CRGE":
        n, f = acc[(x, "false")]
        print(f"false alarms {x}: {f} of {n} phases = {100 * f / n:.4f} %")
    c = acc[("clock",)]
    print(f"clock jumps: {c[1]} of {c[0]} found; cells whose slips cancelled: {acc[('cancelled',)][0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
