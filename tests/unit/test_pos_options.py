"""The .pos options reach the file: every option of write_pos, and the --format and --coords help of the
solving commands."""

import re

import numpy as np
import pytest

import kompas
from kompas.cli.main import main
from kompas.errors import ConfigError
from kompas.io.readers.pos import read_pos_table
from kompas.io.writers.pos import format_pos, write_pos
from kompas.sim import simulate

JAKARTA = np.array([-1836972.0, 6065616.0, -716256.0])


@pytest.fixture(scope="module")
def sol():
    t0 = int(kompas.gtime_from_calendar(2024, 3, 1))
    sim = simulate(JAKARTA, t0, hours=0.05, interval_s=30.0, errors="none", seed=5)
    return kompas.spp(sim.obs, sim.nav)


def test_write_pos_passes_every_option_on(sol, tmp_path):
    n = len(sol)
    options = dict(coords="enu", ref_m=JAKARTA + 10.0, time_format="tow", decimals=1, age_s=np.full(n, 1.5),
                   ratio=np.full(n, 7.0), header=True)  # fmt: skip
    write_pos(sol, tmp_path / "a.pos", crlf=False, **options)
    text = (tmp_path / "a.pos").read_bytes().decode()  # bytes: the line ends as written
    assert text == format_pos(sol, crlf=False, **options)
    assert text != format_pos(sol, crlf=False, **{**options, "ref_m": JAKARTA})
    body = [ln for ln in text.splitlines() if not ln.startswith("%")]
    assert (
        len(body) == n
        and body[0].split()[-2:] == ["1.50", "7.0"]
        and len(body[0].split()[1].split(".")[1]) == 1
    )
    write_pos(sol, tmp_path / "b.pos", coords="xyz")
    rows = [ln for ln in (tmp_path / "b.pos").read_bytes().split(b"\n") if ln and not ln.startswith(b"%")]
    assert len(rows) == n and all(ln.endswith(b"\r") for ln in rows)  # RTKLIB's CR LF on the solution lines
    with pytest.raises(ConfigError, match="needs a reference point .*, not \\[\\[1.0, 2.0, 3.0\\]\\]"):
        format_pos(sol, coords="enu", ref_m=[[1.0, 2.0, 3.0]])
    with pytest.raises(ConfigError, match="^coords must be 'llh', 'xyz' or 'enu', not 'neu'$"):
        format_pos(sol, coords="neu")


@pytest.mark.parametrize(
    ("command", "coords"),
    [("spp", "{llh,xyz} .pos coordinates: latitude, longitude and height (llh), ECEF X Y Z (xyz) (default: llh; "
      "RTKLIB out-solformat)"),
     ("ppp", "{llh,xyz} .pos coordinates: latitude, longitude and height (llh), ECEF X Y Z (xyz) (default: llh; "
      "RTKLIB out-solformat)"),
     ("rtk", "{llh,xyz,enu} .pos coordinates: latitude, longitude and height (llh), ECEF X Y Z (xyz), or the "
      "east/north/up baseline from the base (enu) (default: xyz; RTKLIB out-solformat)")],
)  # fmt: skip
def test_the_help_of_format_and_coords(command, coords, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # argparse's help in one line per option
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--format {pos,nmea,csv,parquet,kml,gpx} output format (default: from the extension)" in text
    assert f"--coords {coords}" in text


def test_format_and_coords_take_only_their_choices(capsys, tmp_path):
    out = str(tmp_path / "x.pos")
    for command, bad, said in (("spp", ["--format", "xyz"], "argument --format: invalid choice: 'xyz'"),
                               ("spp", ["--coords", "enu"], "argument --coords: invalid choice: 'enu'"),
                               ("rtk", ["--coords", "neu"], "argument --coords: invalid choice: 'neu'")):  # fmt: skip
        with pytest.raises(SystemExit) as stop:
            main([command, "a.rnx", "b.rnx", "c.rnx", "-o", out, *bad])
        assert stop.value.code == 2 and said in capsys.readouterr().err


def _simulated(tmp_path, hours):
    """Rover and base observation files and the navigation file of ``kompas sim`` (GPS, a 112 m baseline)."""
    sim = tmp_path / "sim"
    assert main(["sim", "--out", str(sim), "--hours", str(hours), "--systems", "G", "--base-offset", "100", "50",
                 "0"]) == 0  # fmt: skip
    return [str(sim / f"{name}_S_sim_{kind}.rnx") for name, kind in (("ROV00XXX", "MO"), ("SIM00XXX", "MO"),
                                                                    ("SIM00XXX", "MN"))]  # fmt: skip


def test_time_writes_utc_and_week_tow_pos_files(tmp_path, capsys):
    rover, base, nav = _simulated(tmp_path, 0.05)
    runs = {"spp": ["spp", base, nav], "rtk": ["rtk", rover, base, nav]}
    for command, args in runs.items():
        tables = {}
        for time in (None, "gpst", "utc", "tow"):
            out = tmp_path / f"{command}_{time}.pos"
            assert main([*args, "-o", str(out), *(["--time", time] if time else [])]) == 0
            tables[time] = read_pos_table(out)
            body = [ln for ln in out.read_text().splitlines() if not ln.startswith("%")]
            # RTKLIB's columns: yyyy/mm/dd hh:mm:ss.sss, or the GPS week and the time of week (s)
            assert len(body[0].split()[0]) == (4 if time == "tow" else 10), (command, time, body[0])
        capsys.readouterr()
        assert [tables[t]["time_system"] for t in tables] == ["GPST", "GPST", "UTC", "GPST"]
        for t in ("gpst", "utc", "tow"):  # the same epochs however written
            assert np.array_equal(tables[t]["time_ns"], tables[None]["time_ns"]) and tables[t]["time_ns"].size
    # 2024/12/31 23:59:42 UTC is 2025/01/01 00:00:00 GPST (18 leap seconds)
    assert "2024/12/31 23:59:42.000" in (tmp_path / "spp_utc.pos").read_text()


@pytest.mark.parametrize("command", ["spp", "rtk", "ppp"])
def test_time_is_refused_without_a_pos_output(command, tmp_path, capsys):
    rover, base, nav = _simulated(tmp_path, 0.02)
    args = [command, *([rover, base] if command == "rtk" else [base]), nav]
    capsys.readouterr()
    for extra, said in ((["-o", str(tmp_path / "s.nmea")], "not nmea"), ([], "not no output")):
        assert main([*args, "--time", "utc", *extra]) == 2
        assert capsys.readouterr().err.strip().splitlines() == [
            f"kompas {command}: error: --time utc is for .pos output, {said}"
        ]
    assert not (tmp_path / "s.nmea").exists()
    with pytest.raises(SystemExit) as stop:
        main([*args, "-o", str(tmp_path / "x.pos"), "--time", "jst"])
    assert stop.value.code == 2 and "argument --time: invalid choice: 'jst'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["spp", "rtk", "ppp"])
def test_kml_altitude_reaches_the_kml_file_and_is_refused_for_other_outputs(command, tmp_path, capsys):
    from kompas.cli.spp import KML_ALTITUDES
    from kompas.io.writers.kml import _ALTITUDE_MODES

    # the command offers the writer's modes but relativeToGround: kompas has no terrain heights
    assert set(KML_ALTITUDES) == set(_ALTITUDE_MODES) - {"relativeToGround"}
    rover, base, nav = _simulated(tmp_path, 0.02)
    args = [command, *([rover, base] if command == "rtk" else [base]), nav]
    if command == "ppp":  # broadcast orbits: PPP needs no products to write a track
        args += ["--mode", "kinematic"]
    modes = {}
    for mode in (None, "absolute"):
        out = tmp_path / f"{mode}.kml"
        assert main([*args, "-o", str(out), *(["--kml-altitude", mode] if mode else [])]) == 0
        text = out.read_text()
        modes[mode] = set(re.findall(r"<altitudeMode>(\w+)</altitudeMode>", text))
    assert modes == {None: {"clampToGround"}, "absolute": {"absolute"}}
    capsys.readouterr()
    assert main([*args, "--kml-altitude", "absolute", "-o", str(tmp_path / "s.pos")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"kompas {command}: error: --kml-altitude absolute is for .kml output, not pos"]
    assert not (tmp_path / "s.pos").exists()
