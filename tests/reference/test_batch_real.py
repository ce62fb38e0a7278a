"""kompas batch on the shared data: results equal the single-file command bit for bit; a worker killed
mid-run loses no finished result and the rerun completes the rest; a bad file is one failed row."""

import os
import shutil
import signal
import threading
import time

import numpy as np
import pytest

pq = pytest.importorskip("pyarrow.parquet")
distributed = pytest.importorskip("distributed")

from kompas import SppConfig  # noqa: E402
from kompas.batch import BatchJob, get_task, plan, run_batch  # noqa: E402
from kompas.batch.execute import _client  # noqa: E402
from kompas.batch.store import result_path  # noqa: E402
from kompas.cli.main import main  # noqa: E402

pytestmark = pytest.mark.slow


def _all_files(root):
    return sorted(str(p) for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def shared_plan(kompas_data):
    return plan(_all_files(kompas_data))


def _bits(values: np.ndarray) -> np.ndarray:
    """Bit patterns, so that NaN == NaN and -0.0 != 0.0."""
    values = np.asarray(values)
    return values.view(np.int64) if values.dtype.kind in "fM" else values


def _assert_columns_bit_equal(ref, batch, *where):
    """Every column of the single-file command's table is in the batch's, with its dtype and bits."""
    for name in ref.column_names:
        a, b = ref.column(name).to_numpy(), batch.column(name).to_numpy()
        assert a.dtype == b.dtype and np.array_equal(_bits(a), _bits(b)), (*where, name)


def test_plan_of_the_shared_data(shared_plan):
    # every observation file with a navigation file of its day (MANIFEST.md), each station-day once
    assert sorted(it.station for it in shared_plan.items) == [
        "AJAC00FRA", "DELF", "ESBC00DNK", "KMS300DNK", "NYA100NOR", "PASA00ESP", "SCOA00FRA", "SLAC",
        "WTZR00DEU", "WTZZ00DEU",
    ]  # fmt: skip
    nya = next(it for it in shared_plan.items if it.station == "NYA100NOR")
    assert [os.path.basename(p)[-9:] for p in nya.paths("nav")] == ["CN.rnx.gz", "EN.rnx.gz", "GN.rnx.gz"]
    not_planned = {s.station for s in shared_plan.skipped if s.station}
    assert {"ZIM200CHE", "CEBR00ESP", "GRAS00FRA", "YORK"} <= not_planned


@pytest.mark.timeout(600)  # full days on a local cluster, on a shared 2-core machine
def test_batch_equals_single_file_command_bit_for_bit(shared_plan, tmp_path):
    out = tmp_path / "out"
    report = run_batch(BatchJob("spp", SppConfig(), shared_plan.items, out), workers=2)
    assert report.workers == 2
    ran = {(r["station"], r["day"], r["session"]): r for r in report.rows}
    assert len(ran) == len(shared_plan.items) and {r["action"] for r in report.rows} == {"ran"}
    for item in shared_plan.items:
        single = tmp_path / f"{item.station}.parquet"
        rc = main(["spp", *item.paths("obs"), *item.paths("nav"), "-o", str(single)])
        row = ran[item.key]
        batch = pq.read_table(result_path(str(out), "solution", "spp", item.key))
        assert batch.num_rows == row["epochs"]
        if rc == 1:  # the command solved nothing and wrote nothing: the batch says so too
            assert row["status"] == "unsolved" and row["solved"] == 0 and not single.exists()
            assert np.all(batch.column("status").to_numpy() == 0)
            continue
        assert rc == 0 and row["status"] == "ok"
        ref = pq.read_table(single)
        _assert_columns_bit_equal(ref, batch, item.station)
        assert row["solved"] == int(np.count_nonzero(ref.column("status").to_numpy()))
        others = set(batch.column_names) - set(ref.column_names) - {"reason"}
        assert all(batch.column(n).null_count == batch.num_rows for n in others), item.station
    summary = pq.read_table(out / "summary.parquet")
    assert summary.num_rows == len(shared_plan.items)


def _executing(dask_worker):
    return [str(ts.key) for ts in dask_worker.state.executing]


def _worker_busy_with(client, stations):
    """Address of a worker executing (not only holding) a unit of one of ``stations``, or None."""
    for addr, keys in client.run(_executing).items():
        if any(s in key for key in keys for s in stations):
            return addr
    return None


@pytest.mark.timeout(600)  # full days on a local cluster, on a shared 2-core machine
def test_worker_killed_mid_run_then_rerun(kompas_data, tmp_path):
    import dask

    names = ("ESBC00DNK", "NYA100NOR", "AJAC00FRA", "WTZR00DEU", "WTZZ00DEU", "KMS300DNK", "SLAC")
    p = plan(_all_files(kompas_data), stations=names)
    assert len(p.items) == len(names)
    out = str(tmp_path / "out")
    job = BatchJob("spp", SppConfig(), p.items, out)
    result = {}
    # the scheduler gives a unit up when its worker dies (default: retried elsewhere), so that the
    # rerun has something to complete; the cluster is kompas batch's own (workers forked on Linux), so
    # the nanny's restart of the killed worker goes the same way
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), _client(2, None) as client:
        runner = threading.Thread(target=lambda: result.update(report=run_batch(job, client=client)))
        runner.start()
        deadline, busy = time.monotonic() + 120, None
        while busy is None and time.monotonic() < deadline and runner.is_alive():
            busy = _worker_busy_with(client, ("ESBC00DNK", "NYA100NOR", "AJAC00FRA"))  # full days: seconds
            time.sleep(0.02)
        assert busy is not None, "no full-day unit seen running"
        pid = client.run(os.getpid, workers=[busy])[busy]
        os.kill(pid, signal.SIGKILL)
        runner.join(timeout=300)
        assert not runner.is_alive()
    first = result["report"]
    lost = [r for r in first.rows if r["action"] == "lost"]
    assert len(lost) >= 1 and all(r["status"] == "failed" for r in lost)
    done = {(r["station"], r["day"], r["session"]) for r in first.rows if r["action"] == "ran"}

    second = run_batch(job, workers=0)
    assert {(r["station"], r["day"], r["session"]) for r in second.rows if r["action"] == "skipped"} == done
    assert {(r["station"], r["day"], r["session"]) for r in second.rows if r["action"] == "ran"} == {
        it.key for it in p.items
    } - done
    summary = pq.read_table(os.path.join(out, "summary.parquet")).to_pylist()
    keys = [(r["station"], r["day"], r["session"]) for r in summary]
    assert sorted(keys) == sorted(it.key for it in p.items) and all(r["status"] == "ok" for r in summary)
    for it in p.items:  # exactly one result file per unit, no temporary left
        folder = os.path.dirname(result_path(out, "solution", "spp", it.key))
        assert os.listdir(folder) == [f"{it.session}.parquet"]
    pd = pytest.importorskip("pandas")
    sol = pd.read_parquet(os.path.join(out, "solution"))
    per = sol.groupby("station", observed=True).size().to_dict()
    assert per == {r["station"]: r["epochs"] for r in summary}


def test_bad_file_is_one_failed_row(kompas_data, tmp_path):
    a = kompas_data / "A_2020-177_ESBC_WTZR"
    shutil.copy(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx", tmp_path)
    bad = tmp_path / "WTZZ00DEU_R_20201770000_01D_30S_MO.rnx"
    bad.write_text("this is not RINEX\n" * 20)
    nav = str(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    p = plan([str(tmp_path / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"), str(bad)], [nav])
    report = run_batch(BatchJob("spp", SppConfig(systems="CR"), p.items, tmp_path / "out"), workers=0)
    rows = {r["station"]: r for r in report.rows}
    assert rows["WTZR00DEU"]["status"] == "ok" and rows["WTZR00DEU"]["solved"] == 120
    assert rows["WTZZ00DEU"]["status"] == "failed"
    assert (
        rows["WTZZ00DEU"]["message"].startswith(f"{bad}, line 1: ")
        and "Error" not in rows["WTZZ00DEU"]["message"]
    )


def test_a_truncated_file_is_a_partial_row(kompas_data, tmp_path, capsys):
    a = kompas_data / "A_2020-177_ESBC_WTZR"
    lines = (a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx").read_text().splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith(">")]
    cut = tmp_path / "WTZR00DEU_R_20201770000_01D_30S_MO.rnx"
    cut.write_text("".join(lines[: starts[60] + 3]))  # ends two satellites into epoch 61
    nav = str(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    argv = [
        "batch",
        str(cut),
        "--nav",
        nav,
        "--out",
        str(tmp_path / "out"),
        "--workers",
        "0",
        "--no-progress",
    ]
    assert main(argv) == 0  # the 60 complete epochs are a solution
    out = capsys.readouterr().out
    assert "WTZR00DEU  2020-06-25 0000-01D  partial       60/60" in out
    assert "line 2781: the file ends inside this epoch" in out
    assert "units    0 ok, 1 partial, 0 unsolved, 0 failed" in out


def test_a_joined_day_with_a_file_that_does_not_read_is_partial(kompas_data, tmp_path, capsys):
    import kompas
    from kompas.io.writers.rinex_obs import write_obs

    a = kompas_data / "A_2020-177_ESBC_WTZR"
    obs = kompas.read_obs(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx")
    cut = tmp_path / "cut"
    cut.mkdir()
    for i in range(4):  # four 15-minute files
        write_obs(obs.epochs(30 * i, 30 * (i + 1)), cut / f"WTZR00DEU_R_2020177{i * 15:04d}_15M_30S_MO.rnx")
    bad = cut / "WTZR00DEU_R_20201770030_15M_30S_MO.rnx"
    bad.write_text("this is not RINEX\n" * 20)
    nav = str(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    argv = [
        "batch",
        str(cut / "*.rnx"),
        "--nav",
        nav,
        "--workers",
        "0",
        "--no-progress",
        "--set",
        "systems=G",
    ]
    assert main([*argv, "--join-sessions", "--out", str(tmp_path / "joined")]) == 0
    out = capsys.readouterr().out
    assert "WTZR00DEU  2020-06-25 0000-01H  partial       90/90" in out
    assert "file left out of the session: WTZR00DEU_R_20201770030_15M_30S_MO.rnx: no 'END OF HEADER'" in out
    summary = pq.read_table(tmp_path / "joined" / "summary.parquet").to_pylist()
    assert [(r["status"], r["solved"]) for r in summary] == [("partial", 90)]
    assert main([*argv, "--out", str(tmp_path / "apart")]) == 0  # file by file: the bad one fails alone
    assert "units    3 ok, 0 partial, 0 unsolved, 1 failed" in capsys.readouterr().out
    # files that repeat the epoch at their joins (each holds the next one's first): nothing is lost, ok
    for i in range(4):
        write_obs(
            obs.epochs(30 * i, min(30 * (i + 1) + 1, 120)),
            bad.parent / f"WTZR00DEU_R_2020177{i * 15:04d}_15M_30S_MO.rnx",
        )
    assert main([*argv, "--join-sessions", "--out", str(tmp_path / "repeats")]) == 0
    out = capsys.readouterr().out
    assert "WTZR00DEU  2020-06-25 0000-01H  ok           120/120" in out and "3 epoch(s) at or before" in out


def test_cli_resumes(kompas_data, tmp_path, capsys):
    a = kompas_data / "A_2020-177_ESBC_WTZR"
    base = ["batch", str(a / "*_MO_120epoch.rnx"), "--nav", str(a / "*_MN.rnx.gz"), "--out", str(tmp_path)]
    argv = [*base, "--workers", "0", "--no-progress", "--set", "systems=C,R"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "station    day        session   status    solved/epochs  time s  notes" in out.splitlines()
    assert "WTZR00DEU  2020-06-25 0000-01D  ok           120/120" in out
    assert "units    2 ok, 0 partial, 0 unsolved, 0 failed; 0 finished before" in out
    assert main(argv) == 0
    assert "units    2 ok, 0 partial, 0 unsolved, 0 failed; 2 finished before" in capsys.readouterr().out
    # other options: done again, here on a local cluster of two workers. Spawned, not forked: a pytest-xdist
    # worker runs threads of its own (execnet's), and a fork while one of them held a lock left the cluster's
    # workers hung (CI at 04f589c); default_start_method now sees those threads and chooses spawn itself
    assert main([*base, "--workers", "2", "--set", "systems=C"]) == 0
    out = capsys.readouterr().out
    assert "units    2 ok, 0 partial, 0 unsolved, 0 failed; 0 finished before" in out and "(2 workers)" in out


def _flat(row):
    out = {}
    for k, v in row.items():
        out.update({f"{k}.{kk}": vv for kk, vv in v.items()} if isinstance(v, dict) else {k: v})
    return out


def test_qc_tables_equal_the_qc_command(kompas_data, tmp_path, capsys):
    import json

    files = [
        kompas_data / "F_2022-159_KMS3_rinex4" / "KMS300DNK_R_20221591000_01H_30S_MO.crx",
        kompas_data / "A_2020-177_ESBC_WTZR" / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
    ]
    navs = [
        kompas_data / "F_2022-159_KMS3_rinex4" / "KMS300DNK_R_20221591000_01H_MN.rnx.gz",
        kompas_data / "A_2020-177_ESBC_WTZR" / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz",
    ]
    from kompas import QcConfig

    task = get_task("qc")
    p = plan([str(f) for f in files], [str(n) for n in navs], needs=task.needs, roles=task.roles)
    out = tmp_path / "out"
    report = run_batch(BatchJob("qc", QcConfig(), p.items, out), workers=0)
    assert [r["status"] for r in report.rows] == ["ok", "ok"]
    for item in p.items:
        doc = tmp_path / f"{item.station}.json"
        assert main(["qc", *item.paths("obs"), "--nav", *item.paths("nav"), "--json", str(doc), "-q"]) == 0
        tables = json.loads(doc.read_text())["files"][0]["tables"]
        for name, rows in tables.items():
            path = result_path(str(out), f"qc_{name}", "qc", item.key)
            if not rows:
                assert not os.path.exists(path)
                continue
            got = pq.read_table(path).to_pylist()
            assert len(got) == len(rows), (item.station, name)
            for g, r in zip(got, map(_flat, rows), strict=True):
                # one schema for the rows of a file: keys another row has are null here
                assert {k: g[k] for k in r} == r and all(g[k] is None for k in set(g) - set(r)), name
    capsys.readouterr()
    # a rerun skips what is stored and runs again a unit whose table file was deleted
    os.remove(result_path(str(out), "qc_summary", "qc", p.items[0].key))
    again = run_batch(BatchJob("qc", QcConfig(), p.items, out), workers=0)
    assert [r["action"] for r in again.rows] == ["ran", "skipped"]


def test_ppp_equals_the_ppp_command_bit_for_bit(kompas_data, tmp_path, capsys):
    e, models = kompas_data / "E_2026-133_ZIM2", kompas_data / "models"
    obs = str(e / "ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx")
    names = ("IGS0OPSFIN_20261330000_01D_15M_ORB.SP3", "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK",
             "COD0OPSFIN_20261330000_01D_01D_OSB.BIA.gz")  # fmt: skip
    products = [str(e / n) for n in names]
    common = {
        "antex": str(e / "igs20_zim2_gps_trim.atx"),
        "blq": str(models / "OceanLoading_GOT47_raPPPid.blq"),
        "gpt3": str(models / "gpt3_5.grd"),
        "sat_table": str(models / "sat_parameters_PRIDE.txt"),
    }
    out = tmp_path / "out"
    argv = ["batch", obs, "--task", "ppp", "--products", *products, "--out", str(out), "--workers", "0"]
    argv += [a for role, path in common.items() for a in ("--with", f"{role}={path}")]
    assert main([*argv, "--set", "systems=G"]) == 0
    assert main([*argv, "--set", "systems=G"]) == 0  # the rerun finds the stored result
    assert "units    1 ok, 0 partial, 0 unsolved, 0 failed; 1 finished before" in capsys.readouterr().out
    single = tmp_path / "zim2.parquet"
    rc = main(["ppp", obs, "--sp3", products[0], "--clk", products[1], "--bias", products[2],
               "--atx", common["antex"], "--blq", common["blq"], "--gpt3", common["gpt3"],
               "--sat-table", common["sat_table"], "--systems", "G", "-o", str(single)])  # fmt: skip
    assert rc == 0
    capsys.readouterr()
    ref = pq.read_table(single)
    batch = pq.read_table(result_path(str(out), "solution", "ppp", ("ZIM200CHE", "2026-05-13", "0000-01H")))
    assert batch.num_rows == ref.num_rows == 120
    _assert_columns_bit_equal(ref, batch)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("precise", [False, True])
def test_rtk_equals_the_rtk_command_bit_for_bit(kompas_data, tmp_path, capsys, precise):
    d = kompas_data / "D_2026-120_PASA_SCOA_rtk"
    rover, base = (str(d / f"{s}_R_20261201000_02H_30S_MO.rnx") for s in ("SCOA00FRA", "PASA00ESP"))
    nav, atx = str(d / "BRDC00WRD_R_20261200800_06H_MN.rnx"), str(d / "igs20_pasa_scoa_gps.atx")
    sp3, clk = (
        str(d / "IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3"),
        str(d / "IGS0OPSFIN_2026120095930_02H01M_30S_CLK.CLK"),
    )
    out = tmp_path / "out"
    # both stations as inputs: PASA, the base, is left out as a rover
    argv = ["batch", str(d / "*_MO.rnx"), "--task", "rtk", "--nav", nav, "--with", f"base={base}"]
    argv += ["--with", f"antex={atx}", "--out", str(out), "--workers", "0", "--set", "systems=G,E"]
    argv += ["--products", sp3, clk] if precise else []
    assert main(argv) == 0
    err = capsys.readouterr().out
    assert "the rover is the base" in err
    single = tmp_path / "scoa.parquet"
    extra = ["--sp3", sp3, "--clk", clk] if precise else []
    assert main(["rtk", rover, base, nav, "--atx", atx, "--systems", "G,E", *extra, "-o", str(single)]) == 0
    capsys.readouterr()
    ref = pq.read_table(single)
    batch = pq.read_table(result_path(str(out), "solution", "rtk", ("SCOA00FRA", "2026-04-30", "1000-02H")))
    assert batch.num_rows == ref.num_rows == 240
    assert np.count_nonzero(ref.column("status").to_numpy() == 1) > 100  # fixed epochs: a real RTK run
    # the precise products bring back the GPS satellites the BRDC file lacks (4.5 -> 7.5 per epoch)
    assert (ref.column("nsat_G").to_numpy().mean() > 6.0) == precise
    _assert_columns_bit_equal(ref, batch)
    summary = pq.read_table(out / "summary.parquet").to_pylist()
    assert [(r["station"], r["status"]) for r in summary] == [("SCOA00FRA", "ok")]
    fixed = np.count_nonzero(ref.column("status").to_numpy() == 1)
    assert summary[0]["message"].startswith(f"fixed {fixed} of 240 epochs")  # the fix rate, in the row


def test_batch_names_the_files_it_did_not_recognise(kompas_data, tmp_path, capsys):
    a = kompas_data / "A_2020-177_ESBC_WTZR"
    (tmp_path / "in").mkdir()
    shutil.copy(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx", tmp_path / "in")
    (tmp_path / "in" / "notes.10o").write_text("not a RINEX file\n")
    args = ["batch", str(tmp_path / "in" / "*"), "--nav", str(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"),
            "--out", str(tmp_path / "out"), "--task", "spp", "--workers", "0"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "1 files not recognised" in out and "not recognised: notes.10o: not an observation" in out
    too_many = [*args[:-2], "--workers", "1000000"]
    assert main(too_many) == 2
    assert "--workers must be within 0 .. " in capsys.readouterr().err


def test_spp_with_the_days_ionex_maps_equals_the_spp_command(kompas_data, tmp_path, capsys):
    """IONEX maps among the inputs reach the unit of their day and select the IONEX model, as ``kompas spp
    --ionex`` does (JPL's GIM of 2017-01-01 over a simulated receiver of that day: no observation file of
    an IONEX day is in the shared data)."""
    sim = tmp_path / "sim"
    assert main(["sim", "--lat", "47", "--lon", "8", "--hours", "0.1", "--systems", "G,E",
                 "--start", "2017-01-01T06:00:00", "--out", str(sim)]) == 0  # fmt: skip
    obs, nav = (str(next(sim.glob(f"*_{k}.rnx"))) for k in ("MO", "MN"))
    gim = str(kompas_data / "ionex" / "jplg0010.17i.gz")
    task = get_task("spp")
    p = plan([obs, gim], [nav], needs=task.needs, roles=task.roles)
    assert [it.paths("ionex") for it in p.items] == [(gim,)]
    out = tmp_path / "out"
    assert run_batch(BatchJob("spp", SppConfig(), p.items, out), workers=0).rows[0]["status"] == "ok"
    single, klobuchar = tmp_path / "single.parquet", tmp_path / "klobuchar.parquet"
    assert main(["spp", obs, nav, "--ionex", gim, "-o", str(single)]) == 0
    assert main(["spp", obs, nav, "-o", str(klobuchar)]) == 0
    capsys.readouterr()
    ref, batch = (
        pq.read_table(single),
        pq.read_table(result_path(str(out), "solution", "spp", p.items[0].key)),
    )
    assert batch.num_rows == ref.num_rows > 0
    _assert_columns_bit_equal(ref, batch)
    # the maps matter: without them the positions differ
    assert not np.array_equal(ref.column("z_m").to_numpy(), pq.read_table(klobuchar).column("z_m").to_numpy())


@pytest.mark.timeout(300)
def test_joined_sessions_equal_the_commands_on_the_whole_files(kompas_data, tmp_path, capsys):
    """ZIM2's hour cut into four 15-minute files and SCOA->PASA's two hours into 30-minute (rover) and
    hourly (base) files: with --join-sessions each station-day is one unit whose solution is the command's
    on the whole file, bit for bit; without, every file is a unit of its own."""
    import kompas
    from kompas.io.writers.rinex_obs import write_obs

    e, d = kompas_data / "E_2026-133_ZIM2", kompas_data / "D_2026-120_PASA_SCOA_rtk"
    cut = tmp_path / "cut"
    cut.mkdir()

    def split(path, station, hour, minutes, count):
        obs = kompas.read_obs(path)
        step = minutes * 2  # 30-s epochs
        for i in range(count):
            start = f"{hour + i * minutes // 60:02d}{i * minutes % 60:02d}"
            name = f"{station}_R_2026{path.name[16:19]}{start}_{minutes:02d}M_30S_MO.rnx"
            if minutes == 60:
                name = name.replace("_60M_", "_01H_")
            write_obs(obs.epochs(i * step, (i + 1) * step), cut / name)

    zim2 = e / "ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx"
    split(zim2, "ZIM200CHE", 0, 15, 4)
    names = ("IGS0OPSFIN_20261330000_01D_15M_ORB.SP3", "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK")
    products = [str(e / n) for n in names]
    atx = str(e / "igs20_zim2_gps_trim.atx")
    argv = ["batch", str(cut / "ZIM2*.rnx"), "--task", "ppp", "--products", *products, "--with", f"antex={atx}",
            "--workers", "0", "--no-progress", "--set", "systems=G"]  # fmt: skip
    assert main([*argv, "--out", str(tmp_path / "apart")]) == 0
    assert "units    4 ok" in capsys.readouterr().out
    assert main([*argv, "--join-sessions", "--out", str(tmp_path / "joined")]) == 0
    assert "units    1 ok" in capsys.readouterr().out
    # the joined layout run into the apart one's folder: the four 15-minute results give way, so the
    # dataset holds each epoch once (it held 240 rows for 120 epochs)
    assert main([*argv, "--join-sessions", "--out", str(tmp_path / "apart")]) == 0
    assert "4 stored result(s) of other sessions overlapping this run's units were removed" in (
        capsys.readouterr().err
    )
    assert pq.read_table(tmp_path / "apart" / "solution").num_rows == 120
    assert pq.read_table(tmp_path / "apart" / "summary.parquet").num_rows == 1
    single = tmp_path / "zim2.parquet"
    rc = main(["ppp", str(zim2), "--sp3", products[0], "--clk", products[1], "--atx", atx, "--systems", "G",
               "-o", str(single)])  # fmt: skip
    assert rc == 0
    ref = pq.read_table(single)
    key = ("ZIM200CHE", "2026-05-13", "0000-01H")
    batch = pq.read_table(result_path(str(tmp_path / "joined"), "solution", "ppp", key))
    assert batch.num_rows == ref.num_rows == 120
    _assert_columns_bit_equal(ref, batch)

    rover, base = d / "SCOA00FRA_R_20261201000_02H_30S_MO.rnx", d / "PASA00ESP_R_20261201000_02H_30S_MO.rnx"
    split(rover, "SCOA00FRA", 10, 30, 4)
    split(base, "PASA00ESP", 10, 60, 2)
    nav = str(d / "BRDC00WRD_R_20261200800_06H_MN.rnx")
    argv = ["batch", str(cut / "SCOA*.rnx"), "--task", "rtk", "--nav", nav, "--with", f"base={cut}/PASA*.rnx",
            "--join-sessions", "--out", str(tmp_path / "rtk"), "--workers", "0", "--no-progress",
            "--set", "systems=G,E"]  # fmt: skip
    assert main(argv) == 0
    single = tmp_path / "scoa.parquet"
    assert main(["rtk", str(rover), str(base), nav, "--systems", "G,E", "-o", str(single)]) == 0
    capsys.readouterr()
    ref = pq.read_table(single)
    batch = pq.read_table(
        result_path(str(tmp_path / "rtk"), "solution", "rtk", ("SCOA00FRA", "2026-04-30", "1000-02H"))
    )
    assert batch.num_rows == ref.num_rows == 240
    assert np.count_nonzero(ref.column("status").to_numpy() == 1) > 100  # fixed epochs: a real RTK run
    _assert_columns_bit_equal(ref, batch)
