"""Benchmark: NeQuick-G evaluated at time nodes and interpolated, against every ray evaluated.

    python benchmarks/bench_iono_nodes.py [--steps 300,900,1800]

ESBC (2020-06-25, set A): every Galileo satellite of the day's broadcast file, every 30-s epoch, rays
above 10 deg from the header position; slant delays on E1 from ``BroadcastIonosphere`` with the node step
of ``kompas.products.ionosphere.NODE_STEP_S`` set to each step, against the full evaluation of every ray.
Printed: RMS and largest difference (m), and the wall time of each variant.
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
A = DATA / "A_2020-177_ESBC_WTZR"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", default="300,900,1800")
    args = ap.parse_args()
    steps = [float(s) for s in args.steps.split(",")]

    import kompas
    from kompas.frames import azimuth_elevation, ecef_to_geodetic
    from kompas.products import ionosphere as ion
    from kompas.products.broadcast import BroadcastProduct
    from kompas.satsys import sat_index
    from kompas.time import gtime_from_calendar

    obs_path = A / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz"
    nav = kompas.read_nav(A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    rcv = np.asarray(kompas.read_obs(obs_path, systems="E").header.approx_position_m, float)
    product = BroadcastProduct(nav)
    iono = ion.BroadcastIonosphere(nav)
    t0 = gtime_from_calendar(2020, 6, 25, 0, 0, 0.0)
    t = t0 + np.arange(2880, dtype=np.int64) * 30_000_000_000
    sats = sat_index([f"E{p:02d}" for p in range(1, 37)])
    tt, ss = np.meshgrid(t, sats, indexing="ij")
    st = product.state(ss.ravel(), tt.ravel())
    ok = np.all(np.isfinite(st.pos_m), axis=-1)
    az, el = azimuth_elevation(st.pos_m, rcv)
    ok &= el > np.radians(10.0)
    order = np.lexsort((tt.ravel()[ok], ss.ravel()[ok]))
    sat, t_ns, pos = ss.ravel()[ok][order], tt.ravel()[ok][order], st.pos_m[ok][order]
    az, el = az[ok][order], el[ok][order]
    llh = ecef_to_geodetic(rcv)
    n = sat.size
    ctx = ion.IonoContext(
        t_ns, np.full(n, llh[0]), np.full(n, llh[1]), np.full(n, llh[2]), az, el, sat_pos_m=pos
    )
    f_e1 = np.full(n, 1575.42e6)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{n} Galileo rays above 10 deg, {np.unique(sat).size} satellites\n")
    saved = dict(ion.NODE_STEP_S)
    try:
        ion.NODE_STEP_S.clear()
        t1 = time.perf_counter()
        full, model, _ = iono.delay(sat, ctx, f_e1)
        t_full = time.perf_counter() - t1
        assert set(np.unique(model)) == {"NEQUICK_G"}, np.unique(model)
        print("| node step (s) | RMS difference (mm) | largest (cm) | wall time (s) |")
        print("|---|---|---|---|")
        print(f"| every ray | 0 | 0 | {t_full:.1f} |")
        for step in steps:
            ion.NODE_STEP_S["NEQUICK_G"] = step
            t1 = time.perf_counter()
            d, _, _ = iono.delay(sat, ctx, f_e1)
            dt = time.perf_counter() - t1
            diff = d - full
            rms = np.sqrt(np.mean(diff**2))
            print(f"| {step:.0f} | {rms * 1e3:.1f} | {np.max(np.abs(diff)) * 1e2:.1f} | {dt:.1f} |")
    finally:
        ion.NODE_STEP_S.clear()
        ion.NODE_STEP_S.update(saved)
    return 0


if __name__ == "__main__":
    sys.exit(main())
