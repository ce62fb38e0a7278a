"""Solution table views: columns, inter-system biases, ENU covariance, residual table."""

import numpy as np
import pytest

from kompas import Quality, Solution
from kompas.frames import geodetic_to_ecef


def _sol():
    pos = geodetic_to_ecef(np.array([[np.radians(49.0), np.radians(12.0), 600.0]] * 2))
    pos[1] = np.nan
    cov = np.full((2, 3, 3), np.nan)
    cov[0] = np.diag([4.0, 1.0, 9.0])
    return Solution(
        time_ns=np.array([0, 30 * 10**9]),
        pos_m=pos,
        quality=np.array([Quality.SINGLE, Quality.NONE], dtype=np.uint8),
        nsat=np.array([12, 0], dtype=np.int16),
        nsat_by_system={"C": np.array([7, 0]), "R": np.array([5, 0])},
        clock_m={"C": np.array([100.0, np.nan]), "R": np.array([103.5, np.nan])},
        cov_m2=cov,
        residuals={
            "time_ns": np.array([0, 0]),
            "sat": np.array([419, 201]),
            "residual_m": np.array([0.5, -0.25]),
            "used": np.array([True, False]),
            "elevation_rad": np.radians([45.0, 8.0]),
        },
    )


def test_columns_and_isb():
    c = _sol().columns()
    assert list(c)[:8] == ["time", "x_m", "y_m", "z_m", "lat_deg", "lon_deg", "height_m", "nsat"]
    assert c["isb_R_m"][0] == pytest.approx(3.5)  # GLONASS clock minus BeiDou clock
    assert c["status"].tolist() == [5, 0]
    assert c["lat_deg"][0] == pytest.approx(49.0) and c["height_m"][0] == pytest.approx(600.0, abs=1e-6)
    assert np.isnan(c["x_m"][1])


def test_editing_the_columns_leaves_the_solution_unchanged():
    import dataclasses
    import pickle

    sol = dataclasses.replace(
        _sol(),
        gdop=np.array([1.5, np.nan]),
        ratio=np.array([3.0, 0.0]),
        age_s=np.array([1.0, 2.0]),
        fixed_by_system={"C": np.array([4, 0])},
        states={"ztd_m": np.array([2.3, np.nan])},
    )
    before = pickle.dumps(sol)
    for table in (sol.columns(), sol.residual_columns()):
        for name, col in table.items():
            assert col.flags.writeable, name
            col[...] = col[::-1] if col.dtype.kind in "OUM" else 0  # users centre, mask, convert in place
    assert pickle.dumps(sol) == before
    assert sol.pos_m[0, 0] > 4e6 and sol.quality.tolist() == [5, 0] and sol.time_ns[1] == 30 * 10**9


def test_the_repr_is_one_short_line_of_sizes_and_span():
    import dataclasses

    from kompas import ProcessingRecord
    from kompas.qc.run import QcResult

    sol = dataclasses.replace(_sol(), record=ProcessingRecord(systems="CR", mode="single"))
    assert repr(sol) == (
        "Solution(2 epochs 1980-01-06T00:00:00 .. 1980-01-06T00:00:30 GPST, unsolved 1, SINGLE 1, systems CR, "
        "mode 'single', 2 residuals)"
    )
    day = dataclasses.replace(sol, **{k: np.resize(getattr(sol, k), (2880, *getattr(sol, k).shape[1:]))
                                      for k in ("time_ns", "pos_m", "quality", "nsat")})  # fmt: skip
    assert len(repr(day)) < 150  # the arrays' reprs: 25,230 characters for 120 epochs
    rows = [{"system": x, "first": "2020-06-25T00:00:00", "last": "2020-06-25T23:59:30"} for x in "GC"]
    qc = QcResult(
        "/data/ESBC.crx.gz", {"summary": rows, "multipath_cells": [{}] * 50000}, {"mp_m": np.zeros(9)}
    )
    assert repr(qc) == (
        "QcResult('ESBC.crx.gz', systems GC, 2020-06-25T00:00:00 .. 2020-06-25T23:59:30 GPST, rows per table: "
        "summary 2, multipath_cells 50000; 1 array)"
    )


def test_enu_covariance_is_a_rotation_of_ecef():
    s = _sol()
    enu = s.cov_enu_m2()[0]
    assert np.trace(enu) == pytest.approx(14.0)  # trace is rotation invariant
    assert np.allclose(enu, enu.T)


def test_residual_table():
    pd = pytest.importorskip("pandas")
    df = _sol().residuals_to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert df["sv"].tolist() == ["C19", "R01"] and df["used"].tolist() == [True, False]
    assert df["elevation_deg"].tolist() == pytest.approx([45.0, 8.0])


def test_enu_error_needs_an_ecef_reference_near_the_earth():
    from kompas.errors import ConfigError

    sol = _sol()
    ref = sol.pos_m[0] + 1.0
    np.testing.assert_allclose(np.linalg.norm(sol.enu_error_m(ref)[0]), np.sqrt(3.0), rtol=1e-12)
    for bad in ([0.0, 0.0, 0.0], [47.0, 8.0, 950.0]):  # the Earth's centre, latitude/longitude/height
        with pytest.raises(
            ConfigError,
            match=r"the reference must be ECEF X, Y, Z in metres near the Earth's surface, not \[",
        ):
            sol.enu_error_m(bad)
    # one reference per epoch, or one for all; another count of rows says so (numpy's broadcast error)
    np.testing.assert_array_equal(sol.enu_error_m(np.tile(ref, (len(sol), 1))), sol.enu_error_m(ref))
    with pytest.raises(ConfigError, match=rf"one per epoch \({len(sol)}, 3\), not \(5, 3\)"):
        sol.enu_error_m(np.tile(ref, (5, 1)))
