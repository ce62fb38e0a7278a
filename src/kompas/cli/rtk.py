"""kompas rtk: relative positioning (RTK, PPK) of a rover against a base with broadcast navigation data,
and precise orbits and clocks where given (--sp3, --clk: they also bring back satellites without broadcast
records).

Every option of the configuration (kompas.RtkConfig) is here, in a TOML file given with --config, and in
the Python API. Positions are ECEF metres of the markers (the headers' antenna heights are applied at both
ends). Exit status: 0 with a solution, 1 when no epoch could be solved, 2 for a user error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from ..config import add_arguments, from_command_line
from ..errors import ConfigError
from ..io.writers.pos import COORDS
from ..solution import unsolved_text
from .obs_inputs import OBS_HELP
from .spp import (
    RESIDUALS_SUFFIX,
    _progress,
    add_format_arguments,
    check_input_files,
    check_residuals,
    masked_lines,
    print_summary,
    start_command,
    write_output,
)

CORRECT_H_M = 0.05
CORRECT_V_M = 0.10
"""A fixed epoch is a correct fix when it is within 5 cm horizontally and 10 cm vertically of the truth."""


def register(sub) -> None:
    from ..rtk import RtkConfig

    p = sub.add_parser(
        "rtk",
        help="relative positioning of a rover against a base (RTK, PPK with --ppk)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("rover", metavar="ROVER", nargs="?", help="rover " + OBS_HELP)
    p.add_argument("base", metavar="BASE", nargs="?", help="base " + OBS_HELP)
    p.add_argument("nav", nargs="*", metavar="NAV", help="RINEX navigation file(s)")
    p.add_argument("--config", metavar="TOML", help="options from a TOML file (kompas rtk --dump-config)")
    p.add_argument("--dump-config", action="store_true", help="print the effective options as TOML and exit")
    add_arguments(p, RtkConfig)
    p.add_argument(
        "--base-pos",
        nargs="+",
        metavar="X Y Z | header | spp",
        help="base marker: ECEF X Y Z in m, the header's APPROX POSITION XYZ, or the median of its single "
        "point solutions (default: header)",
    )
    p.add_argument(
        "--atx",
        metavar="ANTEX",
        help="antenna calibrations: receiver PCO/PCV of both antennas (and satellite offsets for --sp3)",
    )
    p.add_argument(
        "--sp3",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="SP3 orbit file(s): satellite states of their systems from them (RTKLIB pos1-sateph=precise, "
        "broadcast for the other systems)",
    )
    p.add_argument(
        "--clk", nargs="+", action="extend", default=[], metavar="FILE", help="RINEX clock file(s) for --sp3"
    )
    p.add_argument(
        "--truth",
        nargs="+",
        metavar="X Y Z | FILE",
        help="rover marker truth: ECEF X Y Z in m, or a truth.json",
    )
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write the solution (.pos .nmea .csv .parquet .kml .gpx)"
    )
    add_format_arguments(p, "xyz", COORDS)
    p.add_argument(
        "--residuals",
        action="store_true",
        help=f"also write the filter's post-fit double-difference residuals (phase and code per satellite, "
        f"reference satellite and band; satellite minus reference, of the float update) to "
        f"FILE{RESIDUALS_SUFFIX} beside -o FILE (RTKLIB's -y gives reference minus satellite, after the fix)",
    )
    p.set_defaults(func=run)


def build_config(args):
    """RtkConfig: defaults, then the TOML file, then the command-line options."""
    from ..rtk import RtkConfig

    cfg = from_command_line(RtkConfig, args)
    if args.base_pos:
        try:
            cfg = cfg.replace(base_position=" ".join(args.base_pos))
        except ConfigError as exc:
            raise ConfigError(str(exc).replace("option 'base_position'", "--base-pos")) from None
    return cfg


def _check_inputs(args) -> None:
    from .obs_inputs import check_session, expand_obs, file_kind, obs_among_nav

    if not args.rover or not args.base or not args.nav:
        raise ConfigError(
            "give a rover, a base and at least one navigation file: kompas rtk ROVER BASE NAV..."
        )
    if args.clk and not args.sp3:
        raise ConfigError("--clk needs the SP3 orbit files as well (--sp3)")
    args.rover_files, args.base_files = expand_obs(args.rover, "ROVER"), expand_obs(args.base, "BASE")
    extra = [p for p in (args.config, args.atx) if p]
    check_input_files([*args.rover_files, *args.base_files, *args.nav, *extra, *args.sp3, *args.clk])
    for role, files in (("ROVER", args.rover_files), ("BASE", args.base_files)):
        if file_kind(files[0]) == "nav":  # the files in another order: name the one misplaced
            raise ConfigError(
                f"{role} {files[0]} is a navigation file: the order is kompas rtk ROVER BASE NAV..."
            )
    more, _ = obs_among_nav(args.nav)
    if more:
        raise ConfigError(
            f"{more[0]} is an observation file, not a navigation file: give a rover's or a base's several "
            "files as one quoted pattern (kompas rtk 'ROVER*.rnx' 'BASE*.rnx' NAV...)"
        )
    args.rover_files, args.base_files = check_session(args.rover_files), check_session(args.base_files)
    same = [r for r in args.rover_files for b in args.base_files if os.path.samefile(r, b)]
    if same:  # the "solution" would be the base position, 100 % fixed
        raise ConfigError(
            f"ROVER and BASE are the same file ({same[0]}): RTK needs two receivers' observations"
        )
    args.rover, args.base = args.rover_files[0], args.base_files[0]


def _check_two_receivers(rover, base) -> None:
    """ConfigError when rover and base hold the same observations (one file under two names, e.g. a
    compressed copy: the path check cannot see it), as the same epochs, signals and values."""
    same = (
        np.array_equal(rover.epoch_time_ns, base.epoch_time_ns)
        and np.array_equal(rover.sat, base.sat)
        and np.array_equal(rover.signal, base.signal)
        and np.array_equal(rover.code_m, base.code_m, equal_nan=True)
        and np.array_equal(rover.phase_cyc, base.phase_cyc, equal_nan=True)
    )
    if same:
        raise ConfigError(
            "ROVER and BASE hold the same observations (one file under two names?): RTK needs two "
            "receivers' observations"
        )


def run(args) -> int:
    from .. import read_antex, read_clk, read_nav, read_obs_files, read_sp3
    from ..rtk import rtk

    started = start_command(args, build_config, _check_inputs)
    if started is None:
        return 0
    cfg, fmt, truth = started
    residuals = check_residuals(args, args.residuals)
    t0 = time.perf_counter()
    rover, base = read_obs_files(args.rover_files), read_obs_files(args.base_files)
    _check_two_receivers(rover, base)
    navs = [read_nav(p) for p in args.nav]
    types = [rover.station.antenna_type, base.station.antenna_type]
    atx = read_antex(args.atx, receivers=types) if args.atx else None
    sp3, clk = [read_sp3(p) for p in args.sp3], [read_clk(p) for p in args.clk]
    sol = rtk(rover, base, navs, config=cfg, atx=atx, progress=_progress, sp3=sp3, clk=clk)
    elapsed_s = time.perf_counter() - t0
    report = print_summary(args, summary(sol, truth, _base_truth(args, truth)), elapsed_s)
    if not sol.ok.any():
        print(
            f"kompas rtk: no epoch solved: {unsolved_text(sol)} (satellites both receivers track above the "
            f"{sol.record.elmask_deg:g} deg mask, --elmask, with ephemerides: too few for double "
            "differences)" + "".join(f"; masked {m}" for m in sol.record.masked),
            file=sys.stderr,
        )
        return 1
    write_output(sol, args, fmt, report, residuals)
    return 0


def fix_statistics(sol, truth) -> dict:
    """Fix rate, correct-fix rate (fixed and within 5 cm horizontally, 10 cm vertically), wrong-fix rate,
    in % of all epochs, and the RMS of the fixed epochs' errors (m)."""
    from ..solution import Quality

    n = max(len(sol), 1)
    fixed = sol.quality == Quality.FIX
    out = {"fix": 100.0 * fixed.sum() / n}
    if truth is None:
        return out
    enu = sol.enu_error_m(truth)
    h, v = np.hypot(enu[:, 0], enu[:, 1]), np.abs(enu[:, 2])
    good = fixed & (h <= CORRECT_H_M) & (v <= CORRECT_V_M)
    out.update(correct=100.0 * good.sum() / n, wrong=100.0 * (fixed & ~good).sum() / n)
    out["h_rms"] = float(np.sqrt(np.mean(h[fixed] ** 2))) if fixed.any() else float("nan")
    out["v_rms"] = float(np.sqrt(np.mean(v[fixed] ** 2))) if fixed.any() else float("nan")
    return out


def _base_truth(args, truth):
    """The base's position in a truth file that also holds the rover's, else None."""
    from .spp import _truth_file

    if truth is None or len(args.truth) != 1:
        return None
    try:
        return _truth_file(args.truth[0], args.base)
    except ConfigError:
        return None


BASE_TRUTH_TOLERANCE_M = 0.005
"""A user's base position this far or farther from the truth file's base is named beside the errors."""


def _base_lines(sol, base_truth) -> list[str]:
    """With a truth: where the base position came from, when not from the user, and how far it is from the
    truth file's base when that has one (its error is in every rover position: the fixes can be right and
    the rover still off by it)."""
    src = getattr(sol.record.config, "base_position", "header")
    off = None
    if base_truth is not None and len(sol.record.base_m) == 3:
        off = float(np.linalg.norm(np.asarray(sol.record.base_m) - base_truth))
    if src not in ("header", "spp"):  # the user's own: named only when the truth file's base disagrees
        if off is None or off < BASE_TRUTH_TOLERANCE_M:
            return []
        said = f"the base position given is {off:.3f} m from the truth file's base"
        return [f"         {said}: its error is in every rover position"]
    line = f"         the base position is the {src}'s"
    if off is not None:
        line += f", {off:.3f} m from the truth file's base"
    return [line + ": its error is in every rover position (--base-pos X Y Z gives the base's truth)"]


def summary(sol, truth=None, base_truth=None) -> list[str]:
    """Text summary: epochs, fix rate, satellites and fixed ambiguities per system, errors against the
    truth (and the base's offset from its own truth, ``base_truth``, when the base position is not
    the user's)."""
    from ..solution import Quality

    n, ok = len(sol), sol.ok
    fixed = sol.quality == Quality.FIX
    single = int((sol.quality == Quality.SINGLE).sum())
    lines = [
        f"epochs   {n}: {int(fixed.sum())} fixed, {int((sol.quality == Quality.FLOAT).sum())} float, "
        + (f"{single} single, " if single else "")
        + f"{int((~ok).sum())} unsolved",
        f"mode     {sol.record.mode}, systems {sol.record.systems}, ionosphere {sol.record.iono}, "
        f"troposphere {sol.record.tropo}",
    ]
    if ok.any():
        per = "  ".join(f"{k} {v[ok].mean():.1f}" for k, v in sol.nsat_by_system.items())
        lines.append(f"sats     {sol.nsat[ok].mean():.1f} per epoch ({per})")
    if fixed.any():
        per = "  ".join(f"{k} {v[fixed].mean():.1f}" for k, v in sol.fixed_by_system.items())
        lines.append(
            f"fixed    ambiguities per fixed epoch: {per}; median ratio {np.median(sol.ratio[fixed]):.1f}"
        )
    if sol.record.unsolved:  # why the others were not (as kompas spp and ppp say it)
        lines.append(f"unsolved {unsolved_text(sol)}")
    lines += masked_lines(sol.record)
    for note in sol.record.notes:
        lines.append(f"note     {note}")
    st = fix_statistics(sol, truth)
    lines.append(f"fix rate {st['fix']:.1f} % of epochs")
    if truth is not None:
        lines.append(
            f"truth    correct fixes {st['correct']:.1f} %, wrong fixes {st['wrong']:.1f} % "
            f"(fixed within {CORRECT_H_M * 100:.0f} cm horizontally, {CORRECT_V_M * 100:.0f} cm vertically)"
        )
        if np.isfinite(st["h_rms"]):
            lines.append(
                f"         RMS of fixed epochs: horizontal {st['h_rms'] * 100:.2f} cm, "
                f"vertical {st['v_rms'] * 100:.2f} cm"
            )
        else:
            lines.append("         RMS of fixed epochs: no epoch fixed")
        lines += _base_lines(sol, base_truth)
    return lines
