"""Benchmark: the service-volume grid of `kompas monitor`, and the SISRE figures of set A.

    python benchmarks/bench_monitor.py [--repeat 1] [--no-sisre] [--no-grid] [--clock-datum bds-generation]

Grid: a 5-degree global grid (37 x 72 nodes) for one day at 5-min steps (288 epochs), four system mixes
(BDS, GLONASS, BDS+GLONASS, all), from set H's DLR merged broadcast file of 2023-03-12 (every satellite
all day; ICD record policy): wall time of `service_volume` (reading excluded, printed apart).
SISRE: set A's ESBC navigation file against CODE (full day) and GFZ (00-06 h) MGEX orbits and clocks, with
ANTEX (IGS20, GPS) or GPSPACE nominal offsets, attitude laws from the PRIDE table, per group; then every
satellite above issue 15's target of its group with the part of its error that explains it (constant
reference point or clock offset, or a time-varying rest, split by the age of the broadcast record).
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
                attribution(res)


TARGETS = {"GPS": 0.6, "Galileo": 0.35, "BDS-3 MEO": 0.6, "BDS-2 IGSO": 1.5, "BDS-2 MEO": 1.5, "GLONASS": 2.0}
"""Issue 15's orbit+clock SISRE levels per group, m."""


STALE_H = 3.0
"""Records at least this old are counted apart in the attribution (hours)."""


def cause(r: dict, target: float, fresh: float, stale: float) -> str:
    """Why a satellite's SISRE exceeds its group's target: its constant part (``bias_m``, split into the
    radial reference point and the clock) or its time-varying rest (``sisre_debiased_m``), the latter
    split by the age of the broadcast record (``fresh``/``stale``: its RMS below/above STALE_H)."""
    if r["sisre_debiased_m"] <= target:
        if abs(r["bias_radial_m"]) >= abs(r["bias_clock_m"]):
            return f"constant: reference point (w_R x radial mean {r['bias_radial_m']:+.2f} m)"
        return f"constant: clock offset {r['bias_clock_m']:+.2f} m"
    if np.isfinite(stale) and fresh <= target:
        return f"time-varying: records >= {STALE_H:.0f} h old ({stale:.2f} m there, {fresh:.2f} m on younger)"
    return "time-varying: orbit/clock error of the records"


def attribution(res) -> None:
    """Every satellite above its group's target, with the part of its error that explains it."""
    from kompas.monitor.sisre import _rms, group_of
    from kompas.satsys import sat_index

    rows = [
        r for r in res.table if not r.get("too_few") and r["group"] in TARGETS and np.isfinite(r["sisre_m"])
    ]
    old = res.age_s >= STALE_H * 3600.0
    print("    satellites above the issue-15 target of their group (m): sisre = sqrt(bias^2 + debiased^2)")
    print("    sat block            apc     sisre target   bias radial  clock debiased age_h  cause")
    for g, target in TARGETS.items():
        grp = [r for r in rows if r["group"] == g]
        above = [r for r in grp if r["sisre_m"] > target]
        for r in above:
            m = res.sat == sat_index(r["sat"])
            fresh, stale = _rms(res.sisre_debiased_m[m & ~old]), _rms(res.sisre_debiased_m[m & old])
            print(
                f"    {r['sat']} {r['block'][:16]:16s} {r['apc']:7s} {r['sisre_m']:5.2f} {target:6.2f} "
                f"{r['bias_m']:+6.2f} {r['bias_radial_m']:+6.2f} {r['bias_clock_m']:+6.2f} "
                f"{r['sisre_debiased_m']:8.2f} {r['age_max_h']:5.1f}  {cause(r, target, fresh, stale)}"
            )
        if grp:
            const = sum(r["sisre_debiased_m"] <= target for r in above)
            print(
                f"    {g}: {len(above)} of {len(grp)} satellites above {target} m, {const} of them by their constant part"
            )
    sats, which = np.unique(res.sat, return_inverse=True)
    groups = np.array([group_of(int(x)) for x in sats])[which]
    young = ", ".join(
        f"{g} {_rms(res.sisre_m[(groups == g) & ~old]):.2f}" for g in TARGETS if np.any((groups == g) & ~old)
    )
    print(f"    SISRE of the samples with records younger than {STALE_H:.0f} h: {young}")


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
