"""Benchmark: kompas RTK beside RTKLIB 2.4.3 (Debian rnx2rtkp) and RTKLIB-EX (demo5) on the two real baselines.

    python benchmarks/bench_rtk.py [--rtklib-ex PATH] [--repeat N] [--no-atx] [--ppk] [--iono-prior zero]
                                   [--precise]

Baselines (../shared/data/MANIFEST.md): WTZZ -> WTZR (set A, 1.6 m, Javad vs Leica, 1 h, navigation ESBC MN)
and PASA -> SCOA (set D, 21.8 km, Leica vs Leica, 2 h, BRDC). For every system mix (G, C, R, G+E+C, C+R,
G+R+E+C) each program runs kinematic RTK with the settings of ../shared/tools/RTKLIB-ANCHORS.md: 15 deg mask,
base at its truth, antenna heights from the headers, continuous AR, forward only. RTKLIB uses L1+L2 and,
for RTKLIB-EX, the best of gloarmode on / autocal / fix-and-hold is kept; kompas uses every band both
receivers track. With the default ``--atx`` kompas and both RTKLIB builds also get the set's trimmed IGS20
ANTEX for the receiver antennas (PASA and SCOA carry different antennas: without it the height is off by
~6 cm); ``--no-atx`` runs everything without.

``--precise`` gives every program the set's precise orbits and clocks as well (set A: GRG SP3 + CLK of G, R,
E and CODE's SP3 for BeiDou; set D: IGS SP3 + CLK, GPS only): kompas takes its satellite states from them
for the systems they serve and from the broadcast records for the rest, RTKLIB (``pos1-sateph=precise``,
GRG's files on set A) from them alone.

Printed per case: correct-fix rate (fixed and within 5 cm horizontally, 10 cm vertically of the MANIFEST
truth, % of all epochs), fix rate, wrong-fix rate and the horizontal RMS of the fixed epochs; the static
G+R+E+C error of the last epoch; then whole process wall times (best of ``--repeat``) of ``kompas rtk`` and
both ``rnx2rtkp`` for G+R+E+C kinematic, and of a Python process that only imports kompas and reads the
inputs ("of which reading": what kompas spends before it solves anything).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _bytecode import ensure_bytecode

REPO = Path(__file__).resolve().parents[1]
DATA = Path(
    os.environ.get("KOMPAS_DATA")
    or next((p / "shared" / "data" for p in REPO.parents if (p / "shared" / "data").is_dir()), REPO.parent)
)
A, D = DATA / "A_2020-177_ESBC_WTZR", DATA / "D_2026-120_PASA_SCOA_rtk"
BASELINES = {
    "WTZZ -> WTZR": dict(
        rover=A / "WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
        base=A / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
        nav=[A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"], atx=A / "igs20_wettzell_trim.atx",
        sp3=[A / "GRG0MGXFIN_20201760000_01D_15M_ORB.SP3.gz", A / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz",
             A / "COD0MGXFIN_20201770000_01D_05M_ORB.SP3"],
        clk=[A / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"],
        rtklib_precise=[A / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz", A / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"],
        rover_xyz=(4075579.1913, 931853.3696, 4801569.1897), base_xyz=(4075580.3111, 931854.0543, 4801568.2808),
    ),
    "PASA -> SCOA": dict(
        rover=D / "PASA00ESP_R_20261201000_02H_30S_MO.rnx", base=D / "SCOA00FRA_R_20261201000_02H_30S_MO.rnx",
        nav=[D / "BRDC00WRD_R_20261200800_06H_MN.rnx"], atx=D / "igs20_pasa_scoa_gps.atx",
        sp3=[D / "IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3"], clk=[D / "IGS0OPSFIN_2026120095930_02H01M_30S_CLK.CLK"],
        rover_xyz=(4644908.98702, -156644.937061, 4353623.158575),
        base_xyz=(4639940.429559, -136224.81156, 4359552.50278),
    ),
}  # fmt: skip
MIXES = {"G": 1, "C": 32, "R": 4, "GEC": 41, "CR": 36, "GREC": 45}  # RTKLIB navsys bits: G 1, R 4, E 8, C 32
CORRECT_H, CORRECT_V = 0.05, 0.10


def scores(xyz, q, truth) -> dict:
    """Correct/fixed/wrong rates (% of all epochs) and the horizontal RMS of fixed epochs (cm)."""
    from kompas.frames import ecef_to_enu

    n = q.size
    fix = q == 1
    if not fix.any():
        return {"correct": 0.0, "fix": 0.0, "wrong": 0.0, "h_rms": float("nan")}
    enu = ecef_to_enu(np.asarray(xyz, float), np.asarray(truth, float))
    h, v = np.hypot(enu[:, 0], enu[:, 1]), np.abs(enu[:, 2])
    good = fix & (h <= CORRECT_H) & (v <= CORRECT_V)
    return {
        "correct": 100.0 * good.sum() / n, "fix": 100.0 * fix.sum() / n,
        "wrong": 100.0 * (fix & ~good).sum() / n, "h_rms": 100.0 * float(np.sqrt(np.mean(h[fix] ** 2))),
    }  # fmt: skip


def _header_delta_h(path) -> float:
    import kompas

    return float(kompas.read_obs(path).station.antenna_delta_hen_m[0])


def rtklib_conf(bl, navsys, frequency, gloarmode, atx, precise=False) -> str:
    lines = [
        "pos1-posmode=kinematic", f"pos1-frequency={frequency}", "pos1-elmask=15", f"pos1-navsys={navsys}",
        "pos1-ionoopt=brdc", "pos1-tropopt=saas", "pos2-armode=continuous", f"pos2-gloarmode={gloarmode}",
        "pos2-bdsarmode=on", f"ant1-antdelu={_header_delta_h(bl['rover'])}",
        f"ant2-antdelu={_header_delta_h(bl['base'])}", "ant2-postype=xyz",
        *(f"ant2-pos{i + 1}={v}" for i, v in enumerate(bl["base_xyz"])), "out-solformat=xyz",
    ]  # fmt: skip
    if atx:
        lines += [f"file-rcvantfile={bl['atx']}", "ant1-anttype=*", "ant2-anttype=*"]
    if precise:
        lines.append("pos1-sateph=precise")
    return "\n".join(lines) + "\n"


def precise_inputs(bl, tmp: Path) -> list[Path]:
    """The precise files RTKLIB gets, decompressed (it recognises them by the extensions .sp3 and .clk)."""
    from bench_ppp import plain_copy

    return [plain_copy(p, tmp) for p in bl.get("rtklib_precise", [*bl["sp3"], *bl["clk"]])]


def read_rtklib_pos(path, n_epochs):
    """xyz and Q of an RTKLIB xyz .pos file, padded to the epoch count (missing epochs unsolved)."""
    rows = [ln.split() for ln in Path(path).read_text().splitlines() if ln and not ln.startswith("%")]
    xyz = np.array([[float(r[2]), float(r[3]), float(r[4])] for r in rows]).reshape(-1, 3)
    q = np.array([int(r[5]) for r in rows], dtype=int)
    pad = max(n_epochs - q.size, 0)
    return np.vstack([xyz, np.full((pad, 3), np.nan)]), np.r_[q, np.zeros(pad, int)]


def _rnx2rtkp(binary, conf_text: str, bl, conf: Path, extra=()) -> Path:
    """Run an rnx2rtkp build on a baseline with the options ``conf_text`` (written to ``conf``) and the
    ``extra`` input files; the .pos path beside it (absent when the program wrote nothing)."""
    conf.write_text(conf_text)
    out = conf.with_suffix(".pos")
    out.unlink(missing_ok=True)
    cmd = [binary, "-k", str(conf), "-o", str(out), str(bl["rover"]), str(bl["base"]), *map(str, bl["nav"]),
           *map(str, extra)]  # fmt: skip
    subprocess.run(cmd, capture_output=True, check=False)
    return out


def run_rtklib(binary, bl, mix, variants, atx, tmp, n_epochs, precise=False):
    """Best correct-fix rate over the gloarmode variants."""
    best = None
    extra = precise_inputs(bl, tmp) if precise else []
    for frequency, glo in variants:
        conf = rtklib_conf(bl, MIXES[mix], frequency, glo, atx, precise)
        out = _rnx2rtkp(binary, conf, bl, tmp / "rtk.conf", extra)
        if not out.exists():
            continue
        xyz, q = read_rtklib_pos(out, n_epochs)
        s = scores(xyz, q, bl["rover_xyz"])
        s["variant"] = glo
        if best is None or s["correct"] > best["correct"]:
            best = s
    return best or {"correct": 0.0, "fix": 0.0, "wrong": 0.0, "h_rms": float("nan"), "variant": "-"}


def solve(bl, systems: str):
    """One in-process ``kompas.rtk`` run of a baseline with this benchmark's settings (kinematic, forward,
    15 deg mask, ANTEX, base at its truth): the Solution (the data checks ``bench_rtk_*.py`` use it)."""
    import kompas

    return kompas.rtk(
        kompas.read_obs(bl["rover"]), kompas.read_obs(bl["base"]), [kompas.read_nav(p) for p in bl["nav"]],
        atx=kompas.read_antex(bl["atx"]), systems=systems, elmask_deg=15.0,
        base_position=" ".join(map(str, bl["base_xyz"])),
    )  # fmt: skip


def run_kompas(bl, mix, atx, ppk, cache, precise=False, **options):
    import kompas

    key = str(bl["rover"])
    if key not in cache:
        cache[key] = (
            kompas.read_obs(bl["rover"]), kompas.read_obs(bl["base"]), [kompas.read_nav(p) for p in bl["nav"]],
            kompas.read_antex(bl["atx"]),
        )  # fmt: skip
    rover, base, navs, antex = cache[key]
    if precise and key + "precise" not in cache:
        cache[key + "precise"] = {
            "sp3": [kompas.read_sp3(p) for p in bl["sp3"]], "clk": [kompas.read_clk(p) for p in bl["clk"]]
        }  # fmt: skip
    products = cache[key + "precise"] if precise else {}
    t0 = time.perf_counter()
    sol = kompas.rtk(
        rover, base, navs, atx=antex if atx else None, systems=mix, ppk=ppk, elmask_deg=15.0,
        base_position=" ".join(map(str, bl["base_xyz"])), **products, **options,
    )  # fmt: skip
    s = scores(sol.pos_m, sol.quality, bl["rover_xyz"])
    s["seconds"] = time.perf_counter() - t0
    return s, len(sol)


def final_error(xyz, q, truth) -> str:
    """Horizontal and vertical error of the last epoch, mm, and its quality."""
    from kompas.frames import ecef_to_enu

    ok = np.flatnonzero(q > 0)
    if not ok.size:
        return "no solution"
    enu = ecef_to_enu(np.asarray(xyz, float)[ok[-1]], np.asarray(truth, float))
    return f"{1000 * np.hypot(enu[0], enu[1]):.1f} / {1000 * abs(enu[2]):.1f} (Q={int(q[ok[-1]])})"


def static_row(bl, rnx2rtkp, ex, atx, cache, tmp) -> str:
    """Static G+R+E+C: the last epoch's horizontal / vertical error in mm of each program."""
    import kompas

    rover, base, navs, antex = cache[str(bl["rover"])]
    sol = kompas.rtk(
        rover, base, navs, atx=antex if atx else None, systems="GREC", mode="static", elmask_deg=15.0,
        base_position=" ".join(map(str, bl["base_xyz"])),
    )  # fmt: skip
    cells = [f"kompas {final_error(sol.pos_m, sol.quality, bl['rover_xyz'])}"]
    for name, binary, freq in (("RTKLIB 2.4.3", rnx2rtkp, "l1+2"), ("RTKLIB-EX", ex, "l1+l2")):
        if binary:
            conf = rtklib_conf(bl, MIXES["GREC"], freq, "on", atx).replace("kinematic", "static")
            out = _rnx2rtkp(binary, conf, bl, tmp / "s.conf")
            xyz, q = read_rtklib_pos(out, len(sol)) if out.exists() else (np.zeros((0, 3)), np.zeros(0, int))
            cells.append(f"{name} {final_error(xyz, q, bl['rover_xyz'])}")
    return "static G+R+E+C, last epoch horizontal / vertical error (mm): " + ", ".join(cells)


def wall_time(cmd, repeat) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        best = min(best, time.perf_counter() - t0)
    return best


def timing(bl, rnx2rtkp, ex, atx, repeat, tmp) -> dict:
    out = {}
    kcmd = [sys.executable, "-m", "kompas", "rtk", str(bl["rover"]), str(bl["base"]), *map(str, bl["nav"]),
            "--systems", "G,R,E,C", "--elmask", "15", "--base-pos", *map(str, bl["base_xyz"]),
            "-o", str(tmp / "k.pos")] + (["--atx", str(bl["atx"])] if atx else [])  # fmt: skip
    out["kompas rtk"] = wall_time(kcmd, repeat)
    # what the process costs before it solves anything: interpreter, imports, reading the inputs (the
    # ANTEX file for the two header antennas, as kompas rtk reads it)
    read = "; ".join(
        ["import kompas", f"r = kompas.read_obs({str(bl['rover'])!r})", f"b = kompas.read_obs({str(bl['base'])!r})"]
        + [f"kompas.read_nav({str(p)!r})" for p in bl["nav"]]
        + ([f"kompas.read_antex({str(bl['atx'])!r}, receivers=[r.station.antenna_type, b.station.antenna_type])"]
           if atx else [])
    )  # fmt: skip
    out["of which reading"] = wall_time([sys.executable, "-c", read], repeat)
    for name, binary, freq in (("rnx2rtkp 2.4.3", rnx2rtkp, "l1+2"), ("rnx2rtkp-ex", ex, "l1+l2")):
        if binary:
            conf = tmp / "t.conf"
            conf.write_text(rtklib_conf(bl, MIXES["GREC"], freq, "on", atx))
            cmd = [binary, "-k", str(conf), "-o", str(tmp / "t.pos"), str(bl["rover"]), str(bl["base"]),
                   *map(str, bl["nav"])]  # fmt: skip
            out[name] = wall_time(cmd, repeat)
    return out


def fmt(s) -> str:
    return f"{s['correct']:.0f} ({s['fix']:.0f}/{s['wrong']:.0f}, {s['h_rms']:.1f})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rtklib-ex", default=os.environ.get("RTKLIB_EX", "/work/rtklib-ex/bin/rnx2rtkp-ex"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-atx", action="store_true", help="no antenna calibrations for any program")
    ap.add_argument(
        "--ppk", action="store_true", help="kompas forward-backward combined (RTKLIB stays forward)"
    )
    ap.add_argument("--precise", action="store_true",
                    help="every program also gets the set's SP3 and clock files (module docstring)")  # fmt: skip
    ap.add_argument("--iono-prior", choices=("brdc", "zero"), default="brdc",
                    help="kompas's prior of the slant ionosphere states (set D; the default brdc)")  # fmt: skip
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO / "src"))
    print(ensure_bytecode())
    rnx2rtkp = shutil.which("rnx2rtkp")
    ex = args.rtklib_ex if Path(args.rtklib_ex).is_file() else None
    atx = not args.no_atx
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}, atx={'yes' if atx else 'no'}, kompas {'PPK' if args.ppk else 'RTK'}, "
          f"iono prior {args.iono_prior}, orbits {'precise' if args.precise else 'broadcast'}")  # fmt: skip
    print("cells: correct-fix % (fixed % / wrong %, horizontal RMS of fixed epochs in cm)")
    cache: dict = {}
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        for name, bl in BASELINES.items():
            print(f"\n## {name}\n")
            print("| program | " + " | ".join(MIXES) + " |")
            print("|---|" + "---|" * len(MIXES))
            rows = {"kompas": [], "RTKLIB 2.4.3": [], "RTKLIB-EX": []}
            for mix in MIXES:
                k, n_ep = run_kompas(
                    bl, mix, atx, args.ppk, cache, args.precise, **{"models.iono_prior": args.iono_prior}
                )
                rows["kompas"].append(fmt(k) + f" {k['seconds']:.1f}s")
                if rnx2rtkp:
                    rows["RTKLIB 2.4.3"].append(
                        fmt(run_rtklib(rnx2rtkp, bl, mix, [("l1+2", "on")], atx, tmp, n_ep, args.precise))
                    )
                if ex:
                    v = [("l1+l2", g) for g in ("on", "autocal", "fix-and-hold")]
                    r = run_rtklib(ex, bl, mix, v, atx, tmp, n_ep, args.precise)
                    rows["RTKLIB-EX"].append(fmt(r) + f" [{r['variant']}]")
            for prog, cells in rows.items():
                if cells:
                    print(f"| {prog} | " + " | ".join(cells) + " |")
            if args.precise:
                continue  # the static rows and the timings are those of broadcast orbits
            print("\n" + static_row(bl, rnx2rtkp, ex, atx, cache, tmp))
            t = timing(bl, rnx2rtkp, ex, atx, args.repeat, tmp)
            times = ", ".join(f"{k} {v:.2f} s" for k, v in t.items())
            print(f"\nwall time, G+R+E+C kinematic, whole process (best of {args.repeat}): {times}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
