"""Benchmark: whole-process `kompas spp` beside `rnx2rtkp` on the ESBC full day: wall time and peak memory.

    python benchmarks/bench_spp_process.py [--repeat 3] [--kernels auto|numpy]

Both programs read the same plain RINEX 3.05 observation (2880 epochs, 30 s) and navigation files, solve
single point positions with broadcast ionosphere, Saastamoinen and a 10 deg mask, and write a .pos file;
BDS+GLONASS and all systems. The runs alternate (kompas, RTKLIB, kompas, ...) so that both see the same
machine load; printed are the median wall time and the peak resident set size of each process (GNU ``time``,
Debian package ``time``). ``--kernels numpy`` runs kompas without numba (the default install has no numba: it is the
``fast`` extra).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bytecode import ensure_bytecode

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KOMPAS_DATA", REPO.parent / "shared" / "data"))
A = DATA / "A_2020-177_ESBC_WTZR"
CASES = {"CR": 36, "GRECJ": 61}


def _run(cmd, env=None):
    """Wall time (s) and peak RSS (MB) of one process, measured by GNU time (``/usr/bin/time``) so that the
    memory of this Python process, from which the child is forked, is not counted."""
    out = tempfile.NamedTemporaryFile(suffix=".time", delete=False)
    out.close()
    subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", out.name, *cmd], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=env, check=True)  # fmt: skip
    wall, rss_kb = Path(out.name).read_text().split()[-2:]
    os.unlink(out.name)
    return float(wall), float(rss_kb) / 1024.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--kernels", choices=("auto", "numpy"), default="auto")
    args = ap.parse_args(argv)
    print(ensure_bytecode())
    from kompas.io import read_bytes

    tmp = Path(tempfile.mkdtemp(prefix="kompas-proc-"))
    obs, nav = tmp / "esbc.obs", tmp / "esbc.nav"
    obs.write_bytes(read_bytes(A / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz"))
    nav.write_bytes(read_bytes(A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"))
    kompas = shutil.which("kompas") or sys.exit("the kompas console script is not installed")
    rnx2rtkp = shutil.which("rnx2rtkp")
    env = dict(os.environ, KOMPAS_KERNELS=args.kernels if args.kernels == "numpy" else "")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d')}; kompas kernels: {args.kernels}\n")  # fmt: skip
    print("| systems | program | wall time (s, median) | peak RSS (MB) |")
    print("|---|---|---|---|")
    for systems, navsys in CASES.items():
        conf = tmp / f"{systems}.conf"
        conf.write_text(f"pos1-posmode=single\npos1-navsys={navsys}\npos1-elmask=10\npos1-ionoopt=brdc\n"
                        "pos1-tropopt=saas\n")  # fmt: skip
        k_runs, r_runs = [], []
        for _ in range(args.repeat):
            k_runs.append(_run([kompas, "spp", str(obs), str(nav), "--systems", systems, "-o", str(tmp / "k.pos")],
                               env))  # fmt: skip
            if rnx2rtkp:
                r_runs.append(_run([rnx2rtkp, "-k", str(conf), "-o", str(tmp / "r.pos"), str(obs), str(nav)]))
        for name, runs in (("kompas", k_runs), ("rnx2rtkp", r_runs)):
            if runs:
                print(f"| {systems} | {name} | {statistics.median(r[0] for r in runs):.2f} | "
                      f"{max(r[1] for r in runs):.0f} |")  # fmt: skip
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
