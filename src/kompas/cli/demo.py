"""kompas demo: simulate 2 h of a receiver in Jakarta, solve BDS, GLONASS, BDS+GLONASS and all systems."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("demo", help="run the built-in demo on simulated data (offline)", description=__doc__)
    p.add_argument("--out", default="kompas-demo", metavar="DIR", help="output folder (default kompas-demo)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the simulation")
    p.set_defaults(func=run)


def run(args) -> int:
    import os

    from ..demo import run_demo, table_lines
    from ..errors import ConfigError
    from .sim import SEED_MAX

    if not args.out:
        raise ConfigError("--out needs a folder name")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise ConfigError(f"--out {args.out}: exists and is not a folder")
    if not 0 <= args.seed <= SEED_MAX:
        raise ConfigError(f"--seed must be within 0 .. {SEED_MAX}, not {args.seed}")
    print("kompas demo -- SIMULATED data (kompas.sim), not measurements")
    res = run_demo(args.out, seed=args.seed)
    print()
    for line in table_lines(res["rows"]):
        print(line)
    print("\n(errors in metres against the simulated true position)")
    print(f"wrote {args.out}/: " + ", ".join(res["files"]))
    print(f"open {args.out}/report.html for the figures; {res['seconds']:.1f} s")
    return 0
