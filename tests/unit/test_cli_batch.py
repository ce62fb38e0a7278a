"""The kompas batch command's contract: user errors exit 2 with one line, nothing to do exits 1."""

import pytest

from kompas.cli.main import main


def _run(capsys, *argv):
    rc = main(["batch", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def files(tmp_path):
    obs = tmp_path / "AAAA00XXX_R_20201770000_01D_30S_MO.rnx"
    obs.write_text("")
    (tmp_path / "orb").mkdir()  # an SP3 first line, in a folder of its own
    (tmp_path / "orb" / "o.sp3").write_text("#dP2020  6 25  0  0  0.00000000     289 ORBIT IGb14 HLM  COD\n")
    return tmp_path, obs


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "give observation files or patterns"),
        (("nothing*.rnx",), "no observation file matches 'nothing*.rnx'"),
        (("{obs}", "--nav", "none*.rnx"), "no navigation file matches 'none*.rnx'"),
        (("{obs}", "--products", "none*.sp3"), "no product file matches 'none*.sp3'"),
        (
            ("{obs}", "--task", "fly"),
            "unknown task 'fly'; known: ppp (precise point positioning); qc (observation quality control); "
            "rtk (relative positioning (RTK/PPK) against a base station); spp (single point positioning)",
        ),
        (("{obs}", "--workers", "-1"), "--workers must be within 0 .. "),
        (
            ("{obs}", "--start-method", "clone"),
            "--start-method clone: expected one of fork, spawn, forkserver",
        ),
        (("{obs}", "--set", "elmask_deg"), "--set needs OPTION=VALUE"),
        (("{obs}", "--set", "elmask_deg=95"), "must be below 90.0 deg"),
        (("{obs}", "--set", "wings=2"), "unknown option 'wings'"),
        (("{obs}", "--config", "{tmp}/none.toml"), "cannot read the configuration"),
        (("{obs}", "--stations", "{tmp}/none.toml"), "cannot read the station list"),
        (("{obs}", "--out", "{obs}"), "exists and is not a folder"),
        (("{obs}", "--with", "antex={obs}"), "--with antex: task spp reads no such file (roles: ionex)"),
        (("{obs}", "--task", "ppp", "--with", "blq"), "--with needs ROLE=FILE"),
        (("{obs}", "--task", "ppp", "--with", "blq={tmp}/none.blq"), "no blq file matches"),
        # a file for every unit of the wrong kind: once, before any unit (each unit failed on it)
        (("{obs}", "--task", "ppp", "--with", "antex={obs}"), "_30S_MO.rnx: not an ANTEX file ("),
        (
            ("{obs}", "--task", "ppp", "--with", "antex={tmp}/orb/o.sp3"),
            "o.sp3: an SP3 file, not an ANTEX file",
        ),
    ],
)
def test_user_errors_exit_2(capsys, files, argv, message):
    tmp, obs = files
    argv = [a.format(obs=obs, tmp=tmp) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp / "out")]
    rc, _, err = _run(capsys, *argv)
    assert rc == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_nothing_planned_exits_1(capsys, files):
    tmp, obs = files
    rc, _, err = _run(capsys, str(obs), "--out", str(tmp / "out"), "--workers", "0")
    assert rc == 1 and "no unit planned (no nav file for 2020-06-25)" in err


def test_dump_config_is_the_task_options(capsys):
    rc, out, _ = _run(capsys, "--task", "spp", "--dump-config", "--set", "systems=C,R")
    assert rc == 0 and 'systems = "RC"' in out and "elmask_deg = 10.0" in out


def test_help_says_what_each_option_is(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # one line per option: argparse wraps at hyphens too
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for line in (
        "--task TASK what to compute per station-day: spp, qc, ppp, rtk (default: spp)",
        "--out DIR output folder (created; a rerun resumes in it)",
        "--join-sessions a station's observation files of one day (15-minute, hourly) are one unit, read as "
        "one session; default: each file is a unit",
        "base= (rtk: base observation files; each rover gets the files of the base station overlapping its "
        "session the most, every one that overlaps it, read as one session)",
        "--start-method METHOD how the local cluster starts its workers: fork, spawn or "
        "forkserver (default: fork on Linux when no other thread runs, spawn otherwise)",
        "--config TOML the task's options (kompas batch --task T --dump-config)",
        "--dump-config print the task's effective options as TOML",
        "--no-progress no progress bar",
    ):
        assert line in text, line


def test_failed_units_say_why_as_the_single_file_commands_do():
    """A unit's message: a kompas error's text and a file error's file and reason, without Python's class
    names; the table shows the file's name (the path stays in the summary) and the reason after it."""
    from kompas.batch.execute import failure_reason
    from kompas.cli.batch import _fmt_row
    from kompas.errors import FormatError

    bad = FormatError("/data/x/ESBC.rnx.gz", None, "cannot decompress gz data")
    assert failure_reason(bad) == str(bad) and not str(bad).startswith("FormatError")
    gone = FileNotFoundError(2, "No such file or directory", "/data/x/ESBC.rnx")
    assert failure_reason(gone) == "/data/x/ESBC.rnx: No such file or directory"
    assert failure_reason(ValueError("odd")) == "ValueError: odd"  # unexpected: its kind helps a report
    row = {"station": "ESBC00DNK", "day": "2020-06-25", "session": "0000-01D", "status": "failed",
           "action": "ran", "message": f"{'/very/long/folder' * 4}/ESBC00DNK_R_20201770000_01D_30S_MO.rnx.gz: "
           "cannot decompress gz data"}  # fmt: skip
    assert _fmt_row(row).endswith("ESBC00DNK_R_20201770000_01D_30S_MO.rnx.gz: cannot decompress gz data")
    # only an absolute path's folders go: options and fractions stay whole, a relative path too
    row["message"] = "no epoch in the window (--start/--end/--interval); 121/240 of data/a.rnx (/d/e/f.rnx)"
    assert _fmt_row(row).endswith(
        "no epoch in the window (--start/--end/--interval); 121/240 of data/a.rnx (f.rnx)"
    )
