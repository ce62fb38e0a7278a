"""Storage of batch results: a Parquet dataset partitioned by task, station and day, written atomically.

Layout of an output folder ``OUT``::

    OUT/solution/task=spp/station=ESBC00DNK/day=2020-06-25/0000-01D.parquet   per-epoch solutions
    OUT/qc_summary/task=qc/station=.../day=.../0000-01D.parquet               QC tables (task qc)
    OUT/summary/task=spp/station=ESBC00DNK/day=2020-06-25/0000-01D.parquet    one row per unit
    OUT/summary.parquet                                                        every summary row, one table
    OUT/not_planned.parquet                                  the last run's files left out, and why

The folders are Hive-style partitions (``key=value``), so ``pandas.read_parquet("OUT/solution")``,
``polars.scan_parquet("OUT/solution/**/*.parquet", hive_partitioning=True)`` and DuckDB's
``read_parquet('OUT/solution/**/*.parquet', hive_partitioning = true, union_by_name = true)`` give the
columns ``task``, ``station`` and ``day`` beside the file's own (pandas reads ``day`` as text, polars and
DuckDB as a date). Tasks write different columns (PPP adds the troposphere), so DuckDB needs
``union_by_name`` when one folder holds several tasks, or a glob of one task (``task=spp/**``).
The file name is the unit's session (``HHMM-PPU``: start and nominal span of the observation file), so a
day of hourly files is 24 files of one partition.

Each file is written to a hidden temporary file in its folder (``.0000-01D.parquet.<random>.tmp``),
flushed to disk (``fsync``) and renamed over the final name, so a reader or a rerun sees either the
complete old file, the complete new one, or none; the hidden temporaries of a killed worker are ignored
by the readers (pyarrow skips names starting with ``.``; the ``*.parquet`` globs do not match them) and
removed by the next run. A unit is finished when its summary row exists (that file is written last) and
its other files are still the ones it wrote: the summary file's metadata records their sizes and SHA-256
(``kompas.outputs``), and a rerun redoes a unit whose files were removed, truncated or edited since,
saying so in its message (:func:`changed_outputs`).

Solution table (task ``spp``; one row per epoch of the observation file, solved or not):

=================  ===============  =============================================================
column             type             meaning
=================  ===============  =============================================================
time               timestamp[ns]    epoch, GPST (no time zone: it is not UTC)
x_m, y_m, z_m      float64          ECEF position of the marker, m (NaN where unsolved)
lat_deg, lon_deg   float64          WGS-84 latitude, longitude, deg
height_m           float64          ellipsoidal height, m
nsat               int16            satellites used
nsat_G ... nsat_I  int16            satellites used per system G R E C J I (null: system not processed)
gdop ... vdop      float64          dilutions of precision (gdop, pdop, hdop, vdop)
clock_G_m ...      float64          receiver clock per system, m (null: system not processed)
isb_G_m ...        float64          that system's clock minus the reference system's, m (null for the
                                    reference and systems not processed)
status             uint8            RTKLIB Q code (5 single, 0 none)
reason             uint8            :class:`kompas.solution.Unsolved` code (0 solved, 2 no ephemeris ...)
=================  ===============  =============================================================

The values are those of ``kompas spp OBS NAV... -o FILE.parquet`` (``Solution.columns()``) bit for bit;
task ``ppp`` writes the same schema with the values of ``kompas ppp ... -o FILE.parquet`` (status 6 PPP
float, 1 fixed), and any column a recipe adds follows ``reason``;
the file's metadata holds ``kompas.time_scale = GPST``, ``kompas.input_hash`` and ``kompas.version``.

QC tables (task ``qc``): one folder per table of :class:`kompas.qc.QcResult` (``qc_summary``,
``qc_completeness``, ``qc_completeness_elevation``, ``qc_multipath``, ``qc_multipath_satellite``,
``qc_multipath_elevation``, ``qc_multipath_cells``, ``qc_slips``, ``qc_clock_jumps``, ``qc_gaps``,
``qc_header``), the rows of ``kompas qc --json`` with nested values flattened to ``key.sub`` columns (as
its CSV does), so the columns of one table can differ between files (``mp_rms_m.C2I-6`` exists where
that signal pair does): read them with ``union_by_name = true`` (DuckDB) or ``how="diagonal_relaxed"``
(polars ``concat``). Tables without rows are not written; ``epochs`` and ``solved`` of the summary row
both count the file's epochs.

Summary row (:func:`summary_schema`; ``summary.parquet`` adds ``task``, ``station``, ``day`` first):
``session``; ``status`` (``ok`` solved epochs, ``partial`` solved epochs of an input that was not read
whole: truncated, or records dropped, ``unsolved`` ran but solved none, ``failed`` an error);
``message`` (the error, or why nothing was solved); ``epochs`` and ``solved`` counts; ``median_x_m``,
``median_y_m``, ``median_z_m`` (median ECEF of the solved epochs, m); ``mean_nsat``; ``read_s``,
``process_s``, ``write_s``, ``total_s`` (wall seconds on the worker), ``cpu_s`` (CPU seconds of the
worker process meanwhile); ``worker`` (host:pid); ``finished``
(UTC time stamp); ``inputs`` (JSON: role -> paths); ``input_hash`` (SHA-256 of the task, the options and
the inputs' bytes: :func:`kompas.batch.input_hash`); ``kompas_version``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile

__all__ = [
    "summary_schema",
    "TABLES",
    "result_path",
    "write_atomic",
    "read_summary_row",
    "remove_results",
    "changed_outputs",
    "file_record",
    "clean_temporaries",
    "consolidate",
]

TABLES = ("solution", "summary")
"""Table folders every output folder can have (QC adds ``qc_<table>`` folders: ``qc_summary``...)."""

PARTITION_KEYS = ("task", "station", "day")


def _pa():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        from ..errors import KompasError

        raise KompasError("kompas batch writes Parquet: pip install 'kompas[batch]'") from None
    return pa, pq


def summary_schema():
    """The Arrow schema of one summary row (see the module notes)."""
    pa, _ = _pa()
    return pa.schema(
        [
            ("session", pa.string()),
            ("status", pa.string()),
            ("message", pa.string()),
            ("epochs", pa.int64()),
            ("solved", pa.int64()),
            ("median_x_m", pa.float64()),
            ("median_y_m", pa.float64()),
            ("median_z_m", pa.float64()),
            ("mean_nsat", pa.float64()),
            ("read_s", pa.float64()),
            ("process_s", pa.float64()),
            ("write_s", pa.float64()),
            ("total_s", pa.float64()),
            ("cpu_s", pa.float64()),
            ("worker", pa.string()),
            ("finished", pa.timestamp("ns", tz="UTC")),
            ("inputs", pa.string()),
            ("input_hash", pa.string()),
            ("kompas_version", pa.string()),
        ]
    )


def result_path(out: str, table: str, task: str, key: tuple[str, str, str]) -> str:
    """``OUT/<table>/task=<task>/station=<station>/day=<day>/<session>.parquet``."""
    station, day, session = key
    return os.path.join(out, table, f"task={task}", f"station={station}", f"day={day}", f"{session}.parquet")


def _fsync_dir(folder: str) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(table, path: str, metadata: dict[str, str] | None = None) -> dict:
    """Write an Arrow table as Parquet: a temporary file in the same folder, fsync, rename.

    Parameters
    ----------
    table : pyarrow.Table
    path : str
        Final name; its folder is created.
    metadata : dict, optional
        Added to the file's key-value metadata.

    Returns
    -------
    dict
        ``{"size": bytes, "sha256": hex digest}`` of the file as written (read back from the disk), what
        a rerun checks the file against (:func:`changed_outputs`).
    """
    _, pq = _pa()
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    if metadata:
        meta = {**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in metadata.items()}}
        table = table.replace_schema_metadata(meta)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            pq.write_table(table, fh, compression="zstd")
            fh.flush()
            os.fsync(fh.fileno())
        written = file_record(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)
    return written


def file_record(path: str) -> dict:
    """``{"size": bytes, "sha256": hex digest}`` of a file (the outputs are small: a day of 1-s epochs is a
    few MB, hashed in milliseconds)."""
    from .job import _file_digest

    return {"size": os.path.getsize(path), "sha256": _file_digest(path)}


def read_summary_row(out: str, task: str, key: tuple[str, str, str]) -> dict | None:
    """The summary row of a finished unit, or ``None`` (absent or unreadable)."""
    path = result_path(out, "summary", task, key)
    if not os.path.exists(path):
        return None
    _, pq = _pa()
    try:
        rows = pq.read_table(path).to_pylist()
    except Exception:  # a damaged file counts as absent: the unit is done again
        return None
    return rows[0] if len(rows) == 1 else None


OUTPUTS_KEY = "kompas.outputs"
"""Key of the summary file's metadata that records the unit's other files as written: JSON, table ->
``{"size": bytes, "sha256": hex digest}``."""


def changed_outputs(out: str, task: str, key: tuple[str, str, str]) -> str:
    """Why the stored outputs of a finished unit are not the ones it wrote, or ``""`` when they are.

    The summary file records the size and SHA-256 of every table file the unit wrote (:data:`OUTPUTS_KEY`);
    a file that is missing, or was truncated, edited or replaced since, is named with the difference, so
    that a rerun redoes the unit instead of keeping a damaged result. A summary without the record
    (written by an earlier kompas), or whose record is not a table of sizes and checksums, cannot vouch
    for its files and is reported as such.
    """
    import json

    _, pq = _pa()
    try:
        meta = pq.read_schema(result_path(out, "summary", task, key)).metadata or {}
        recorded = json.loads(meta[OUTPUTS_KEY.encode()])
    except (OSError, KeyError, ValueError, TypeError):
        return "its summary held no sizes and checksums of its files (written by an earlier kompas)"
    if not _is_outputs_record(recorded):
        return "its summary's record of its files was not a table of sizes and checksums (damaged)"
    for table, want in sorted(recorded.items()):
        path = result_path(out, table, task, key)
        try:
            have = os.path.getsize(path)
        except OSError:
            return f"its {table} file was missing ({path})"
        if have != want["size"]:
            return f"its {table} file had {have} bytes of the {want['size']} written ({path})"
        if file_record(path)["sha256"] != want["sha256"]:
            return f"its {table} file had been changed since it was written (same size, other bytes: {path})"
    return ""


def _is_outputs_record(recorded) -> bool:
    """Whether a decoded :data:`OUTPUTS_KEY` record has its form: table name -> ``{"size": int, "sha256":
    str}`` (a record of another form, well-formed JSON or not, cannot vouch for the files)."""
    return isinstance(recorded, dict) and all(
        isinstance(table, str)
        and isinstance(want, dict)
        and type(want.get("size")) is int
        and isinstance(want.get("sha256"), str)
        for table, want in recorded.items()
    )


def remove_results(out: str, task: str, key: tuple[str, str, str]) -> None:
    """Delete a unit's result files in every table (before it is done again), its summary row first."""
    station, day, session = key
    pattern = os.path.join(out, "*", f"task={task}", f"station={station}", f"day={day}", f"{session}.parquet")
    summary = result_path(out, "summary", task, key)
    for path in [summary, *sorted(set(glob.glob(pattern)) - {summary})]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def session_span_s(session: str) -> tuple[int, int] | None:
    """``(start, end)`` seconds of the day of a session name ``HHMM-NNU`` (U of D, H, M) or ``HHMM-NS``."""
    hhmm, _, span = session.partition("-")
    unit = {"D": 86400, "H": 3600, "M": 60, "S": 1}.get(span[-1:])
    if len(hhmm) != 4 or not hhmm.isdigit() or unit is None or not span[:-1].isdigit():
        return None
    start = int(hhmm[:2]) * 3600 + int(hhmm[2:]) * 60
    return start, start + int(span[:-1]) * unit


def _file_identity(path: str) -> str:
    """A file's name without compression and Hatanaka suffixes (``x.crx.gz`` and ``x.rnx`` are one file,
    ``abcd1770.20d.Z`` and ``abcd1770.20o`` too)."""
    from ..io.names import uncompressed_name

    name = uncompressed_name(path).lower()
    if name.endswith(".crx"):
        name = name[:-4] + ".rnx"
    elif len(name) > 3 and name[-3] == "." and name[-1] == "d" and name[-2].isdigit():
        name = name[:-1] + "o"
    return name


def _stored_obs(out: str, task: str, key) -> set[str] | None:
    """Identities of the observation files behind a stored session (None when its summary cannot tell)."""
    import json

    row = read_summary_row(out, task, key)
    try:
        return {_file_identity(p) for p in json.loads(row["inputs"] or "{}").get("obs", ())}
    except (TypeError, KeyError, ValueError, AttributeError):  # no row, or no inputs: replaced as before
        return None


def remove_other_sessions(out: str, task: str, keys, obs=None) -> list[tuple[str, str, str]]:
    """Delete the stored results of sessions of a station-day that overlap a unit about to run and are not
    themselves units of the run (a rerun that joins a day's hourly files, or splits a daily one): kept,
    their epochs would be in the dataset twice. With ``obs`` (observation paths per planned key), a stored
    session made from none of the same files (a daily 30-s file beside 15-minute 1-Hz files of the day) is
    kept. Returns the keys removed."""
    planned = set(keys)
    spans: dict[tuple[str, str], list] = {}
    files: dict[tuple[str, str], set] = {}
    for station, day, session in planned:
        spans.setdefault((station, day), []).append(session_span_s(session))
        mine = (obs or {}).get((station, day, session))
        files.setdefault((station, day), set()).update(_file_identity(p) for p in mine or ())
    removed = []
    for (station, day), mine in spans.items():
        folder = os.path.dirname(result_path(out, "summary", task, (station, day, "x")))
        for path in sorted(glob.glob(os.path.join(folder, "*.parquet"))):
            key = (station, day, os.path.basename(path)[: -len(".parquet")])
            other = session_span_s(key[2])
            if key in planned or other is None:
                continue
            if any(m is None or (m[0] < other[1] and other[0] < m[1]) for m in mine):
                theirs = _stored_obs(out, task, key) if obs is not None else None
                if theirs is not None and not theirs & files[(station, day)]:
                    continue  # other files' results, not another layout of this run's
                remove_results(out, task, key)
                removed.append(key)
    return removed


def clean_temporaries(out: str) -> int:
    """Remove the hidden temporaries that killed writers left (call before a run); returns how many."""
    n = 0
    for path in glob.glob(os.path.join(out, "*", "task=*", "station=*", "day=*", ".*.tmp")):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
            n += 1
    return n


def _partition_values(path: str, root: str) -> dict[str, str]:
    parts = os.path.relpath(path, root).split(os.sep)
    return dict(p.split("=", 1) for p in parts[:-1] if "=" in p)


def consolidate(out: str):
    """Every summary row of ``OUT/summary`` as one table (``task``, ``station``, ``day`` first), written
    atomically to ``OUT/summary.parquet`` and returned (``pyarrow.Table``), sorted by task, station, day,
    session."""
    pa, pq = _pa()
    root = os.path.join(out, "summary")
    files = sorted(glob.glob(os.path.join(root, "task=*", "station=*", "day=*", "*.parquet")))
    schema = summary_schema()
    keys = pa.schema([(k, pa.string()) for k in PARTITION_KEYS])
    full = pa.schema(list(keys) + list(schema))
    parts = []
    for path in files:
        try:
            t = pq.read_table(path).cast(schema)
        except Exception:  # unreadable: not finished, the next run redoes it
            continue
        values = _partition_values(path, root)
        cols = [pa.array([values.get(k, "")] * t.num_rows, pa.string()) for k in PARTITION_KEYS]
        parts.append(pa.Table.from_arrays(cols + t.columns, schema=full))
    table = pa.concat_tables(parts) if parts else full.empty_table()
    table = table.sort_by([(k, "ascending") for k in (*PARTITION_KEYS, "session")])
    write_atomic(table, os.path.join(out, "summary.parquet"))
    return table


def write_not_planned(out: str, task: str, skipped) -> None:
    """``OUT/not_planned.parquet``: the observation files the last run left out (duplicates, no navigation
    file for the day, unrecognised files), one row each with ``task``, ``station``, ``day``, ``session``,
    ``path`` and ``reason`` (strings; an empty table when none), written atomically. Unlike the summary it
    is the last run's alone: a rerun with other files or options replaces it."""
    pa, _ = _pa()
    cols = ("task", "station", "day", "session", "path", "reason")
    rows = [(task, s.station, s.day, s.session, s.path, s.reason) for s in skipped]
    data = {c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(cols)}
    write_atomic(pa.table(data), os.path.join(out, "not_planned.parquet"))
