"""SPP positions on every shared data set equal those stored from an earlier main (refactors change nothing).

The stored file ``tests/data/spp_reference.npz`` is written by ``benchmarks/spp_reference.py --write`` at the
revision its commit names; a deliberate change of results regenerates it in a commit that says why.
"""

import importlib.util

import numpy as np
import pytest

from conftest import REPO_ROOT

_spec = importlib.util.spec_from_file_location("spp_reference", REPO_ROOT / "benchmarks" / "spp_reference.py")
ref_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref_mod)


@pytest.fixture(scope="module")
def stored(kompas_data):
    return np.load(REPO_ROOT / "tests" / "data" / "spp_reference.npz")


@pytest.mark.parametrize("case", ref_mod.CASES, ids=ref_mod.key)
def test_spp_positions_unchanged(case, stored, monkeypatch, kompas_data):
    monkeypatch.setattr(ref_mod, "DATA", kompas_data)
    q, mm = ref_mod.solve(*case)
    q0, mm0 = stored[ref_mod.key(case) + "_q"], stored[ref_mod.key(case) + "_mm"]
    assert q.shape == q0.shape
    assert np.array_equal(q, q0), f"solved epochs differ: {int((q > 0).sum())} vs {int((q0 > 0).sum())}"
    solved = q > 0
    if solved.any():
        assert np.abs(mm - mm0)[solved].max() <= 1
