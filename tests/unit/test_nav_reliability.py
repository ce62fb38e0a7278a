"""RINEX navigation reader: a bad record never rejects a file, a date never wraps, a cut line is never
read (issue 10). The files are the hand-made records of test_rinex_nav.py, damaged here."""

import warnings
from dataclasses import fields

import numpy as np
import pytest
from test_rinex_nav import G1_SPARE, R2_GLO, R2_GPS, R3_TEXT, R4_FRAMES, R4_HEADER, write

from kompas import FormatError, read_nav, sat_index
from kompas.errors import DroppedRecordWarning, KompasWarning, TruncatedFileWarning

TABLES = ("kepler", "glonass", "sbas", "sto", "eop", "ion")


def same_tables(a, b, skip=()):
    for name in TABLES:
        if name in skip:
            continue
        ta, tb = getattr(a, name), getattr(b, name)
        for f in fields(ta):
            x, y = np.asarray(getattr(ta, f.name)), np.asarray(getattr(tb, f.name))
            assert x.shape == y.shape, (name, f.name)
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), (name, f.name)


def test_glonass_record_with_blank_frequency_number_is_dropped_alone(tmp_path):
    good = read_nav(write(tmp_path, R3_TEXT, "good.rnx"))
    text = R3_TEXT.replace("-0.000000000000e+00 1.000000000000e+00\n", "-0.000000000000e+00\n", 1)
    assert text != R3_TEXT
    with pytest.warns(DroppedRecordWarning, match=r"line 32: record R01 .*freq_channel' is blank"):
        nav = read_nav(write(tmp_path, text))
    assert len(nav.glonass) == 0
    same_tables(nav, good, skip=("glonass",))  # every GPS, BeiDou, Galileo, QZSS, NavIC, SBAS record kept
    with pytest.raises(FormatError, match="freq_channel.*strict"):
        read_nav(write(tmp_path, text), strict=True)


def test_toe_beyond_a_time_of_week_drops_the_record(tmp_path):
    text = R3_TEXT.replace("0.266400000000D+06", "0.900000000000D+19")
    with pytest.warns(DroppedRecordWarning, match=r"line 16: record G 1 .*toe_s .* is not a time of week"):
        nav = read_nav(write(tmp_path, text))
    assert sat_index("G01") not in nav.kepler.sat.tolist()
    assert np.all(
        np.abs(nav.kepler.toe_ns - nav.kepler.toc_ns) < 8 * 86400 * 10**9
    )  # nothing near int64's limit


@pytest.mark.parametrize(("epoch", "what"), [("5026 06 24", "year 5026"), ("0000 06 24", "year 0"),
                                             ("2226 06 24", "year 2226"), ("2020 13 24", "month 13")])  # fmt: skip
def test_record_with_date_out_of_range_is_dropped(tmp_path, epoch, what):
    text = R3_TEXT.replace("C05 2020 06 24", f"C05 {epoch}")
    with pytest.warns(DroppedRecordWarning, match=f"line 22: record C05 .*{what} outside"):
        nav = read_nav(write(tmp_path, text))
    assert sat_index("C05") not in nav.kepler.sat.tolist() and len(nav.kepler) == 5


def test_rinex2_record_with_impossible_date_is_dropped(tmp_path):
    text = R2_GLO.replace("23 18  7 29  0 15  0.0", "23 18 17 29  0 15  0.0")
    with pytest.warns(DroppedRecordWarning, match="month 17"):
        nav = read_nav(write(tmp_path, text, "t.18g"))
    assert nav.glonass.sat.tolist() == [sat_index("R22")]


def test_week_out_of_range_drops_the_record(tmp_path):
    text = R3_TEXT.replace("0.208600000000D+04", "0.208600000000D+08")
    with pytest.warns(DroppedRecordWarning, match="week .* is not an integer 0-9999"):
        nav = read_nav(write(tmp_path, text))
    assert len(nav.kepler) == 5


def _cut_every_byte(tmp_path, text, last_record, name):
    """Cut ``text`` at every byte of its last record: the records before it are read unchanged, the cut
    one never, with a TruncatedFileWarning -- unless the cut only removed spare fields after the last
    field the layout keeps, and then the record is read whole."""
    start = text.rindex(last_record)
    before = read_nav(write(tmp_path, text[:start], "before" + name))
    full = read_nav(write(tmp_path, text, "full" + name))
    whole = 0
    for cut in range(start + 1, len(text.rstrip())):
        if not text[start:cut].strip():
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            nav = read_nav(write(tmp_path, text[:cut], name))
        if any(issubclass(w.category, TruncatedFileWarning) for w in caught):
            same_tables(nav, before)
        else:
            same_tables(nav, full)
            whole += 1
    assert whole <= 2 * 19  # at most the spare fields of the last line


def test_rinex3_cut_at_every_byte_of_the_last_record(tmp_path):
    _cut_every_byte(tmp_path, R3_TEXT, "S23 2020", "t.rnx")


def test_rinex4_cut_at_every_byte_of_the_last_frame(tmp_path):
    text = R4_HEADER + R4_FRAMES
    with warnings.catch_warnings():
        # the L1OC frame (messages start with the file name, and the filter matches from the start)
        warnings.filterwarnings("ignore", ".*: skipped unsupported content: 1 EPH R L1OC frames$")
        _cut_every_byte(tmp_path, text, "> ION C30", "t.rnx")


def test_rinex4_cut_inside_the_last_sto_line_drops_that_record(tmp_path):
    text = R4_HEADER + R4_FRAMES[: R4_FRAMES.index("> STO R   FDMA")]
    last = text.rindex("2.952840000000E+05")
    l1oc = "skipped unsupported content: 1 EPH R L1OC frames$"
    with pytest.warns(KompasWarning, match=l1oc):
        full = read_nav(write(tmp_path, text, "full.rnx"))
    assert len(full.sto) == 1
    for k in (19, 38, 57, 60):  # after t_tm, after a0, after a1, inside a2
        with pytest.warns(KompasWarning, match=l1oc), pytest.warns(TruncatedFileWarning, match="STO G26"):
            nav = read_nav(write(tmp_path, text[: last + k]))
        assert len(nav.sto) == 0 and len(nav.kepler) == len(full.kepler)


def test_rinex2_cut_at_every_byte_of_the_last_record(tmp_path):
    _cut_every_byte(tmp_path, R2_GLO, "23 18  7 29", "t.18g")
    _cut_every_byte(tmp_path, R2_GPS + R2_GPS[R2_GPS.index("END OF HEADER") + 14 :], " 6 21  4 28", "t.21n")


def test_record_with_too_many_lines_is_dropped(tmp_path):
    g1 = G1_SPARE.splitlines()
    text = R3_TEXT.replace(G1_SPARE, "\n".join([*g1, g1[-1]]) + "\n")
    with pytest.warns(DroppedRecordWarning, match="G 1: more than the 7 orbit lines"):
        nav = read_nav(write(tmp_path, text))
    assert len(nav.kepler) == 5
