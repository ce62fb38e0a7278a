"""Start-up of ``import kompas`` and the ``kompas`` command: each imports only what it uses, and the lazy
public names are the same objects as kompas.api's."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kompas

SMALL_OBS = """\
     3.04           OBSERVATION DATA    M                   RINEX VERSION / TYPE
hand                kompas              20250301 000000 UTC PGM / RUN BY / DATE
TEST                                                        MARKER NAME
  4644908.9870  -156644.9371  4353623.1586                  APPROX POSITION XYZ
        0.1000        0.0000        0.0000                  ANTENNA: DELTA H/E/N
G    2 C1C L1C                                              SYS / # / OBS TYPES
    30.000                                                  INTERVAL
  2025     3     1     6     0    0.0000000     GPS         TIME OF FIRST OBS
                                                            END OF HEADER
> 2025 03 01 06 00  0.0000000  0  2
G05  21000001.234   110356789.123
G12  22000001.234   115611110.500
"""

# what a solver, QC or a plot brings in: none of it is needed to read a file or to print a parser's help
SOLVERS = ["kompas.rtk", "kompas.rtk_run", "kompas.spp", "kompas.ppp", "kompas.ppp_model", "kompas.qc",
           "kompas.monitor", "kompas.estimators", "kompas.api"]  # fmt: skip
OPTIONAL = ["matplotlib", "scipy", "numba", "pandas", "pyarrow", "dask", "threadpoolctl"]


def _child(code: str) -> dict:
    """Runs ``code`` in a fresh interpreter; it leaves its result in ``out``, printed as JSON with the
    modules imported."""
    script = (
        "import json, sys\nout = None\n"
        + code
        + "\nprint(json.dumps({'out': out, 'modules': sorted(sys.modules)}))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(kompas.__file__).parents[1]))
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.splitlines()[-1])


def _command(args: list[str]) -> dict:
    """The ``kompas`` command run in a fresh interpreter (its output discarded)."""
    return _child(
        "import contextlib, io\nfrom kompas.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        out = main({args!r})\n"
        "    except SystemExit as exc:\n"
        "        out = exc.code\n"
    )


def _loaded(modules: list[str], names: list[str]) -> list[str]:
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


def test_import_kompas_imports_no_reader_solver_or_numpy():
    modules = _child("import kompas")["modules"]
    # the version is looked up in the installed metadata when asked for, not at import
    assert "importlib.metadata" not in modules
    assert [m for m in modules if m.startswith("kompas")] == ["kompas"]
    assert _loaded(modules, ["numpy", *OPTIONAL]) == []


def test_version_imports_no_numpy():
    res = _command(["--version"])
    assert res["out"] == 0
    assert _loaded(res["modules"], ["numpy", *SOLVERS, *OPTIONAL]) == []
    assert not [m for m in res["modules"] if m.startswith("kompas.cli.") and m != "kompas.cli.main"]


def test_info_imports_the_reader_only(tmp_path):
    path = tmp_path / "small.rnx"
    path.write_text(SMALL_OBS)
    res = _command(["info", str(path)])
    assert res["out"] == 0
    assert "kompas.io.readers.rinex_obs" in res["modules"]
    # the navigation and met tables are for other files
    assert _loaded(res["modules"], [*SOLVERS, *OPTIONAL, "kompas.tables.nav", "kompas.tables.met"]) == []
    assert [m for m in res["modules"] if m.startswith("kompas.cli.")] == [
        "kompas.cli.info",
        "kompas.cli.main",
    ]


@pytest.mark.parametrize("command", ["rtk", "spp"])
def test_solver_help_imports_no_other_command(command):
    res = _command([command, "--help"])
    assert res["out"] == 0
    others = [s for s in SOLVERS if s not in ("kompas.rtk", "kompas.spp", "kompas.estimators")]
    assert _loaded(res["modules"], [*others, *OPTIONAL]) == []
    cli = [m for m in res["modules"] if m.startswith("kompas.cli.")]
    assert cli == sorted(
        {"kompas.cli.main", f"kompas.cli.{command}", "kompas.cli.spp", "kompas.cli.obs_inputs"}
    )


def test_top_level_help_still_lists_every_command():
    res = _command(["--help"])
    assert res["out"] == 0
    cli = {m for m in res["modules"] if m.startswith("kompas.cli.")}
    commands = {"demo", "spp", "rtk", "ppp", "sim", "info", "orbits", "qc", "monitor", "batch"}
    assert {f"kompas.cli.{c}" for c in commands} <= cli


def test_public_names_are_those_of_kompas_api():
    """Each name resolved on first access (in a fresh interpreter, before anything loaded kompas.api) is the
    object kompas.api exports."""
    res = _child(
        "import kompas\n"
        "names = list(kompas.__all__)\n"
        "got = {n: getattr(kompas, n) for n in names}\n"
        "import kompas.api\n"
        "out = [names == kompas.api.__all__, [n for n in names if got[n] is not getattr(kompas.api, n)]]"
    )["out"]
    assert res == [True, []]


def test_star_import_and_dir_are_as_with_the_eager_import():
    """dir(kompas) is what it was when kompas imported kompas.api eagerly: the public names, the submodules
    that import brought in, and the module's own attributes, without the lazy machinery's helpers."""
    res = _child(
        "import kompas\n"
        "names = dir(kompas)\n"
        "subs = sorted({m.split('.')[1] for m in sys.modules if m.startswith('kompas.') and m.count('.') == 1})\n"
        "ns = {}\n"
        "exec('from kompas import *', ns)\n"
        "import kompas.api\n"
        "same = [n for n in kompas.api.__all__ if ns.get(n) is getattr(kompas.api, n)]\n"
        "out = {'dir': names, 'subs': subs, 'all': kompas.__all__, 'star': same}"
    )["out"]
    own = ["__all__", "__builtins__", "__cached__", "__doc__", "__file__", "__getattr__", "__loader__",
           "__name__", "__package__", "__path__", "__spec__"]  # fmt: skip
    assert res["dir"] == sorted({*own, *res["all"], *res["subs"]})
    assert res["star"] == res["all"]
    assert {"io", "satsys", "tables", "api"} <= set(res["subs"])


def test_functions_keep_the_names_of_their_modules():
    """kompas.rtk, kompas.spp and kompas.ppp are the functions even after their modules were imported (as a
    subcommand does), and the submodules reachable as attributes before stay reachable."""
    res = _child(
        "import kompas.rtk, kompas.spp, kompas.ppp\n"
        "import kompas\n"
        "from kompas import rtk\n"
        "out = [type(kompas.rtk).__name__, type(kompas.spp).__name__, type(kompas.ppp).__name__,\n"
        "       type(rtk).__name__, kompas.rtk is sys.modules['kompas.rtk'].rtk, kompas.satsys.__name__]"
    )["out"]
    assert res == ["function", "function", "function", "function", True, "kompas.satsys"]


def test_submodules_the_eager_import_bound_are_attributes_after_import_kompas_alone():
    """``import kompas; kompas.satsys.sat_id(...)``, ``kompas.io.readers``: attributes the eager import of
    kompas.api made, still reachable in a fresh interpreter that imported nothing else."""
    got = _child(
        "import kompas\n"
        "out = [kompas.satsys.sat_id(kompas.satsys.sat_index('C19')), hasattr(kompas, 'io'),\n"
        "       callable(kompas.io.readers.rinex_obs.read_obs)]"
    )
    assert got["out"] == ["C19", True, True]


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        kompas.no_such_name  # noqa: B018
    with pytest.raises(AttributeError):
        kompas.__no_such_dunder__  # noqa: B018


def test_table_names_are_those_of_their_modules():
    """kompas.tables resolves its names on first use too: each is its module's object, none is missing."""
    res = _child(
        "import importlib, kompas.tables as t\n"
        "bad = [n for n in t.__all__ if getattr(t, n) is not getattr(importlib.import_module(\n"
        "    'kompas.tables.' + t._MODULES[n]), n)]\n"
        "ns = {}\n"
        "exec('from kompas.tables import *', ns)\n"
        "out = [sorted(t.__all__) == sorted(t._MODULES), bad, sorted(set(t.__all__) - set(ns))]"
    )["out"]
    assert res == [True, [], []]


def test_forked_batch_workers_start_with_the_solvers_imported():
    """A forked local cluster's workers inherit kompas.api's modules (readers, solvers) from the batch process,
    as when import kompas loaded them all: their first unit does not import them again."""
    pytest.importorskip("distributed")
    if not sys.platform.startswith("linux"):
        pytest.skip("workers are forked on Linux only")
    res = _child(
        "from kompas.batch.execute import _client\n"
        "def probe():\n"
        "    import sys\n"
        "    return [m in sys.modules for m in ('kompas.api', 'kompas.io.readers.rinex_obs', 'kompas.ppp_model')]\n"
        "with _client(1, None, 'fork') as client:\n"
        "    out = list(client.run(probe).values())"
    )
    assert res["out"] == [[True, True, True]]


def test_table_submodules_stay_attributes_and_dir_hides_the_machinery():
    """kompas.tables' modules are its attributes as when kompas.tables imported them eagerly (kompas.tables.nav
    before anything imported it), and dir(kompas.tables) is what it was: no lazy helpers, the modules listed."""
    res = _child(
        "import kompas.tables.obs\n"
        "import kompas.tables as t\n"
        "names = dir(t)\n"
        "mods = [getattr(t, m).__name__ for m in ('met', 'nav', 'obs', 'observables', 'satellites', 'station')]\n"
        "out = {'dir': names, 'mods': mods, 'all': t.__all__, 'gpt3': hasattr(t, 'gpt3'), 'x': hasattr(t, 'x')}"
    )["out"]
    own = ["__all__", "__builtins__", "__cached__", "__doc__", "__file__", "__loader__", "__name__",
           "__package__", "__path__", "__spec__"]  # fmt: skip
    subs = ["met", "nav", "obs", "observables", "satellites", "station"]
    assert res["mods"] == [f"kompas.tables.{m}" for m in subs]
    assert res["dir"] == sorted({*own, *res["all"], *subs})
    assert [res["gpt3"], res["x"]] == [False, False]  # neither was an attribute before an import


def test_another_module_assigned_to_a_public_name_is_bound():
    """Only the import system's binding of kompas.rtk (the module) to kompas is ignored: a module assigned
    by hand (a test's stand-in) replaces the function, as it did."""
    res = _child(
        "import types, kompas, kompas.spp\n"
        "stub = types.ModuleType('stub')\n"
        "kompas.spp = stub\n"
        "out = [kompas.spp is stub, type(kompas.rtk).__name__]"
    )["out"]
    assert res == [True, "function"]
