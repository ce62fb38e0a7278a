"""kompas sim: simulate multi-GNSS observations (one receiver or a base and a rover) as RINEX 3.05,
with the broadcast navigation file, truth.json and optionally SP3/clock products of the truth.

The observation files are written while simulating, in blocks of epochs, so a day at 1 Hz needs no
more memory than an hour.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from ..errors import ConfigError, KompasError

_OBS, _ROVER, _NAV = "SIM00XXX_S_sim_MO.rnx", "ROV00XXX_S_sim_MO.rnx", "SIM00XXX_S_sim_MN.rnx"
_SP3, _CLK = "SIM0SIMFIN_sim_ORB.SP3", "SIM0SIMFIN_sim_CLK.CLK"


def register(sub) -> None:
    p = sub.add_parser("sim", help="simulate RINEX observation and navigation files", description=__doc__)
    p.add_argument("--lat", type=float, default=-6.1754, metavar="DEG", help="latitude (default Jakarta)")
    p.add_argument("--lon", type=float, default=106.8272, metavar="DEG", help="longitude")
    p.add_argument("--height", type=float, default=10.0, metavar="M", help="ellipsoidal height")
    p.add_argument("--start", default="2025-01-01T00:00:00", metavar="ISO-TIME", help="first epoch, GPST")
    p.add_argument("--hours", type=float, default=2.0)
    p.add_argument("--interval", type=float, default=30.0, metavar="S")
    p.add_argument("--systems", default="C,R,G,E", help="system letters (default C,R,G,E)")
    p.add_argument(
        "--errors", choices=("none", "default"), default="default",
        help="error terms: default (the default: troposphere, ionosphere, receiver biases, GLONASS "
        "inter-frequency biases, multipath, noise, phase wind-up, solid Earth tide; truth.json lists them "
        "with their sizes) or none (geometry, clocks and group delays only)",
    )  # fmt: skip
    p.add_argument("--elmask", type=float, default=5.0, metavar="DEG", help="elevation mask (default 5)")
    p.add_argument(
        "--nav", metavar="REAL_NAV_FILE",
        help="simulate the real constellation of this file (its broadcast states are the truth: orbits and "
        "clocks step where the record in use changes, with no event recorded)",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument(
        "--base-offset",
        type=float,
        nargs=3,
        metavar=("E", "N", "U"),
        help="also simulate a rover this far (m, east/north/up) from the receiver, which becomes "
        "the base; writes ROV00XXX_S_sim_MO.rnx too",
    )
    g = p.add_argument_group("events (QC truth, recorded in truth.json)")
    g.add_argument(
        "--slips", type=float, default=0.0, metavar="PER_H", help="cycle slips per satellite, signal, h"
    )
    g.add_argument("--slip-max", type=int, default=20, metavar="CYCLES", help="largest single slip (<= 1000)")
    g.add_argument(
        "--gf-pairs",
        type=float,
        default=0.0,
        metavar="PER_H",
        help="slip pairs invisible in the geometry-free phase, per satellite and h",
    )
    g.add_argument(
        "--mw-pairs",
        type=float,
        default=0.0,
        metavar="PER_H",
        help="equal slip pairs invisible in Melbourne-Wuebbena, per satellite and h",
    )
    g.add_argument("--no-lli", action="store_true", help="do not set the loss-of-lock indicator at slips")
    g.add_argument(
        "--clock-jumps", type=float, default=0.0, metavar="PER_H", help="1 ms receiver clock jumps per h"
    )
    g.add_argument("--gaps", type=float, default=0.0, metavar="PER_H", help="data gaps per satellite and h")
    g.add_argument("--outages", type=float, default=0.0, metavar="PER_H", help="all-satellite gaps per h")
    g = p.add_argument_group("precise products of the truth")
    g.add_argument("--products", action="store_true", help=f"write {_SP3} and {_CLK}")
    g.add_argument("--sp3-interval", type=float, default=300.0, metavar="S")
    g.add_argument("--clk-interval", type=float, default=30.0, metavar="S")
    g.add_argument(
        "--clk-version", choices=("3.04", "3.00"), default="3.04",
        help="RINEX clock version (3.00 for RTKLIB 2.4.3, which reads no 3.04 record)",
    )  # fmt: skip
    p.set_defaults(func=run)


def _error_model(args):
    import dataclasses

    from ..sim import ErrorModel

    base = ErrorModel.none() if args.errors == "none" else ErrorModel.default()
    return dataclasses.replace(
        base,
        cycle_slips=args.slips > 0,
        slip_rate_per_hour=args.slips,
        slip_size_max=args.slip_max,
        gf_pair_rate_per_hour=args.gf_pairs,
        mw_pair_rate_per_hour=args.mw_pairs,
        slip_lli=not args.no_lli,
        clock_jump_rate_per_hour=args.clock_jumps,
        gap_rate_per_hour=args.gaps,
        outage_rate_per_hour=args.outages,
    )


def _out_dir(path: str) -> Path:
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".kompas-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"cannot write to --out {path}: {exc.strerror or exc}") from None
    return out


def _start_ns(text: str) -> int:
    from ..config import _parse_time
    from ..engine import instant_ns

    try:
        return instant_ns(_parse_time(text), "--start")
    except ValueError as exc:
        raise ConfigError(f"--start {exc}") from None


SEED_MAX = 2**32 - 1
"""Largest random seed the simulator's commands accept (larger ones reached the RINEX header's
20-column fields)."""

_RANGES = (
    ("lat", -90.0, 90.0, "deg"), ("lon", -180.0, 360.0, "deg"), ("height", -500.0, 100e3, "m"),
    ("hours", 1e-3, 168.0, "h"), ("interval", 0.01, 3600.0, "s"), ("elmask", 0.0, 89.0, "deg"),
    ("seed", 0, SEED_MAX, ""), ("slips", 0.0, 60.0, "per h"), ("slip_max", 1, 1000, "cycles"),
    ("gf_pairs", 0.0, 60.0, "per h"), ("mw_pairs", 0.0, 60.0, "per h"), ("clock_jumps", 0.0, 60.0, "per h"),
    ("gaps", 0.0, 60.0, "per h"), ("outages", 0.0, 60.0, "per h"), ("sp3_interval", 1.0, 3600.0, "s"),
    ("clk_interval", 0.01, 3600.0, "s"),
)  # fmt: skip
"""Accepted ranges of the numeric options (a receiver on or near the ground, at most a week, event rates up
to one a minute): outside them a run writes nothing useful (no satellite in view, an APPROX POSITION that
overflows its field) or fails deep inside (a division by zero, gigabytes of gaps)."""


def _check(args) -> None:
    """The options within :data:`_RANGES` (a one-line ConfigError naming the option), before any work."""
    for name, low, high, unit in _RANGES:
        v = getattr(args, name)
        if not (np.isfinite(v) and low <= v <= high):
            flag = "--" + name.replace("_", "-")
            lo, hi = (f"{x:g}" if isinstance(x, float) else str(x) for x in (low, high))
            raise ConfigError(f"{flag} must be within {lo} .. {hi}{' ' + unit if unit else ''}, not {v}")
    if args.base_offset is not None:
        off = np.asarray(args.base_offset, float)
        if not (np.all(np.isfinite(off)) and np.linalg.norm(off) <= 1000e3):
            raise ConfigError(f"--base-offset must be a baseline of at most 1000 km, not {args.base_offset}")


def run(args) -> int:
    from ..frames import geodetic_to_ecef

    _check(args)
    start_ns = _start_ns(args.start)
    truth = geodetic_to_ecef([np.radians(args.lat), np.radians(args.lon), args.height])
    systems = args.systems.replace(",", "").upper()
    errors = _error_model(args)
    out = _out_dir(args.out)
    real_nav = None
    if args.nav:
        from ..io.readers.rinex_nav import read_nav

        try:
            real_nav = read_nav(args.nav)
        except OSError as exc:
            raise ConfigError(f"cannot read --nav {args.nav}: {exc.strerror or exc}") from None
    try:
        return _simulate_and_write(args, out, start_ns, truth, systems, errors, real_nav)
    except OSError as exc:
        raise KompasError(f"writing into {out}: {exc.strerror or exc}") from None


def _simulate_and_write(args, out, start_ns, truth, systems, errors, real_nav) -> int:
    from ..io.writers.rinex_nav import write_nav
    from ..sim import simulate, simulate_baseline, write_products
    from ..sim.truthfile import truth_document, write_truth

    common = dict(
        hours=args.hours,
        interval_s=args.interval,
        systems=systems,
        errors=errors,
        seed=args.seed,
        nav=real_nav,
        elmask_deg=args.elmask,
        program="kompas sim SIM",
    )
    files = {"obs": _OBS, "nav": _NAV, "truth": "truth.json"}
    if args.base_offset is None:
        res = simulate(truth, start_ns, obs_path=out / _OBS, **common)
        parts, sims = [res], [res.sim]
    else:
        res = simulate_baseline(
            truth, start_ns, offset_enu_m=args.base_offset, obs_paths=(out / _OBS, out / _ROVER), **common
        )
        parts, sims = [res.base, res.rover], [res.base.sim, res.rover.sim]
        files["rover_obs"] = _ROVER
    write_nav(parts[0].nav, out / _NAV, program="kompas sim SIM")
    products = {}
    if args.products:
        end_ns = start_ns + round(args.hours * 3600e9)
        # every satellite of the constellation with an orbit in the span, as global products: a real
        # navigation file also lists unhealthy ones and ones without a record then
        products = write_products(
            parts[0].truth,
            sims[0].layout.sats,
            start_ns,
            end_ns,
            sp3_path=out / _SP3,
            clk_path=out / _CLK,
            sp3_interval_s=args.sp3_interval,
            clk_interval_s=args.clk_interval,
            clk_version=float(args.clk_version),
            receivers=sims,
            only_known=True,
        )
        files.update(sp3=_SP3, clk=_CLK)
    write_truth(out / "truth.json", truth_document(res, files=files, products=products))
    for part in parts:
        st = part.stats
        n_sat = len(st["satellites"])
        seen = "".join(x for x in systems if any(str(s).startswith(x) for s in st["satellites"])) or "none"
        print(
            f"{part.receiver.marker_name}: simulated {st['epochs']} epochs, {n_sat} satellites ({seen}), "
            f"{len(part.events)} events"
        )
    print(f"wrote {out}/: " + ", ".join(files.values()))
    n_sp3 = products.get("sp3", {}).get("satellites", 0)
    if n_sp3 > 99:  # SP3-d allows it; rnx2rtkp 2.4.3 takes two digits of the count (117 -> 17)
        print(f"note: the SP3 file lists {n_sp3} satellites; RTKLIB 2.4.3 reads only the first "
              f"{n_sp3 % 100} (RTKLIB-EX reads all): fewer --systems give files of at most 99")  # fmt: skip
    if not all(len(part.stats["satellites"]) for part in parts):
        print(
            f"kompas sim: no satellite of {systems} above the {args.elmask:g} deg mask at any epoch",
            file=sys.stderr,
        )
        return 1
    return 0
