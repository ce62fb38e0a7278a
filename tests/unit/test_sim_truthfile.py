"""truth.json: the layout its module docstring promises, for one receiver and for a baseline."""

import json
import math

import numpy as np
import pytest

from kompas import __version__, gtime_from_calendar
from kompas.frames import geodetic_to_ecef
from kompas.sim import ErrorModel, Receiver, rover_error_model, simulate, simulate_baseline, write_products
from kompas.sim.truthfile import AMBIGUITY_MODEL, FORMAT, UNITS, truth_document, write_truth
from kompas.time import GTime

START = int(gtime_from_calendar(2025, 1, 1, 0, 0, 0))
RCV = geodetic_to_ecef(np.array([np.radians(-6.1754), np.radians(106.8272), 10.0]))
TOP = {"format", "simulated", "kompas_version", "ecef_m", "settings", "errors", "ambiguity_model", "receivers",
       "products", "files", "units"}  # fmt: skip
RECEIVER = {"role", "ecef_m", "marker_name", "receiver_type", "stream", "clock_s_at_start", "clock_drift_s_per_s",
            "ambiguity_cycles", "multipath", "events"}  # fmt: skip


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    out = tmp_path_factory.mktemp("truth")
    rcv = Receiver(tuple(RCV), marker_name="ABCD", receiver_type="MY RECEIVER", stream=7)
    res = simulate(RCV, START, hours=0.1, interval_s=30.0, systems="GE", errors=ErrorModel(multipath=True),
                   seed=2, receiver=rcv)  # fmt: skip
    products = write_products(res.truth, res.sim.layout.sats, START, START + 360 * 10**9,
                              sp3_path=out / "a.sp3", clk_path=out / "a.clk", receivers=[res.sim])  # fmt: skip
    return res, truth_document(res, files={"obs": "a.rnx"}, products=products), out


def test_one_receiver(single):
    res, doc, _ = single
    assert set(doc) == TOP and doc["format"] == FORMAT == "kompas.sim.truth/2" and doc["simulated"] is True
    assert doc["kompas_version"] == __version__ and doc["ambiguity_model"] == AMBIGUITY_MODEL
    assert doc["units"] == UNITS and doc["files"] == {"obs": "a.rnx"} and doc["ecef_m"] == pytest.approx(RCV)
    s = doc["settings"]
    assert s == {"start_gpst_ns": START, "start": GTime(START).isoformat("GPST"), "hours": 0.1, "interval_s": 30.0,
                 "systems": "GE", "seed": 2, "elevation_mask_deg": 5.0, "sis_error_m": 0.0,
                 "constellation": "nominal (kompas.sim.constellations)"}  # fmt: skip
    assert doc["errors"]["multipath"] == {"value": True, "unit": "", "doc": ErrorModel.__dataclass_fields__[
        "multipath"].metadata["doc"]}  # fmt: skip
    (r,) = doc["receivers"]
    assert res.obs.header.system == "M" and res.obs.header.marker_name == "ABCD"  # two systems: mixed
    assert set(r) == RECEIVER and r["role"] == "single" and "errors" not in r
    assert (r["marker_name"], r["receiver_type"], r["stream"]) == ("ABCD", "MY RECEIVER", 7)
    mp = r["multipath"]
    assert set(mp) == {"zenith_code_amplitude_m", "period_s", "phase_rad"}
    assert set(mp["phase_rad"]) == set(r["ambiguity_cycles"]) == set(mp["period_s"])
    phases = list(mp["phase_rad"].values())
    assert all(0.0 <= v < 2 * math.pi for v in phases) and len(set(phases)) > 5
    assert all(300.0 <= v <= 1200.0 for v in mp["period_s"].values())


def test_products_record(single):
    _, doc, out = single
    p = doc["products"]
    assert set(p) == {"frame", "time_system", "convention", "sp3", "clk"} and p["time_system"] == "GPS"
    assert p["sp3"]["path"] == str(out / "a.sp3") and p["clk"] == {"path": str(out / "a.clk"), "interval_s": 30.0,
                                                                     "epochs": 15}  # fmt: skip
    assert p["convention"] and all(isinstance(x, str) for x in p["convention"])


def test_written_file_reads_back(single, tmp_path):
    _, doc, _ = single
    write_truth(tmp_path / "truth.json", doc)
    text = (tmp_path / "truth.json").read_text(encoding="utf-8")
    assert json.loads(text) == json.loads(json.dumps(doc)) and text.endswith("}\n")


def test_baseline():
    res = simulate_baseline(RCV, START, offset_enu_m=(300.0, 400.0, 0.0), hours=0.05, interval_s=30.0, systems="G",
                            errors=ErrorModel(noise=True))  # fmt: skip
    doc = truth_document(res)
    base, rover = doc["receivers"]
    assert (base["role"], rover["role"]) == ("base", "rover")
    assert (base["receiver_type"], rover["receiver_type"]) == ("KOMPAS SIM A", "KOMPAS SIM B")
    assert base["stream"] != rover["stream"] and "errors" not in base
    # the rover's own error model (another make's receiver biases) is recorded because it differs
    assert rover["errors"]["isb_m"]["value"] == rover_error_model(ErrorModel(noise=True)).isb_m
    b = doc["baseline"]
    assert b["length_m"] == pytest.approx(500.0, abs=1e-6) == np.linalg.norm(b["baseline_ecef_m"])
    assert b["baseline_enu_m"] == pytest.approx([300.0, 400.0, 0.0], abs=1e-6)
    assert doc["ecef_m"] == pytest.approx(RCV)
    same = simulate_baseline(RCV, START, offset_enu_m=(3.0, 4.0, 0.0), hours=0.05, interval_s=30.0, systems="G",
                             errors="none", rover_errors=ErrorModel.none())  # fmt: skip
    assert "errors" not in truth_document(same)["receivers"][1]


def test_rover_error_model_is_another_make():
    r = rover_error_model(ErrorModel.default())
    assert r.isb_m == {"G": 0.0, "R": -12.0, "E": 1.5, "C": 4.0}
    assert (r.ifb_m_per_channel, r.ifb_phase_m_per_channel) == (-0.15, -0.003)
    assert r.noise and r.multipath and r.code_sigma_m == ErrorModel.default().code_sigma_m


def test_defaults_recorded():
    """simulate's defaults: every simulated system, seed 0 (the same observations as seed=0 given)."""
    a = simulate(RCV, START, hours=0.02, interval_s=30.0, errors="default")
    b = simulate(RCV, START, hours=0.02, interval_s=30.0, errors="default", seed=0, systems="CRGE")
    assert a.settings["systems"] == "CRGE" and a.settings["seed"] == 0
    assert np.array_equal(a.obs.code_m, b.obs.code_m) and np.array_equal(a.obs.phase_cyc, b.obs.phase_cyc)
