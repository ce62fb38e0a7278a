"""kompas.batch: content hash, atomic writes, resumption and failed rows (a small task registered here)."""

import dataclasses
import glob
import os
import warnings

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from kompas.batch import TASKS, BatchJob, StationDay, Task, TaskResult, input_hash, run_batch, run_unit  # noqa: E402
from kompas.batch.store import clean_temporaries, consolidate, result_path, write_atomic  # noqa: E402
from kompas.config import Options, option  # noqa: E402
from kompas.errors import DroppedRecordWarning, FormatWarning, TruncatedFileWarning  # noqa: E402


@dataclasses.dataclass(frozen=True)
class CountConfig(Options):
    scale: int = option(1, "multiplies every number", low=1)


def _count(item, config):
    """Reads its own input: the numbers of the observation 'file'; 'bad' content raises."""
    with open(item.paths("obs")[0]) as fh:
        text = fh.read()
    if "bad" in text:
        raise ValueError(f"{item.paths('obs')[0]}: line 1: expected numbers")
    if text.endswith("~"):  # a file cut in its last record: what the readers warn about
        warnings.warn(
            f"{item.paths('obs')[0]}: line 1: file ends inside a record", TruncatedFileWarning, stacklevel=2
        )
        text = text.rsplit(" ", 1)[0]
    if "#dropped" in text:
        warnings.warn(f"{item.paths('obs')[0]}: 1 record skipped", DroppedRecordWarning, stacklevel=2)
        text = text.replace("#dropped", "")
    if "#odd" in text:  # a repair that loses nothing
        warnings.warn(f"{item.paths('obs')[0]}: field off its columns", FormatWarning, stacklevel=2)
        text = text.replace("#odd", "")
    values = np.array([float(v) for v in text.split()]) * config.scale
    table = pa.table({"value": values})
    return TaskResult({"solution": table}, "ok", epochs=len(values), solved=len(values))


@pytest.fixture
def count_task(monkeypatch):
    task = Task("count", CountConfig, (), (), ("solution",), _count)
    monkeypatch.setitem(TASKS, "count", task)
    return task


def _unit(tmp_path, station, text):
    p = tmp_path / f"{station}.txt"
    p.write_text(text)
    return StationDay(station, "2020-06-25", "0000-01D", {"obs": (str(p),)})


def test_input_hash(tmp_path):
    a = _unit(tmp_path, "AAAA", "1 2 3")
    b = _unit(tmp_path, "BBBB", "1 2 3")  # another name, the same bytes
    h = input_hash(a, "count", CountConfig(), "1.0")
    assert len(h) == 64 and h == input_hash(b, "count", CountConfig(), "1.0")
    assert h != input_hash(a, "count", CountConfig(scale=2), "1.0")
    assert h != input_hash(a, "count", CountConfig(), "1.1")
    assert h != input_hash(a, "spp", CountConfig(), "1.0")
    (tmp_path / "AAAA.txt").write_text("1 2 4")
    assert h != input_hash(a, "count", CountConfig(), "1.0")


def test_write_atomic_leaves_old_file_or_new(tmp_path, monkeypatch):
    path = str(tmp_path / "t" / "x.parquet")
    write_atomic(pa.table({"a": [1, 2]}), path, {"kompas.input_hash": "abc"})
    assert pq.read_table(path).column("a").to_pylist() == [1, 2]
    assert pq.read_schema(path).metadata[b"kompas.input_hash"] == b"abc"

    def broken(table, where, **kw):  # a writer that dies half-way
        where.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(pa.table({"a": [3]}), path)
    assert os.listdir(tmp_path / "t") == ["x.parquet"]  # no temporary left
    monkeypatch.undo()
    assert pq.read_table(path).column("a").to_pylist() == [1, 2]  # the old file, whole


def test_clean_temporaries(tmp_path):
    folder = tmp_path / "solution" / "task=spp" / "station=A" / "day=2020-06-25"
    folder.mkdir(parents=True)
    (folder / ".0000-01D.parquet.k2j3.tmp").write_bytes(b"half")
    (folder / "0000-01D.parquet").write_bytes(b"kept")
    assert clean_temporaries(str(tmp_path)) == 1 and os.listdir(folder) == ["0000-01D.parquet"]


def test_resume_skip_rerun_and_failed_rows(tmp_path, count_task):
    data = tmp_path / "data"
    data.mkdir()
    units = [_unit(data, "AAAA", "1 2 3"), _unit(data, "BBBB", "bad"), _unit(data, "CCCC", "5")]
    out = str(tmp_path / "out")
    job = BatchJob("count", CountConfig(scale=2), units, out)

    first = run_batch(job, workers=0)
    status = {r["station"]: (r["action"], r["status"]) for r in first.rows}
    assert status == {"AAAA": ("ran", "ok"), "BBBB": ("ran", "failed"), "CCCC": ("ran", "ok")}
    bad = next(r for r in first.rows if r["station"] == "BBBB")
    assert bad["message"] == f"ValueError: {data / 'BBBB.txt'}: line 1: expected numbers"
    values = pq.read_table(result_path(out, "solution", "count", units[0].key)).column("value").to_pylist()
    assert values == [2.0, 4.0, 6.0]
    assert not os.path.exists(result_path(out, "solution", "count", units[1].key))

    # a rerun: finished units are skipped, the failed one is tried again
    second = run_batch(job, workers=0)
    assert {r["station"]: r["action"] for r in second.rows} == {
        "AAAA": "skipped",
        "BBBB": "ran",
        "CCCC": "skipped",
    }
    # the input of one unit changes (and the bad file is repaired): those two run again
    (data / "CCCC.txt").write_text("7")
    (data / "BBBB.txt").write_text("4")
    third = run_batch(job, workers=0)
    assert {r["station"]: (r["action"], r["status"]) for r in third.rows} == {
        "AAAA": ("skipped", "ok"), "BBBB": ("ran", "ok"), "CCCC": ("ran", "ok"),
    }  # fmt: skip
    assert pq.read_table(result_path(out, "solution", "count", units[2].key)).column("value").to_pylist() == [
        14.0
    ]
    # other options: every unit again
    fourth = run_batch(dataclasses.replace(job, config=CountConfig(scale=3)), workers=0)
    assert {r["action"] for r in fourth.rows} == {"ran"}

    summary = pq.read_table(os.path.join(out, "summary.parquet")).to_pylist()
    assert [(r["task"], r["station"], r["day"], r["session"], r["status"]) for r in summary] == [
        ("count", s, "2020-06-25", "0000-01D", "ok") for s in ("AAAA", "BBBB", "CCCC")
    ]
    assert all(len(r["input_hash"]) == 64 and r["epochs"] == r["solved"] for r in summary)


def test_a_unit_whose_input_vanished_is_a_failed_row(tmp_path, count_task):
    unit = StationDay("GONE", "2020-06-25", "0000-01D", {"obs": (str(tmp_path / "gone.txt"),)})
    row = run_unit(unit, "count", CountConfig(), str(tmp_path / "out"), "1.0")
    assert row["status"] == "failed" and row["message"].endswith("gone.txt: No such file or directory")
    assert consolidate(str(tmp_path / "out")).num_rows == 1


def test_a_unit_solved_from_an_input_not_read_whole_is_partial_and_kept_by_a_rerun(tmp_path, count_task):
    data = tmp_path / "data"
    data.mkdir()
    units = [
        _unit(data, "CUT0", "1 2 3 4~"),
        _unit(data, "DROP", "1 #dropped 2"),
        _unit(data, "ODD0", "1 #odd 2"),
        _unit(data, "WHOL", "1 2"),
    ]
    out = str(tmp_path / "out")
    job = BatchJob("count", CountConfig(), units, out)
    rows = {r["station"]: r for r in run_batch(job, workers=0).rows}
    assert {s: r["status"] for s, r in rows.items()} == {
        "CUT0": "partial", "DROP": "partial", "ODD0": "ok", "WHOL": "ok",
    }  # fmt: skip
    assert rows["CUT0"]["message"].endswith("CUT0.txt: line 1: file ends inside a record")
    assert (rows["CUT0"]["epochs"], rows["CUT0"]["solved"]) == (3, 3)  # what was read is solved and stored
    assert pq.read_table(result_path(out, "solution", "count", units[0].key)).num_rows == 3
    # the same bytes again: nothing to gain by running it again
    assert {r["action"] for r in run_batch(job, workers=0).rows} == {"skipped"}
    summary = pq.read_table(os.path.join(out, "summary.parquet")).to_pylist()
    assert [r["status"] for r in summary] == ["partial", "partial", "ok", "ok"]


def test_dataset_readers(tmp_path, count_task):
    data = tmp_path / "data"
    data.mkdir()
    units = [_unit(data, s, " ".join(["1"] * n)) for s, n in (("AAAA", 3), ("BBBB", 5))]
    out = str(tmp_path / "out")
    run_batch(BatchJob("count", CountConfig(), units, out), workers=0)
    (
        tmp_path / "out" / "solution" / "task=count" / "station=AAAA" / "day=2020-06-25" / ".x.parquet.1.tmp"
    ).write_bytes(b"a temporary of a killed worker")
    pd = pytest.importorskip("pandas")
    counts = pd.read_parquet(os.path.join(out, "solution")).groupby("station", observed=True).size()
    assert counts.to_dict() == {"AAAA": 3, "BBBB": 5}
    glob_ = os.path.join(out, "solution", "**", "*.parquet")
    pl = pytest.importorskip("polars")
    got = pl.scan_parquet(glob_, hive_partitioning=True).group_by("station").len().collect()
    assert dict(zip(got["station"].to_list(), got["len"].to_list(), strict=True)) == {"AAAA": 3, "BBBB": 5}
    duckdb = pytest.importorskip("duckdb")
    rows = duckdb.sql(
        f"select station, count(*) from read_parquet('{glob_}', hive_partitioning = true) group by all order by 1"
    ).fetchall()
    assert rows == [("AAAA", 3), ("BBBB", 5)]


def test_on_a_local_dask_cluster(tmp_path, count_task):
    """The task registered here (only in this process) runs on two worker processes: the Task travels."""
    pytest.importorskip("distributed")
    data = tmp_path / "data"
    data.mkdir()
    units = [_unit(data, f"S{k:03d}", " ".join(str(v) for v in range(k))) for k in range(1, 6)]
    units.append(_unit(data, "BAD1", "bad"))
    out = str(tmp_path / "out")
    report = run_batch(BatchJob("count", CountConfig(), units, out), workers=2)
    assert report.workers == 2 and len({r["worker"] for r in report.rows}) >= 1
    got = {r["station"]: (r["status"], r["epochs"]) for r in report.rows}
    assert got == {**{f"S{k:03d}": ("ok", k) for k in range(1, 6)}, "BAD1": ("failed", 0)}
    again = run_batch(BatchJob("count", CountConfig(), units, out), workers=2)
    assert {r["station"]: r["action"] for r in again.rows} == {**{f"S{k:03d}": "skipped" for k in range(1, 6)},
                                                              "BAD1": "ran"}  # fmt: skip


def _worker_state():
    import sys

    from threadpoolctl import threadpool_info

    blas = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    return "_kompas_parent_only" in sys.modules, blas, _kept_worker_records()


def _kept_worker_records():
    """Which of a heartbeat failure and another error the worker's logger lets through."""
    import logging

    log = logging.getLogger("distributed.worker")
    msgs = ("Failed to communicate with scheduler during heartbeat.", "Failed to communicate with peer.")
    return tuple(bool(log.filter(log.makeRecord(log.name, logging.ERROR, "f", 1, m, (), None))) for m in msgs)


_FRESH = "import threading; from kompas.batch.execute import default_start_method as m\n"


def _in_fresh_process(code: str) -> str:
    """Standard output of ``code`` run in a new interpreter (one thread, nothing imported), which must
    succeed; ``threading`` and ``m`` (``default_start_method``) are imported for it."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", _FRESH + code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_local_cluster_start_method_and_one_blas_thread(method):
    """Forked workers (the Linux default) start with this process's modules, spawned ones without; both run
    one BLAS thread, the forked ones through the worker plugin (their BLAS was loaded with 2+ threads);
    both drop the heartbeat failure a worker logs when it outlives the closing scheduler, and no other.
    The cluster starts in a fresh interpreter: forked from this pytest-xdist worker, which runs threads of
    its own, it could hang (default_start_method)."""
    pytest.importorskip("distributed")
    code = f"""
import sys, types
sys.path.insert(0, {os.path.dirname(__file__)!r})
from test_batch_store import _worker_state
from kompas.batch.execute import _client
sys.modules["_kompas_parent_only"] = types.ModuleType("_kompas_parent_only")
with _client(1, None, {method!r}) as c:
    print(list(c.run(_worker_state).values()))
"""
    assert _in_fresh_process(code).splitlines()[-1] == repr([(method == "fork", {1}, (False, True))])


def test_default_start_method_forks_only_a_process_without_other_threads():
    """A fork copies the locks other threads hold and never releases them in the worker (a cluster forked
    from a pytest-xdist worker once never came up): fork only where the caller's thread is the only one."""
    import sys

    code = "e = threading.Event(); print(m()); threading.Thread(target=e.wait).start(); print(m()); e.set()"
    alone, with_thread = _in_fresh_process(code).splitlines()
    assert alone == ("fork" if sys.platform.startswith("linux") else "None")
    assert with_thread == "None"  # Dask's default: spawn


def test_batch_progress_bar_starts_no_thread():
    """tqdm's monitor thread would make kompas batch's own process one that must not fork."""
    import sys

    code = """
import os, sys
from kompas.cli.batch import _progress
sys.stderr = open(os.devnull, "w")
tick = _progress(2, True)
tick({"station": "A", "day": "d", "status": "ok"})
print(threading.active_count(), m())
"""
    assert _in_fresh_process(code) == "1 " + ("fork" if sys.platform.startswith("linux") else "None")


def test_quiet_heartbeat_plugin_filters_one_record_once():
    pytest.importorskip("distributed")
    import logging

    from kompas.batch.plugins import QuietHeartbeat

    log = logging.getLogger("distributed.worker")
    before = list(log.filters)
    try:
        QuietHeartbeat().setup(None)
        QuietHeartbeat().setup(None)
        assert len(log.filters) == len(before) + 1
        assert _kept_worker_records() == (False, True)
    finally:
        log.filters[:] = before
    assert _kept_worker_records() == (True, True)


def _probe(item, config):
    """A unit that reports whether its worker was forked from the test process."""
    import sys

    forked = "_kompas_parent_only" in sys.modules
    return TaskResult({"solution": pa.table({"value": [1.0]})}, "ok", message=f"forked={forked}", epochs=1)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_run_batch_passes_its_start_method_on(method, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    import sys
    import types

    monkeypatch.setitem(TASKS, "probe", Task("probe", CountConfig, (), (), ("solution",), _probe))
    monkeypatch.setitem(sys.modules, "_kompas_parent_only", types.ModuleType("_kompas_parent_only"))
    units = [_unit(tmp_path, "AAAA", "1")]
    report = run_batch(BatchJob("probe", CountConfig(), units, str(tmp_path / "out")), workers=1,
                       start_method=method)  # fmt: skip
    assert [r["message"] for r in report.rows] == [f"forked={method == 'fork'}"]


def test_unknown_start_method_is_a_config_error():
    pytest.importorskip("distributed")
    from kompas.batch.execute import _client
    from kompas.errors import ConfigError

    with pytest.raises(ConfigError, match="start method 'clone'"), _client(1, None, "clone"):
        pass


def test_on_an_existing_scheduler(tmp_path, count_task):
    distributed = pytest.importorskip("distributed")
    units = [_unit(tmp_path, "AAAA", "1 2"), _unit(tmp_path, "BBBB", "3")]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        report = run_batch(
            BatchJob("count", CountConfig(), units, tmp_path / "out"), scheduler=cluster.scheduler_address
        )
    assert report.workers == 1
    assert sorted((r["station"], r["epochs"]) for r in report.rows) == [("AAAA", 2), ("BBBB", 1)]


def test_largest_inputs_run_first(tmp_path, count_task):
    """Longest-processing-time order: a worker takes the units by decreasing input size, so a long day is
    not left to run alone at the end (items given in increasing size here)."""
    distributed = pytest.importorskip("distributed")
    units = [_unit(tmp_path, f"S{k:03d}", " ".join(["1"] * (10 * k))) for k in range(1, 6)]
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        report = run_batch(BatchJob("count", CountConfig(), units, tmp_path / "out"), client=client)
    assert [r["station"] for r in report.rows] == [f"S{k:03d}" for k in range(5, 0, -1)]


def test_session_spans_and_the_other_sessions_a_run_replaces(tmp_path):
    from kompas.batch.store import remove_other_sessions, result_path, session_span_s

    assert session_span_s("0000-01D") == (0, 86400) and session_span_s("1015-15M") == (36900, 37800)
    assert session_span_s("1700-90S") == (61200, 61290) and session_span_s("odd") is None
    out = str(tmp_path)
    stored = [("AAAA", "2020-06-25", s) for s in ("0000-15M", "0015-15M", "0100-01H")]
    stored.append(("BBBB", "2020-06-25", "0000-15M"))  # another station: left alone
    for key in stored:
        for table in ("summary", "solution"):
            path = result_path(out, table, "spp", key)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").close()
    run = [("AAAA", "2020-06-25", "0000-01H")]  # joins the first hour's 15-minute files
    assert remove_other_sessions(out, "spp", run) == stored[:2]
    left = sorted(os.path.relpath(p, out) for p in glob.glob(f"{out}/*/*/*/*/*.parquet"))
    assert [p.split(os.sep)[-1] for p in left] == ["0100-01H.parquet", "0000-15M.parquet"] * 2


def test_a_run_keeps_the_stored_sessions_of_other_observation_files(tmp_path):
    """A station-day's daily 30-s file processed in one run, its 15-minute 1-Hz files in another: the
    second run must not delete the first one's results (other files, not another layout of its own);
    a stored session made from one of its files (compressed or Hatanaka-named) is replaced as before."""
    import json

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from kompas.batch.store import remove_other_sessions, result_path

    out = str(tmp_path)
    stored = {
        ("AAAA", "2020-06-25", "0000-01D"): "AAAA00XXX_R_20201770000_01D_30S_MO.crx.gz",  # another file
        ("AAAA", "2020-06-25", "0000-01H"): "AAAA00XXX_R_20201770000_15M_01S_MO.crx.gz",  # one of the run's
    }
    for key, obs in stored.items():
        path = result_path(out, "summary", "spp", key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pq.write_table(pa.table({"inputs": [json.dumps({"obs": [f"/data/{obs}"]})]}), path)
    run = {
        ("AAAA", "2020-06-25", f"00{m:02d}-15M"): [f"/new/AAAA00XXX_R_202017700{m:02d}_15M_01S_MO.rnx"]
        for m in (0, 15, 30, 45)
    }
    assert remove_other_sessions(out, "spp", list(run), run) == [("AAAA", "2020-06-25", "0000-01H")]
    assert os.path.exists(result_path(out, "summary", "spp", ("AAAA", "2020-06-25", "0000-01D")))
    # without the planned files (the API as before) every overlapping session goes
    assert remove_other_sessions(out, "spp", list(run)) == [("AAAA", "2020-06-25", "0000-01D")]


def test_one_batch_at_a_time_per_output_folder(tmp_path, count_task):
    """A second run on a folder another batch is writing to is refused (it would delete that run's
    temporaries and fresh sessions at its start); a lock left by a killed run is taken over; the lock
    goes with the run."""
    import socket

    from kompas.errors import ConfigError

    out = tmp_path / "out"
    out.mkdir()
    lock = out / ".kompas-batch.lock"
    lock.write_text(f"{socket.gethostname()} {os.getpid()}")  # this process: alive
    job = BatchJob("count", CountConfig(), [_unit(tmp_path, "S001", "1 2 3")], out)
    with pytest.raises(ConfigError, match=r"another kompas batch \(process \d+ on .*\) is writing to"):
        run_batch(job, workers=0)
    assert not (out / "summary.parquet").exists()
    dead = 2**22 + 7  # above Linux's largest process id
    lock.write_text(f"{socket.gethostname()} {dead}")
    report = run_batch(job, workers=0)
    assert [r["status"] for r in report.rows] == ["ok"] and not lock.exists()


def test_the_files_a_run_left_out_are_in_not_planned_parquet(tmp_path, count_task):
    """The summary holds units only; the files a run did not plan (a duplicate, a day without navigation
    data) and why were in the printed table alone: now OUT/not_planned.parquet has them, and a run
    without any writes an empty table (the last run's, not an accumulation)."""
    from kompas.batch.plan import Skipped

    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "out"
    job = BatchJob("count", CountConfig(), [_unit(tmp_path, "S001", "1 2")], out)
    left = (Skipped("/d/s002.20o", "S002", "2020-06-25", "0000-01D", "no nav file for 2020-06-25"),)
    report = run_batch(job, workers=0, skipped=left)
    assert [r["action"] for r in report.rows] == ["not planned", "ran"]
    rows = pq.read_table(out / "not_planned.parquet").to_pylist()
    assert rows == [{"task": "count", "station": "S002", "day": "2020-06-25", "session": "0000-01D",
                     "path": "/d/s002.20o", "reason": "no nav file for 2020-06-25"}]  # fmt: skip
    run_batch(job, workers=0)
    assert pq.read_table(out / "not_planned.parquet").num_rows == 0


def test_a_rerun_redoes_a_finished_unit_whose_files_were_truncated_edited_or_removed(tmp_path, count_task):
    data = tmp_path / "data"
    data.mkdir()
    units = [_unit(data, s, "1 2 3 4 5 6 7 8") for s in ("CUT0", "EDIT", "GONE", "KEEP", "SUMM")]
    out = str(tmp_path / "out")
    job = BatchJob("count", CountConfig(), units, out)
    assert {r["action"] for r in run_batch(job, workers=0).rows} == {"ran"}
    solution = {u.station: result_path(out, "solution", "count", u.key) for u in units}
    size = os.path.getsize(solution["CUT0"])
    with open(solution["CUT0"], "r+b") as fh:  # cut by hand after the unit finished
        fh.truncate(size // 2)
    with open(solution["EDIT"], "r+b") as fh:  # one byte changed, the size kept
        fh.seek(size // 2)
        byte = fh.read(1)
        fh.seek(size // 2)
        fh.write(bytes([byte[0] ^ 0xFF]))
    os.unlink(solution["GONE"])
    summary = result_path(out, "summary", "count", units[4].key)
    with open(summary, "r+b") as fh:  # the summary file itself damaged
        fh.truncate(100)

    rows = {r["station"]: r for r in run_batch(job, workers=0).rows}
    assert {s: r["action"] for s, r in rows.items()} == {
        "CUT0": "ran", "EDIT": "ran", "GONE": "ran", "KEEP": "skipped", "SUMM": "ran",
    }  # fmt: skip
    assert rows["CUT0"]["message"] == (
        f"redone: its solution file had {size // 2} bytes of the {size} written ({solution['CUT0']})"
    )
    assert rows["EDIT"]["message"].startswith(
        "redone: its solution file had been changed since it was written"
    )
    assert rows["GONE"]["message"] == f"redone: its solution file was missing ({solution['GONE']})"
    assert rows["SUMM"]["message"] == "redone: its stored summary file did not read (damaged)"
    for s in ("CUT0", "EDIT", "GONE"):  # whole again
        assert pq.read_table(solution[s]).column("value").to_pylist() == [
            1.0,
            2.0,
            3.0,
            4.0,
            5.0,
            6.0,
            7.0,
            8.0,
        ]
    assert {r["action"] for r in run_batch(job, workers=0).rows} == {"skipped"}


def test_a_summary_without_the_record_of_its_files_is_redone(tmp_path, count_task):
    unit = _unit(tmp_path, "OLD0", "1 2")
    out = str(tmp_path / "out")
    run_unit(unit, "count", CountConfig(), out, "1.0")
    path = result_path(out, "summary", "count", unit.key)
    write_atomic(pq.read_table(path).replace_schema_metadata({}), path)  # as an earlier kompas wrote it
    row = run_unit(unit, "count", CountConfig(), out, "1.0")
    assert row["action"] == "ran" and row["message"].startswith(
        "redone: its summary held no sizes and checksums"
    )
    assert run_unit(unit, "count", CountConfig(), out, "1.0")["action"] == "skipped"


def test_only_the_run_that_redid_a_unit_says_redone(tmp_path, count_task):
    """The redo reason was stored with the row: every later rerun that skipped the unit returned
    ``redone: its solution file had 1000 bytes ...`` again, and summary.parquet kept it. The stored row
    (and so summary.parquet) now keeps the result's own message; only the redoing run's row says why."""
    unit = dataclasses.replace(_unit(tmp_path, "REDO", "1 2 3 4 5 6 7 8"), notes=("a note of the plan",))
    out = str(tmp_path / "out")
    job = BatchJob("count", CountConfig(), [unit], out)
    run_batch(job, workers=0)
    solution = result_path(out, "solution", "count", unit.key)
    size = os.path.getsize(solution)
    with open(solution, "r+b") as fh:
        fh.truncate(size // 2)
    (redone,) = run_batch(job, workers=0).rows
    assert redone["action"] == "ran" and redone["message"] == (
        f"redone: its solution file had {size // 2} bytes of the {size} written ({solution}); a note of the plan"
    )
    assert pq.read_table(os.path.join(out, "summary.parquet")).column("message").to_pylist() == [
        "a note of the plan"
    ]
    for _ in range(2):  # the reruns after it: skipped, with the result's message alone
        (again,) = run_batch(job, workers=0).rows
        assert again["action"] == "skipped" and again["message"] == "a note of the plan"
        assert pq.read_table(os.path.join(out, "summary.parquet")).column("message").to_pylist() == [
            "a note of the plan"
        ]


@pytest.mark.parametrize(
    "record",
    [
        "[]",
        "5",
        '"solution"',
        "null",
        '{"solution": 5}',
        '{"solution": []}',
        '{"solution": {"size": "38275", "sha256": "ab"}}',
        '{"solution": {"size": true, "sha256": "ab"}}',
        '{"solution": {"size": 10}}',
        '{"solution": {"size": 10, "sha256": 5}}',
    ],
)
def test_a_summary_whose_record_of_its_files_has_another_form_is_redone(tmp_path, count_task, record):
    """Well-formed JSON of another form in the record (a list, a number per table) raised AttributeError
    from run_unit: it is a damaged summary like the others, the unit done again with why."""
    from kompas.batch.store import OUTPUTS_KEY

    unit = _unit(tmp_path, "FORM", "1 2")
    out = str(tmp_path / "out")
    run_unit(unit, "count", CountConfig(), out, "1.0")
    path = result_path(out, "summary", "count", unit.key)
    write_atomic(pq.read_table(path).replace_schema_metadata({}), path, {OUTPUTS_KEY: record})
    row = run_unit(unit, "count", CountConfig(), out, "1.0")
    assert row["action"] == "ran" and row["status"] == "ok"
    assert row["message"] == (
        "redone: its summary's record of its files was not a table of sizes and checksums (damaged)"
    )
    assert run_unit(unit, "count", CountConfig(), out, "1.0")["action"] == "skipped"


def test_the_plans_notes_are_in_the_units_message_and_not_in_its_hash(tmp_path, count_task):
    unit = _unit(tmp_path, "NOTE", "1 2")
    noted = dataclasses.replace(
        unit, notes=("orbit and clock of GRG0MGXFIN; left out: COD0MGXFIN (no clock file)",)
    )
    assert input_hash(noted, "count", CountConfig(), "1.0") == input_hash(unit, "count", CountConfig(), "1.0")
    row = run_unit(noted, "count", CountConfig(), str(tmp_path / "out"), "1.0")
    assert row["status"] == "ok" and row["message"] == noted.notes[0]
    summary = pq.read_table(result_path(str(tmp_path / "out"), "summary", "count", unit.key)).to_pylist()
    assert summary[0]["message"] == noted.notes[0]
