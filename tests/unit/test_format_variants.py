"""What real archives hold (issue 17): fixed-width variants repaired under the tolerance policy, RINEX 2
navigation of every system, zero observations. Each variant is built here from a correct hand-made file:
it reads with one FormatWarning naming the line and gives the values of the correct file; strict mode
refuses it with a FormatError naming the line."""

import warnings
from dataclasses import fields

import numpy as np
import pytest
from test_rinex_nav import C05, E01_FNAV, E01_INAV, R2_GPS, R3_HEADER, R3_TEXT, write
from test_rinex_obs import EPOCH1, HEADER3, F, H

import kompas
from kompas import FormatError, read_nav, read_obs, sat_index
from kompas.errors import DroppedRecordWarning, FormatWarning


def same_table(a, b):
    for f in fields(a):
        x, y = np.asarray(getattr(a, f.name)), np.asarray(getattr(b, f.name))
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name


def _variant(tmp_path, reader, good_text, bad_text, line, kind, name="t.rnx"):
    """Read both; the variant warns once (kind, line) and equals the correct file; strict refuses it."""
    good = reader(write(tmp_path, good_text, "good-" + name))
    with pytest.warns(FormatWarning, match=f"line {line}: {kind}") as caught:
        got = reader(write(tmp_path, bad_text, name))
    assert sum(issubclass(w.category, FormatWarning) for w in caught) == 1
    with pytest.raises(FormatError, match="strict") as exc:
        reader(write(tmp_path, bad_text, name), strict=True)
    assert exc.value.line == line
    return good, got


# ----------------------------------------------------------------------------------------------
# Tolerance policy


def test_delta_utc_integers_shifted_by_one_column(tmp_path):
    line = next(x for x in R2_GPS.splitlines() if x.endswith("DELTA-UTC: A0,A1,T,W"))
    shifted = line[:41] + " " + line[41:59] + line[60:]  # T and W one column to the right
    assert shifted[60:] == line[60:] and shifted[41:60] == "    503808     2155"
    good, got = _variant(tmp_path, read_nav, R2_GPS, R2_GPS.replace(line, shifted), 5, "DELTA-UTC", "t.21n")
    assert got.header.time_corr["GPUT"] == good.header.time_corr["GPUT"]
    assert (got.header.time_corr["GPUT"].t_ref_s, got.header.time_corr["GPUT"].week) == (503808.0, 2155)
    same_table(got.kepler, good.kepler)
    # W alone one column to the right, ending in column 60: read whole, never cut to 215 by its I9
    w_shifted = line[:50] + " " + line[50:59] + line[60:]
    good, got = _variant(tmp_path, read_nav, R2_GPS, R2_GPS.replace(line, w_shifted), 5, "DELTA-UTC", "t.21n")
    assert (got.header.time_corr["GPUT"].t_ref_s, got.header.time_corr["GPUT"].week) == (503808.0, 2155)
    # something else in column 60 is no integer pair: an error naming the line
    junk = line[:59] + "x" + line[60:]
    with pytest.raises(FormatError, match="line 5: .*DELTA-UTC"):
        read_nav(write(tmp_path, R2_GPS.replace(line, junk), "j.21n"))


def test_blank_inside_a_navigation_number(tmp_path):
    bad = R3_TEXT.replace(" 0.515363885880D+04", " . 515363885880D+04")
    good, got = _variant(tmp_path, read_nav, R3_TEXT, bad, 15, "blank inside a number")
    same_table(got.kepler, good.kepler)
    assert got.kepler.sqrt_a_sqrtm[0] == 5153.63885880
    # two numbers side by side are not one: that record is dropped, never read as either
    two = R3_TEXT.replace(" 0.515363885880D+04", "    5153.6 388.5880")
    with pytest.warns(DroppedRecordWarning, match="line 15: .*sqrt_a_sqrtm"):
        nav = read_nav(write(tmp_path, two))
    assert len(nav.kepler) == len(good.kepler) - 1 and sat_index("G01") not in nav.kepler.sat.tolist()


def test_glonass_slot_frq_items_without_separating_blank(tmp_path):
    good_line = H("  3 R11 -5 R19  3 R23 -6", "GLONASS SLOT / FRQ #")
    bad_line = H("  3 R11 -5R19 +3R23 -6", "GLONASS SLOT / FRQ #")
    base = HEADER3.replace(H("  2 R01  1 R02 -4", "GLONASS SLOT / FRQ #"), good_line)
    good_text = "\n".join([base, *EPOCH1]) + "\n"
    good, got = _variant(
        tmp_path, read_obs, good_text, good_text.replace(good_line, bad_line), 7, "GLONASS SLOT"
    )
    assert (
        got.header.glonass_channels.as_dict()
        == good.header.glonass_channels.as_dict()
        == {11: -5, 19: 3, 23: -6}
    )
    np.testing.assert_array_equal(got.code_m, good.code_m)


def test_unrecoverable_variant_stays_an_error(tmp_path):
    text = "\n".join([HEADER3.replace("  2 R01  1 R02 -4", "  2 R01  1 R0x -4"), *EPOCH1]) + "\n"
    with pytest.raises(FormatError, match="line 7: malformed GLONASS SLOT / FRQ #"):
        read_obs(write(tmp_path, text))


def test_kompas_info_strict_refuses_a_repaired_file(tmp_path, capsys):
    from kompas.cli.main import main

    bad = write(tmp_path, R3_TEXT.replace(" 0.515363885880D+04", " . 515363885880D+04"), "t.rnx")
    assert main(["info", str(bad)]) == 0  # read, the repair reported on stderr
    out = capsys.readouterr()
    assert "Kepler" in out.out and "line 15: blank inside a number" in out.err
    assert main(["info", "--strict", str(bad)]) == 2  # the CLI reports the FormatError
    err = capsys.readouterr().err
    assert "line 15: " in err and "strict" in err
    with pytest.raises(FormatError, match="line 15: .*strict"):
        kompas.read(bad, strict=True)
    with warnings.catch_warnings():  # a user's -W error or PYTHONWARNINGS=error: one line, no traceback
        warnings.simplefilter("error", kompas.errors.KompasWarning)
        assert main(["info", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert (
        len(err) == 1
        and err[0].startswith("kompas info: error: ")
        and "line 15: blank inside a number" in err[0]
    )
    assert err[0].endswith("(a warning raised as an error)")


# ----------------------------------------------------------------------------------------------
# RINEX 2 navigation of every type


def _to_rinex2(record3: str) -> str:
    """A RINEX 3 record in RINEX 2 layout: I2 PRN, 2-digit year, F5.1 seconds, 3X continuation lines."""
    first, *rest = record3.rstrip("\n").split("\n")
    y, mo, d, h, mi, s = (int(x) for x in first[4:23].split())
    head = f"{int(first[1:3]):2d} {y % 100:02d} {mo:2d} {d:2d} {h:2d} {mi:2d}{float(s):5.1f}"
    return "\n".join([head + first[23:], *(x[1:] for x in rest)]) + "\n"


def r2_header(ftype: str, name: str) -> str:
    return H(f"     2.12           {ftype}: {name} NAV DATA", "RINEX VERSION / TYPE") + "\n"


@pytest.mark.parametrize(("ftype", "records", "sats"), [("E", [E01_INAV, E01_FNAV], ["E01", "E01"]),
                                                        ("L", [E01_INAV], ["E01"]), ("C", [C05], ["C05"])])  # fmt: skip
def test_rinex2_galileo_and_beidou_read_as_their_rinex3_records(tmp_path, ftype, records, sats):
    name = {"E": "GALILEO", "L": "GALILEO", "C": "BEIDOU"}[ftype]
    v2 = r2_header(ftype, name)
    v2 += "    4.9250D+01  2.0703D-01  4.0283D-03                      ION ALPHA\n" if ftype != "C" else ""
    v2 += "    7.450580596924D-09-2.664535259100D-15        0     2012 DELTA-UTC: A0,A1,T,W\n"
    v2 += " " * 60 + "END OF HEADER\n" + "".join(_to_rinex2(r) for r in records)
    v3 = R3_HEADER + "".join(records)
    a, b = read_nav(write(tmp_path, v2, "t.18" + ftype.lower())), read_nav(write(tmp_path, v3))
    assert a.header.file_type == ftype and a.header.system == ftype.replace("L", "E")
    assert a.kepler.sat.tolist() == sat_index(sats).tolist()
    same_table(a.kepler, b.kepler)  # toc (GST / BDT), toe, week, msg INAV/FNAV or D2 alike
    if ftype != "C":
        assert a.header.iono_corr["GAL"][:3].tolist() == [49.25, 0.20703, 0.0040283]
        assert a.header.time_corr["GAUT"].week == 2012
    else:
        assert a.header.time_corr["BDUT"].a0_s == 7.450580596924e-09 and a.kepler.msg.tolist() == ["D2"]


def test_rinex2_unknown_type_is_refused(tmp_path):
    with pytest.raises(FormatError, match="file type 'X'"):
        read_nav(write(tmp_path, r2_header("X", "XX") + " " * 60 + "END OF HEADER\n"))


# ----------------------------------------------------------------------------------------------
# Zero observations are no observation


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_zero_ranges_phases_and_dopplers_are_missing(tmp_path, backend):
    from kompas._kernels import numba_available, use

    if backend == "numba" and not numba_available():
        pytest.skip("numba is not installed")
    ep = [
        "> 2020 06 25 00 00  0.0000000  0  2",
        "C19" + F(0.0) + F(0.0) + F(0.0) + F(45.0) + F(21869364.123) + F(92594640.123, "1", "6"),
        "R01" + F(0.0) + F(0.0) + F(0.0) + F(0.0),  # code, phase, Doppler missing; the S field stays 0
    ]
    with use(backend):
        obs = read_obs(write(tmp_path, "\n".join([HEADER3, *ep]) + "\n"))
    c19 = obs.select(sats=["C19"])
    assert np.isnan(c19.code_m[0]) and np.isnan(c19.phase_cyc[0]) and np.isnan(c19.doppler_hz[0])
    assert c19.cn0_dbhz[0] == 45.0 and c19.code_m[1] == 21869364.123
    r01 = obs.select(sats=["R01"])
    assert len(r01) == 1 and np.isnan(r01.code_m[0]) and r01.cn0_dbhz[0] == 0.0
