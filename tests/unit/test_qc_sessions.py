"""kompas qc --join-sessions: a marker's files checked as one session, one row per marker."""

import json
import os
from dataclasses import replace

import numpy as np
import pytest

import kompas
from kompas import gtime_from_calendar
from kompas.cli.main import main
from kompas.frames import geodetic_to_ecef
from kompas.io.writers.rinex_nav import write_nav
from kompas.io.writers.rinex_obs import write_obs
from kompas.sim import simulate

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("qc_sessions")
    start = int(gtime_from_calendar(2025, 3, 1, 6, 0, 0))
    here = geodetic_to_ecef(np.array([np.radians(30.5), np.radians(114.3), 30.0]))
    sim = simulate(here, start, hours=0.5, interval_s=30.0, systems="GRCE", errors="default", seed=6)
    write_obs(sim.obs, d / "whole.rnx")
    for i, (a, b) in enumerate(((0, 21), (20, 40), (40, 60))):  # the first join repeats an epoch
        write_obs(sim.obs.epochs(a, b), d / f"part{i}.rnx")
    write_obs(sim.obs.epochs(0, 20), d / "other.rnx", header=replace(sim.obs.header, marker_name="OTHR"))
    write_nav(sim.nav, d / "nav.rnx")
    return d


def _tables(path):
    return json.loads(path.read_text())["files"]


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in ("path", "created", "program", "version")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def test_a_markers_files_are_one_row_and_the_whole_files_tables(files, tmp_path, capsys):
    d = str(files)
    parts = [f"{d}/part2.rnx", f"{d}/part0.rnx", f"{d}/part1.rnx"]
    assert main(["qc", f"{d}/whole.rnx", f"{d}/nav.rnx", "-q", "--json", str(tmp_path / "w.json")]) == 0
    assert main(["qc", *parts, f"{d}/other.rnx", f"{d}/nav.rnx", "-q", "--join-sessions",
                 "--json", str(tmp_path / "j.json")]) == 0  # fmt: skip
    out = capsys.readouterr()
    assert "1 epoch(s) at or before the end of the earlier files dropped" in out.err
    joined, whole = _tables(tmp_path / "j.json"), _tables(tmp_path / "w.json")
    assert len(joined) == 2  # KSIM's three files, then OTHR's one
    assert [os.path.basename(f["path"]) for f in joined] == ["part0.rnx", "other.rnx"]
    assert _strip(joined[0]) == _strip(whole[0])
    assert main(["qc", *parts, f"{d}/nav.rnx", "-q", "--json", str(tmp_path / "a.json")]) == 0
    assert len(_tables(tmp_path / "a.json")) == 3  # without the option: one row per file, as before
    # a quoted pattern, as spp and batch take it; one that matches nothing is a user error
    assert main(["qc", f"{d}/part?.rnx", "--nav", f"{d}/na*.rnx", "-q", "--join-sessions",
                 "--json", str(tmp_path / "p.json")]) == 0  # fmt: skip
    assert _strip(_tables(tmp_path / "p.json")) == _strip(joined[:1])
    capsys.readouterr()
    assert main(["qc", f"{d}/nothing*.rnx", "-q"]) == 2
    assert capsys.readouterr().err.strip().endswith(f"file pattern '{d}/nothing*.rnx' matches no file")
    assert kompas.read_obs(f"{d}/whole.rnx").n_epochs == 60


def test_a_session_that_cannot_be_read_is_named_by_its_first_file(files, tmp_path, capsys):
    d = str(files)
    text = (files / "part1.rnx").read_text()
    cut = text.index("END OF HEADER")
    broken = tmp_path / "part1.rnx"
    broken.write_text(text[:cut] + text[cut:].replace("> 2025", "> 2O25", 1))  # an epoch year with a letter
    args = ["qc", f"{d}/part0.rnx", str(broken), f"{d}/part2.rnx", f"{d}/other.rnx", f"{d}/nav.rnx", "-q"]
    assert main([*args, "--join-sessions"]) == 1  # OTHR checked, KSIM's session not
    err = capsys.readouterr().err
    assert f"kompas qc: {d}/part0.rnx (and 2 more files of its session): not checked: {broken}, line" in err
    assert main(args[:2] + args[5:]) == 0  # part0 alone is fine


def test_the_figures_arrays_are_kept_only_for_the_html_report(files, tmp_path, monkeypatch):
    """Every file's result is held until all are checked: without --html it holds the tables only."""
    import kompas.qc

    kept, real = [], kompas.qc.run_qc

    def spy(*args, **kwargs):
        kept.append(real(*args, **kwargs))
        return kept[-1]

    monkeypatch.setattr(kompas.qc, "run_qc", spy)
    d = str(files)
    assert (
        main(
            [
                "qc",
                f"{d}/part0.rnx",
                f"{d}/part1.rnx",
                f"{d}/nav.rnx",
                "-q",
                "--json",
                str(tmp_path / "a.json"),
            ]
        )
        == 0
    )
    assert len(kept) == 2 and [r.arrays for r in kept] == [{}, {}]
    kept.clear()
    assert main(["qc", f"{d}/part0.rnx", f"{d}/nav.rnx", "-q", "--html", str(tmp_path / "h")]) == 0
    assert len(kept) == 1 and kept[0].arrays["mp_m"].size > 0


def test_only_a_table_with_rows_to_drop_or_repeated_epochs_is_copied_by_select(files, monkeypatch):
    """select() copies every row, also of a table it keeps whole: run_qc leaves such a table as it is,
    and selects from one with a system left out, or with an epoch time twice (regrouped by select)."""
    from kompas import read_nav, read_obs, run_qc
    from kompas.tables.obs import ObsTable

    d = str(files)
    whole, nav = read_obs(f"{d}/whole.rnx"), read_nav(f"{d}/nav.rnx")
    t, rows = whole.epoch_time_ns.copy(), whole.time_ns.copy()
    rows[whole.epoch_rows(5)] = t[5] = t[4]  # epoch 5 at the time of epoch 4
    twice = replace(whole, epoch_time_ns=t, time_ns=rows)
    calls, real = [], ObsTable.select
    monkeypatch.setattr(ObsTable, "select", lambda self, **k: calls.append(k) or real(self, **k))
    run_qc(whole, nav, figures=False)
    assert calls == []
    run_qc(whole, nav, figures=False, systems="GE")
    assert calls == [{"systems": "GE"}]
    run_qc(twice, nav, figures=False)
    assert calls[1:] == [{"systems": whole.systems}]
