"""GPSPACE satellite tables (kompas.io.readers.satmeta) on hand-made rows; the real tables are checked in
tests/reference/test_satmeta_real.py."""

import pytest

from kompas import FormatError, gtime_from_calendar, sat_index
from kompas.io.readers.satmeta import read_gpsppp_svb

ROW = "GLN 2020 01 01 2020 12 31  {prn}  01 21 1 {channel} 1   0.0    -3.080 14.7   0.0    1998-077A"


def test_glonass_channels_outside_minus_7_to_6_are_unknown(tmp_path):
    p = tmp_path / "gpsppp.svb_gln_yrly"
    channels = {33: "6", 34: "7", 35: "-7", 36: "-8"}
    p.write_text("".join(ROW.format(prn=prn, channel=k) + "\n" for prn, k in channels.items()))
    cat = read_gpsppp_svb(p)
    assert cat.sat.tolist() == sat_index(["R01", "R02", "R03", "R04"]).tolist()
    assert cat.glo_channel.tolist() == [6, -99, -7, -99]


@pytest.mark.parametrize(
    ("row", "found"),
    [
        ("GPS 2020 01 01 2020 12 31  01  063 41", "expected at least 11 columns, found 10"),
        ("GLN 2020 01 01 2020 12 31  34  02 21 1", "expected at least 12 columns, found 11"),  # no channel
    ],
)
def test_a_short_row_says_how_many_columns_it_needs(tmp_path, row, found):
    p = tmp_path / "gpsppp.svb_yrly"
    p.write_text(ROW.format(prn=33, channel=1) + "\n" + row + "\n")
    with pytest.raises(FormatError, match=f"line 2: {found}$"):
        read_gpsppp_svb(p)


def test_a_channel_change_of_one_spacecraft_keeps_its_own_span(tmp_path):
    # one GLONASS-K1 in slot 9, as the real table has it: -6 from launch, -2 from 2016-11-18 on, then
    # yearly rows that continue -2; the yearly rows of one channel merge, the change does not
    rows = [
        "GLN 2016 02 16 2016 11 17  41  09 23 2 -6 1   3.015   0.354 2.5    0.178  2014-075A(702K) SV&Frq Change",
        "GLN 2016 11 18 2016 12 31  41  09 23 2 -2 1   3.015   0.354 2.5    0.178  2014-075A(702K) Frq Change",
        "GLN 2017 01 01 2017 12 31  41  09 23 2 -2 1   4.574   0.649 2.5    0.122  2014-075A(702K) Biases",
        "GLN 2018 01 01 2040 01 01  41  09 23 2 -2 1   4.550   0.663 2.5    0.175  2014-075A(702K) Biases",
    ]
    p = tmp_path / "gpsppp.svb_gln_yrly"
    p.write_text("\n".join(rows) + "\n")
    cat = read_gpsppp_svb(p)
    assert cat.glo_channel.tolist() == [-6, -2]
    info = cat.lookup(["R09"] * 3, [int(gtime_from_calendar(y, 6, 1)) for y in (2016, 2017, 2021)])
    assert info.glo_channel.tolist() == [-6, -2, -2]


@pytest.mark.parametrize(
    ("blk", "found"),
    [
        ("BLK IIF   6 0.394    0.0      inf", "'BLK IIF 6 0.394 0.0 inf'"),  # not finite
        ("BLK IIF   6 0.394    0.0      1e308", "'BLK IIF 6 0.394 0.0 1e308'"),  # beyond any satellite
        ("BLK IIF   6 0.394    0.0", "'BLK IIF 6 0.394 0.0'"),  # a value missing
        ("BLK IIF   X 0.394    0.0      1.093", "'BLK IIF X 0.394 0.0 1.093'"),  # no block code
    ],
)
def test_a_block_offset_line_that_does_not_read_is_an_error_not_a_missing_block(tmp_path, blk, found):
    # a live BLK line dropped in silence would leave its satellites without nominal offsets
    p = tmp_path / "gpsppp.svb_gps_yrly"
    p.write_text(f"BLK IIA   3 0.279    0.0      1.023\n{blk}\n" + ROW.format(prn=33, channel=1) + "\n")
    with pytest.raises(FormatError, match=f"line 2: a BLK line reads 'BLK <block> <code> dX dY dZ', offsets in m "
                       f"within [+]-10 m; found {found}$"):  # fmt: skip
        read_gpsppp_svb(p)


def test_a_commented_offset_line_with_a_placeholder_is_passed_over(tmp_path):
    # the real table's commented BDS-3 SECM IGSO line holds dY = -300: not an offset, and not an error
    p = tmp_path / "gpsppp.svb_bei_yrly"
    lines = ["BLK BE3  66 -.200    0.0      2.004    IGSO CAST", "HDR BE3  66 -.050 -300.0      3.260    IGSO SECM",
             "HDR BE3  65 0.600    0.040    1.119    MEO  SECM", ROW.format(prn=33, channel=1)]  # fmt: skip
    p.write_text("\n".join(lines) + "\n")
    cat = read_gpsppp_svb(p)
    assert cat.nominal_offsets["BEIDOU-3I"].tolist() == [-0.2, 0.0, 2.004]
    assert cat.nominal_offsets["BEIDOU-3M-SECM"].tolist() == [
        0.6,
        0.04,
        1.119,
    ]  # a sane commented line is read
