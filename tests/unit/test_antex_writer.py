"""ANTEX satellite blocks with nominal offsets: what is written reads back as those offsets."""

import numpy as np
import pytest
from test_antex import HEADER, SAT_C19

from kompas import gtime_from_calendar, read_antex
from kompas.io.readers.antex import AntennaNotFoundError
from kompas.io.writers.antex import complete_antex, nominal_satellite_blocks
from kompas.tables.satellites import SatelliteCatalog

T = int(gtime_from_calendar(2020, 6, 25, 12))


def _catalog():
    rec = dict(source="GPSPACE", valid_from_ns=0, valid_until_ns=2**62)
    records = [
        dict(rec, sat=105, svn="G050", block="BLOCK IIR-M"),  # G05
        dict(rec, sat=205, svn="R730", block="GLONASS-M"),  # R05
        dict(rec, sat=319, svn="E203", block="GALILEO-2"),  # E19
        dict(rec, sat=402, svn="C999", block="NO-OFFSETS"),  # C02: no nominal offsets known
    ]
    offsets = {
        "BLOCK IIR-M": np.array([0.0, 0.0, 0.7426]),
        "GLONASS-M": np.array([-0.545, 0.0, 2.3]),
        "GALILEO-2": np.array([0.15, -0.02, 0.8]),
    }
    return SatelliteCatalog.from_records(records, nominal_offsets=offsets)


def test_blocks_read_back_with_the_offsets_on_every_frequency(tmp_path):
    text = "\n".join(HEADER) + "\n" + nominal_satellite_blocks(["R05", "E19"], [[-0.545, 0.0, 2.3],
                                                                                [0.15, -0.02, 0.8]], T)  # fmt: skip
    (tmp_path / "n.atx").write_text(text)
    atx = read_antex(tmp_path / "n.atx")
    r05 = atx.satellite("R05", T)
    assert sorted(r05.freqs) == ["R01", "R02"]
    for f in r05.freqs.values():
        np.testing.assert_allclose(f.pco_m, [-0.545, 0.0, 2.3], atol=1e-9)
        np.testing.assert_array_equal(f.pcv_noazi_m, np.zeros(18))
    e19 = atx.satellite("E19", T)
    assert sorted(e19.freqs) == ["E01", "E05", "E06", "E07", "E08"]
    np.testing.assert_allclose(e19.freqs["E05"].pco_m, [0.15, -0.02, 0.8], atol=1e-9)
    # valid from the instant given, not before it
    assert atx.satellite("R05", T) is r05
    with pytest.raises(AntennaNotFoundError):
        atx.satellite("R05", T - 10**9)


def test_complete_antex_adds_only_what_the_file_lacks(tmp_path):
    src = "\n".join(HEADER + SAT_C19) + "\n"
    (tmp_path / "src.atx").write_text(src)
    atx = read_antex(tmp_path / "src.atx")
    out = tmp_path / "full.atx"
    added = complete_antex(src, atx, _catalog(), ["G05", "R05", "E19", "C19", "C02", "S23"], T, out)
    # C19 is in the file, C02 has no nominal offsets, S23 is not an ANTEX system here
    assert added == ["G05", "R05", "E19"]
    text = out.read_text()
    assert text.startswith(src) and "\n\n" not in text  # appended right after the last record
    meth = [ln for ln in text.splitlines() if ln.endswith("METH / BY / # / DATE") and "kompas nominal" in ln]
    assert len(meth) == 3 and all(ln[40:46] == "     0" for ln in meth)  # no individual antennas
    full = read_antex(out)
    np.testing.assert_allclose(full.satellite("G05", T).freqs["G02"].pco_m, [0.0, 0.0, 0.7426], atol=1e-9)
    day0 = int(gtime_from_calendar(2020, 6, 25))  # the added blocks are valid from the start of the day
    assert full.satellite("G05", day0) is not None
    np.testing.assert_allclose(full.satellite("C19", T).freqs["C02"].pco_m, [0.010, -0.0055, 1.20025])
    assert out.read_text().startswith(src)


def test_complete_antex_to_a_gz_path_is_compressed(tmp_path):
    src = "\n".join(HEADER + SAT_C19) + "\n"
    (tmp_path / "src.atx").write_text(src)
    out = tmp_path / "full.atx.gz"
    assert complete_antex(src, read_antex(tmp_path / "src.atx"), _catalog(), ["R05"], T, out) == ["R05"]
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    np.testing.assert_allclose(read_antex(out).satellite("R05", T).freqs["R01"].pco_m, [-0.545, 0.0, 2.3])
