"""kompas.detect on first lines written by hand: every RINEX type letter it knows, and one it does not."""

import pytest

import kompas
from kompas.errors import FormatError


def _rinex(tmp_path, version, kind):
    p = tmp_path / "f.txt"
    p.write_text(f"{version:9.2f}{'':11}{kind:40}RINEX VERSION / TYPE\n", encoding="latin-1")
    return p


@pytest.mark.parametrize(
    ("version", "kind", "expected"),
    [
        (3.05, "OBSERVATION DATA    M", "obs"),
        (3.05, "M: METEOROLOGICAL DATA", "met"),
        (2.11, "N: GPS NAV DATA", "nav"),
        (2.11, "G: GLONASS NAV DATA", "nav"),
        (2.11, "H: GEO NAV MSG DATA", "nav"),
        (2.12, "L: GALILEO NAV MSG DATA", "nav"),  # RINEX 2.12's Galileo letter
        (2.12, "J: QZSS NAV DATA", "nav"),
        (2.12, "I: IRNSS NAV DATA", "nav"),
        (2.12, "E: GALILEO NAV DATA", "nav"),
        (2.12, "B: SBAS NAV DATA", "nav"),
        (3.02, "C: BEIDOU NAV DATA", "nav"),
        (3.05, "N: GNSS NAV DATA    M: MIXED", "nav"),
        (3.00, "C                   M", "clk"),
        (3.04, " C                  M", "clk"),  # RINEX clock 3.04: the letter one column later
        (2.11, "N", "nav"),  # a navigation letter without the words
    ],
)
def test_rinex_type_letters(tmp_path, version, kind, expected):
    assert kompas.detect(_rinex(tmp_path, version, kind)) == expected


def test_an_unknown_rinex_type_names_its_letter_and_line(tmp_path):
    p = tmp_path / "f.txt"
    p.write_text("\n" + _rinex(tmp_path, 2.11, "X: SOMETHING ELSE").read_text(), encoding="latin-1")
    with pytest.raises(FormatError, match=r"line 2: RINEX file type 'X' is not supported"):
        kompas.detect(p)
