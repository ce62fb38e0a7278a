"""Benchmark: how far a broadcast orbit drifts when its record is used hours before or after its reference epoch.

    python benchmarks/bench_record_age.py

On ESBC's full-day navigation file of set A (../shared/data, 2020-06-25) each BeiDou D1 and Galileo I/NAV
record (every third of each satellite) is evaluated alone at ``toe + dh`` hours and compared with the
record the post-processing policy picks there when that one is fresh (|t - toe| < 30 min, the reference).
Printed per system and offset: the number of comparisons, RMS, 95th percentile and maximum of the 3D
position difference, m. The RMS values are the table ``RECORD_AGE_ORBIT_SIGMA_M`` of
:mod:`kompas.products.broadcast` (RTK's orbit noise of records used far from their toe).
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
from bench_rtk import REPO, A

OFFSETS_H = (-3.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0)


def main() -> int:
    sys.path.insert(0, str(REPO / "src"))
    import kompas
    from kompas.products.broadcast import BroadcastProduct
    from kompas.satsys import sat_letter

    nav = kompas.read_nav(A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    k = nav.kepler

    def only(mask):
        cols = {f.name: getattr(k, f.name)[mask] for f in dataclasses.fields(k)}
        return dataclasses.replace(nav, kepler=dataclasses.replace(k, **cols))

    fresh = BroadcastProduct(nav, policy="post")
    out: dict = {}
    for letter, msg in (("C", "D1"), ("E", "INAV")):
        wide = {letter: 30000.0}
        for s in np.unique(k.sat[(sat_letter(k.sat) == letter) & (k.msg == msg)]):
            m = (k.sat == s) & (k.msg == msg)
            for toe in np.unique(k.toe_ns[m])[::3]:
                one = BroadcastProduct(only(m & (k.toe_ns == toe)), policy="rtklib", max_dtoe_s=wide,
                                       max_before_toe_s=wide)  # fmt: skip
                t = toe + np.round(np.array(OFFSETS_H) * 3.6e12).astype(np.int64)
                a, f = one.state(np.full(t.size, s), t), fresh.state(np.full(t.size, s), t)
                ok = a.ok & f.ok & (np.abs(f.age_s) < 1800.0)
                for dh, d in zip(
                    np.array(OFFSETS_H)[ok], np.linalg.norm(a.pos_m - f.pos_m, axis=1)[ok], strict=True
                ):
                    out.setdefault((letter, float(dh)), []).append(float(d))
    print("| system | t - toe (h) | n | RMS (m) | 95 % (m) | max (m) |")
    print("|---|---|---|---|---|---|")
    for (letter, dh), v in sorted(out.items()):
        v = np.array(v)
        print(
            f"| {letter} | {dh:+.1f} | {v.size} | {np.sqrt(np.mean(v**2)):.2f} | {np.percentile(v, 95):.2f} | {v.max():.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
