"""Benchmark: `kompas batch` throughput with 1 and 2 Dask workers, and its overhead per station-day.

    python benchmarks/bench_batch.py [--days 8] [--data /tmp/kompas-bench-batch] [--repeat 2]

The network: ``--days`` full days of simulated observations (``kompas sim --hours 24``: 2880 epochs at
30 s, BDS, GLONASS, GPS and Galileo, default error model), one station each at its own place, renamed to
RINEX 3 long names (``S00100SIM_R_20250010000_01D_30S_MO.rnx`` and the station's ``..._MN.rnx``) so that
batch planning matches them as it matches real files. Simulated once into ``--data`` and reused.

Measured, best of ``--repeat`` rounds (each round runs every variant, so all see similar machine load):

* single-file command in this process: ``kompas.cli.main.main(["spp", OBS, NAV, "-o", X.parquet])`` for
  every day after one warm-up (imports done): the work itself;
* single-file command as a process: ``kompas spp OBS NAV -o X.parquet`` (Python start and imports included);
* ``run_batch`` with a new LocalCluster of 1 worker and of 2 workers (cluster start, imports on the
  workers, hashing, planning excluded -- planning is printed separately -- and the summary table included).

Sessions: Linux with ``kernel.sched_autogroup_enabled = 1`` (this machine) schedules each session as one
group with one fair share of the cores, so on a machine busy with other sessions every worker started
from one session shares that session's CPU time, and a second worker adds no CPU at all. On a dedicated
machine nothing competes and this does not matter; to measure the scaling as it would be there, each
worker moves into a session of its own (``os.setsid``) unless ``--shared-session`` is given. The
single-file command runs in this process's session either way.

Printed: wall times, CPU times (this process for the in-process command, the children for the command as
processes, the units' ``cpu_s`` for the batch: the cluster's own processes are not counted), the speed-up
of 2 workers over 1, the overhead per station-day of the batch against the single-file command (in
process), and the load average while measuring (other jobs on the machine inflate every wall time).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _bytecode import ensure_bytecode

from kompas.batch import BatchJob, plan, run_batch
from kompas.batch.execute import default_start_method
from kompas.cli.main import main
from kompas.spp import SppConfig

PLACES = [(30.5, 114.3), (-6.2, 106.8), (48.1, 11.6), (-33.9, 151.2), (64.1, -21.9), (19.4, -99.1),
          (-1.3, 36.8), (35.7, 139.7), (55.8, 37.6), (-23.5, -46.6)]  # fmt: skip


def simulate(data: str, days: int) -> None:
    """One simulated day per station into ``data`` (skipped where the files exist)."""
    os.makedirs(data, exist_ok=True)
    for k in range(1, days + 1):
        site = f"S{k:03d}00SIM"
        obs = os.path.join(data, f"{site}_R_20250010000_01D_30S_MO.rnx")
        nav = os.path.join(data, f"{site}_R_20250010000_01D_MN.rnx")
        if os.path.exists(obs) and os.path.exists(nav):
            continue
        lat, lon = PLACES[(k - 1) % len(PLACES)]
        tmp = tempfile.mkdtemp(dir=data)
        cmd = ["kompas", "sim", "--hours", "24", "--lat", str(lat), "--lon", str(lon), "--seed", str(k)]
        subprocess.run(
            [*cmd, "--start", "2025-01-01T00:00:00", "--out", tmp], check=True, capture_output=True
        )
        os.replace(os.path.join(tmp, "SIM00XXX_S_sim_MN.rnx"), nav)
        os.replace(os.path.join(tmp, "SIM00XXX_S_sim_MO.rnx"), obs)
        shutil.rmtree(tmp)
        print(f"simulated {os.path.basename(obs)}", flush=True)


def single_in_process(items, scratch: str) -> tuple[float, float]:
    """(wall s, CPU s) of the single-file command on every unit, in this process (imports done before)."""
    t0, c0 = time.perf_counter(), time.process_time()
    for it in items:
        out = os.path.join(scratch, f"{it.station}.parquet")
        with contextlib.redirect_stdout(io.StringIO()):
            rc = main(["spp", *it.paths("obs"), *it.paths("nav"), "-o", out])
        assert rc == 0, it
    return time.perf_counter() - t0, time.process_time() - c0


def single_processes(items, scratch: str) -> tuple[float, float]:
    """(wall s, CPU s of the children) of the single-file command run as one process per unit."""
    c0 = os.times().children_user + os.times().children_system
    t0 = time.perf_counter()
    for it in items:
        out = os.path.join(scratch, f"{it.station}.parquet")
        subprocess.run(["kompas", "spp", *it.paths("obs"), *it.paths("nav"), "-o", out], check=True,
                       capture_output=True)  # fmt: skip
    return time.perf_counter() - t0, os.times().children_user + os.times().children_system - c0


def _own_session() -> int:
    """Move this worker process into a session of its own (see the module notes)."""
    return os.setsid()


def batch(items, workers: int, scratch: str, own_sessions: bool, method=None) -> tuple[float, float]:
    """(wall s, summed CPU s of the units on the workers) of a fresh batch run (new folder, new cluster:
    its start is in the wall time)."""
    from kompas.batch.execute import _client

    out = tempfile.mkdtemp(dir=scratch)
    t0 = time.perf_counter()
    with _client(workers, None, method) as client:
        client.wait_for_workers(workers)
        if own_sessions:
            client.run(_own_session)
        report = run_batch(BatchJob("spp", SppConfig(), items, out), client=client)
    wall = time.perf_counter() - t0
    assert report.count(status="ok") == len(items), [r["message"] for r in report.rows]
    busy = sum(r["cpu_s"] for r in report.rows)
    shutil.rmtree(out)
    return wall, busy


def cluster_only(workers: int, method=None) -> tuple[float, float]:
    """(wall s, 0) to start and stop a local cluster of ``workers`` processes, doing nothing."""
    from kompas.batch.execute import _client

    t0 = time.perf_counter()
    with _client(workers, None, method) as client:
        client.wait_for_workers(workers)
    return time.perf_counter() - t0, 0.0


def _args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=8)
    ap.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "kompas-bench-batch"))
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument(
        "--shared-session",
        action="store_true",
        help="leave the workers in this process's session (see the module notes)",
    )
    ap.add_argument(
        "--start-method",
        choices=("fork", "spawn", "forkserver"),
        help="how the local clusters start their workers (default: kompas batch's, fork on Linux)",
    )
    ap.add_argument("--no-processes", action="store_true", help="skip the one-process-per-file variant")
    return ap.parse_args()


def main_bench() -> None:
    args = _args()
    print(ensure_bytecode())
    simulate(args.data, args.days)
    t0 = time.perf_counter()
    p = plan(
        sorted(glob.glob(os.path.join(args.data, "S*_MO.rnx"))),
        glob.glob(os.path.join(args.data, "*_MN.rnx")),
    )
    t_plan = time.perf_counter() - t0
    items = p.items[: args.days]
    assert len(items) == args.days, p.skipped
    scratch = tempfile.mkdtemp()
    single_in_process(items[:1], scratch)  # warm-up: imports
    best: dict[str, float] = {}
    busy: dict[str, float] = {}
    walls: dict[str, list[float]] = {}
    loads = []
    # what kompas batch chooses in its own process, where its cluster is the first; chosen once here, since
    # a finished cluster leaves Dask's offload thread behind and default_start_method would spawn the later ones
    own, how = not args.shared_session, args.start_method or default_start_method()
    for r in range(args.repeat):
        variants = (
            ("single, in process", lambda: single_in_process(items, scratch)),
            ("single, a process each", lambda: single_processes(items, scratch)),
            ("batch, 1 worker", lambda: batch(items, 1, scratch, own, how)),
            ("batch, 2 workers", lambda: batch(items, 2, scratch, own, how)),
            ("cluster start+stop, 2", lambda: cluster_only(2, how)),
        )
        for name, fn in variants:
            if args.no_processes and name == "single, a process each":
                continue
            wall, work = fn()
            walls.setdefault(name, []).append(wall)
            loads.append(os.getloadavg()[0])
            print(f"round {r + 1}: {name:<24} {wall:8.2f} s", flush=True)
            if wall < best.get(name, float("inf")):
                best[name], busy[name] = wall, work
    shutil.rmtree(scratch)
    n = len(items)
    print(f"\nlocal clusters: workers started by {how or 'spawn'}")
    print(f"{n} station-days, {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"load average {min(loads):.1f}-{max(loads):.1f}; planning {t_plan * 1e3:.0f} ms")  # fmt: skip
    print(f"{'variant':<26} {'best wall s':>11} {'median':>8} {'per day s':>10} {'CPU s':>9}")
    for name, wall in best.items():
        med = statistics.median(walls[name])
        print(f"{name:<26} {wall:11.2f} {med:8.2f} {wall / n:10.2f} {busy[name]:9.2f}")
    one, two, ref = best["batch, 1 worker"], best["batch, 2 workers"], best["single, in process"]
    med2 = statistics.median(walls["batch, 1 worker"]) / statistics.median(walls["batch, 2 workers"])
    print(f"speed-up 2 workers / 1 worker: {one / two:.2f}x (best of each), {med2:.2f}x (medians)")
    cpu_ref = busy["single, in process"]
    print(f"overhead per station-day, batch 1 worker vs single in process: {(one - ref) / n:+.2f} s wall "
          f"(cluster start included); {(busy['batch, 1 worker'] - cpu_ref) / n:+.2f} s CPU per unit on the worker")  # fmt: skip


if __name__ == "__main__":
    main_bench()
