"""The command line: help, version, error reporting."""

import os
import shutil
import subprocess
import sys

import pytest

import kompas
from kompas.cli.main import main


def test_no_arguments_prints_help_and_exits_0(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kompas [-h] [--version] COMMAND ...\n")
    assert "\ncommands:\n  COMMAND\n    demo      run the built-in demo" in out
    commands = out.split("\ncommands:\n  COMMAND\n")[1].splitlines()
    listed = [ln.split()[0] for ln in commands if ln.startswith("    ") and not ln.startswith("     ")]
    assert listed == ["demo", "spp", "rtk", "ppp", "sim", "info", "orbits", "qc", "monitor", "batch"]


@pytest.mark.parametrize(
    ("command", "fragments"),
    [
        ("rtk", ["[ROVER] [BASE] [NAV ...]", "[--base-pos X Y Z | header | spp [X Y Z | header | spp ...]]",
                 "[--atx ANTEX]", "[--sp3 FILE [FILE ...]]", "[--clk FILE [FILE ...]]",
                 "[--truth X Y Z | FILE [X Y Z | FILE ...]]", "[-o FILE]"]),
        ("ppp", ["[OBS] [NAV ...]", "[--sp3 FILE [FILE ...]]", "[--clk FILE [FILE ...]]", "[--atx FILE]",
                 "[--sat-table FILE [FILE ...]]", "[--truth X Y Z | FILE [X Y Z | FILE ...]]", "[-o FILE]"]),
        ("qc", ["[OBS [NAV...] ...]", "[--nav NAV]", "[--config TOML]", "[--json FILE]", "[--csv DIR]",
                "[--html DIR]"]),
        ("monitor", ["[--precise SP3 [SP3 ...]] [--clk CLK [CLK ...]] [--atx ATX [ATX ...]]",
                     "[--satmeta TABLE [TABLE ...]] [--obs OBS [OBS ...]] [--sinex SNX] --out DIR [--config TOML]",
                     "NAV [NAV ...]"]),
        ("spp", ["[--ionex FILE [FILE ...]] [--met FILE] [--truth X Y Z | FILE [X Y Z | FILE ...]] [-o FILE]",
                 "[OBS] [NAV ...]"]),
        ("orbits", ["--precise SP3 [SP3 ...] [--clk [CLK ...]] [--atx [ATX ...]] [--csv FILE] [--plot PNG]",
                    "NAV [NAV ...]"]),
        ("info", ["[--strict] FILE [FILE ...]"]),
        ("sim", ["[--lat DEG] [--lon DEG] [--height M]", "[--nav REAL_NAV_FILE] [--seed SEED] --out DIR [--base-offset E N U]",
                 "[--clock-jumps PER_H] [--gaps PER_H] [--outages PER_H] [--products]"]),
        ("batch", ["[--task TASK] [--nav NAV [NAV ...]] [--products FILE [FILE ...]] [--with ROLE=FILE]",
                   "[--workers N | --scheduler ADDR]", "[INPUT ...]"]),
        ("demo", ["[--out DIR] [--seed SEED]"]),
    ],
)  # fmt: skip
def test_usage_names_the_arguments_as_the_docs_do(command, fragments, capsys):
    # the usage line is what users and scripts read the argument order from (README, issue texts)
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    usage = " ".join(out.split("\n\n")[0].split())
    assert usage.startswith(f"usage: kompas {command} [-h]")
    for fragment in fragments:
        assert fragment in usage, fragment
    assert out.split("\n\n")[1].startswith(f"kompas {command}")  # the description, without markup
    assert "``" not in out


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["sim", "--out", "x", "--errors", "foo"],
         "kompas sim: error: argument --errors: invalid choice: 'foo' (choose from 'none', 'default') "
         "(see kompas sim --help)"),
        (["orbits", "nav.rnx"],
         "kompas orbits: error: the following arguments are required: --precise (see kompas orbits --help)"),
        (["demo", "--seed", "abc"], "kompas demo: error: argument --seed: invalid int value: 'abc' (see kompas demo --help)"),
        (["spp", "--bogus", "-x"], "kompas spp: error: unrecognized arguments: --bogus -x (see kompas spp --help)"),
        (["--bogus"], "kompas: error: unrecognized arguments: --bogus (see kompas --help)"),
    ],
)  # fmt: skip
def test_argument_errors_are_one_line_named_after_the_command(capsys, argv, line):
    """argparse's own errors (bad choice, missing option, unknown argument): one line, exit 2, no usage."""
    try:
        rc = main(argv)
    except SystemExit as exc:
        rc = exc.code
    assert rc == 2
    assert capsys.readouterr().err.splitlines() == [line]


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:  # argparse's version action always exits
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"kompas {kompas.__version__}"


def test_console_script_runs():
    exe = shutil.which("kompas")
    cmd = [exe] if exe else [sys.executable, "-m", "kompas"]
    res = subprocess.run([*cmd, "--version"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    assert res.stdout.startswith("kompas ")
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and "usage: kompas" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed=-1"], "--seed must be within 0 .. 4294967295, not -1"),
        (["--products", "--sp3-interval", "0"], "--sp3-interval must be within 1 .. 3600 s, not 0.0"),
        (["--products", "--clk-interval", "-1"], "--clk-interval must be within 0.01 .. 3600 s"),
        (["--gaps", "1e9"], "--gaps must be within 0 .. 60 per h"),
        (["--height", "1e9"], "--height must be within -500 .. 100000 m"),
        (["--elmask", "90"], "--elmask must be within 0 .. 89 deg"),
        (["--lat", "91"], "--lat must be within -90 .. 90 deg"),
        (["--hours", "1e6"], "--hours must be within 0.001 .. 168 h"),
        (["--interval", "nan"], "--interval must be within 0.01 .. 3600 s, not nan"),
        (["--base-offset", "1e8", "0", "0"], "--base-offset must be a baseline of at most 1000 km"),
        (["--start", "2025-01-01T00:00:00+08:00"], "--start is GPS time without a time zone"),
    ],
)
def test_sim_options_out_of_range_are_refused_before_any_work(tmp_path, capsys, args, message):
    out = tmp_path / "sim"
    assert main(["sim", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"kompas sim: error: {message}"] if message.endswith("not -1") else message in err[-1]
    assert len(err) == 1 and not out.exists()


def test_sim_that_sees_no_satellite_exits_1(tmp_path, capsys):
    assert (
        main(["sim", "--out", str(tmp_path / "s"), "--hours", "0.05", "--elmask", "89", "--systems", "R"])
        == 1
    )
    assert "kompas sim: no satellite of R above the 89 deg mask at any epoch" in capsys.readouterr().err


def test_demo_and_info_path_errors_are_one_line(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("x")
    for args, code, message in (
        (["demo", "--out", str(afile)], 2, f"--out {afile}: exists and is not a folder"),
        (["demo", "--out", str(tmp_path / "d"), "--seed=-3"], 2, "--seed must be within 0 .. 4294967295"),
        (["info", str(tmp_path / "missing.rnx")], 2, "missing.rnx: No such file or directory"),
        (["info", str(tmp_path)], 2, ": Is a directory"),
    ):
        assert main(args) == code
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"kompas {args[0]}: error: ") and message in err[0], err
    assert not (tmp_path / "d").exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_a_full_disk_is_one_line_and_exit_1(tmp_path, capsys):
    assert main(["sim", "--out", str(tmp_path / "s"), "--hours", "0.05", "--systems", "G"]) == 0
    capsys.readouterr()
    assert main(["qc", "-q", str(tmp_path / "s" / "SIM00XXX_S_sim_MO.rnx"), "--json", "/dev/full"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "kompas qc: error: No space left on device"


def test_ctrl_c_is_one_line_and_exit_130(capsys, monkeypatch):
    """An interrupted command (Ctrl-C in a long batch) says so in one line, not a traceback."""
    import kompas.cli.info

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(kompas.cli.info, "run", interrupted)
    assert main(["info", "whatever.rnx"]) == 130
    assert capsys.readouterr().err == "kompas info: interrupted\n"


def test_kompas_warnings_are_one_line_and_others_go_to_pythons_printer(capsys, monkeypatch):
    import io
    import warnings

    from kompas.cli.main import _warning_printer
    from kompas.errors import KompasWarning

    seen = []
    monkeypatch.setattr(warnings, "showwarning", lambda *a: seen.append(a))  # Python's, when kompas starts
    show = _warning_printer("spp")
    show(KompasWarning("a gap"), KompasWarning, "/x/y.py", 12)
    assert capsys.readouterr().err == "kompas spp: warning: a gap\n" and seen == []
    other, sink = UserWarning("careful"), io.StringIO()
    show(other, UserWarning, "/x/y.py", 12, sink, "code line")
    assert seen == [(other, UserWarning, "/x/y.py", 12, sink, "code line")]  # every argument passed on


def test_monitor_progress_bar(capsys):
    from kompas.cli.monitor import _progress

    _progress(5, 10)
    assert capsys.readouterr().err == "\r  grid [" + "#" * 15 + "." * 15 + "] 5/10 epochs"
    _progress(10, 10)
    assert capsys.readouterr().err == "\r  grid [" + "#" * 30 + "] 10/10 epochs\n"
    _progress(0, 0)  # no epoch at all: an empty bar, finished
    assert capsys.readouterr().err == "\r  grid [" + "." * 30 + "] 0/0 epochs\n"


def test_demo_command_options_and_what_it_prints(tmp_path, monkeypatch, capsys):
    """kompas demo hands its options to kompas.demo.run_demo (stood in for here) and prints the result."""
    import kompas.demo

    seen = []

    def run_demo(out, seed=0):
        seen.append((out, seed))
        return {"rows": [], "files": ["a.rnx", "report.html"], "seconds": 1.25}

    monkeypatch.setattr(kompas.demo, "run_demo", run_demo)
    out = str(tmp_path / "d")
    assert main(["demo", "--out", out, "--seed", "7"]) == 0
    assert seen == [(out, 7)]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "kompas demo -- SIMULATED data (kompas.sim), not measurements"
    assert lines[-3:] == [
        "(errors in metres against the simulated true position)",
        f"wrote {out}/: a.rnx, report.html",
        f"open {out}/report.html for the figures; 1.2 s",
    ]
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0 and seen[-1] == ("kompas-demo", 0)  # the defaults
    assert main(["demo", "--out", ""]) == 2
    assert capsys.readouterr().err.strip() == "kompas demo: error: --out needs a folder name"
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "--out DIR output folder (default kompas-demo)" in text
        and "--seed SEED random seed of the simulation" in text
    )


@pytest.mark.skipif(
    not os.path.exists("/dev/full"), reason="needs Linux's /dev/full (a device that is always full)"
)
def test_a_failing_write_names_the_output(tmp_path, capsys):
    """A full disk: one line naming the file (its OSError carries no file name of its own), exit 1."""
    from kompas.io.writers._sink import write_bytes, write_text

    for write, data in ((write_text, "x" * 10000), (write_bytes, b"x" * 10000)):
        with pytest.raises(OSError, match="No space left on device") as err:
            write("/dev/full", data)
        assert err.value.filename == "/dev/full"
    sim = tmp_path / "s"
    assert main(["sim", "--out", str(sim), "--hours", "0.05", "--systems", "G"]) == 0
    capsys.readouterr()
    obs, nav = sim / "SIM00XXX_S_sim_MO.rnx", sim / "SIM00XXX_S_sim_MN.rnx"
    assert main(["spp", str(obs), str(nav), "-o", "/dev/full", "--format", "pos"]) == 1
    assert (
        capsys.readouterr().err.strip().splitlines()[-1]
        == "kompas spp: error: /dev/full: No space left on device"
    )


def test_output_into_a_closed_pipe_ends_quietly_with_exit_0(tmp_path, monkeypatch):
    """``kompas ... | head -1``: once the reader has gone, writing raises BrokenPipeError; kompas stops quietly
    (stderr closed, so that Python's exit does not report the unflushed stdout) with exit status 0."""
    import io

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    out = tmp_path / "s"
    assert main(["sim", "--out", str(out), "--hours", "0.05", "--systems", "G"]) == 0
    err = io.StringIO()
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["info", str(out / "SIM00XXX_S_sim_MN.rnx")]) == 0
    assert err.closed
