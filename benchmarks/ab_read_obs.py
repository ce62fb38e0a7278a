"""Compare read_obs of two source trees side by side (a shared machine makes single timings unreliable).

    python benchmarks/ab_read_obs.py /path/to/before/src /path/to/after/src [--rounds 6] [--reads 5]

Reads the plain ESBC full day (set A, decompressed once into a temporary folder) alternately with each
tree, ``--rounds`` x ``--reads`` times per tree and backend (numpy, numba), each read in a fresh process
per round, and prints the minimum process CPU time and wall time of one ``read_obs`` per tree and
backend. Minima of interleaved runs are what load from other jobs disturbs least.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KOMPAS_DATA", REPO.parent / "shared" / "data"))
CRX = DATA / "A_2020-177_ESBC_WTZR" / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz"

_CHILD = """
import sys, time
from kompas._kernels import use
from kompas import read_obs
path, reads = sys.argv[1], int(sys.argv[2])
for backend in ("numpy", "numba"):
    with use(backend):
        read_obs(path)
        for _ in range(reads):
            c, w = time.process_time(), time.perf_counter()
            read_obs(path)
            print(backend, time.process_time() - c, time.perf_counter() - w)
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs=2, help="two source folders (each holding the kompas package)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--reads", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "ESBC.rnx"
        env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
        code = f"from kompas.io import read_bytes; open({str(plain)!r}, 'wb').write(read_bytes({str(CRX)!r}))"
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        best: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for tree in args.trees:
                env = dict(os.environ, PYTHONPATH=tree)
                out = subprocess.run([sys.executable, "-c", _CHILD, str(plain), str(args.reads)], env=env,
                                     check=True, capture_output=True, text=True).stdout  # fmt: skip
                for line in out.splitlines():
                    backend, cpu, wall = line.split()
                    b = best.setdefault((tree, backend), [float("inf"), float("inf")])
                    b[0], b[1] = min(b[0], float(cpu)), min(b[1], float(wall))
    print("| tree | backend | min CPU (s) | min wall (s) |\n|---|---|---|---|")
    for (tree, backend), (cpu, wall) in sorted(best.items()):
        print(f"| {tree} | {backend} | {cpu:.3f} | {wall:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
