"""RINEX 3.05 observation writer on a hand-made ObsTable (expected lines typed by hand from the spec)."""

import datetime as dt
import gzip
import io
import warnings
from dataclasses import replace

import numpy as np
import pytest

from kompas import GlonassChannels, KompasError, ObsTable, gtime_from_calendar, read_obs, sat_index
from kompas.errors import KompasWarning
from kompas.io.writers.rinex_obs import obs_types_of, write_obs
from kompas.satsys import signal_id
from kompas.tables.obs import ObsHeader

NAN = np.nan
T0 = int(gtime_from_calendar(2020, 6, 25, 0, 0, 0.0, scale="GPST"))
T1 = T0 + 30 * 10**9
NOW = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def table() -> ObsTable:
    # rows sorted by time, satellite index (R < C), signal
    rows = [
        # time, sat, signal, code, phase, doppler, cn0, lli, ssi
        (T0, "R01", "1C", 19876543.21, 106234567.89, 1234.567, 50.25, 0, 8),
        (T0, "C19", "2I", 21869370.383, 113880453.03, -2013.154, 45.0, 0, 7),
        (T0, "C19", "6I", 21869364.123, NAN, NAN, NAN, 1, 6),  # LLI without a phase value
        (T1, "G05", "1C", -0.5, -12345.678, NAN, NAN, 4, 9),
    ]
    t, s, g, c, p, d, n, lli, ssi = zip(*rows, strict=True)
    hdr = ObsHeader(
        version=3.05,
        system="M",
        marker_name="TEST",
        marker_number="12345M001",
        observer="ME",
        agency="KOMPAS",
        receiver_number="1",
        receiver_type="SEPT POLARX5",
        receiver_version="5.2.0",
        antenna_number="7",
        antenna_type="ASH701945E_M    SCIS",
        approx_position_m=np.array([4075580.3111, 931854.0543, 4801568.2808]),
        antenna_delta_hen_m=np.array([0.071, 0.0, 0.0]),
        glonass_channels=GlonassChannels({1: 1, 2: -4}),
        glonass_cpb_m={"C1C": -71.94, "C1P": -71.94, "C2C": NAN, "C2P": -71.94},
        signal_strength_unit="DBHZ",
        leap_seconds=18,
    )
    return ObsTable(
        time_ns=np.array(t, np.int64),
        sat=sat_index(list(s)).astype(np.int16),
        signal=np.asarray(signal_id(list(g)), np.uint8),
        code_m=np.array(c),
        phase_cyc=np.array(p),
        doppler_hz=np.array(d),
        cn0_dbhz=np.array(n, np.float32),
        lli=np.array(lli, np.uint8),
        ssi=np.array(ssi, np.uint8),
        epoch_time_ns=np.array([T0, T1], np.int64),
        epoch_offsets=np.array([0, 3, 4], np.int64),
        epoch_flag=np.array([0, 1], np.uint8),
        epoch_clock_s=np.array([NAN, 1.23456e-7]),
        header=hdr,
    )


def written(tmp_path, obs=None, **kw) -> tuple[list[str], object]:
    p = tmp_path / "out.rnx"
    write_obs(table() if obs is None else obs, p, _now=NOW, **kw)
    return p.read_text().split("\n"), p


def test_body_lines_by_hand(tmp_path):
    lines, _ = written(tmp_path)
    body = lines[lines.index(" " * 60 + "END OF HEADER       ") + 1 :]
    assert body == [
        "> 2020 06 25 00 00  0.0000000  0  2",
        "R01  19876543.210   106234567.890 8      1234.567          50.250",
        "C19  21869370.383   113880453.030 7     -2013.154          45.000    21869364.123 6"
        + " " * 14  # L6I: blank value, then its LLI
        + "1",
        "> 2020 06 25 00 00 30.0000000  1  1       0.000000123456",
        "G05        -0.500      -12345.67849",
        "",
    ]


def test_header_lines_by_hand(tmp_path):
    lines, _ = written(tmp_path)
    head = lines[: lines.index(" " * 60 + "END OF HEADER       ") + 1]
    assert all(len(x) == 80 for x in head)
    assert head[0] == "     3.05           OBSERVATION DATA    M: Mixed            RINEX VERSION / TYPE"
    assert head[1].startswith("kompas" + " " * 34 + "20240102 030405 UTC PGM / RUN BY / DATE")
    assert "G    2 C1C L1C" + " " * 46 + "SYS / # / OBS TYPES " in head
    assert "R    4 C1C L1C D1C S1C" + " " * 38 + "SYS / # / OBS TYPES " in head
    assert "C    6 C2I L2I D2I S2I C6I L6I" + " " * 30 + "SYS / # / OBS TYPES " in head
    assert "  2020     6    25     0     0    0.0000000     GPS         TIME OF FIRST OBS   " in head
    assert "  2020     6    25     0     0   30.0000000     GPS         TIME OF LAST OBS    " in head
    assert "  2 R01  1 R02 -4 " + " " * 42 + "GLONASS SLOT / FRQ # " in [x + " " for x in head]
    assert " C1C  -71.940 C1P  -71.940 C2C          C2P  -71.940        GLONASS COD/PHS/BIS " in head
    assert "    30.000" + " " * 50 + "INTERVAL            " in head
    assert "    18" + " " * 54 + "LEAP SECONDS        " in head
    assert "  4075580.3111   931854.0543  4801568.2808" + " " * 18 + "APPROX POSITION XYZ " in head
    assert "ASH701945E_M    SCIS" in next(x for x in head if x.endswith("ANT # / TYPE        "))


def test_round_trip_hand_table(tmp_path):
    obs = table()
    _, p = written(tmp_path)
    back = read_obs(p)
    for f in ("time_ns", "sat", "signal", "lli", "ssi", "epoch_time_ns", "epoch_offsets", "epoch_flag"):
        np.testing.assert_array_equal(getattr(back, f), getattr(obs, f), err_msg=f)
    for f in ("code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "epoch_clock_s"):
        np.testing.assert_array_equal(getattr(back, f), getattr(obs, f), err_msg=f)
    h = back.header
    assert h.marker_name == "TEST" and h.marker_number == "12345M001"
    assert h.receiver_type == "SEPT POLARX5" and h.antenna_type == "ASH701945E_M    SCIS"
    assert h.glonass_channels == GlonassChannels({1: 1, 2: -4})
    assert h.glonass_cpb_m["C1C"] == -71.94 and np.isnan(h.glonass_cpb_m["C2C"])
    assert h.glonass_cpb_m["C1P"] == -71.94 and h.glonass_cpb_m["C2P"] == -71.94  # every field of the line
    assert h.leap_seconds == 18 and h.interval_s == 30.0 and h.signal_strength_unit == "DBHZ"
    assert h.time_of_first_obs_ns == T0 and h.time_of_last_obs_ns == T1
    assert h.obs_types == {"G": ("C1C", "L1C"), "R": ("C1C", "L1C", "D1C", "S1C"),
                           "C": ("C2I", "L2I", "D2I", "S2I", "C6I", "L6I")}  # fmt: skip


def test_obs_types_order_and_lli_only_phase():
    types = obs_types_of(table())
    assert list(types) == ["G", "R", "C"]
    assert types["C"] == ["C2I", "L2I", "D2I", "S2I", "C6I", "L6I"]  # L6I only for its LLI


def test_rounding_to_three_decimals_and_cn0_float32(tmp_path):
    obs = table()
    obs = replace(obs, code_m=obs.code_m + np.array([0.0004, 0.0, 0.0, 0.0]),
                  cn0_dbhz=np.array([50.125, 45.1, NAN, NAN], np.float32))  # fmt: skip
    lines, _ = written(tmp_path, obs)
    assert "R01  19876543.210   106234567.890 8      1234.567          50.125" in lines
    assert any(
        x.startswith("C19  21869370.383   113880453.030 7     -2013.154          45.100") for x in lines
    )


def test_file_objects_and_gzip(tmp_path):
    ref, _ = written(tmp_path)
    buf = io.StringIO()
    write_obs(table(), buf, _now=NOW)
    assert buf.getvalue().split("\n") == ref
    bbuf = io.BytesIO()
    write_obs(table(), bbuf, _now=NOW)
    assert bbuf.getvalue().decode("ascii").split("\n") == ref
    gz = tmp_path / "out.rnx.gz"
    write_obs(table(), gz, _now=NOW)
    assert gzip.decompress(gz.read_bytes()).decode("ascii").split("\n") == ref
    np.testing.assert_array_equal(read_obs(gz).phase_cyc, table().phase_cyc)


def test_values_that_do_not_fit(tmp_path):
    obs = table()
    with pytest.raises(KompasError, match="F14.3"):
        write_obs(replace(obs, phase_cyc=np.array([1e10, 1.0, NAN, 1.0])), tmp_path / "a.rnx")
    with pytest.raises(KompasError, match="F14.3"):
        write_obs(replace(obs, code_m=np.array([-1e9, 1.0, 1.0, 1.0])), tmp_path / "a.rnx")
    # the widest values that fit
    ok = replace(obs, code_m=np.array([9999999999.999, -999999999.999, 1.0, 1.0]))
    lines, _ = written(tmp_path, ok)
    assert any(x.startswith("R019999999999.999  ") for x in lines)
    assert any(x.startswith("C19-999999999.999  ") for x in lines)
    with pytest.raises(KompasError, match="LLI and SSI are single digits 0-9 in RINEX"):
        write_obs(replace(obs, ssi=np.array([10, 0, 0, 0], np.uint8)), tmp_path / "d.rnx")
    bad_t = replace(obs, epoch_time_ns=obs.epoch_time_ns + np.array([0, 50]))
    with pytest.raises(KompasError, match="1e-7"):
        write_obs(bad_t, tmp_path / "b.rnx")
    with pytest.raises(KompasError, match="^program .x+. is longer than the 20 columns of its field"):
        write_obs(obs, tmp_path / "c.rnx", program="x" * 21)


def test_phase_shifts_with_satellites_written_and_read_back(tmp_path):
    obs = table()
    sats = tuple(f"C{p:02d}" for p in range(1, 13))  # 12: a continuation line after the first 10
    shifts = (("C", "L2I", -0.25, sats), ("R", "L1C", 0.0, ()))
    back = read_obs(written(tmp_path, replace(obs, header=replace(obs.header, phase_shifts=shifts)))[1])
    assert ("C", "L2I", -0.25, sats) in back.header.phase_shifts  # (with "unknown" for the others)


def test_events_are_reported(tmp_path):
    obs = replace(table(), events=((5, 4, "", [" " * 60 + "COMMENT"]),))
    with pytest.warns(KompasWarning, match="1 event epochs"):
        write_obs(obs, tmp_path / "e.rnx")


def test_no_header_and_empty_epoch(tmp_path):
    obs = table()
    # a third epoch without any row: written with 0 satellites
    obs = replace(
        obs,
        header=None,
        epoch_time_ns=np.array([T0, T1, T1 + 30 * 10**9], np.int64),
        epoch_offsets=np.array([0, 3, 4, 4], np.int64),
        epoch_flag=np.zeros(3, np.uint8),
        epoch_clock_s=np.full(3, NAN),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lines, p = written(tmp_path, obs)
    assert "> 2020 06 25 00 01  0.0000000  0  0" in lines
    back = read_obs(p)
    assert back.n_epochs == 3 and len(back) == 4


def test_table_without_values_keeps_header_types(tmp_path):
    obs = table().select(systems="G", start_ns=T0, end_ns=T0 + 1)  # epoch 0 has no GPS row
    assert len(obs) == 0 and obs.n_epochs == 1
    with pytest.raises(KompasError, match="nothing to write"):
        write_obs(obs, tmp_path / "x.rnx")
    hdr = replace(obs.header, obs_types={"G": ("C1C", "L1C", "X1")})
    lines, p = written(tmp_path, obs, header=hdr)
    assert "G    2 C1C L1C" + " " * 46 + "SYS / # / OBS TYPES " in lines
    assert "> 2020 06 25 00 00  0.0000000  0  0" in lines
    assert read_obs(p).n_epochs == 1
