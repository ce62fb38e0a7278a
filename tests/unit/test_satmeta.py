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
