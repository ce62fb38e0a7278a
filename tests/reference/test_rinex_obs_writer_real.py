"""RINEX 3.05 observation writer on real files: read -> write -> read gives the same table, and RTKLIB
(rnx2rtkp) solves the written WTZR hour exactly as the original file."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from kompas import gtime_from_calendar, read_obs, sat_index
from kompas.io import read_bytes
from kompas.io.writers.rinex_obs import write_obs
from kompas.satsys import signal_id

SET_A = "A_2020-177_ESBC_WTZR"
WTZR = f"{SET_A}/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
WTZZ = f"{SET_A}/WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
PASA = "D_2026-120_PASA_SCOA_rtk/PASA00ESP_R_20261201000_02H_30S_MO.rnx"
NAV_A = f"{SET_A}/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"

ROW_FIELDS = ("time_ns", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli", "ssi")
EPOCH_FIELDS = ("epoch_time_ns", "epoch_offsets", "epoch_flag", "epoch_clock_s")
HEADER_TEXT = ("marker_name", "marker_number", "marker_type", "observer", "agency", "receiver_number",
               "receiver_type", "receiver_version", "antenna_number", "antenna_type", "signal_strength_unit",
               "leap_seconds", "interval_s", "rcv_clock_offset_applied", "comments", "time_of_first_obs_ns")  # fmt: skip

# (file, epochs, marker) as the file headers and epoch lines say
CASES = [(WTZR, 120, "WTZR"), (WTZZ, 120, "WTZZ00DEU"), (PASA, 240, "PASA00ESP")]


@pytest.mark.parametrize(("name", "n_epochs", "marker"), CASES)
def test_round_trip(kompas_data, tmp_path, name, n_epochs, marker):
    a = read_obs(kompas_data / name)
    out = tmp_path / "out.rnx"
    write_obs(a, out)
    b = read_obs(out)
    assert a.n_epochs == b.n_epochs == n_epochs
    assert len(a) == len(b) > 10_000
    for f in ROW_FIELDS + EPOCH_FIELDS:
        np.testing.assert_array_equal(getattr(b, f), getattr(a, f), err_msg=f)
    for f in HEADER_TEXT:
        assert getattr(b.header, f) == getattr(a.header, f), f
    assert b.header.marker_name == marker and b.header.version == 3.05
    np.testing.assert_array_equal(b.header.approx_position_m, a.header.approx_position_m)
    np.testing.assert_array_equal(b.header.antenna_delta_hen_m, a.header.antenna_delta_hen_m)
    assert b.header.glonass_channels == a.header.glonass_channels and len(b.header.glonass_channels) > 0
    if a.header.glonass_cpb_m:
        assert b.header.glonass_cpb_m == a.header.glonass_cpb_m
    else:  # the mandatory record, written with blank (unknown) values
        assert list(b.header.glonass_cpb_m) == ["C1C", "C1P", "C2C", "C2P"]
        assert np.isnan(list(b.header.glonass_cpb_m.values())).all()
    # the file's phase-shift records, plus an "unknown" record for each other system (mandatory)
    extra = set(b.header.phase_shifts) - set(a.header.phase_shifts)
    assert set(a.header.phase_shifts) <= set(b.header.phase_shifts)
    assert {s[0] for s in extra} == set(b.header.obs_types) - {s[0] for s in a.header.phase_shifts}
    assert all(s[1:] == ("", 0.0, ()) for s in extra)
    assert {s: list(v) for s, v in b.header.obs_types.items()} == a.codes_by_system()


def test_values_from_the_file_text(kompas_data, tmp_path):
    # WTZR line 297: "G05  20746298.836 ..." first epoch, C1C; L1C 109022563.581 with SSI 8
    write_obs(read_obs(kompas_data / WTZR), tmp_path / "w.rnx")
    b = read_obs(tmp_path / "w.rnx")
    t0 = gtime_from_calendar(2020, 6, 25, 0, 0, 0.0, scale="GPST")
    r = np.flatnonzero((b.time_ns == t0) & (b.sat == sat_index(["G05"])[0]) & (b.signal == signal_id("1C")))
    assert r.size == 1
    assert b.code_m[r[0]] == 20746298.836 and b.phase_cyc[r[0]] == 109022563.581
    assert b.doppler_hz[r[0]] == -485.195 and b.ssi[r[0]] == 8 and b.lli[r[0]] == 0
    text = (tmp_path / "w.rnx").read_text().split("\n")
    assert any(
        x.startswith("G05  20746298.836   109022563.581 8      -485.195          51.400  ") for x in text
    )


@pytest.mark.skipif(shutil.which("rnx2rtkp") is None, reason="RTKLIB rnx2rtkp is not on PATH")
def test_rtklib_solves_the_written_file_identically(kompas_data, tmp_path):
    nav = tmp_path / "nav.rnx"  # decompressed here: rnx2rtkp would otherwise unpack beside the data
    nav.write_bytes(read_bytes(kompas_data / NAV_A))
    mine = tmp_path / "wtzr.rnx"
    write_obs(read_obs(kompas_data / WTZR), mine)
    conf = tmp_path / "spp.conf"
    conf.write_text("pos1-posmode=single\npos1-navsys=45\n")

    def solve(obs, out):
        cmd = ["rnx2rtkp", "-k", str(conf), "-o", str(out), str(obs), str(nav)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        return [ln for ln in out.read_text().split("\n") if ln and not ln.startswith("%")]

    ref = solve(kompas_data / WTZR, tmp_path / "ref.pos")
    got = solve(mine, tmp_path / "mine.pos")
    assert len(ref) == 120
    assert got == ref  # same epochs, same positions to the last digit
