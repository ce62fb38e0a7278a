"""PPP on broadcast ephemerides alone beside RTKLIB 2.4.3's (rnx2rtkp, ``pos1-sateph=brdc``) on set D.

Broadcast orbits give the satellite antenna phase centre (IS-GPS-200N 20.3.3.4.3), so no satellite antenna
offset may be added to them; both programs then share the same broadcast errors, which dominate the error
against the truth (about 1 m here), and agree with each other to centimetres. With the offsets added
(the error this test guards against) kompas was 49 cm off RTKLIB horizontally, and without offsets for
Galileo, GLONASS and BeiDou in the file it dropped those systems.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings

import numpy as np
import pytest

import kompas
from kompas.frames import ecef_to_enu

pytestmark = pytest.mark.skipif(shutil.which("rnx2rtkp") is None, reason="RTKLIB rnx2rtkp is not on PATH")

D = "D_2026-120_PASA_SCOA_rtk"
NAV = "BRDC00WRD_R_20261200800_06H_MN.rnx"
PASA = np.array([4644908.98702, -156644.937061, 4353623.158575])
SCOA = np.array([4639940.429559, -136224.81156, 4359552.50278])

# RTKLIB as kompas's defaults: static, ionosphere-free L1/L2, estimated zenith delay, solid tide, wind-up,
# 10 deg mask, GPS; no antenna calibrations in either (no ANTEX given)
CONF = """pos1-posmode=ppp-static
pos1-soltype=forward
pos1-elmask=10
pos1-ionoopt=dual-freq
pos1-tropopt=est-ztd
pos1-sateph=brdc
pos1-navsys=1
pos1-tidecorr=1
pos1-posopt3=on
out-solformat=xyz
"""


@pytest.mark.parametrize(("station", "truth"), [("PASA", PASA), ("SCOA", SCOA)])
def test_broadcast_ppp_agrees_with_rtklib(kompas_data, tmp_path, station, truth):
    obs_path = next((kompas_data / D).glob(f"{station}00*_MO.rnx"))
    conf = tmp_path / "brdc.conf"
    conf.write_text(CONF)
    out = tmp_path / "rtklib.pos"
    subprocess.run(
        ["rnx2rtkp", "-k", str(conf), "-o", str(out), str(obs_path), str(kompas_data / D / NAV)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    rows = [line.split() for line in out.read_text().splitlines() if line and not line.startswith("%")]
    rtklib = np.array([float(v) for v in rows[-1][2:5]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = kompas.ppp(
            obs=kompas.read_obs(obs_path), nav=[kompas.read_nav(kompas_data / D / NAV)], systems="G"
        )
    assert sol.ok.mean() > 0.99 and sol.ok[-1] and rows[-1][1].startswith("11:59:30")
    enu = ecef_to_enu(sol.pos_m[-1], rtklib)
    assert np.hypot(enu[0], enu[1]) < 0.05 and abs(enu[2]) < 0.15
    # the truth is a metre away for both: broadcast orbit and clock errors, not a kompas artefact
    assert 0.5 < np.linalg.norm(ecef_to_enu(rtklib, truth)) < 3.0


def test_broadcast_ppp_uses_every_system_without_satellite_antenna_tables(kompas_data):
    # no ANTEX, no satellite tables: broadcast orbits need no offsets, so no satellite is left out
    obs = kompas.read_obs(kompas_data / D / "PASA00ESP_R_20261201000_02H_30S_MO.rnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = kompas.ppp(obs=obs, nav=[kompas.read_nav(kompas_data / D / NAV)], systems="GREC")
    assert sol.ok.mean() > 0.99
    assert not any("not used" in n and "antenna" in n for n in sol.record.notes)
    for letter in "GREC":
        assert np.median(sol.nsat_by_system[letter]) >= 3
