"""`kompas ppp` end to end: summary against the truth, .pos output, HTML report, TOML options, errors."""

import numpy as np
import pytest

from kompas import read_pos
from kompas.cli.main import main
from kompas.cli.ppp import _truth_lines
from kompas.report import convergence_summary

A = "A_2020-177_ESBC_WTZR"
TRUTH = ("4075580.3031", "931854.0626", "4801568.2855")  # WTZR at the session's epoch (test_ppp_real.py)
SVB = ("gps", "gln", "gal", "bei")


def _args(data, *extra):
    a, m = data / A, data / "models"
    return [
        "ppp", str(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"), str(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"),
        "--sp3", str(a / "GRG0MGXFIN_20201760000_01D_15M_ORB.SP3.gz"), str(a / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz"),
        "--clk", str(a / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"), "--atx", str(a / "igs20_wettzell_trim.atx"),
        "--blq", str(m / "OceanLoading_GOT47_raPPPid.blq"), "--gpt3", str(m / "gpt3_5.grd"),
        "--sat-table", str(m / "sat_parameters_PRIDE.txt"), *(str(m / f"gpsppp.svb_{s}_yrly") for s in SVB), *extra,
    ]  # fmt: skip


def test_ppp_static_pos_report_and_summary(kompas_data, tmp_path, capsys):
    out, rep = tmp_path / "wtzr.pos", tmp_path / "wtzr.html"
    code = main(
        _args(kompas_data, "--systems", "G,R,E", "--truth", *TRUTH, "-o", str(out), "--report", str(rep))
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "epochs   120 solved of 120 (100.0 %)" in text
    assert "errors   final E/N/U" in text and "last 30 min RMS" in text
    assert "G: GRG orbits (900-s SP3) and 30-s clock file" in text
    pos = read_pos(out)
    assert len(pos) == 120 and (pos.quality == 6).all()
    head = [ln for ln in out.read_text().splitlines() if ln.startswith("%")]
    # RTKLIB's labels: the ZTD is estimated (gradients are off for an hour by default)
    assert "% pos mode  : PPP Static" in head and "% ionos opt : Iono-Free LC" in head
    assert "% tropo opt : Estimate ZTD" in head
    # the summary's sigmas are the solution's last ones, in E, N, U order (the .pos has N, E, U)
    sd = np.sqrt(np.diag(pos.cov_enu_m2()[-1])) * 100
    printed = [float(v) for v in text.split("(sigma E/N/U ")[1].split(" cm)")[0].split()]
    np.testing.assert_allclose(printed, sd, atol=0.06)  # .pos sigmas to 0.1 mm, printed to 0.1 cm
    assert min(abs(sd[0] - sd[1]), abs(sd[1] - sd[2]), abs(sd[0] - sd[2])) > 0.1  # three different values
    # the convergence line of the file read back, and of a truth 1 m away that no epoch comes near
    good = _truth_lines(convergence_summary(pos, np.array(TRUTH, float)))
    assert good[1].endswith(" min") and "H and V below 10 cm after " in good[1] and good[1] in text
    far = _truth_lines(convergence_summary(pos, np.array(TRUTH, float) + np.array([1.0, 0.0, 0.0])))
    assert far[1].endswith("H and V below 10 cm at no epoch to the end")
    err = pos.enu_error_m(np.array(TRUTH, float))[-1]
    assert np.hypot(err[0], err[1]) < 0.03 and abs(err[2]) < 0.05
    html = rep.read_text()
    assert html.count("data:image/png;base64,") == 3 and "final error H / V (cm)" in html
    enu_cm = text.split("errors   final E/N/U ")[1].split(" cm")[0]  # the summary's "+0.4 -1.2 +2.0"
    assert enu_cm in html  # the report's final-error row holds the same centimetres


def test_ppp_backward_filter_summary_in_the_order_it_ran(kompas_data, tmp_path, capsys):
    # a backward filter ends at the first epoch: the summary and the report say "first-epoch" and "first 30
    # min", and its first-epoch error is that of the .pos file's first row
    out, rep = tmp_path / "b.pos", tmp_path / "b.html"
    args = _args(
        kompas_data, "--systems", "G,E", "--mode", "kinematic", "--smoothing", "backward", "--truth", *TRUTH
    )
    assert main([*args, "-o", str(out), "--report", str(rep)]) == 0
    text = capsys.readouterr().out
    assert "errors   first-epoch E/N/U" in text and "(backward filter)" in text and "first 30 min RMS" in text
    e, n, u = (float(v) for v in text.split("first-epoch E/N/U ")[1].split(" cm")[0].split())
    first = read_pos(out).enu_error_m(np.array(TRUTH, float))[0] * 100
    np.testing.assert_allclose([e, n, u], first, atol=0.051)
    assert "first-epoch error H / V (cm)" in rep.read_text()
    # the position shown is the filter's end too: the first epoch's, where it converged
    line = next(ln for ln in text.splitlines() if ln.startswith("first    "))
    assert line.endswith("; the end of the backward filter") and "(first epoch)" in text
    x, y, z = (float(v) for v in line.split()[1:4])
    np.testing.assert_allclose([x, y, z], read_pos(out).pos_m[0], atol=6e-5)


def test_ppp_kinematic_toml_and_dump(kompas_data, tmp_path, capsys):
    assert main(["ppp", "--mode", "kinematic", "--elmask", "15", "--dump-config"]) == 0
    toml = capsys.readouterr().out
    assert 'mode = "kinematic"' in toml and "elmask_deg = 15.0" in toml
    cfg = tmp_path / "ppp.toml"
    cfg.write_text(toml.replace('systems = "GREC"', 'systems = "GE"'))
    out = tmp_path / "k.csv"
    assert main(_args(kompas_data, "--config", str(cfg), "-o", str(out), "--end", "2020-06-25T00:20:00")) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 42 and "ztd_m" in lines[0]
    pos = tmp_path / "k.pos"
    assert main(_args(kompas_data, "--config", str(cfg), "-o", str(pos), "--end", "2020-06-25T00:05:00")) == 0
    assert "% pos mode  : PPP Kinematic" in pos.read_text().splitlines()


def test_ppp_solution_to_stdout_and_satellite_tables_told_apart_by_content(kompas_data, tmp_path, capsys):
    # GPSPACE tables under other names are still known by their HDR lines (as a second PRIDE table they
    # were refused); with the solution on standard output every other line goes to standard error
    args = _args(kompas_data, "--systems", "G", "--end", "2020-06-25T00:05:00")
    m = kompas_data / "models"
    for s in SVB:
        (tmp_path / f"offsets_{s}.txt").write_bytes((m / f"gpsppp.svb_{s}_yrly").read_bytes())
        args[args.index(str(m / f"gpsppp.svb_{s}_yrly"))] = str(tmp_path / f"offsets_{s}.txt")
    rep = tmp_path / "r.html"
    assert main([*args, "-o", "-", "--format", "csv", "--report", str(rep)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].startswith("time") and len(out.splitlines()) == 12  # header + 11 epochs
    assert f"wrote    {rep}" in err.splitlines() and "epochs   11 solved of 11" in err and rep.is_file()


def test_ppp_user_errors(kompas_data, tmp_path, capsys):
    obs = str(kompas_data / A / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx")
    assert main(["ppp", obs]) == 2
    assert "give precise products (--sp3, --clk) or navigation files" in capsys.readouterr().err
    # a clock file without its orbits would be left unread (broadcast clocks used instead)
    clk = str(kompas_data / A / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz")
    nav = str(kompas_data / A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    assert main(["ppp", obs, nav, "--clk", clk]) == 2
    assert capsys.readouterr().err == "kompas ppp: error: --clk needs the SP3 orbit files as well (--sp3)\n"
    assert main(["ppp", obs, "--sp3", str(tmp_path / "missing.sp3")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(_args(kompas_data, "--mode", "moving")) == 2
    assert "must be one of static, kinematic" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--solid-tide", "--no-solid-tide"])
def test_ppp_model_switch_flags(kompas_data, tmp_path, flag, capsys):
    out = tmp_path / "s.pos"
    assert (
        main(_args(kompas_data, "--systems", "G", flag, "--end", "2020-06-25T00:05:00", "-o", str(out))) == 0
    )
    text = capsys.readouterr().out
    assert f"solid_tide={flag == '--solid-tide'}" not in text  # the models line is in the record, not printed
    assert read_pos(out).record.program == "kompas ppp"


def test_ppp_mapping_function_option_reaches_the_model(kompas_data, tmp_path):
    # --tropo saas maps with GMF by default, with Niell when asked: 5 min of WTZR, millimetres apart
    pos = {}
    for mapping in ("gmf", "niell"):
        out = tmp_path / f"{mapping}.pos"
        args = ("--systems", "G", "--tropo", "saas", "--mapping", mapping, "--end", "2020-06-25T00:05:00")
        assert main(_args(kompas_data, *args, "-o", str(out))) == 0
        pos[mapping] = read_pos(out).pos_m
    d = np.linalg.norm(pos["gmf"] - pos["niell"], axis=1)
    assert 1e-5 < d.max() < 0.05


def test_ppp_nominal_offset_note_once_for_every_band(kompas_data, tmp_path, capsys):
    # the antenna model runs per band: its notes are merged into one per kind, listing every satellite
    out = tmp_path / "n.pos"
    assert main(_args(kompas_data, "--systems", "G,R,E", "--end", "2020-06-25T00:02:00", "-o", str(out))) == 0
    lines = [x for x in capsys.readouterr().err.splitlines() if "use nominal block offsets" in x]
    assert len(lines) == 1
    sats = lines[0].split(": ")[-1].split(", ")
    assert {s[0] for s in sats} == set("GRE") and sats == sorted(set(sats))


def test_ppp_residuals_beside_the_solution(kompas_data, tmp_path, capsys):
    out = tmp_path / "p.pos"
    assert (
        main(
            _args(
                kompas_data, "--systems", "G", "--end", "2020-06-25T00:02:00", "--residuals", "-o", str(out)
            )
        )
        == 0
    )
    lines = (tmp_path / "p.pos.residuals.csv").read_text().splitlines()
    assert lines[0] == "time,sv,signal,kind,residual_m,elevation_deg,used" and len(lines) > 5
    rows = [ln.split(",") for ln in lines[1:]]
    assert {r[1][0] for r in rows} == {"G"}
    assert {r[2] for r in rows} == {"1C+2W"}  # the ionosphere-free pair of ESBC's GPS observations
    phase = [abs(float(r[4])) for r in rows if r[3] == "phase"]
    code = [abs(float(r[4])) for r in rows if r[3] == "code"]
    assert len(phase) == len(code) > 5
    assert max(phase) < 0.1 and 0.1 < max(code) < 10.0  # ionosphere-free phase and code, m


def test_ppp_without_satellite_offsets_says_why_nothing_was_solved(kompas_data, tmp_path, capsys):
    # precise orbits need the satellite antenna offsets; without ANTEX and tables (and no broadcast to
    # fall back on) nothing is solved, and the one line says which satellites were left out and what to give
    a = kompas_data / A
    args = ["ppp", str(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"),
            "--sp3", str(a / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz"),
            "--clk", str(a / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"), "--systems", "G",
            "-o", str(tmp_path / "o.pos")]  # fmt: skip
    assert main(args) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    # (the first epoch too: its transmission instants, 0.07 s before the clock file's first sample, get
    # clocks extrapolated from the first two samples)
    assert last.startswith("kompas ppp: no epoch solved: too few satellites in 120 of 120 epochs; ")
    assert (
        "satellites without ANTEX or nominal antenna offsets are not used (an unknown offset of up to 2.6 m): G"
        in last
    )
    assert "give --atx" in last and "--sat-table" in last


def test_ppp_pos_header_names_the_systems_used_and_their_ephemerides(kompas_data, tmp_path, capsys):
    """PASA with IGS products (GPS only) and the BRDC file: GLONASS, Galileo and BeiDou come from broadcast
    records; the header said "Precise". ZIM2 with GPS products alone: the header listed all four systems."""
    d, e = kompas_data / "D_2026-120_PASA_SCOA_rtk", kompas_data / "E_2026-133_ZIM2"
    runs = (
        (["ppp", str(d / "PASA00ESP_R_20261201000_02H_30S_MO.rnx"), str(d / "BRDC00WRD_R_20261200800_06H_MN.rnx"),
          "--sp3", str(d / "IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3"),
          "--clk", str(d / "IGS0OPSFIN_2026120095930_02H01M_30S_CLK.CLK"), "--atx", str(d / "igs20_pasa_scoa_gps.atx")],
         "precise G, broadcast REC", "GPS GLONASS Galileo BDS"),
        (["ppp", str(e / "ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx"),
          "--sp3", str(e / "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3"), "--clk", str(e / "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK"),
          "--atx", str(e / "igs20_zim2_gps_trim.atx")], "Precise", "GPS"),
    )  # fmt: skip
    for args, eph, systems in runs:
        out = tmp_path / "o.pos"
        assert main([*args, "-o", str(out)]) == 0
        head = [ln for ln in out.read_text().splitlines() if ln.startswith("%")]
        assert f"% ephemeris : {eph}" in head and f"% navi sys  : {systems}" in head


def test_ppp_with_navigation_data_of_another_day_names_both_spans(kompas_data, tmp_path, capsys):
    a, d = kompas_data / A, kompas_data / "D_2026-120_PASA_SCOA_rtk"
    args = ["ppp", str(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"),
            str(d / "BRDC00WRD_R_20261200800_06H_MN.rnx"), "-o", str(tmp_path / "o.pos")]  # fmt: skip
    assert main(args) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == (
        "kompas ppp: no epoch solved: no ephemeris in 120 of 120 epochs; the orbit products cover "
        "2026-04-30T08:00:00 .. 2026-04-30T14:00:14; the observations are 2020-06-25T00:00:00 .. "
        "2020-06-25T00:59:30"
    )


def test_ppp_with_precise_products_of_another_day_is_a_user_error(kompas_data, tmp_path, capsys):
    # it solved nothing and ended with exit 1 after the whole run; now one line and exit 2 before solving
    a, d = kompas_data / A, kompas_data / "D_2026-120_PASA_SCOA_rtk"
    args = ["ppp", str(d / "PASA00ESP_R_20261201000_02H_30S_MO.rnx"),
            "--sp3", str(a / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz"),
            "--clk", str(a / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"), "-o", str(tmp_path / "o.pos")]  # fmt: skip
    assert main(args) == 2
    assert capsys.readouterr().err.strip() == (
        f"kompas ppp: error: the SP3 file {args[3]} (2020-06-25T00:00:00 .. 2020-06-25T23:45:00) and the "
        "observations (2026-04-30T10:00:00 .. 2026-04-30T11:59:30) do not overlap: give the products of the "
        "observations' days"
    )
    assert not (tmp_path / "o.pos").exists()
    # SP3 files of other days on both sides: the spans overlap, no sample is near an observation; it ran
    # to the end as broadcast PPP (with BRDC) or solved nothing (reviewer)
    later = str(kompas_data / "E_2026-133_ZIM2" / "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3")
    both = ["ppp", args[1], str(d / "BRDC00WRD_R_20261200800_06H_MN.rnx"), "--sp3", args[3], later,
            "-o", str(tmp_path / "o.pos")]  # fmt: skip
    assert main(both) == 2
    assert capsys.readouterr().err.strip() == (
        "kompas ppp: error: the SP3 files (2020-06-25T00:00:00 .. 2026-05-13T23:45:00) have no sample within "
        "900 s of the observations (2026-04-30T10:00:00 .. 2026-04-30T11:59:30): give the products of the "
        "observations' days, or none for broadcast orbits and clocks"
    )


def test_ppp_names_an_exclusion_that_leaves_nothing_to_solve(kompas_data, tmp_path, capsys):
    """ZIM2 with IGS's GPS-only products and every GPS satellite excluded: with --systems G a user error
    before any work; with the file's other systems (no orbits for them) the reason names the exclusion."""
    e = kompas_data / "E_2026-133_ZIM2"
    every_gps = ",".join(f"G{k:02d}" for k in range(1, 33))
    args = ["ppp", str(e / "ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx"),
            "--sp3", str(e / "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3"),
            "--clk", str(e / "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK"), "--exclude", every_gps,
            "-o", str(tmp_path / "o.pos")]  # fmt: skip
    assert main([*args, "--systems", "G"]) == 2
    assert capsys.readouterr().err.strip() == (
        "kompas ppp: error: --exclude leaves no satellite of G: it names all 14 that were observed"
    )
    assert main(args) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(
        "kompas ppp: no epoch solved: no ephemeris in 120 of 120 epochs; the orbit products (G) "
    )
    assert last.endswith("--exclude leaves out 32 satellites (G01, G02, G03, ...)")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--start", "2020-06-25T02:00:00"], "the observation file has no epoch in the processing window"),
        (["--signals", "C:2I,6I"], "system C: the signals given (2I, 6I) include none of band 1"),
    ],
)
def test_ppp_window_and_signal_errors_are_one_line(kompas_data, tmp_path, capsys, extra, message):
    assert main(_args(kompas_data, "--systems", "C", "-o", str(tmp_path / "o.pos"), *extra)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("kompas ppp: error: ") and message in err[-1]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--apriori", "0,0,0"], "--apriori must be an ECEF X,Y,Z in metres near the Earth's surface"),
        (["--systems", "J"], "the observation file has no observations of J (it has GRECSI)"),
        (
            ["--truth", "nan", "0", "0"],
            "--truth nan 0 0: not an ECEF X Y Z in metres near the Earth's surface",
        ),
        (["--truth", "0", "0", "0"], "not an ECEF X Y Z in metres near the Earth's surface"),
        (["--format", "kml"], "--format kml needs an output: -o FILE"),
        (["--start", "2020-06-25T00:10:00Z"], "--start is GPS time without a time zone"),
        # options the run would ignore
        (["--bands", "G:15"], "bands (--bands) chooses the bands of --observables uncombined"),
        (
            ["--observables", "uncombined", "--if-bands", "G:12"],
            "if_bands (--if-bands) chooses the pairs of --observables if; the uncombined mode takes its bands from "
            "bands (--bands)",
        ),
        (
            ["--ar", "wl+nl"],
            "ambiguity resolution (--ar wl+nl) fixes satellites with phase biases only: give --bias with phase OSB "
            "(or ambiguity.require_phase_bias = false for bias-free products)",
        ),
    ],
)
def test_ppp_refuses_values_that_would_give_wrong_numbers(kompas_data, tmp_path, capsys, extra, message):
    out = [] if "--format" in extra else ["-o", str(tmp_path / "o.pos")]
    assert main(_args(kompas_data, *out, *extra)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("kompas ppp: error: ") and message in err[-1]


def test_ppp_output_name_and_format_must_agree(kompas_data, tmp_path, capsys):
    assert main(_args(kompas_data, "-o", str(tmp_path / "o.kml"), "--format", "gpx")) == 2
    assert "o.kml: a .kml name for --format gpx output; name the file .gpx" in capsys.readouterr().err


def test_ppp_truth_files_that_hold_no_position_are_user_errors(kompas_data, tmp_path, capsys):
    binary = kompas_data / "E_2026-133_ZIM2/COD0OPSFIN_20261330000_01D_01D_OSB.BIA.gz"
    words = tmp_path / "words.json"
    words.write_text('{"marker_ecef_m": ["a", "b", "c"]}')
    far = tmp_path / "far.json"
    far.write_text('{"marker_ecef_m": [1e20, 0, 0]}')
    for path, message in ((binary, "not a JSON truth file"), (words, "marker_ecef_m is not three numbers"),
                          (far, "not an ECEF X Y Z in metres near the Earth's surface")):  # fmt: skip
        assert main(_args(kompas_data, "-o", str(tmp_path / "o.pos"), "--truth", str(path))) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0], err


def test_ppp_without_orbits_when_the_broadcast_fallback_is_refused(kompas_data, tmp_path, capsys):
    a = kompas_data / A
    obs, nav = (
        a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
        a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz",
    )
    args = ["ppp", str(obs), str(nav), "--no-broadcast-fallback", "-o", str(tmp_path / "o.pos")]
    assert main(args) == 2
    assert (
        "no precise products and no broadcast fallback (--no-broadcast-fallback)" in capsys.readouterr().err
    )


def test_ppp_says_when_the_bias_file_serves_no_observation(kompas_data, tmp_path, capsys):
    bias = kompas_data / "H_extra_multignss/COD0MGXFIN_20212650000_01D_01D_OSB.BIA"  # of 2021, for 2020 data
    assert main(_args(kompas_data, "--systems", "G", "-o", str(tmp_path / "o.pos"), "--bias", str(bias))) == 0
    out = capsys.readouterr().out
    assert "note     the bias file (2021-09-22T00:00:00 .. 2021-09-23T00:00:00) has no bias for these" in out


def test_ppp_a_grid_given_as_blq_is_refused_in_a_short_line(kompas_data, tmp_path, capsys):
    grid = kompas_data / "models/gpt3_5.grd"
    assert main(_args(kompas_data, "-o", str(tmp_path / "o.pos"), "--blq", str(grid))) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expected a station name line" in err[0] and len(err[0]) < 200
