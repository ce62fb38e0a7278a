"""GPSPACE satellite tables (kompas.io.readers.satmeta) on hand-made rows; the real tables are checked in
tests/reference/test_satmeta_real.py."""

import pytest

from kompas import FormatError, sat_index
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
