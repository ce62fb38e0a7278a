"""kompas batch: process a network of stations (many station-days) in parallel on Dask, resumably.

Every observation file that matches a navigation file of its day is one unit (for qc every observation
file; --join-sessions: a station's files of one day together, read as one session); each unit's results are
written atomically into a Parquet dataset partitioned by task, station and day (OUT/solution/...,
OUT/summary/...) and OUT/summary.parquet holds one row per unit. A rerun skips units whose inputs and
options are unchanged (content hash) and whose result files are as written (size and SHA-256), and does
the rest; a bad input file is one failed row.
Exit status: 0 when a unit has a solution, 1 when none has (the reason is printed), 2 for a user error.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from ..config import load_toml, to_toml
from ..errors import ConfigError

_ROWS_SHOWN = 40  # more units than this: the final table lists only those that did not end "ok"


def register(sub) -> None:
    p = sub.add_parser(
        "batch",
        help="many stations and days in parallel (Dask), resumable, results as a Parquet dataset",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="observation files or glob patterns ('**' recurses)",
    )
    p.add_argument(
        "--task", default="spp", help="what to compute per station-day: spp, qc, ppp, rtk (default: spp)"
    )
    p.add_argument("--nav", nargs="+", default=[], metavar="NAV", help="navigation files or glob patterns")
    p.add_argument(
        "--products",
        nargs="+",
        default=[],
        metavar="FILE",
        help="SP3, clock, bias, ANTEX or IONEX files or patterns (tasks that use them)",
    )
    p.add_argument(
        "--with",
        dest="with_",
        action="append",
        default=[],
        metavar="ROLE=FILE",
        help="a file every unit reads (patterns too; repeatable): antex=, blq=, gpt3=, sat_table= (ppp); "
        "base= (rtk: base observation files; each rover gets the files of the base station overlapping its "
        "session the most, every one that overlaps it, read as one session)",
    )
    p.add_argument(
        "--stations",
        metavar="TOML",
        help="station list: stations = [...], obs = [...], nav = [...]",
    )
    p.add_argument(
        "--join-sessions",
        action="store_true",
        help="a station's observation files of one day (15-minute, hourly) are one unit, read as one "
        "session; default: each file is a unit",
    )
    p.add_argument("--out", metavar="DIR", help="output folder (created; a rerun resumes in it)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes of a local Dask cluster "
        "(default: one per core; 0 runs in this process without Dask)",
    )
    where.add_argument("--scheduler", metavar="ADDR", help="an existing Dask scheduler (tcp://host:8786)")
    p.add_argument(
        "--start-method",
        metavar="METHOD",
        help="how the local cluster starts its workers: fork, spawn or forkserver "
        "(default: fork on Linux when no other thread runs, spawn otherwise)",
    )
    p.add_argument(
        "--config",
        metavar="TOML",
        help="the task's options (kompas batch --task T --dump-config)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="OPTION=VALUE",
        help="one option of the task (e.g. --set systems=C,R --set elmask_deg=15)",
    )
    p.add_argument("--dump-config", action="store_true", help="print the task's effective options as TOML")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def build_config(args, task):
    """The task's configuration: defaults, then --config, then each --set."""
    cfg = load_toml(task.config_class, args.config) if args.config else task.config_class()
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set needs OPTION=VALUE, not {item!r}")
        try:
            cfg = cfg.replace(**{key.strip(): value.strip()})
        except ConfigError as exc:
            raise ConfigError(f"--set {item}: {exc}") from None
    return cfg


MAX_LOCAL_WORKERS = 4 * (os.cpu_count() or 1)
"""Most worker processes of a local cluster: beyond a few per core they only contend (a million hung
the cluster's start without a word); a larger cluster is an external one (--scheduler)."""


def _plan(args, task, cfg):
    from ..batch import expand, load_station_list, plan

    stations, obs, nav = (), list(args.inputs), list(args.nav)
    if args.stations:
        sl = load_station_list(args.stations)
        stations, obs, nav = sl.stations, obs + list(sl.obs), nav + list(sl.nav)
    if not obs:
        raise ConfigError("give observation files or patterns: kompas batch 'data/**/*.crx.gz' --nav ...")
    files = expand(obs, "observation") + expand(args.products, "product")
    navs = expand(nav, "navigation")
    extra = _with(args.with_, task)
    return plan(
        files,
        navs,
        needs=task.required(cfg),
        roles=task.read_roles(cfg, extra),
        stations=stations,
        extra=extra,
        join_sessions=args.join_sessions,
    )


def _with(items, task) -> dict[str, list[str]]:
    """``--with ROLE=PATTERN`` -> files by role (roles the task reads; checked)."""
    from ..batch import expand

    out: dict[str, list[str]] = {}
    for item in items:
        role, sep, pattern = item.partition("=")
        role = role.strip().replace("-", "_")
        if not sep or not pattern.strip():
            raise ConfigError(f"--with needs ROLE=FILE, not {item!r}")
        if role not in task.roles or role in ("nav",):
            roles = ", ".join(r for r in task.roles if r != "nav") or "none"
            raise ConfigError(f"--with {role}: task {task.name} reads no such file (roles: {roles})")
        files = expand([pattern.strip()], role)
        for f in files:
            _check_kind(role, f)
        out.setdefault(role, []).extend(files)
    return out


# the file kind (kompas.detect) of the --with roles whose content tells it; each unit would fail on it
_ROLE_KINDS = {"antex": "antex", "bias": "bias", "ionex": "ionex", "orbit": "sp3", "clock": "clk",
               "base": "obs"}  # fmt: skip
_KIND_NAMES = {"antex": "an ANTEX", "bias": "a Bias-SINEX", "ionex": "an IONEX", "sp3": "an SP3",
               "clk": "a RINEX clock", "obs": "an observation", "nav": "a navigation",
               "met": "a RINEX MET"}  # fmt: skip


def _check_kind(role: str, path: str) -> None:
    """ConfigError before any unit runs when a file given for every unit is not of its role's kind."""
    from ..errors import KompasError
    from ..io.detect import detect

    want = _ROLE_KINDS.get(role)
    if want is None:
        return
    try:
        kind = detect(path)
    except KompasError as exc:
        raise ConfigError(f"--with {role}={path}: not {_KIND_NAMES[want]} file ({exc})") from None
    if kind != want:
        raise ConfigError(
            f"--with {role}={path}: {_KIND_NAMES.get(kind, kind)} file, not {_KIND_NAMES[want]} file"
        )


def _check_out(out: str | None) -> str:
    if not out:
        raise ConfigError("give the output folder: --out DIR")
    if os.path.exists(out) and not os.path.isdir(out):
        raise ConfigError(f"{out}: exists and is not a folder")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    if not os.access(out, os.W_OK):
        raise ConfigError(f"{out}: not writable")
    return out


def _progress(total: int, enabled: bool):
    bar = None
    if enabled and total:
        try:
            from tqdm import tqdm

            class _Bar(tqdm):
                # no monitor thread: the local cluster forks this process only while no other thread runs
                # (kompas.batch.execute.default_start_method); the bar is refreshed at every unit anyway
                monitor_interval = 0

            bar = _Bar(total=total, unit="unit", desc="kompas batch", file=sys.stderr, disable=None)
        except ImportError:
            bar = None

    def tick(row):
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{row['station']} {row['day']} {row['status']}", refresh=False)
            if bar.n >= total:
                bar.close()

    return tick


def run(args) -> int:
    from ..batch import BatchJob, get_task, run_batch
    from ..batch.execute import SOLVED, START_METHODS

    task = get_task(args.task)
    cfg = build_config(args, task)
    if args.dump_config:
        sys.stdout.write(to_toml(cfg))
        return 0
    if args.workers is not None and not 0 <= args.workers <= MAX_LOCAL_WORKERS:
        raise ConfigError(
            f"--workers must be within 0 .. {MAX_LOCAL_WORKERS} (local processes), not {args.workers}"
        )
    if args.start_method is not None and args.start_method not in START_METHODS:
        raise ConfigError(f"--start-method {args.start_method}: expected one of {', '.join(START_METHODS)}")
    out = _check_out(args.out)
    p = _plan(args, task, cfg)
    if not p.items:
        from ..batch.plan import _BROKEN_OBS

        reasons = sorted({s.reason for s in p.skipped if s.station or s.reason == _BROKEN_OBS})
        why = "; ".join(reasons[:3]) or "no observation file"
        print(f"kompas batch: nothing to do: no unit planned ({why})", file=sys.stderr)
        return 1
    job = BatchJob(task.name, cfg, p.items, out)
    report = run_batch(
        job,
        workers=args.workers,
        scheduler=args.scheduler,
        skipped=p.skipped,
        start_method=args.start_method,
        progress=_progress(len(p.items), not args.no_progress),
    )
    for line in final_table(report):
        print(line)
    print(f"wrote    {os.path.join(out, 'summary.parquet')} and the dataset under {out}{os.sep}")
    if any(r["action"] == "not planned" for r in report.rows):
        print(f"wrote    {os.path.join(out, 'not_planned.parquet')} (the files left out, and why)")
    if not any(r["status"] in SOLVED for r in report.rows):
        print("kompas batch: no unit has a solution (see the table)", file=sys.stderr)
        return 1
    return 0


_DIRS = re.compile(r"(?<![^\s('\"])(?:[A-Za-z]:)?(?:[\\/][^\s\\/:'\"]+)+[\\/](?=[^\s\\/:'\"]+)")
"""The folders of an absolute path in a message: the table shows the file's name, the summary keeps the
path. The path opens a word: "--start/--end/--interval" was cut to "--start--interval", and a relative
"data/obs/x.rnx" to "datax.rnx"; relative paths are shown whole."""


def _fmt_row(r) -> str:
    t = r.get("total_s")
    secs = f"{t:7.2f}" if isinstance(t, float) and t == t else "      -"
    msg = _DIRS.sub("", (r.get("message") or "").replace("\n", " "))
    action = "" if r["action"] == "ran" else f"({r['action']}) "
    return (
        f"{r['station'] or '-':<10} {r['day'] or '-':<10} {r['session'] or '-':<9} {r['status']:<9} "
        f"{r.get('solved', 0):>6}/{r.get('epochs', 0):<6} {secs}  {action}{msg[:100]}"
    )


def final_table(report) -> list[str]:
    """The final table: a row per unit (only the ones not ``ok`` when there are many) and the totals."""
    rows = [r for r in report.rows if r["station"]]
    shown = rows if len(rows) <= _ROWS_SHOWN else [r for r in rows if r["status"] != "ok"]
    head = f"{'station':<10} {'day':<10} {'session':<9} {'status':<9} {'solved/epochs':<13} {'time s':>7}"
    lines = [head + "  notes"]
    lines += [_fmt_row(r) for r in sorted(shown, key=lambda r: (r["station"], r["day"], r["session"]))]
    ran = [r for r in report.rows if r["action"] == "ran"]
    busy = sum(r["total_s"] for r in ran)
    counts = {
        s: sum(r["status"] == s for r in report.rows if r["action"] in ("ran", "skipped", "lost"))
        for s in ("ok", "partial", "unsolved", "failed")
    }
    unnamed = [r for r in report.rows if not r["station"]]
    unknown = len(unnamed)
    lines.append(
        f"units    {counts['ok']} ok, {counts['partial']} partial, {counts['unsolved']} unsolved, "
        f"{counts['failed']} failed; "
        f"{report.count(action='skipped')} finished before, {report.count(action='not planned') - unknown} "
        f"observation files not planned, {unknown} files not recognised"
    )
    if unnamed:  # which, and why (the plan's message of each): at most three named
        lines.append(
            "         not recognised: "
            + "; ".join(r["message"] for r in unnamed[:3])
            + (" ..." if unknown > 3 else "")
        )
    workers = f"{report.workers} workers" if report.workers else "in process"
    per = f", {busy / len(ran):.2f} s per unit on a worker" if ran else ""
    lines.append(f"time     {report.wall_s:.1f} s wall ({workers}), {busy:.1f} s of work{per}")
    return lines
