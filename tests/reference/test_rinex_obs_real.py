"""Observation files of ../shared/data: satellites per system and epochs as MANIFEST.md states them,
values copied by eye from the files, and what happens to every malformed file in edge_cases/."""

import contextlib
import warnings

import numpy as np
import pytest

from kompas import FormatError, gtime_from_calendar, read_obs, sat_index
from kompas.errors import FormatWarning, KompasWarning
from kompas.satsys import signal_id

# file, epochs, satellites per system (MANIFEST.md)
MANIFEST = [
    ("A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz", 2880, dict(G=31, R=23, E=22, C=29, J=3, S=5)),
    ("A_2020-177_ESBC_WTZR/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx", 120, dict(G=11, R=10, E=10, C=8, I=4, S=3)),
    ("A_2020-177_ESBC_WTZR/WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx", 120, dict(G=11, R=11, E=10, C=14, I=5, S=7)),
    ("B_2024-124_NYA1/NYA100NOR_S_20241240000_01D_30S_MO.crx.gz", 2880, dict(G=31, R=24, E=23, C=18)),
    ("C_2024-209_AJAC/AJAC00FRA_R_20242090000_01D_30S_MO.crx.gz", 2880, dict(G=31, R=24, E=23, C=41, S=3)),
    ("D_2026-120_PASA_SCOA_rtk/PASA00ESP_R_20261201000_02H_30S_MO.rnx", 240, dict(G=11, R=12, E=11, C=15, S=3)),
    ("D_2026-120_PASA_SCOA_rtk/SCOA00FRA_R_20261201000_02H_30S_MO.rnx", 240, dict(G=14, R=13, E=12, C=18, S=3)),
    ("E_2026-133_ZIM2/ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx", 120, dict(G=14, R=12, E=12, C=13, S=3)),
    ("F_2022-159_KMS3_rinex4/KMS300DNK_R_20221591000_01H_30S_MO.crx", 19, dict(G=10, R=9, E=9, C=15, J=1, S=7)),
    ("G_2021-118_SLAC_rinex2/slac1180.21o", 241, dict(G=13, R=9, E=8)),
    ("H_extra_multignss/CEBR00ESP_R_20182000000_01D_30S_MO.crx.gz", 2880, dict(G=32, R=25, E=20, C=19, S=5)),
    ("H_extra_multignss/GRAS00FRA_R_20223151700_15M_01S_MO.crx.gz", 900, dict(G=10, R=9, E=8, C=9, S=1)),
    ("H_extra_multignss/P43300USA_R_20190012056_17M_15S_MO.crx.bz2", 70, dict(G=11, R=8, E=7, C=7, S=4)),
    ("rinex2_hatanaka/delf0010.21o", 105, dict(G=14, R=10)),
    ("rinex2_hatanaka/delf0010.21d", 105, dict(G=14, R=10)),
    ("rinex2_hatanaka/AJAC3550.21O", 2, dict(G=9, R=7, E=8, S=2)),
    ("rinex2_hatanaka/ACOR00ESP_R_20213550000_01D_30S_MO.crx", 25, dict(G=10, R=6, E=8, C=14)),
    ("rinex2_hatanaka/algo0010_2015001_v1_trim.crx", 2, dict(G=12, R=8)),
    ("rinex2_hatanaka/ac660270.18o.Z", 23, dict(G=13, R=11)),
    ("rinex2_hatanaka/york0440.15d", 2880, dict(G=30)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "epochs", "per_system"), MANIFEST, ids=[m[0].split("/")[-1] for m in MANIFEST]
)
def test_counts_match_manifest(kompas_data, name, epochs, per_system):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a real file must read without complaint
        obs = read_obs(kompas_data / name)
    assert obs.n_epochs == epochs
    got = {s: len(np.unique(obs.select(systems=s).sat)) for s in obs.systems}
    assert got == per_system
    assert np.all(np.diff(obs.time_ns) >= 0)


def test_crinex_equals_plain(kompas_data):
    a = read_obs(kompas_data / "rinex2_hatanaka/ACOR00ESP_R_20213550000_01D_30S_MO.crx")
    b = read_obs(kompas_data / "rinex2_hatanaka/ACOR00ESP_R_20213550000_01D_30S_MO.rnx")
    for f in ("time_ns", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli", "ssi"):
        assert np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True), f


def _row(obs, sat, sig, epoch=0):
    s = obs.epoch_rows(epoch)
    m = (obs.sat[s] == sat_index(sat)) & (obs.signal[s] == signal_id(sig))
    (i,) = np.flatnonzero(m)
    return s.start + i


def test_wtzz_first_epoch_by_eye(kompas_data, kernel_backend):
    """Values read off WTZZ00DEU...rnx, first epoch (2020-06-25 00:00:00 GPST), C23, S44 and R10."""
    obs = read_obs(kompas_data / "A_2020-177_ESBC_WTZR/WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx")
    assert obs.epoch_time_ns[0] == int(gtime_from_calendar(2020, 6, 25))
    r = _row(obs, "C23", "1X")  # BDS-3 B1C
    assert (obs.code_m[r], obs.phase_cyc[r], obs.doppler_hz[r]) == (23480997.465, 123393431.324, -2182.444)
    assert obs.cn0_dbhz[r] == 51.0 and obs.ssi[r] == 8
    r = _row(obs, "C23", "2I")  # B1I
    assert (obs.code_m[r], obs.phase_cyc[r]) == (23480999.229, 122271742.560)
    # B2I: every C7I/L7I/D7I/S7I field of C23 is blank, so there is no row at all
    e0 = obs.epoch_rows(0)
    assert not np.any((obs.sat[e0] == sat_index("C23")) & (obs.signal[e0] == signal_id("7I")))
    r = _row(obs, "C23", "7Z")  # B2b
    assert (obs.code_m[r], obs.phase_cyc[r]) == (23480990.871, 94548268.941)
    r = _row(obs, "S44", "1C")
    assert (obs.code_m[r], obs.phase_cyc[r], obs.ssi[r]) == (40948493.764, 215185837.448, 6)
    assert obs.cn0_dbhz[r] == 41.25
    r = _row(obs, "R10", "1P")
    assert (obs.code_m[r], obs.phase_cyc[r], obs.doppler_hz[r]) == (20362706.735, 108544706.784, -2609.210)
    assert obs.header.glonass_channels.channel([10, 24, 26]).tolist() == [-7, 2, -6]


def test_slac_rinex2_by_eye(kompas_data):
    """slac1180.21o first record (G15): L1 L2 C1 P2 P1 / S1 S2 C2 ..."""
    obs = read_obs(kompas_data / "G_2021-118_SLAC_rinex2/slac1180.21o")
    assert obs.header.leap_seconds == 18 and obs.header.interval_s == 30.0
    assert obs.epoch_time_ns[0] == int(gtime_from_calendar(2021, 4, 28, 19))
    r = _row(obs, "G15", "1C")
    assert (obs.phase_cyc[r], obs.ssi[r], obs.code_m[r]) == (122610995.213, 7, 23332073.875)
    assert obs.cn0_dbhz[r] == pytest.approx(42.2)
    r = _row(obs, "G15", "2W")
    assert (obs.phase_cyc[r], obs.ssi[r], obs.code_m[r]) == (95540973.904, 6, 23332083.105)
    r = _row(obs, "G15", "2X")
    assert obs.code_m[r] == 23332082.176 and np.isnan(obs.phase_cyc[r])


def test_backends_agree_on_a_full_file(kompas_data):
    from kompas._kernels import numba_available, use

    if not numba_available():
        pytest.skip("numba is not installed")
    path = kompas_data / "D_2026-120_PASA_SCOA_rtk/PASA00ESP_R_20261201000_02H_30S_MO.rnx"
    with use("numpy"):
        a = read_obs(path)
    with use("numba"):
        b = read_obs(path)
    for f in ("time_ns", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli", "ssi"):
        assert np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True), f


# --- edge cases: what happens to each malformed file --------------------------------------------

ERRORS = [
    ("badtime.10o", 3, "second"),  # the header's TIME OF FIRST OBS already has a blank inside its seconds
    ("junk_time_obs3.10o", 10, "number of satellites"),  # '> 23 29': not an epoch record
    ("wrong_obs2_count.10o", 2, "6 observation types declared, 7 listed"),
    ("regression-rinex-obs-char-boundary.rnx", 6, "expected an epoch record"),  # record broken over two lines
    ("regression-crinex-v1-char-boundary.crx", 4, "number of satellites"),  # multibyte char in the epoch line
    ("regression-crinex-v3-char-boundary.crx", None, "Hatanaka decompression failed"),
]


@pytest.mark.parametrize(("name", "line", "what"), ERRORS, ids=[e[0] for e in ERRORS])
def test_edge_case_errors(kompas_data, name, line, what):
    with pytest.raises(FormatError, match=what) as exc:
        read_obs(kompas_data / "edge_cases" / name)
    assert exc.value.line == line
    assert exc.value.path.endswith(name)


def test_an_error_quotes_the_line_as_text_not_bytes(kompas_data):
    with pytest.raises(FormatError) as exc:
        read_obs(kompas_data / "edge_cases" / "regression-rinex-obs-char-boundary.rnx")
    assert "found '         4005.00056 '" in str(exc.value) and "b'" not in str(exc.value)


@pytest.mark.parametrize(
    "name", ["blank.10o", "blank1st.10o", "blank3.10o", "rinex_qc_repair_roundtrip-zero-interval-unknown.rnx"]
)
def test_edge_case_header_only(kompas_data, name):
    said = r"blank1st\.10o, line 1: blank lines before the header: 1 blank"  # skipped, and said
    with pytest.warns(FormatWarning, match=said) if name == "blank1st.10o" else contextlib.nullcontext():
        obs = read_obs(kompas_data / "edge_cases" / name)
    assert len(obs) == 0 and obs.n_epochs == 0
    assert obs.header.interval_s is None  # 'INTERVAL 0.000' means unknown, not zero


def test_edge_case_default_time_systems(kompas_data):
    # RINEX 2 GLONASS file without a time system: GLO, the GLONASS UTC time system (RINEX 2.11 Table
    # A1), not GLONASS system time (UTC + 3 h); 15 leap seconds in 2010
    glo = read_obs(kompas_data / "edge_cases/default_time_system2.10o")
    assert glo.header.time_system == "GLO"
    assert glo.epoch_time_ns[0] == int(gtime_from_calendar(2010, 3, 5, 0, 0, 45))
    # RINEX 3 Galileo file: GST = GPST
    gal = read_obs(kompas_data / "edge_cases/default_time_system3.10o")
    assert gal.header.time_system == "GAL"
    assert gal.epoch_time_ns[0] == int(gtime_from_calendar(2010, 3, 5, 0, 0, 30))


def test_edge_case_one_satellite_with_clock_offsets(kompas_data):
    # RINEX 2.11 Table A1: its second WAVELENGTH FACT L1/2 record gives G14, G18, G19 half-cycle L2
    with pytest.warns(KompasWarning, match=r"line 16: WAVELENGTH FACT L1/2 declares half-cycle phases "
                      r"\(L2 of G14 G18 G19\), which are processed as full-cycle"):  # fmt: skip
        obs = read_obs(kompas_data / "edge_cases/rinex2onesat.10o")
    assert obs.n_epochs == 2 and obs.systems == "G"
    assert obs.epoch_clock_s.tolist() == [-0.12345, -0.12345]
    # APPROX POSITION written in 15-column fields by this writer
    np.testing.assert_array_equal(obs.header.approx_position_m, [4789028.4701, 176610.0133, 4195017.0310])


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_hatanaka_keeps_complete_epochs(kompas_data, tmp_path, compress):
    import gzip

    from kompas.errors import TruncatedFileWarning

    src = kompas_data / "rinex2_hatanaka/ACOR00ESP_R_20213550000_01D_30S_MO.crx"
    full = read_obs(src)
    raw = src.read_bytes()
    data = gzip.compress(raw)[: len(gzip.compress(raw)) // 2] if compress else raw[: len(raw) // 2]
    p = tmp_path / ("cut.crx.gz" if compress else "cut.crx")
    p.write_bytes(data)
    with pytest.warns(TruncatedFileWarning):
        part = read_obs(p)
    assert 0 < part.n_epochs < full.n_epochs
    n = len(part)
    for f in ("time_ns", "sat", "signal", "code_m", "phase_cyc"):
        assert np.array_equal(getattr(part, f), getattr(full, f)[:n], equal_nan=True), f


@pytest.mark.parametrize(("version", "band"), [("3.02", "2"), ("3.03", "1")])
def test_rinex_302_beidou_b1_codes_are_b1i(kompas_data, tmp_path, version, band):
    # RINEX 3.02 alone wrote BeiDou B1I as C1I/L1I (3.01 and 3.03 on: C2I; IGS RINEX 3.03 release notes):
    # WTZR's BeiDou types renamed so, its B1I codes are read as B1I from a 3.02 file (they were band 1, B1C's
    # frequency, and lost to B1I users) and stay band 1 in a 3.03 file
    src = (
        kompas_data / "A_2020-177_ESBC_WTZR" / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
    ).read_text()
    head, body = src.split("END OF HEADER", 1)
    head = head.replace(
        "     3.03           OBSERVATION DATA", f"     {version}           OBSERVATION DATA", 1
    )
    head = head.replace(
        "C   12 C2I C6I C7I D2I D6I D7I L2I L6I L7I S2I S6I S7I",
        "C   12 C1I C6I C7I D1I D6I D7I L1I L6I L7I S1I S6I S7I",
    )
    (tmp_path / "w.rnx").write_text(head + "END OF HEADER" + body)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)
        got = read_obs(tmp_path / "w.rnx")
    want = read_obs(kompas_data / "A_2020-177_ESBC_WTZR" / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx")
    c = got.sat // 100 == want.sat[want.sat // 100 == 4][0] // 100
    assert int(np.sum(got.signal[c] == signal_id(f"{band}I"))) == int(np.sum(want.signal == signal_id("2I")))
    if band == "2":
        np.testing.assert_array_equal(got.code_m, want.code_m)
        np.testing.assert_array_equal(got.signal, want.signal)
