"""Every command and Python snippet of the README's tour runs on the shared data (the README stays true).

The tour names files by their bare names; the test runs it in a folder where every shared data file is
linked under its name, as a user who downloaded them would have it.
"""

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from conftest import REPO_ROOT


def _tour():
    text = (REPO_ROOT / "README.md").read_text()
    tour = text[text.index("## A short tour") : text.index("## Dependencies")]
    bash = re.findall(r"```bash\n(.*?)```", tour, flags=re.S)
    python = re.findall(r"```python\n(.*?)```", tour, flags=re.S)
    return bash, python


def _commands(block):
    joined = block.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.split("  #", 1)[0].strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@pytest.fixture(scope="module")
def folder(kompas_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("readme")
    for f in kompas_data.rglob("*"):
        if f.is_file() and not (d / f.name).exists():
            (d / f.name).symlink_to(f)
    return d


def test_tour_has_commands_and_code():
    bash, python = _tour()
    assert len(_commands("".join(bash))) >= 8 and python


def test_every_tour_command_runs(folder):
    exe = shutil.which("kompas")
    if exe is None:
        pytest.skip("the kompas console script is not installed (pip install -e .)")
    env = dict(os.environ, PATH=f"{Path(exe).parent}{os.pathsep}{os.environ['PATH']}", MPLBACKEND="Agg")
    for cmd in _commands("".join(_tour()[0])):
        res = subprocess.run(
            ["bash", "-c", cmd], cwd=folder, capture_output=True, text=True, env=env, timeout=600
        )
        assert res.returncode == 0, f"{cmd}\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}"
        assert "Traceback" not in res.stderr, cmd
    assert (folder / "wtzr.pos").read_text().startswith("% program   : kompas spp")
    assert (folder / "sisre.png").stat().st_size > 1000 and (folder / "spp.toml").read_text().count("=") > 10


def test_every_tour_snippet_runs(folder, monkeypatch):
    monkeypatch.chdir(folder)
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for block in _tour()[1]:
            exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["obs"].n_epochs == 2880 and len(namespace["obs"]) == 432050
    assert namespace["t"].week_tow("BDS") == (755, 345586.0)
    assert len(namespace["back"]) == int(namespace["sol"].ok.sum())
    assert sys.modules["kompas"] is namespace["kompas"]
