"""kompas monitor: BeiDou and GLONASS service monitoring from public files (an iGMAS/SDCM-style report).

From broadcast navigation files: the status, accuracy and record age of every satellite, and the service
volume on a grid (availability, PDOP/HDOP/VDOP, UERE x DOP) for BDS, GLONASS, BDS+GLONASS and all
systems; with precise orbits and clocks (--precise, --clk): the signal-in-space range error per satellite
and system with phase-centre offsets (--atx, --satmeta) and integrity events (k x URA exceeded); with
observation files (--obs): residual UERE per satellite and the positioning error per station. Writes
DIR/report.html (self-contained), the figures and every table (CSV, JSON, Parquet) to DIR.
Exit status: 0 on success, 2 for a user error.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..config import add_arguments, from_command_line
from ..errors import ConfigError
from .spp import check_input_files, check_output_folder, output_folder


def register(sub) -> None:
    from ..monitor.run import MonitorConfig

    p = sub.add_parser(
        "monitor",
        help="service monitoring report (SISRE, DOP maps, station UERE)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("nav", nargs="+", metavar="NAV", help="RINEX navigation file(s)")
    p.add_argument("--precise", nargs="+", default=[], metavar="SP3", help="SP3 precise orbit file(s)")
    p.add_argument(
        "--clk", nargs="+", default=[], metavar="CLK", help="RINEX clock file(s) (else SP3 clocks)"
    )
    p.add_argument("--atx", nargs="+", default=[], metavar="ATX", help="ANTEX file(s): satellite offsets")
    p.add_argument(
        "--satmeta",
        nargs="+",
        default=[],
        metavar="TABLE",
        help="PRIDE sat_parameters and/or GPSPACE gpsppp.svb_* tables: blocks, attitude laws and "
        "nominal offsets for satellites the ANTEX lacks",
    )
    p.add_argument(
        "--obs", nargs="+", default=[], metavar="OBS", help="RINEX observation file(s) of stations"
    )
    p.add_argument("--sinex", metavar="SNX", help="SINEX with the stations' reference coordinates")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created)")
    p.add_argument("--config", metavar="TOML", help="options from a TOML file")
    add_arguments(p, MonitorConfig)
    p.set_defaults(func=run)


def _check(args) -> None:
    files = [*args.nav, *args.precise, *args.clk, *args.atx, *args.satmeta, *args.obs]
    files += [x for x in (args.sinex, args.config) if x]
    check_input_files(files, readable=False)
    if args.clk and not args.precise:
        raise ConfigError("--clk needs --precise SP3 (the orbits)")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise ConfigError(f"{args.out}: exists and is not a folder")
    output_folder(args.out)
    check_output_folder(args.out)


def _progress(done, total):
    width = 30
    k = int(width * done / max(total, 1))
    sys.stderr.write(f"\r  grid [{'#' * k}{'.' * (width - k)}] {done}/{total} epochs")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run(args) -> int:
    from ..monitor.run import MonitorConfig, MonitorInputs, run_monitor

    cfg = from_command_line(MonitorConfig, args)
    _check(args)
    inp = MonitorInputs(
        nav=args.nav,
        out=args.out,
        precise=args.precise,
        clk=args.clk,
        atx=args.atx,
        satmeta=args.satmeta,
        obs=args.obs,
        sinex=args.sinex,
    )
    out = run_monitor(inp, cfg, progress=_progress if sys.stderr.isatty() else None)
    for name, rows in out["tables"].items():
        print(f"{name:22s} {len(rows):6d} rows")
    for note in out["notes"]:
        print(f"note: {note}")
    print(f"wrote {out['report']}")
    return 0
