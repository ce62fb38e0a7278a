"""Reading an IGS-sized ANTEX file whole and for the receivers a run needs (run by hand).

    python benchmarks/bench_antex.py [--copies 27] [--repeat 3]

The shared data hold trimmed ANTEX files only. This script builds an IGS-sized one in a temporary
directory from set D's (``igs20_pasa_scoa_gps.atx``: 116 satellite blocks and the two receiver antennas of
PASA and SCOA, each with grids on many frequencies): ``--copies`` renamed copies of the two receiver blocks
(``ANT00000`` ...), then the satellites and the two real receivers. With the default it is 16.0 MB with
56 receiver antennas (the IGS's own file is not in the shared data; its size was not measured here).
Printed: ``kompas.read_antex`` of the whole file, of the two receivers PASA and SCOA carry (what
``kompas rtk`` reads), and of the satellites alone (``kompas monitor``), best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(
    os.environ.get("KOMPAS_DATA")
    or next((p / "shared" / "data" for p in REPO.parents if (p / "shared" / "data").is_dir()), REPO.parent)
)
SOURCE = DATA / "D_2026-120_PASA_SCOA_rtk" / "igs20_pasa_scoa_gps.atx"


def blocks(lines):
    """Header lines and the antenna blocks (lists of lines) of an ANTEX file."""
    end = next(i for i, ln in enumerate(lines) if ln[60:80].strip() == "END OF HEADER")
    out, cur = [], []
    for ln in lines[end + 1 :]:
        cur.append(ln)
        if ln[60:80].strip() == "END OF ANTENNA":
            out.append(cur)
            cur = []
    return lines[: end + 1], out


def is_satellite(block) -> bool:
    serial = next(ln for ln in block if ln[60:80].strip() == "TYPE / SERIAL NO")[20:40].strip()
    return len(serial) == 3 and serial[1:].isdigit()


def build(path: Path, copies: int) -> None:
    header, blks = blocks(SOURCE.read_text().splitlines())
    sats = [b for b in blks if is_satellite(b)]
    rcv = [b for b in blks if not is_satellite(b)]
    out = list(header)
    for k in range(copies):
        for b in rcv:
            out += [
                f"ANT{k:05d}".ljust(16) + ln[16:] if ln[60:80].strip() == "TYPE / SERIAL NO" else ln
                for ln in b
            ]
    for b in sats + rcv:
        out += b
    path.write_text("\n".join(out) + "\n")


def main() -> None:
    import kompas

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=27)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.atx"
        build(path, args.copies)
        print(f"{path.stat().st_size / 1e6:.1f} MB, built from {SOURCE.name}")
        for what, receivers in (("whole file", None), ("PASA and SCOA's antennas", ["LEIAR20 LEIM", "TRM55971.00 NONE"]),
                                ("satellites alone", [])):  # fmt: skip
            best = float("inf")
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                atx = kompas.read_antex(path, receivers=receivers)
                best = min(best, time.perf_counter() - t0)
            print(f"{what:26s} {best:6.3f} s  {atx!r}")


if __name__ == "__main__":
    main()
