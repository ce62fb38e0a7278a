"""The figure of ``kompas orbits --plot`` on a result written by hand, read back from the figure object."""

import math

import numpy as np


class _Result:
    table = (
        {"sat": "G01", "orbit_3d_m": 1.5, "sisre_orb_m": 0.5},
        {"sat": "E11", "orbit_3d_m": 0.8, "sisre_orb_m": 0.2},
        {"sat": "C05", "too_few": True},  # left out of the per-satellite bars
    )

    def groups(self):
        return [
            {"name": "GPS", "sisre_orb_m": 0.5, "sisre_m": 0.7},
            {"name": "QZSS", "sisre_orb_m": 0.3, "sisre_m": math.nan},
        ]


def test_bars_per_satellite_and_per_group(drawn, tmp_path):
    from kompas.cli.orbits import _plot

    _plot(_Result(), tmp_path / "o.png")
    ax1, ax2 = drawn[0].axes
    orbit, sis = ax1.containers
    # the orbit bar left of its tick, the SISRE bar right of it
    np.testing.assert_allclose([b.get_x() + b.get_width() / 2 for b in orbit], [-0.2, 0.8])
    np.testing.assert_allclose([b.get_height() for b in orbit], [1.5, 0.8])
    np.testing.assert_allclose([b.get_x() + b.get_width() / 2 for b in sis], [0.2, 1.2])
    np.testing.assert_allclose([b.get_height() for b in sis], [0.5, 0.2])
    assert [t.get_text() for t in ax1.get_xticklabels()] == ["G01", "E11"]
    orb, full = ax2.containers
    np.testing.assert_allclose([b.get_height() for b in orb], [0.5, 0.3])
    np.testing.assert_allclose([b.get_height() for b in full], [0.7, 0.0])  # no clock: an empty bar, not NaN
    assert [t.get_text() for t in ax2.get_xticklabels()] == ["GPS", "QZSS"]
