"""kompas's .pos and NMEA writers against RTKLIB 2.4.3 (rnx2rtkp output, pos2kml input).

rnx2rtkp solves the WTZR hour (single point, GPS+GLONASS+Galileo+BDS) into files in a temporary
folder; a :class:`Solution` is rebuilt from RTKLIB's own numbers and written again by kompas. The data
lines must come out byte for byte as RTKLIB wrote them, the column header line identical, and
RTKLIB's ``pos2kml`` must read kompas's file.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from kompas import read_nmea, read_pos, read_pos_table
from kompas.io import read_bytes
from kompas.io.writers.nmea import write_nmea
from kompas.io.writers.pos import write_pos

pytestmark = pytest.mark.skipif(shutil.which("rnx2rtkp") is None, reason="RTKLIB rnx2rtkp is not on PATH")

SET = "A_2020-177_ESBC_WTZR"
OBS = "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
NAV = "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"

# rnx2rtkp options per variant and the matching write_pos options
VARIANTS = {
    "llh": ("", {}),
    "xyz": ("out-solformat=xyz\n", {"coords": "xyz"}),
    "tow": ("out-timeform=tow\n", {"time_format": "tow"}),
    "xyztow": ("out-solformat=xyz\nout-timeform=tow\n", {"coords": "xyz", "time_format": "tow"}),
    "utc1": ("out-timesys=utc\nout-timendec=1\n", {"time_format": "utc", "decimals": 1}),
    "dec0": ("out-timendec=0\n", {"decimals": 0}),
}


@pytest.fixture(scope="module")
def rtklib(kompas_data, tmp_path_factory):
    """RTKLIB outputs by variant name (plus ``nmea``), written in a temporary folder."""
    work = tmp_path_factory.mktemp("rtklib")
    nav = work / "nav.rnx"  # decompressed here: rnx2rtkp would otherwise unpack beside the data
    nav.write_bytes(read_bytes(kompas_data / SET / NAV))
    obs = kompas_data / SET / OBS
    out = {}
    extras = [("nmea", "out-solformat=nmea\n"), ("jst", "out-timesys=jst\n")]
    extras += [(f"{ts}tow", f"out-timesys={ts}\nout-timeform=tow\n") for ts in ("utc", "jst")]
    for name, extra in [*((k, v[0]) for k, v in VARIANTS.items()), *extras]:
        conf = work / f"{name}.conf"
        conf.write_text("pos1-posmode=single\npos1-navsys=45\n" + extra)
        target = work / f"{name}.pos"
        subprocess.run(
            ["rnx2rtkp", "-k", str(conf), "-o", str(target), str(obs), str(nav)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        out[name] = target
    return out


def _split(path):
    lines = path.read_bytes().decode("ascii").split("\n")
    head = [ln for ln in lines if ln.startswith("%")]
    data = [ln for ln in lines if ln and not ln.startswith("%")]
    return head, data


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_layout_identical_to_rtklib(rtklib, tmp_path, variant):
    ref = rtklib[variant]
    sol = read_pos(ref)
    mine = tmp_path / "kompas.pos"
    write_pos(sol, mine, **VARIANTS[variant][1])
    ref_head, ref_data = _split(ref)
    my_head, my_data = _split(mine)
    assert len(ref_data) == 120
    assert my_data == ref_data  # byte for byte, CR LF included
    assert my_head[-1] == ref_head[-1]  # the column header line
    assert my_head[-2] == ref_head[-2]  # the coordinate legend
    assert all(ln.startswith("%") for ln in my_head)
    # and the reader gives the same arrays for both files
    a, b = read_pos_table(ref), read_pos_table(mine)
    for key in ("time_ns", "quality", "nsat", "sd_m", "age_s", "ratio"):
        np.testing.assert_array_equal(a[key], b[key])
    coords = "xyz_m" if a["coords"] == "xyz" else "llh"
    np.testing.assert_array_equal(a[coords], b[coords])


def test_reader_values(rtklib):
    d = read_pos_table(rtklib["llh"])
    head, data = _split(rtklib["llh"])
    if "% program   : RTKLIB ver.2.4.3" not in head:
        pytest.skip("values below were read from an RTKLIB 2.4.3 output")
    # first line: 2020/06/25 00:00:00.000   49.144225584   12.878912086   675.6473   5  21   3.7882 ...
    assert data[0].startswith("2020/06/25 00:00:00.000   49.144225584   12.878912086   675.6473   5  21")
    np.testing.assert_allclose(np.degrees(d["llh"][0, :2]), [49.144225584, 12.878912086], rtol=0, atol=1e-12)
    assert d["llh"][0, 2] == 675.6473
    assert d["quality"][0] == 5 and d["nsat"][0] == 21
    np.testing.assert_allclose(d["sd_m"][0], [3.7882, 3.0872, 7.3348, 1.7144, 2.4369, -0.1824])
    # GPST week 2111, 345600 s = 2020-06-25 00:00 GPST; 30 s steps over the hour
    t = read_pos_table(rtklib["tow"])["time_ns"]
    np.testing.assert_array_equal(d["time_ns"], t)
    assert np.all(np.diff(d["time_ns"]) == 30 * 10**9)
    np.testing.assert_array_equal(read_pos_table(rtklib["utc1"])["time_ns"], t)
    jst = read_pos_table(rtklib["jst"])  # JST = UTC + 9 h: 2020/06/25 08:59:42 for the first epoch
    assert jst["time_system"] == "JST" and _split(rtklib["jst"])[1][0].startswith("2020/06/25 08:59:42.000")
    np.testing.assert_array_equal(jst["time_ns"], t)
    # week and seconds of a UTC or JST file count UTC (JST) as if it were GPST: 2111 345582 is 18 s
    # before the GPST week's 345600, 2111 377982 nine hours later; both are the same GPST instants
    for ts, first in (("utc", "2111 345582.000"), ("jst", "2111 377982.000")):
        d = read_pos_table(rtklib[f"{ts}tow"])
        assert d["time_system"] == ts.upper() and _split(rtklib[f"{ts}tow"])[1][0].startswith(first)
        np.testing.assert_array_equal(d["time_ns"], t)
    x = read_pos_table(rtklib["xyz"])["xyz_m"][0]
    np.testing.assert_array_equal(x, [4075584.4250, 931854.8566, 4801577.3851])


@pytest.mark.skipif(shutil.which("pos2kml") is None, reason="RTKLIB pos2kml is not on PATH")
@pytest.mark.parametrize("variant", ["llh", "xyz"])
def test_pos2kml_reads_our_file(rtklib, tmp_path, variant):
    sol = read_pos(rtklib["llh"])
    mine = tmp_path / "kompas.pos"
    write_pos(sol, mine, coords=variant)
    kml = tmp_path / "kompas.kml"
    run = subprocess.run(["pos2kml", "-o", str(kml), str(mine)], capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    text = kml.read_text()
    # the track starts at the first RTKLIB position (lon,lat as KML writes them)
    first_line = _split(rtklib["llh"])[1][0].split()
    lat, lon = first_line[2], first_line[3]
    assert f"{float(lon):.9f},{float(lat):.9f}" in text
    assert text.count("<Placemark>") == 1 + 120  # pos2kml: one track and one point per epoch


def test_nmea_agrees_with_rtklib(rtklib, tmp_path):
    """GGA time, position, quality and satellites as RTKLIB writes them for the same solution."""
    sol = read_pos(rtklib["llh"])
    mine = tmp_path / "kompas.nmea"
    write_nmea(sol, mine, sentences=("RMC", "GGA"))  # the default 7 decimals of a minute, as RTKLIB's
    ref_gga = [ln.split("*")[0].split(",") for ln in rtklib["nmea"].read_text().splitlines() if "GGA," in ln]
    my_gga = [ln.split("*")[0].split(",") for ln in mine.read_text().splitlines() if "GGA," in ln]
    assert len(ref_gga) == len(my_gga) == 120
    for r, m in zip(ref_gga, my_gga, strict=True):
        assert m[1] == r[1]  # UTC hhmmss.ss
        assert (m[3], m[5]) == (r[3], r[5])  # hemispheres
        assert m[6:8] == r[6:8]  # quality indicator, satellites
        # 9 decimals of a degree in the .pos file = 6e-8 minute: the last (1e-7) digit may differ by one
        for k in (2, 4):
            assert abs(float(m[k]) - float(r[k])) <= 1.01e-7
        # RTKLIB: geoid height + separation; kompas: ellipsoidal height + 0.0 -> the sums agree
        assert abs((float(m[9]) + float(m[11])) - (float(r[9]) + float(r[11]))) <= 1.5e-3
    d = read_nmea(mine)
    np.testing.assert_array_equal(d["time_ns"], sol.time_ns)
    ref_read = read_nmea(rtklib["nmea"])
    np.testing.assert_array_equal(ref_read["time_ns"], sol.time_ns)
