"""``--cn0-mask`` and ``--exclude`` on real data: the satellites SPP uses per epoch equal rnx2rtkp's with the
same ``pos1-snrmask`` and ``pos1-exclsats``, and the masks reach RTK and PPP."""

import shutil
import subprocess

import numpy as np
import pytest

from kompas import SppConfig, read_antex, read_clk, read_nav, read_obs, read_sp3, rtk, spp
from kompas.errors import ConfigError, KompasWarning
from kompas.io import read_bytes
from kompas.ppp import ppp
from kompas.satsys import sat_index, sat_letter

A, E = "A_2020-177_ESBC_WTZR", "E_2026-133_ZIM2"
WTZR = f"{A}/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
WTZZ = f"{A}/WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
NAV = f"{A}/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"
RNX2RTKP = shutil.which("rnx2rtkp")


@pytest.fixture(scope="module")
def wtzr(kompas_data):
    return read_obs(kompas_data / WTZR), read_nav(kompas_data / NAV)


@pytest.mark.skipif(RNX2RTKP is None, reason="RTKLIB rnx2rtkp not installed (apt-get install rtklib)")
@pytest.mark.parametrize(
    ("mask", "exclude"), [(45.0, ()), (48.0, ()), (None, ("G05", "G13")), (42.0, ("G05", "G13"))]
)
def test_spp_uses_the_satellites_rnx2rtkp_uses(kompas_data, wtzr, tmp_path, mask, exclude):
    """GPS L1 C/A alone (RTKLIB's SPP signal): with the same masks, the same satellite count at all 120
    epochs, and fewer than without the masks."""
    obs, nav = wtzr
    nav_plain = tmp_path / "nav.rnx"
    nav_plain.write_bytes(read_bytes(kompas_data / NAV))
    conf = ("pos1-posmode=single\npos1-navsys=1\npos1-elmask=10\npos1-ionoopt=brdc\npos1-tropopt=saas\n"
            "out-solformat=xyz\n")  # fmt: skip
    if mask is not None:
        conf += "pos1-snrmask_r=on\npos1-snrmask_L1=" + ",".join([f"{mask:g}"] * 9) + "\n"
    if exclude:
        conf += "pos1-exclsats=" + " ".join(exclude) + "\n"
    (tmp_path / "c.conf").write_text(conf)
    out = tmp_path / "r.pos"
    subprocess.run([RNX2RTKP, "-k", str(tmp_path / "c.conf"), "-o", str(out), str(kompas_data / WTZR),
                    str(nav_plain)], check=True, capture_output=True, timeout=300)  # fmt: skip
    ns = np.array([int(ln.split()[6]) for ln in out.read_text().splitlines() if ln[:1] != "%"])
    cfg = SppConfig().replace(systems="G", priority={"G": ("1C",)})
    options = {"cn0_mask_dbhz": mask} if mask is not None else {}
    sol = spp(obs, nav, config=cfg.replace(exclude=exclude, **options))
    plain = spp(obs, nav, config=cfg)
    assert ns.size == len(sol) == 120 and sol.ok.all()
    assert np.array_equal(sol.nsat, ns)
    assert (sol.nsat <= plain.nsat).all() and sol.nsat.mean() < plain.nsat.mean() - 0.5


def test_rtk_leaves_the_masked_signals_out_of_both_receivers(kompas_data, wtzr):
    rover, (base, nav) = read_obs(kompas_data / WTZZ), wtzr
    atx = read_antex(kompas_data / f"{A}/igs20_wettzell_trim.atx")
    options = dict(systems="GREC", base_position=(4075580.3111, 931854.0543, 4801568.2808))
    plain = rtk(rover, base, nav, atx=atx, **options)
    masked = rtk(rover, base, nav, atx=atx, cn0_mask_dbhz=45.0, exclude=("E01",), **options)
    assert masked.record.masked[0].startswith("satellites E01 excluded: ")
    assert masked.record.masked[1].startswith("C/N0 below 45 dB-Hz: ")
    assert masked.nsat.mean() < plain.nsat.mean() - 2
    assert masked.nsat_by_system["C"].mean() < plain.nsat_by_system["C"].mean() - 1
    truth = np.array([4075579.1913, 931853.3696, 4801569.1897])
    enu = masked.enu_error_m(truth)[masked.quality == 1]
    assert len(enu) >= 110 and np.abs(enu[:, :2]).max() < 0.02


def test_ppp_without_two_satellites(kompas_data):
    obs = read_obs(kompas_data / f"{E}/ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx")
    inputs = dict(sp3=[read_sp3(kompas_data / f"{E}/IGS0OPSFIN_20261330000_01D_15M_ORB.SP3")],
                  clk=[read_clk(kompas_data / f"{E}/IGS0OPSFIN_20261330000_90M_30S_CLK.CLK")],
                  antex=read_antex(kompas_data / f"{E}/igs20_zim2_gps_trim.atx"))  # fmt: skip
    said = {
        "no BLQ file: no ocean loading",
        "no GPT3 grid: troposphere a priori from Saastamoinen with a standard atmosphere and GMF",
        "no polar motion given (--polar-motion): pole tide not applied",
        # GPS-only products, no navigation file: the file's other systems are named
        "C, E, R: no precise orbit or clock and no navigation file serve them: not used",
    }
    frequencies = "satellite antenna frequencies missing in the ANTEX file, another used: "
    with pytest.warns(KompasWarning) as rec:
        plain = ppp(obs, **inputs)
    assert {str(w.message) for w in rec} == said | {
        frequencies + "G10: G05->G01, G24: G05->G01, G30: G05->G01"
    }
    with pytest.warns(KompasWarning) as rec:
        sol = ppp(obs, **inputs, exclude=("G05", "G10"))
    assert {str(w.message) for w in rec} == said | {frequencies + "G24: G05->G01, G30: G05->G01"}  # not G10
    gone = np.isin(obs.sat, sat_index(["G05", "G10"])).sum()
    counted = np.isin(sat_letter(obs.sat), list("GRECJ")).sum()  # PPP's systems: the file's SBAS rows not
    assert (gone, counted, len(obs)) == (603, 21208, 21577)
    assert sol.record.masked == (f"satellites G05,G10 excluded: {gone} of {counted} observations",)
    with pytest.raises(
        ConfigError, match="the observation masks leave the observation file empty: C/N0 below 99"
    ):
        ppp(obs, **inputs, cn0_mask_dbhz=99.0)
    # G10 is used at every epoch, G05 (its ANTEX block lacks frequencies, noted) at one
    assert sol.ok.all() and set(np.unique(plain.nsat - sol.nsat).tolist()) == {1, 2}


def test_the_commands_print_what_the_masks_left_out(kompas_data, tmp_path, capsys):
    from kompas.cli.main import main

    obs, nav = str(kompas_data / WTZR), str(kompas_data / NAV)
    assert main(["spp", obs, nav, "--cn0-mask", "45", "--exclude", "G05", "-o", str(tmp_path / "s.pos")]) == 0
    out = capsys.readouterr().out
    assert "masked   satellites G05 excluded: " in out and "masked   C/N0 below 45 dB-Hz: " in out
    assert main(["spp", obs, nav, "--cn0-mask", "99", "-o", str(tmp_path / "n.pos")]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("kompas spp: no epoch solved: no observations in 120 of 120 epochs; C/N0 below 99")
    # another reason: the masks and the notes are not its cause, and are not named
    assert main(["spp", obs, nav, "--cn0-mask", "30", "--elmask", "89", "-o", str(tmp_path / "e.pos")]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert (
        err
        == "kompas spp: no epoch solved: below mask in 120 of 120 epochs; elevation mask is 89 deg (--elmask)"
    )
    rtk_args = [
        "rtk",
        str(kompas_data / WTZZ),
        obs,
        nav,
        "--base-pos",
        "header",
        "-o",
        str(tmp_path / "r.pos"),
    ]
    assert main([*rtk_args, "--cn0-mask", "46"]) == 0
    assert "masked   C/N0 below 46 dB-Hz: " in capsys.readouterr().out
    assert main([*rtk_args, "--cn0-mask", "99"]) == 2
    assert "the observation masks leave the rover empty: C/N0 below 99 dB-Hz" in capsys.readouterr().err
    zim2 = kompas_data / E
    ppp_args = ["ppp", str(zim2 / "ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx"), "--atx",
                str(zim2 / "igs20_zim2_gps_trim.atx"), "--sp3", str(zim2 / "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3"),
                "--clk", str(zim2 / "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK"), "-o", str(tmp_path / "p.pos")]  # fmt: skip
    assert main([*ppp_args, "--exclude", "G10"]) == 0
    assert "masked   satellites G10 excluded: " in capsys.readouterr().out


def test_the_base_average_leaves_out_what_the_masks_leave_out(wtzr):
    import warnings

    from kompas.products.broadcast import BroadcastProduct
    from kompas.rtk import RtkConfig, base_position

    base, nav = wtzr
    product = BroadcastProduct(nav, policy="post")
    plain = RtkConfig().replace(base_position="spp")
    masked = plain.replace(exclude=("G05", "G13", "E01"), cn0_mask_dbhz=46.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = spp(base, product, systems=masked.systems, elmask_deg=masked.elmask_deg, exclude=masked.exclude,
                    cn0_mask_dbhz=46.0)  # fmt: skip
        got, src = base_position(base, product, masked)
        other, _ = base_position(base, product, plain)
    assert src == "spp" and np.array_equal(got, np.median(alone.pos_m[alone.ok], axis=0))
    assert np.linalg.norm(got - other) > 0.1  # the masks moved the average
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gps = spp(base, product, systems="G", elmask_deg=masked.elmask_deg, exclude=masked.exclude,
                  cn0_mask_dbhz=46.0)  # fmt: skip
        got_g, _ = base_position(base, product, masked.replace(systems="G"))
    assert np.array_equal(got_g, np.median(gps.pos_m[gps.ok], axis=0)) and np.linalg.norm(got_g - got) > 0.01


def test_rtk_checks_the_exclusion_and_names_the_file_a_mask_empties(kompas_data, wtzr):
    import dataclasses

    from kompas.satsys import sat_id

    rover, (base, nav) = read_obs(kompas_data / WTZZ), wtzr
    every_r = [str(x) for x in sat_id(np.unique(rover.sat[sat_letter(rover.sat) == "R"]))]
    with pytest.raises(ConfigError, match=f"--exclude leaves no satellite of R: it names all {len(every_r)}"):
        rtk(rover, base, nav, systems="R", exclude=every_r)
    weak_base = dataclasses.replace(base, cn0_dbhz=np.full(len(base), 20.0, np.float32))
    with pytest.raises(ConfigError, match="the observation masks leave the base empty: C/N0 below 30 dB-Hz"):
        rtk(rover, weak_base, nav, systems="C", cn0_mask_dbhz=30.0)
