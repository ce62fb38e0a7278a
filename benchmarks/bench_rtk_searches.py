"""Benchmark (a data check): the integer searches of one kompas RTK run, by the model's success rate.

    python benchmarks/bench_rtk_searches.py [--systems C] [--baseline "PASA -> SCOA"]

Every integer search of the run's ambiguity resolution (:func:`kompas.estimators.rtk_ar._try`: one LAMBDA
search of a subset of double differences) is logged with the subset's size, its satellite count, the
ratio and the bootstrapped success rate (Teunissen 1998). The table shows what the acceptance tiers refuse
and why: a fix needs a success rate of 0.99 with ratio 3 (0.999 with 1.5; 0.9 with 10 on six satellites or
more). Settings as ``bench_rtk.py`` (kinematic, forward, 15 deg mask, ANTEX, base at its truth).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from bench_rtk import BASELINES, scores, solve

BINS = ((0.0, 0.5), (0.5, 0.9), (0.9, 0.99), (0.99, 1.01))


def run(baseline: str, systems: str):
    from kompas.estimators import rtk_ar

    bl = BASELINES[baseline]
    log = []
    real = rtk_ar._try

    def logged(a, Q, opts, n_sat):
        out = real(a, Q, opts, n_sat)
        log.append((a.size, n_sat, out[1], out[2], out[0]))
        return out

    rtk_ar._try = logged
    try:
        sol = solve(bl, systems)
    finally:
        rtk_ar._try = real
    return sol, np.array(log, float).reshape(-1, 5), bl


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--systems", default="C")
    ap.add_argument("--baseline", default="PASA -> SCOA", choices=sorted(BASELINES))
    args = ap.parse_args(argv)
    sol, log, bl = run(args.baseline, args.systems)
    q = np.asarray(sol.quality)
    s = scores(sol.pos_m, q, bl["rover_xyz"])
    first = int(np.argmax(q == 1)) if (q == 1).any() else None
    print(f"{args.baseline}, {args.systems}: correct fixes {s['correct']:.1f} %, wrong {s['wrong']:.1f} %, "
          f"first fixed epoch {first}; {len(log)} integer searches")  # fmt: skip
    print("| success rate | searches | with ratio >= 3 | accepted | median ambiguities | median satellites |")
    print("|---|---:|---:|---:|---:|---:|")
    for lo, hi in BINS:
        m = (log[:, 3] >= lo) & (log[:, 3] < hi)
        med = (f"{np.median(log[m, 0]):.0f} | {np.median(log[m, 1]):.0f}") if m.any() else "- | -"
        print(
            f"| {lo}-{min(hi, 1.0)} | {m.sum()} | {(log[m, 2] >= 3).sum()} | {int(log[m, 4].sum())} | {med} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
