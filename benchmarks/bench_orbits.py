"""Benchmark: broadcast satellite states for a whole day (set A ESBC mixed navigation file).

    python benchmarks/bench_orbits.py [--repeat 5]

Every satellite with a record in the file (GPS, GLONASS, Galileo, BeiDou, QZSS) at every 30-s epoch of
2020-06-25: one vectorised BroadcastProduct.state call, nearest-toe selection (as SPP uses it).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KOMPAS_DATA", REPO.parent / "shared" / "data"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from kompas.io.readers.rinex_nav import read_nav
    from kompas.products.broadcast import BroadcastProduct
    from kompas.time import gtime_from_calendar

    nav = read_nav(DATA / "A_2020-177_ESBC_WTZR" / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    bp = BroadcastProduct(nav)
    sats = np.unique(np.concatenate([nav.kepler.sat, nav.glonass.sat]))
    t = int(gtime_from_calendar(2020, 6, 25)) + np.arange(2880) * 30 * 10**9
    s, tt = np.meshgrid(sats, t)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        st = bp.state(s.ravel(), tt.ravel())
        times.append(time.perf_counter() - t0)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d')}")  # fmt: skip
    print(f"{sats.size} satellites x {t.size} epochs = {s.size} states ({int(st.ok.sum())} valid): "
          f"best {min(times):.3f} s of {args.repeat}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
