"""Integer ambiguity resolution: kompas ``lambda_ils`` beside cssrlib's ``mlambda`` (run by hand).

    python benchmarks/bench_lambda.py [--problems 5] [--repeat 5]
    python benchmarks/bench_lambda.py --rtk     # the integer problems of kompas rtk on the two real baselines

For n = 10, 20 and 40 ambiguities and three kinds of float-ambiguity covariance, the same seeded
problems go through both implementations (best two candidates, as for the ratio test). Printed per row:
median and worst wall time per problem (each the best of ``--repeat`` runs, one run when it takes over
0.5 s), the decorrelation time alone for kompas, and whether every candidate pair and squared norm
agreed (rtol 1e-9).

Kinds: ``well`` (well-conditioned, A A^T / n + 0.2 I, variance ~0.01 cycles^2); ``rtk-short`` and
``rtk-noisy`` (a strong rank-3 baseline part of 25 cycles^2 over correlated phase noise of 1e-4 and 3e-3
cycles^2: the elongated ellipsoids LAMBDA exists for, condition 1e5 .. 1e7). The floats are the true
integers plus noise drawn from the covariance.

``--rtk`` collects every ``(a, Q)`` that ``kompas.rtk`` hands to ``lambda_ils`` on the two real baselines of
benchmarks/bench_rtk.py (G+R+E+C, G+E+C, C and C+R, kinematic), with the reduction the filter started it
from (the last epoch's of the same double differences, or none), and prints the CPU time
(``process_time``) of ``lambda_ils``, ``decorrelate`` and ``ltdl`` over all of them (best of ``--repeat``),
the first two from scratch and as the filter runs them (started where it starts them).
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from kompas.estimators.ambiguity import decorrelate, lambda_ils


def problem(kind, n, rng):
    if kind == "well":
        A = rng.normal(size=(n, n))
        Q = 0.05 * (A @ A.T / n + 0.2 * np.eye(n))
    else:
        B = rng.normal(size=(n, 3))
        sp = 1e-4 if kind == "rtk-short" else 3e-3
        Q = 25.0 * B @ B.T + sp * (np.eye(n) + np.ones((n, n)))
    a = rng.integers(-50, 50, n) + np.linalg.cholesky(Q) @ rng.normal(size=n)
    return a, Q


def best_of(fn, repeat):
    """Best of ``repeat`` runs; a run longer than 0.5 s is not repeated (the hard searches take minutes)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
        if times[-1] > 0.5:
            break
    return min(times), out


def rtk_problems() -> list:
    """The (a, Q, start) of every integer search of kompas rtk on the baselines of bench_rtk.py."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_rtk

    import kompas.estimators.rtk_ar as rtk_ar

    seen, real = [], rtk_ar.lambda_ils

    def record(a, Q, m=2, start=None):
        seen.append((np.array(a), np.array(Q), start))
        return real(a, Q, m, start)

    rtk_ar.lambda_ils = record
    try:
        for bl in bench_rtk.BASELINES.values():
            for mix in ("GREC", "GEC", "C", "CR"):
                bench_rtk.run_kompas(bl, mix, True, False, {})
    finally:
        rtk_ar.lambda_ils = real
    return seen


def rtk_timing(repeat: int) -> None:
    from kompas.estimators.ambiguity import ltdl

    cases = rtk_problems()
    sizes = [a.size for a, _, _ in cases]
    span = f"{min(sizes)}-{max(sizes)} ambiguities (median {np.median(sizes):.0f})"
    warm = sum(s is not None for _, _, s in cases)
    print(f"{len(cases)} problems of kompas rtk, {span}; {warm} started from the last epoch's reduction")
    for name, fn in (("lambda_ils", lambda a, q, s: lambda_ils(a, q, m=2)),
                     ("  started", lambda a, q, s: lambda_ils(a, q, m=2, start=s)),
                     ("decorrelate", lambda a, q, s: decorrelate(q)),
                     ("  started", lambda a, q, s: decorrelate(q, s)),
                     ("ltdl", lambda a, q, s: ltdl(q, pivot=True))):  # fmt: skip
        best = np.inf
        for _ in range(repeat):
            t = time.process_time()
            for a, q, s in cases:
                fn(a, q, s)
            best = min(best, time.process_time() - t)
        print(f"{name:12s} {best:6.3f} CPU-s in all, {1000 * best / len(cases):.3f} ms a problem")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rtk", action="store_true", help="time the integer problems of kompas rtk instead")
    args = ap.parse_args()
    if args.rtk:
        rtk_timing(args.repeat)
        return
    try:
        from cssrlib.mlambda import mlambda
    except ImportError:  # the comparison is optional; kompas alone is still timed
        mlambda = None
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"{'kind':10s} {'n':>3s}  {'kompas med/max (s)':>20s}  {'decorr med':>10s}  "
          f"{'cssrlib med/max (s)':>20s}  {'speed-up':>8s}  agree")  # fmt: skip
    for kind in ("well", "rtk-short", "rtk-noisy"):
        for n in (10, 20, 40):
            rng = np.random.default_rng(1000 + n)
            ours, dec, ref, agree = [], [], [], True
            for _ in range(args.problems):
                a, Q = problem(kind, n, rng)
                t, res = best_of(lambda a=a, Q=Q: lambda_ils(a, Q, m=2), args.repeat)
                ours.append(t)
                dec.append(best_of(lambda Q=Q: decorrelate(Q), args.repeat)[0])
                if mlambda is not None:
                    t, (afix, s, *_) = best_of(lambda a=a, Q=Q: mlambda(a, Q.copy(), ncands=2), args.repeat)
                    ref.append(t)
                    agree &= res.fixed.tolist() == np.asarray(afix).T.astype(np.int64).tolist()
                    agree &= bool(np.allclose(res.sqnorm, s, rtol=1e-9, atol=0))
            line = f"{kind:10s} {n:3d}  {np.median(ours):9.4f} / {max(ours):8.4f}  {np.median(dec):10.4f}"
            if ref:
                line += f"  {np.median(ref):9.4f} / {max(ref):8.4f}  {np.median(ref) / np.median(ours):7.1f}x  {agree}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
