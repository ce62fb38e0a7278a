"""kompas.read/detect recognise every real file by content; `kompas info` reports what is inside."""

import gzip

import pytest

from kompas import FormatError, detect
from kompas.cli.main import main


def _expected_kind(name: str) -> str | None:
    n = name.lower()
    if n.endswith((".md", ".json")) or n == "sha256sums":
        return None
    if (
        "_mo." in n
        or "_mo_" in n
        or n.startswith("algo0010")
        or n.endswith((".crx", ".crx.gz", ".crx.bz2", "o", "o.z", "d"))
    ):
        return "obs"
    if "_mn." in n or "_cn." in n or "_en." in n or "_gn." in n or n.endswith(("n", "g", "n.gz", ".rnx")):
        return "nav"
    if "sp3" in n:
        return "sp3"
    if "clk" in n:
        return "clk"
    if n.endswith((".atx", ".atx.gz")):
        return "antex"
    if ".bia" in n:
        return "bias"
    if n.endswith(("i", "i.gz", ".inx")):
        return "ionex"
    return None


def test_every_real_file_detected(kompas_data):
    checked = 0
    for path in sorted(kompas_data.glob("*/*")):
        # models/ and stations/ hold model tables (BLQ, GPT3, SINEX), not GNSS data formats
        if path.parent.name in ("edge_cases", "models", "stations") or path.stat().st_size == 0:
            continue
        kind = _expected_kind(path.name)
        if kind is None:
            continue
        assert detect(path) == kind, path.name
        checked += 1
    assert checked >= 55


def test_unknown_content(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("hello world\n")
    with pytest.raises(FormatError, match="line 1: not a RINEX"):
        detect(p)
    q = tmp_path / "x.gz"
    q.write_bytes(gzip.compress(b"\n\n"))
    with pytest.raises(FormatError, match="only blank lines"):
        detect(q)


def test_look_alikes_and_unsupported_rinex_types(tmp_path):
    import zipfile

    p = tmp_path / "x.txt"
    p.write_text("#eP2020  6 25  0  0  0.00000000      96 ORBIT IGb14 FIT  TST\n")  # no SP3 version e
    with pytest.raises(FormatError, match="line 1: not a RINEX"):
        detect(p)
    p.write_text("\n" + "     3.04           Q: SOMETHING ELSE".ljust(60) + "RINEX VERSION / TYPE\n")
    with pytest.raises(FormatError, match="line 2: RINEX file type 'Q' is not supported"):
        detect(p)
    sp3 = "#cP2020  6 25  0  0  0.00000000      96 ORBIT IGb14 FIT  TST\n"
    z = tmp_path / "orbit.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("IGS0OPSFIN_20201770000_01D_15M_ORB.SP3", sp3)
    assert detect(z) == "sp3"  # the first member of an archive is looked at


def test_info_obs(kompas_data, capsys):
    path = kompas_data / "A_2020-177_ESBC_WTZR/WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "RINEX 3.04 observation" in out
    assert "WTZZ00DEU 14201M014" in out
    assert "JAVAD TRE_3 DELTA" in out and "LEIAR25.R3      LEIT" in out
    assert "span     2020-06-25T00:00:00 .. 2020-06-25T00:59:30 GPST (0.99 h)\n" in out
    assert "approx   4075578.4000 931852.7500 4801569.9800 m (header, not a reference)\n" in out
    assert "epochs   120  interval 30.0 s" in out
    assert "C BeiDou    14 sats" in out and "R GLONASS   11 sats" in out
    assert "C1X L1X D1X S1X C2I" in out  # BDS-3 B1C first, then B1I
    assert "R10:-7" in out


def test_info_bad_file_is_an_error_not_a_traceback(tmp_path, capsys):
    p = tmp_path / "bad.rnx"
    p.write_text("     3.05           OBSERVATION DATA    M".ljust(60) + "RINEX VERSION / TYPE\n")
    assert main(["info", str(p)]) == 2
    err = capsys.readouterr().err
    assert "kompas info: error:" in err and "END OF HEADER" in err


def test_info_products(kompas_data, capsys):
    d = kompas_data
    files = [
        d / "A_2020-177_ESBC_WTZR/GBM0MGXRAP_20201770000_01D_05M_ORB_73epoch.sp3",
        d / "G_2021-118_SLAC_rinex2/COD0MGXFIN_20211180000_01D_30S_CLK.CLK",
        d / "A_2020-177_ESBC_WTZR/igs20_wettzell_trim.atx",
        d / "H_extra_multignss/COD0MGXFIN_20212650000_01D_01D_OSB.BIA",
        d / "ionex/jplg0010.17i.gz",
    ]
    assert main(["info", *map(str, files)]) == 0
    out = capsys.readouterr().out
    # SP3: MANIFEST says G31 R21 E24 C43 J4, 73 epochs, 00:00-06:00
    assert "SP3-d" in out and "epochs   73  interval 300 s" in out
    assert "C BeiDou    43 sats  C01..C60" in out and "J QZSS       4 sats" in out
    # clock 3.04: AS for C37, AR for 135 stations
    assert "RINEX clock 3.04" in out and "stations 135 with clocks" in out and "C BeiDou    37 sats" in out
    assert "records  AR 1863  AS 14036\n" in out
    assert "LEIAR25.R3      LEIT" in out
    assert "Bias-SINEX 1.00" in out and "OSB 6871" in out
    assert "IONEX 1.0" in out and "maps     13 of 71 x 73" in out


def test_info_nav(kompas_data, capsys):
    assert main(["info", str(kompas_data / "H_extra_multignss/BRD400DLR_S_20230710000_01D_MN.rnx.gz")]) == 0
    out = capsys.readouterr().out
    # MANIFEST: G762/32, R1240/26, E5840/26, C2621/44 (D1 893, D2 168, CNV1 634, CNV2 926), J292, I283, S9072
    assert "RINEX 4 navigation" in out and "records  GLONASS 1240\n" in out and "records  SBAS 9072\n" in out
    assert (
        "records  Kepler 9798  (CNAV 432, CNV1 634, CNV2 1024, D1 893, D2 168, FNAV 2897, INAV 2943, LNAV 807)\n"
        in out
    )
    assert "span     2023-03-12T00:00:00 .. 2023-03-12T23:59:44 GPST (24.00 h) (clock epochs)\n" in out
    assert "D1 893" in out and "D2 168" in out and "CNV1 634" in out
    assert "C BeiDou    44 sats" in out and "R GLONASS   26 sats" in out
    assert "leap     18 s" in out


def test_info_nav_leap_seconds_of_bdt(kompas_data, tmp_path, capsys):
    # RINEX 3.05 LEAP SECONDS with time system BDS: the count is BDT - UTC (4 s in 2024, GPST - UTC 18 s)
    import gzip

    text = gzip.open(kompas_data / "B_2024-124_NYA1/NYA100NOR_S_20241240000_01D_CN.rnx.gz", "rt").read()
    record = f"{'     4     4  2200     7BDS':60s}LEAP SECONDS\n"
    p = tmp_path / "bds_leap_CN.rnx"
    p.write_text(text.replace(" " * 60 + "END OF HEADER", record + " " * 60 + "END OF HEADER", 1))
    assert main(["info", str(p)]) == 0
    assert "leap     4 s (BDT - UTC; GPST - UTC 18 s)\n" in capsys.readouterr().out


def test_info_of_several_files_shows_every_one_it_can(kompas_data, tmp_path, capsys):
    # a file that is not one it reads does not stop the others: each error one line, exit 2 at the end
    bad = kompas_data / "D_2026-120_PASA_SCOA_rtk/cd_pasa_scoa_2026_120_truth.json"
    nav = kompas_data / "G_2021-118_SLAC_rinex2/brdc1180.21n"
    assert main(["info", str(bad), str(nav), str(tmp_path / "none.rnx")]) == 2
    out, err = capsys.readouterr()
    assert f"file     {nav}\n" in out and "records  Kepler 105  (LNAV 105)" in out
    lines = err.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"kompas info: error: {bad}, line 1: not a RINEX")
    assert lines[1] == f"kompas info: error: {tmp_path / 'none.rnx'}: No such file or directory"
    assert main(["info", str(nav)]) == 0
