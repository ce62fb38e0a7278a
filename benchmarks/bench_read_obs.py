"""Benchmark: reading the ESBC full day (set A) beside RTKLIB's rnx2rtkp and georinex.

Run by hand from the repository root:

    python benchmarks/bench_read_obs.py [--georinex] [--repeat 5]

It decompresses ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz once into a temporary folder (33 MB of
RINEX 3.05), then times, in one run on one machine:
  - kompas read_obs of the plain file, numpy path and numba path (best of --repeat);
  - kompas read_obs of the .crx.gz original, decompression included;
  - RTKLIB rnx2rtkp single point solution of the plain file with BDS+GLONASS (whole process);
  - georinex 1.16.2 load of the plain file (only with --georinex: it takes minutes);
  - peak memory of a read_obs in a fresh process against the size of the finished table.
Results go to stdout as a Markdown table for BENCHMARKS.md.
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

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KOMPAS_DATA", REPO.parent / "shared" / "data"))
SET_A = DATA / "A_2020-177_ESBC_WTZR"
CRX = SET_A / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz"
NAV = SET_A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), times


def peak_memory(path: Path, backend: str) -> tuple[float, float]:
    """(peak traced allocation during read_obs, size of the finished table) in MB, in a fresh process.

    tracemalloc sees numpy's and Python's allocations (not the shared libraries' static memory), so
    the figure is what reading the file costs.
    """
    code = f"""
import tracemalloc
from kompas._kernels import use
from kompas import read_obs
with use({backend!r}):
    read_obs({str(path)!r})  # warm: numba compile/cache load, imports
    tracemalloc.start()
    obs = read_obs({str(path)!r})
    peak = tracemalloc.get_traced_memory()[1]
fields = ("time_ns", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli", "ssi",
          "epoch_time_ns", "epoch_offsets")
print(peak / 2**20, sum(getattr(obs, f).nbytes for f in fields) / 2**20)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--georinex", action="store_true", help="also time georinex (minutes)")
    args = ap.parse_args()

    from kompas._kernels import numba_available, use
    from kompas.io import read_bytes
    from kompas.io.readers.rinex_obs import read_obs

    tmp = Path(tempfile.mkdtemp(prefix="kompas-bench-"))
    plain = tmp / "ESBC00DNK_R_20201770000_01D_30S_MO.rnx"
    plain.write_bytes(read_bytes(CRX))
    nav = tmp / "ESBC00DNK_R_20201770000_01D_MN.rnx"
    nav.write_bytes(read_bytes(NAV))
    rows = []
    obs = read_obs(plain)
    print(
        f"# {plain.name}: {plain.stat().st_size / 1e6:.1f} MB, {obs.n_epochs} epochs, {len(obs)} rows",
        file=sys.stderr,
    )

    with use("numpy"):
        t_np, _ = best(lambda: read_obs(plain), args.repeat)
    rows.append(("kompas read_obs, plain, numpy", t_np))
    if numba_available():
        with use("numba"):
            read_obs(plain)  # compile / load the cached kernel
            t_nb, _ = best(lambda: read_obs(plain), args.repeat)
            t_crx, _ = best(lambda: read_obs(CRX), args.repeat)
        rows.append(("kompas read_obs, plain, numba", t_nb))
        rows.append(("kompas read_obs, .crx.gz (decompression included), numba", t_crx))
    with use("numpy"):
        t_crx_np, _ = best(lambda: read_obs(CRX), args.repeat)
    rows.append(("kompas read_obs, .crx.gz (decompression included), numpy", t_crx_np))

    rnx2rtkp = shutil.which("rnx2rtkp")
    if rnx2rtkp:
        conf = tmp / "spp.conf"
        conf.write_text(
            "pos1-posmode=single\npos1-navsys=40\npos1-elmask=10\npos1-ionoopt=brdc\npos1-tropopt=saas\n"
        )  # navsys 40 = GLONASS (4) + BeiDou (32)
        out = tmp / "esbc.pos"
        t_rtk, _ = best(
            lambda: subprocess.run(
                [rnx2rtkp, "-k", str(conf), "-o", str(out), str(plain), str(nav)],
                check=True, capture_output=True,
            ),
            args.repeat,
        )  # fmt: skip
        rows.append(("RTKLIB rnx2rtkp single point BDS+GLONASS, whole process", t_rtk))
    if args.georinex:
        import georinex

        t = time.perf_counter()
        georinex.load(plain)
        rows.append(("georinex 1.16.2 load, plain", time.perf_counter() - t))

    mem = {b: peak_memory(plain, b) for b in (["numpy", "numba"] if numba_available() else ["numpy"])}

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d')}")  # fmt: skip
    print()
    print("| what | wall time (s) |")
    print("|---|---|")
    for what, t in rows:
        print(f"| {what} | {t:.3f} |")
    print()
    for b, (peak, table) in mem.items():
        print(
            f"- {b}: peak memory of read_obs {peak:.0f} MB for a {table:.0f} MB table ({peak / table:.2f} x)"
        )
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
