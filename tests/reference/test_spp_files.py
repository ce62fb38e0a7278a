"""SPP on real files the earlier tests did not cover: every failure a new user met (issue 9) stays fixed.

Each case runs through the command line, as a user would, and checks the exit status and the one-line
reason; files with unusual content are built in the test from a shared file (never copied into the repo).
"""

import gzip
import json
import re
import sys
import warnings

import numpy as np
import pytest

import kompas
from kompas.cli.main import main
from kompas.errors import KompasWarning

A = "A_2020-177_ESBC_WTZR"
WTZR = f"{A}/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
ESBC_NAV = f"{A}/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"
WTZR_TRUTH = np.array([4075580.3111, 931854.0543, 4801568.2808])
SLAC = "G_2021-118_SLAC_rinex2/slac1180.21o"
SLAC_NAV = "G_2021-118_SLAC_rinex2/brdc1180.21n"
BRDC_2026 = "D_2026-120_PASA_SCOA_rtk/BRDC00WRD_R_20261200800_06H_MN.rnx"


def _rename_bds_codes(src, dst):
    """WTZR with BeiDou logged as C2X/C6X/C7X (Trimble NetR9 style): only the tracking attribute differs."""
    out = []
    for line in src.read_text().splitlines(keepends=True):
        if line[60:].startswith("SYS / # / OBS TYPES") and line[0] == "C":
            for band in "267":
                for kind in "CLDS":
                    line = line.replace(f"{kind}{band}I", f"{kind}{band}X")
        out.append(line)
    dst.write_text("".join(out))
    return dst


def test_beidou_2x_file_solves_like_2i(kompas_data, tmp_path, capsys):
    renamed = _rename_bds_codes(kompas_data / WTZR, tmp_path / "wtzr_2x.rnx")
    nav = kompas.read_nav(kompas_data / ESBC_NAV)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)
        a = kompas.spp(kompas.read_obs(kompas_data / WTZR), nav, systems="C")
        b = kompas.spp(kompas.read_obs(renamed), nav, systems="C")
    assert b.ok.all() and b.record.signals["C"] == {"2X": a.record.signals["C"]["2I"]}
    np.testing.assert_allclose(b.pos_m, a.pos_m, rtol=0, atol=1e-6)
    # and in a multi-system run BeiDou is used, not dropped
    assert main(["spp", str(renamed), str(kompas_data / ESBC_NAV), "--systems", "C,R"]) == 0
    sats = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("sats"))
    assert float(re.search(r"\bC ([0-9.]+)", sats).group(1)) > 5.0


def test_real_netr9_beidou_2x(kompas_data):
    b = kompas_data / "B_2024-124_NYA1"
    obs = kompas.read_obs(b / "NYA100NOR_S_20241240000_01D_30S_MO.crx.gz").epochs(0, 240)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)
        sol = kompas.spp(obs, kompas.read_nav(b / "NYA100NOR_S_20241240000_01D_CN.rnx.gz"), systems="C")
    assert sol.ok.mean() > 0.85 and set(sol.record.signals["C"]) == {"2X"}
    # what is left unsolved is geometry (few BeiDou satellites at 79 N in 2024), never a missing signal
    assert set(sol.record.unsolved) <= {"too_few_satellites", "below_mask", "gdop", "chi2", "not_converged"}


def _run(args, capsys):
    rc = main(["spp", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize(
    ("files", "extra", "reason"),
    [
        ((SLAC, SLAC_NAV), ("--systems", "C"), "the observation file has no BeiDou observations"),
        (("edge_cases/blank.10o", SLAC_NAV), (), "the observation file has no epochs"),
        (
            (WTZR, BRDC_2026),
            (),
            "navigation data cover 2026-04-30T08:00:00 .. 2026-04-30T14:00:14, observations are 2020-06-25",
        ),
        ((SLAC, SLAC_NAV), ("--systems", "R"), "no ephemeris in 241 of 241 epochs"),
        ((SLAC, SLAC_NAV), ("--elmask", "89"), "below mask in 241 of 241 epochs; elevation mask is 89 deg"),
    ],
)
def test_runs_that_solve_nothing_exit_1_with_the_reason(kompas_data, capsys, files, extra, reason):
    rc, _, err = _run([*(kompas_data / f for f in files), *extra], capsys)
    assert rc == 1
    assert reason in err and "Traceback" not in err
    assert err.count("kompas spp: no epoch solved") == 1


def test_system_without_ephemeris_is_named(kompas_data, capsys):
    rc, _, err = _run([kompas_data / SLAC, kompas_data / SLAC_NAV, "--systems", "GR"], capsys)
    assert rc == 0
    assert "warning: GLONASS (R) was asked for but the navigation data have no GLONASS ephemeris" in err


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d, t: [t / "missing.rnx", d / ESBC_NAV], "missing.rnx: no such file"),
        (lambda d, t: [d / A, d / ESBC_NAV], "is a directory, not a file"),
        (lambda d, t: [d / WTZR, d / ESBC_NAV, "-o", t / "no" / "such" / "dir.pos"], "does not exist"),
        (
            lambda d, t: [d / WTZR, d / ESBC_NAV, "-o", d / WTZR / "out.pos"],
            f"{WTZR} is a file, not a folder",
        ),
        (
            lambda d, t: [d / WTZR, d / ESBC_NAV, "-o", t / "out.xyz"],
            "unknown extension; use one of .pos, .nmea",
        ),
        (lambda d, t: [d / WTZR, d / ESBC_NAV, "--elmask", "abc"], "--elmask must be a number"),
        (lambda d, t: [d / WTZR, d / ESBC_NAV, "--systems", "CX"], "systems must be letters of GRECJI"),
        (lambda d, t: [d / WTZR, d / ESBC_NAV, "--truth", "1", "2"], "--truth needs X Y Z"),
        (lambda d, t: [d / WTZR], "give an observation file and at least one navigation file"),
        # the files in another order: the misplaced one is named
        (
            lambda d, t: [d / ESBC_NAV, d / WTZR],
            f"{ESBC_NAV} is a navigation file: the order is kompas spp OBS NAV",
        ),
    ],
)
def test_user_errors_are_one_line_and_exit_2(kompas_data, tmp_path, capsys, make, message):
    rc, out, err = _run(make(kompas_data, tmp_path), capsys)
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kompas spp: error: ") and message in lines[0]
    assert "epochs" not in out  # checked before any solving


def test_unwritable_output_is_found_before_solving(kompas_data, tmp_path, capsys, monkeypatch):
    import os

    from kompas.cli import spp as cli_spp

    real = os.access
    folder = str(tmp_path / "ro")
    os.mkdir(folder)
    # as root every folder is writable: deny write access to this one the way a read-only mount would
    monkeypatch.setattr(
        cli_spp.os, "access", lambda p, m: False if (str(p) == folder and m & os.W_OK) else real(p, m)
    )
    rc, out, err = _run(
        [kompas_data / WTZR, kompas_data / ESBC_NAV, "-o", os.path.join(folder, "x.pos")], capsys
    )
    assert rc == 2 and "x.pos: not writable" in err and "epochs" not in out


def test_output_to_stdout_and_summary_to_stderr(kompas_data, capsys):
    rc, out, err = _run([kompas_data / WTZR, kompas_data / ESBC_NAV, "--systems", "CR", "-o", "-"], capsys)
    assert rc == 0
    lines = out.splitlines()
    assert (
        lines[0].startswith("% program   : kompas spp") and sum(not ln.startswith("%") for ln in lines) == 120
    )
    assert "epochs   120 solved of 120" in err


def test_window_and_truth_file(kompas_data, tmp_path, capsys):
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps({"marker_ecef_m": WTZR_TRUTH.tolist()}))
    args = [kompas_data / WTZR, kompas_data / ESBC_NAV, "--systems", "C", "--start", "2020-06-25T00:10:00",
            "--end", "2020-06-25T00:20:00", "--interval", "60", "--truth", truth]  # fmt: skip
    rc, out, _ = _run(args, capsys)
    assert rc == 0 and "epochs   11 solved of 11" in out and "against truth" in out


def test_help_shows_defaults_and_no_markup(capsys):
    with pytest.raises(SystemExit):
        main(["spp", "--help"])
    text = capsys.readouterr().out
    assert "(default: 10.0)" in text and "--elmask DEG" in text and "--dump-config" in text
    for markup in ("``", ":func:", ":class:", ":mod:"):
        assert markup not in text


def test_gzip_input_and_warning_lines(kompas_data, tmp_path, capsys):
    gz = tmp_path / "slac.21o.gz"
    gz.write_bytes(gzip.compress((kompas_data / SLAC).read_bytes()))
    rc, _, err = _run([gz, kompas_data / SLAC_NAV, "--systems", "GE"], capsys)
    assert rc == 0
    warn = [ln for ln in err.splitlines() if "warning" in ln]
    assert warn and all(ln.startswith("kompas spp: warning: ") for ln in warn)
    assert sys.modules["kompas"] is kompas


def test_ionex_maps_serve_every_system(kompas_data, tmp_path, capsys):
    """--ionex FILE: JPL's GIM of 2017-01-01 over a simulated receiver of that day (no observation file
    of an IONEX day is in the shared data)."""
    out = tmp_path / "sim"
    assert main(["sim", "--lat", "47", "--lon", "8", "--hours", "0.25", "--systems", "C,R,G,E",
                 "--start", "2017-01-01T06:00:00", "--out", str(out)]) == 0  # fmt: skip
    capsys.readouterr()
    obs = (
        next(out.glob("*O.rnx"))
        if list(out.glob("*O.rnx"))
        else next(p for p in out.iterdir() if "MO" in p.name)
    )
    nav = next(p for p in out.iterdir() if "MN" in p.name)
    gim = kompas_data / "ionex" / "jplg0010.17i.gz"
    rc, text, err = _run([obs, nav, "--ionex", gim, "-o", tmp_path / "x.pos"], capsys)
    assert rc == 0 and "IONEX maps" in text
    assert "% ionos opt : IONEX TEC (IONEX maps:" in (tmp_path / "x.pos").read_text()
    assert "the IONEX maps" not in err  # the day's maps serve every observation
    rc, _, err = _run([obs, nav, "--iono", "ionex"], capsys)
    assert rc == 2 and "--ionex FILE" in err
    for other in ("brdc", "off", "if"):  # a model asked for beside the maps: which one was meant?
        rc, _, err = _run([obs, nav, "--ionex", gim, "--iono", other], capsys)
        assert rc == 2 and err.strip() == (
            f"kompas spp: error: --ionex selects the IONEX maps, --iono {other} another model: give one of them"
        )
    rc, _, _ = _run([obs, nav, "--ionex", gim, "--iono", "ionex", "-o", tmp_path / "z.pos"], capsys)
    assert rc == 0


def test_ionex_maps_of_another_day_are_refused_before_solving(kompas_data, tmp_path, capsys):
    # the 2017 maps over the WTZR hour of 2020: no observation could be served. It used to name IONEX as
    # the model of every system with no correction applied, then to warn after solving and exit 0
    a = kompas_data / "A_2020-177_ESBC_WTZR"
    gim = kompas_data / "ionex" / "jplg0010.17i.gz"
    rc, out, err = _run([a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
                         a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz", "--ionex", gim, "-o", tmp_path / "y.pos"],
                        capsys)  # fmt: skip
    assert rc == 2 and not (tmp_path / "y.pos").exists() and out == ""
    assert err.strip() == (
        "kompas spp: error: the IONEX maps (2017-01-01T00:00:18 .. 2017-01-02T00:00:18) do not cover the "
        "observations (2020-06-25T00:00:00 .. 2020-06-25T00:59:30): give the maps of the observation days, or "
        "leave out --ionex for the broadcast model"
    )


def test_ionosphere_free_spp_is_quiet(kompas_data, tmp_path, capsys):
    # rows without the band pair got coefficients from equal frequencies (divide by zero, masked later):
    # numpy's RuntimeWarnings with source lines reached the user's terminal
    import warnings

    a = kompas_data / "A_2020-177_ESBC_WTZR"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        rc, _, err = _run([a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx", a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz",
                           "--iono", "if", "-o", tmp_path / "z.pos"], capsys)  # fmt: skip
    assert rc == 0 and "RuntimeWarning" not in err


def test_a_system_without_navigation_records_is_named(kompas_data, tmp_path, capsys):
    # NavIC is observed at WTZR, the station file has no NavIC records: the reason is the system, not time
    a = kompas_data / "A_2020-177_ESBC_WTZR"
    rc, _, err = _run([a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx", a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz",
                       "--systems", "I", "-o", tmp_path / "i.pos"], capsys)  # fmt: skip
    assert rc == 1
    assert err.strip().splitlines()[-1] == (
        "kompas spp: no epoch solved: no ephemeris in 120 of 120 epochs; the navigation data have no records of "
        "I (they hold C, E, G, J, R)"
    )
