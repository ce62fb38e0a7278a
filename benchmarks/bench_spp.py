"""Benchmark: kompas SPP beside RTKLIB's rnx2rtkp on the stations with truth coordinates.

    python benchmarks/bench_spp.py [--esbc] [--iono brdc|if]

For WTZR and WTZZ (set A, nav from ESBC's mixed file), PASA and SCOA (set D, BRDC) and, with
``--esbc``, the ESBC full day (against its header position, not a truth), and for each of BDS only,
GLONASS only, BDS+GLONASS and all systems, both programs run single point positioning with broadcast
ionosphere (or the ionosphere-free combination with ``--iono if``), Saastamoinen and a 10 deg mask.
Printed: horizontal, vertical and 3D RMS and 95 % errors, the share of epochs solved, wall times.
RTKLIB's single-mode positions are antenna reference points; the header's antenna delta is removed from
them so that both programs are compared at the marker.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KOMPAS_DATA", REPO.parent / "shared" / "data"))
A, D = DATA / "A_2020-177_ESBC_WTZR", DATA / "D_2026-120_PASA_SCOA_rtk"
STATIONS = {
    "WTZR": (A / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx", [A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"],
             (4075580.3111, 931854.0543, 4801568.2808)),
    "WTZZ": (A / "WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx", [A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"],
             (4075579.1913, 931853.3696, 4801569.1897)),
    "PASA": (D / "PASA00ESP_R_20261201000_02H_30S_MO.rnx", [D / "BRDC00WRD_R_20261200800_06H_MN.rnx"],
             (4644908.98702, -156644.937061, 4353623.158575)),
    "SCOA": (D / "SCOA00FRA_R_20261201000_02H_30S_MO.rnx", [D / "BRDC00WRD_R_20261200800_06H_MN.rnx"],
             (4639940.429559, -136224.81156, 4359552.50278)),
}  # fmt: skip
ESBC = (A / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz", [A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"], None)
CASES = {"C": 32, "R": 4, "CR": 36, "GRECJ": 61}  # RTKLIB navsys bits: GPS 1, GLO 4, GAL 8, QZS 16, BDS 32


def stats(enu, solved, total):
    hor = np.hypot(enu[:, 0], enu[:, 1])
    ver = np.abs(enu[:, 2])
    return {
        "h_rms": np.sqrt(np.mean(hor**2)), "v_rms": np.sqrt(np.mean(ver**2)),
        "d3_rms": np.sqrt(np.mean(hor**2 + ver**2)), "h95": np.percentile(hor, 95),
        "v95": np.percentile(ver, 95), "solved": solved / total,
    }  # fmt: skip


def run_rtklib(rnx2rtkp, obs, navs, navsys, iono, tmp):
    conf = tmp / "c.conf"
    conf.write_text(
        f"pos1-posmode=single\npos1-navsys={navsys}\npos1-elmask=10\npos1-ionoopt={'dual-freq' if iono == 'if' else 'brdc'}\n"
        "pos1-tropopt=saas\nout-solformat=xyz\n"
    )
    out = tmp / "r.pos"
    t = time.perf_counter()
    subprocess.run(
        [rnx2rtkp, "-k", str(conf), "-o", str(out), str(obs), *map(str, navs)],
        check=True,
        capture_output=True,
    )
    dt = time.perf_counter() - t
    xyz = [
        list(map(float, ln.split()[2:5]))
        for ln in out.read_text().splitlines()
        if ln and not ln.startswith("%")
    ]
    return np.array(xyz).reshape(-1, 3), dt


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--esbc", action="store_true", help="also the ESBC full day (33 MB)")
    ap.add_argument("--iono", choices=("brdc", "if"), default="brdc")
    args = ap.parse_args()
    from kompas import spp
    from kompas.frames import ecef_to_enu
    from kompas.io import read_bytes
    from kompas.io.readers.rinex_nav import read_nav
    from kompas.io.readers.rinex_obs import read_obs

    rnx2rtkp = shutil.which("rnx2rtkp")
    tmp = Path(tempfile.mkdtemp(prefix="kompas-spp-"))
    stations = dict(STATIONS)
    if args.esbc:
        stations["ESBC"] = ESBC
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d')}; iono {args.iono}")  # fmt: skip
    print("\n| station | systems | program | solved | H RMS | V RMS | 3D RMS | H 95% | V 95% | time (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, (obs_path, nav_paths, truth) in stations.items():
        plain_obs = tmp / f"{name}.obs"
        plain_obs.write_bytes(read_bytes(obs_path))
        plain_navs = []
        for k, p in enumerate(nav_paths):
            q = tmp / f"{name}_{k}.nav"
            q.write_bytes(read_bytes(p))
            plain_navs.append(q)
        obs = read_obs(plain_obs)
        navs = [read_nav(p) for p in plain_navs]
        ref = np.asarray(truth if truth is not None else obs.header.approx_position_m, dtype=float)
        for systems, navsys in CASES.items():
            t = time.perf_counter()
            sol = spp(read_obs(plain_obs), [read_nav(p) for p in plain_navs], systems=systems, iono=args.iono)
            dt = time.perf_counter() - t
            s = stats(sol.enu_error_m(ref)[sol.ok], sol.ok.sum(), len(sol))
            print(f"| {name} | {systems} | kompas | {100 * s['solved']:.0f} % | {s['h_rms']:.2f} | {s['v_rms']:.2f} | "
                  f"{s['d3_rms']:.2f} | {s['h95']:.2f} | {s['v95']:.2f} | {dt:.2f} |")  # fmt: skip
            if rnx2rtkp:
                xyz, dt = run_rtklib(rnx2rtkp, plain_obs, plain_navs, navsys, args.iono, tmp)
                if len(xyz):
                    # RTKLIB 2.4.3 single mode reports the antenna reference point (the header's antenna
                    # delta is not applied): move it to the marker as kompas does, so both are compared
                    # with the marker truth alike
                    dh, de, dn = obs.header.antenna_delta_hen_m
                    r = stats(ecef_to_enu(xyz, ref) - np.array([de, dn, dh]), len(xyz), obs.n_epochs)
                    print(f"| {name} | {systems} | RTKLIB | {100 * r['solved']:.0f} % | {r['h_rms']:.2f} | "
                          f"{r['v_rms']:.2f} | {r['d3_rms']:.2f} | {r['h95']:.2f} | {r['v95']:.2f} | {dt:.2f} |")  # fmt: skip
                else:
                    print(f"| {name} | {systems} | RTKLIB | 0 % | - | - | - | - | - | {dt:.2f} |")
        del navs
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
