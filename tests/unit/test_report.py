"""kompas.report on solutions written by hand: convergence_summary (final error, last-30-minute RMS and
the convergence time, the first epoch after which H and V stay below 10 cm) and the whole text of the HTML
report."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pytest

from kompas import gtime_from_calendar
from kompas.frames import enu_rotation, geodetic_to_ecef
from kompas.report import convergence_summary, ppp_report
from kompas.solution import ProcessingRecord, Quality, Solution

pytestmark = pytest.mark.timeout(30)
S = 10**9


class _Errors:
    """A solution as convergence_summary reads it: epochs and their E/N/U errors against a truth."""

    def __init__(self, t_s, enu):
        self.time_ns = np.asarray(t_s, dtype=np.int64) * S
        self._enu = np.asarray(enu, dtype=float)

    def __len__(self):
        return len(self.time_ns)

    def enu_error_m(self, truth):
        return self._enu


def test_final_error_last_30_minutes_and_convergence_by_hand():
    # epoch 1 is 9 cm north: below 10 cm horizontally, so the solution has converged from there on
    sol = _Errors([0, 600, 1200, 3000], [[0.5, 0, 0], [0, 0.09, 0], [0.02, 0, 0.01], [0.03, 0.04, -0.02]])
    c = convergence_summary(sol, np.zeros(3))
    assert c["n"] == 4 and c["final_h_m"] == pytest.approx(0.05, abs=1e-15) and c["final_v_m"] == -0.02
    np.testing.assert_array_equal(c["final_enu_m"], [0.03, 0.04, -0.02])
    # the last 30 minutes: epochs at 1200 and 3000 s
    assert c["last30_h_rms_m"] == pytest.approx(np.sqrt((0.02**2 + 0.05**2) / 2), abs=1e-15)
    assert c["last30_v_rms_m"] == pytest.approx(np.sqrt((0.01**2 + 0.02**2) / 2), abs=1e-15)
    assert c["converged_after_s"] == pytest.approx(600.0)


def test_a_late_excursion_restarts_the_convergence_and_an_unsolved_epoch_counts_as_not_converged():
    sol = _Errors([0, 30, 60, 90], [[0.01, 0, 0], [0, 0, 0.11], [0.01, 0.01, 0], [0.0, 0.02, 0.0]])
    late = convergence_summary(sol, np.zeros(3))
    assert late["converged_after_s"] == pytest.approx(60.0)  # 11 cm up at 30 s
    gap = _Errors([0, 30, 60], [[0.01, 0, 0], [np.nan, np.nan, np.nan], [0.02, 0, 0]])
    c = convergence_summary(gap, np.zeros(3))
    assert c["n"] == 2 and c["converged_after_s"] == pytest.approx(60.0)
    # unsolved epochs after the last solved one (products ending early) leave it converged, as the final
    # error is that of the last solved epoch
    tail = _Errors([0, 30, 60, 90], [[0.3, 0, 0], [0.01, 0, 0], [np.nan] * 3, [np.nan] * 3])
    c = convergence_summary(tail, np.zeros(3))
    assert c["converged_after_s"] == pytest.approx(30.0) and c["final_h_m"] == pytest.approx(0.01)
    never = _Errors([0, 30], [[0.2, 0, 0], [0.0, 0.15, 0]])
    assert np.isnan(convergence_summary(never, np.zeros(3))["converged_after_s"])
    assert convergence_summary(_Errors([0], [[np.nan] * 3]), np.zeros(3)) == {"n": 0}


class _Text(HTMLParser):
    """The text of a page's body, piece by piece, and the alternative texts of its images."""

    def __init__(self):
        super().__init__()
        self.pieces, self._body = [], False

    def handle_starttag(self, tag, attrs):
        self._body |= tag == "body"
        if tag == "img":
            self.pieces.append(("img", dict(attrs)["alt"]))

    def handle_data(self, data):
        if self._body and data.strip():
            self.pieces.append(data)


def _solution():
    lat, lon = np.radians(47.0), np.radians(8.0)
    pos = geodetic_to_ecef(np.array([[lat, lon, 950.0]] * 3))
    pos[1] = np.nan
    r = enu_rotation(np.array([lat]), np.array([lon]))[0]
    cov = np.full((3, 3, 3), np.nan)
    cov[[0, 2]] = r.T @ np.diag([0.01, 0.02, 0.05]) ** 2 @ r  # sigma E/N/U 1, 2, 5 cm
    t0 = int(gtime_from_calendar(2026, 5, 13, 1))
    return Solution(
        time_ns=t0 + np.arange(3, dtype=np.int64) * 30 * S,
        pos_m=pos,
        quality=np.array([Quality.PPP, Quality.NONE, Quality.PPP], np.uint8),
        nsat=np.array([7, 0, 8], np.int16),
        nsat_by_system={"G": np.array([7, 0, 8]), "E": np.zeros(3, int)},
        cov_m2=cov,
        states={"ztd_m": np.array([2.31, np.nan, 2.32])},
        record=ProcessingRecord(
            program="kompas ppp", mode="static", systems="G", iono="if", notes=["a <note>"]
        ),
    )


def test_the_whole_text_of_a_report_without_reference(tmp_path):
    pytest.importorskip("matplotlib")
    sol = _solution()
    ppp_report(tmp_path / "r.html", sol, title="ZIM2 & co")
    page = _Text()
    page.feed((tmp_path / "r.html").read_text())
    x, y, z = sol.pos_m[2]
    captions = [
        "East, north and up deviation from the last solution (no reference position given)",
        "Zenith total delay: a priori hydrostatic and wet delays plus the estimated wet correction",
        "Satellites used per system",
    ]
    assert page.pieces == [
        "ZIM2 & co",
        "program / mode", "kompas ppp / static",
        "systems / observables", "G / if",
        "epochs solved", "2 of 3",
        "last position (ECEF, m)", f"{x:.4f} {y:.4f} {z:.4f}",
        "its sigma E/N/U (cm)", "1.0 2.0 5.0",
        "first / last epoch (GPST)", "2026-05-13T01:00:00 / 2026-05-13T01:01:00",
        "Figures",
        *[p for c in captions for p in (("img", c), c)],
        "Processing notes", "a <note>",
    ]  # fmt: skip


def test_the_rows_of_a_report_with_a_reference(tmp_path):
    pytest.importorskip("matplotlib")
    sol = _solution()
    lat, lon = np.radians(47.0), np.radians(8.0)
    r = enu_rotation(np.array([lat]), np.array([lon]))[0]
    truth = sol.pos_m[2] + r.T @ np.array([0.03, -0.04, 0.06])  # the solution 3 cm west, 4 north, 6 down
    ppp_report(tmp_path / "r.html", sol, truth=truth)
    page = _Text()
    page.feed((tmp_path / "r.html").read_text())
    k = page.pieces.index("first / last epoch (GPST)")
    assert page.pieces[k + 2 : page.pieces.index("Figures")] == [
        "final error E/N/U (cm)", "-3.0 +4.0 -6.0",
        "final error H / V (cm)", "5.0 / 6.0",
        "whole 1.0-min run RMS H / V (cm)", "5.0 / 6.0",  # a run shorter than 30 min: all of it
        "converged (H and V < 10 cm) after", "1.0 min",  # the unsolved epoch at 30 s restarts it
    ]  # fmt: skip


def test_ppp_summary_says_why_the_unsolved_epochs_are(tmp_path):
    # as kompas spp's summary: the reasons of the epochs not solved, beside the epochs that were
    import dataclasses

    from kompas.cli.ppp import summary

    sol = _solution()
    rec = dataclasses.replace(sol.record, unsolved={"no_ephemeris": 1})
    lines = summary(dataclasses.replace(sol, record=rec))
    assert lines[:2] == ["epochs   2 solved of 3 (66.7 %)", "unsolved no ephemeris in 1 of 3 epochs"]
    assert not any(line.startswith("unsolved") for line in summary(sol))


def test_a_backward_filter_is_summarised_in_the_order_it_ran():
    # a backward filter starts at the last epoch and ends at the first: its "final" error is the first
    # epoch's, its 30 minutes are the first ones, and it converges counting from the end
    from types import SimpleNamespace

    sol = _Errors([0, 600, 1200, 3000], [[0.03, 0.04, -0.02], [0.02, 0, 0.01], [0, 0.09, 0], [0.5, 0, 0]])
    sol.record = SimpleNamespace(config=SimpleNamespace(filter=SimpleNamespace(smoothing="backward")))
    c = convergence_summary(sol, np.zeros(3))
    assert c["backward"] and c["final_h_m"] == pytest.approx(0.05, abs=1e-15) and c["final_v_m"] == -0.02
    # its last 30 minutes run from 1800 s back to 0 s: the epochs at 1200, 600 and 0 s
    assert c["last30_h_rms_m"] == pytest.approx(np.sqrt((0.09**2 + 0.02**2 + 0.05**2) / 3), abs=1e-15)
    assert c["converged_after_s"] == pytest.approx(1800.0)  # from 3000 s back to the epoch at 1200 s
    sol.record.config.filter.smoothing = "combined"
    forward = convergence_summary(sol, np.zeros(3))
    assert not forward["backward"] and forward["final_h_m"] == pytest.approx(0.5)
