"""``kompas spp``: single point positioning of an observation file with broadcast navigation data."""

from __future__ import annotations

import sys
import time
import tomllib
from dataclasses import fields

import numpy as np

from ..errors import ConfigError

FORMATS = ("pos", "nmea", "csv", "parquet", "kml", "gpx")


def register(sub) -> None:
    p = sub.add_parser("spp", help="single point positioning (any mix of G, R, E, C, J)", description=__doc__)
    p.add_argument("obs", metavar="OBS", help="RINEX observation file")
    p.add_argument("nav", nargs="+", metavar="NAV", help="RINEX navigation file(s)")
    p.add_argument("--systems", help="system letters, e.g. C,R or GRECJ (default: GRECJ)")
    p.add_argument("--elmask", type=float, metavar="DEG", help="elevation mask, degrees (default 10)")
    p.add_argument(
        "--iono", choices=("brdc", "if", "off"), help="ionosphere: broadcast model, iono-free, none"
    )
    p.add_argument("--tropo", choices=("saas", "off"), help="troposphere: Saastamoinen or none")
    p.add_argument("--no-raim", action="store_true", help="no fault detection and exclusion")
    p.add_argument("--config", metavar="TOML", help="options from a TOML file (keys of kompas.SppConfig)")
    p.add_argument("--truth", nargs=3, type=float, metavar=("X", "Y", "Z"), help="reference ECEF position, m")
    p.add_argument("-o", "--output", metavar="FILE", help="write the solution")
    p.add_argument("--format", choices=FORMATS, help="output format (default: from the extension, else pos)")
    p.set_defaults(func=run)


def build_config(args):
    """SppConfig from the TOML file (if any) overridden by command-line options."""
    from ..pipeline import SppConfig

    values: dict = {}
    if args.config:
        try:
            with open(args.config, "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{args.config}: {exc}") from None
        known = {f.name for f in fields(SppConfig)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{args.config}: unknown option(s) {unknown}; known: {sorted(known)}")
        values.update(data)
    for key, attr in (("systems", "systems"), ("elmask_deg", "elmask"), ("iono", "iono"), ("tropo", "tropo")):
        v = getattr(args, attr)
        if v is not None:
            values[key] = v.replace(",", "") if key == "systems" else v
    if args.no_raim:
        values["raim"] = False
    try:
        return SppConfig(**values)
    except TypeError as exc:
        raise ConfigError(str(exc)) from None


def _progress(done, total):
    if sys.stderr.isatty() and total > 720:
        width = 30
        k = int(width * done / total)
        sys.stderr.write(f"\r  solving [{'#' * k}{'.' * (width - k)}] {done}/{total} epochs")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run(args) -> int:
    from ..io.readers.rinex_nav import read_nav
    from ..io.readers.rinex_obs import read_obs
    from ..pipeline import spp

    cfg = build_config(args)
    t0 = time.perf_counter()
    obs = read_obs(args.obs)
    navs = [read_nav(p) for p in args.nav]
    sol = spp(obs, navs, config=cfg, progress=_progress)
    t1 = time.perf_counter()
    sol.meta["input"] = [args.obs, *args.nav]
    if args.output:
        from ..io.writers import format_from_name, write_solution

        write_solution(sol, args.output, args.format or format_from_name(args.output))
    for line in summary(sol, obs, args.truth):
        print(line)
    print(f"time     {t1 - t0:.2f} s (reading and solving)")
    if args.output:
        print(f"wrote    {args.output}")
    return 0


def summary(sol, obs, truth=None) -> list[str]:
    """Text summary: epochs solved, satellites per system, DOP, errors against a reference."""
    n, ok = len(sol), sol.ok
    lines = [f"epochs   {int(ok.sum())} solved of {n} ({100.0 * ok.sum() / max(n, 1):.1f} %)"]
    if ok.any():
        per = "  ".join(f"{k} {v[ok].mean():.1f}" for k, v in sol.nsat_by_system.items())
        lines.append(f"sats     {sol.nsat[ok].mean():.1f} per epoch ({per})")
        lines.append(f"DOP      PDOP {np.nanmean(sol.pdop[ok]):.2f}  HDOP {np.nanmean(sol.hdop[ok]):.2f}  "
                     f"VDOP {np.nanmean(sol.vdop[ok]):.2f} (mean)")  # fmt: skip
        if truth is not None:
            ref, label = np.asarray(truth, dtype=float), "truth"
        else:
            ref, label = (
                np.asarray(obs.header.approx_position_m, dtype=float),
                "header APPROX POSITION (not a truth)",
            )
        if np.all(np.isfinite(ref)) and np.linalg.norm(ref) > 6e6:
            enu = sol.enu_error_m(ref)[ok]
            hor = np.hypot(enu[:, 0], enu[:, 1])
            ver = np.abs(enu[:, 2])
            lines.append(f"errors   against {label}:")
            for name, err in (("horizontal", hor), ("vertical  ", ver)):
                rms, p95 = np.sqrt(np.mean(err**2)), np.percentile(err, 95)
                lines.append(f"         {name} RMS {rms:.2f} m  95% {p95:.2f} m")
            lines.append(f"         3D         RMS {np.sqrt(np.mean(hor**2 + ver**2)):.2f} m")
            mean = enu.mean(axis=0)
            lines.append(f"         mean E/N/U {mean[0]:+.2f} {mean[1]:+.2f} {mean[2]:+.2f} m")
    if sol.meta.get("excluded_by_raim"):
        lines.append(f"RAIM     {sol.meta['excluded_by_raim']} satellite-epochs excluded")
    return lines
