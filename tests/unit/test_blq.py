"""BLQ ocean-loading reader (kompas.io.readers.blq) on a hand-made file: values, names and errors."""

from __future__ import annotations

import numpy as np
import pytest

from kompas import FormatError, KompasError
from kompas.io.readers.blq import read_blq

# SCOA's block of the shared GOT4.7 file (amplitudes m: radial, west, south; phases deg)
SCOA = [
    "  SCOA",
    "$$ GOT4.7_PP ID: 2020-06-25 10:53:48",
    "  .02352 .00794 .00499 .00216 .00310 .00063 .00095 .00032 .00045 .00023 .00020",
    "  .00690 .00222 .00151 .00061 .00053 .00041 .00016 .00012 .00003 .00001 .00002",
    "  .00549 .00194 .00110 .00055 .00027 .00029 .00007 .00011 .00004 .00002 .00001",
    "   -83.0  -53.4 -102.3  -54.9  -72.0 -156.7  -73.3   80.4    6.8    5.8    1.2",
    "    85.4  114.8   65.8  113.0   74.7  -23.9   69.8  -82.2 -164.9 -145.3 -178.0",
    "   -69.9  -34.7  -91.7  -35.5  -44.3  170.6  -48.7  133.7  -13.9   -4.0   -5.5",
]
HEADER = ["$$ Ocean loading displacement", "$$ END HEADER", "$$"]


def write(tmp_path, lines):
    p = tmp_path / "t.blq"
    p.write_text("\n".join(lines) + "\n")
    return p


def test_values_and_names(tmp_path):
    blq = read_blq(write(tmp_path, HEADER + SCOA))
    c = blq.station("SCOA00FRA")  # a RINEX 3 name finds its 4-character site
    assert "scoa" in blq and "PASA" not in blq and len(blq) == 1
    assert c.amplitude_m[0, 0] == 0.02352 and c.amplitude_m[2, 10] == 0.00001
    assert c.phase_rad[0, 0] == pytest.approx(np.radians(-83.0)) and c.comments == (
        "GOT4.7_PP ID: 2020-06-25 10:53:48",
    )
    with pytest.raises(KompasError, match=r"station 'PASA' is not in the BLQ file .*t\.blq"):
        blq.station("PASA")


def test_a_station_line_with_more_than_the_name_is_found_by_its_first_word(tmp_path):
    # "  WTZR 14201M010": the name and its DOMES number; RTKLIB's readblq takes the first word
    wtzr = ["  WTZR 14201M010", *SCOA[1:]]
    blq = read_blq(write(tmp_path, HEADER + wtzr + ["  ONSALA", *SCOA[1:]]))
    assert "WTZR" in blq and "wtzr00deu" in blq and blq.station("WTZR").name == "WTZR 14201M010"
    assert "ONSALA" in blq and "ONSA" not in blq  # a first word is matched whole, not as a prefix
    assert "onsala 10402M004" in blq and "" not in blq  # the query's first word too; no name, no station


@pytest.mark.parametrize(
    ("edit", "line", "match"),
    [
        (lambda b: b[2:], 4, "expected a station name line, found '.02352 .00794"),  # no name line
        (lambda b: [*b[:3], b[3].replace(" .00690", "-.00690", 1), *b[4:]], 4, "SCOA: negative amplitude"),
        (lambda b: b[:6], 4, "SCOA: file ends before its 6 rows"),
        (lambda b: [*b[:5], "   -83.0  -53.4", *b[6:]], 9, "SCOA: expected 11 values, found 2"),
        # a value beyond any ocean loading: a wrong column or unit, not a coefficient
        (
            lambda b: [*b[:2], b[2].replace(".02352", "1e308"), *b[3:]],
            4,
            r"SCOA: amplitude 1e\+308 m above 1 m \(ocean-loading amplitudes are centimetres\)$",
        ),
        (lambda b: [*b[:4], b[4].replace(".00549", "23.52"), *b[5:]], 4, "SCOA: amplitude 23.52 m above 1 m"),
        (lambda b: [*b[:6], b[6].replace("114.8", "999.9"), *b[7:]], 4, "SCOA: phase 999.9 deg beyond"),
        (
            lambda b: [*b[:7], b[7].replace(" -5.5", "-361.0"), *b[8:]],
            4,
            r"SCOA: phase -361 deg beyond \+-360 deg$",
        ),
    ],
)
def test_errors_name_the_file_and_the_line(tmp_path, edit, line, match):
    path = write(tmp_path, HEADER + edit(SCOA))
    with pytest.raises(FormatError, match=match) as err:
        read_blq(path)
    assert err.value.line == line and err.value.path == str(path)


def test_a_file_without_a_station_is_an_error(tmp_path):
    path = write(tmp_path, HEADER)
    with pytest.raises(FormatError, match="no station block in the BLQ file") as err:
        read_blq(path)
    assert err.value.path == str(path)
