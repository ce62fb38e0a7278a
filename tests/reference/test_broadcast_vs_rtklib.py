"""Broadcast satellite positions and clocks equal RTKLIB 2.4.3's (rnx2rtkp trace level 4) on set A.

RTKLIB prints, for each satellite of an epoch, the signal transmission time (GPST, microseconds), the
ECEF position (m) and the clock (ns) it computed from the broadcast ephemeris. kompas evaluates the same
instants: GPS, GLONASS and BeiDou (GEO included) agree to millimetres; Galileo to decimetres because
RTKLIB 2.4.3 picks a neighbouring 10-minute I/NAV/F/NAV issue. Set A's stations track no QZSS satellite,
so QZSS, and NavIC, are checked on hand-written observation files that give rnx2rtkp one pseudorange per
satellite.
"""

import re
import shutil
import subprocess

import numpy as np
import pytest

from kompas import gtime_from_calendar, read_nav
from kompas.io import read_bytes
from kompas.products.broadcast import BroadcastProduct
from kompas.products.state import Status

RNX2RTKP = shutil.which("rnx2rtkp")
pytestmark = pytest.mark.skipif(
    RNX2RTKP is None, reason="RTKLIB rnx2rtkp not installed (apt-get install rtklib)"
)
# RTKLIB 2.4.3 satellite numbers: GPS 1-32, GLONASS 33-59, Galileo 60-95, QZSS 96-105, BeiDou 106-168
_BASES = (("G", 0, 32), ("R", 32, 27), ("E", 59, 36), ("J", 95, 10), ("C", 105, 63), ("I", 168, 14))


def _sat_id(n):
    for letter, base, count in _BASES:
        if base < n <= base + count:
            return f"{letter}{n - base:02d}"
    raise ValueError(n)


# satposs's trace line: transmission time, satellite number, position (m), clock (ns), health (hex)
_TRACE = re.compile(
    r"4 (\d+)/(\d+)/(\d+) (\d+):(\d+):([\d.]+) sat=\s*(\d+) rs=\s*(\S+)\s+(\S+)\s+(\S+) dts=\s*(\S+)"
    r" var=\s*\S+ svh=(\w+)"
)


def _traced_states(folder, conf_text, obs, nav, *window):
    """rnx2rtkp's broadcast states at trace level 4: (sat id, minute of the transmission time (GPST ns),
    its seconds, position (m), clock (ns), health word) per satellite and epoch, in the trace's order."""
    conf = folder / "spp.conf"
    conf.write_text(conf_text)
    out = folder / "out.pos"
    subprocess.run([RNX2RTKP, "-k", str(conf), "-x", "4", *window, "-o", str(out), str(obs), str(nav)],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    rows = []
    for line in (folder / "out.pos.trace").read_text().splitlines():
        if m := _TRACE.match(line):
            y, mo, dd, h, mi = map(int, m.groups()[:5])
            rows.append((_sat_id(int(m.group(7))), int(gtime_from_calendar(y, mo, dd, h, mi)), float(m.group(6)),
                         [float(v) for v in m.groups()[7:10]], float(m.group(11)), int(m.group(12), 16)))  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def rtklib_trace(kompas_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("rtklib")
    nav = d / "nav.rnx"
    nav.write_bytes(read_bytes(kompas_data / "A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"))
    obs = kompas_data / "A_2020-177_ESBC_WTZR/WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
    window = ("-ts", "2020/06/25", "00:30:00", "-te", "2020/06/25", "00:30:00")
    # GPS+GLONASS+Galileo+QZSS+BeiDou
    rows = _traced_states(d, "pos1-posmode=single\npos1-navsys=61\n", obs, nav, *window)
    assert len(rows) >= 30, "RTKLIB printed too few satellite states"
    return rows, nav


def test_positions_and_clocks_equal_rtklib(rtklib_trace):
    rows, nav_path = rtklib_trace
    bp = BroadcastProduct(read_nav(nav_path), policy="rtklib")  # RTKLIB stretching, as rnx2rtkp
    # RTKLIB prints zeros for satellites without an ephemeris: kompas must say so too
    none = [r for r in rows if not any(r[3])]
    st = bp.state([r[0] for r in none], [r[1] for r in none], offset_s=[r[2] for r in none])
    assert (st.status == Status.NO_EPHEMERIS).all()
    rows = [r for r in rows if any(r[3])]
    sats = [r[0] for r in rows]
    st = bp.state(sats, [r[1] for r in rows], offset_s=[r[2] for r in rows])
    assert st.ok.all()
    dpos = np.linalg.norm(st.pos_m - np.array([r[3] for r in rows]), axis=1)
    dclk_ns = st.clk_s * 1e9 - np.array([r[4] for r in rows])
    gal = np.array([s[0] == "E" for s in sats])
    systems = {s[0] for s in sats}
    assert {"G", "R", "E", "C"} <= systems
    # RTKLIB prints transmission times to 1 microsecond: a few mm of satellite motion
    assert dpos[~gal].max() < 0.01, dict(zip(np.array(sats)[~gal], dpos[~gal], strict=True))
    assert np.abs(dclk_ns[~gal]).max() < 0.01
    assert dpos[gal].max() < 0.5 and np.abs(dclk_ns[gal]).max() < 1.0


def _pseudorange_file(path, day, epochs):
    """A RINEX 3.04 observation file with one C1C (QZSS) or C5A (NavIC) pseudorange per satellite and epoch:
    enough for rnx2rtkp to compute and trace the satellites' broadcast states."""
    y, mo, d = day
    head = [
        "     3.04           OBSERVATION DATA    M                   RINEX VERSION / TYPE",
        "MARK                                                        MARKER NAME",
        "  4075579.1913   931853.3696  4801569.1897                  APPROX POSITION XYZ",
        "J    1 C1C                                                  SYS / # / OBS TYPES",
        "I    1 C5A                                                  SYS / # / OBS TYPES",
        f"{y:6d}{mo:6d}{d:6d}{epochs[0][0][0]:6d}{epochs[0][0][1]:6d}    0.0000000     GPS         TIME OF FIRST OBS",
        "                                                            END OF HEADER",
    ]
    body = []
    for (h, m), sats in epochs:
        body.append(f"> {y} {mo:02d} {d:02d} {h:02d} {m:02d}  0.0000000  0{len(sats):3d}")
        body += [f"{s}{38_000_000.0 + 1000.0 * k:14.3f}  " for k, s in enumerate(sats)]
    path.write_text("\n".join(head + body) + "\n")


_REGIONAL = {
    # set A's stations track no QZSS satellite: J01 (records 11-14 h) and J02 (a record of the day before
    # and 19-23 h) at instants with a record in rnx2rtkp's window, two of them halfway between two toes
    "QZSS, set A": ("A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_MN.rnx.gz", (2020, 6, 25),
                    [((0, 30), ["J02"]), ((12, 30), ["J01"]), ((13, 50), ["J01"]), ((20, 30), ["J02"])]),
    # NavIC GEO (I02 every 15 min) and IGSO (I09, I10 every 2 h), QZSS IGSO/QZO and GEO (J07)
    "NavIC and QZSS, set D": ("D_2026-120_PASA_SCOA_rtk/BRDC00WRD_R_20261200800_06H_MN.rnx", (2026, 4, 30),
                              [((h, m), ["I02", "I09", "I10", "J02", "J03", "J04", "J07", "J08"])
                               for h, m in ((8, 40), (10, 10), (12, 45))]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(_REGIONAL))
def test_regional_systems_equal_rtklib(kompas_data, tmp_path, case):
    """QZSS and NavIC through the GPS algorithm with their own records, fit windows and health words."""
    nav_name, day, epochs = _REGIONAL[case]
    nav = tmp_path / "nav.rnx"
    nav.write_bytes(read_bytes(kompas_data / nav_name))
    obs = tmp_path / "regional.rnx"
    _pseudorange_file(obs, day, epochs)
    # GPS+GLONASS+Galileo+QZSS+BeiDou+NavIC
    rows = _traced_states(tmp_path, "pos1-posmode=single\npos1-navsys=125\n", obs, nav)
    number = {letter: base for letter, base, _ in _BASES}  # rnx2rtkp traces an epoch's satellites by number
    expected = [
        (s, h, m) for (h, m), sats in epochs for s in sorted(sats, key=lambda s: number[s[0]] + int(s[1:]))
    ]
    assert [r[0] for r in rows] == [s for s, _, _ in expected]
    assert all(any(r[3]) for r in rows), [r[0] for r in rows if not any(r[3])]
    # rnx2rtkp selects each record at the reception time (satposs: teph = the epoch); where that lies
    # halfway between two toes the later record wins the tie. The signal left ~0.13 s earlier.
    received = [int(gtime_from_calendar(*day, h, m)) for _, h, m in expected]
    st = BroadcastProduct(read_nav(nav), policy="rtklib").state(
        [r[0] for r in rows], [r[1] for r in rows], offset_s=[r[2] for r in rows], select_ns=received
    )
    # rnx2rtkp's satexclude: health word 0, for QZSS but for the LSB (L1C/B); J04 and J08 say 0x10 (L1C/A)
    usable = np.array([(r[5] & ~1 if r[0][0] == "J" else r[5]) == 0 for r in rows])
    assert usable.sum() >= len(rows) // 2
    np.testing.assert_array_equal(st.ok, usable)
    assert (st.status[~usable] == Status.UNHEALTHY).all()
    dpos = np.linalg.norm(st.pos_m - np.array([r[3] for r in rows]), axis=1)[usable]
    assert dpos.max() < 0.01, dict(zip(np.array([r[0] for r in rows])[usable], dpos, strict=True))
    assert np.abs(st.clk_s * 1e9 - np.array([r[4] for r in rows]))[usable].max() < 0.01
