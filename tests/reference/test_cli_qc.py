"""`kompas qc` end to end: the CLI contract (exit codes and one-line errors), many files, outputs, and the
HTML report rendered by headless Chromium with every figure present."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess

import pytest

from kompas.cli.main import main
from kompas.qc.html import FIGURES

A = "A_2020-177_ESBC_WTZR"
WTZR = "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
WTZZ = "WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
NAV = "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"


def _run(capsys, *args):
    rc = main(["qc", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["nope.rnx"], "nope.rnx: no such file"),
        (["{nav}"], "give at least one observation file: kompas qc OBS [NAV...]"),
        (["{obs}", "--elmask", "95"], "--elmask must be below 90.0 deg"),
        (["{obs}", "--json", "/nonexistent-folder/x.json"], "folder /nonexistent-folder does not exist"),
        (["{obs}", "--systems", "X"], "X"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(kompas_data, capsys, extra, message):
    args = [a.format(obs=kompas_data / A / WTZR, nav=kompas_data / A / NAV) for a in extra]
    rc, out, err = _run(capsys, *args)
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kompas qc: error:") and message in lines[0], err
    if extra == ["{nav}"]:  # the whole line
        assert lines[0] == f"kompas qc: error: {message}"
    assert "Traceback" not in err and out == ""


def test_nothing_checked_says_why_and_exits_1(kompas_data, capsys):
    rc, out, err = _run(capsys, kompas_data / A / WTZR, "--systems", "J")
    assert rc == 1 and out == ""
    assert "not checked: the file has no observations of the systems J (it has GRECSI)" in err
    assert "no file could be checked" in err


def test_among_several_files_an_unreadable_one_is_not_checked_and_the_rest_are(kompas_data, tmp_path, capsys):
    """An empty file, or one that is no GNSS file, among others: reported, skipped, exit 1 (alone: exit 2)."""
    empty, sp3 = tmp_path / "empty.rnx", kompas_data / A / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz"
    empty.write_bytes(b"")
    rc, out, err = _run(
        capsys, kompas_data / A / WTZR, empty, sp3, kompas_data / A / NAV, "-q", "--systems", "G"
    )
    assert rc == 1
    assert f"kompas qc: {empty}: not checked: file is empty" in err
    assert f"kompas qc: {sp3}: not checked: not a RINEX observation or navigation file (sp3)" in err
    assert out.startswith("SUM WTZR00DEU") and "expt=949" in out  # the navigation file was still used
    rc, out, err = _run(capsys, empty)
    assert rc == 2 and err.strip() == f"kompas qc: error: {empty}: file is empty"


def test_one_file_summary_report_json_csv(kompas_data, tmp_path, capsys):
    js, folder = tmp_path / "qc.json", tmp_path / "csv"
    rc, out, err = _run(capsys, kompas_data / A / WTZR, kompas_data / A / NAV, "--systems", "C,R",
                        "--json", js, "--csv", folder)  # fmt: skip
    assert rc == 0
    assert err.splitlines() == [f"wrote {js}", f"wrote {folder}/*.csv"]  # on stderr, not in the report
    sums = [line for line in out.splitlines() if line.startswith("SUM ")]
    assert [s.split()[2] for s in sums] == ["R", "C"]
    assert "Code multipath MP per signal and partner band" in out and "Cycle slips per band" in out
    doc = json.loads(js.read_text())
    assert len(doc["files"]) == 1
    tables = doc["files"][0]["tables"]
    assert {r["system"] for r in tables["summary"]} == {"C", "R"}
    with open(folder / "multipath.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["file"] == WTZR for r in rows)
    assert len(rows) == len(tables["multipath"])


def test_json_to_standard_output_alone(kompas_data, tmp_path, capsys, monkeypatch):
    # --json - as spp's -o -: the JSON document on stdout, the summary and report on stderr; no file "-"
    monkeypatch.chdir(tmp_path)
    js = tmp_path / "qc.json"
    assert _run(capsys, kompas_data / A / WTZR, kompas_data / A / NAV, "--systems", "C", "--json", js)[0] == 0
    rc, out, err = _run(
        capsys, kompas_data / A / WTZR, kompas_data / A / NAV, "--systems", "C", "--json", "-"
    )
    assert rc == 0 and json.loads(out) == json.loads(js.read_text())
    assert "SUM " in err and "Cycle slips per band" in err and not (tmp_path / "-").exists()


def test_many_files_give_one_row_per_file_and_system(kompas_data, tmp_path, capsys):
    rc, out, _ = _run(capsys, kompas_data / A / WTZR, kompas_data / A / WTZZ, kompas_data / A / NAV,
                      "--systems", "C", "--csv", tmp_path)  # fmt: skip
    assert rc == 0
    sums = [line.split() for line in out.splitlines() if line.startswith("SUM ")]
    assert [(s[1], s[2]) for s in sums] == [(WTZR, "C"), (WTZZ, "C")]
    assert "Cycle slips per band" not in out  # no full report with many files
    with open(tmp_path / "summary.csv", newline="") as fh:
        assert [r["file"] for r in csv.DictReader(fh)] == [WTZR, WTZZ]


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
        if path:
            return path
    return None


def test_html_report_renders_in_headless_chromium_with_every_figure(kompas_data, tmp_path, capsys):
    exe = _chromium()
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    out = tmp_path / "report"
    rc, _, _ = _run(capsys, kompas_data / A / WTZR, kompas_data / A / NAV, "--html", out, "-q")
    assert rc == 0
    page = out / "index.html"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    dom = subprocess.run([exe, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    srcs = re.findall(r'<img[^>]*src="([^"]+)"', dom.stdout)
    assert {os.path.splitext(os.path.basename(s))[0] for s in srcs} >= set(FIGURES)
    for stem in FIGURES:
        png = out / f"{stem}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000, stem
    assert "SUM " + WTZR in dom.stdout
    shot = tmp_path / "shot.png"
    res = subprocess.run([exe, *flags, f"--screenshot={shot}", "--window-size=1200,3000", page.as_uri()],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert res.returncode == 0 and shot.stat().st_size > 20000


def test_a_one_epoch_file_has_no_span_or_interval(kompas_data, capsys):
    # one epoch (GPS and GLONASS without channels): the summary line shows '-' where there is no span
    rc, out, err = _run(capsys, kompas_data / "edge_cases" / "default_time_system2.10o")
    assert rc == 0 and "Traceback" not in err
    # GLO epochs are UTC (RINEX 2.11 Table A1): 00:00:30 is 00:00:45 GPST
    assert "SUM default_time_system2.10o G 2010-03-05T00:00:45 -h -s sats=5 " in out
    assert "GLONASS slots without a known frequency channel are not checked" in err


def test_qc_html_of_two_files_of_one_name_in_two_folders(kompas_data, tmp_path, capsys):
    paths = []
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        paths.append(str(shutil.copy(kompas_data / A / WTZR, tmp_path / sub)))
    pytest.importorskip("matplotlib")
    assert main(["qc", "-q", *paths, "--html", str(tmp_path / "html")]) == 0
    err = capsys.readouterr().err
    stem = WTZR.split(".")[0]
    assert f"html/{stem}/index.html" in err and f"html/{stem}-2/index.html" in err  # the second kept too
    assert (tmp_path / "html" / stem / "index.html").exists() and (
        tmp_path / "html" / f"{stem}-2" / "index.html"
    ).exists()
    page = (tmp_path / "html" / stem / "index.html").read_text()
    assert f"<title>kompas qc: {WTZR}</title>" in page and f"<h1>kompas qc: {WTZR}</h1>" in page
    # one file goes into the folder itself, which exists now: written into, not refused
    assert main(["qc", "-q", paths[0], "--html", str(tmp_path / "html")]) == 0
    assert f"<h1>kompas qc: {WTZR}</h1>" in (tmp_path / "html" / "index.html").read_text()
