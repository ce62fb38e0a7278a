"""The command line: help, version, error reporting."""

import shutil
import subprocess
import sys

import pytest

import kompas
from kompas.cli.main import main


def test_no_arguments_prints_help_and_exits_0(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "usage: kompas" in out


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
