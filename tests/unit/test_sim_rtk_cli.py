"""The simulator's own two-receiver files through ``kompas rtk`` (the user's path, with files on disk).

Two bugs lived on this path only: the simulator writes ``GLONASS COD/PHS/BIS`` with blank values (unknown),
which the reader keeps as NaN and which became a NaN prior of the GLONASS inter-frequency bias state (no
epoch fixed with GLONASS in the mix); and ``--truth truth.json`` compared the rover with the base's position.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from kompas.cli.main import main
from kompas.cli.spp import _truth_file
from kompas.errors import ConfigError


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    out = tmp_path_factory.mktemp("simpair")
    assert (
        main(["sim", "--hours", "0.25", "--base-offset", "100", "50", "2", "--seed", "5", "--out", str(out)])
        == 0
    )
    return out


def test_rtk_of_the_simulators_files_fixes_with_every_system(pair, tmp_path, capsys):
    truth = json.loads((pair / "truth.json").read_text())
    base = next(r["ecef_m"] for r in truth["receivers"] if r["role"] == "base")
    capsys.readouterr()
    rc = main([
        "rtk", str(pair / "ROV00XXX_S_sim_MO.rnx"), str(pair / "SIM00XXX_S_sim_MO.rnx"),
        str(pair / "SIM00XXX_S_sim_MN.rnx"), "--base-pos", *map(str, base), "--truth", str(pair / "truth.json"),
        "-o", str(tmp_path / "r.pos"),
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0
    assert "epochs   30: 30 fixed" in out
    assert "correct fixes 100.0 %, wrong fixes 0.0 %" in out


def test_truth_file_of_a_pair_gives_the_receiver_of_the_file(pair):
    truth = json.loads((pair / "truth.json").read_text())
    pos = {r["role"]: np.asarray(r["ecef_m"]) for r in truth["receivers"]}
    np.testing.assert_array_equal(
        _truth_file(pair / "truth.json", str(pair / "ROV00XXX_S_sim_MO.rnx")), pos["rover"]
    )
    np.testing.assert_array_equal(
        _truth_file(pair / "truth.json", str(pair / "SIM00XXX_S_sim_MO.rnx")), pos["base"]
    )
    with pytest.raises(ConfigError, match="is neither: give --truth X Y Z"):
        _truth_file(pair / "truth.json", "other.rnx")


@pytest.mark.parametrize("key", ["marker_ecef_m", "position_ecef_m", "truth_ecef_m", "ecef_m"])
def test_truth_file_keys_of_one_position(tmp_path, key):
    xyz = [4075580.3, 931854.1, 4801568.3]
    (tmp_path / "t.json").write_text(json.dumps({key: xyz}))
    np.testing.assert_array_equal(_truth_file(tmp_path / "t.json"), xyz)
    (tmp_path / "bad.json").write_text(json.dumps({key: xyz[:2]}))
    with pytest.raises(ConfigError, match=f"bad.json: {key} is not three numbers X, Y, Z in metres$"):
        _truth_file(tmp_path / "bad.json")


def test_truth_file_of_stations_names_them_when_none_is_the_file(tmp_path):
    doc = {"a": {"id": "WTZR00DEU", "marker_ecef_m": [4075580.3, 931854.1, 4801568.3]}}
    (tmp_path / "s.json").write_text(json.dumps(doc))
    np.testing.assert_array_equal(_truth_file(tmp_path / "s.json", "wtzr1770.20o"), doc["a"]["marker_ecef_m"])
    with pytest.raises(
        ConfigError, match="the truth of WTZR00DEU; pasa1200.26o is none of them: give --truth X Y Z$"
    ):
        _truth_file(tmp_path / "s.json", "/d/pasa1200.26o")


def test_rtk_reads_the_antex_blocks_of_its_two_receivers_alone(pair, tmp_path, monkeypatch, capsys):
    """kompas rtk reads, of the receivers in an ANTEX file, the antennas of the rover and base headers
    (an IGS file holds hundreds; BENCHMARKS.md: 1.5 s for 16 MB whole, 0.16 s for two)."""
    import kompas
    from kompas.io.readers.rinex_obs import read_obs

    calls = []
    monkeypatch.setattr(kompas, "read_antex", lambda path, **kw: calls.append((path, kw)))
    (tmp_path / "any.atx").write_text("not read: the reader is replaced\n")  # the command checks it exists
    truth = json.loads((pair / "truth.json").read_text())
    base = next(r["ecef_m"] for r in truth["receivers"] if r["role"] == "base")
    rover_file, base_file = pair / "ROV00XXX_S_sim_MO.rnx", pair / "SIM00XXX_S_sim_MO.rnx"
    rc = main([
        "rtk", str(rover_file), str(base_file), str(pair / "SIM00XXX_S_sim_MN.rnx"), "--base-pos", *map(str, base),
        "--atx", str(tmp_path / "any.atx"), "-o", str(tmp_path / "r.pos"),
    ])  # fmt: skip
    capsys.readouterr()
    assert rc == 0
    types = [read_obs(rover_file).station.antenna_type, read_obs(base_file).station.antenna_type]
    assert calls == [(str(tmp_path / "any.atx"), {"receivers": types})]
