"""kompas ppp: precise point positioning of an observation file with precise orbits and clocks.

Every option of the configuration (kompas.PppConfig) is here, in a TOML file given with --config, and in
the Python API. Inputs: the observation file, optional broadcast navigation files (a priori position and
fallback orbits), SP3 orbits and RINEX clocks of any analysis centres (--sp3, --clk; one centre serves
each system, --centres chooses), ANTEX (--atx), Bias-SINEX (--bias), ocean loading (--blq), the GPT3
grid (--gpt3) and satellite metadata for attitude laws and nominal antenna offsets (--sat-table: the
PRIDE sat_parameters table and/or the GPSPACE gpsppp.svb_* files).
Exit status: 0 with a solution, 1 when no epoch could be solved, 2 for a user error.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

import numpy as np

from ..config import add_arguments, from_command_line
from ..errors import ConfigError
from ..satsys import letters_of
from ..solution import Quality, unsolved_text
from .obs_inputs import OBS_HELP
from .spp import (
    RESIDUALS_SUFFIX,
    _progress,
    add_format_arguments,
    check_input_files,
    check_output_file,
    check_residuals,
    masked_lines,
    output_folder,
    print_summary,
    start_command,
    write_output,
)


def register(sub) -> None:
    from ..ppp_config import PppConfig

    p = sub.add_parser(
        "ppp",
        help="precise point positioning, static or kinematic (G, R, E, C, J)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("obs", metavar="OBS", nargs="?", help=OBS_HELP + " or among NAV")
    p.add_argument("nav", nargs="*", metavar="NAV", help="RINEX navigation file(s) (optional)")
    p.add_argument("--sp3", nargs="+", action="extend", default=[], metavar="FILE", help="SP3 orbit file(s)")
    p.add_argument(
        "--clk", nargs="+", action="extend", default=[], metavar="FILE", help="RINEX clock file(s)"
    )
    p.add_argument("--atx", metavar="FILE", help="ANTEX antenna calibrations")
    p.add_argument("--bias", metavar="FILE", help="Bias-SINEX (OSB or DSB)")
    p.add_argument("--blq", metavar="FILE", help="ocean loading coefficients (BLQ)")
    p.add_argument("--gpt3", metavar="FILE", help="GPT3 grid (gpt3_5.grd) for the troposphere a priori")
    p.add_argument(
        "--sat-table",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="satellite metadata: PRIDE sat_parameters and/or GPSPACE gpsppp.svb_* files",
    )
    p.add_argument(
        "--config", metavar="TOML", help="options from a TOML file (kompas ppp --dump-config shows one)"
    )
    p.add_argument("--dump-config", action="store_true", help="print the effective options as TOML and exit")
    add_arguments(p, PppConfig)
    p.add_argument(
        "--truth",
        nargs="+",
        metavar="X Y Z | FILE",
        help="reference position: ECEF X Y Z in m, or truth.json",
    )
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write the solution (.pos .nmea .csv .parquet .kml .gpx)"
    )
    add_format_arguments(p, "llh")
    p.add_argument("--report", metavar="HTML", help="write an HTML report with the convergence figure")
    p.add_argument(
        "--residuals",
        action="store_true",
        help="also write the post-fit phase and code residuals per satellite and signal to "
        f"FILE{RESIDUALS_SUFFIX} beside -o FILE",
    )
    p.set_defaults(func=run)


def build_config(args):
    """PppConfig: defaults, then the TOML file, then the command-line options."""
    from ..ppp_config import PppConfig, check_options

    cfg = from_command_line(PppConfig, args)
    check_options(cfg, bool(args.bias))
    return cfg


def _check_inputs(args) -> None:
    from .obs_inputs import check_session, expand_obs, obs_among_nav

    if not args.obs:
        raise ConfigError("give an observation file: kompas ppp OBS [NAV...] --sp3 FILE --clk FILE")
    more, args.nav = obs_among_nav(args.nav)
    args.obs_files = expand_obs(args.obs) + more
    if args.clk and not args.sp3:
        raise ConfigError("--clk needs the SP3 orbit files as well (--sp3)")
    if not args.sp3 and not args.nav:
        raise ConfigError("give precise products (--sp3, --clk) or navigation files")
    check_input_files([*args.obs_files, *product_files(args), *([args.config] if args.config else [])])
    args.obs_files = check_session(args.obs_files)
    args.obs = args.obs_files[0]
    if args.report:
        output_folder(args.report)
        check_output_file(args.report)


def product_files(args) -> list[str]:
    """The input files besides the observations, in command-line order: navigation, SP3, clocks, ANTEX,
    Bias-SINEX, BLQ, the GPT3 grid and the satellite tables."""
    models = [f for f in (args.atx, args.bias, args.blq, args.gpt3) if f]
    return [*args.nav, *args.sp3, *args.clk, *models, *args.sat_table]


def _catalog(paths):
    """Satellite catalog from PRIDE and GPSPACE tables (told apart by their first line)."""
    if not paths:
        return None
    from ..io._open import read_text
    from ..io.readers.satmeta import read_satellite_catalog

    pride, svb = None, []
    for p in paths:
        first = read_text(p).lstrip()[:80]
        if first.startswith("HDR") or "svb" in os.path.basename(p):
            svb.append(p)
        elif pride is None:
            pride = p
        else:
            raise ConfigError(f"{p}: only one PRIDE sat_parameters table can be given")
    return read_satellite_catalog(pride=pride, svb=svb)


def read_inputs(args) -> dict:
    """Read every input file named on the command line (the recipe takes objects)."""
    from .. import read_antex, read_bias, read_clk, read_nav, read_obs_files, read_sp3
    from ..io.readers.blq import read_blq
    from ..io.readers.gpt3 import read_gpt3_grid

    obs = read_obs_files(args.obs_files)
    return {
        "obs": obs,
        "nav": [read_nav(p) for p in args.nav] or None,
        "sp3": [read_sp3(p) for p in args.sp3],
        "clk": [read_clk(p) for p in args.clk],
        # the receiver's own antenna and the satellites: the rest of an IGS file is other receivers
        "antex": read_antex(args.atx, receivers=[obs.station.antenna_type]) if args.atx else None,
        "bias": read_bias(args.bias) if args.bias else None,
        "blq": read_blq(args.blq) if args.blq else None,
        "gpt3": read_gpt3_grid(args.gpt3) if args.gpt3 else None,
        "catalog": _catalog(args.sat_table),
    }


def run(args) -> int:
    from ..ppp import ppp

    started = start_command(args, build_config, _check_inputs)
    if started is None:
        return 0
    cfg, fmt, truth = started
    residuals = check_residuals(args, args.residuals)
    t0 = time.perf_counter()
    inputs = read_inputs(args)
    sol = ppp(**inputs, config=cfg, progress=_progress)
    # the .pos header names every input, as rnx2rtkp does (kompas.ppp knows only the observations' paths)
    named = tuple(dict.fromkeys((*sol.record.inputs, *product_files(args))))  # the API names the read ones
    sol = dataclasses.replace(sol, record=dataclasses.replace(sol.record, inputs=named))
    elapsed_s = time.perf_counter() - t0
    report = print_summary(args, summary(sol, truth), elapsed_s)
    if not sol.ok.any():
        print(f"kompas ppp: no epoch solved: {no_solution_reason(sol, inputs)}", file=sys.stderr)
        return 1
    write_output(sol, args, fmt, report, residuals)
    if args.report:
        from ..report import ppp_report

        ppp_report(args.report, sol, truth, title=f"kompas ppp: {os.path.basename(args.obs)}")
        print(f"wrote    {args.report}", file=report)
    return 0


ANTENNA_HINT = (
    "give --atx (an IGS ANTEX file with the satellites), --sat-table (the GPSPACE gpsppp.svb_* tables: "
    "nominal block offsets) or --no-sat-antenna"
)


def no_solution_reason(sol, inputs=None) -> str:
    """Why no epoch was solved: the epochs' reasons, then what the model left out (satellites without a
    frequency channel or an antenna offset), with a hint; when no epoch had an ephemeris, the time spans of
    the products and the observations; else the last notes."""
    from ..time import time_span

    rec = sol.record
    dropped = [n for n in rec.notes if " not used" in n]
    parts = [unsolved_text(sol), *dropped]
    masked = list(rec.masked)
    if rec.unsolved.get("no_ephemeris", 0) == len(sol) and len(sol) and inputs is not None:
        times = [n.record_times_ns() for n in inputs.get("nav") or ()]
        times = np.concatenate(times + [p.time_ns for p in inputs.get("sp3") or ()] + [np.zeros(0, np.int64)])
        held = letters_of(np.concatenate([p.sats for p in inputs.get("sp3") or ()] + [np.zeros(0, np.int16)]))
        if times.size:
            parts.append(f"the orbit products{f' ({held})' if held else ''} cover {time_span(times)}")
        parts.append(f"the observations are {time_span(sol.time_ns)}")
        excluded = getattr(rec.config, "exclude", ())
        if excluded:  # the products may serve only satellites the user left out
            named = ", ".join(list(excluded[:3]) + (["..."] if len(excluded) > 3 else []))
            parts.append(f"--exclude leaves out {len(excluded)} satellites ({named})")
            masked = [m for m in masked if not m.startswith("satellites ")]  # said just now
    elif not dropped:
        parts += list(rec.notes[-3:])
    text = "; ".join(parts + [f"masked {m}" for m in masked])
    if any("antenna offsets are not used" in n for n in dropped):
        text += f" ({ANTENNA_HINT})"
    return text


def _truth_lines(c: dict) -> list[str]:
    """The summary's errors against the truth (:func:`kompas.report.convergence_summary` ``c``)."""
    if "final_enu_m" not in c:
        return ["errors   no solved epoch to compare with the truth"]
    e, nn, u = c["final_enu_m"] * 100
    after = c["converged_after_s"]
    from ..report import period_words, tail_words

    final, _, end = period_words(c)
    when = f"after {after / 60:.1f} min" if np.isfinite(after) else f"at no epoch to the {end}"
    return [
        f"errors   {final} E/N/U {e:+.1f} {nn:+.1f} {u:+.1f} cm; H {100 * c['final_h_m']:.1f} cm, "
        f"V {100 * abs(c['final_v_m']):.1f} cm" + (" (backward filter)" if c["backward"] else ""),
        f"         {tail_words(c)} RMS H {100 * c['last30_h_rms_m']:.1f} cm, "
        f"V {100 * c['last30_v_rms_m']:.1f} cm; H and V below 10 cm {when}",
    ]


def _ar_line(sol, ok, last, word: str = "last") -> str:
    """Ambiguity resolution in one line: epochs with fixed positions, and the last epoch's fixed counts
    (wide lanes alone leave the position float; it is fixed with the narrow lanes)."""
    wl, nl = sol.states["wl_fixed"], sol.states["nl_fixed"]
    fixed = int((sol.quality[ok] == Quality.FIX).sum())
    line = (f"AR       {fixed} of {int(ok.sum())} epochs fixed; {word} epoch: {int(wl[last])} wide lanes, "
            f"{int(nl[last])} narrow lanes fixed")  # fmt: skip
    return line + (" (no narrow lane fixed in any epoch: every position is float)" if fixed == 0 else "")


def summary(sol, truth=None) -> list[str]:
    """Text summary: epochs, satellites, last position and sigma, troposphere, errors against the truth."""
    from ..report import backward_filter, convergence_summary

    n, ok = len(sol), sol.ok
    lines = [f"epochs   {int(ok.sum())} solved of {n} ({100.0 * ok.sum() / max(n, 1):.1f} %)"]
    if not ok.any():
        return lines
    if sol.record.unsolved:  # why the others were not (as kompas spp says it)
        lines.append(f"unsolved {unsolved_text(sol)}")
    per = "  ".join(f"{k} {v[ok].mean():.1f}" for k, v in sol.nsat_by_system.items())
    lines.append(f"sats     {sol.nsat[ok].mean():.1f} per epoch ({per})")
    # the filter's end: the last epoch, or the first for a backward filter (its converged one)
    word = "first" if backward_filter(sol) else "last"
    last = int(np.flatnonzero(ok)[0 if word == "first" else -1])
    x, y, z = sol.pos_m[last]
    sd = np.sqrt(np.diag(sol.cov_enu_m2()[last])) * 100
    lines.append(f"{word:<9}{x:.4f} {y:.4f} {z:.4f} m  (sigma E/N/U {sd[0]:.1f} {sd[1]:.1f} {sd[2]:.1f} cm)"
                 + ("; the end of the backward filter" if word == "first" else ""))  # fmt: skip
    if "ztd_m" in sol.states:
        lines.append(f"ZTD      {sol.states['ztd_m'][last]:.4f} m ({word} epoch)")
    if "wl_fixed" in sol.states:
        lines.append(_ar_line(sol, ok, last, word))
    if truth is not None:
        lines += _truth_lines(convergence_summary(sol, truth))
    lines += masked_lines(sol.record)
    for note in sol.record.notes:
        if not note.startswith("models:"):
            lines.append(f"note     {note}")
    return lines
