"""read_obs_files and iter_obs_files pass their options on (strict, systems), check every header before
any body, count dropped epochs across blocks, and point their warnings at the caller's line."""

import warnings
from dataclasses import replace

import numpy as np
import pytest

import kompas
from kompas import gtime_from_calendar
from kompas.cli.main import main
from kompas.errors import DroppedRecordWarning, FormatError, FormatWarning, RepeatedEpochWarning
from kompas.frames import geodetic_to_ecef
from kompas.io.readers.obs_files import iter_obs_files, plan_obs_files, read_obs_files
from kompas.io.readers.rinex_obs import iter_obs
from kompas.io.writers.rinex_nav import write_nav
from kompas.io.writers.rinex_obs import write_obs
from kompas.satsys import sat_letter, signal_code
from kompas.sim import simulate
from kompas.tables.obs import ObsTable

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    d = tmp_path_factory.mktemp("options")
    start = int(gtime_from_calendar(2025, 3, 1, 6, 0, 0))
    here = geodetic_to_ecef(np.array([np.radians(-6.2), np.radians(106.8), 10.0]))
    sim = simulate(here, start, hours=0.25, interval_s=30.0, systems="GRCE", errors="default", seed=8)
    obs, paths = sim.obs, []
    for i, (a, b) in enumerate(((0, 10), (10, 20), (18, 30))):  # the third repeats two epochs
        write_obs(obs.epochs(a, b), d / f"p{i}.rnx")
        paths.append(d / f"p{i}.rnx")
    write_obs(obs.epochs(0, 10), d / "other.rnx", header=replace(obs.header, marker_name="OTHR"))
    write_nav(sim.nav, d / "nav.rnx")
    (d / "broken_nav.rnx").write_text((d / "nav.rnx").read_text()[:3000] + "\nGARBAGE LINE\n")
    return obs, paths


def _damaged(parts, tmp_path):
    """p0 with an impossible date on its third epoch, p1 with blank lines before its header."""
    _, (p0, p1, _) = parts
    lines = p0.read_text().splitlines(keepends=True)
    third = [i for i, ln in enumerate(lines) if ln.startswith("> ")][2]
    lines[third] = lines[third][:7] + "13" + lines[third][9:]
    (tmp_path / "bad0.rnx").write_text("".join(lines))
    (tmp_path / "bad1.rnx").write_text("\n\n" + p1.read_text())
    return [tmp_path / "bad0.rnx", tmp_path / "bad1.rnx"]


def test_the_default_repairs_and_drops_with_warnings(parts, tmp_path):
    bad = _damaged(parts, tmp_path)
    with pytest.warns(DroppedRecordWarning, match=r"bad0.rnx.*month 13"):
        with pytest.warns(FormatWarning, match="bad1.rnx, line 1: blank lines before the header"):
            joined = read_obs_files(bad)
    assert joined.n_epochs == 19
    with pytest.warns(DroppedRecordWarning), pytest.warns(FormatWarning):
        assert ObsTable.concat(list(iter_obs_files(bad))).n_epochs == 19


def test_strict_refuses_every_header_before_any_body_is_read(parts, tmp_path):
    bad = _damaged(parts, tmp_path)  # the later file's header fails before the earlier file's third epoch
    for read in (read_obs_files, lambda p, **k: list(iter_obs_files(p, **k))):
        with pytest.raises(FormatError, match=r"bad1.rnx, line 1: .*strict"):
            read(bad, strict=True)
    with pytest.raises(FormatError, match=r"bad0.rnx, line \d+: .*strict"):
        read_obs_files(bad[:1], strict=True)


def test_systems_reach_every_file(parts):
    _, paths = parts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepeatedEpochWarning)  # p2's repeated epochs
        for got in (read_obs_files(paths, systems="G"), read_obs_files(paths[:1], systems="G"),
                    ObsTable.concat(list(iter_obs_files(paths, systems="G")))):  # fmt: skip
            assert set(sat_letter(np.unique(got.sat)).tolist()) == {"G"}
        assert set(sat_letter(np.unique(read_obs_files(paths).sat)).tolist()) == {"G", "R", "C", "E"}


def test_dropped_epochs_counted_across_small_blocks(parts, monkeypatch):
    import kompas.io.readers.rinex_obs as rinex_obs

    obs, paths = parts
    monkeypatch.setattr(rinex_obs, "_BLOCK", 2000)  # about one epoch per block
    with pytest.warns(RepeatedEpochWarning, match=r"^2 epoch\(s\) .*: 2 of p2.rnx$"):
        blocks = list(iter_obs_files(paths))
    assert len(blocks) >= 28 and ObsTable.concat(blocks).n_epochs == 30
    np.testing.assert_array_equal(ObsTable.concat(blocks).epoch_time_ns, obs.epoch_time_ns)


@pytest.mark.warning_location
def test_the_warning_points_at_the_callers_line(parts):
    """(mutmut's trampoline adds a frame: the mutation checks deselect this test)"""
    _, paths = parts
    with pytest.warns(RepeatedEpochWarning) as caught:
        list(iter_obs_files(paths))
    assert caught[0].filename == __file__
    with pytest.warns(RepeatedEpochWarning) as caught:
        read_obs_files(paths)
    assert caught[0].filename == __file__
    with pytest.warns(RepeatedEpochWarning):
        assert kompas.read_obs_files(paths).n_epochs == 30


@pytest.mark.warning_location
def test_a_file_left_out_is_named_at_the_callers_line(parts, tmp_path):
    _, paths = parts
    bad = tmp_path / "nothing.rnx"
    bad.write_text("this is not RINEX\n" * 20)
    for read in (read_obs_files, lambda p, **k: list(iter_obs_files(p, **k))):
        with pytest.warns(DroppedRecordWarning, match="file left out of the session") as caught:
            read([paths[0], bad], skip_unreadable=True)
        assert caught[0].filename == __file__


@pytest.mark.warning_location
def test_each_files_repairs_point_at_the_callers_line(parts, tmp_path):
    """The readers' own warnings of every file of a session, as those of read_obs and iter_obs
    (deselected in the mutation checks, as the test above)."""
    bad = _damaged(parts, tmp_path)  # bad0: an epoch of month 13 dropped; bad1: blank lines repaired
    readers = (
        lambda p: read_obs_files(p),
        lambda p: [read_obs_files([x]) for x in p],  # a file alone: read as read_obs reads it
        lambda p: list(iter_obs_files(p)),
        lambda p: [kompas.read_obs(x) for x in p],
        lambda p: [list(iter_obs(x)) for x in p],
    )
    for read in readers:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            read(bad)
        got = {(w.category, w.filename) for w in caught}
        assert (FormatWarning, __file__) in got and (DroppedRecordWarning, __file__) in got, got
        assert all(w.filename == __file__ for w in caught), [(str(w.message), w.filename) for w in caught]


def test_the_plan_repairs_by_default_and_orders_a_file_without_epochs_or_times_last(parts, tmp_path):
    obs, paths = parts
    bad = _damaged(parts, tmp_path)
    assert plan_obs_files(bad)[0] == bad  # blank lines before a header: repaired, not refused
    text = paths[0].read_text()
    head = text[: text.index("END OF HEADER") + 14]
    empty = tmp_path / "empty.rnx"  # a header alone, without TIME OF FIRST OBS
    empty.write_text("".join(ln for ln in head.splitlines(keepends=True) if "TIME OF FIRST OBS" not in ln))
    order, header = plan_obs_files([empty, paths[1], paths[0]])
    assert order == [paths[0], paths[1], empty]
    one = tmp_path / "one.rnx"  # one epoch, without TIME OF FIRST OBS: its epoch orders it
    write_obs(obs.epochs(25, 26), one)
    one.write_text(
        "".join(ln for ln in one.read_text().splitlines(keepends=True) if "TIME OF FIRST OBS" not in ln)
    )
    assert plan_obs_files([one, paths[1], paths[0]])[0] == [paths[0], paths[1], one]
    assert header.time_of_first_obs_ns == int(obs.epoch_time_ns[0])  # the earliest file's header
    joined = read_obs_files([empty, paths[1], paths[0]])
    assert joined.n_epochs == 20 and joined.header.time_of_first_obs_ns == int(obs.epoch_time_ns[0])


def test_codes_by_system_names_each_systems_codes(parts):
    obs, _ = parts
    want: dict = {}
    for kind, col in zip("CLDS", (obs.code_m, obs.phase_cyc, obs.doppler_hz, obs.cn0_dbhz), strict=True):
        ok = np.isfinite(col)
        for letter, sig in set(zip(sat_letter(obs.sat[ok]).tolist(), obs.signal[ok].tolist(), strict=True)):
            want.setdefault(letter, set()).add(kind + signal_code(sig))
    got = obs.codes_by_system()
    assert {k: set(v) for k, v in got.items()} == want and set(got) == {"G", "R", "C", "E"}
    assert "C1C" in got["E"] and list(got) == ["G", "R", "E", "C"]


def test_command_line_sessions_checked_before_any_navigation_file_is_read(parts, capsys):
    _, paths = parts
    d = paths[0].parent
    assert main(["spp", str(paths[0]), str(d / "other.rnx"), str(d / "broken_nav.rnx")]) == 2
    assert "are not one receiver's files: marker" in capsys.readouterr().err
    # with the inputs' checks, before the output's (a missing output folder)
    out = ["-o", str(d / "no_folder" / "x.pos")]
    for cmd in (["spp", str(paths[0]), str(d / "other.rnx"), str(d / "nav.rnx")],
                ["ppp", str(paths[0]), str(d / "other.rnx"), str(d / "nav.rnx")],
                ["rtk", str(paths[0]), f"{d}/[op]*.rnx", str(d / "nav.rnx")]):  # fmt: skip
        assert main([*cmd, *out]) == 2
        assert "are not one receiver's files: marker" in capsys.readouterr().err
    need = "give an observation file and at least one navigation file: kompas spp OBS NAV...\n"
    for argv in ([str(paths[0])], [str(paths[0]), str(paths[1])]):  # no navigation file among them
        assert main(["spp", *argv]) == 2 and capsys.readouterr().err.endswith(need)
    assert main(["ppp", "--sp3", str(d / "x.sp3")]) == 2  # no observation file at all
    assert capsys.readouterr().err.endswith(
        "give an observation file: kompas ppp OBS [NAV...] --sp3 FILE --clk FILE\n"
    )
    assert main(["spp", str(d / "none.rnx"), str(d / "nav.rnx")]) == 2  # a path, not a pattern
    assert capsys.readouterr().err.strip().endswith("none.rnx: no such file")


def test_the_session_line_goes_where_the_summary_goes(parts, capsys):
    _, paths = parts
    nav = str(paths[0].parent / "nav.rnx")
    assert main(["spp", str(paths[0]), str(paths[1]), nav, "-o", "-"]) == 0
    out = capsys.readouterr()
    assert "session  2 files read as one (p0.rnx ... p1.rnx)" in out.err
    assert "session" not in out.out and out.out.count("\n") > 20  # the solution alone on standard output


# three epochs of two GPS satellites as RINEX 2.11 (a receiver that wrote RINEX 2 before and after a
# firmware that wrote RINEX 3); the last file also records S1
RINEX2_HEADER = """\
     2.11           OBSERVATION DATA    G (GPS)             RINEX VERSION / TYPE
hand                kompas              20250301 000000 UTC PGM / RUN BY / DATE
MIXD                                                        MARKER NAME
1                   LEICA GR50          4.83                REC # / TYPE / VERS
2                   LEIAR20         LEIM                    ANT # / TYPE
  4644908.9870  -156644.9371  4353623.1586                  APPROX POSITION XYZ
        0.1000        0.0000        0.0000                  ANTENNA: DELTA H/E/N
     1     1                                                WAVELENGTH FACT L1/2
{types}
    30.000                                                  INTERVAL
  2025     3     1     6 {first}     GPS         TIME OF FIRST OBS
                                                            END OF HEADER
"""
FIRST = ("    0    0.0000000", "    0   30.0000000", "    1    0.0000000")  # minute, second
TYPES4 = "     4    C1    L1    P2    L2                              # / TYPES OF OBSERV"
TYPES5 = "     5    C1    L1    P2    L2    S1                        # / TYPES OF OBSERV"
RINEX2_EPOCHS = (
    """\
 25  3  1  6  0  0.0000000  0  2G05G12
  21000001.234 7 110356789.123 7  21000003.456 6  85991234.567 6
  22000001.234 8 115611110.500 8  22000004.000 7  90086578.250 7
""",
    """\
 25  3  1  6  0 30.0000000  0  2G05G12
  21000101.234 7 110357314.623 7  21000103.456 6  85991644.067 6
  22000051.234 8 115611373.250 8  22000054.000 7  90086783.000 7
""",
    """\
 25  3  1  6  1  0.0000000  0  2G05G12
  21000201.234 7 110357840.123 7  21000203.456 6  85992053.567 6        44.000
  22000101.234 8 115611636.000 8  22000104.000 7  90086987.750 7        47.000
""",
)


def test_rinex_2_and_rinex_3_files_of_one_session(tmp_path):
    (tmp_path / "whole.25o").write_text(
        RINEX2_HEADER.format(types=TYPES5, first=FIRST[0]) + "".join(RINEX2_EPOCHS)
    )
    (tmp_path / "a.25o").write_text(RINEX2_HEADER.format(types=TYPES4, first=FIRST[0]) + RINEX2_EPOCHS[0])
    (tmp_path / "c.25o").write_text(RINEX2_HEADER.format(types=TYPES5, first=FIRST[2]) + RINEX2_EPOCHS[2])
    whole = kompas.read_obs(tmp_path / "whole.25o")
    assert (whole.n_epochs, len(whole)) == (3, 12)  # C1/L1/S1 and P2/L2: two signals of two satellites
    write_obs(whole.epochs(1, 2), tmp_path / "b.rnx")  # the middle epoch as RINEX 3.05
    assert "3.05" in (tmp_path / "b.rnx").read_text()[:20]
    joined = read_obs_files([tmp_path / "c.25o", tmp_path / "b.rnx", tmp_path / "a.25o"])
    for f in ("time_ns", "sat", "signal", "code_m", "phase_cyc", "cn0_dbhz", "lli", "ssi", "epoch_clock_s"):
        np.testing.assert_array_equal(getattr(joined, f), getattr(whole, f), err_msg=f)
    assert joined.files == tuple(str(tmp_path / n) for n in ("a.25o", "b.rnx", "c.25o"))
    # the session's header is the earliest file's, with the codes of every file of its RINEX version (the
    # RINEX 3 file's C1C, L1C ... do not mix with RINEX 2's C1, L1), the later RINEX 2 file's S1 included
    assert joined.header.version == 2.11
    assert joined.header.obs_types["G"] == ("C1", "L1", "P2", "L2", "S1")
