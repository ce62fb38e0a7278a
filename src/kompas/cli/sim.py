"""``kompas sim``: simulate multi-GNSS observations and broadcast navigation data as RINEX 3.05 files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("sim", help="simulate RINEX observation and navigation files", description=__doc__)
    p.add_argument("--lat", type=float, default=-6.1754, metavar="DEG", help="latitude (default Jakarta)")
    p.add_argument("--lon", type=float, default=106.8272, metavar="DEG", help="longitude")
    p.add_argument("--height", type=float, default=10.0, metavar="M", help="ellipsoidal height")
    p.add_argument("--start", default="2025-01-01T00:00:00", metavar="ISO-TIME", help="first epoch, GPST")
    p.add_argument("--hours", type=float, default=2.0)
    p.add_argument("--interval", type=float, default=30.0, metavar="S")
    p.add_argument("--systems", default="C,R,G,E", help="system letters (default C,R,G,E)")
    p.add_argument("--errors", choices=("none", "default"), default="default")
    p.add_argument("--nav", metavar="REAL_NAV_FILE", help="simulate the real constellation of this file")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..frames import geodetic_to_ecef
    from ..io.writers.rinex_nav import write_nav
    from ..io.writers.rinex_obs import write_obs
    from ..sim import simulate
    from ..time import GTime

    try:
        start_ns = GTime.from_datetime64(np.datetime64(args.start)).gpst_ns
    except ValueError:
        raise ConfigError(f"--start {args.start!r} is not an ISO time like 2025-01-01T00:00:00") from None
    truth = geodetic_to_ecef([np.radians(args.lat), np.radians(args.lon), args.height])
    systems = args.systems.replace(",", "").upper()
    real_nav = None
    if args.nav:
        from ..io.readers.rinex_nav import read_nav

        real_nav = read_nav(args.nav)
    sim = simulate(truth, start_ns, hours=args.hours, interval_s=args.interval, systems=systems,
                   errors=args.errors, seed=args.seed, nav=real_nav)  # fmt: skip
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_obs(sim.obs, out / "SIM00XXX_S_sim_MO.rnx", program="kompas sim SIM")
    write_nav(sim.nav, out / "SIM00XXX_S_sim_MN.rnx", program="kompas sim SIM")
    (out / "truth.json").write_text(json.dumps({"ecef_m": [float(v) for v in truth]}) + "\n")
    print(f"simulated {sim.obs.n_epochs} epochs, {len(np.unique(sim.obs.sat))} satellites ({systems}); "
          f"wrote {out}/SIM00XXX_S_sim_MO.rnx, SIM00XXX_S_sim_MN.rnx, truth.json")  # fmt: skip
    return 0
