"""The QC report's figures (kompas.qc.html): which points each figure draws, checked on arrays."""

from __future__ import annotations

import numpy as np
import pytest

from kompas.qc.html import _signal_names
from kompas.satsys import sat_id, signal_code

pytestmark = pytest.mark.timeout(60)


def test_signal_names_match_the_names_of_each_point():
    sat = np.array([105, 203, 105, 301, 203, 105])  # G05, R03, G05, E01, R03, G05
    signal = np.array([2, 28, 48, 2, 2, 2])  # 1C, 2C, 2W, 1C, 1C, 1C
    names, name_of, first = _signal_names(sat, signal)
    per_point = [sat_id(s)[0] + signal_code(g) for s, g in zip(sat, signal, strict=True)]
    assert names == sorted(set(per_point)) == ["E1C", "G1C", "G2W", "R1C", "R2C"]
    assert [names[j] for j in name_of] == per_point
    assert [per_point.index(n) for n in names] == list(first)  # the first point of each name
    empty = _signal_names(np.zeros(0, int), np.zeros(0, np.uint8))
    assert empty[0] == [] and empty[1].size == 0
