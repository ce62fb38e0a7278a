"""IONEX 1.0/1.1 reader on tiny hand-made files (labels in columns 61-80, data 16I5 per line)."""

import warnings

import numpy as np
import pytest
from _damage import damage_args, damaged
from hypothesis import HealthCheck, given, settings

from kompas import FormatError, KompasError, gtime_from_calendar, read_ionex, sat_index
from kompas.errors import KompasWarning, TruncatedFileWarning


def rec(content: str, label: str) -> str:
    return content.ljust(60) + label.ljust(20)


LATS = [10.0, 5.0, 0.0]
NLON = 19  # -45..45 by 5: two data lines per row (16 + 3)


def data_lines(values):
    text = "".join(f"{v:5d}" for v in values)
    return [text[k : k + 80] for k in range(0, len(text), 80)]


def grid_rows(first_value, lat_rows=LATS, height=450.0):
    out = []
    for j, lat in enumerate(lat_rows):
        out.append(rec(f"  {lat:6.1f} -45.0  45.0   5.0{height:6.1f}", "LAT/LON1/LON2/DLON/H"))
        out += data_lines([first_value + 100 * j + i for i in range(NLON)])
    return out


HEADER = [
    rec("     1.1            IONOSPHERE MAPS     GNSS", "IONEX VERSION / TYPE"),
    rec("TEST V1             KOMPAS              02-JAN-22 07:51", "PGM / RUN BY / DATE"),
    rec("tiny test map", "DESCRIPTION"),
    rec("  2022     1     2     0     0     0", "EPOCH OF FIRST MAP"),
    rec("  2022     1     2     2     0     0", "EPOCH OF LAST MAP"),
    rec("  7200", "INTERVAL"),
    rec("     2", "# OF MAPS IN FILE"),
    rec("  COSZ", "MAPPING FUNCTION"),
    rec("    10.0", "ELEVATION CUTOFF"),
    rec("One-way carrier phase leveled to code", "OBSERVABLES USED"),
    rec("   170", "# OF STATIONS"),
    rec("    31", "# OF SATELLITES"),
    rec("  6371.0", "BASE RADIUS"),
    rec("     2", "MAP DIMENSION"),
    rec("   450.0 450.0   0.0", "HGT1 / HGT2 / DHGT"),
    rec("    10.0   0.0  -5.0", "LAT1 / LAT2 / DLAT"),
    rec("   -45.0  45.0   5.0", "LON1 / LON2 / DLON"),
    rec("    -1", "EXPONENT"),
    rec("TEC/RMS values in 0.1 TECU; 9999, if no value available", "COMMENT"),
    rec("DIFFERENTIAL CODE BIASES", "START OF AUX DATA"),
    rec("DCBs of P1-P2", "COMMENT"),  # other records of the block are skipped
    rec("   G01    -7.516     0.007", "PRN / BIAS / RMS"),
    rec("    05     2.975     0.004", "PRN / BIAS / RMS"),
    rec("   R03     1.250     0.020", "PRN / BIAS / RMS"),
    rec("   G  WTZR 14201M010        13.095     0.011", "STATION / BIAS / RMS"),
    rec("DIFFERENTIAL CODE BIASES", "END OF AUX DATA"),
    rec("", "END OF HEADER"),
]

TEC1 = [
    rec("     1", "START OF TEC MAP"),
    rec("  2022     1     2     0     0     0", "EPOCH OF CURRENT MAP"),
    *grid_rows(10),
    rec("     1", "END OF TEC MAP"),
]
TEC2 = [
    rec("     2", "START OF TEC MAP"),
    rec("  2022     1     2     2     0     0", "EPOCH OF CURRENT MAP"),
    rec("     0", "EXPONENT"),  # values of this map in whole TECU
    *grid_rows(20),
    rec("     2", "END OF TEC MAP"),
]
RMS1 = [
    rec("     1", "START OF RMS MAP"),
    rec("  2022     1     2     0     0     0", "EPOCH OF CURRENT MAP"),
    *grid_rows(1),
    rec("     1", "END OF RMS MAP"),
]
HGT1 = [
    rec("     1", "START OF HEIGHT MAP"),
    rec("  2022     1     2     0     0     0", "EPOCH OF CURRENT MAP"),
    *grid_rows(400),
    rec("     1", "END OF HEIGHT MAP"),
]
END = [rec("", "END OF FILE")]


def write(tmp_path, lines, name="t.22i"):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="latin-1")
    return p


def full(tmp_path):
    return write(tmp_path, HEADER + TEC1 + TEC2 + RMS1 + HGT1 + END)


def test_header_and_grids(tmp_path):
    x = read_ionex(full(tmp_path))
    assert x.version == 1.1 and x.system == "GNSS" and x.program == "TEST V1" and x.run_by == "KOMPAS"
    assert x.description == ("tiny test map",)
    assert x.mapping_function == "COSZ" and x.observables_used.startswith("One-way")
    assert x.elevation_cutoff_rad == pytest.approx(np.deg2rad(10.0))
    assert x.base_radius_m == 6371e3 and x.interval_s == 7200.0
    assert (x.n_maps_declared, x.n_stations, x.n_satellites, x.exponent) == (2, 170, 31, -1)
    np.testing.assert_allclose(np.rad2deg(x.lat_rad), LATS)
    np.testing.assert_allclose(np.rad2deg(x.lon_rad), np.arange(-45.0, 45.1, 5.0))
    np.testing.assert_allclose(x.height_m, [450e3])
    # IONEX epochs are UT: 2022-01-02 00:00:00 UTC = 00:00:18 GPST
    assert x.time_scale == "UTC"
    assert (
        x.first_map_ns
        == gtime_from_calendar(2022, 1, 2, scale="UTC")
        == gtime_from_calendar(2022, 1, 2, 0, 0, 18)
    )
    assert x.last_map_ns == gtime_from_calendar(2022, 1, 2, 2, scale="UTC")


def test_maps_values_exponent_and_alignment(tmp_path):
    x = read_ionex(full(tmp_path))
    assert x.tec_tecu.shape == (2, 3, NLON)
    np.testing.assert_array_equal(x.time_ns, gtime_from_calendar(2022, 1, 2, [0, 2], scale="UTC"))
    # map 1, exponent -1: row j, column i holds (10 + 100 j + i) / 10
    assert x.tec_tecu[0, 0, 0] == 1.0 and x.tec_tecu[0, 0, 18] == 2.8
    assert x.tec_tecu[0, 2, 16] == pytest.approx(22.6)  # first value of a second data line
    # map 2 carries EXPONENT 0: whole TECU
    assert x.tec_tecu[1, 1, 3] == 123.0
    # RMS only for map 1 (NaN for map 2); height map in km -> m
    assert x.rms_tecu.shape == (2, 3, NLON)
    assert x.rms_tecu[0, 1, 0] == pytest.approx(10.1) and np.all(np.isnan(x.rms_tecu[1]))
    assert x.height_map_m[0, 0, 0] == pytest.approx(40.0e3)  # 400 x 10**-1 km


def test_missing_values_and_touching_fields(tmp_path):
    lines = HEADER + TEC1 + END
    k = lines.index(rec("     5.0 -45.0  45.0   5.0 450.0", "LAT/LON1/LON2/DLON/H"))
    vals = [9999] + [-1234] * 15 + [5, 6, 9999]
    lines[k + 1 : k + 3] = data_lines(vals)  # "-1234-1234..." touches: read by I5 columns
    with pytest.warns(KompasWarning, match="# OF MAPS"):  # the header declares 2 maps
        x = read_ionex(write(tmp_path, lines))
    row = x.tec_tecu[0, 1]
    assert np.isnan(row[0]) and np.isnan(row[18])
    assert row[1] == pytest.approx(-123.4) and row[16] == pytest.approx(0.5)
    assert x.rms_tecu is None and x.height_map_m is None


def test_dcb_block(tmp_path):
    d = read_ionex(full(tmp_path)).dcb
    assert d.sat.tolist() == sat_index(["G01", "G05", "R03"]).tolist()  # blank letter = GPS
    np.testing.assert_allclose(d.sat_bias_s, [-7.516e-9, 2.975e-9, 1.25e-9])
    np.testing.assert_allclose(d.sat_rms_s, [0.007e-9, 0.004e-9, 0.020e-9])
    assert d.station.tolist() == ["WTZR"] and d.station_domes.tolist() == ["14201M010"]
    assert d.station_system.tolist() == ["G"]
    assert d.station_bias_s[0] == pytest.approx(13.095e-9) and d.station_rms_s[0] == pytest.approx(0.011e-9)


def test_dcb_blank_letter_of_a_glonass_map_and_a_bad_prn(tmp_path):
    glo = [rec("     1.1            IONOSPHERE MAPS     GLO", "IONEX VERSION / TYPE"), *HEADER[1:]]
    with pytest.warns(KompasWarning, match="# OF MAPS IN FILE is 2, 1 TEC maps found"):
        d = read_ionex(write(tmp_path, glo + TEC1 + END)).dcb
    assert d.sat.tolist() == sat_index(["G01", "R05", "R03"]).tolist()  # blank letter: the map's system
    lines = HEADER + TEC1 + END
    k = lines.index(rec("    05     2.975     0.004", "PRN / BIAS / RMS"))
    lines[k] = rec("    0x     2.975     0.004", "PRN / BIAS / RMS")
    with pytest.raises(FormatError, match=r"line \d+: PRN: expected an integer, found '0x'") as err:
        read_ionex(write(tmp_path, lines))
    assert err.value.line == k + 1


def test_missing_latitude_row_is_format_error(tmp_path):
    lines = HEADER + TEC1 + END
    k = lines.index(rec("     0.0 -45.0  45.0   5.0 450.0", "LAT/LON1/LON2/DLON/H"))
    del lines[k : k + 3]
    with pytest.raises(FormatError, match="2 latitude rows, the header grid") as err:
        read_ionex(write(tmp_path, lines))
    assert err.value.line == k + 1  # the END OF TEC MAP that came too early


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (rec("     5.0 -45.0  45.0   5.0 450.0", "LAT/LON1/LON2/DLON/H"),
         rec("     2.5 -45.0  45.0   5.0 450.0", "LAT/LON1/LON2/DLON/H"), "expected latitude 5.0"),
        (rec("     5.0 -45.0  45.0   5.0 450.0", "LAT/LON1/LON2/DLON/H"),
         rec("     5.0 -40.0  45.0   5.0 450.0", "LAT/LON1/LON2/DLON/H"), "disagrees with the header"),
        (rec("  2022     1     2     0     0     0", "EPOCH OF CURRENT MAP"),
         rec("  2022     1    32     0     0     0", "EPOCH OF CURRENT MAP"), "day 32 outside"),
        (rec("     1", "END OF TEC MAP"), rec("     3", "END OF TEC MAP"), "closes map 1"),
        (rec("     1", "START OF TEC MAP"), rec("     x", "START OF TEC MAP"), "map number: expected an integer"),
    ],
)  # fmt: skip
def test_bad_records_are_format_errors(tmp_path, old, new, match):
    lines = HEADER + TEC1 + END
    k = lines.index(old)
    lines[k] = new
    with pytest.raises(FormatError, match=match) as err:
        read_ionex(write(tmp_path, lines))
    assert err.value.line == k + 1


def test_repr_counts_maps_and_says_whether_rms_maps_came(tmp_path):
    p = write(tmp_path, HEADER + TEC1 + TEC2 + END)
    assert repr(read_ionex(p)) == f"Ionex(2 maps of 3 x 19, rms=no, path={str(p)!r})"
    assert "rms=yes" in repr(read_ionex(full(tmp_path)))


def test_map_data_needs_its_epoch_first(tmp_path):
    lines = HEADER + TEC1 + END
    k = lines.index(rec("  2022     1     2     0     0     0", "EPOCH OF CURRENT MAP"), len(HEADER))
    del lines[k]
    with pytest.raises(FormatError, match="data before EPOCH OF CURRENT MAP$") as err:
        read_ionex(write(tmp_path, lines))
    assert err.value.line == k + 1  # the first LAT/LON1/LON2/DLON/H, now where the epoch was


def test_a_stray_line_between_maps_is_quoted_as_found(tmp_path):
    lines = HEADER + TEC1 + ["   stray text"] + TEC2 + END
    found = r"expected START OF TEC/RMS/HEIGHT MAP, found '   stray text'$"  # quoted with its indent
    with pytest.raises(FormatError, match=found) as err:
        read_ionex(write(tmp_path, lines))
    assert err.value.line == len(HEADER + TEC1) + 1


def test_bad_value_names_the_row(tmp_path):
    lines = HEADER + TEC1 + END
    k = lines.index(rec("    10.0 -45.0  45.0   5.0 450.0", "LAT/LON1/LON2/DLON/H"))
    lines[k + 1] = lines[k + 1][:10] + "   x7" + lines[k + 1][15:]
    with pytest.raises(FormatError, match="integer values") as err:
        read_ionex(write(tmp_path, lines))
    assert err.value.line == k + 1


def test_a_value_above_the_no_value_marker_names_the_row(tmp_path):
    # I5 holds 99999, but 9999 is the largest the format writes ("no value"): 10000 and above is damage
    lines = HEADER + TEC1 + END
    k = lines.index(rec("    10.0 -45.0  45.0   5.0 450.0", "LAT/LON1/LON2/DLON/H"))
    lines[k + 1] = lines[k + 1][:10] + "10000" + lines[k + 1][15:]
    with pytest.raises(
        FormatError, match="a TEC value of 10000 in the 2 lines after this one: above 9999"
    ) as err:
        read_ionex(write(tmp_path, lines))
    assert err.value.line == k + 1
    lines[k + 1] = lines[k + 1][:10] + " 9999" + lines[k + 1][15:]  # the marker itself: a missing value
    assert np.isnan(read_ionex(write(tmp_path, lines[: -len(END)] + TEC2 + END)).tec_tecu).sum() == 1


def test_truncated_inside_map_warns_and_keeps_complete_maps(tmp_path):
    lines = HEADER + TEC1 + TEC2[:6]
    with pytest.warns(TruncatedFileWarning, match="inside TEC map 2"):
        x = read_ionex(write(tmp_path, lines))
    assert x.tec_tecu.shape == (1, 3, NLON)
    # cut in the middle of a data line
    with pytest.warns(TruncatedFileWarning, match="inside TEC map 2"):
        x = read_ionex(write(tmp_path, HEADER + TEC1 + TEC2[:4] + [TEC2[4][:30]]))
    assert x.tec_tecu.shape == (1, 3, NLON)
    with pytest.raises(FormatError, match="no complete TEC map"):
        with pytest.warns(TruncatedFileWarning):
            read_ionex(write(tmp_path, HEADER + TEC1[:4]))


def test_map_count_mismatch_warns(tmp_path):
    with pytest.warns(KompasWarning, match="# OF MAPS IN FILE is 2, 1 TEC maps found"):
        read_ionex(write(tmp_path, HEADER + TEC1 + END))


def test_rms_map_without_tec_map(tmp_path):
    rms = [x.replace("     1    ", "     7    ") if "RMS MAP" in x else x for x in RMS1]
    with pytest.raises(FormatError, match="RMS map 7"):
        read_ionex(write(tmp_path, HEADER + TEC1 + TEC2 + rms + END))


def test_unsupported_and_not_ionex(tmp_path):
    lines = [rec("     3", "MAP DIMENSION") if "MAP DIMENSION" in x else x for x in HEADER]
    with pytest.raises(FormatError, match="2-D"):
        read_ionex(write(tmp_path, lines + TEC1))
    lines = [rec("   450.0 500.0  50.0", "HGT1 / HGT2 / DHGT") if "HGT1" in x else x for x in HEADER]
    with pytest.raises(FormatError, match=r"2-D maps need HGT1 = HGT2, found \(450\.0, 500\.0, 50\.0\)"):
        read_ionex(write(tmp_path, lines + TEC1))
    bad = write(tmp_path, ["not ionex"])
    with pytest.raises(FormatError, match="IONEX VERSION") as err:
        read_ionex(bad)
    assert err.value.line == 1
    # the message names the file and says what was expected where
    assert (
        str(err.value) == f"{bad}, line 1: expected 'IONEX VERSION / TYPE' in columns 61-80 of the first line"
    )


def test_huge_year_is_format_error(tmp_path):
    lines = HEADER + TEC1 + END
    k = lines.index(rec("  2022     1     2     0     0     0", "EPOCH OF CURRENT MAP"))
    lines[k] = rec("  9223372036854775807     1     1     0     0     0", "EPOCH OF CURRENT MAP")
    with pytest.raises(FormatError, match="EPOCH OF CURRENT MAP") as err:
        read_ionex(write(tmp_path, lines))
    assert err.value.line == k + 1


_VALID = ("\n".join(HEADER + TEC1 + TEC2 + RMS1 + END) + "\n").encode("latin-1")


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(**damage_args(_VALID))
def test_corrupt_input_only_raises_kompas_errors(tmp_path, cut, pos, byte):
    p = tmp_path / "fuzz.22i"
    p.write_bytes(damaged(_VALID, cut, pos, byte))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            read_ionex(p)
        except KompasError:
            pass
