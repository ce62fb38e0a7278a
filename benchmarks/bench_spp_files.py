"""Benchmark: SPP on every shared observation file with a same-day navigation file, beside rnx2rtkp.

    python benchmarks/bench_spp_files.py [--iono brdc|if] [--only KMS3,AJAC] [--rtklib-iono]

For each station of :data:`spp_reference.PAIRS` and every system both files hold (each alone, and all
together), kompas and RTKLIB 2.4.3 (Debian ``rnx2rtkp``, 10 deg mask, Saastamoinen, broadcast ionosphere
or the iono-free combination) solve every epoch; printed are the share of epochs solved and the 3D RMS
against the best reference coordinate available for the station (:data:`REFERENCES`: a truth, the IGS
weekly SINEX of 2020-11 in the shared data, or the header's approximate position, labelled).
RTKLIB's single-mode positions are antenna reference points and are moved to the marker as kompas does.
``--rtklib-iono`` gives kompas what RTKLIB 2.4.3 uses where it cannot read a file's ionosphere parameters
(RINEX 4 ``> ION`` frames, a Galileo-only header): its built-in default GPS Klobuchar set for every system.
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
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spp_reference

DATA = spp_reference.DATA
# RTKLIB 2.4.3 ``ion_default`` (rtkcmn.c): the Klobuchar set it falls back on when the file has none
RTKLIB_DEFAULT_KLOBUCHAR = (0.1118e-07, -0.7451e-08, -0.5961e-07, 0.1192e-06,
                            0.1167e06, -0.2294e06, -0.1311e06, 0.1049e07)  # fmt: skip
NAVSYS = {"G": 1, "R": 4, "E": 8, "J": 16, "C": 32, "I": 64}
REFERENCES = {
    "WTZR": ((4075580.3111, 931854.0543, 4801568.2808), "EPN truth (MANIFEST)"),
    "WTZZ": ((4075579.1913, 931853.3696, 4801569.1897), "EPN truth (MANIFEST)"),
    "PASA": ((4644908.98702, -156644.937061, 4353623.158575), "EPN truth (MANIFEST)"),
    "SCOA": ((4639940.429559, -136224.81156, 4359552.50278), "EPN truth (MANIFEST)"),
    "AJAC": ("sinex", "IGS weekly SINEX 2020-11 (plate motion ~8 cm to 2024)"),
    "NYA1": ("sinex", "IGS weekly SINEX 2020-11 (~10 cm to 2024)"),
}


def reference(station, obs):
    ref = REFERENCES.get(station)
    if ref is None:
        return np.asarray(obs.station.approx_position_m, dtype=float), "header APPROX POSITION (not a truth)"
    if ref[0] == "sinex":
        from kompas.io.readers.sinex import read_sinex

        xyz, _, _ = read_sinex(DATA / "stations" / "igs20P2131_wocov.snx").station_position(station)
        return np.asarray(xyz, dtype=float), ref[1]
    return np.asarray(ref[0], dtype=float), ref[1]


def rtklib(rnx2rtkp, obs, navs, systems, iono, tmp):
    conf = tmp / "c.conf"
    mode = "dual-freq" if iono == "if" else "brdc"
    navsys = sum(NAVSYS[c] for c in systems)
    conf.write_text(f"pos1-posmode=single\npos1-navsys={navsys}\npos1-elmask=10\npos1-ionoopt={mode}\n"
                    "pos1-tropopt=saas\nout-solformat=xyz\n")  # fmt: skip
    out = tmp / "r.pos"
    t = time.perf_counter()
    subprocess.run(
        [rnx2rtkp, "-k", str(conf), "-o", str(out), str(obs), *map(str, navs)], capture_output=True
    )
    dt = time.perf_counter() - t
    rows = (
        [ln.split()[2:5] for ln in out.read_text().splitlines() if ln and not ln.startswith("%")]
        if out.exists()
        else []
    )
    return np.array(rows, dtype=float).reshape(-1, 3), dt


def main(argv=None) -> int:
    import kompas
    from kompas.frames import ecef_to_enu
    from kompas.io import read_bytes
    from kompas.stats import error_stats

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iono", choices=("brdc", "if"), default="brdc")
    ap.add_argument("--only", help="comma-separated stations")
    ap.add_argument(
        "--rtklib-iono", action="store_true", help="kompas with RTKLIB's default Klobuchar set only"
    )
    args = ap.parse_args(argv)
    rnx2rtkp = shutil.which("rnx2rtkp")
    if args.rtklib_iono:
        from kompas.products import ionosphere

        default = {"GPS_KLOB": np.array(RTKLIB_DEFAULT_KLOBUCHAR)}
        ionosphere._frame_sets = lambda navs: {}
        ionosphere._header_sets = lambda navs: default
    tmp = Path(tempfile.mkdtemp(prefix="kompas-files-"))
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d')}; iono {args.iono}\n")  # fmt: skip
    print(
        "| station | systems | reference | kompas solved | kompas 3D RMS (m) | RTKLIB solved | RTKLIB 3D RMS (m) |"
    )
    print("|---|---|---|---|---|---|---|")
    only = set(args.only.split(",")) if args.only else None
    for station, (obs_rel, nav_rels) in spp_reference.PAIRS.items():
        if only and station not in only:
            continue
        obs_p = tmp / f"{station}.obs"
        obs_p.write_bytes(read_bytes(DATA / obs_rel))
        nav_ps = []
        for k, rel in enumerate(nav_rels):
            nav_ps.append(tmp / f"{station}_{k}.nav")
            nav_ps[-1].write_bytes(read_bytes(DATA / rel))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obs = kompas.read_obs(obs_p)
            navs = [kompas.read_nav(p) for p in nav_ps]
        ref, label = reference(station, obs)
        nav_sys = {
            c for n in navs for c in kompas.satsys.sat_letter(np.r_[n.kepler.sat, n.glonass.sat]).tolist()
        }
        both = "".join(c for c in "GRECJ" if c in obs.systems and c in nav_sys)
        for systems in list(both) + ([both] if len(both) > 1 else []):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sol = kompas.spp(obs, navs, systems=systems, iono=args.iono)
            k = error_stats(sol.enu_error_m(ref)[sol.ok])
            r_line = "- | -"
            if rnx2rtkp:
                xyz, _ = rtklib(rnx2rtkp, obs_p, nav_ps, systems, args.iono, tmp)
                dh, de, dn = obs.station.antenna_delta_hen_m
                r = error_stats(ecef_to_enu(xyz, ref) - np.array([de, dn, dh])) if len(xyz) else None
                r_line = f"{len(xyz)}/{obs.n_epochs} | {r.d3_rms:.2f}" if r else f"0/{obs.n_epochs} | -"
            print(
                f"| {station} | {systems} | {label} | {int(sol.ok.sum())}/{len(sol)} | {k.d3_rms:.2f} | {r_line} |"
            )
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
