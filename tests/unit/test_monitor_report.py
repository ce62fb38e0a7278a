"""kompas.monitor.report on values written by hand: the table cells and the page of sections."""

import base64
import math
import re

import numpy as np

from kompas.monitor.report import Section, _cell, render_report


def test_table_cells():
    assert _cell(None) == _cell(math.nan) == _cell(-math.inf) == "-"
    assert _cell(0.12345) == "0.123" and _cell(-9999.9994) == "-9999.999" and _cell(0.0) == "0.000"
    assert _cell(1e4) == "1e+04" and _cell(-123456.7) == "-1.235e+05"  # four digits from 10^4 up
    assert _cell(7) == "7" and _cell(True) == "True" and _cell("<C19 & R01>") == "&lt;C19 &amp; R01&gt;"


def test_page_of_sections(tmp_path):
    png = tmp_path / "status map.png"
    png.write_bytes(b"\x89PNG not really")
    rows = [{"sat": "C19", "sisre_m": 0.5}, {"sat": "R01", "note": "±1 m"}]
    sections = [
        Section("Broadcast", ["first <paragraph>"], [str(png)], [("tab-a", "Per satellite", rows, None)]),
        Section("Stations", [], [], [("tab-b", "Per station", rows[:1], ["sat"])], collapsed=True),
    ]
    render_report(tmp_path / "r.html", "Report & more", ["a note"], sections)
    page = (tmp_path / "r.html").read_bytes().decode("utf-8")
    assert "<title>Report &amp; more</title>" in page and "<h1>Report &amp; more</h1>" in page
    assert (
        "<h1>Report &amp; more</h1>\n<p class='note'>a note</p>\n<h2>Broadcast</h2>\n<p>first &lt;paragraph&gt;</p>\n"
        in page
    )
    assert page.startswith("<!DOCTYPE html><html lang='en'><head>") and page.endswith(
        "</details>\n</body></html>"
    )
    assert re.findall(r"<h2>([^<]*)</h2>", page) == ["Broadcast", "Stations"]
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    assert (
        f'<img class="figure" id="fig-status map" alt="fig-status map" src="data:image/png;base64,{data}">'
        in page
    )
    # the columns of every row in first-seen order, empty cells as "-"; given columns only
    assert (
        '<table class="data" id="tab-a"><caption>Per satellite (2 rows)</caption><thead><tr><th>sat</th>'
        "<th>sisre_m</th><th>note</th></tr></thead><tbody><tr><td>C19</td><td>0.500</td><td>-</td></tr>\n"
        "<tr><td>R01</td><td>-</td><td>±1 m</td></tr></tbody></table>" in page
    )
    assert (
        '<details><summary>Per station</summary><table class="data" id="tab-b"><caption>Per station (1 row)'
        "</caption><thead><tr><th>sat</th></tr></thead><tbody><tr><td>C19</td></tr></tbody></table></details>"
        in page
    )
    assert "<summary>Per satellite" not in page  # only the collapsed section's tables are folded
    assert (
        page.index("<h2>Broadcast") < page.index("tab-a") < page.index("<h2>Stations") < page.index("tab-b")
    )


def test_status_legend_follows_the_status_codes():
    from kompas.monitor.figures import _STATUS_COLORS, _STATUS_NAMES
    from kompas.products.state import Status

    # the timeline colours cell values 0 .. len(Status) - 1 by position
    assert [int(s) for s in Status] == list(range(len(Status))) == list(range(len(_STATUS_COLORS)))
    assert _STATUS_NAMES[Status.NO_EPHEMERIS] == "no ephemeris" and _STATUS_NAMES[Status.STALE] == "stale"


def test_sisre_series_against_hours(drawn, tmp_path):
    from kompas.monitor import figures

    t = 1_277_000_000 * 10**9 + np.arange(3) * 1800 * 10**9
    figures.sisre_series(tmp_path / "s.png", {"BDS-3 MEO": (t, [0.5, 0.7, 0.6], [0.3, 0.4, 0.2])}, "SISRE")
    a1, a2 = drawn[0].axes
    np.testing.assert_array_equal(a1.lines[0].get_xdata(), [0.0, 0.5, 1.0])  # hours from the first epoch
    np.testing.assert_array_equal(a1.lines[0].get_ydata(), [0.5, 0.7, 0.6])
    np.testing.assert_array_equal(a2.lines[0].get_ydata(), [0.3, 0.4, 0.2])
    assert a1.lines[0].get_label() == "BDS-3 MEO" and drawn[0].get_suptitle() == "SISRE"


def test_service_map_cells_and_fixed_colour_scale(drawn, tmp_path):
    from kompas.monitor import figures

    lat, lon = np.array([-30.0, 0.0, 30.0]), np.array([90.0, 120.0])
    z = np.arange(6.0).reshape(3, 2)
    drew_coast = figures.service_maps(
        tmp_path / "m.png", lat, lon, {"BDS": z}, "PDOP", (-45, 45, 75, 135), cmap="magma", vmin=1, vmax=6,
        label="PDOP",
    )  # fmt: skip
    ax, bar = drawn[0].axes
    mesh = ax.collections[0]
    assert (mesh.norm.vmin, mesh.norm.vmax) == (1, 6)  # the same scale on every map, whatever the values
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).ravel(), z.ravel())
    assert ax.get_xlim() == (75, 135) and ax.get_ylim() == (-45, 45) and ax.get_title() == "BDS"
    # each value fills its cell: edges halfway between the nodes, half a step beyond the outer ones
    edges = mesh.get_coordinates()
    np.testing.assert_array_equal(edges[:, 0, 1], [-45, -15, 15, 45])
    np.testing.assert_array_equal(edges[0, :, 0], [75, 105, 135])
    assert mesh.get_cmap().name == "magma" and bar.get_ylabel() == "PDOP"
    if drew_coast:
        assert [line.get_linewidth() for line in ax.lines] == [0.5]


def test_status_timeline_cells_against_hours(drawn, tmp_path):
    from kompas.monitor import figures

    t = 1_277_000_000 * 10**9 + np.arange(3) * 1800 * 10**9
    status, ura = np.array([[0, 0, 1], [2, 0, 0]]), np.array([[2.0, 2.0, np.nan], [4.0, 4.0, 4.0]])
    figures.status_timeline(tmp_path / "s.png", t, ["G01", "E11"], status, ura, "status")
    a1, a2, bar = drawn[0].axes
    edges = a1.collections[0].get_coordinates()
    np.testing.assert_array_equal(edges[0, :, 0], [0.0, 0.5, 1.0, 1.5])  # hours from the first epoch
    np.testing.assert_array_equal(edges[:, 0, 1], [-0.5, 0.5, 1.5])
    assert [x.get_text() for x in a1.get_yticklabels()] == ["G01", "E11"]
    np.testing.assert_array_equal(np.asarray(a1.collections[0].get_array()).ravel(), status.ravel())
    assert np.ma.getmaskarray(a2.collections[0].get_array()).ravel().tolist() == [0, 0, 1, 0, 0, 0]
    assert bar.get_ylabel() == "broadcast URA / SISA (m)" and drawn[0].get_suptitle() == "status"
