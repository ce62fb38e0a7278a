"""Store (or check) SPP positions on every shared data set, to prove a refactor changes nothing.

    python benchmarks/spp_reference.py --write tests/data/spp_reference.npz   # from a chosen revision
    python benchmarks/spp_reference.py --check tests/data/spp_reference.npz   # the test does the same
    python benchmarks/spp_reference.py --update tests/data/spp_reference.npz --case NYA1_GE_if

For each observation file with a same-day navigation file in the shared data and each configuration
of :data:`CASES`, the marker positions are stored in millimetres (int64, relative to the header's
approximate position) with the quality flag of every epoch. ``tests/reference/test_spp_regression.py``
recomputes them and requires the same epochs solved and positions equal to 1 mm.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KOMPAS_DATA", REPO.parent / "shared" / "data"))

PAIRS = {
    "ESBC": ("A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz",
             ["A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"]),
    "WTZR": ("A_2020-177_ESBC_WTZR/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
             ["A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"]),
    "WTZZ": ("A_2020-177_ESBC_WTZR/WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
             ["A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"]),
    "NYA1": ("B_2024-124_NYA1/NYA100NOR_S_20241240000_01D_30S_MO.crx.gz",
             ["B_2024-124_NYA1/NYA100NOR_S_20241240000_01D_GN.rnx.gz",
              "B_2024-124_NYA1/NYA100NOR_S_20241240000_01D_CN.rnx.gz",
              "B_2024-124_NYA1/NYA100NOR_S_20241240000_01D_EN.rnx.gz"]),
    "AJAC": ("C_2024-209_AJAC/AJAC00FRA_R_20242090000_01D_30S_MO.crx.gz",
             ["C_2024-209_AJAC/GRAS00FRA_R_20242090000_01D_EN.rnx.gz"]),
    "PASA": ("D_2026-120_PASA_SCOA_rtk/PASA00ESP_R_20261201000_02H_30S_MO.rnx",
             ["D_2026-120_PASA_SCOA_rtk/BRDC00WRD_R_20261200800_06H_MN.rnx"]),
    "SCOA": ("D_2026-120_PASA_SCOA_rtk/SCOA00FRA_R_20261201000_02H_30S_MO.rnx",
             ["D_2026-120_PASA_SCOA_rtk/BRDC00WRD_R_20261200800_06H_MN.rnx"]),
    "KMS3": ("F_2022-159_KMS3_rinex4/KMS300DNK_R_20221591000_01H_30S_MO.crx",
             ["F_2022-159_KMS3_rinex4/KMS300DNK_R_20221591000_01H_MN.rnx.gz"]),
    "SLAC": ("G_2021-118_SLAC_rinex2/slac1180.21o", ["G_2021-118_SLAC_rinex2/brdc1180.21n"]),
    "DELF": ("rinex2_hatanaka/delf0010.21o",
             ["rinex2_hatanaka/cbw10010.21n.gz", "rinex2_hatanaka/dlf10010.21g"]),
}  # fmt: skip
"""Observation file and its navigation files, relative to the shared data folder."""

# (station, systems, iono): every system both files hold, the BDS+GLONASS pair and all systems; the
# configurations that the 2026-11 refactor must not change (iono "off" and "if" do not depend on the
# broadcast ionosphere models that issue 9 adds; "brdc" for GPS/BDS/GLONASS keeps Klobuchar)
CASES = [
    ("ESBC", "CR", "brdc"), ("ESBC", "GRECJ", "if"), ("ESBC", "C", "if"),
    ("WTZR", "G", "brdc"), ("WTZR", "R", "brdc"), ("WTZR", "C", "brdc"), ("WTZR", "CR", "brdc"),
    ("WTZR", "GRECJ", "off"), ("WTZR", "CR", "if"),
    ("WTZZ", "C", "brdc"), ("WTZZ", "CR", "if"), ("WTZZ", "GRECJ", "off"),
    ("NYA1", "G", "brdc"), ("NYA1", "GE", "if"),
    ("AJAC", "E", "off"),
    ("PASA", "GRC", "brdc"), ("PASA", "CR", "if"), ("PASA", "E", "off"),
    ("SCOA", "CR", "brdc"), ("SCOA", "GRECJ", "off"),
    ("KMS3", "GRC", "off"), ("KMS3", "C", "if"),
    ("SLAC", "G", "brdc"), ("SLAC", "G", "if"),
    ("DELF", "GR", "brdc"), ("DELF", "R", "if"),
]  # fmt: skip


def solve(station: str, systems: str, iono: str):
    """Quality flags (uint8) and positions in mm relative to the header position (int64)."""
    import kompas

    obs_rel, nav_rel = PAIRS[station]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = kompas.read_obs(DATA / obs_rel)
        navs = [kompas.read_nav(DATA / p) for p in nav_rel]
        sol = kompas.spp(obs, navs, systems=systems, iono=iono)
    ref = np.round(np.asarray(obs.header.approx_position_m, dtype=float), 3)
    mm = np.round((sol.pos_m - ref) * 1000.0)
    mm = np.where(np.isfinite(mm), mm, np.iinfo(np.int64).min).astype(np.int64)
    return np.asarray(sol.quality, dtype=np.uint8), mm


def key(case) -> str:
    return "_".join(case)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", metavar="NPZ")
    g.add_argument("--check", metavar="NPZ")
    g.add_argument("--update", metavar="NPZ", help="recompute only the cases named with --case")
    ap.add_argument("--case", action="append", default=[], help="e.g. NYA1_GE_if (with --update)")
    args = ap.parse_args(argv)
    if args.update:
        stored = dict(np.load(args.update))
        for case in CASES:
            if key(case) in args.case:
                stored[key(case) + "_q"], stored[key(case) + "_mm"] = solve(*case)
                print(f"{key(case):20s} updated")
        np.savez_compressed(args.update, **stored)
        return 0
    if args.write:
        out = {}
        for case in CASES:
            q, mm = solve(*case)
            out[key(case) + "_q"], out[key(case) + "_mm"] = q, mm
            print(f"{key(case):20s} {int((q > 0).sum())}/{q.size} solved")
        np.savez_compressed(args.write, **out)
        return 0
    ref = np.load(args.check)
    bad = 0
    for case in CASES:
        q, mm = solve(*case)
        q0, mm0 = ref[key(case) + "_q"], ref[key(case) + "_mm"]
        same_q = q.shape == q0.shape and np.array_equal(q, q0)
        dmax = int(np.abs(mm - mm0)[q > 0].max()) if same_q and (q > 0).any() else -1
        ok = same_q and dmax <= 1
        bad += not ok
        print(
            f"{key(case):20s} {'ok ' if ok else 'BAD'} epochs {int((q > 0).sum())}/{int((q0 > 0).sum())} max {dmax} mm"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
