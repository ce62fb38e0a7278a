"""Benchmark (a data check): is the between-receiver slant ionosphere of set D a smooth field over the sky?

    python benchmarks/bench_rtk_iono_field.py [--systems GREC]

If the single-difference slant ionosphere ``I_s`` of each satellite followed a few parameters common to
all satellites -- a vertical delay difference and its horizontal gradients at the pierce points, mapped by
the single-layer obliquity ``M_s`` (``I_s = c + M_s (a + b_e x_s + b_n y_s)``, ``x_s``/``y_s`` the pierce
point's east/north offset, 350 km shell) -- a filter could estimate those few parameters instead of
(or as a prior for) one free state per satellite, which is what limits BeiDou alone over 21.8 km. The
check runs ``kompas.rtk`` (kinematic, the settings of ``bench_rtk.py``) on PASA -> SCOA and, at every fixed
epoch after the 40th with at least six satellites, fits the filter's ionosphere states (after the fix, the
differences between them are determined by the fixed phases) with three models: the epoch's constant
alone (``c``: the states' common part is not observable in double differences), ``c + a M_s`` and the
full field. Printed: RMS and 95th percentile of the residuals (scaled by sqrt(n / (n - p))), cm.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from bench_rtk import BASELINES, solve

R_EARTH_M, SHELL_M = 6371e3, 350e3


def collect(systems: str):
    """(quality per epoch, [(epoch, {sat: (state m, el rad, sat pos)})]) of one run."""
    from kompas.estimators import rtk as rtk_filter

    bl = BASELINES["PASA -> SCOA"]
    seen = []
    step = rtk_filter.RtkFilter.step

    def recording(self, e):
        res = step(self, e)
        states = {}
        for j, s in enumerate(e.sat.tolist()):
            c = self.index.get(f"ion:{s}")
            if c is not None:
                states[s] = (float(self.x[c]), float(e.el[j]), e.satpos[j].copy())
        seen.append(states)
        return res

    rtk_filter.RtkFilter.step = recording
    try:
        sol = solve(bl, systems)
    finally:
        rtk_filter.RtkFilter.step = step
    return np.asarray(sol.quality), seen, np.array(bl["base_xyz"])


def fit(quality, seen, base) -> dict:
    from kompas.frames import ecef_to_geodetic, enu_rotation

    llh = ecef_to_geodetic(base[None])
    rot = enu_rotation(llh[:, 0], llh[:, 1])[0]
    out = {"c": [], "c + a M": [], "c + M (a + b.x)": []}
    for k, states in enumerate(seen):
        if k < 40 or quality[k] != 1 or len(states) < 6:
            continue
        x = np.array([v[0] for v in states.values()])
        el = np.array([v[1] for v in states.values()])
        los = rot @ (np.array([v[2] for v in states.values()]) - base).T  # e, n, u rows
        az = np.arctan2(los[0], los[1])
        z = 0.5 * np.pi - el
        zp = np.arcsin(R_EARTH_M / (R_EARTH_M + SHELL_M) * np.sin(z))
        m = 1.0 / np.cos(zp)
        psi = (z - zp) * R_EARTH_M / 1e6  # pierce point's distance, 1000 km
        one = np.ones_like(x)
        for name, a in zip(out, (one[:, None], np.c_[one, m], np.c_[one, m, m * psi * np.sin(az),
                                                                  m * psi * np.cos(az)]), strict=True):  # fmt: skip
            coef, *_ = np.linalg.lstsq(a, x, rcond=None)
            out[name].extend((x - a @ coef) * np.sqrt(x.size / (x.size - a.shape[1])))
    return {k: np.array(v) for k, v in out.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--systems", default="GREC")
    args = ap.parse_args(argv)
    quality, seen, base = collect(args.systems)
    res = fit(quality, seen, base)
    n_ep = sum(1 for k, s in enumerate(seen) if k >= 40 and quality[k] == 1 and len(s) >= 6)
    print(f"PASA -> SCOA, {args.systems}: {int(np.sum(quality == 1))} of {quality.size} epochs fixed, "
          f"{n_ep} fitted")  # fmt: skip
    print("| model | residuals | RMS (cm) | 95 % (cm) |\n|---|---:|---:|---:|")
    for name, r in res.items():
        print(
            f"| {name} | {r.size} | {100 * np.sqrt(np.mean(r**2)):.2f} | {100 * np.percentile(np.abs(r), 95):.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
