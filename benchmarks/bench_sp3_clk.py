"""Read time of the SP3 and RINEX clock readers on the real products (run by hand).

    python benchmarks/bench_sp3_clk.py [DATA_DIR]

DATA_DIR defaults to ../shared/data beside the repository (or $KOMPAS_DATA). Prints the best of
five wall times per file.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

from kompas.io import read_bytes
from kompas.io.readers.clk import read_clk
from kompas.io.readers.sp3 import read_sp3

FILES = [
    (read_sp3, "A_2020-177_ESBC_WTZR/COD0MGXFIN_20201770000_01D_05M_ORB.SP3"),
    (read_sp3, "A_2020-177_ESBC_WTZR/GBM0MGXRAP_20201770000_01D_05M_ORB_73epoch.sp3"),
    (read_sp3, "A_2020-177_ESBC_WTZR/GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz"),
    (read_sp3, "E_2026-133_ZIM2/IGS0OPSFIN_20261330000_01D_15M_ORB.SP3"),
    (read_clk, "A_2020-177_ESBC_WTZR/GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"),
    (read_clk, "D_2026-120_PASA_SCOA_rtk/IGS0OPSFIN_2026120095930_02H01M_30S_CLK.CLK"),
    (read_clk, "G_2021-118_SLAC_rinex2/COD0MGXFIN_20211180000_01D_30S_CLK.CLK"),
]


def best_of(fn, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    default = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    root = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("KOMPAS_DATA", default))
    warnings.simplefilter("ignore")
    for reader, rel in FILES:
        path = root / rel
        raw, data = best_of(lambda p=path: read_bytes(p))
        t, out = best_of(lambda p=path, r=reader: r(p))
        n_lines = data.count(b"\n")
        print(
            f"{reader.__name__:8s} {t * 1e3:7.1f} ms  (decompress {raw * 1e3:5.1f} ms, {n_lines:7d} lines, "
            f"{n_lines / t / 1e6:4.2f} M lines/s)  {rel.split('/')[-1]}  -> {out!r}"
        )


if __name__ == "__main__":
    main()
