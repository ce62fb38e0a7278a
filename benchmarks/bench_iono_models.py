"""Benchmark: broadcast ionosphere models for a day of 30-s epochs x 40 satellites.

    python benchmarks/bench_iono_models.py [--repeat 3] [--epochs 2880] [--sats 40] [--reference]

Receiver at WTZR (Wettzell); every epoch of 2020-06-25 sees ``--sats`` satellites at MEO
(20,200 km) spread over the sky above 5 deg (random, fixed seed). One vectorised call per model
for the whole day: NeQuick-G (ICD medium-activity coefficients), BDGIM (the coefficients of the
BDGIM designers' example), and GPS Klobuchar as the baseline. No input files needed.
``--reference`` also times the PyPI ``nequick`` package (EC JRC C code, one call per ray).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np


def _geometry(n_epochs, n_sats, seed=1):
    from kompas.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef

    rng = np.random.default_rng(seed)
    llh = np.array([np.radians(49.144), np.radians(12.879), 666.0])
    az = rng.uniform(0.0, 2.0 * np.pi, (n_epochs, n_sats))
    el = np.arcsin(rng.uniform(np.sin(np.radians(5.0)), 1.0, (n_epochs, n_sats)))
    enu = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=-1)
    x = geodetic_to_ecef(llh)
    d = enu @ enu_rotation(llh[0], llh[1])
    b = d @ x
    r = -b + np.sqrt(b * b - (x @ x - (6371.0e3 + 20.2e6) ** 2))
    sat_xyz = x + r[..., None] * d
    return llh, az, el, sat_xyz, ecef_to_geodetic(sat_xyz)


def _best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=2880)
    ap.add_argument("--sats", type=int, default=40)
    ap.add_argument("--reference", action="store_true", help="also time the nequick package")
    args = ap.parse_args()
    from kompas.models.bdgim import bdgim_delay
    from kompas.models.ionosphere import klobuchar_gps
    from kompas.models.nequick import nequick_g_delay
    from kompas.time import gtime_from_calendar, week_tow

    llh, az, el, sat_xyz, sat_llh = _geometry(args.epochs, args.sats)
    t = int(gtime_from_calendar(2020, 6, 25)) + np.arange(args.epochs, dtype=np.int64) * 30 * 10**9
    tt = np.broadcast_to(t[:, None], el.shape)
    n = el.size
    gal = (121.129893, 0.351254133, 0.0134635348)
    bds = (
        13.82642069,
        -1.78004616,
        5.172,
        3.1303094,
        -4.58961329,
        0.32483867,
        -0.07802383,
        1.2431259,
        0.37763627,
    )
    gps_a, gps_b = (1.1176e-08, 7.4506e-09, -5.9605e-08, -5.9605e-08), (90112.0, 0.0, -196610.0, -65536.0)

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}; {time.strftime('%Y-%m-%d')}")  # fmt: skip
    print(f"{args.epochs} epochs x {args.sats} satellites = {n} rays, best of {args.repeat}")
    s, d = _best(lambda: nequick_g_delay(gal, llh, sat_xyz, tt), args.repeat)
    print(f"NeQuick-G (Galileo, E1)      {s:8.3f} s  {1e6 * s / n:7.2f} us/ray  mean {d.mean():.2f} m")
    s, d = _best(lambda: bdgim_delay(bds, llh[0], llh[1], az, el, tt), args.repeat)
    print(f"BDGIM (BeiDou-3, B1C)        {s:8.3f} s  {1e6 * s / n:7.2f} us/ray  mean {d.mean():.2f} m")
    tow = week_tow(tt, "GPS")[1]
    s, d = _best(lambda: klobuchar_gps(gps_a, gps_b, llh[0], llh[1], az, el, tow), args.repeat)
    print(f"Klobuchar (GPS, L1) baseline {s:8.3f} s  {1e6 * s / n:7.2f} us/ray  mean {d.mean():.2f} m")
    if args.reference:
        s = _time_reference(gal, llh, sat_llh, tt)
        print(f"nequick 1.0.0 (C, per ray)   {s:8.3f} s  {1e6 * s / n:7.2f} us/ray")
    return 0


def _time_reference(gal, llh, sat_llh, tt):
    import datetime

    import nequick

    from kompas.time import gpst_to_calendar

    model = nequick.NeQuick(*gal)
    y, mo, d, hh, mm, ss = (np.asarray(v).ravel() for v in gpst_to_calendar(tt, "UTC"))
    lat, lon = np.degrees(llh[0]), np.degrees(llh[1])
    sat = sat_llh.reshape(-1, 3)
    t0 = time.perf_counter()
    for i in range(sat.shape[0]):
        epoch = datetime.datetime(int(y[i]), int(mo[i]), int(d[i]), int(hh[i]), int(mm[i]), int(ss[i]))
        model.compute_stec(epoch, lon, lat, llh[2], np.degrees(sat[i, 1]), np.degrees(sat[i, 0]), sat[i, 2])
    return time.perf_counter() - t0


if __name__ == "__main__":
    sys.exit(main())
