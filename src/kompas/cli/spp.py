"""kompas spp: single point positioning of an observation file with broadcast navigation data.

Every option of the configuration (kompas.SppConfig) is here, in a TOML file given with --config, and in
the Python API. Options are checked before any file is read; the output path is checked before solving.
Exit status: 0 with a solution, 1 when no epoch could be solved (the main reason is printed), 2 for a
user error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from ..config import add_arguments, from_command_line, to_toml
from ..errors import ConfigError
from .obs_inputs import OBS_HELP

FORMATS = ("pos", "nmea", "csv", "parquet", "kml", "gpx")
POS_COORDS = ("llh", "xyz")
POS_TIMES = ("gpst", "utc", "tow")
"""``--time`` of .pos output: :func:`kompas.io.writers.pos.write_pos`'s ``time_format`` values."""
KML_ALTITUDES = ("clampToGround", "absolute")
"""``--kml-altitude``: KML altitude modes (:func:`kompas.io.writers.kml.write_kml`); not relativeToGround:
kompas knows no terrain, and its heights are above the geoid."""


def register(sub) -> None:
    from ..spp import SppConfig

    p = sub.add_parser(
        "spp",
        help="single point positioning (any mix of G, R, E, C, J, I)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("obs", metavar="OBS", nargs="?", help=OBS_HELP + " or among NAV")
    p.add_argument("nav", nargs="*", metavar="NAV", help="RINEX navigation file(s)")
    p.add_argument(
        "--config", metavar="TOML", help="options from a TOML file (kompas spp --dump-config shows one)"
    )
    p.add_argument("--dump-config", action="store_true", help="print the effective options as TOML and exit")
    add_arguments(p, SppConfig)
    p.add_argument(
        "--ionex", nargs="+", metavar="FILE", help="IONEX global ionosphere maps (selects --iono ionex)"
    )
    p.add_argument("--met", metavar="FILE", help="RINEX MET file: Saastamoinen with the measured atmosphere")
    p.add_argument(
        "--truth",
        nargs="+",
        metavar="X Y Z | FILE",
        help="reference position: ECEF X Y Z in m, or the simulator's truth.json",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the solution (.pos .nmea .csv .parquet .kml .gpx; '-' for stdout)",
    )
    add_format_arguments(p, "llh")
    p.set_defaults(func=run)


def add_format_arguments(p, coords: str, choices=POS_COORDS) -> None:
    """``--format``, ``--coords`` (the .pos coordinates: ``coords`` is the command's default, ``choices``
    those it offers) and ``--time`` (the .pos time format)."""
    p.add_argument("--format", choices=FORMATS, help="output format (default: from the extension)")
    enu = ", or the east/north/up baseline from the base (enu)" if "enu" in choices else ""
    p.add_argument(
        "--coords", choices=choices,
        help=f".pos coordinates: latitude, longitude and height (llh), ECEF X Y Z (xyz){enu} (default: "
        f"{coords}; RTKLIB out-solformat)",
    )  # fmt: skip
    p.add_argument(
        "--time", choices=POS_TIMES,
        help=".pos times: GPST calendar date and time (gpst), UTC calendar date and time (utc), or GPS week "
        "and time of week in s (tow) (default: gpst; RTKLIB out-timesys and out-timeform, rnx2rtkp -u)",
    )  # fmt: skip
    p.add_argument(
        "--kml-altitude", choices=KML_ALTITUDES,
        help=".kml altitudes: the track on the ground (clampToGround, the default) or at its heights above "
        "mean sea level (absolute: EGM96 geoid heights; an aircraft's or a drone's track)",
    )  # fmt: skip
    p.set_defaults(coords_default=coords)


def build_config(args):
    """SppConfig: defaults, then the TOML file, then the command-line options."""
    from ..spp import SppConfig, check_options, maps_selected

    cfg = from_command_line(SppConfig, args)
    check_options(maps_selected(cfg, bool(args.ionex)))
    return cfg


def _check_inputs(args) -> None:
    from .obs_inputs import check_session, expand_obs, file_kind, obs_among_nav

    need = "give an observation file and at least one navigation file: kompas spp OBS NAV..."
    if not args.obs or not args.nav:
        raise ConfigError(need)
    more, args.nav = obs_among_nav(args.nav)
    args.obs_files = expand_obs(args.obs) + more
    if file_kind(args.obs_files[0]) == "nav":  # the files in another order: name the one misplaced
        raise ConfigError(f"OBS {args.obs_files[0]} is a navigation file: the order is kompas spp OBS NAV...")
    if not args.nav:
        raise ConfigError(need)
    extra = [*([args.config] if args.config else []), *(args.ionex or []), *([args.met] if args.met else [])]
    check_input_files([*args.obs_files, *args.nav, *extra])
    args.obs_files = check_session(args.obs_files)
    args.obs = args.obs_files[0]


def check_input_files(paths, readable: bool = True) -> None:
    """Check, before anything is read, that every input path is an existing (and readable) file.

    Parameters
    ----------
    paths : iterable of str
        Input file paths named on the command line, in the order they are reported.
    readable : bool
        Also require read permission (``os.R_OK``).

    Raises
    ------
    ConfigError
        At the first path that does not exist, is a directory or (with `readable`) cannot be read.
    """
    for path in paths:
        if not os.path.exists(path):
            raise ConfigError(f"{path}: no such file")
        if os.path.isdir(path):
            raise ConfigError(f"{path}: is a directory, not a file")
        if readable and not os.access(path, os.R_OK):
            raise ConfigError(f"{path}: not readable")


# the argparse names of every command's input files (strings or lists of strings)
_INPUT_ARGS = ("obs_files", "obs", "nav", "rover_files", "base_files", "sp3", "clk", "atx", "bias",
               "blq", "gpt3", "config", "ionex", "met", "sat_table", "files", "precise", "satmeta",
               "sinex")  # fmt: skip


def check_outputs_apart(args, outputs) -> None:
    """Refuse an output file that is one of the command's input files (it would be overwritten).

    Raises
    ------
    ConfigError
        Naming the output option's path and the input it would replace.
    """
    inputs = []
    for name in _INPUT_ARGS:
        value = getattr(args, name, None)
        inputs += [value] if isinstance(value, str) else [v for v in value or () if isinstance(v, str)]
    for out in outputs:
        if not out or out == "-" or not os.path.isfile(out):
            continue
        for path in inputs:
            if os.path.isfile(path) and os.path.samefile(out, path):
                raise ConfigError(f"{out}: is an input file of this run; choose another output name")


def _output_format(args) -> str | None:
    """The output format (None: no output) after the checks of the output path, ``--coords`` and
    ``--time``."""
    fmt = _format_of_output(args)
    # a format's options: refused rather than ignored for another format
    for option, owner in (("coords", "pos"), ("time", "pos"), ("kml_altitude", "kml")):
        value = getattr(args, option, None)
        if value and fmt != owner:
            flag = option.replace("_", "-")
            raise ConfigError(f"--{flag} {value} is for .{owner} output, not {fmt or 'no output'}")
    return fmt


def _format_of_output(args) -> str | None:
    from ..io.writers import format_of

    if not args.output:
        if args.format:
            raise ConfigError(f"--format {args.format} needs an output: -o FILE, or -o - for standard output")
        return None
    if args.output == "-":
        fmt = args.format or "pos"
        if fmt == "parquet":
            raise ConfigError("parquet is binary: write it to a file, not to stdout")
        return fmt
    named = format_of(args.output)
    fmt = args.format or named
    if named is not None and fmt != named:
        raise ConfigError(f"{args.output}: a .{named} name for --format {fmt} output; name the file .{fmt}")
    if fmt is None:
        raise ConfigError(f"{args.output}: unknown extension; use one of .{', .'.join(FORMATS)} or --format")
    folder = output_folder(args.output)
    if os.path.isdir(args.output):
        raise ConfigError(f"{args.output}: is a directory")
    if not os.access(folder, os.W_OK) or (
        os.path.exists(args.output) and not os.access(args.output, os.W_OK)
    ):
        raise ConfigError(f"{args.output}: not writable")
    check_output_file(args.output)
    return fmt


def output_folder(path: str) -> str:
    """The folder that is to hold the output ``path``; ConfigError when it does not exist or is a file."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        why = (
            f"{folder} is a file, not a folder"
            if os.path.exists(folder)
            else f"folder {folder} does not exist"
        )
        raise ConfigError(f"{path}: {why}")
    return folder


def check_output_file(path: str) -> None:
    """Open an output file for appending before the work starts (permission bits do not tell everything:
    root passes os.access, a pseudo file system refuses new files); a file created here is removed again.

    Raises
    ------
    ConfigError
        When the file cannot be written.
    """
    existed = os.path.exists(path)
    try:
        with open(path, "a"):
            pass
    except OSError as exc:
        raise ConfigError(f"{path}: not writable ({exc.strerror or exc})") from None
    if not existed:
        os.remove(path)


def check_output_folder(path: str) -> None:
    """Create an output folder (if missing) and a file in it before the work starts, as
    :func:`check_output_file`; a folder created here is removed again."""
    import tempfile

    existed = os.path.isdir(path)
    try:
        os.makedirs(path, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path)
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        raise ConfigError(f"{path}: not writable ({exc.strerror or exc})") from None
    finally:
        if not existed and os.path.isdir(path) and not os.listdir(path):
            os.rmdir(path)


def _truth(values, obs_path=None):
    if not values:
        return None
    if len(values) == 3:
        try:
            xyz = np.array([float(v) for v in values])
        except ValueError:
            pass
        else:
            return _plausible_truth(xyz, "--truth " + " ".join(values))
    if len(values) == 1:
        return _truth_file(values[0], obs_path)
    raise ConfigError("--truth needs X Y Z in metres or one truth.json file")


def _plausible_truth(xyz, what: str) -> np.ndarray:
    """``xyz`` when it is a position near the Earth's surface, else ConfigError naming ``what``."""
    from ..frames import near_earth_surface

    if not near_earth_surface(xyz):
        raise ConfigError(f"{what}: not an ECEF X Y Z in metres near the Earth's surface")
    return np.asarray(xyz, dtype=float)


def _xyz(value):
    """``[x, y, z]`` or ``{"x": .., "y": .., "z": ..}`` of numbers -> (3,) floats; None for anything else."""
    if isinstance(value, dict) and {"x", "y", "z"} <= value.keys():
        value = [value["x"], value["y"], value["z"]]
    if not isinstance(value, list) or len(value) != 3:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return None
    return np.array(value, dtype=float)


def _receiver_truth(path, data, obs_path):
    """The position of the receiver whose observation file is ``obs_path`` in a simulator truth with a
    base and a rover (``files.obs`` is the base's, ``files.rover_obs`` the rover's); None for other files."""
    files, receivers = data.get("files"), data.get("receivers")
    if not isinstance(files, dict) or not isinstance(receivers, list) or "rover_obs" not in files:
        return None
    name = os.path.basename(obs_path or "")
    role = {files.get("obs"): "base", files.get("rover_obs"): "rover"}.get(name)
    if role is None:
        raise ConfigError(
            f"{path}: the truth of a base ({files.get('obs')}) and a rover ({files['rover_obs']}); "
            f"{name or 'the observation file'} is neither: give --truth X Y Z"
        )
    for r in receivers:
        if isinstance(r, dict) and r.get("role") == role and _xyz(r.get("ecef_m")) is not None:
            return _xyz(r["ecef_m"])
    raise ConfigError(f"{path}: no position of the {role} in the truth file")


def _station_truth(path, data, obs_path):
    """The ``marker_ecef_m`` of the station whose ``id`` names the observation file (its first four
    characters, as IGS file names begin), in a truth of several stations (``{"rover_station": {"id":
    "PASA00ESP", "marker_ecef_m": {"x": ..}}, "base_station": ..}``); None for other files."""
    stations = {
        str(v["id"]): v for v in data.values() if isinstance(v, dict) and "id" in v and "marker_ecef_m" in v
    }
    if not stations:
        return None
    solved = os.path.basename(obs_path or "")
    match = [v for k, v in stations.items() if solved and k[:4].upper() == solved[:4].upper()]
    if len(match) != 1:
        raise ConfigError(
            f"{path}: the truth of {', '.join(stations)}; {solved or 'the solved file'} is none of them: "
            "give --truth X Y Z"
        )
    return _xyz(match[0]["marker_ecef_m"])


def _truth_file(path, obs_path=None):
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the truth file ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a JSON truth file ({exc})") from None
    pos = None
    if isinstance(data, dict):
        pos = _receiver_truth(path, data, obs_path)
        if pos is None:
            pos = _station_truth(path, data, obs_path)
        for key in ("marker_ecef_m", "position_ecef_m", "truth_ecef_m", "ecef_m"):
            if pos is None and key in data:
                pos = _xyz(data[key])
                if pos is None:
                    raise ConfigError(f"{path}: {key} is not three numbers X, Y, Z in metres")
    if pos is None:
        raise ConfigError(f"{path}: no ECEF position (key marker_ecef_m) in the truth file")
    return _plausible_truth(pos, str(path))


def _progress(done, total):
    """Epochs solved so far on a terminal (a file is read as it is solved: its length is not known)."""
    if sys.stderr.isatty() and done > 720:
        sys.stderr.write(f"\r  solving: {done} epochs" + (f" of {total}" if total else ""))
        sys.stderr.flush()


def run(args) -> int:
    from ..runner import run_spp

    started = start_command(args, build_config, _check_inputs)
    if started is None:
        return 0
    cfg, fmt, truth = started
    if cfg.models.iono == "ionex" and not args.ionex:
        raise ConfigError("--iono ionex needs the maps: --ionex FILE")
    asked = getattr(args, "cfg__models__iono", None)  # given on this command line (None: not given)
    if args.ionex and asked not in (None, "ionex"):
        raise ConfigError(f"--ionex selects the IONEX maps, --iono {asked} another model: give one of them")
    residuals = check_residuals(args, cfg.estimator.residuals)
    t0 = time.perf_counter()
    # read and solved block by block (kompas.runner): a day at 1 Hz needs no more memory than an hour
    done = run_spp(
        args.obs_files, args.nav, cfg, ionex_paths=args.ionex or (), met_path=args.met, progress=_progress
    )
    sol, obs, navs = done.solution, done.first, done.navs
    elapsed_s = time.perf_counter() - t0
    report = print_summary(args, summary(sol, obs, truth, navs), elapsed_s)
    if not sol.ok.any():
        print(f"kompas spp: no epoch solved: {no_solution_reason(sol, obs, navs)}", file=sys.stderr)
        return 1
    write_output(sol, args, fmt, report, residuals=residuals)
    return 0


def start_command(args, build_config, check_inputs):
    """The first steps of a solving command: the configuration (printed as TOML with --dump-config),
    the inputs checked, the output format and the truth.

    Parameters
    ----------
    args : argparse.Namespace
    build_config, check_inputs : callable
        The command's ``build_config(args) -> config`` and ``check_inputs(args)`` (raises ConfigError).

    Returns
    -------
    tuple or None
        ``(config, output format or None, truth ECEF (3,) m or None)``; None after --dump-config.
    """
    cfg = build_config(args)
    if args.dump_config:
        sys.stdout.write(to_toml(cfg))
        return None
    check_inputs(args)
    check_outputs_apart(args, [args.output, getattr(args, "report", None)])
    solved = getattr(args, "rover", None) or getattr(args, "obs", None)  # the file whose marker is solved
    return cfg, _output_format(args), _truth(args.truth, solved if isinstance(solved, str) else None)


def print_summary(args, lines, elapsed_s: float):
    """Print a command's summary lines and the time it took to read and solve (``elapsed_s``, s).

    Returns the stream written to: standard error when the solution goes to standard output
    (``-o -``), else standard output.
    """
    report = sys.stderr if args.output == "-" else sys.stdout
    for line in lines:
        print(line, file=report)
    for role in ("obs", "rover", "base"):
        files = getattr(args, f"{role}_files", None) or ()
        if len(files) > 1:  # a session of several files: say which, so that a pattern's reach is seen
            who = "" if role == "obs" else f"{role} "
            first, last = (os.path.basename(f) for f in files[:: len(files) - 1])  # in time order
            print(f"session  {who}{len(files)} files read as one ({first} ... {last})", file=report)
    print(f"time     {elapsed_s:.2f} s (reading and solving)", file=report)
    return report


RESIDUALS_SUFFIX = ".residuals.csv"
"""``--residuals`` writes the post-fit residuals to the solution's path plus this suffix."""


def check_residuals(args, wanted: bool) -> bool:
    """``wanted`` after checking that there is a solution file to write the residuals beside."""
    if wanted and (not args.output or args.output == "-"):
        raise ConfigError(
            f"--residuals writes them to FILE{RESIDUALS_SUFFIX} beside the solution: give -o FILE"
        )
    return wanted


def write_output(sol, args, fmt: str | None, report, residuals: bool = False, **options) -> None:
    """Write the solution where ``-o`` says (``-``: standard output) in ``fmt`` (None: nothing), with
    the writer's ``options``, and name the file on ``report``; with ``residuals`` the solution's
    residual table too, as CSV beside it (:data:`RESIDUALS_SUFFIX`)."""
    if fmt is None:
        return
    from ..io.writers import write_solution

    if fmt == "pos":
        options["coords"] = args.coords or args.coords_default
        options["time_format"] = getattr(args, "time", None) or "gpst"
    if fmt == "kml" and getattr(args, "kml_altitude", None):
        options["altitude_mode"] = args.kml_altitude
    write_solution(sol, sys.stdout if args.output == "-" else args.output, fmt, **options)
    if args.output != "-":
        print(f"wrote    {args.output}", file=report)
    if residuals and args.output != "-":
        from ..io.writers.tables import write_residuals_csv

        path = args.output + RESIDUALS_SUFFIX
        write_residuals_csv(sol, path)
        print(f"wrote    {path} (post-fit residuals)", file=report)


def no_solution_reason(sol, obs, navs) -> str:
    """The main reason no epoch was solved, with a hint."""
    from ..solution import Unsolved
    from ..tables.nav import record_times_ns
    from ..time import time_span

    if len(sol) == 0:
        return "the observation file has no epochs (in the chosen window)"
    counts = np.bincount(sol.reason, minlength=len(Unsolved))
    main = Unsolved(int(np.argmax(counts)))
    text = f"{main.name.lower().replace('_', ' ')} in {counts[main]} of {len(sol)} epochs"
    if main == Unsolved.NO_EPHEMERIS:
        held = sorted(set().union(*(n.record_systems() for n in navs)))
        asked = [x for x in sol.record.systems if x in obs.systems]
        if asked and not set(asked) & set(held):
            return text + (
                f"; the navigation data have no records of {', '.join(asked)} (they hold "
                f"{', '.join(held) or 'none'})"
            )
        times = record_times_ns(navs)
        if times.size:
            text += f"; navigation data cover {time_span(times)}, observations are {time_span(sol.time_ns)}"
    if main == Unsolved.NO_OBSERVATIONS and (sol.record.masked or sol.record.notes):
        text += "; " + (sol.record.masked or sol.record.notes)[-1]
    if main == Unsolved.BELOW_MASK:
        text += f"; elevation mask is {sol.record.elmask_deg:g} deg (--elmask)"
    return text


def masked_lines(record) -> list[str]:
    """Summary lines of what the observation masks (``--cn0-mask``, ``--exclude``) left out."""
    return [f"masked   {line}" for line in record.masked]


def summary(sol, obs, truth=None, navs=()) -> list[str]:
    """Text summary: epochs solved and why not, satellites per system, models, DOP, errors."""
    n, ok = len(sol), sol.ok
    lines = [f"epochs   {int(ok.sum())} solved of {n} ({100.0 * ok.sum() / max(n, 1):.1f} %)"]
    rec = sol.record
    if rec.unsolved:
        lines.append("unsolved " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in rec.unsolved.items()))
    if ok.any():
        per = "  ".join(f"{k} {v[ok].mean():.1f}" for k, v in sol.nsat_by_system.items())
        lines.append(f"sats     {sol.nsat[ok].mean():.1f} per epoch ({per})")
        lines.append(
            f"DOP      PDOP {np.nanmean(sol.pdop[ok]):.2f}  HDOP {np.nanmean(sol.hdop[ok]):.2f}  "
            f"VDOP {np.nanmean(sol.vdop[ok]):.2f} (mean)"
        )
    for letter, reasons in rec.dropped.items():
        lines.append(f"dropped  {letter}: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    lines += masked_lines(rec)
    if rec.iono_models:
        lines.append("iono     " + ", ".join(f"{k} {v}" for k, v in rec.iono_models.items()))
    if rec.raim_excluded:
        lines.append(f"RAIM     {rec.raim_excluded} satellite-epochs excluded")
    if ok.any():
        lines += _errors(sol, obs, truth)
    return lines


def _errors(sol, obs, truth) -> list[str]:
    ok = sol.ok
    if truth is not None:
        ref, label = np.asarray(truth, dtype=float), "truth"
    else:
        ref, label = (
            np.asarray(obs.station.approx_position_m, dtype=float),
            "header APPROX POSITION (not a truth)",
        )
    if not (np.all(np.isfinite(ref)) and np.linalg.norm(ref) > 6e6):
        return []
    from ..stats import error_stats

    st = error_stats(sol.enu_error_m(ref)[ok])
    return [
        f"errors   against {label}:",
        f"         horizontal RMS {st.h_rms:.2f} m  95% {st.h_95:.2f} m",
        f"         vertical   RMS {st.v_rms:.2f} m  95% {st.v_95:.2f} m",
        f"         3D         RMS {st.d3_rms:.2f} m",
        f"         mean E/N/U {st.mean_enu[0]:+.2f} {st.mean_enu[1]:+.2f} {st.mean_enu[2]:+.2f} m",
    ]
