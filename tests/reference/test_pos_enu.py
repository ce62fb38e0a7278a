"""East/north/up baseline .pos files (RTKLIB out-solformat=enu): kompas reads RTKLIB's, and ``kompas rtk
--coords enu`` writes them in RTKLIB's layout."""

import shutil
import subprocess

import numpy as np
import pytest

from kompas.cli.main import main
from kompas.errors import ConfigError, FormatError
from kompas.frames import ecef_to_geodetic, enu_rotation
from kompas.io import read_bytes
from kompas.io.readers.pos import read_pos, read_pos_table
from kompas.io.writers.pos import format_pos

A = "A_2020-177_ESBC_WTZR"
WTZZ, WTZR = (
    f"{A}/WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
    f"{A}/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
)
NAV = f"{A}/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"
BASE = np.array([4075580.3111, 931854.0543, 4801568.2808])  # WTZR's truth (MANIFEST)
ROVER = np.array([4075579.1913, 931853.3696, 4801569.1897])  # WTZZ's
RNX2RTKP = shutil.which("rnx2rtkp")


@pytest.mark.skipif(RNX2RTKP is None, reason="RTKLIB rnx2rtkp not installed (apt-get install rtklib)")
def test_rtklib_enu_file_holds_the_positions_of_its_xyz_file(kompas_data, tmp_path):
    nav = tmp_path / "nav.rnx"
    nav.write_bytes(read_bytes(kompas_data / NAV))
    out = {}
    for fmt in ("enu", "xyz"):
        conf = tmp_path / f"{fmt}.conf"
        conf.write_text("pos1-posmode=kinematic\npos1-navsys=1\npos1-elmask=15\nant2-postype=xyz\n"
                        + "".join(f"ant2-pos{i + 1}={v}\n" for i, v in enumerate(BASE)) + f"out-solformat={fmt}\n")  # fmt: skip
        subprocess.run([RNX2RTKP, "-k", str(conf), "-o", str(tmp_path / f"{fmt}.pos"), str(kompas_data / WTZZ),
                        str(kompas_data / WTZR), str(nav)], check=True, capture_output=True, timeout=300)  # fmt: skip
        out[fmt] = read_pos(tmp_path / f"{fmt}.pos")
    table = read_pos_table(tmp_path / "enu.pos")
    assert table["coords"] == "enu" and table["sd_names"] == ("sde", "sdn", "sdu", "sden", "sdnu", "sdue")
    assert np.abs(ecef_to_geodetic(BASE) - table["ref_llh"]).max() < 1e-4  # the 'ref pos' line, rad and m
    enu, xyz = out["enu"], out["xyz"]
    assert len(enu) == len(xyz) == 120 and np.array_equal(enu.time_ns, xyz.time_ns)
    # 4 decimals of the baseline and 9 of the reference's degrees: a few tenths of a millimetre
    assert np.abs(enu.pos_m - xyz.pos_m).max() < 3e-4
    sd = (
        np.sqrt(np.diagonal(enu.cov_m2, axis1=1, axis2=2)),
        np.sqrt(np.diagonal(xyz.cov_m2, axis1=1, axis2=2)),
    )
    assert np.abs(sd[0] - sd[1]).max() < 2e-4


def test_kompas_rtk_writes_the_baseline_from_the_base(kompas_data, tmp_path, capsys):
    args = ["rtk", str(kompas_data / WTZZ), str(kompas_data / WTZR), str(kompas_data / NAV), "--systems", "C,R",
            "--base-pos", *map(str, BASE)]  # fmt: skip
    assert main([*args, "-o", str(tmp_path / "e.pos"), "--coords", "enu"]) == 0
    assert main([*args, "-o", str(tmp_path / "x.pos")]) == 0
    capsys.readouterr()
    text = (tmp_path / "e.pos").read_text()
    lat, lon, h = ecef_to_geodetic(BASE)
    assert f"% ref pos   :{np.degrees(lat):13.9f} {np.degrees(lon):14.9f} {h:10.4f}\n" in text
    assert ("%  GPST                  e-baseline(m)  n-baseline(m)  u-baseline(m)   Q  ns   sde(m)   sdn(m)   "
            "sdu(m)  sden(m)  sdnu(m)  sdue(m) age(s)  ratio") in text  # fmt: skip
    table = read_pos_table(tmp_path / "e.pos")
    truth = enu_rotation(lat, lon) @ (ROVER - BASE)  # marker to marker: -0.418 east, 1.536 north, -0.126 up
    fixed = table["quality"] == 1
    assert fixed.sum() >= 110 and np.abs(table["enu_m"][fixed] - truth).max() < 0.02
    back, xyz = read_pos(tmp_path / "e.pos"), read_pos(tmp_path / "x.pos")
    assert np.abs(back.pos_m - xyz.pos_m).max() < 3e-4
    # as rnx2rtkp: every input named and the base in a 'ref pos' line whatever the coordinates (ECEF in an
    # xyz file, as RTKLIB's outrpos writes and its decode_refpos reads it); the filter passes in a
    # 'solution' line
    text = (tmp_path / "x.pos").read_text()
    assert "% solution  : Forward" in text.splitlines()
    assert "% ref pos   :{:14.4f} {:14.4f} {:14.4f}\n".format(*BASE) in text
    assert xyz.record.base_m == tuple(BASE)
    assert [ln.split(": ", 1)[1].strip() for ln in text.splitlines() if ln.startswith("% inp file")] == [
        str(kompas_data / f) for f in (WTZZ, WTZR, NAV)
    ]


def test_an_enu_file_needs_its_reference(tmp_path):
    body = "2020/06/25 00:00:00.000        -0.4129         1.5386         0.0772   1   6   0.0046   0.0073   0.0123   0.0008  -0.0053   0.0034   0.00   66.8\n"
    cols = "%  GPST                  e-baseline(m)  n-baseline(m)  u-baseline(m)   Q  ns   sde(m)   sdn(m)   sdu(m)  sden(m)  sdnu(m)  sdue(m) age(s)  ratio\n"
    (tmp_path / "none.pos").write_text(cols + body)
    with pytest.raises(FormatError, match="none.pos: an e/n/u baseline file without a '% ref pos' line"):
        read_pos_table(tmp_path / "none.pos")
    (tmp_path / "short.pos").write_text("% ref pos   : 49.144200526   12.878913935\n" + cols + body)
    with pytest.raises(
        FormatError, match="short.pos, line 1: expected latitude, longitude and height, found 2"
    ):
        read_pos_table(tmp_path / "short.pos")
    (tmp_path / "xyz.pos").write_text("% ref pos   : 4075580.3111 931854.0543 4801568.2808\n" + cols + body)
    with pytest.raises(FormatError, match="line 1: expected latitude, longitude .deg. and height .m., found"):
        read_pos_table(tmp_path / "xyz.pos")
    (tmp_path / "ok.pos").write_text("% ref pos   : 49.144200526   12.878913935   666.0207\n" + cols + body)
    sol = read_pos(tmp_path / "ok.pos")
    lat, lon = np.radians([49.144200526, 12.878913935])
    enu = enu_rotation(lat, lon) @ (sol.pos_m[0] - _ecef(lat, lon, 666.0207))
    assert np.allclose(enu, [-0.4129, 1.5386, 0.0772], atol=1e-9)
    with pytest.raises(ConfigError, match="an e/n/u baseline needs a reference point"):
        format_pos(sol, coords="enu")
    again = format_pos(sol, coords="enu", ref_m=_ecef(lat, lon, 666.0207))
    assert again.splitlines()[-1] == body.rstrip("\n")


def _ecef(lat, lon, h):
    from kompas.frames import geodetic_to_ecef

    return geodetic_to_ecef(np.array([lat, lon, h]))
