"""Benchmark: which Wanninger & Beer (2015) table row fits which BDS-2 band, on ESBC's full day.

    python benchmarks/bench_bds2_rows.py

For BDS-2 IGSO and MEO satellites separately and for each band's MP (C2I against B3I, C7I and C6I against
B1I; level removed per arc, above 10 degrees), each row of the correction table is applied in turn: printed
are the MP RMS left and the scale ``a`` that fits ``MP ~ -a (row - arc mean)`` best (1 for the right row at
its published size), then the MP RMS per 10-degree elevation bin without and with the correction as coded
(rows B1I=C2I, B2I=C7I, B3I=C6I).
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import numpy as np

import kompas
from kompas.preprocess import detect_clock_jumps, detect_slips, repair_clock_jumps
from kompas.products.broadcast import BroadcastProduct
from kompas.qc import WB2015_BANDS, code_multipath
from kompas.qc.geometry import sky_grid
from kompas.satsys import bds_generation, bds_orbit_class, signal_band

DATA = Path(os.environ.get("KOMPAS_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
A = DATA / "A_2020-177_ESBC_WTZR"
PARTNER = {2: 6, 7: 2, 6: 2}
NAMES = {2: "C2I (B1I) vs B3I", 7: "C7I (B2I) vs B1I", 6: "C6I (B3I) vs B1I"}


def main() -> int:
    obs = kompas.read_obs(A / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz").select(systems="C")
    nav = kompas.read_nav(A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    ob = obs.observables({"C": (2, 6, 7)})
    grid = sky_grid(
        BroadcastProduct(nav), obs.epoch_time_ns, obs.header.approx_position_m, "C", np.unique(obs.sat)
    )
    az, el = grid.lookup(ob.epoch, ob.sat)
    ob = repair_clock_jumps(ob, detect_clock_jumps(ob))
    flags = detect_slips(ob, elevation_rad=el)
    series = {None: code_multipath(obs, ob, flags, el, az)}
    for p in itertools.permutations((2, 7, 6)):
        series[p] = code_multipath(obs, ob, flags, el, az, bds2_correction=True, bds2_rows=p)
    base = series[None]
    gen, cls, band = bds_generation(base.sat), bds_orbit_class(base.sat), signal_band(base.signal)
    deg = np.degrees(base.el)
    for c in ("IGSO", "MEO"):
        print(
            f"\nBDS-2 {c}: MP RMS (m) after each table row, fitted scale a (ESBC 2020-06-25, el >= 10 deg)\n"
        )
        print("| band | n | row 1 (B1) | row 2 (B2) | row 3 (B3) | no correction |")
        print("|---|---|---|---|---|---|")
        for b in (2, 7, 6):
            sel = (gen == 2) & (cls == c) & (band == b) & (base.partner == PARTNER[b]) & (deg >= 10)
            y = base.mp_m[sel]
            cells = []
            for r in range(3):
                yc = series[next(p for p in series if p and p[r] == b)].mp_m[sel]
                x = yc - y
                cells.append(f"{np.sqrt(np.mean(yc**2)):.3f} (a={-np.sum(x * y) / np.sum(x * x):.2f})")
            print(f"| {NAMES[b]} | {sel.sum()} | " + " | ".join(cells) + f" | {np.sqrt(np.mean(y**2)):.3f} |")
    coded = series[tuple(WB2015_BANDS)]
    for c in ("IGSO", "MEO"):
        print(f"\nBDS-2 {c}: MP RMS (m) per elevation bin, without / with the correction as coded\n")
        print("| band | " + " | ".join(f"{lo}-{lo + 10}" for lo in range(10, 90, 10)) + " |")
        print("|---|" + "---|" * 8)
        for b in (2, 7, 6):
            sel = (gen == 2) & (cls == c) & (band == b) & (base.partner == PARTNER[b])
            cells = []
            for lo in range(10, 90, 10):
                k = sel & (deg >= lo) & (deg < lo + 10)
                if k.sum() < 30:
                    cells.append("-")
                    continue
                r0, r1 = (np.sqrt(np.mean(v[k] ** 2)) for v in (base.mp_m, coded.mp_m))
                cells.append(f"{r0:.2f} / {r1:.2f}")
            print(f"| {NAMES[b]} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
