"""PPP's model built in blocks of rows on real data: the notes and positions of one evaluation."""

from __future__ import annotations

import importlib
import warnings

import numpy as np

from kompas import read_antex, read_clk, read_nav, read_obs, read_sp3
from kompas.ppp import ppp
from kompas.ppp_model import build_rows

E = "E_2026-133_ZIM2"
A = "A_2020-177_ESBC_WTZR"
ppp_module = importlib.import_module("kompas.ppp")


def _run(monkeypatch, block_rows, *args, **kw):
    monkeypatch.setattr(ppp_module, "build_rows", lambda *a, **k: build_rows(*a, block_rows=block_rows, **k))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        sol = ppp(*args, **kw)
    return sol, [str(w.message) for w in rec]


def test_antenna_frequency_note_is_one_note_across_blocks(monkeypatch, kompas_data):
    """ZIM2's ANTEX lacks G05-frequencies of three satellites' blocks: one note names all three, however
    the rows are cut (each block used to add a note of its own satellites)."""
    obs = read_obs(kompas_data / f"{E}/ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx")
    inputs = dict(sp3=[read_sp3(kompas_data / f"{E}/IGS0OPSFIN_20261330000_01D_15M_ORB.SP3")],
                  clk=[read_clk(kompas_data / f"{E}/IGS0OPSFIN_20261330000_90M_30S_CLK.CLK")],
                  antex=read_antex(kompas_data / f"{E}/igs20_zim2_gps_trim.atx"))  # fmt: skip
    whole, said = _run(monkeypatch, 10**9, obs, **inputs)
    cut, said_cut = _run(monkeypatch, 37, obs, **inputs)
    frequency = [n for n in said_cut if "another used" in n]
    assert frequency == [n for n in said if "another used" in n] and len(frequency) == 1
    assert frequency[0].endswith("G10: G05->G01, G24: G05->G01, G30: G05->G01")
    assert sorted(said_cut) == sorted(said) and cut.record.notes == whole.record.notes
    np.testing.assert_array_equal(cut.pos_m, whole.pos_m)


def test_broadcast_states_do_not_depend_on_the_blocks(monkeypatch, kompas_data):
    """Without precise products every state is broadcast: Kepler's iteration and GLONASS's integration
    steps are shared by the rows of a call, so those are computed in one call whatever the blocks."""
    obs = read_obs(kompas_data / f"{A}/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx")
    nav = read_nav(kompas_data / f"{A}/ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    whole, _ = _run(monkeypatch, 10**9, obs, nav, systems="GREC", sat_antenna=False, mode="kinematic")
    cut, _ = _run(monkeypatch, 29, obs, nav, systems="GREC", sat_antenna=False, mode="kinematic")
    assert np.isfinite(whole.pos_m).all(axis=1).sum() > 100
    np.testing.assert_array_equal(cut.pos_m, whole.pos_m)
    np.testing.assert_array_equal(cut.residuals["residual_m"], whole.residuals["residual_m"])
