"""kompas orbits: broadcast ephemerides against precise products (signal-in-space range error)."""

from __future__ import annotations

import csv
import math
import sys

import numpy as np

from ..errors import KompasError

_VALUES = ("radial_m", "along_m", "cross_m", "orbit_3d_m", "clock_m", "sisre_orb_m", "sisre_m")
"""The printed RMS columns, after ``n`` and ``n_clock``."""
_COLUMNS = ("n", *_VALUES, "n_clock")  # CSV: n_clock last, so the older columns keep their places


def register(sub) -> None:
    p = sub.add_parser(
        "orbits",
        help="compare broadcast orbits and clocks with precise products (SISRE)",
        description=__doc__
        + " Broadcast records are taken as a receiver held them (latest transmitted) within each system's"
        " ICD validity (kompas.products.broadcast); precise orbits are moved to the antenna phase centre"
        " with --atx where it has the satellite (kompas monitor adds nominal offsets for the others).",
    )
    p.add_argument("nav", nargs="+", metavar="NAV", help="RINEX navigation file(s)")
    p.add_argument("--precise", nargs="+", required=True, metavar="SP3", help="SP3 file(s)")
    p.add_argument(
        "--clk", nargs="*", default=[], metavar="CLK", help="RINEX clock file(s) (else SP3 clocks)"
    )
    p.add_argument("--atx", nargs="*", default=[], metavar="ATX", help="ANTEX file(s) with satellite offsets")
    p.add_argument("--csv", metavar="FILE", help="write the per-satellite table as CSV")
    p.add_argument(
        "--plot", metavar="PNG", help="write a figure (needs matplotlib: pip install kompas[plot])"
    )
    p.add_argument("--selection", choices=("transmitted", "nearest"), default="transmitted")
    p.add_argument("--eph-policy", choices=("icd", "post", "rtklib"), default="icd", dest="policy",
                   help="broadcast record validity (default: icd)")  # fmt: skip
    p.set_defaults(func=run)


def run(args) -> int:
    from ..engine import check_clocks_serve_orbits
    from ..io.readers.antex import read_antex
    from ..io.readers.clk import read_clk
    from ..io.readers.rinex_nav import read_nav
    from ..io.readers.sp3 import read_sp3
    from ..monitor.sisre import sisre
    from ..products.broadcast import BroadcastProduct
    from ..products.mix import precise_products
    from .spp import check_input_files, check_output_file, check_outputs_apart

    check_input_files([*args.nav, *args.precise, *args.clk, *args.atx])
    check_outputs_apart(args, [args.csv, args.plot])
    for out in (args.csv, args.plot):
        if out:
            check_output_file(out)
    if args.plot and not args.plot.lower().endswith(_PLOT_TYPES):
        raise KompasError(f"--plot {args.plot}: name a figure file ({', '.join(_PLOT_TYPES)})")
    if args.plot:
        _pyplot()  # a missing matplotlib is said before the files are read, not after the work
    navs = [read_nav(p) for p in args.nav]
    product = BroadcastProduct(navs, selection=args.selection, policy=args.policy)
    sp3s, clks = [read_sp3(p) for p in args.precise], [read_clk(p) for p in args.clk]
    check_clocks_serve_orbits(sp3s, clks)
    precise, notes = precise_products(sp3s, clks)
    for note in notes:  # files of several analysis centres: one centre per system
        print(f"kompas orbits: note: {note}", file=sys.stderr)
    antex = _merge_antex([read_antex(p, receivers=()) for p in args.atx]) if args.atx else None  # satellites
    times = np.unique(np.concatenate([s.time_ns for s in sp3s]))
    sats = np.unique(np.concatenate([s.sats for s in sp3s]))
    res = sisre(product, precise, times, sats, antex=antex, attitude="nominal")
    n_clock = int(np.isfinite(res.clock_m).sum())
    if args.clk and not n_clock:
        print(
            "kompas orbits: warning: the clock files (--clk) hold no clock at the SP3 epochs: "
            "no clock errors computed",
            file=sys.stderr,
        )
    elif n_clock < res.clock_m.size:
        print(
            f"kompas orbits: warning: precise clocks at {n_clock} of {res.clock_m.size} samples: the clock, "
            "SISRE and bias columns come from those (column nclk); satellites with too few are left blank",
            file=sys.stderr,
        )
    if not res.table:
        raise KompasError(_why_nothing_shared(navs, sp3s, times))
    _print(res)
    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["sat", "group", "apc", *_COLUMNS])
            for row in res.table:
                w.writerow(
                    [row["sat"], row["group"], row.get("apc", ""), *(row.get(c, "") for c in _COLUMNS)]
                )
        print(f"\nwrote {args.csv}")
    if args.plot:
        _plot(res, args.plot)
        print(f"wrote {args.plot}")
    return 0


_PLOT_TYPES = (".png", ".pdf", ".svg")
"""Figure files --plot writes (matplotlib chooses the format by the name)."""


def _merge_antex(files):
    from ..monitor.run import _MergedAntex

    return files[0] if len(files) == 1 else _MergedAntex(files)


def _fmt(v) -> str:
    return "     -" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:6.2f}"


def _print(res) -> None:
    names = ("R", "A", "C", "3D", "clk", "SISorb", "SISRE")
    head = f"{'':14s} {'n':>5s} {'nclk':>5s}  " + " ".join(f"{x:>6s}" for x in names) + "  (m, RMS)"
    print(head)
    for g in res.groups():
        print(
            f"{g['name']:14s} {g['n']:5d} {g['n_clock']:5d}  "
            + " ".join(_fmt(g[c]) for c in _VALUES)
            + {"none": "  CoM*", "mixed": "  CoM* for some satellites"}.get(g["apc"], "")
        )
    print()
    print(f"{'satellite':14s} {'n':>5s} {'nclk':>5s}")
    for row in res.table:
        if row.get("too_few"):
            print(f"{row['sat']:14s} {row['n']:5d}  (too few epochs for statistics)")
            continue
        print(
            f"{row['sat']:14s} {row['n']:5d} {row['n_clock']:5d}  "
            + " ".join(_fmt(row[c]) for c in _VALUES)
            + ("" if row["apc"] != "none" else "  CoM*")
        )
    if res.unhealthy:
        print(
            "\nunhealthy (not in the statistics): "
            + ", ".join(f"{k} ({v} epochs)" for k, v in sorted(res.unhealthy.items()))
        )
    if not res.apc.all():
        print(
            "\n* CoM: no ANTEX offset for this satellite: precise centre of mass compared with the"
            " broadcast antenna phase centre (the radial difference holds the unapplied offset)"
        )


def _pyplot():
    """:func:`kompas.plots.pyplot`, or one line saying how to install matplotlib."""
    from ..plots import pyplot

    try:
        return pyplot()
    except ImportError:
        raise KompasError("--plot needs matplotlib: pip install 'kompas[plot]'") from None


def _plot(res, path) -> None:
    plt = _pyplot()
    rows = [r for r in res.table if not r.get("too_few")]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(max(8, 0.22 * len(rows)), 7), constrained_layout=True)
    x = np.arange(len(rows))
    ax1.bar(x - 0.2, [r["orbit_3d_m"] for r in rows], 0.4, label="3D orbit RMS")
    ax1.bar(x + 0.2, [r["sisre_orb_m"] for r in rows], 0.4, label="orbit-only SISRE RMS")
    ax1.set_xticks(x, [r["sat"] for r in rows], rotation=90, fontsize=7)
    ax1.set_ylabel("m")
    ax1.set_title("Broadcast minus precise orbit, per satellite")
    ax1.legend()
    groups = res.groups()
    gx = np.arange(len(groups))
    ax2.bar(gx - 0.2, [g["sisre_orb_m"] for g in groups], 0.4, label="orbit-only SISRE")
    ax2.bar(
        gx + 0.2,
        [0 if math.isnan(g["sisre_m"]) else g["sisre_m"] for g in groups],
        0.4,
        label="SISRE (orbit+clock)",
    )
    ax2.set_xticks(gx, [g["name"] for g in groups])
    ax2.set_ylabel("m (RMS)")
    ax2.set_title("Signal-in-space range error per constellation")
    ax2.legend()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _why_nothing_shared(navs, sp3s, times) -> str:
    """No satellite has both states: which satellites the files hold, and their time spans."""
    from ..satsys import letters_of
    from ..tables.nav import record_times_ns
    from ..time import time_span

    broadcast = np.unique(np.concatenate([n.record_sats() for n in navs]))
    precise = np.unique(np.concatenate([s.sats for s in sp3s]))
    shared = np.intersect1d(broadcast, precise)
    why = "no satellite has both a broadcast and a precise state: "
    if not broadcast.size:
        return why + "the navigation files hold no orbit record"
    if not shared.size:
        held = f"records of {letters_of(broadcast)}, the precise orbits of {letters_of(precise)}"
        return why + f"the navigation files have {held}"
    nav_t = record_times_ns(navs)
    return why + (
        f"the {shared.size} satellites in both have records {time_span(nav_t)} and precise orbits "
        f"{time_span(times)}: do the files overlap in time?"
    )
