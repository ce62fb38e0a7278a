"""Benchmark: the time of `kompas batch` planning (:func:`kompas.batch.plan`) by the number of files.

    python benchmarks/bench_batch_plan.py [--sizes 256 512 1024 2048] [--cases spp rtk ...] [--repeat 1]
        [--dir /tmp/kompas-bench-plan] [--profile CASE:N]

Planning reads names (and, for the files of one station and day, the start of their content to find
copies), so each case writes N small files: observation files hold a RINEX 3 header of their own station
and first epoch, navigation files a navigation header, products are empty (only their names are read).
Cases, each N observation files (units) with:

* ``spp``: N stations' daily files of one day, each with its station's mixed navigation file and one
  ``BRDC`` file;
* ``spp-gps-nav``: the same with each station's GPS-only navigation file (as RINEX 2 networks give) and a
  ``BRDC`` GPS file: the other stations' files of the day are candidates for every unit;
* ``network``: N/8 stations over 8 days, one ``BRDC`` mixed file a day;
* ``station-list``: ``network`` with a station list naming its stations (every fourth by its four
  characters), in reverse order, and 8 stations that have no file;
* ``sessions``: N 15-minute files (N/96 stations, 96 sessions of one day), one unit each;
* ``joined``: the same files with ``join_sessions`` (N/96 units of 96 files);
* ``ppp``: N/8 stations over 8 days, orbits and clocks of two centres a day;
* ``rtk``: N rover stations' daily files against N base stations' daily files of the same day (every
  base overlaps every rover alike: the first by path is the base);
* ``rtk-hourly``: N rover stations' daily files against N hourly base files (N/24 stations).

Printed: one row per case and size, the best of ``--repeat`` runs (wall seconds of ``plan`` in this
process; the files are written before timing), and the units planned. ``--profile CASE:N`` prints the
cProfile of one run instead (the 25 costliest functions by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import shutil
import tempfile
import time
import warnings

from kompas.batch import plan
from kompas.errors import KompasWarning

CASES = ("spp", "spp-gps-nav", "network", "station-list", "sessions", "joined", "ppp", "rtk", "rtk-hourly")
DAY0 = dt.datetime(2020, 6, 25)  # day 177


def _line(text: str, label: str) -> str:
    return f"{text:<60}{label:<20}\n"


def _obs_header(marker: str, first: dt.datetime) -> str:
    """A RINEX 3 observation header (enough for `kompas info` to name the station and first epoch)."""
    return (
        _line("     3.04           OBSERVATION DATA    M", "RINEX VERSION / TYPE")
        + _line(marker, "MARKER NAME")
        + _line(f"  {first:%Y     %m     %d     %H     %M}    0.0000000     GPS", "TIME OF FIRST OBS")
        + _line("", "END OF HEADER")
    )


def _stamp(t: dt.datetime) -> str:
    return f"{t:%Y}{t.timetuple().tm_yday:03d}{t:%H%M}"


def _obs(folder: str, site: str, start: dt.datetime, span: str) -> str:
    rate = "01S" if span.endswith(("M", "H")) else "30S"
    path = os.path.join(folder, f"{site}_R_{_stamp(start)}_{span}_{rate}_MO.rnx")
    with open(path, "w") as f:
        f.write(_obs_header(site[:4], start))
    return path


def _nav(folder: str, site: str, start: dt.datetime, content: str = "MN") -> str:
    path = os.path.join(folder, f"{site}_R_{_stamp(start)}_01D_{content}.rnx")
    with open(path, "w") as f:
        f.write(_line("     3.04           N: GNSS NAV DATA    M", "RINEX VERSION / TYPE"))
        f.write(_line("", "END OF HEADER"))
    return path


def _empty(folder: str, name: str) -> str:
    path = os.path.join(folder, name)
    open(path, "w").close()
    return path


def _station(k: int) -> str:
    """A distinct nine-character site for station ``k`` (< 26 * 26 * 26 * 10 of them)."""
    a, b, c, d = k // 6760, k // 260 % 26, k // 10 % 26, k % 10
    return f"{chr(65 + a)}{chr(65 + b)}{chr(65 + c)}{d}00XXX"


def build(case: str, n: int, folder: str) -> dict:
    """Write the files of ``case`` with ``n`` observation files into ``folder``; ``plan``'s arguments."""
    os.makedirs(folder)
    days = [DAY0 + dt.timedelta(days=d) for d in range(8)]
    files: list[str] = []
    kw: dict = {}
    if case in ("spp", "spp-gps-nav"):
        content = "MN" if case == "spp" else "GN"
        for k in range(n):
            files += [_obs(folder, _station(k), DAY0, "01D"), _nav(folder, _station(k), DAY0, content)]
        files.append(_nav(folder, "BRDC00WRD", DAY0, content))
    elif case in ("network", "station-list", "ppp"):
        for k in range(n // 8):
            files += [_obs(folder, _station(k), d, "01D") for d in days]
        files += [_nav(folder, "BRDC00WRD", d) for d in days]
        if case == "station-list":
            ids = [_station(k)[: 4 if k % 4 == 0 else 9] for k in range(n // 8 + 8)]
            kw = {"stations": ids[::-1]}
        if case == "ppp":
            kw = {"needs": ("orbit", "clock"), "roles": ("nav", "orbit", "clock")}
            for d in days:
                for centre in ("COD0MGXFIN", "GRG0MGXFIN"):
                    files.append(_empty(folder, f"{centre}_{_stamp(d)}_01D_05M_ORB.SP3"))
                    files.append(_empty(folder, f"{centre}_{_stamp(d)}_01D_30S_CLK.CLK"))
    elif case in ("sessions", "joined"):
        for k in range(n // 96):
            files += [
                _obs(folder, _station(k), DAY0 + dt.timedelta(minutes=15 * s), "15M") for s in range(96)
            ]
        files.append(_nav(folder, "BRDC00WRD", DAY0))
        kw = {"join_sessions": case == "joined"}
    elif case in ("rtk", "rtk-hourly"):
        files = [_obs(folder, _station(k), DAY0, "01D") for k in range(n)]
        files.append(_nav(folder, "BRDC00WRD", DAY0))
        bases = os.path.join(folder, "bases")
        os.makedirs(bases)
        if case == "rtk":
            base = [_obs(bases, "Z" + _station(k)[1:], DAY0, "01D") for k in range(n)]
        else:
            base = [_obs(bases, "Z" + _station(k)[1:], DAY0 + dt.timedelta(hours=h), "01H")
                    for k in range(n // 24) for h in range(24)]  # fmt: skip
        kw = {"needs": ("nav", "base"), "roles": ("nav", "base"), "extra": {"base": base}}
    else:
        raise SystemExit(f"unknown case {case!r}; known: {', '.join(CASES)}")
    return {"files": sorted(files), **kw}


def run(args: dict):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)
        return plan(**args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024, 2048])
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    ap.add_argument("--repeat", type=int, default=1, help="runs per case and size; the best is printed")
    ap.add_argument("--dir", default=None, help="where the files are written (default: a temporary folder)")
    ap.add_argument("--profile", default=None, metavar="CASE:N", help="print the cProfile of one run")
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="kompas-bench-plan-", dir=args.dir)
    try:
        if args.profile:
            case, n = args.profile.split(":")
            inputs = build(case, int(n), os.path.join(root, "p"))
            profile = cProfile.Profile()
            profile.runcall(run, inputs)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            return
        print(f"{'case':<12} {'N':>6} {'files':>6} {'units':>6} {'plan s':>8}")
        for case in args.cases:
            for n in args.sizes:
                folder = os.path.join(root, f"{case}-{n}")
                inputs = build(case, n, folder)
                best, result = float("inf"), None
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    result = run(inputs)
                    best = min(best, time.perf_counter() - t0)
                count = len(inputs["files"]) + len(inputs.get("extra", {}).get("base", ()))
                print(f"{case:<12} {n:>6} {count:>6} {len(result.items):>6} {best:>8.3f}", flush=True)
                shutil.rmtree(folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
