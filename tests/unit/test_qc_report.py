"""QC output without computation (kompas.qc.report, the qc command's --dump-config and folder names): a
result with hand-written tables, printed, written as JSON and CSV, compared with what was written by hand."""

from __future__ import annotations

import csv
import json

import pytest

from kompas.cli.main import main
from kompas.cli.qc import _stem
from kompas.config import load_toml
from kompas.qc import QcConfig, QcResult
from kompas.qc.report import summary_line, text_report, write_csv, write_json

pytestmark = pytest.mark.timeout(60)

SUMMARY = {
    "system": "C", "first": "2020-06-25 00:00:00", "hours": 0.9917, "interval_s": 30.0, "sats": 12,
    "expt": 1400, "have": 1377, "pct": 98.36, "obs_per_slip": 459.0, "epochs_lt4": 0, "clock_jumps": 1,
    "mp_rms_m": {"C2I": 0.4123, "C6I": None, "C7I": 0.2},
}  # fmt: skip


def _result(path="/data/ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz"):
    tables = {
        "summary": [SUMMARY],
        "header": [{"item": "position", "value": 12.5, "status": "ok", "note": None}],
        "completeness": [],
        "multipath": [{"system": "C", "signal": "C2I", "partner_band": 6, "n": 220, "rms_m": 0.4123}],
        "slips": [
            {
                "system": "C",
                "band": 2,
                "obs": 1377,
                "slips": 3,
                "lli": 1,
                "gf": 2,
                "mw": 1,
                "gaps": 0,
                "slips_per_1000": 2.179,
                "obs_per_slip": 459.0,
            }
        ],
        "clock_jumps": [],
        "gaps": [{"from": "00:10:00", "to": "00:11:00", "missing_epochs": 1, "duration_s": 60.0}],
    }
    return QcResult(path=path, tables=tables)


def test_summary_line_is_teqc_like_and_skips_missing_values():
    assert summary_line("/data/x.rnx", SUMMARY) == (
        "SUM x.rnx C 2020-06-25 00:00:00 0.99h 30s sats=12 expt=1400 have=1377 pct=98.4 o/slps=459 "
        "<4sats=0 jumps=1 MP[m] C2I=0.41 C7I=0.20"
    )
    none = dict(SUMMARY, hours=None, interval_s=None, expt=None, pct=None, obs_per_slip=None, mp_rms_m={})
    assert summary_line("", none) == (
        "SUM - C 2020-06-25 00:00:00 -h -s sats=12 expt=- have=1377 pct=- o/slps=- <4sats=0 jumps=1 MP[m] -"
    )


def test_text_report_lays_out_every_table():
    lines = text_report(_result()).splitlines()
    tables = {  # title -> the lines under it, written by hand
        "Header checks": ["      item  value  status  note", "  position   12.5      ok     -", ""],
        "Completeness and mean C/N0 per signal (above the mask)": ["  (none)"],
        "Code multipath MP per signal and partner band (RMS, level removed per arc)": [
            "  system  signal  partner_band    n   rms_m",
            "       C     C2I             6  220  0.4123",
        ],
        "Cycle slips per band (above the mask)": [
            "  system  band   obs  slips  lli  gf  mw  gaps  slips_per_1000  obs_per_slip",
            "       C     2  1377      3    1   2   1     0           2.179           459",
        ],
        "Receiver clock jumps": ["  (none)"],
        "Data gaps": [
            "      from        to  missing_epochs  duration_s",
            "  00:10:00  00:11:00               1          60",
        ],
        "Epochs with fewer than 4 satellites": ["  system    name  epochs", "       C  BeiDou       0"],
    }
    for title, below in tables.items():
        at = lines.index(title)
        assert lines[at + 1 : at + 1 + len(below)] == below, title
    assert lines[0] == "kompas qc: /data/ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz"
    assert lines[3] == "  " + summary_line(_result().path, SUMMARY)


def test_html_page_shows_every_table_of_the_text_report():
    """The page had no gaps column in its slip table and no table of epochs with fewer than 4 satellites."""
    import html as h
    import re

    from kompas.qc.html import _page
    from kompas.qc.report import TABLES

    res = _result()
    res.tables["summary"] = [dict(SUMMARY, note="no usable broadcast record")]
    page = _page(res)
    heads = re.findall(r"<h2>(.*?)</h2>", page)
    assert heads == ["Summary"] + [h.escape(title) for _, _, title in TABLES] + ["Figures"]
    for key, cols, title in TABLES:
        table = page.split(f"<h2>{h.escape(title)}</h2>")[1].split("</table>")[0]
        assert re.findall(r"<th>(.*?)</th>", table) == list(cols), key
    assert "<td>0</td><td>2.179</td><td>459.0</td>" in page  # gaps, slips per 1000, obs per slip
    assert "<tr><td>C</td><td>BeiDou</td><td>0</td></tr>" in page  # epochs with fewer than 4 satellites
    assert "note C: no usable broadcast record" in page
    # what the MP sky plot's points are, in its caption; with a thinning note after it
    assert "<figcaption>sky_mp: one point per satellite-epoch at the satellite&#x27;s place" in page
    assert "satellite&#x27;s place; shown: every 9th</figcaption>" in _page(
        res, {"sky_mp": "shown: every 9th"}
    )
    assert "<figcaption>timeline</figcaption>" in page


def test_the_text_report_lists_the_summary_notes_under_the_summary():
    res = _result()
    res.tables["summary"] = [dict(SUMMARY, note="no usable broadcast record")]
    lines = text_report(res).splitlines()
    assert lines[3:6] == ["  " + summary_line(res.path, SUMMARY), "  note C: no usable broadcast record", ""]


def test_large_numbers_keep_six_digits_in_the_report():
    res = _result()
    res.tables["header"] = [{"item": "x", "value": 4075580.3111, "status": "ok", "note": "n"}]
    lines = text_report(res).splitlines()
    assert lines[lines.index("Header checks") + 2] == "     x  4.07558e+06      ok     n"


def test_json_and_csv_hold_every_table_of_every_file(tmp_path):
    a, b = _result("/d/a.rnx"), _result("/d/b.rnx")
    write_json([a, b], tmp_path / "qc.json")
    text = (tmp_path / "qc.json").read_text(encoding="utf-8")
    assert text.startswith('{\n "files": [\n  {\n   "path": "/d/a.rnx",')  # readable: one space a level
    doc = json.loads(text)
    assert [f["path"] for f in doc["files"]] == ["/d/a.rnx", "/d/b.rnx"]
    assert doc["files"][0]["tables"] == json.loads(json.dumps(a.tables))
    written = write_csv([a, b], tmp_path / "csv")
    assert sorted(p.rsplit("/", 1)[1] for p in written) == sorted(f"{t}.csv" for t in a.tables)
    with open(tmp_path / "csv" / "summary.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["file"] for r in rows] == ["a.rnx", "b.rnx"]
    # the MP column of each signal flattened, an unknown value empty
    assert rows[0]["mp_rms_m.C2I"] == "0.4123" and rows[0]["mp_rms_m.C6I"] == ""
    with open(tmp_path / "csv" / "clock_jumps.csv", newline="", encoding="utf-8") as fh:
        # a table without rows keeps its columns, so that the files of many days read and join alike
        assert fh.read().strip() == "file,time,size_s,kind,millisecond,n_sats"


def test_a_value_json_cannot_hold_is_an_error_not_a_string(tmp_path):
    res = _result()
    res.tables["gaps"][0]["duration_s"] = float("nan")
    with pytest.raises(ValueError):
        write_json([res], tmp_path / "qc.json")
    res.tables["gaps"][0]["duration_s"] = object()
    with pytest.raises(TypeError):
        write_json([res], tmp_path / "qc.json")


def test_dump_config_prints_the_options_and_exits_0(capsys, tmp_path):
    assert main(["qc", "--elmask", "15", "--mp-min-arc", "20", "--dump-config"]) == 0
    out = capsys.readouterr().out
    (tmp_path / "qc.toml").write_text(out)
    assert load_toml(QcConfig, tmp_path / "qc.toml") == QcConfig(elmask_deg=15.0, mp_min_arc=20)


def test_html_folder_names_from_the_file_names():
    assert _stem("/a/b/ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz") == "ESBC00DNK_R_20201770000_01D_30S_MO"
    assert _stem("wtzr1770.20o") == "wtzr1770"
    assert _stem("/a/.hidden.rnx") == "file"  # nothing before the first dot
