"""Receiver and satellite PCO/PCV corrections against hand computation from the trimmed IGS20 ANTEX."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pytest

import kompas
from kompas import KompasError, gtime_from_calendar, read_antex
from kompas.errors import KompasWarning
from kompas.models.antenna import (
    antenna_offsets,
    fallback_code,
    pcv_interpolate,
    receiver_range_correction,
    satellite_range_correction,
)

T = int(gtime_from_calendar(2020, 6, 25, 12))


@pytest.fixture(scope="module")
def atx(kompas_data):
    return read_antex(kompas_data / "A_2020-177_ESBC_WTZR" / "igs20_wettzell_trim.atx")


@pytest.fixture(scope="module")
def leiar25(atx):
    return atx.receiver("LEIAR25.R3 LEIT")


def test_receiver_on_grid_nodes(leiar25):
    f = leiar25.freqs["G01"]
    n, e, u = f.pco_m
    el, az = np.radians(80.0), 0.0  # zenith 10 deg = node 2, azimuth 0 = row 0
    los = np.array([np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)])
    want = -(e * los[0] + n * los[1] + u * los[2]) + f.pcv_m[0, 2]
    assert receiver_range_correction(leiar25, "G01", az, el) == pytest.approx(want, abs=1e-12)
    # mid-way between nodes: zenith 12.5 deg, azimuth 7.5 deg (rows 1-2 at 5 deg steps), by hand
    el, az = np.radians(77.5), np.radians(7.5)
    los = np.array([np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)])
    p = f.pcv_m
    pcv = 0.25 * (p[1, 2] + p[1, 3] + p[2, 2] + p[2, 3])
    want = -(e * los[0] + n * los[1] + u * los[2]) + pcv
    assert receiver_range_correction(leiar25, "G01", az, el) == pytest.approx(want, abs=1e-12)
    assert abs(want + u) < 0.01  # dominated by the 16 cm up offset


def test_receiver_eccentricity_and_vectorised(leiar25):
    az = np.radians([0.0, 90.0, 200.0])
    el = np.radians([90.0, 30.0, 10.0])
    base = receiver_range_correction(leiar25, "C02", az, el)
    with_dh = receiver_range_correction(leiar25, "C02", az, el, arp_offset_enu=[0, 0, 0.071])
    np.testing.assert_allclose(with_dh - base, -0.071 * np.sin(el), atol=1e-12)
    assert base.shape == (3,)


def test_receiver_frequency_fallback(leiar25):
    gps_only = dataclasses.replace(leiar25, freqs={k: leiar25.freqs[k] for k in ("G01", "G02")})
    assert fallback_code("C02") == "G01" and fallback_code("C06") == "G02" and fallback_code("E01") == "G01"
    assert fallback_code("R02") == "G02" and fallback_code("E05") == "G02"
    assert fallback_code("R04") == "G01" and fallback_code("R06") == "G02"  # GLONASS CDMA G1a is L1-like
    # GPS itself: L1 and L2 stay, L5 without a calibration of its own takes L2 (the module's IGS rule)
    assert [fallback_code(c) for c in ("G01", "G02", "G05")] == ["G01", "G02", "G02"]
    az, el = np.radians(45.0), np.radians(40.0)
    with pytest.warns(KompasWarning, match="C02"):
        c2 = receiver_range_correction(gps_only, "C02", az, el)
    assert c2 == pytest.approx(receiver_range_correction(leiar25, "G01", az, el), abs=1e-15)
    with pytest.warns(KompasWarning, match="G02"):
        e5 = receiver_range_correction(gps_only, "E05", az, el)
    assert e5 == pytest.approx(receiver_range_correction(leiar25, "G02", az, el), abs=1e-15)
    # the antenna's own C02 calibration differs from its G01 one (why the fallback is worth a warning)
    assert receiver_range_correction(leiar25, "C02", az, el) != pytest.approx(c2, abs=1e-6)
    no_gps = dataclasses.replace(leiar25, freqs={"C02": leiar25.freqs["C02"]})
    with pytest.raises(KompasError):
        receiver_range_correction(no_gps, "E05", az, el)


def _frame_and_los(nadir_deg, azi_deg=30.0):
    """Body axes = ECEF axes rotated; line of sight at a given nadir angle from the body z axis."""
    axes = np.eye(3)
    nad, azi = np.radians(nadir_deg), np.radians(azi_deg)
    to_rcv = np.array([np.sin(nad) * np.cos(azi), np.sin(nad) * np.sin(azi), np.cos(nad)])  # sat -> rcv
    return axes, -to_rcv  # los: receiver -> satellite


def test_satellite_pco_pcv_by_hand(atx):
    ant = atx.satellite("G05", T)
    f = ant.freqs["G01"]
    axes, los = _frame_and_los(5.0)  # nadir 5 deg = grid node 5 (1 deg steps from 0)
    node = int(np.argmin(np.abs(ant.zen_rad - np.radians(5.0))))
    want = f.pco_m @ los + f.pcv_noazi_m[node]
    assert satellite_range_correction(ant, "G01", axes, los) == pytest.approx(want, abs=1e-12)
    axes, los = _frame_and_los(7.5)
    lo = int(np.searchsorted(ant.zen_rad, np.radians(7.5)) - 1)
    frac = (np.radians(7.5) - ant.zen_rad[lo]) / (ant.zen_rad[lo + 1] - ant.zen_rad[lo])
    pcv = f.pcv_noazi_m[lo] * (1 - frac) + f.pcv_noazi_m[lo + 1] * frac
    assert satellite_range_correction(ant, "G01", axes, los) == pytest.approx(f.pco_m @ los + pcv, abs=1e-12)
    assert pcv_interpolate(ant, "G01", np.radians(30.0)) == pytest.approx(f.pcv_noazi_m[-1])  # clipped
    with pytest.raises(KompasError):
        satellite_range_correction(ant, "C02", axes, los)


def test_satellite_correction_of_many_rows_takes_each_rows_nadir(atx):
    """Rows of one satellite antenna at different nadir angles (one PCV per row, not one for all)."""
    ant = atx.satellite("G05", T)
    f = ant.freqs["G01"]
    nadirs = [2.0, 5.0, 7.5, 11.0]
    axes = np.stack([_frame_and_los(n)[0] for n in nadirs])
    los = np.stack([_frame_and_los(n)[1] for n in nadirs])
    pcv = np.interp(np.radians(nadirs), ant.zen_rad, f.pcv_noazi_m)
    assert np.ptp(pcv) > 1e-4  # the PCV differs between these nadir angles
    np.testing.assert_allclose(
        satellite_range_correction(ant, "G01", axes, los), los @ f.pco_m + pcv, atol=1e-12
    )


def test_antenna_offsets_with_nominal_fallback(atx, leiar25):
    g05 = atx.satellite("G05", T)
    axes = np.stack([np.eye(3)] * 3)
    los = np.array([_frame_and_los(3.0)[1], _frame_and_los(8.0)[1], _frame_and_los(6.0)[1]])
    nominal = np.array([[np.nan] * 3, [-0.2, 0.0, 2.004], [np.nan] * 3])  # C19: BDS-3 CAST MEO block value
    az = np.radians([10.0, 100.0, 250.0])
    el = np.radians([60.0, 25.0, 40.0])
    said = r"^1 rows without an ANTEX satellite antenna use nominal block offsets \(NRCan GPSPACE, ionosphere-free, no PCV; not IGS values\)$"
    with pytest.warns(KompasWarning, match=said):
        out = antenna_offsets(["G01", "C02", "E01"], az, el, los, axes, leiar25, [g05, None, None], nominal)
    assert out.satellite_source.tolist() == ["ANTEX", "NOMINAL", ""]
    assert out.satellite_m[0] == pytest.approx(satellite_range_correction(g05, "G01", axes[0], los[0]))
    assert out.satellite_m[1] == pytest.approx(np.array([-0.2, 0.0, 2.004]) @ los[1])
    assert np.isnan(out.satellite_m[2])
    np.testing.assert_allclose(
        out.receiver_m,
        [
            receiver_range_correction(leiar25, c, a, e)
            for c, a, e in zip(["G01", "C02", "E01"], az, el, strict=True)
        ],
    )


def test_fallback_warning_names_the_receiver_and_points_at_the_caller(leiar25):
    """The fallback warning says it is about the receiver antenna and is attributed to the caller's code
    (Python's stacklevel convention), not to a line inside kompas."""
    gps_only = dataclasses.replace(leiar25, freqs={k: leiar25.freqs[k] for k in ("G01", "G02")})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        receiver_range_correction(gps_only, "C06", 0.3, 0.7)
    assert len(caught) == 1 and issubclass(caught[0].category, KompasWarning)
    assert str(caught[0].message).startswith("receiver antenna 'LEIAR25.R3")
    assert Path(kompas.__file__).parent not in Path(caught[0].filename).parents


def test_satellite_line_of_sight_along_the_boresight_axis(atx):
    """Lines of sight exactly along -z (nadir 0) or +z (nadir 180 deg, clipped to the last node) stay
    finite even when the rounded unit vectors give |z . e| slightly above 1."""
    ant = atx.satellite("G05", T)
    f = ant.freqs["G01"]
    rng = np.random.default_rng(7)
    z = rng.normal(size=(200, 3))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    assert (np.sum(z * z, axis=1) > 1.0).any()  # the case the clip is there for
    x = np.cross(z, [0.0, 0.0, 1.0])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    axes = np.stack([x, np.cross(z, x), z], axis=1)
    pco = np.einsum("nkc,k->nc", axes, f.pco_m)
    at_nadir = satellite_range_correction(ant, "G01", axes, -z)
    np.testing.assert_allclose(at_nadir, np.sum(pco * -z, axis=1) + f.pcv_noazi_m[0], atol=1e-12)
    behind = satellite_range_correction(ant, "G01", axes, z)
    np.testing.assert_allclose(behind, np.sum(pco * z, axis=1) + f.pcv_noazi_m[-1], atol=1e-12)
