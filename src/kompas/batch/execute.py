"""Execution: one unit on a worker (:func:`run_unit`) and a whole job on Dask (:func:`run_batch`).

Every unit is one Dask task that receives only paths and the configuration, reads its own inputs,
writes its tables atomically and returns one small summary row; nothing large goes through the
scheduler. A unit whose summary row holds the same input hash is skipped (resumption); an exception
while reading or processing becomes a ``failed`` row with its message (the batch goes on); a worker
that dies loses only the unit it was processing, which Dask retries elsewhere (or, if the scheduler
gives up, the next run redoes).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import importlib
import json
import logging
import os
import socket
import sys
import threading
import time
import warnings

from ..errors import (
    ConfigError,
    DroppedRecordWarning,
    KompasError,
    KompasWarning,
    TruncatedFileWarning,
    caller_stacklevel,
)
from .job import BatchJob, StationDay, input_hash
from .plan import Skipped
from .store import (
    OUTPUTS_KEY,
    changed_outputs,
    clean_temporaries,
    consolidate,
    read_summary_row,
    remove_other_sessions,
    remove_results,
    result_path,
    write_atomic,
    write_not_planned,
)
from .tasks import Task, get_task

__all__ = [
    "run_unit", "run_batch", "BatchReport", "FINISHED", "SOLVED", "START_METHODS", "default_start_method",
]  # fmt: skip

FINISHED = ("ok", "partial", "unsolved")
"""Stored statuses a rerun keeps (a ``failed`` unit is tried again; a ``partial`` one read all the input
bytes there are, and runs again when they change)."""

SOLVED = ("ok", "partial")
"""Statuses of a unit with a solution."""

_INCOMPLETE = (TruncatedFileWarning, DroppedRecordWarning)
"""Warnings that say an input was not read whole: a unit solved from it is ``partial``, not ``ok``."""

_NAN = float("nan")


def _row(item: StationDay, task: str, **fields) -> dict:
    row = {"task": task, "station": item.station, "day": item.day, "session": item.session}
    row.update(
        status=fields.pop("status"),
        message=fields.pop("message", ""),
        epochs=0,
        solved=0,
        median_x_m=_NAN,
        median_y_m=_NAN,
        median_z_m=_NAN,
        mean_nsat=_NAN,
        read_s=_NAN,
        process_s=_NAN,
        write_s=_NAN,
        total_s=_NAN,
        cpu_s=_NAN,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        finished=None,
        inputs=json.dumps({k: list(v) for k, v in item.inputs.items()}),
        input_hash="",
        kompas_version="",
    )
    row.update(fields)
    return row


def _finished_before(out: str, task: Task, item: StationDay, digest: str) -> tuple[dict | None, str]:
    """The stored row of the unit when it finished with the same inputs and options and its files are the
    ones it wrote; else ``None`` and why a finished unit is done again (``""`` when it had not finished, or
    its inputs or options changed)."""
    prev = read_summary_row(out, task.name, item.key)
    if prev is None:
        stored = os.path.exists(result_path(out, "summary", task.name, item.key))
        return None, "redone: its stored summary file did not read (damaged)" if stored else ""
    if prev.get("status") not in FINISHED or prev.get("input_hash") != digest:
        return None, ""
    changed = changed_outputs(out, task.name, item.key)
    return (None, f"redone: {changed}") if changed else (prev, "")


def failure_reason(exc: BaseException) -> str:
    """The message of a failed unit, as the single-file commands say it: a kompas error's own text, a
    file error's file and reason; only an unexpected error keeps its kind (which a bug report needs)."""
    if isinstance(exc, KompasError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {exc}"


def _process(task: Task, item: StationDay, config) -> tuple[object, str]:
    """Run the task; returns (TaskResult or None, message)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = task.run(item, config)
        except Exception as exc:  # any failure of one unit is that unit's row, never the batch's
            return None, failure_reason(exc)
    notes = list(dict.fromkeys(str(w.message) for w in caught))
    message = "; ".join(m for m in [result.message, *notes] if m)
    if result.status == "ok" and any(issubclass(w.category, _INCOMPLETE) for w in caught):
        result = dataclasses.replace(result, status="partial")
    return result, message


def _write(out: str, task: Task, item: StationDay, result, meta: dict) -> tuple[float, dict]:
    """Write the unit's tables; returns the seconds spent and each file's size and SHA-256 by table."""
    t0 = time.perf_counter()
    meta = {**meta, "kompas.time_scale": "GPST"}
    written = {}
    for name, table in result.tables.items():
        written[name] = write_atomic(table, result_path(out, name, task.name, item.key), meta)
    return time.perf_counter() - t0, written


def _store_row(out: str, task: str, item: StationDay, row: dict, written: dict) -> None:
    """The summary row, last; its metadata records the files written (what a rerun checks them against)."""
    import pyarrow as pa

    from .store import summary_schema

    schema = summary_schema()
    table = pa.Table.from_pylist([{k: row[k] for k in schema.names}], schema=schema)
    write_atomic(table, result_path(out, "summary", task, item.key), {OUTPUTS_KEY: json.dumps(written)})


def run_unit(item: StationDay, task: Task | str, config, out: str, version: str) -> dict:
    """Process one unit on this process and store its results; returns its summary row (a dict).

    ``task`` is a :class:`Task` (what :func:`run_batch` sends, so that tasks registered only in the
    client run on any worker) or a registered name. The row's ``action`` is ``skipped`` when the stored
    result has the same input hash and its files are the ones it wrote, ``ran`` otherwise (a finished
    unit whose files were removed, truncated or edited is done again, its message starting ``redone:``
    with the file; only the returned row says so: the stored row, and so ``summary.parquet``, keeps the
    result's own message, which later reruns that skip the unit return). Never raises for a bad input:
    the row's ``status`` is ``failed`` and ``message`` says why (an error while writing the results does
    raise).
    """
    t0, c0 = time.perf_counter(), time.process_time()
    task = get_task(task) if isinstance(task, str) else task
    task_name = task.name
    redo = ""
    try:
        digest = input_hash(item, task_name, config, version)
    except OSError as exc:
        digest, failure = "", failure_reason(exc)
    else:
        failure = ""
        prev, redo = _finished_before(out, task, item, digest)
        if prev is not None:
            return {**_row(item, task_name, status=prev["status"]), **prev, "action": "skipped"}
    remove_results(out, task_name, item.key)
    result, message = (None, failure) if failure else _process(task, item, config)
    message = "; ".join(m for m in (message, *item.notes) if m)  # stored: the result's, not this run's redo
    fields = {"input_hash": digest, "kompas_version": version}
    written = {}
    if result is None:
        row = _row(item, task_name, status="failed", message=message, **fields)
    else:
        meta = {"kompas.input_hash": digest, "kompas.version": version, "kompas.task": task_name}
        write_s, written = _write(out, task, item, result, meta)
        x, y, z = result.median_ecef_m
        row = _row(
            item, task_name, status=result.status, message=message, epochs=result.epochs,
            solved=result.solved, median_x_m=x, median_y_m=y, median_z_m=z, mean_nsat=result.mean_nsat,
            read_s=result.read_s, process_s=result.process_s, write_s=write_s, **fields,
        )  # fmt: skip
    row["total_s"] = time.perf_counter() - t0
    row["cpu_s"] = time.process_time() - c0
    row["finished"] = datetime.datetime.now(datetime.UTC)
    _store_row(out, task_name, item, row, written)
    return {**row, "message": "; ".join(m for m in (redo, message) if m), "action": "ran"}


@dataclasses.dataclass
class BatchReport:
    """What a run did: one row per unit (and per observation file left out), and the wall time.

    Attributes
    ----------
    rows : list of dict
        Summary rows with ``action``: ``ran``, ``skipped`` (finished before), ``lost`` (its worker died
        and the scheduler gave up; the next run does it) or ``not planned`` (see ``message``).
    wall_s : float
    workers : int
    """

    rows: list
    wall_s: float = 0.0
    workers: int = 0

    def count(self, **match) -> int:
        """Rows whose fields equal ``match`` (``report.count(status="failed")``)."""
        return sum(all(r.get(k) == v for k, v in match.items()) for r in self.rows)


def _skipped_rows(task: str, skipped: tuple[Skipped, ...]) -> list[dict]:
    rows = []
    for s in skipped:
        item = StationDay(s.station, s.day, s.session, {"obs": (s.path,)})
        why = s.reason if s.station else f"{os.path.basename(s.path)}: {s.reason}"  # unrecognised: which file
        rows.append({**_row(item, task, status="skipped", message=why), "action": "not planned"})
    return rows


def _lost(item: StationDay, task: str, exc: BaseException) -> dict:
    """The row of a unit whose process failed outside the task (worker died, results not writable)."""
    return {**_row(item, task, status="failed", message=failure_reason(exc)), "action": "lost"}


def _serial(job: BatchJob, version: str, tick) -> list[dict]:
    rows, task = [], get_task(job.task)
    for item in job.items:
        try:
            rows.append(run_unit(item, task, job.config, job.out, version))
        except Exception as exc:  # e.g. the output folder became unwritable: the unit is lost, not the batch
            rows.append(_lost(item, job.task, exc))
        tick(rows[-1])
    return rows


START_METHODS = ("fork", "spawn", "forkserver")
"""How a local cluster starts its worker processes (``multiprocessing`` start methods)."""


def default_start_method() -> str | None:
    """``fork`` on Linux when this process runs no other thread; Dask's own default (``spawn``) otherwise.

    A forked worker starts with this process's imports (kompas, numpy, pyarrow) instead of importing them
    again: a local cluster of 2 then starts in 0.09 s instead of 0.44 s and stops in 0.02 s instead of
    0.12 s (idle machine, 2026-11-28), and its first unit does not pay the imports (BENCHMARKS.md, issue
    16). The cluster's nannies fork this process, so a lock held by another thread of it at that moment
    stays held for ever in the worker: a cluster forked from a pytest-xdist worker (execnet's threads) once
    never came up (BENCHMARKS.md, stop 74). Only the caller's thread alive (``kompas batch``, whose
    progress bar runs no monitor thread, or a plain script) is the case ``fork`` is chosen for; a Jupyter
    kernel, a program with threads of its own or a process that ran a cluster before (Dask's offload
    thread stays) gets ``spawn``. macOS keeps ``spawn`` (its system libraries are not fork-safe).
    """
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return None


@contextlib.contextmanager
def _client(workers: int | None, scheduler: str | None, start_method: str | None = None):
    """A Dask client: on an existing scheduler, or on a new local cluster of single-threaded processes
    started with ``start_method`` (default :func:`default_start_method`), one BLAS thread each."""
    try:
        from distributed import Client, LocalCluster

        from .plugins import OneBlasThread, QuietHeartbeat
    except ImportError:
        raise ConfigError("Dask is not installed: pip install 'kompas[batch]' (or --workers 0)") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    import dask

    method = start_method or default_start_method()
    if method is not None and method not in START_METHODS:
        raise ConfigError(f"start method {method!r}: expected one of {', '.join(START_METHODS)}")
    n = workers or os.cpu_count() or 1
    # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536: glibc then hands every freed block
    # above 64 KiB back to the system and numpy's large temporaries fault their pages in again; SPP of a
    # day took twice the CPU time that way (BENCHMARKS.md).
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    settings = {"distributed.nanny.pre-spawn-environ": environ}
    if method is not None:
        settings["distributed.worker.multiprocessing-method"] = method
    if method == "fork":  # forked workers inherit the readers and solvers, now that import kompas is lazy
        importlib.import_module("kompas.api")
    with (
        dask.config.set(settings),
        LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                     silence_logs=logging.ERROR) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        client.register_plugin(OneBlasThread())
        client.register_plugin(QuietHeartbeat())
        yield client


def _input_bytes(item: StationDay) -> int:
    """Total size of a unit's input files (bytes; 0 for a missing file, which fails in its unit)."""
    total = 0
    for paths in item.inputs.values():
        for path in paths:
            with contextlib.suppress(OSError):
                total += os.path.getsize(path)
    return total


def _dask(job: BatchJob, version: str, tick, client) -> list[dict]:
    from distributed import as_completed

    task = get_task(job.task)
    # largest inputs first (longest-processing-time order): the last units to start are the short ones,
    # so the workers finish together instead of one running a long day alone at the end
    futures = {
        client.submit(run_unit, item, task, job.config, job.out, version, pure=False, priority=size,
                      key=f"kompas-{job.task}-{'-'.join(item.key)}-{os.urandom(4).hex()}"): item
        for size, item in sorted(((_input_bytes(i), i) for i in job.items), key=lambda si: -si[0])
    }  # fmt: skip
    rows = []
    for fut in as_completed(futures):
        try:
            row = fut.result()
        except Exception as exc:  # the worker died too often (KilledWorker) or the scheduler went away
            row = _lost(futures[fut], job.task, exc)
        rows.append(row)
        tick(row)
    return rows


def run_batch(job: BatchJob, *, workers: int | None = None, scheduler: str | None = None, client=None,
              skipped: tuple[Skipped, ...] = (), progress=None,
              start_method: str | None = None) -> BatchReport:  # fmt: skip
    """Run every unit of a job and consolidate ``OUT/summary.parquet``.

    Parameters
    ----------
    job : BatchJob
    workers : int, optional
        Worker processes of a new local Dask cluster (default: the number of cores); ``0`` runs the
        units one after the other in this process, without Dask.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``); its workers must see the input and
        output paths and have kompas installed.
    client : distributed.Client, optional
        An existing client (``workers`` and ``scheduler`` are then ignored).
    skipped : tuple of Skipped
        The plan's observation files left out (reported in the rows).
    progress : callable, optional
        Called with each unit's row as it finishes.
    start_method : {'fork', 'spawn', 'forkserver'}, optional
        How a new local cluster starts its workers (default :func:`default_start_method`: ``fork`` on
        Linux when no other thread runs, else ``spawn``); ignored with ``scheduler`` or ``client``.

    Returns
    -------
    BatchReport
    """
    os.makedirs(job.out, exist_ok=True)
    with _output_lock(job.out):
        return _run_locked(job, workers, scheduler, client, skipped, progress, start_method)


@contextlib.contextmanager
def _output_lock(out: str):
    """One batch per output folder at a time: a second run would delete the first one's temporaries and
    fresh sessions at its start. ``OUT/.kompas-batch.lock`` holds the host and process id; a lock whose
    process is gone (a killed run on this host) is taken over."""
    path = os.path.join(out, ".kompas-batch.lock")
    me = f"{socket.gethostname()} {os.getpid()}"
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            host, _, pid = open(path, encoding="utf-8").read().strip().partition(" ")
            if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)  # left by a killed run
                continue
            raise ConfigError(
                f"another kompas batch (process {pid or '?'} on {host or '?'}) is writing to {out}: wait "
                f"for it, or remove {path} if no batch runs there"
            ) from None
    else:
        raise ConfigError(f"cannot lock {out}: remove {path} if no batch runs there")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(me)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _run_locked(job, workers, scheduler, client, skipped, progress, start_method) -> BatchReport:
    from .. import __version__

    clean_temporaries(job.out)
    keys = [item.key for item in job.items]
    obs = {item.key: item.paths("obs") for item in job.items}
    gone = remove_other_sessions(job.out, get_task(job.task).name, keys, obs)
    if gone:
        names = ", ".join("/".join(k) for k in gone[:5]) + (" ..." if len(gone) > 5 else "")
        warnings.warn(
            KompasWarning(
                f"{len(gone)} stored result(s) of other sessions overlapping this run's units were removed "
                f"(another session layout of the same station-days): {names}"
            ),
            stacklevel=caller_stacklevel(),
        )
    tick = progress or (lambda row: None)
    t0 = time.perf_counter()
    try:
        if client is not None:
            rows, n = _dask(job, __version__, tick, client), len(client.scheduler_info()["workers"])
        elif workers == 0 and not scheduler:
            rows, n = _serial(job, __version__, tick), 0
        else:
            with _client(workers, scheduler, start_method) as own:
                rows, n = _dask(job, __version__, tick, own), len(own.scheduler_info()["workers"])
    finally:
        consolidate(job.out)
        write_not_planned(job.out, job.task, skipped)
    return BatchReport(_skipped_rows(job.task, skipped) + rows, time.perf_counter() - t0, n)
