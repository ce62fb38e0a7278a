"""`kompas spp` end to end: summary against truth, output files in every text format, TOML options."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from kompas import read_pos
from kompas.cli.main import main

A = "A_2020-177_ESBC_WTZR"
TRUTH = ("4075580.3111", "931854.0543", "4801568.2808")


def _args(kompas_data, *extra):
    return ["spp", str(kompas_data / A / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"),
            str(kompas_data / A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"), *extra]  # fmt: skip


def test_spp_pos_output_and_summary(kompas_data, tmp_path, capsys):
    out = tmp_path / "wtzr.pos"
    assert main(_args(kompas_data, "--systems", "C,R", "--truth", *TRUTH, "-o", str(out))) == 0
    text = capsys.readouterr().out
    assert "epochs   120 solved of 120 (100.0 %)" in text
    assert "against truth" in text and "horizontal RMS" in text
    pos = read_pos(out)
    assert len(pos) == 120 and (pos.quality == 5).all()
    assert np.degrees(pos.llh()[0, 0]) == pytest.approx(49.1442, abs=1e-3)
    assert pos.record.program == "kompas spp" and len(pos.record.inputs) == 2


def test_spp_header_reference_is_labelled(kompas_data, capsys):
    assert main(_args(kompas_data, "--systems", "C")) == 0
    assert "header APPROX POSITION (not a truth)" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["nmea", "csv", "kml", "gpx"])
def test_spp_other_formats(kompas_data, tmp_path, fmt):
    out = tmp_path / f"wtzr.{fmt}"
    assert main(_args(kompas_data, "--systems", "CR", "--elmask", "15", "-o", str(out))) == 0
    text = out.read_text()
    if fmt == "nmea":
        assert text.count("$GNGGA") == 120 and text.count("$GNRMC") == 120
    elif fmt == "csv":
        assert text.splitlines()[0].startswith("time,x_m,y_m,z_m,lat_deg,lon_deg,height_m,nsat")
        assert len(text.splitlines()) == 121
    else:
        ET.fromstring(text)  # well-formed XML


def _mean_sats(text):
    line = next(ln for ln in text.splitlines() if ln.startswith("sats"))
    return float(line.split()[1])


def test_spp_toml_config(kompas_data, tmp_path, capsys):
    cfg = tmp_path / "spp.toml"
    cfg.write_text('systems = "C"\nelmask_deg = 25.0\n[models]\niono = "off"\ntropo = "off"\n')
    assert main(_args(kompas_data, "--config", str(cfg), "--dump-config")) == 0
    dumped = capsys.readouterr().out
    for line in ('systems = "C"', "elmask_deg = 25.0", 'iono = "off"', 'tropo = "off"'):
        assert line in dumped
    assert main(_args(kompas_data, "--config", str(cfg))) == 0
    high_mask = capsys.readouterr().out
    assert main(_args(kompas_data, "--systems", "C")) == 0
    default = capsys.readouterr().out
    assert "(C " in high_mask and "R " not in high_mask.split("sats")[1].split("\n")[0]
    assert _mean_sats(high_mask) < _mean_sats(default) - 1.0  # the 25 deg mask was applied
    # the command line overrides the file
    assert main(_args(kompas_data, "--config", str(cfg), "--elmask", "5", "--dump-config")) == 0
    assert "elmask_deg = 5.0" in capsys.readouterr().out


def test_spp_config_errors_name_key_and_file(kompas_data, tmp_path, capsys):
    cfg = tmp_path / "spp.toml"
    cfg.write_text('systems = "C"\nno_such_option = 1\n')
    assert main(_args(kompas_data, "--config", str(cfg))) == 2
    err = capsys.readouterr().err
    assert "unknown option 'no_such_option'" in err and str(cfg) in err
    cfg.write_text('elmask_deg = "high"\n')
    assert main(_args(kompas_data, "--config", str(cfg))) == 2
    err = capsys.readouterr().err
    assert str(cfg) in err and "elmask_deg" in err and "number" in err and "Traceback" not in err
    cfg.write_text('iono = "if"\n')
    assert main(_args(kompas_data, "--config", str(cfg))) == 2
    assert "it belongs in [models]" in capsys.readouterr().err


def test_spp_residuals_beside_the_solution(kompas_data, tmp_path, capsys):
    out = tmp_path / "r.pos"
    assert main(_args(kompas_data, "--systems", "C,R", "--residuals", "-o", str(out))) == 0
    lines = (tmp_path / "r.pos.residuals.csv").read_text().splitlines()
    assert lines[0] == "time,sv,residual_m,elevation_deg,used"
    sats = {ln.split(",")[1][0] for ln in lines[1:]}
    assert sats == {"C", "R"} and len({ln.split(",")[0] for ln in lines[1:]}) == 120
    capsys.readouterr()
    assert main(_args(kompas_data, "--residuals", "-o", "-")) == 2
    assert "give -o FILE" in capsys.readouterr().err


def test_spp_window_without_epochs_is_a_user_error(kompas_data, tmp_path, capsys):
    assert main(_args(kompas_data, "--interval", "1e6", "-o", str(tmp_path / "o.pos"))) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        "kompas spp: error: the observation file has no epoch in the processing window "
        "(--start/--end/--interval); it covers 2020-06-25T00:00:00 .. 2020-06-25T00:59:30"
    )
    assert len(err) == 1  # no system blamed, no model note: nothing was computed


def test_spp_system_below_the_mask_is_not_blamed_on_its_signals(kompas_data, capsys):
    # KMS3's one QZSS satellite stays below the 10 deg mask (a stale record for one epoch besides)
    f = kompas_data / "F_2022-159_KMS3_rinex4"
    assert (
        main(
            [
                "spp",
                str(f / "KMS300DNK_R_20221591000_01H_30S_MO.crx"),
                str(f / "KMS300DNK_R_20221591000_01H_MN.rnx.gz"),
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "QZSS (J) served no epoch: its satellite-epochs were left out (below mask 18, stale 1)" in err
    assert "choose signals with --signals J" not in err


def test_run_spp_reads_only_the_configured_systems_and_reports_progress(kompas_data):
    """kompas.runner.run_spp, behind kompas spp and kompas batch: the observation file streamed with the other
    systems' records skipped unparsed, the progress callback handed on."""
    import warnings

    from kompas import SppConfig
    from kompas.runner import run_spp

    calls = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_spp(
            kompas_data / A / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
            [kompas_data / A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"],
            SppConfig(systems="C"),
            progress=lambda done, total: calls.append((done, total)),
        )
    assert set(run.first.systems) == {"C"} and run.first.n_epochs == 120  # the file has G, R, E, C
    assert run.solution.ok.sum() == 120 and calls == [(120, None)]  # streamed: no total known in advance
    assert len(run.navs) == 1 and run.solution.record.systems == "C"


def test_an_output_naming_an_input_file_is_refused_before_it_is_overwritten(kompas_data, tmp_path, capsys):
    import shutil

    obs = tmp_path / "w.rnx"
    nav = tmp_path / "n.rnx.gz"
    shutil.copy(kompas_data / A / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx", obs)
    shutil.copy(kompas_data / A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz", nav)
    before = obs.read_bytes(), nav.read_bytes()
    rover = str(kompas_data / A / "WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx")
    (tmp_path / "link.csv").symlink_to(nav)
    runs = [
        (["spp", str(obs), str(nav), "-o", str(nav), "--format", "csv"], nav),
        (["spp", str(obs), str(nav), "-o", str(tmp_path / "link.csv")], tmp_path / "link.csv"),
        (["rtk", rover, str(obs), str(nav), "-o", str(obs), "--format", "pos"], obs),
        (["ppp", str(obs), str(nav), "--report", str(obs)], obs),
        (["qc", str(obs), str(nav), "--json", str(obs), "-q"], obs),
        (["orbits", str(nav), "--precise", str(obs), "--csv", str(nav)], nav),
    ]
    for args, named in runs:
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert (
            err
            == f"kompas {args[0]}: error: {named}: is an input file of this run; choose another output name\n"
        )
    assert (obs.read_bytes(), nav.read_bytes()) == before


def test_spp_band_pairs_without_the_ionosphere_free_model_are_refused(kompas_data, capsys):
    assert main(_args(kompas_data, "--if-bands", "G:15")) == 2
    assert capsys.readouterr().err == (
        "kompas spp: error: if_bands (--if-bands) chooses the band pairs of iono 'if' (--iono if); with iono "
        "'brdc' each system uses one band (choose it with --signals)\n"
    )


def test_outputs_that_do_not_exist_yet_are_no_inputs(tmp_path):
    # check_outputs_apart compares existing files only: a new output name is never an input
    import argparse

    from kompas.cli.spp import check_outputs_apart

    inp = tmp_path / "in.rnx"
    inp.write_text("x")
    args = argparse.Namespace(obs_files=[str(inp)], nav=[], config=None)
    other = tmp_path / "old.pos"  # an existing file that is not an input: overwritten as asked
    other.write_text("y")
    check_outputs_apart(args, [str(tmp_path / "new.pos"), "-", None, str(other)])
    from kompas.errors import ConfigError

    with pytest.raises(ConfigError, match="is an input file of this run"):
        check_outputs_apart(args, [str(inp)])
