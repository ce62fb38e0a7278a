"""kompas.plots: what the sky plot draws, read back from matplotlib's axes (not from the pixels)."""

import numpy as np
import pytest

from kompas import plots

plt = pytest.importorskip("matplotlib.pyplot")


def test_sky_plot_axes_and_tracks():
    fig = plt.figure()
    ax = fig.add_subplot(projection="polar")
    try:
        plots._polar(ax)
        # azimuth clockwise from north, zenith (elevation 90) at the centre, the horizon at the edge
        assert ax.get_theta_offset() == pytest.approx(np.pi / 2) and ax.get_theta_direction() == -1
        assert ax.get_ylim() == (90.0, 0.0)
        sats = np.array(["C19", "C19", "R01", "C19", "X01"])
        az = np.radians([10.0, 20.0, 200.0, 30.0, 90.0])
        el = np.radians([15.0, -2.0, 45.0, 60.0, 20.0])  # C19 below the horizon at its second point
        plots._tracks(ax, sats, az, el)
        lines = {tuple(np.round(np.degrees(ln.get_xdata()))): ln for ln in ax.lines}
        assert set(lines) == {(10.0, 30.0), (200.0,), (90.0,)}  # one track per satellite, above the horizon
        np.testing.assert_allclose(lines[(10.0, 30.0)].get_ydata(), [15.0, 60.0])
        assert [lines[k].get_color() for k in ((10.0, 30.0), (200.0,), (90.0,))] == [
            "tab:orange", "tab:red", "gray"
        ]  # fmt: skip
        names = {t.get_text(): t for t in ax.texts}
        assert set(names) == {"C19", "R01", "X01"}  # each at its track's last point, in its colour
        az_deg, el_deg = np.degrees(names["C19"].xy[0]), names["C19"].xy[1]
        assert (az_deg, el_deg) == (pytest.approx(30.0), pytest.approx(60.0))
        assert names["R01"].get_color() == "tab:red"
    finally:
        plt.close(fig)
