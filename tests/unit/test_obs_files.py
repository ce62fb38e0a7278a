"""One receiver's session in several observation files: read as one, refused when the set-up differs,
and the commands that take it (spp, ppp, rtk)."""

import warnings
from dataclasses import replace

import numpy as np
import pytest

import kompas
from kompas import GlonassChannels, gtime_from_calendar
from kompas.cli.main import main
from kompas.errors import ConfigError, DroppedRecordWarning, FormatError, RepeatedEpochWarning
from kompas.frames import geodetic_to_ecef
from kompas.io.readers.obs_files import iter_obs_files, plan_obs_files, read_obs_files
from kompas.io.readers.rinex_obs import read_obs_header
from kompas.io.writers.rinex_nav import write_nav
from kompas.io.writers.rinex_obs import write_obs
from kompas.sim import simulate
from kompas.tables.obs import ObsTable

pytestmark = pytest.mark.timeout(120)

START = int(gtime_from_calendar(2025, 3, 1, 6, 0, 0))
WUHAN = geodetic_to_ecef(np.array([np.radians(30.5), np.radians(114.3), 30.0]))
FIELDS = ("time_ns", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli", "ssi",
          "epoch_time_ns", "epoch_offsets", "epoch_flag", "epoch_clock_s")  # fmt: skip
# epochs of each part: part 1 repeats part 0's last epoch, part 2 repeats two of part 1's
CUTS = ((0, 12), (11, 25), (23, 40))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("session")
    sim = simulate(
        WUHAN, START, hours=40 * 30 / 3600, interval_s=30.0, systems="GRCE", errors="default", seed=4
    )
    write_obs(sim.obs, d / "whole.rnx")
    for i, (a, b) in enumerate(CUTS):
        write_obs(sim.obs.epochs(a, b), d / f"WUHN_part{i}.rnx.gz")
    write_obs(sim.obs.epochs(0, 5), d / "OTHR.rnx", header=replace(sim.obs.header, marker_name="OTHR"))
    write_nav(sim.nav, d / "nav.rnx")
    return d


def _same(a: ObsTable, b: ObsTable) -> None:
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


def _parts(d, order=(0, 1, 2)):
    return [d / f"WUHN_part{i}.rnx.gz" for i in order]


def test_the_parts_in_any_order_are_the_whole_file(files):
    whole = kompas.read_obs(files / "whole.rnx")
    with pytest.warns(
        RepeatedEpochWarning, match=r"^3 epoch\(s\) .*: 1 of WUHN_part1.rnx.gz, 2 of WUHN_part2"
    ):
        joined = read_obs_files(_parts(files, (2, 0, 1)))
    _same(joined, whole)
    assert joined.sources == tuple(str(p) for p in _parts(files))
    assert joined.files == joined.sources and joined.path == str(_parts(files)[0])
    assert joined.header.time_of_last_obs_ns == int(whole.epoch_time_ns[-1])
    with pytest.warns(RepeatedEpochWarning):
        blocks = list(iter_obs_files(_parts(files, (1, 2, 0))))
    assert len(blocks) == 3 and all(b.header is blocks[0].header for b in blocks)
    _same(ObsTable.concat(blocks), whole)
    assert kompas.read_obs_files is read_obs_files


def _damaged(files, tmp_path):
    """Part 1 with a record that does not parse in its 7th epoch, part 2 without a RINEX header."""
    write_obs(kompas.read_obs(_parts(files)[1]), tmp_path / "WUHN_part1.rnx")
    text = (tmp_path / "WUHN_part1.rnx").read_text().splitlines(keepends=True)
    starts = [i for i, line in enumerate(text) if line.startswith(">")]
    text[starts[6] + 2] = "G05  garbage garbage garbage\n"
    (tmp_path / "WUHN_part1.rnx").write_text("".join(text))
    (tmp_path / "WUHN_part2.rnx").write_text("this is not RINEX\n" * 20)
    return [_parts(files)[0], tmp_path / "WUHN_part1.rnx", tmp_path / "WUHN_part2.rnx"]


def test_files_that_do_not_read_are_left_out_when_asked(files, tmp_path, monkeypatch):
    paths = _damaged(files, tmp_path)
    whole = kompas.read_obs(files / "whole.rnx")
    for reader in (read_obs_files, lambda p: list(iter_obs_files(p))):
        with pytest.raises(FormatError, match="WUHN_part2.rnx"):
            reader(paths)  # by default a file that does not read is an error
    with pytest.warns(DroppedRecordWarning) as caught:
        joined = read_obs_files(paths, skip_unreadable=True)
    said = [str(w.message) for w in caught]
    assert f"file left out of the session: {paths[2]}: no 'END OF HEADER' in the first" in said[0]
    assert said[1].startswith(f"file left out of the session: {paths[1]}, line ")
    _same(joined, whole.epochs(0, 12))  # part 0 alone
    assert joined.files == (str(paths[0]),)
    assert joined.header.time_of_last_obs_ns == kompas.read_obs(paths[0]).header.time_of_last_obs_ns
    # two files read of three: the session's header is theirs, not the left-out file's
    paths3 = [paths[0], tmp_path / "WUHN_good1.rnx.gz", tmp_path / "WUHN_part9.rnx"]
    paths3[1].write_bytes(_parts(files)[1].read_bytes())
    write_obs(kompas.read_obs(_parts(files)[2]), paths3[2])
    text = paths3[2].read_text().splitlines(keepends=True)
    text[[i for i, line in enumerate(text) if line.startswith(">")][3] + 1] = "G07  garbage\n"
    paths3[2].write_text("".join(text))
    with pytest.warns(DroppedRecordWarning), pytest.warns(RepeatedEpochWarning):
        two = read_obs_files(paths3, skip_unreadable=True)
    _same(two, whole.epochs(0, 25))
    assert two.header.time_of_last_obs_ns == int(whole.epoch_time_ns[24]) and two.sources == tuple(
        str(p) for p in paths3[:2]
    )
    # streamed: part 1's blocks before the bad record are kept
    from kompas.io.readers import rinex_obs

    monkeypatch.setattr(rinex_obs, "_BLOCK", 2000)  # about one epoch per block
    with pytest.warns(DroppedRecordWarning) as caught, pytest.warns(RepeatedEpochWarning):  # epoch 11 twice
        blocks = list(iter_obs_files(paths, skip_unreadable=True))
    said = [str(w.message) for w in caught]
    assert any(m.startswith(f"the rest of the file left out: {paths[1]}, line ") for m in said)
    streamed = ObsTable.concat(blocks)
    # part 0, then part 1 (epochs 11-24) up to the epoch of the bad record (its 7th, epoch 17)
    _same(streamed, whole.epochs(0, 17))
    # nothing reads: the first error
    with pytest.raises(FormatError, match="WUHN_part2.rnx"), pytest.warns(DroppedRecordWarning):
        read_obs_files([paths[2], paths[2]], skip_unreadable=True)
    # one file: its error, asked or not
    with pytest.raises(FormatError, match="line"):
        read_obs_files([paths[1]], skip_unreadable=True)


def test_left_out_files_keep_the_options_and_the_first_error_is_raised(files, tmp_path):
    """With files left out, the others are read with the options given; when none reads (headers that
    read, bodies that fail at once) the first file's error is raised, streamed or not; planning alone
    raises on an unreadable header unless asked to leave it out."""
    paths = _damaged(files, tmp_path)
    with pytest.warns(DroppedRecordWarning):
        only_g = read_obs_files(paths, skip_unreadable=True, systems="G")
    assert set(kompas.sat_id(np.unique(only_g.sat)).astype("U1").tolist()) == {"G"}
    with pytest.raises(FormatError, match="WUHN_part2.rnx"):
        plan_obs_files(paths)
    with pytest.warns(DroppedRecordWarning):
        kept, _ = plan_obs_files(paths, skip_unreadable=True)
    assert kept == paths[:2]
    bodies = []
    for name in ("WUHN_a.rnx", "WUHN_b.rnx"):  # each fails at its first epoch
        write_obs(kompas.read_obs(_parts(files)[0]), tmp_path / name)
        text = (tmp_path / name).read_text().splitlines(keepends=True)
        text[next(i for i, line in enumerate(text) if line.startswith(">")) + 1] = "G05  garbage\n"
        (tmp_path / name).write_text("".join(text))
        bodies.append(tmp_path / name)
    for reader in (read_obs_files, lambda p, **k: list(iter_obs_files(p, **k))):
        with pytest.raises(FormatError, match="WUHN_a.rnx"), pytest.warns(DroppedRecordWarning):
            reader(bodies, skip_unreadable=True)


def test_one_file_is_read_as_read_obs_reads_it(files):
    path = files / "whole.rnx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing dropped, nothing to say
        one, listed = read_obs_files(path), read_obs_files([path])
    _same(one, kompas.read_obs(path))
    _same(listed, one)
    assert one.sources == () and one.files == (str(path),)
    assert len(list(iter_obs_files(path))) == 1
    with pytest.raises(ConfigError, match="no observation file given"):
        read_obs_files([])


def test_the_header_alone(files, tmp_path):
    for path in (files / "whole.rnx", _parts(files)[1]):
        head, full = read_obs_header(path), kompas.read_obs(path).header
        for f in ("marker_name", "receiver_type", "antenna_type", "obs_types", "time_of_first_obs_ns",
                  "time_of_last_obs_ns", "interval_s", "n_lines", "version"):  # fmt: skip
            assert getattr(head, f) == getattr(full, f), f
        np.testing.assert_array_equal(head.approx_position_m, full.approx_position_m)
    cut = tmp_path / "cut.rnx"
    text = (files / "whole.rnx").read_text()
    cut.write_text(text[: text.index("END OF HEADER") - 60])
    with pytest.raises(FormatError, match=r"cut.rnx: .*END OF HEADER"):
        read_obs_header(cut)


def test_files_without_epochs_give_the_session_header_alone(files, tmp_path):
    text = (files / "whole.rnx").read_text()
    head = text[: text.index("\n", text.index("END OF HEADER")) + 1]
    paths = [tmp_path / "a.rnx", tmp_path / "b.rnx"]
    for p in paths:
        p.write_text(head)
    (table,) = list(iter_obs_files(paths))  # as iter_obs gives one file's header alone
    assert table.n_epochs == 0 and table.header.marker_name == read_obs_header(paths[0]).marker_name
    assert read_obs_files(paths).n_epochs == 0


@pytest.mark.parametrize(
    "change, message",
    [
        ({"marker_name": "OTHR"}, "marker 'WUHN' and 'OTHR'"),
        ({"receiver_type": "JAVAD TRE_3"}, "receiver type"),
        ({"antenna_type": "LEIAR25.R3      LEIT"}, "antenna type"),
        (
            {"antenna_delta_hen_m": np.array([0.1, 0.0, 0.0])},
            r"antenna delta H/E/N 0.0000/0.0000/0.0000 and 0.1000",
        ),
    ],
)
def test_files_of_another_set_up_are_refused(files, tmp_path, change, message):
    obs = kompas.read_obs(files / "whole.rnx")
    header = replace(obs.header, marker_name="WUHN")
    write_obs(obs.epochs(0, 10), tmp_path / "a.rnx", header=header)
    write_obs(obs.epochs(10, 20), tmp_path / "b.rnx", header=replace(header, **change))
    with pytest.raises(ConfigError, match=f"a.rnx and .*b.rnx are not one receiver's files: {message}"):
        read_obs_files([tmp_path / "b.rnx", tmp_path / "a.rnx"])
    # a blank marker is no evidence either way
    write_obs(obs.epochs(10, 20), tmp_path / "c.rnx", header=replace(header, marker_name=""))
    assert read_obs_files([tmp_path / "a.rnx", tmp_path / "c.rnx"]).n_epochs == 20


def test_a_set_up_named_only_by_later_files_is_checked_too(files, tmp_path):
    obs = kompas.read_obs(files / "whole.rnx")
    named = (("", ""), ("WUHN", "SEPT POLARX5"), ("WUHN", "TRIMBLE NETR9"))  # the first file names neither
    for i, (marker, receiver) in enumerate(named):
        header = replace(obs.header, marker_name=marker, receiver_type=receiver)
        write_obs(obs.epochs(10 * i, 10 * i + 10), tmp_path / f"{i}.rnx", header=header)
    with pytest.raises(ConfigError, match="1.rnx and .*2.rnx are not one receiver's files: receiver type"):
        read_obs_files([tmp_path / f"{i}.rnx" for i in range(3)])
    assert read_obs_files([tmp_path / "0.rnx", tmp_path / "1.rnx"]).n_epochs == 20


def test_the_earliest_known_code_phase_bias_and_channel_serve(files, tmp_path):
    obs = kompas.read_obs(files / "whole.rnx")
    slot = int(np.unique(obs.select(systems="R").sat)[0]) - 200
    k = int(obs.header.glonass_channels.channel(np.array([slot]))[0])
    headers = (
        replace(
            obs.header,
            glonass_cpb_m={"C1C": np.nan, "C2P": -71.94},
            glonass_channels=GlonassChannels({slot: k}),
        ),
        replace(
            obs.header,
            glonass_cpb_m={"C1C": -71.94, "C2P": 0.0},
            glonass_channels=GlonassChannels({slot: k + 1}),
        ),
    )
    for i, header in enumerate(headers):
        write_obs(obs.epochs(10 * i, 10 * i + 10), tmp_path / f"{i}.rnx", header=header)
    joined = read_obs_files([tmp_path / "1.rnx", tmp_path / "0.rnx"]).header
    assert joined.glonass_cpb_m == {"C1C": -71.94, "C2P": -71.94}
    assert int(joined.glonass_channels.channel(np.array([slot]))[0]) == k


def test_the_session_header_joins_the_files_codes_and_channels(files, tmp_path):
    obs = kompas.read_obs(files / "whole.rnx")
    glo = obs.select(systems="R")
    slots = sorted({int(s) - 200 for s in np.unique(glo.sat)})
    k = obs.header.glonass_channels.channel(np.array(slots))
    first = GlonassChannels(dict(zip(slots[:2], k[:2].tolist(), strict=True)))
    rest = GlonassChannels(dict(zip(slots[2:], k[2:].tolist(), strict=True)))
    a = obs.epochs(0, 10).select(systems="GR")
    write_obs(a, tmp_path / "a.rnx", header=replace(obs.header, glonass_channels=first))
    write_obs(obs.epochs(10, 20), tmp_path / "b.rnx", header=replace(obs.header, glonass_channels=rest))
    joined = read_obs_files([tmp_path / "a.rnx", tmp_path / "b.rnx"])
    assert joined.header.interval_s == 30.0
    write_obs(obs.epochs(20, 30), tmp_path / "c.rnx", header=replace(obs.header, interval_s=15.0))
    assert read_obs_header(tmp_path / "c.rnx").interval_s == 15.0
    assert (
        read_obs_files([tmp_path / "c.rnx", tmp_path / "a.rnx"]).header.interval_s is None
    )  # declared apart
    np.testing.assert_array_equal(joined.header.glonass_channels.channel(np.array(slots)), k)
    whole_types = kompas.read_obs(files / "whole.rnx").header.obs_types
    assert set(read_obs_header(tmp_path / "a.rnx").obs_types) == {"G", "R"}
    assert {s: set(c) for s, c in joined.header.obs_types.items()} == {
        s: set(c) for s, c in whole_types.items()
    }


def test_files_put_in_time_order_without_the_headers_times(files, tmp_path):
    paths, header = plan_obs_files(_parts(files, (2, 1, 0)))
    assert paths == _parts(files) and header.marker_name == "KSIM"
    # TIME OF FIRST OBS is mandatory, but a file without it is read: its first epoch orders it
    bare = []
    for i, (a, b) in enumerate(CUTS):
        write_obs(kompas.read_obs(files / "whole.rnx").epochs(a, b), tmp_path / f"p{i}.rnx")
        lines = (tmp_path / f"p{i}.rnx").read_text().splitlines(keepends=True)
        (tmp_path / f"q{i}.rnx").write_text("".join(ln for ln in lines if "TIME OF FIRST OBS" not in ln))
        bare.append(tmp_path / f"q{i}.rnx")
    assert read_obs_header(bare[0]).time_of_first_obs_ns is None
    assert plan_obs_files(bare[::-1])[0] == bare


def test_files_with_the_same_stale_header_are_ordered_by_their_epochs(files, tmp_path):
    # parts cut from one file keep its header (TIME OF FIRST OBS of the whole): given in reverse
    # order, the later part had been read first and the earlier part's epochs dropped as repeated
    whole = kompas.read_obs(files / "whole.rnx")
    parts = [tmp_path / "s0.rnx", tmp_path / "s1.rnx"]
    write_obs(whole.epochs(0, 20), parts[0])
    write_obs(whole.epochs(20, 40), parts[1])
    first = next(ln for ln in parts[0].read_text().splitlines() if ln.rstrip().endswith("TIME OF FIRST OBS"))
    lines = parts[1].read_text().splitlines(keepends=True)
    parts[1].write_text(
        "".join(first + "\n" if ln.rstrip().endswith("TIME OF FIRST OBS") else ln for ln in lines)
    )
    assert read_obs_header(parts[1]).time_of_first_obs_ns == int(whole.epoch_time_ns[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _same(read_obs_files(parts[::-1]), whole)
        _same(ObsTable.concat(list(iter_obs_files(parts[::-1]))), whole)


def test_first_epoch_of_a_hatanaka_file_is_read_from_its_first_epoch_line(kompas_data):
    from kompas.io.readers.rinex_obs import first_epoch_ns, iter_obs

    for name in ("rinex2_hatanaka/delf0010.21d", "rinex2_hatanaka/AJAC3550.21D",
                 "A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz",
                 "F_2022-159_KMS3_rinex4/KMS300DNK_R_20221591000_01H_30S_MO.crx"):  # fmt: skip
        path = kompas_data / name
        want = int(next(iter_obs(path)).epoch_time_ns[0])
        assert first_epoch_ns(path, read_obs_header(path)) == want, name


def test_first_epoch_line_of_hatanaka_files_of_both_versions_and_time_systems(tmp_path, monkeypatch):
    # the first epoch line is read from the compressed text alone (the body is never decoded: a decoding
    # would fail here), in the file's time system, with RINEX 2's two-digit years
    from types import SimpleNamespace

    import kompas.io.readers.rinex_obs as rinex_obs

    monkeypatch.setattr(rinex_obs, "_read_blocks", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    head = "\n".join([f"{'3.0':<20}{'COMPACT RINEX FORMAT':<40}CRINEX VERS   / TYPE",
                      f"{'RNX2CRX':<60}CRINEX PROG / DATE", f"{'':60}END OF HEADER"])  # fmt: skip
    cases = [
        ("> 2020 06 25 10 35 30.0000000  0 33      C05", "BDT", (2020, 6, 25, 10, 35, 30.0, "BDT")),
        ("> 2021 01 01 00 00 00.0000000  0 12", "GLO", (2021, 1, 1, 0, 0, 0.0, "UTC")),
        ("&95  6 25 10 35 30.0000000  0 20G 8G14", "GPS", (1995, 6, 25, 10, 35, 30.0, "GPST")),
        ("&05 12 31 23 59 59.5000000  0  2G01G02", "GPS", (2005, 12, 31, 23, 59, 59.5, "GPST")),
    ]
    for line, ts, (y, mo, d, h, mi, sec, scale) in cases:
        p = tmp_path / "t.crx"
        p.write_text(head + "\n" + line + "\n\n")
        want = int(gtime_from_calendar(y, mo, d, h, mi, sec, scale=scale))
        assert rinex_obs.first_epoch_ns(p, SimpleNamespace(time_system=ts)) == want, line


def _pos_rows(path):
    return [ln.split()[:5] for ln in path.read_text().splitlines() if not ln.startswith("%")]


def test_spp_takes_a_pattern_or_the_files_among_nav(files, tmp_path, capsys):
    nav = str(files / "nav.rnx")
    assert main(["spp", str(files / "whole.rnx"), nav, "-o", str(tmp_path / "w.pos")]) == 0
    assert main(["spp", str(files / "WUHN_part*.rnx.gz"), nav, "-o", str(tmp_path / "p.pos")]) == 0
    shuffled = [str(p) for p in _parts(files, (1, 2, 0))]
    assert main(["spp", shuffled[0], nav, *shuffled[1:], "-o", str(tmp_path / "s.pos")]) == 0
    want = _pos_rows(tmp_path / "w.pos")
    assert len(want) == 40 and _pos_rows(tmp_path / "p.pos") == want and _pos_rows(tmp_path / "s.pos") == want
    inputs = [ln[14:] for ln in (tmp_path / "p.pos").read_text().splitlines() if ln.startswith("% inp file")]
    assert inputs == [*(str(p) for p in _parts(files)), nav]
    out = capsys.readouterr()
    assert "3 epoch(s) at or before the end of the earlier files dropped" in out.err
    assert out.out.count("session  3 files read as one (WUHN_part0.rnx.gz ... WUHN_part2.rnx.gz)\n") == 2
    assert main(["spp", str(files / "WUHN_part0.rnx.gz"), nav]) == 0
    assert "session " not in capsys.readouterr().out  # one file: no session line


@pytest.mark.parametrize(
    "argv, message",
    [
        (["spp", "{d}/NONE*.rnx", "{d}/nav.rnx"], "OBS pattern '{d}/NONE*.rnx' matches no file"),
        (["spp", "{d}/WUHN_part0.rnx.gz", "{d}/whole.rnx"], "give an observation file and at least one navigation"),
        (["spp", "{d}/WUHN_part0.rnx.gz", "{d}/OTHR.rnx", "{d}/nav.rnx"], "not one receiver's files: marker"),
        (["ppp", "{d}/WUHN_part0.rnx.gz", "{d}/OTHR.rnx", "{d}/nav.rnx"], "not one receiver's files: marker"),
        (["rtk", "{d}/WUHN*", "{d}/whole.rnx", "{d}/nav.rnx", "{d}/whole.rnx"],
         "{d}/whole.rnx is an observation file, not a navigation file: give a rover's or a base's several"),
        (["rtk", "{d}/WUHN*", "{d}/BASE*", "{d}/nav.rnx"], "BASE pattern '{d}/BASE\\*' matches no file"),
        (["rtk", "{d}/[OW]*.rnx*", "{d}/whole.rnx", "{d}/nav.rnx"], "OTHR.rnx and {d}/WUHN_part0.rnx.gz are not one receiver's files: marker 'OTHR' and 'KSIM'"),
    ],
)  # fmt: skip
def test_wrong_sessions_are_one_line_and_exit_2(files, capsys, argv, message):
    d = str(files)
    assert main([a.format(d=d) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message.format(d=d).replace("\\*", "*") in err, err


def test_rtk_reads_each_receivers_files_as_one(files, tmp_path, capsys):
    nav = str(files / "nav.rnx")
    base = ["--base-pos", *(f"{v:.4f}" for v in WUHAN), "--systems", "G,E"]
    out_w, out_p = str(tmp_path / "w.pos"), str(tmp_path / "p.pos")
    # a base of other observations (the same receiver's codes 0.5 m longer: one file as rover and base is
    # refused), against the whole file as rover, then against its parts
    whole = kompas.read_obs(files / "whole.rnx")
    base_file = tmp_path / "base.rnx"
    write_obs(replace(whole, code_m=whole.code_m + 0.5), base_file, header=whole.header)
    assert main(["rtk", str(files / "whole.rnx"), str(base_file), nav, *base, "-o", out_w]) == 0
    assert main(["rtk", str(files / "WUHN_part*"), str(base_file), nav, *base, "-o", out_p]) == 0
    want = _pos_rows(tmp_path / "w.pos")
    assert len(want) == 40 and _pos_rows(tmp_path / "p.pos") == want
    inputs = [ln[14:] for ln in (tmp_path / "p.pos").read_text().splitlines() if ln.startswith("% inp file")]
    assert inputs == [*(str(p) for p in _parts(files)), str(base_file), nav]  # rover parts, base, nav
    assert (
        "session  rover 3 files read as one (WUHN_part0.rnx.gz ... WUHN_part2.rnx.gz)"
        in capsys.readouterr().out
    )
    parts = str(files / "WUHN_part*")
    assert main(["rtk", str(base_file), parts, nav, *base, "-o", out_p]) == 0
    assert "session  base 3 files read as one" in capsys.readouterr().out
    # the parts against the whole file: the same observations, refused once read
    assert main(["rtk", parts, str(files / "whole.rnx"), nav, *base, "-o", out_p]) == 2
    assert "ROVER and BASE hold the same observations" in capsys.readouterr().err


def test_the_session_line_names_the_files_in_time_order(files, tmp_path, capsys):
    """Named by time, not by name: RINEX 2 names at a year boundary sort the new year's file first
    (``ksim001a.17o`` before ``ksim366w.16o``), as these three parts' names do."""
    names = ("wuhn365x.rnx.gz", "wuhn366w.rnx.gz", "wuhn001a.rnx.gz")  # parts 0, 1, 2
    for part, name in zip(_parts(files), names, strict=True):
        (tmp_path / name).write_bytes(part.read_bytes())
    nav, pattern = str(files / "nav.rnx"), str(tmp_path / "wuhn*")
    line = "3 files read as one (wuhn365x.rnx.gz ... wuhn001a.rnx.gz)"
    for command in ("spp", "ppp"):
        assert main([command, pattern, nav, "-o", str(tmp_path / f"{command}.pos")]) == 0
        assert f"session  {line}\n" in capsys.readouterr().out
    base = ["--base-pos", *(f"{v:.4f}" for v in WUHAN), "--systems", "G"]
    whole = kompas.read_obs(files / "whole.rnx")  # a rover of other observations (codes 0.5 m longer)
    rover = str(tmp_path / "rover.rnx")
    write_obs(replace(whole, code_m=whole.code_m + 0.5), rover, header=whole.header)
    assert main(["rtk", rover, pattern, nav, *base, "-o", str(tmp_path / "r.pos")]) == 0
    assert f"session  base {line}\n" in capsys.readouterr().out
