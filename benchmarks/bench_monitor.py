"""Benchmark: the service-volume grid of `kompas monitor`, and the SISRE figures of set A.

    python benchmarks/bench_monitor.py [--repeat 1] [--no-sisre] [--no-grid] [--clock-datum bds-generation]

Grid: a 5-degree global grid (37 x 72 nodes) for one day at 5-min steps (288 epochs), four system mixes
(BDS, GLONASS, BDS+GLONASS, all), from set H's DLR merged broadcast file of 2023-03-12 (every satellite
all day; ICD record policy): wall time of `service_volume` (reading excluded, printed apart).
SISRE: set A's ESBC navigation file against CODE (full day) and GFZ (00-06 h) MGEX orbits and clocks, with
ANTEX (IGS20, GPS) or GPSPACE nominal offsets, attitude laws from the PRIDE table, per group.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KOMPAS_DATA", REPO.parent / "shared" / "data"))
COLS = (
    "n_sat",
    "n",
    "apc",
    "radial_mean_m",
    "radial_m",
    "along_m",
    "cross_m",
    "clock_m",
    "sisre_orb_m",
    "sisre_m",
    "sisre_debiased_m",
    "wul_max_m",
)


def grid(repeat: int) -> None:
    import kompas
    from kompas.monitor.service import grid_nodes, service_volume
    from kompas.products.broadcast import BroadcastProduct
    from kompas.time import gtime_from_calendar

    t0 = time.perf_counter()
    nav = kompas.read_nav(DATA / "H_extra_multignss/BRD400DLR_S_20230710000_01D_MN.rnx.gz")
    t_read = time.perf_counter() - t0
    product = BroadcastProduct(nav)
    lat, lon = grid_nodes(5.0)
    times = int(gtime_from_calendar(2023, 3, 12)) + np.arange(0, 86400, 300) * 10**9
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        sv = service_volume(product, times, lat, lon)
        best = min(best, time.perf_counter() - t0)
    print(
        f"grid {lat.size} x {lon.size} nodes x {times.size} epochs x {len(sv.mixes)} mixes: {best:.1f} s "
        f"(best of {repeat}; reading the navigation file {t_read:.1f} s)"
    )
    s = sv.cell_summary()
    for m, name in enumerate(sv.mixes):
        print(
            f"  {name:12s} satellites in view {np.mean(s['nsat_mean'][m]):5.1f} (min {np.min(s['nsat_min'][m]):.0f}),"
            f" mean PDOP {np.nanmean(s['pdop_mean'][m]):.2f}, PDOP <= 6 {np.mean(s['pdop_ok_pct'][m]):.1f} % of"
            f" node-epochs"
        )
    ap = (lat[:, None] >= -55) & (lat[:, None] <= 55) & (lon[None, :] >= 55)
    c = s["nsat_mean"][0]
    print(
        f"  BDS satellites in view: Asia-Pacific {c[ap].mean():.1f}, rest of the world {c[~ap].mean():.1f}, "
        f"maximum {c.max():.1f} at {lat[np.argmax(c) // lon.size]:+.0f} lat {lon[np.argmax(c) % lon.size]:+.0f} lon"
    )


def sisre_tables(clock_datum: str = "system") -> None:
    import kompas
    from kompas.io.readers.satmeta import read_satellite_catalog
    from kompas.monitor.sisre import sisre
    from kompas.products.broadcast import BroadcastProduct
    from kompas.products.precise import PreciseProduct

    a, m = DATA / "A_2020-177_ESBC_WTZR", DATA / "models"
    nav = kompas.read_nav(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    atx = kompas.read_antex(DATA / "D_2026-120_PASA_SCOA_rtk/igs20_pasa_scoa_gps.atx")
    cat = read_satellite_catalog(
        pride=m / "sat_parameters_PRIDE.txt",
        svb=[m / f"gpsppp.svb_{x}_yrly" for x in ("gps", "gln", "gal", "bei")],
        antex=atx,
    )
    product = BroadcastProduct(nav, selection="transmitted")
    for name in ("COD0MGXFIN_20201770000_01D_05M_ORB.SP3", "GBM0MGXRAP_20201770000_01D_05M_ORB_73epoch.sp3"):
        sp3 = kompas.read_sp3(a / name)
        for prefer in ("antex", "nominal"):
            t0 = time.perf_counter()
            res = sisre(
                product, PreciseProduct(sp3), sp3.time_ns, sp3.sats, antex=atx, catalog=cat, prefer=prefer,
                clock_datum=clock_datum,
            )  # fmt: skip
            print(f"\n{name}, offsets: {prefer} first, clock datum {clock_datum} "
                  f"({time.perf_counter() - t0:.1f} s); RMS in m")  # fmt: skip
            print(f"    {'group':11s} " + " ".join(f"{c[:10]:>10s}" for c in COLS))
            for g in res.groups():
                print(
                    f"    {g['name']:11s} "
                    + " ".join(f"{g[c]:10.2f}" if isinstance(g[c], float) else f"{g[c]!s:>10s}" for c in COLS)
                )
            if prefer == "antex":
                print(
                    "    per satellite: sat block apc radial_mean radial along cross clock_mean clock sisre debiased"
                )
                for r in res.table:
                    if not r.get("too_few") and r["sat"][0] in "RCE":
                        print(
                            f"    {r['sat']} {r['block'][:16]:16s} {r['apc']:7s} "
                            + " ".join(
                                f"{r[c]:6.2f}"
                                for c in (
                                    "radial_mean_m",
                                    "radial_m",
                                    "along_m",
                                    "cross_m",
                                    "clock_mean_m",
                                    "clock_m",
                                    "sisre_m",
                                    "sisre_debiased_m",
                                )
                            )
                        )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-sisre", action="store_true")
    ap.add_argument("--no-grid", action="store_true")
    ap.add_argument("--clock-datum", choices=("system", "bds-generation"), default="system")
    args = ap.parse_args()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d')}"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not args.no_grid:
            grid(args.repeat)
        if not args.no_sisre:
            sisre_tables(args.clock_datum)
    return 0


if __name__ == "__main__":
    sys.exit(main())
