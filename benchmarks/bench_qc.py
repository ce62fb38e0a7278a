"""Benchmark: whole-process `kompas qc` of the ESBC full day beside `rnx2rtkp`'s single point run.

    python benchmarks/bench_qc.py [--repeat 3] [--html]

kompas qc reads the day as distributed (``ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz``, Hatanaka + gzip, 2880
epochs at 30 s, GPS/GLONASS/Galileo/BDS/QZSS/SBAS) and its navigation file and computes every QC table
(``-q``: summaries printed; ``--html`` adds the report with its figures). rnx2rtkp (RTKLIB) solves single
point positions of all systems (broadcast ionosphere, Saastamoinen, 10 deg mask) from the expanded plain
RINEX of the same day (it cannot read Hatanaka itself). The runs alternate so both see the same machine
load; printed are the median wall time and peak RSS per process (GNU ``time``, as in bench_spp_process.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _bytecode import ensure_bytecode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_spp_process import _run

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KOMPAS_DATA", REPO.parent / "shared" / "data"))
A = DATA / "A_2020-177_ESBC_WTZR"
OBS = A / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz"
NAV = A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--html", action="store_true", help="also write the HTML report")
    args = ap.parse_args(argv)
    print(ensure_bytecode())
    from kompas.io import read_bytes

    tmp = Path(tempfile.mkdtemp(prefix="kompas-qc-"))
    obs, nav = tmp / "esbc.obs", tmp / "esbc.nav"
    obs.write_bytes(read_bytes(OBS))
    nav.write_bytes(read_bytes(NAV))
    kompas = shutil.which("kompas") or sys.exit("the kompas console script is not installed")
    rnx2rtkp = shutil.which("rnx2rtkp")
    conf = tmp / "spp.conf"
    conf.write_text(
        "pos1-posmode=single\npos1-navsys=61\npos1-elmask=10\npos1-ionoopt=brdc\npos1-tropopt=saas\n"
    )
    cmd = [kompas, "qc", str(OBS), str(NAV), "-q"] + (["--html", str(tmp / "html")] if args.html else [])
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d')}; load average {os.getloadavg()[0]:.1f}\n")  # fmt: skip
    k_runs, r_runs = [], []
    for _ in range(args.repeat):
        k_runs.append(_run(cmd))
        if rnx2rtkp:
            r_runs.append(_run([rnx2rtkp, "-k", str(conf), "-o", str(tmp / "r.pos"), str(obs), str(nav)]))
    print("| program | wall time (s, median) | peak RSS (MB) |")
    print("|---|---|---|")
    label = "kompas qc -q" + (" --html" if args.html else "") + " (.crx.gz)"
    for name, runs in ((label, k_runs), ("rnx2rtkp single, all systems (plain RINEX)", r_runs)):
        if runs:
            print(f"| {name} | {statistics.median(r[0] for r in runs):.2f} | {max(r[1] for r in runs):.0f} |")
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
