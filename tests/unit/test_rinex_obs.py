"""RINEX observation reader on small hand-made files (every value typed here by hand)."""

import importlib.util
import warnings

import numpy as np
import pytest

from kompas import FormatError, gtime_from_calendar, read_obs, sat_index
from kompas.errors import KompasWarning, TruncatedFileWarning
from kompas.satsys import signal_id


def H(content: str, label: str) -> str:
    return content.ljust(60) + label


def F(value=None, lli=" ", ssi=" ") -> str:
    """One 16-column observation field."""
    return " " * 16 if value is None else f"{value:14.3f}{lli}{ssi}"


HEADER3 = "\n".join(
    [
        H("     3.05           OBSERVATION DATA    M", "RINEX VERSION / TYPE"),
        H("TEST", "MARKER NAME"),
        H("  4075580.3111   931854.0543  4801568.2808", "APPROX POSITION XYZ"),
        H("        0.0710        0.0000        0.0000", "ANTENNA: DELTA H/E/N"),
        H("C    8 C2I L2I D2I S2I C6I L6I D6I S6I", "SYS / # / OBS TYPES"),
        H("R    4 C1C L1C D1C S1C", "SYS / # / OBS TYPES"),
        H("  2 R01  1 R02 -4", "GLONASS SLOT / FRQ #"),
        H("    30.000", "INTERVAL"),
        H("  2020     6    25     0     0    0.0000000     GPS", "TIME OF FIRST OBS"),
        H("", "END OF HEADER"),
    ]
)

EPOCH1 = [
    "> 2020 06 25 00 00  0.0000000  0  3",
    "C19" + F(21869370.383) + F(113880453.030, " ", "7") + F(-2013.154) + F(45.0)
    + F(21869364.123) + F(92594640.123, "1", "6"),
    "R01" + F(19876543.210) + F(106234567.890, " ", "8") + F(1234.567) + F(50.25),
    "C01" + F(38000000.000) + F() + F() + F() + F(38000001.500),
]  # fmt: skip
EVENT = [
    "> 2020 06 25 00 00 15.0000000  4  2",
    H("A COMMENT INSIDE THE FILE", "COMMENT"),
    H("ANOTHER ONE", "COMMENT"),
]
EPOCH2 = [
    "> 2020 06 25 00 00 30.0000000  0  2      0.000000123456",
    "R01" + F(19876600.000) + F(106234800.125, "4", "9"),
    "C19" + F(21869400.000),
]


def write(tmp_path, text, name="t.rnx"):
    p = tmp_path / name
    p.write_text(text + "\n")
    return p


@pytest.fixture
def small(tmp_path):
    return write(tmp_path, "\n".join([HEADER3, *EPOCH1, *EVENT, *EPOCH2]))


def test_rinex3_values_exact(small, kernel_backend):
    obs = read_obs(small)
    assert obs.n_epochs == 2 and len(obs) == 7
    t0 = int(gtime_from_calendar(2020, 6, 25))
    assert obs.epoch_time_ns.tolist() == [t0, t0 + 30 * 10**9]
    # sorted by (time, sat, signal): R01 (201) < C01 (401) < C19 (419); B1I "2I" < B3I "6I"
    e0 = obs.epoch_rows(0)
    assert obs.sat[e0].tolist() == sat_index(["R01", "C01", "C01", "C19", "C19"]).tolist()
    assert obs.signal[e0].tolist() == signal_id(["1C", "2I", "6I", "2I", "6I"]).tolist()
    r = 3  # C19 B1I
    assert obs.code_m[r] == 21869370.383
    assert obs.phase_cyc[r] == 113880453.030
    assert obs.doppler_hz[r] == -2013.154
    assert obs.cn0_dbhz[r] == 45.0
    assert (obs.lli[r], obs.ssi[r]) == (0, 7)
    r = 4  # C19 B3I: code and phase only; LLI 1
    assert obs.code_m[r] == 21869364.123 and obs.phase_cyc[r] == 92594640.123
    assert np.isnan(obs.doppler_hz[r]) and np.isnan(obs.cn0_dbhz[r])
    assert (obs.lli[r], obs.ssi[r]) == (1, 6)
    # blank fields are NaN, never zero
    r = 1  # C01 B1I: code only
    assert obs.code_m[r] == 38000000.0 and np.isnan(obs.phase_cyc[r]) and np.isnan(obs.cn0_dbhz[r])
    assert obs.code_m[2] == 38000001.5  # C01 B3I
    # second epoch: receiver clock offset from the epoch line
    assert np.isnan(obs.epoch_clock_s[0]) and obs.epoch_clock_s[1] == pytest.approx(1.23456e-7)
    e1 = obs.epoch_rows(1)
    assert obs.phase_cyc[e1][0] == 106234800.125 and (obs.lli[e1][0], obs.ssi[e1][0]) == (4, 9)


def test_header_fields(small):
    h = read_obs(small).header
    assert h.version == 3.05 and h.marker_name == "TEST"
    np.testing.assert_array_equal(h.approx_position_m, [4075580.3111, 931854.0543, 4801568.2808])
    np.testing.assert_array_equal(h.antenna_delta_hen_m, [0.0710, 0.0, 0.0])
    assert h.obs_types["C"] == ("C2I", "L2I", "D2I", "S2I", "C6I", "L6I", "D6I", "S6I")
    assert h.glonass_channels.as_dict() == {1: 1, 2: -4}
    assert h.interval_s == 30.0 and h.time_system == "GPS"
    assert h.time_of_first_obs_ns == int(gtime_from_calendar(2020, 6, 25))


def test_event_records_consumed_not_read(small):
    obs = read_obs(small)
    assert len(obs.events) == 1
    line, flag, _, records = obs.events[0]
    assert (line, flag) == (15, 4)
    assert records[0].startswith("A COMMENT INSIDE THE FILE")


def test_select(small):
    obs = read_obs(small)
    c = obs.select(systems="C")
    assert set(c.sat.tolist()) == {401, 419} and c.n_epochs == 2
    assert len(obs.select(sats=["R01"])) == 2
    assert len(obs.select(signals=["C6I"])) == 2  # C01 and C19 B3I rows in epoch 1
    late = obs.select(start_ns=obs.epoch_time_ns[1])
    assert late.n_epochs == 1 and len(late) == 2 and late.epoch_rows(0) == slice(0, 2)
    # every per-epoch column follows the window (the second epoch's receiver clock offset)
    assert late.epoch_clock_s.tolist() == [pytest.approx(1.23456e-7)] and late.epoch_flag.tolist() == [0]
    early = obs.select(end_ns=obs.epoch_time_ns[1])
    assert early.n_epochs == 1 and np.isnan(early.epoch_clock_s).tolist() == [True]


def test_codes_by_system(small):
    assert read_obs(small).codes_by_system() == {
        "R": ["C1C", "L1C", "D1C", "S1C"],
        "C": ["C2I", "L2I", "D2I", "S2I", "C6I", "L6I"],
    }


def test_bad_value_names_line_and_field(tmp_path, kernel_backend):
    bad = EPOCH1.copy()
    bad[2] = "R01" + "  19876x43.210  " + F(1.0)
    p = write(tmp_path, "\n".join([HEADER3, *bad]))
    with pytest.raises(FormatError, match=r"line 13: observation field 1 \('  19876x43.210  '\)"):
        read_obs(p)


def test_bad_lli_is_an_error(tmp_path, kernel_backend):
    bad = EPOCH1.copy()
    bad[2] = "R01" + F(19876543.210, "x")
    with pytest.raises(FormatError, match="line 13"):
        read_obs(write(tmp_path, "\n".join([HEADER3, *bad])))


def test_epoch_with_fewer_records_than_announced(tmp_path):
    ep = ["> 2020 06 25 00 00  0.0000000  0  4", *EPOCH1[1:]]
    with pytest.raises(FormatError, match="line 11: epoch announces 4 satellite records, found 3"):
        read_obs(write(tmp_path, "\n".join([HEADER3, *ep, *EPOCH2])))


def test_truncated_file_keeps_complete_epochs(tmp_path):
    text = "\n".join([HEADER3, *EPOCH1, *EPOCH2[:2]])  # last epoch misses one record
    with pytest.warns(TruncatedFileWarning, match="1 complete epochs"):
        obs = read_obs(write(tmp_path, text))
    assert obs.n_epochs == 1 and len(obs) == 5


def test_missing_end_of_header(tmp_path):
    with pytest.raises(FormatError, match="END OF HEADER"):
        read_obs(write(tmp_path, HEADER3.rsplit("\n", 1)[0]))


def test_obs_type_count_mismatch(tmp_path):
    text = HEADER3.replace("C    8 C2I", "C    9 C2I")
    with pytest.raises(FormatError, match="line 5: system C: 9 observation types declared, 8 listed"):
        read_obs(write(tmp_path, text))


def test_system_without_obs_types(tmp_path):
    ep = ["> 2020 06 25 00 00  0.0000000  0  1", "E11" + F(1.0)]
    with pytest.raises(FormatError, match="line 12: .*system 'E'"):
        read_obs(write(tmp_path, "\n".join([HEADER3, *ep])))


def test_header_records_in_the_body_that_are_not_applied_are_named(tmp_path):
    # an antenna height or a new site after an event of flag 4 or 3 (RINEX 3.05 Table A3) would change
    # every later position; the reader keeps the header's, and says so
    event = [
        "> 2020 06 25 00 00 10.0000000  2  0",  # start moving the antenna: no records
        "> 2020 06 25 00 00 15.0000000  4  4",
        H("MOVED BY HAND", "COMMENT"),
        H("TEST", "MARKER NAME"),  # the header's: nothing changes
        H("        0.2000        0.0000        0.0000", "ANTENNA: DELTA H/E/N"),
        H("C   10   1 C2I", "SYS / SCALE FACTOR"),
        "> 2020 06 25 00 00 20.0000000  3  1",
        H("MRK2", "MARKER NAME"),
    ]
    path = write(tmp_path, "\n".join([HEADER3, *EPOCH1, *event, *EPOCH2]))
    said = (
        r"line 16 \(event at 2020 06 25 00 00 15.0000000\): header records inside the body "
        r"\(ANTENNA: DELTA H/E/N, SYS / SCALE FACTOR, MARKER NAME; 3 in all\) are not applied"
    )
    with pytest.warns(KompasWarning, match=said):
        obs = read_obs(path)
    assert obs.header.antenna_delta_hen_m[0] == 0.0710 and obs.code_m[3] == 21869370.383
    same = [event[1].replace("  4", "  2"), event[3], H("        0.0710        0.0000        0.0000",
            "ANTENNA: DELTA H/E/N")]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_obs(write(tmp_path, "\n".join([HEADER3, *EPOCH1, *same, *EPOCH2]), "same.rnx"))
    # a record after an unchanged height is looked at all the same
    new_type = [
        same[0].replace("  2", "  4"),
        *same[1:],
        H("1234                LEIAR25.R3      LEIT", "ANT # / TYPE"),  # RINEX's label (was misspelt here)
        H("5678                LEICA GR50          4.51", "REC # / TYPE / VERS"),
    ]
    with pytest.warns(KompasWarning, match=r"\(ANT # / TYPE, REC # / TYPE / VERS; 2 in all\)"):
        read_obs(write(tmp_path, "\n".join([HEADER3, *EPOCH1, *new_type, *EPOCH2]), "type.rnx"))


def test_scale_factor(tmp_path):
    text = HEADER3.replace(
        H("    30.000", "INTERVAL"),
        H("    30.000", "INTERVAL") + "\n" + H("C   10   1 C2I", "SYS / SCALE FACTOR"),
    )
    obs = read_obs(write(tmp_path, "\n".join([text, *EPOCH1])))
    assert obs.code_m[3] == pytest.approx(2186937.0383)  # C19 C2I divided by 10
    assert obs.phase_cyc[3] == 113880453.030  # L2I not scaled


def test_scale_factor_without_types_applies_to_every_type_of_the_system(tmp_path):
    text = HEADER3.replace(
        H("    30.000", "INTERVAL"), H("    30.000", "INTERVAL") + "\n" + H("R  100", "SYS / SCALE FACTOR")
    )
    obs = read_obs(write(tmp_path, "\n".join([text, *EPOCH1])))
    assert obs.header.scale_factors == {("R", c): 100.0 for c in ("C1C", "L1C", "D1C", "S1C")}
    r01 = obs.sat == sat_index(["R01"])[0]
    assert obs.code_m[r01].tolist() == [pytest.approx(198765.4321)]
    assert obs.phase_cyc[r01].tolist() == [pytest.approx(1062345.6789)]
    assert obs.code_m[3] == 21869370.383  # BeiDou not scaled


def test_scale_factor_continuation_line_and_a_record_before_the_types(tmp_path):
    # types beyond the first line's twelve go on continuation lines (10X, 12(1X, A3): RINEX 3.05
    # Table A2); a record naming no type covers the system's types even when they are listed after it
    text = HEADER3.replace(
        H("    30.000", "INTERVAL"),
        "\n".join([H("    30.000", "INTERVAL"), H("C   10   3 L2I D2I", "SYS / SCALE FACTOR"),
                   H("           C2I", "SYS / SCALE FACTOR")]),
    ).replace(
        H("R    4 C1C L1C D1C S1C", "SYS / # / OBS TYPES"),
        H("R  100", "SYS / SCALE FACTOR") + "\n" + H("R    4 C1C L1C D1C S1C", "SYS / # / OBS TYPES"),
    )  # fmt: skip
    obs = read_obs(write(tmp_path, "\n".join([text, *EPOCH1])))
    assert obs.header.scale_factors == {("C", "L2I"): 10.0, ("C", "D2I"): 10.0, ("C", "C2I"): 10.0} | {
        ("R", c): 100.0 for c in ("C1C", "L1C", "D1C", "S1C")
    }
    assert obs.code_m[3] == pytest.approx(2186937.0383)  # C19 C2I divided by 10
    assert obs.phase_cyc[3] == pytest.approx(11388045.303)
    r01 = obs.sat == sat_index(["R01"])[0]
    assert obs.code_m[r01].tolist() == [pytest.approx(198765.4321)]


def test_a_satellite_twice_in_one_epoch_names_its_second_line(tmp_path):
    epoch = ["> 2020 06 25 00 00  0.0000000  0  3", "C19" + F(21869370.383), "R01" + F(19876543.210),
             "C19" + F(21869371.000)]  # fmt: skip
    with pytest.raises(FormatError, match="satellite C19 appears twice in one epoch") as err:
        read_obs(write(tmp_path, "\n".join([HEADER3, *epoch])))
    assert err.value.line == HEADER3.count("\n") + 1 + 4


def test_not_an_observation_file(tmp_path):
    p = write(tmp_path, H("     3.05           N: GNSS NAV DATA    M", "RINEX VERSION / TYPE"))
    with pytest.raises(FormatError, match="line 1: expected file type 'O'"):
        read_obs(p)


def test_crlf_line_endings(tmp_path, small):
    p = tmp_path / "crlf.rnx"
    p.write_bytes(small.read_bytes().replace(b"\n", b"\r\n"))
    a, b = read_obs(small), read_obs(p)
    assert np.array_equal(a.code_m, b.code_m, equal_nan=True) and np.array_equal(a.lli, b.lli)


# --- RINEX 2 -------------------------------------------------------------------------------

HEADER2 = "\n".join(
    [
        H("     2.11           OBSERVATION DATA    M (MIXED)", "RINEX VERSION / TYPE"),
        H("     7    L1    L2    C1    P2    P1    S1    S2", "# / TYPES OF OBSERV"),
        H("  2021     4    28    19     0    0.0000000     GPS", "TIME OF FIRST OBS"),
        H("", "END OF HEADER"),
    ]
)


def _sats_line(sats, head):
    lines = [head + "".join(sats[:12])]
    for k in range(12, len(sats), 12):
        lines.append(" " * 32 + "".join(sats[k : k + 12]))
    return lines


def test_rinex2_continuation_lines_and_two_line_records(tmp_path, kernel_backend):
    sats = ["G15", "G19", " 01", "G17", "G02", "G12", "R15", "G30", "G13", "G28", "R19", "R18", "E07", "E30"]
    lines = _sats_line(sats, " 21  4 28 19  0  0.0000000  0 14")
    for k, _ in enumerate(sats):
        lines.append(
            F(122610995.213 + k, " ", "7") + F(95540973.904) + F(23332073.875 + k) + F(23332083.105) + F()
        )
        lines.append(F(42.2) + F(37.8))
    # Galileo has no band 2: the (synthetic) L2/P2/S2 values of E07/E30 cannot be placed, and say so
    with pytest.warns(KompasWarning, match=r"system E observation types \['L2', 'P2', 'S2'\]"):
        obs = read_obs(write(tmp_path, "\n".join([HEADER2, *lines]), "t.21o"))
    assert obs.n_epochs == 1
    expected = [
        "G15",
        "G19",
        "G01",
        "G17",
        "G02",
        "G12",
        "R15",
        "G30",
        "G13",
        "G28",
        "R19",
        "R18",
        "E07",
        "E30",
    ]
    assert set(obs.sat.tolist()) == set(sat_index(expected).tolist())
    g01 = obs.select(sats=["G01"])  # blank system letter in a mixed RINEX 2 file is GPS
    sig = {s: i for i, s in enumerate(g01.signal.tolist())}
    r1c, r2w = sig[int(signal_id("1C"))], sig[int(signal_id("2W"))]
    assert g01.phase_cyc[r1c] == 122610995.213 + 2 and g01.ssi[r1c] == 7
    assert g01.code_m[r1c] == 23332073.875 + 2  # C1 -> C1C
    assert g01.code_m[r2w] == 23332083.105  # P2 -> C2W
    assert g01.phase_cyc[r2w] == 95540973.904  # L2 -> L2W
    assert g01.cn0_dbhz[r1c] == pytest.approx(42.2) and g01.cn0_dbhz[r2w] == pytest.approx(37.8)
    assert int(signal_id("1W")) not in sig  # P1 blank everywhere: no row
    # GLONASS P2/L2 map to 2P, Galileo L1 to 1X
    assert int(signal_id("2P")) in obs.select(sats=["R15"]).signal.tolist()
    assert int(signal_id("1X")) in obs.select(sats=["E07"]).signal.tolist()
    if importlib.util.find_spec("xarray"):  # Galileo's codes after its unplaceable L2 keep their values
        ds = obs.to_xarray()
        e07 = ds.sv.values.tolist().index("E07")
        assert ds.C1.values[0, e07] == 23332073.875 + 12 and ds.S1.values[0, e07] == pytest.approx(42.2)


def test_rinex2_band_5_of_gps_qzss_and_sbas_is_the_5x_signal(tmp_path):
    head = "\n".join(
        [
            H("     2.12           OBSERVATION DATA    M (MIXED)", "RINEX VERSION / TYPE"),
            H("     4    C1    L1    C5    L5", "# / TYPES OF OBSERV"),
            H("  2021     4    28    19     0    0.0000000     GPS", "TIME OF FIRST OBS"),
            H("", "END OF HEADER"),
        ]
    )
    lines = [" 21  4 28 19  0  0.0000000  0  3G01J01S20"]
    lines += [F(20e6 + k) + F(1e8 + k) + F(21e6 + k) + F(9e7 + k) for k in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        obs = read_obs(write(tmp_path, "\n".join([head, *lines]), "t.21o"))
    s1c, s5x = int(signal_id("1C")), int(signal_id("5X"))
    for k, sat in enumerate(("G01", "J01", "S20")):
        one = obs.select(sats=[sat])
        row = {s: i for i, s in enumerate(one.signal.tolist())}
        assert set(row) == {s1c, s5x}, sat
        assert one.code_m[row[s5x]] == 21e6 + k  # C5 -> C5X
        assert one.phase_cyc[row[s5x]] == 9e7 + k  # L5 -> L5X


def test_rinex2_beidou_bands_2_7_6_are_b1i_b2i_b3i_and_navic_is_skipped(tmp_path):
    """RINEX 2.12 files (RTKLIB's convbin) carry BeiDou as C2/L2, C7/L7, C6/L6: B1I, B2I, B3I. They were
    refused whole ("no observation types for system 'C'"), losing the other systems too; a system RINEX 2
    has no codes for (NavIC) is skipped with a warning instead."""
    head = "\n".join(
        [
            H("     2.12           OBSERVATION DATA    M (MIXED)", "RINEX VERSION / TYPE"),
            H("     5    C2    L2    C7    C6    L6", "# / TYPES OF OBSERV"),
            H("  2021     4    28    19     0    0.0000000     GPS", "TIME OF FIRST OBS"),
            H("", "END OF HEADER"),
        ]
    )
    lines = [" 21  4 28 19  0  0.0000000  0  3C20G01I02"]
    lines += [F(20e6 + k) + F(1e8 + k) + F(21e6 + k) + F(22e6 + k) + F(9e7 + k) for k in range(3)]
    with pytest.warns(KompasWarning) as seen:
        obs = read_obs(write(tmp_path, "\n".join([head, *lines]), "t.21o"))
    said = " ".join(str(w.message) for w in seen)
    assert (
        "system I observation types ['C2', 'L2', 'C7', 'C6', 'L6'] map to no" in said
        and "system G observation types ['C7', 'C6', 'L6']" in said
    )
    assert set(obs.sat.tolist()) == set(sat_index(["C20", "G01"]).tolist())
    c20 = obs.select(sats=["C20"])
    row = {s: i for i, s in enumerate(c20.signal.tolist())}
    assert set(row) == {int(signal_id(x)) for x in ("2I", "7I", "6I")}
    assert c20.code_m[row[int(signal_id("2I"))]] == 20e6 and c20.phase_cyc[row[int(signal_id("2I"))]] == 1e8
    assert c20.code_m[row[int(signal_id("7I"))]] == 21e6
    assert c20.code_m[row[int(signal_id("6I"))]] == 22e6 and c20.phase_cyc[row[int(signal_id("6I"))]] == 9e7


@pytest.mark.skipif(not importlib.util.find_spec("xarray"), reason="xarray not installed")
def test_joined_rinex2_files_export_the_codes_of_every_file(tmp_path):
    """Two RINEX 2 files of one receiver, the second with S1 S2 as well: the joined table's xarray export
    has S1 (it kept the first file's codes only)."""
    from kompas.tables.obs import ObsTable

    def part(name, types, minute, values):
        head = "\n".join(
            [
                H("     2.11           OBSERVATION DATA    G (GPS)", "RINEX VERSION / TYPE"),
                H(f"{len(types):6d}" + "".join(f"{t:>6}" for t in types), "# / TYPES OF OBSERV"),
                H(f"  2021     4    28    19    {minute:2d}    0.0000000     GPS", "TIME OF FIRST OBS"),
                H("", "END OF HEADER"),
            ]
        )
        body = [f" 21  4 28 19 {minute:2d}  0.0000000  0  1G01", "".join(F(v) for v in values)]
        return read_obs(write(tmp_path, "\n".join([head, *body]), name))

    a = part("a.21o", ["L1", "C1", "P2"], 0, [1e8, 2e7, 2.1e7])
    b = part("b.21o", ["L1", "C1", "S1"], 1, [1e8 + 1, 2e7 + 1, 45.0])
    ds = ObsTable.concat([a, b]).to_xarray()
    assert ds.S1.values[1, 0] == pytest.approx(45.0) and np.isnan(ds.S1.values[0, 0])
    assert ds.P2.values[0, 0] == 2.1e7 and np.isnan(ds.P2.values[1, 0])  # the first file's codes stay too
    assert ds.C1.values[:, 0].tolist() == [2e7, 2e7 + 1]


def test_rinex2_glonass_file_time_system_defaults_to_glo_utc(tmp_path):
    head = "\n".join(
        [
            H("     2.11           OBSERVATION DATA    R (GLONASS)", "RINEX VERSION / TYPE"),
            H("     7    L1    L2    C1    P2    P1    S1    S2", "# / TYPES OF OBSERV"),
            H("  2010     3     5     0     0    0.0000000", "TIME OF FIRST OBS"),
            H("", "END OF HEADER"),
        ]
    )
    lines = [
        " 10  3  5  0  0 30.0000000  0  1R19",
        F(1.0) + F(2.0) + F(3.0) + F(4.0) + F(5.0),
        F(6.0) + F(7.0),
    ]
    obs = read_obs(write(tmp_path, "\n".join([head, *lines]), "t.10o"))
    assert obs.header.time_system == "GLO"
    # GLO is the GLONASS UTC time system (RINEX 2.11 Table A1: "GLO (=UTC time system)"), not GLONASS
    # system time (UTC + 3 h); GPST - UTC = 15 s in March 2010
    assert obs.epoch_time_ns[0] == int(gtime_from_calendar(2010, 3, 5, 0, 0, 45))


def test_rinex2_event_flag_and_cycle_slip_records(tmp_path):
    lines = [
        " 21  4 28 19  0  0.0000000  0  1G15",
        F(1.0) + F(2.0) + F(3.0) + F(4.0) + F(5.0),
        F(6.0) + F(7.0),
        "                            4  1",
        H("SOMETHING HAPPENED", "COMMENT"),
        " 21  4 28 19  0 10.0000000  6  1G15",
        F(1.0, "1") + F(2.0, "1"),
        "",
        " 21  4 28 19  0 30.0000000  0  1G15",
        F(11.0) + F(12.0) + F(13.0) + F(14.0) + F(15.0),
        F(16.0) + F(17.0),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        obs = read_obs(write(tmp_path, "\n".join([HEADER2, *lines]), "t.21o"))
    assert obs.n_epochs == 2
    assert [e[1] for e in obs.events] == [4, 6]
    assert sorted(obs.code_m[obs.epoch_rows(1)].tolist()) == [13.0, 14.0, 15.0]


@pytest.mark.parametrize("block", [64, 150, 997])
def test_block_boundaries_do_not_change_the_result(tmp_path, monkeypatch, block):
    """The reader streams the file in blocks; any block size must give the same table and lines."""
    import kompas.io.readers.rinex_obs as ro

    lines2 = [
        " 21  4 28 19  0  0.0000000  0  1G15",
        F(1.0) + F(2.0) + F(3.0) + F(4.0) + F(5.0),
        F(6.0) + F(7.0),
    ]
    lines2 += [" 21  4 28 19  0 30.0000000  0  1G15", F(11.0) + F(12.0), F(16.0) + F(17.0)]
    for name, text in (
        ("b3.rnx", "\n".join([HEADER3, *EPOCH1, *EVENT, *EPOCH2])),
        ("b2.21o", "\n".join([HEADER2, *lines2])),
    ):
        p = write(tmp_path, text, name)
        whole = read_obs(p)
        monkeypatch.setattr(ro, "_BLOCK", block)
        parts = read_obs(p)
        monkeypatch.undo()
        for f in (
            "time_ns",
            "sat",
            "signal",
            "code_m",
            "phase_cyc",
            "lli",
            "ssi",
            "epoch_time_ns",
            "epoch_offsets",
        ):
            assert np.array_equal(getattr(whole, f), getattr(parts, f), equal_nan=True), (name, f)
        assert [e[:2] for e in whole.events] == [e[:2] for e in parts.events]
    # an error found in a later block still names the right line of the file
    bad = EPOCH2.copy()
    bad[1] = "R01" + "  19876x43.210  "
    p = write(tmp_path, "\n".join([HEADER3, *EPOCH1, *EVENT, *bad]), "bad.rnx")
    monkeypatch.setattr(ro, "_BLOCK", block)
    with pytest.raises(FormatError, match="line 19: observation field 1"):
        read_obs(p)


def _with_records(*records, version="     3.05           OBSERVATION DATA    M"):
    lines = HEADER3.split("\n")
    lines[0] = H(version, "RINEX VERSION / TYPE")
    return "\n".join([lines[0], *records, *lines[1:], *EPOCH1])


def test_an_epoch_of_a_hundred_satellites(tmp_path):
    # the I3 count of columns 33-35 with all three digits
    sats = [f"G{p:02d}" for p in range(1, 33)] + [f"E{p:02d}" for p in range(1, 37)]
    sats += [f"C{p:02d}" for p in range(1, 33)]
    records = [s + F(20_000_000.0 + k) for k, s in enumerate(sats)]
    types = (H("G    1 C1C", "SYS / # / OBS TYPES"), H("E    1 C1C", "SYS / # / OBS TYPES"))
    text = _with_records(*types).replace(
        "\n".join(EPOCH1), "\n".join(["> 2020 06 25 00 00  0.0000000  0100", *records])
    )
    obs = read_obs(write(tmp_path, text))
    assert obs.n_epochs == 1 and len(obs) == 100
    assert sorted(obs.code_m.tolist()) == [20_000_000.0 + k for k in range(100)]


CPB = (("C1C", "-71.940"), ("C1P", ""), ("C2C", "-71.940"), ("C2P", "0.000"))  # 4 x (1X, A3, 1X, F8.3)


def test_header_records_program_phase_shifts_scale_factors_and_glonass_biases(tmp_path):
    path = write(
        tmp_path,
        _with_records(
            H("sbf2rin-13.4.5       KOMPAS TEST         20200626 000000 UTC", "PGM / RUN BY / DATE"),
            H("C L2I -0.25000  02 C19 C01", "SYS / PHASE SHIFT"),
            H("C L6I  0.50000  12 C01 C02 C03 C04 C05 C06 C07 C08 C09 C10", "SYS / PHASE SHIFT"),
            H("                   C11 C12", "SYS / PHASE SHIFT"),  # 18X, 10(1X, A3): continued
            H("G L1C", "SYS / PHASE SHIFT"),  # blank shift: 0
            H("C  100   1 C2I", "SYS / SCALE FACTOR"),
            H("".join(f" {c} {v:>8s}" for c, v in CPB), "GLONASS COD/PHS/BIS"),
            H("Automatic           BKG-GOWettzell" + " " * 25 + "X", "OBSERVER / AGENCY"),  # a full field
            H("  converted by hand", "COMMENT"),
            H("    30.000", "COMMENT"),  # text, whatever it looks like
        ),
    )
    h = read_obs(path).header
    assert h.comments == ("  converted by hand", "    30.000")
    assert (h.program, h.run_by, h.date) == ("sbf2rin-13.4.5", "KOMPAS TEST", "20200626 000000 UTC")
    assert (h.observer, h.agency) == ("Automatic", "BKG-GOWettzell                         X")  # to column 60
    twelve = tuple(f"C{p:02d}" for p in range(1, 13))
    assert h.phase_shifts == (
        ("C", "L2I", -0.25, ("C19", "C01")),
        ("C", "L6I", 0.5, twelve),
        ("G", "L1C", 0.0, ()),
    )
    assert h.scale_factors == {("C", "C2I"): 100.0}
    assert h.glonass_cpb_m["C1C"] == -71.94 and h.glonass_cpb_m["C2P"] == 0.0
    assert isinstance(h.glonass_cpb_m["C1P"], float) and np.isnan(h.glonass_cpb_m["C1P"])  # blank: unknown


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (H("C  1x0   1 C2I", "SYS / SCALE FACTOR"), "line 2: scale factor"),
        (H(" C1C  -71.9x0", "GLONASS COD/PHS/BIS"), "line 2: GLONASS code-phase bias C1C"),
        (H("    3x.000", "INTERVAL"), "line 2: INTERVAL: expected"),
        (H("    1x", "LEAP SECONDS"), "line 2: LEAP SECONDS: expected"),
        (H("  4789028.4x01  176610.0133 4195017.0310", "APPROX POSITION XYZ"), "line 2: APPROX POSITION XYZ"),
        (H("     1     x", "WAVELENGTH FACT L1/2"), "line 2: L2 wavelength factor"),
        (H("     y     1", "WAVELENGTH FACT L1/2"), "line 2: L1 wavelength factor"),
    ],
)
def test_header_errors_name_the_line_and_the_field(tmp_path, record, message):
    with pytest.raises(FormatError, match=message):
        read_obs(write(tmp_path, _with_records(record)))


def test_a_header_without_observation_types_is_refused(tmp_path):
    no_types = "\n".join(ln for ln in HEADER3.split("\n") if "OBS TYPES" not in ln)
    with pytest.raises(FormatError, match=r"line 8: header has no 'SYS / # / OBS TYPES' record$"):
        read_obs(write(tmp_path, no_types))
    v2 = H("     2.11           OBSERVATION DATA    G (GPS)", "RINEX VERSION / TYPE")
    with pytest.raises(FormatError, match=r"line 2: header has no '# / TYPES OF OBSERV' record$"):
        read_obs(write(tmp_path, "\n".join([v2, H("", "END OF HEADER")])))
    assert read_obs(write(tmp_path, HEADER3)).header.n_lines == 10  # the lines of the header


def test_versions_and_first_record_checked(tmp_path):
    with pytest.raises(FormatError, match="line 1: unsupported RINEX version 5.0"):
        read_obs(write(tmp_path, _with_records(version="     5.00           OBSERVATION DATA    M")))
    read_obs(write(tmp_path, _with_records(version="     4.02           OBSERVATION DATA    M")))
    text = _with_records().split("\n", 1)[1]  # no version record first
    with pytest.raises(FormatError, match="expected 'RINEX VERSION / TYPE' as the first header record"):
        read_obs(write(tmp_path, text))


def test_the_first_signal_of_the_table_is_read_too(tmp_path):
    # Galileo E1 A (PRS) has signal id 0: rows of it are kept like any other
    text = "\n".join(
        [
            H("     3.05           OBSERVATION DATA    M", "RINEX VERSION / TYPE"),
            H("E    2 C1A C1C", "SYS / # / OBS TYPES"),
            H("  2020     6    25     0     0    0.0000000     GPS", "TIME OF FIRST OBS"),
            H("", "END OF HEADER"),
            "> 2020 06 25 00 00  0.0000000  0  1",
            "E11" + F(23456789.125) + F(23456788.5),
        ]
    )
    obs = read_obs(write(tmp_path, text))
    assert signal_id(["1A"]).tolist() == [0]
    assert obs.signal.tolist() == signal_id(["1A", "1C"]).tolist()
    assert obs.code_m.tolist() == [23456789.125, 23456788.5]


def test_polars_export_is_the_pandas_long_table(small):
    # ARCHITECTURE.md: .to_pandas(), .to_polars(), .to_xarray(); the same columns, values and NaN
    obs = read_obs(small)
    pd_, pl_ = obs.to_pandas(), obs.to_polars()
    assert pl_.columns == list(pd_.columns) and pl_.height == len(pd_) == len(obs)
    for c in pd_.columns:
        np.testing.assert_array_equal(pl_[c].to_numpy(), pd_[c].to_numpy(), err_msg=c)
    assert np.isnan(pl_["phase_cyc"].to_numpy()).any() and pl_["phase_cyc"].null_count() == 0  # NaN, not null
