"""``--coords llh|xyz``: the .pos coordinates of kompas spp, rtk and ppp (RTKLIB out-solformat), each
command keeping its default (spp and ppp llh, rtk xyz)."""

import numpy as np

from kompas.cli.main import main
from kompas.io.readers.pos import read_pos_table

A, E = "A_2020-177_ESBC_WTZR", "E_2026-133_ZIM2"


def _xyz(table):
    from kompas.frames import geodetic_to_ecef

    return table["xyz_m"] if table["coords"] == "xyz" else geodetic_to_ecef(table["llh"])


def test_rtk_writes_either_coordinates_of_the_same_positions(kompas_data, tmp_path, capsys):
    a = kompas_data / A
    args = ["rtk", str(a / "WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"),
            str(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"), str(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"),
            "--systems", "C,R", "--base-pos", "header"]  # fmt: skip
    assert main([*args, "-o", str(tmp_path / "d.pos")]) == 0
    assert main([*args, "-o", str(tmp_path / "x.pos"), "--coords", "xyz"]) == 0
    assert main([*args, "-o", str(tmp_path / "l.pos"), "--coords", "llh"]) == 0
    capsys.readouterr()
    default, xyz, llh = (read_pos_table(tmp_path / f"{n}.pos") for n in "dxl")
    assert (default["coords"], xyz["coords"], llh["coords"]) == ("xyz", "xyz", "llh")
    assert len(llh["time_ns"]) == 120 and np.array_equal(llh["time_ns"], xyz["time_ns"])
    # 1e-9 deg is 0.1 mm on the ground, heights have 4 decimals
    assert np.abs(_xyz(llh) - xyz["xyz_m"]).max() < 3e-4
    assert (tmp_path / "d.pos").read_text() == (tmp_path / "x.pos").read_text()


def test_spp_and_ppp_write_ecef_when_asked(kompas_data, tmp_path, capsys):
    a, e = kompas_data / A, kompas_data / E
    spp = ["spp", str(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"),
           str(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")]  # fmt: skip
    ppp = ["ppp", str(e / "ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx"), "--atx",
           str(e / "igs20_zim2_gps_trim.atx"), "--sp3", str(e / "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3"),
           "--clk", str(e / "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK")]  # fmt: skip
    for args in (spp, ppp):
        assert main([*args, "-o", str(tmp_path / "l.pos")]) == 0
        assert main([*args, "-o", str(tmp_path / "x.pos"), "--coords", "xyz"]) == 0
        capsys.readouterr()
        llh, xyz = read_pos_table(tmp_path / "l.pos"), read_pos_table(tmp_path / "x.pos")
        assert (llh["coords"], xyz["coords"]) == ("llh", "xyz")
        assert np.abs(_xyz(llh) - xyz["xyz_m"]).max() < 3e-4


def test_coords_without_a_pos_output_is_a_one_line_error(kompas_data, tmp_path, capsys):
    a = kompas_data / A
    spp = ["spp", str(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"),
           str(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")]  # fmt: skip
    for extra, said in ((["-o", str(tmp_path / "s.csv")], "not csv"), ([], "not no output")):
        assert main([*spp, "--coords", "xyz", *extra]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"kompas spp: error: --coords xyz is for .pos output, {said}"]
    assert not (tmp_path / "s.csv").exists()
