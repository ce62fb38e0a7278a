"""kompas qc: quality control of observation files (teqc-like summaries, text report, JSON, CSV, HTML).

Each OBS file gets a one-line summary per system and, with one file, the full text report; with many
files (kompas qc *.crx.gz) one summary row per file and system (--join-sessions: per marker, its files
read as one session). Navigation files give elevations,
expected counts and the header position check; without them those columns stay empty.
Exit status: 0 when every file was checked, 1 when a file could not be checked (the reason is printed),
2 for a user error.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from ..config import add_arguments, from_command_line, to_toml
from ..errors import ConfigError, KompasError
from .spp import check_input_files, check_output_file, check_output_folder, check_outputs_apart, output_folder


def register(sub) -> None:
    from ..qc import QcConfig

    p = sub.add_parser(
        "qc",
        help="quality control: completeness, multipath, C/N0, slips, clock jumps, gaps, header",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "files",
        nargs="*",
        metavar="OBS [NAV...]",
        help="observation file(s), then navigation file(s); the type is read from the content",
    )
    p.add_argument("--nav", action="append", default=[], metavar="NAV", help="navigation file (repeatable)")
    p.add_argument("--config", metavar="TOML", help="options from a TOML file")
    p.add_argument("--dump-config", action="store_true", help="print the effective options as TOML and exit")
    add_arguments(p, QcConfig)
    p.add_argument("--json", metavar="FILE", help="write every table as JSON (- for standard output)")
    p.add_argument("--csv", metavar="DIR", help="write one CSV per table into DIR")
    p.add_argument("--html", metavar="DIR", help="write an HTML report with figures into DIR")
    p.add_argument("-q", "--quiet", action="store_true", help="summaries only, no full text report")
    p.add_argument(
        "--join-sessions",
        action="store_true",
        help="the observation files of one marker (15-minute, hourly) are one session, checked as one file "
        "(default: each file apart)",
    )
    p.set_defaults(func=run)


def _check_paths(args) -> None:
    from .obs_inputs import expand_obs

    # quoted patterns, as kompas spp and kompas batch take them ('GRAS*_15M_01S_MO.crx.gz')
    args.files = [f for spec in args.files for f in expand_obs(spec, "file")]
    args.nav = [f for spec in args.nav for f in expand_obs(spec, "--nav")]
    check_input_files([*args.files, *args.nav, *([args.config] if args.config else [])], readable=False)
    check_outputs_apart(args, [args.json])
    for out, is_dir in ((args.json, False), (args.csv, True), (args.html, True)):
        if not out or (out == "-" and not is_dir):  # --json -: standard output
            continue
        parent = output_folder(out)
        target = out if is_dir and os.path.isdir(out) else parent
        if not is_dir and os.path.isdir(out):
            raise ConfigError(f"{out}: is a directory")
        if not os.access(target, os.W_OK):
            raise ConfigError(f"{out}: not writable")
        (check_output_folder if is_dir else check_output_file)(out)


def _split(args):
    """Observation and navigation files, by content, and the files that are neither (with the error
    that says why): among other files they are reported as not checked; alone, the error is the user's."""
    from ..io.detect import detect

    obs, nav, skipped = [], list(args.nav), []
    for path in args.files:
        try:
            kind = detect(path)
        except KompasError as exc:  # empty, unreadable, not a GNSS file
            skipped.append((path, exc))
            continue
        if kind == "nav":
            nav.append(path)
        elif kind == "obs":
            obs.append(path)
        else:
            skipped.append(
                (path, ConfigError(f"{path}: not a RINEX observation or navigation file ({kind})"))
            )
    if not obs:
        if skipped:
            raise skipped[0][1]
        raise ConfigError("give at least one observation file: kompas qc OBS [NAV...]")
    return obs, nav, skipped


def run(args) -> int:
    from .. import read_nav, read_obs_files
    from ..qc import QcConfig, run_qc
    from ..qc.report import summary_lines, text_report, write_csv, write_json

    cfg = from_command_line(QcConfig, args)
    if args.dump_config:
        sys.stdout.write(to_toml(cfg))
        return 0
    _check_paths(args)
    obs_files, nav_files, skipped = _split(args)
    navs = [read_nav(p) for p in nav_files] or None
    results, failed = [], [p for p, _ in skipped]
    for path, exc in skipped:
        print(f"kompas qc: {path}: not checked: {str(exc).removeprefix(f'{path}: ')}", file=sys.stderr)
    for group in _sessions(obs_files) if args.join_sessions else [[p] for p in obs_files]:
        try:
            # the figures' arrays only for the HTML report: every file's result is held until the end
            results.append(run_qc(read_obs_files(group), navs, cfg, figures=bool(args.html)))
        except KompasError as exc:
            failed.extend(group)
            more = f" (and {len(group) - 1} more files of its session)" if len(group) > 1 else ""
            print(f"kompas qc: {group[0]}{more}: not checked: {exc}", file=sys.stderr)
    text = sys.stderr if args.json == "-" else sys.stdout  # stdout carries the JSON alone then
    for res in results:
        for line in summary_lines(res):
            print(line, file=text)
    if len(results) == 1 and not args.quiet:
        print(file=text)
        print(text_report(results[0]), file=text)
    if not results:
        print("kompas qc: no file could be checked", file=sys.stderr)
        return 1
    if args.json == "-":
        write_json(results, sys.stdout)
    elif args.json:
        write_json(results, args.json)
        print(f"wrote {args.json}", file=sys.stderr)
    if args.csv:
        write_csv(results, args.csv)
        print(f"wrote {args.csv}/*.csv", file=sys.stderr)
    if args.html:
        from ..qc.html import write_html

        used: dict[str, int] = {}
        for res in results:
            stem = _stem(res.path)
            used[stem] = used.get(stem, 0) + 1  # files of one name in different folders: stem, stem-2, ...
            stem += f"-{used[stem]}" if used[stem] > 1 else ""
            folder = args.html if len(results) == 1 else os.path.join(args.html, stem)
            print(f"wrote {write_html(res, folder)}", file=sys.stderr)
    return 1 if failed else 0


def _sessions(paths: list[str]) -> list[list[str]]:
    """The files grouped by the marker their headers name, in the order of each marker's first file (a
    file without a marker, or whose header does not read, is a session of its own: its error comes when
    it is read)."""
    from ..io.readers.rinex_obs import read_obs_header

    groups: dict = {}
    for path in paths:
        try:
            with warnings.catch_warnings():  # a header's repairs are reported when the file is read
                warnings.simplefilter("ignore")
                marker = read_obs_header(path).marker_name.strip().upper()
        except KompasError:
            marker = ""
        groups.setdefault(marker or ("", path), []).append(path)
    return list(groups.values())


def _stem(path: str) -> str:
    name = os.path.basename(path)
    return name.split(".")[0] or "file"
