"""Every command checks its outputs before the work, with a file actually opened: permission bits do not
tell everything (root passes os.access; /proc refuses new files). Each case used to end in a traceback
after the work (FileNotFoundError)."""

from __future__ import annotations

import os

import pytest

from kompas.cli.main import main

A = "A_2020-177_ESBC_WTZR"
WTZR = "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
WTZZ = "WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
NAV = "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"
SP3 = "COD0MGXFIN_20201770000_01D_05M_ORB.SP3"

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")


@pytest.mark.parametrize(
    ("args", "target"),
    [
        (["spp", "{a}/" + WTZR, "{a}/" + NAV, "-o", "/proc/k.pos"], "/proc/k.pos"),
        (["ppp", "{a}/" + WTZR, "{a}/" + NAV, "-o", "/proc/k.pos"], "/proc/k.pos"),
        (["ppp", "{a}/" + WTZR, "{a}/" + NAV, "--report", "/proc/r.html"], "/proc/r.html"),
        (["rtk", "{a}/" + WTZZ, "{a}/" + WTZR, "{a}/" + NAV, "-o", "/proc/k.pos"], "/proc/k.pos"),
        (["qc", "{a}/" + WTZR, "--json", "/proc/q.json"], "/proc/q.json"),
        (["qc", "{a}/" + WTZR, "--csv", "/proc/qdir"], "/proc/qdir"),
        (["monitor", "{a}/" + NAV, "--no-grid", "--out", "/proc/mon"], "/proc/mon"),
        (["orbits", "{a}/" + NAV, "--precise", "{a}/" + SP3, "--csv", "/proc/o.csv"], "/proc/o.csv"),
        (["orbits", "{a}/" + NAV, "--precise", "{a}/" + SP3, "--plot", "/proc/o.png"], "/proc/o.png"),
    ],
    ids=["spp", "ppp", "ppp-report", "rtk", "qc-json", "qc-csv", "monitor", "orbits-csv", "orbits-plot"],
)
def test_unwritable_outputs_are_one_line_before_the_work(kompas_data, capsys, args, target):
    args = [x.format(a=kompas_data / A) for x in args]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(f"error: {target}: not writable (No such file or directory)")
    assert not any("Traceback" in line for line in err)


def test_a_checked_output_leaves_nothing_behind(kompas_data, tmp_path, capsys):
    # the probe file of a solving command is removed again when the run ends without a solution
    out = tmp_path / "never.pos"
    assert main(["spp", str(kompas_data / A / WTZR), str(kompas_data / A / NAV), "--elmask", "89",
                 "-o", str(out)]) == 1  # fmt: skip
    assert not out.exists()


def test_orbits_names_a_missing_input(kompas_data, capsys):
    assert main(["orbits", "nope.rnx", "--precise", str(kompas_data / A / SP3)]) == 2
    assert capsys.readouterr().err.strip() == "kompas orbits: error: nope.rnx: no such file"
