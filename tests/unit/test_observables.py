"""Observables by band: the best tracking mode per (epoch, satellite, band), from hand-made files."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from test_rinex_obs import F, H

from kompas import SignalError, read_obs, sat_index
from kompas.errors import ConfigError
from kompas.satsys import BAND_PRIORITY, SIGNALS, sat_id, signal_code


def _header3(*types: str) -> str:
    """A RINEX 3.05 header of these ``SYS / # / OBS TYPES`` lines, first epoch 2020-06-25 00:00 GPS."""
    return "\n".join([
        H("     3.05           OBSERVATION DATA    M", "RINEX VERSION / TYPE"),
        *(H(t, "SYS / # / OBS TYPES") for t in types),
        H("  2020     6    25     0     0    0.0000000     GPS", "TIME OF FIRST OBS"),
        H("", "END OF HEADER"),
    ])  # fmt: skip


def _file(tmp_path):
    header = _header3("C    7 C2I L2I C2X L2X C6I C7I C1P", "G    5 C1C C1W L1C C2W C2L")
    lines = [
        "> 2020 06 25 00 00  0.0000000  0  3",
        # C19: B1I in two modes (2I wins by default), B3I, B1C; C06 logs only 2X (and a 2X phase)
        "C19" + F(21000000.001) + F(110000000.25) + F(21000000.002) + F(110000000.5) + F(21000000.006) + F()
        + F(21000000.101),
        "C06" + F() + F() + F(36000000.002) + F(190000000.25) + F() + F(36000000.007) + F(),
        "G05" + F(20000000.011) + F(20000000.012) + F(105000000.5) + F() + F(20000000.022),
        "> 2020 06 25 00 00 30.0000000  0  1",
        # 2I without a pseudorange, only a 2X code: the mode with a code is chosen
        "C19" + F() + F() + F(21000100.002) + F(110000100.5),
    ]  # fmt: skip
    p = tmp_path / "m.rnx"
    p.write_text(header + "\n" + "\n".join(lines) + "\n")
    return read_obs(p)


def test_best_mode_per_band(tmp_path):
    obs = _file(tmp_path)
    ob = obs.observables({"C": (2, 6, 1), "G": (1, 2)})
    keys = list(zip(ob.epoch.tolist(), ob.sat.tolist(), strict=True))
    assert keys == [(0, int(sat_index("G05"))), (0, int(sat_index("C06"))), (0, int(sat_index("C19"))),
                    (1, int(sat_index("C19")))]  # fmt: skip
    codes = signal_code(ob.signal)
    c19 = 2
    assert codes[c19].tolist() == ["2I", "6I", "1P"]
    assert ob.code_m[c19].tolist() == [21000000.001, 21000000.006, 21000000.101]
    # C06: only 2X in band 2, no band 6 or 1
    assert codes[1, 0] == "2X" and ob.phase_cyc[1, 0] == 190000000.25 and np.isnan(ob.code_m[1, 1])
    # G05: C/A before P(Y) in band 1; band 2 has 2L only (no 2W code)
    assert codes[0].tolist()[:2] == ["1C", "2L"] and ob.code_m[0, 1] == 20000000.022
    # epoch 1: the mode that has a pseudorange wins over the preferred mode without one
    assert codes[3, 0] == "2X" and ob.code_m[3, 0] == 21000100.002
    # and its phase, of another tracking loop, starts a new arc (LLI bit 0; the file's LLI is blank)
    assert ob.lli[3, 0] & 1 and not ob.lli[2, 0] & 1 and not ob.lli[3, 1] & 1
    np.testing.assert_allclose(ob.frequency_hz()[c19], [1561.098e6, 1268.52e6, 1575.42e6])


def test_user_priority_restricts_and_orders(tmp_path):
    obs = _file(tmp_path)
    ob = obs.observables({"C": (2,)}, priority={"C": ("2X", "2I")})
    assert signal_code(ob.signal[:, 0]).tolist() == ["2X", "2X", "2X"]
    only_2i = obs.observables({"C": (2,)}, priority={"C": ("2I",)})
    # C06 logs no 2I and C19 has no 2I value at epoch 1: one row is left
    assert len(only_2i) == 1 and signal_code(only_2i.signal[0, 0]) == "2I"
    # signals given for one band of two processed: the message names both lists
    with pytest.raises(
        SignalError,
        match=r"^system C: the signals given \(2I, 2X\) include none of band 6, one of "
        r"the bands processed \(2, 6\); choose the bands as well \(--if-bands; --bands of rtk and of "
        r"ppp --observables uncombined\)$",
    ):
        obs.observables({"C": (2, 6)}, priority={"C": ("2I", "2X")})


def test_column_and_take(tmp_path):
    ob = _file(tmp_path).observables({"C": (2, 6), "G": (1, 2)})
    col = ob.column({"C": 6, "G": 2})
    sig, code, *_ = ob.take(col)
    assert signal_code(sig).tolist()[2] == "6I" and code[2] == 21000000.006
    assert code[0] == 20000000.022
    # a column not chosen for GPS: G05 gets an empty cell (no signal, NaN values, no loss of lock), not the
    # values of its first band
    col = ob.column({"C": 6})
    sig, code, phase, doppler, cn0, lli = ob.take(col)
    assert col[0] == -1 and signal_code(sig).tolist()[0] == "" and lli[0] == 0
    assert all(np.isnan(v[0]) for v in (code, phase, doppler, cn0)) and code[2] == 21000000.006


def test_rows_keep_every_per_row_field_and_the_epochs(tmp_path):
    ob = _file(tmp_path).observables({"C": (2, 6), "G": (1, 2)})
    keep = np.arange(len(ob)) % 2 == 1
    sub = ob.rows(keep)
    assert len(sub) == keep.sum() and sub.epoch_time_ns is ob.epoch_time_ns
    for name in ("epoch", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli"):
        np.testing.assert_array_equal(getattr(sub, name), getattr(ob, name)[keep])
    assert sub.rows(np.zeros(0, np.int64)).sat.size == 0  # indices work too


def test_unknown_system_or_band(tmp_path):
    obs = _file(tmp_path)
    with pytest.raises(SignalError):
        obs.observables({"X": (1,)})
    with pytest.raises(SignalError, match="no tracking mode in band 9"):
        obs.observables({"C": (9,)})


def test_priority_covers_every_rinex_mode():
    assert len(SIGNALS) > 100
    for system, code in SIGNALS:
        assert code[1] in BAND_PRIORITY[(system, code[0])], (system, code)


def test_epoch_views_are_o1_and_share_memory(tmp_path):
    obs = _file(tmp_path)
    one = obs.epoch(1)
    assert one.n_epochs == 1 and np.shares_memory(one.code_m, obs.code_m)
    assert one.epoch_offsets.tolist() == [0, len(one)]
    part = obs.epochs(0, 1)
    assert part.epoch_time_ns.tolist() == obs.epoch_time_ns[:1].tolist()
    kept = obs.take_epochs(np.array([False, True]))
    assert kept.n_epochs == 1 and len(kept) == len(one)
    rows = np.r_[np.zeros(len(obs) - len(one), bool), np.ones(len(one), bool)]
    assert obs.take_epochs(np.array([False, True]), rows).code_m.tolist() == one.code_m.tolist()
    rows[-1] = False  # a row of a kept epoch dropped: the epochs' rows would shift, so it is refused
    with pytest.raises(ConfigError, match="rows must be the row mask of the epochs kept"):
        obs.take_epochs(np.array([False, True]), rows)
    assert obs.epoch(-1).epoch_time_ns.tolist() == obs.epoch_time_ns[1:].tolist()  # from the end
    for k in (2, 5, -3):  # two epochs: 0, 1 and -1, -2 only
        with pytest.raises(IndexError, match=f"epoch {k} outside 0..1"):
            obs.epoch(k)


def test_the_repr_is_one_short_line_of_sizes_and_span(tmp_path):
    obs = _file(tmp_path)  # the repr listed every array (10,067 characters for 120 epochs of one station)
    assert repr(obs) == (
        "ObsTable(2 epochs 2020-06-25T00:00:00 .. 2020-06-25T00:00:30 GPST, 10 observations, satellites C2 G1, "
        "m.rnx)"
    )
    assert repr(obs.epoch(1)).startswith(
        "ObsTable(1 epoch 2020-06-25T00:00:30 .. 2020-06-25T00:00:30 GPST, 1 observation, "
    )
    assert "0 observations, satellites none, m.rnx" in repr(obs.select(systems="E"))


def test_select_takes_one_id_or_signal_as_text_in_any_case(tmp_path):
    obs = _file(tmp_path)  # "C19" was read as "C", "1", "9": "invalid satellite id 'C'"
    c19 = obs.select(sats=["C19"])
    for sats in ("C19", "c19", ["c19"], " C19 ", np.array(["c19"]), [int(sat_index("C19"))]):
        assert obs.select(sats=sats).sat.tolist() == c19.sat.tolist() == [int(sat_index("C19"))] * 5
    assert set(sat_id(obs.select(sats="c19,G05").sat).tolist()) == {"C19", "G05"}
    assert obs.select(signals="2I").code_m.tolist() == obs.select(signals=["2I"]).code_m.tolist()
    assert len(obs.select(signals="2I")) == 1 and len(obs.select(signals="c2i, 2x")) == 4
    with pytest.raises(SignalError, match="invalid satellite id 'X19'"):
        obs.select(sats="x19")
    with pytest.raises(SignalError, match="invalid signal code '2'$"):
        obs.select(signals=["2"])


def test_xarray_names_satellites_also_of_an_empty_table(tmp_path):
    pytest.importorskip("xarray")
    obs = _file(tmp_path)
    ds = obs.to_xarray()
    assert ds.sv.values.tolist() == ["G05", "C06", "C19"] == sat_id(np.unique(obs.sat)).tolist()
    assert ds.C2I.dims == ("time", "sv") and ds.attrs == {"version": 3.05, "time_system": "GPS"}
    # the codes with values (the header's C2W has none)
    codes = ["C1C", "C1P", "C1W", "C2I", "C2L", "C2X", "C6I", "C7I", "L1C", "L2I", "L2X"]
    assert sorted(ds.data_vars) == codes
    empty = obs.epochs(0, 0).to_xarray()
    assert empty.sv.size == 0 and empty.sv.dtype.kind == "U" and empty.time.size == 0
    # RINEX 3.00 names its observables as 3.05 does (only RINEX 2's two-character codes are mapped)
    v300 = tmp_path / "v300.rnx"
    v300.write_text(
        Path(obs.path).read_text().replace("3.05           OBSERVATION", "3.00           OBSERVATION")
    )
    old = read_obs(v300)
    assert old.header.version == 3.0
    np.testing.assert_array_equal(old.to_xarray().C2I.values, ds.C2I.values)
    # a table built without the file's code layouts names its observables from the data
    bare = dataclasses.replace(obs, obs_code_layouts=())
    assert sorted(bare.to_xarray().data_vars) == sorted(ds.data_vars) != []


def test_xarray_of_rinex2_names_types_added_in_the_file(tmp_path):
    pytest.importorskip("xarray")
    head = "\n".join([
        H("     2.11           OBSERVATION DATA    G (GPS)", "RINEX VERSION / TYPE"),
        H("     2    L1    C1", "# / TYPES OF OBSERV"),
        H("  2021     4    28    19     0    0.0000000     GPS", "TIME OF FIRST OBS"),
        H("", "END OF HEADER"),
    ])  # fmt: skip
    lines = [
        " 21  4 28 19  0  0.0000000  0  1G15", F(1.0e8) + F(2.1e7),
        " 21  4 28 19  0 30.0000000  4  1", H("     3    L1    C1    P2", "# / TYPES OF OBSERV"),
        " 21  4 28 19  0 30.0000000  0  1G15", F(1.1e8) + F(2.2e7) + F(2.3e7),
    ]  # fmt: skip
    p = tmp_path / "t.21o"
    p.write_text("\n".join([head, *lines]) + "\n")
    ds = read_obs(p).to_xarray()
    assert sorted(ds.data_vars) == ["C1", "L1", "P2"]
    np.testing.assert_array_equal(ds.P2.values[:, 0], [np.nan, 2.3e7])
    np.testing.assert_array_equal(ds.C1.values[:, 0], [2.1e7, 2.2e7])


_GPS_HEADER = _header3("G    4 C1C L1C C2W L2W")


def test_power_failure_epoch_starts_every_phase_arc(tmp_path):
    # RINEX 3.05 Table A3: epoch flag 1 is a power failure between the previous and this epoch
    header = _GPS_HEADER
    lines = []
    for k, flag in enumerate((0, 1, 0)):
        lines.append(f"> 2020 06 25 00 {k:02d}  0.0000000  {flag}  2")
        lines.append("G05" + F(20000000.0) + F(105000000.5) + F(20000001.0) + F(81000000.5))
        lines.append("G07" + F(21000000.0) + F() + F(21000001.0) + F())  # codes only
    p = tmp_path / "pf.rnx"
    p.write_text(header + "\n" + "\n".join(lines) + "\n")
    ob = read_obs(p).observables({"G": (1, 2)})
    g05 = ob.sat == sat_index("G05")
    assert ob.lli[g05].tolist() == [[0, 0], [1, 1], [0, 0]]
    assert not ob.lli[~g05].any()  # no phase, no arc to start


def test_half_cycle_phases_are_skipped_and_the_next_one_starts_an_arc(tmp_path):
    # RINEX 3.05 Table A3: LLI bit 1, "half-cycle ambiguity/slip possible. Software not
    # capable of handling half cycles should skip this observation"
    header = _GPS_HEADER
    lli = {"G05": ["0", "2", "3", "0", "0"], "G07": ["2", "4", " ", "0", "0"]}  # L1 LLI per epoch
    lines = []
    for k in range(5):
        lines.append(f"> 2020 06 25 00 {k:02d}  0.0000000  0  2")
        for s in ("G05", "G07"):
            l1 = f"{105000000.5 + k:14.3f}{lli[s][k]} "
            l2 = f"{81000000.5 + k:14.3f}{'2' if (s, k) == ('G05', 3) else ' '} "  # G05's L2 at epoch 3
            lines.append(s + F(20000000.0) + l1 + F(20000001.0) + l2)
    p = tmp_path / "hc.rnx"
    p.write_text(header + "\n" + "\n".join(lines) + "\n")
    ob = read_obs(p).observables({"G": (1, 2)})
    for s, skipped, slip in (("G05", [1, 2], [3]), ("G07", [0], [1])):
        rows = ob.sat == sat_index(s)
        assert np.flatnonzero(np.isnan(ob.phase_cyc[rows, 0])).tolist() == skipped, s
        kept = np.isfinite(ob.phase_cyc[rows, 0])
        assert np.flatnonzero(kept & (ob.lli[rows, 0] & 1 != 0)).tolist() == slip, s
        assert np.isfinite(ob.code_m[rows, 0]).all()
    # G07's LLI 4 (bit 2) after its half cycle keeps that bit beside the new arc's bit 0
    assert ob.lli[ob.sat == sat_index("G07"), 0].tolist()[1] == 5
    # a half cycle on the second band: that band's phase dropped and its next phase a new arc
    g05 = ob.sat == sat_index("G05")
    assert np.flatnonzero(np.isnan(ob.phase_cyc[g05, 1])).tolist() == [3]
    assert np.flatnonzero(ob.lli[g05, 1] & 1).tolist() == [4]
    assert not ob.lli[ob.sat == sat_index("G07"), 1].any()


def _rinex2(tmp_path, types: str, records) -> Path:
    """A mixed RINEX 2.11 file of ``types`` (e.g. ``"L1 L2 C1"``) with one satellite per epoch:
    ``records`` of (seconds after 19:30, satellite, values); five observations a line."""
    codes = types.split()
    head = "\n".join([
        H("     2.11           OBSERVATION DATA    M (MIXED)", "RINEX VERSION / TYPE"),
        H(f"{len(codes):6d}" + "".join(f"{c:>6s}" for c in codes), "# / TYPES OF OBSERV"),
        H("  2021     4    28    19    30    0.0000000     GPS", "TIME OF FIRST OBS"),
        H("", "END OF HEADER"),
    ])  # fmt: skip
    lines = [head]
    for sec, sat, values in records:
        lines.append(f" 21  4 28 19 30 {sec:2d}.0000000  0  1{sat}")
        lines += ["".join(F(v) for v in values[i : i + 5]) for i in range(0, len(values), 5)]
    p = tmp_path / "t.21o"
    p.write_text("\n".join(lines) + "\n")
    return p


def test_rinex2_glonass_l2_phase_comes_with_p2_not_with_the_preferred_c2(tmp_path):
    # RINEX 2 has one L2 per band: GLONASS L2 goes to P2 (2P) and C2 to the C/A mode 2C, which BAND_PRIORITY
    # ranks first. A mode that never carries a phase gives way, or every G2 phase would be lost (SLAC, set G).
    values = [(1.1e8 + k, 8.6e7 + k, 2.1e7 + k, 2.1e7 + 5 + k, 2.1e7 + 3 + k) for k in range(2)]
    p = _rinex2(tmp_path, "L1 L2 C1 P2 C2", [(30 * k, "R09", v) for k, v in enumerate(values)])
    obs = read_obs(p)
    ob = obs.observables({"R": (1, 2)})
    assert signal_code(ob.signal).tolist() == [["1C", "2P"]] * 2
    np.testing.assert_array_equal(ob.phase_cyc[:, 1], [8.6e7, 8.6e7 + 1])
    np.testing.assert_array_equal(ob.code_m[:, 1], [2.1e7 + 5, 2.1e7 + 6])
    # asked for by the user alone, 2C is used, code without phase
    c2 = obs.observables({"R": (2,)}, priority={"R": ("2C",)})
    assert signal_code(c2.signal[:, 0]).tolist() == ["2C", "2C"] and np.isnan(c2.phase_cyc).all()


def test_a_phase_missing_at_one_epoch_does_not_change_the_mode(tmp_path):
    # 2C carries phases in this file: a gap at one epoch stays a gap, not a switch to 2P within the arc
    header = _header3("R    4 C2C L2C C2P L2P")
    lines = []
    for k in range(3):
        lines.append(f"> 2020 06 25 00 {k:02d}  0.0000000  0  1")
        l2c = None if k == 1 else 8.6e7 + k
        lines.append("R09" + F(2.1e7 + k) + F(l2c) + F(2.1e7 + 5 + k) + F(8.7e7 + k))
    p = tmp_path / "m.rnx"
    p.write_text(header + "\n" + "\n".join(lines) + "\n")
    ob = read_obs(p).observables({"R": (2,)})
    assert signal_code(ob.signal[:, 0]).tolist() == ["2C", "2C", "2C"]
    np.testing.assert_array_equal(ob.phase_cyc[:, 0], [8.6e7, np.nan, 8.6e7 + 2])


@pytest.mark.parametrize(
    ("types", "values", "expected"),
    [
        # no C1: L1 (and S1) belong to P1 (1W), so band 1 keeps its phase
        ("L1    L2    P1    P2    S1    S2", (1.05e8, 8.2e7, 2.0e7, 2.0e7 + 4, 45.0, 38.0), ["1W", "2W"]),
        # no P2: L2 (and S2) belong to C2 (2X)
        ("L1    L2    C1    C2    S1    S2", (1.05e8, 8.2e7, 2.0e7, 2.0e7 + 4, 45.0, 38.0), ["1C", "2X"]),
    ],
)
def test_rinex2_phase_joins_the_code_its_file_has(tmp_path, types, values, expected):
    obs = read_obs(_rinex2(tmp_path, types, [(0, "G15", values)]))
    ob = obs.observables({"G": (1, 2)})
    assert signal_code(ob.signal[0]).tolist() == expected
    np.testing.assert_array_equal(ob.phase_cyc[0], values[:2])
    np.testing.assert_array_equal(ob.code_m[0], values[2:4])
    np.testing.assert_array_equal(ob.cn0_dbhz[0], values[4:])
    pytest.importorskip("xarray")
    assert sorted(obs.to_xarray().data_vars) == sorted(types.split())


def test_rinex2_glonass_without_p2_keeps_l2_with_c2(tmp_path):
    p = _rinex2(tmp_path, "L1 L2 C1 C2", [(0, "R09", (1.1e8, 8.6e7, 2.1e7, 2.1e7 + 3))])
    ob = read_obs(p).observables({"R": (1, 2)})
    assert signal_code(ob.signal[0]).tolist() == ["1C", "2C"]
    np.testing.assert_array_equal(ob.phase_cyc[0], [1.1e8, 8.6e7])


def test_systems_without_phase_on_the_bands_or_pairs(tmp_path):
    ob = _file(tmp_path).observables({"C": (2, 6, 1), "G": (1, 2)})
    # C19 and C06 have band-2 phases, G05 a band-1 phase; no satellite has a phase on bands 6 and 1 or on
    # band 2 of GPS, and there is no Galileo at all
    assert ob.without_phase("CGE") == "E"
    assert ob.without_phase("CG", {"C": [(2, 6)], "G": [(1, 2)]}) == "CG"
    assert ob.without_phase("CG", {"C": [(6, 1), (2,)], "G": [(1,)]}) == ""
    assert ob.without_phase("C", {"C": [(2, 7)]}) == "C"  # a band the table does not hold


@pytest.mark.parametrize(
    ("system", "types", "expected"),
    [
        ("J", "L1    L2    C1    C2", ["1C", "2X"]),  # QZSS L2C: the phase goes with C2
        ("G", "L1    L2    P2    S1", ["1C", "2W"]),  # no code of band 1 at all: L1 stays where it was
    ],
)
def test_rinex2_phase_moves_only_to_a_code_the_file_has(tmp_path, system, types, expected):
    p = _rinex2(tmp_path, types, [(0, f"{system}01", (1.05e8, 8.2e7, 2.0e7, 2.0e7 + 4))])
    ob = read_obs(p).observables({system: (1, 2)})
    assert signal_code(ob.signal[0]).tolist() == expected
    np.testing.assert_array_equal(ob.phase_cyc[0], [1.05e8, 8.2e7])
