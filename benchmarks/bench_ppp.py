"""Benchmark: precise point positioning on the shared data sets, beside RTKLIB 2.4.3 and RTKLIB-EX.

    python benchmarks/bench_ppp.py [--only WTZR,PASA,SCOA,ZIM2] [--sections accuracy,esbc,models,speed,slac]
                                   [--rtklib-ex /work/rtklib-ex/bin/rnx2rtkp-ex]

Sections
    accuracy  the issue's cases (WTZR 1 h G+R+E+C, PASA/SCOA 2 h GPS static and kinematic, ZIM2 1 h GPS with
              CODE's OSB) with kompas and both RTKLIBs in the same run, settings of
              ``shared/tools/RTKLIB-ANCHORS.md``: static = error of the last epoch, kinematic = RMS of the last
              60 epochs (30 min), against the MANIFEST truth;
    esbc      ESBC 24 h static G+R+E+C against rnx2rtkp's daily PPP, and the repeatability of 24 one-hour
              sessions;
    models    each model switched off in turn (its effect on the final coordinate, and on the kinematic
              vertical over a day for the tides), with the size the literature gives;
    speed     ESBC 24 h at 30 s, static G+R+E+C, whole process (``kompas ppp`` and ``rnx2rtkp``) wall time;
    slac      SLAC (set G: RINEX 2.11, GPS navigation only) static over the hour of CODE's MGEX 30-s clocks,
              G, G+E and G+R+E (GLONASS channels from the satellite table), beside both RTKLIBs given the
              same ANTEX: no truth, the programs against each other.

RTKLIB is given decompressed copies of the files in a temporary folder; kompas reads the originals.
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
import warnings
from pathlib import Path

import numpy as np
from _bytecode import ensure_bytecode

DATA = Path(os.environ.get("KOMPAS_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
if not DATA.exists():
    DATA = Path("/work/shared/data")
A, D, E = DATA / "A_2020-177_ESBC_WTZR", DATA / "D_2026-120_PASA_SCOA_rtk", DATA / "E_2026-133_ZIM2"
MODELS = DATA / "models"
NAVSYS = {"G": 1, "R": 4, "E": 8, "C": 32, "J": 16}
ZIM2_OSB = E / "COD0OPSFIN_20261330000_01D_01D_OSB.BIA.gz"

CASES = {
    "WTZR": dict(
        obs=A / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
        nav=[A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"],
        sp3=[
            A / "GRG0MGXFIN_20201760000_01D_15M_ORB.SP3.gz",
            A / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz",
            A / "COD0MGXFIN_20201770000_01D_05M_ORB.SP3",
        ],
        clk=[A / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"],
        atx=A / "igs20_wettzell_trim.atx",
        systems="GREC",
        # MANIFEST truth (EPN ITRF2020, epoch 2020.0) moved 0.482 yr to the session with WTZR's velocity
        # between it and the IGS final clock header of 2026-04-30 (set D): (-16.6, +17.2, +9.8) mm/yr
        truth=(4075580.3031, 931854.0626, 4801568.2855),
        rtklib=dict(sp3=A / "COD0MGXFIN_20201770000_01D_05M_ORB.SP3", systems="GRE"),
    ),
    "PASA": dict(
        obs=D / "PASA00ESP_R_20261201000_02H_30S_MO.rnx",
        nav=[D / "BRDC00WRD_R_20261200800_06H_MN.rnx"],
        sp3=[D / "IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3"],
        clk=[D / "IGS0OPSFIN_2026120095930_02H01M_30S_CLK.CLK"],
        atx=D / "igs20_pasa_scoa_gps.atx",
        systems="G",
        truth=(4644908.98702, -156644.937061, 4353623.158575),
    ),
    "SCOA": dict(
        obs=D / "SCOA00FRA_R_20261201000_02H_30S_MO.rnx",
        nav=[D / "BRDC00WRD_R_20261200800_06H_MN.rnx"],
        sp3=[D / "IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3"],
        clk=[D / "IGS0OPSFIN_2026120095930_02H01M_30S_CLK.CLK"],
        atx=D / "igs20_pasa_scoa_gps.atx",
        systems="G",
        truth=(4639940.429559, -136224.81156, 4359552.50278),
    ),
    "ZIM2": dict(
        obs=E / "ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx",
        nav=[],
        sp3=[E / "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3"],
        clk=[E / "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK"],
        atx=E / "igs20_zim2_gps_trim.atx",
        bias=ZIM2_OSB,
        systems="G",
        truth=(4331299.584, 567537.709, 4633133.967),
    ),
}
TARGETS = {  # issue 14: (static H, static V, kinematic H RMS, kinematic V RMS), m
    "WTZR": (0.02, 0.04, None, None),
    "PASA": (0.03, 0.05, 0.05, 0.10),
    "SCOA": (0.03, 0.05, 0.05, 0.10),
    "ZIM2": (0.03, None, None, None),
}


# ----------------------------------------------------------------------------------------------
# kompas


def shared_tables():
    from kompas.io.readers.blq import read_blq
    from kompas.io.readers.gpt3 import read_gpt3_grid
    from kompas.io.readers.satmeta import read_satellite_catalog

    svb = [MODELS / f"gpsppp.svb_{s}_yrly" for s in ("gps", "gln", "gal", "bei")]
    return dict(
        blq=read_blq(MODELS / "OceanLoading_GOT47_raPPPid.blq"),
        gpt3=read_gpt3_grid(MODELS / "gpt3_5.grd"),
        catalog=read_satellite_catalog(pride=MODELS / "sat_parameters_PRIDE.txt", svb=svb),
    )


def kompas_inputs(case: dict, tables: dict, bias=None) -> dict:
    import kompas

    b = bias if bias is not None else case.get("bias")
    return dict(
        obs=kompas.read_obs(case["obs"]),
        nav=[kompas.read_nav(p) for p in case["nav"]] or None,
        sp3=[kompas.read_sp3(p) for p in case["sp3"]],
        clk=[kompas.read_clk(p) for p in case["clk"]],
        antex=kompas.read_antex(case["atx"]),
        bias=kompas.read_bias(b) if b else None,
        **tables,
    )


def run_kompas(inputs: dict, **options):
    from kompas.ppp import ppp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        sol = ppp(**inputs, **options)
    return sol, time.perf_counter() - t


def errors(pos, truth, kinematic: bool):
    """(H, V) of the last epoch (static) or the RMS of the last 60 epochs (kinematic), m."""
    from kompas.frames import ecef_to_enu

    pos = np.asarray(pos, dtype=float)
    ok = np.isfinite(pos).all(axis=1)
    if not ok.any():
        return np.nan, np.nan
    enu = ecef_to_enu(pos[ok], np.asarray(truth, dtype=float))
    if not kinematic:
        return float(np.hypot(*enu[-1, :2])), float(abs(enu[-1, 2]))
    tail = enu[-60:]
    return float(np.sqrt(np.mean(np.sum(tail[:, :2] ** 2, 1)))), float(np.sqrt(np.mean(tail[:, 2] ** 2)))


# ----------------------------------------------------------------------------------------------
# RTKLIB


def rtklib_conf(path: Path, case: dict, kinematic: bool, atx: Path, systems: str, delta_h: float) -> None:
    """The PPP settings of RTKLIB-ANCHORS.md."""
    navsys = sum(NAVSYS[c] for c in systems)
    path.write_text(
        f"pos1-posmode={'ppp-kine' if kinematic else 'ppp-static'}\npos1-frequency=l1+2\npos1-elmask=10\n"
        "pos1-ionoopt=dual-freq\npos1-tropopt=est-ztd\npos1-sateph=precise\npos1-posopt1=on\npos1-posopt2=on\n"
        f"pos1-posopt3=on\npos1-posopt5=on\npos2-armode=off\npos1-navsys={navsys}\n"
        f"file-satantfile={atx}\nfile-rcvantfile={atx}\nant1-anttype=*\nant1-antdelu={delta_h}\n"
        "out-solformat=xyz\n"
        + "".join(f"{k}={v}\n" for k, v in case.get("rtklib", {}).get("conf", {}).items())
    )


def plain_copy(path: Path, tmp: Path) -> Path:
    """A decompressed copy (RINEX for Hatanaka) for RTKLIB."""
    from kompas.io import read_bytes

    out = tmp / path.name.replace(".gz", "").replace(".crx", ".rnx")
    if not out.exists():
        out.write_bytes(read_bytes(path))
    return out


def run_rtklib(exe, case: dict, kinematic: bool, tmp: Path, delta_h: float, window=None):
    """Positions (N, 3) and wall time of one RTKLIB run; (empty, time) when it gives no solution.
    ``window``: (start, end) ISO times given to rnx2rtkp as ``-ts``/``-te``."""
    if exe is None:
        return np.zeros((0, 3)), np.nan
    rk = case.get("rtklib", {})
    systems = rk.get("systems", case["systems"])
    conf = tmp / "ppp.conf"
    rtklib_conf(conf, case, kinematic, case["atx"], systems, delta_h)
    sp3 = [rk["sp3"]] if "sp3" in rk else case["sp3"]
    files = [plain_copy(Path(p), tmp) for p in [case["obs"], *case["nav"], *sp3, *case["clk"]]]
    out = tmp / "out.pos"
    out.unlink(missing_ok=True)
    t = time.perf_counter()
    span = [] if window is None else [a for f, t in zip(("-ts", "-te"), window, strict=True)
                                      for a in (f, *t.replace("-", "/").split("T"))]  # fmt: skip
    subprocess.run([exe, "-k", str(conf), *span, "-o", str(out), *map(str, files)], capture_output=True)
    dt = time.perf_counter() - t
    if not out.exists():
        return np.zeros((0, 3)), dt
    rows = [ln.split()[2:5] for ln in out.read_text().splitlines() if ln and not ln.startswith("%")]
    return np.array(rows, dtype=float).reshape(-1, 3), dt


def header_delta_h(obs) -> float:
    """The antenna height of an observation file's header, m: of an ObsTable already read, or of a path."""
    import kompas

    table = kompas.read_obs(obs) if isinstance(obs, str | os.PathLike) else obs
    return float(table.station.antenna_delta_hen_m[0])


# ----------------------------------------------------------------------------------------------
# sections


def _fmt(h, v) -> str:
    return "no solution" if not np.isfinite(h) else f"{100 * h:.1f} / {100 * v:.1f}"


def _met(h, v, th, tv) -> str:
    if not np.isfinite(h):
        return "-"
    ok = (th is None or h <= th) and (tv is None or v <= tv)
    return "met" if ok else "not met"


def _variants(name: str) -> list[tuple[str, dict, object]]:
    """kompas runs of a case: (label, options, bias file)."""
    if name in ("PASA", "SCOA"):
        return [
            ("kompas", {}, None),
            ("kompas + code OSB of 2026-133 (13 d later)", {"bias_max_age_days": 14.0}, ZIM2_OSB),
            ("kompas + code OSB, gradients on", {"bias_max_age_days": 14.0, "gradients": "on"}, ZIM2_OSB),
        ]
    if name == "ZIM2":
        return [
            ("kompas (CODE OSB)", {}, None),
            ("kompas (CODE OSB) + AR wl+nl", {"resolution": "wl+nl"}, None),
            ("kompas, no bias file", {}, ""),
        ]
    return [("kompas", {}, None), ("kompas, uncombined", {"observables": "uncombined"}, None)]


def section_accuracy(only, tables, exes, tmp) -> None:
    print("\n## Accuracy (issue 14 cases)\n")
    print("| case | mode | solver | H / V (cm) | time (s) | target H / V (cm) | target |")
    print("|---|---|---|---|---|---|---|")
    for name, case in CASES.items():
        if only and name not in only:
            continue
        th, tv, kh, kv = TARGETS[name]
        dh = header_delta_h(case["obs"])
        for kin in (False, True):
            if kin and kh is None:
                continue
            mode = "kinematic (RMS last 30 min)" if kin else "static (last epoch)"
            t_h, t_v = (kh, kv) if kin else (th, tv)
            target = f"{100 * t_h:.0f} / {'-' if t_v is None else f'{100 * t_v:.0f}'}"
            for label, opts, bias in _variants(name):
                inp = kompas_inputs(case, tables, bias if bias is not None else None)
                if bias == "":
                    inp["bias"] = None
                sol, dt = run_kompas(
                    inp, systems=case["systems"], mode="kinematic" if kin else "static", **opts
                )
                h, v = errors(sol.pos_m, case["truth"], kin)
                if "nl_fixed" in sol.states:
                    n_fix = int((sol.quality == 1).sum())
                    label += (f" ({n_fix} epochs fixed; last epoch: {int(sol.states['wl_fixed'][-1])} wide "
                              f"lanes, {int(sol.states['nl_fixed'][-1])} narrow lanes fixed)")  # fmt: skip
                print(
                    f"| {name} | {mode} | {label} | {_fmt(h, v)} | {dt:.2f} | {target} | {_met(h, v, t_h, t_v)} |"
                )
            runs = [(label, case) for label in exes]
            if name == "WTZR":  # also with the satellite offsets kompas applies and the solid tide
                like = dict(case, atx=completed_antex(inp, tmp, case["atx"])[0],
                            rtklib=dict(case["rtklib"], conf={"pos1-tidecorr": 1}))  # fmt: skip
                runs += [
                    (f"{label}, ANTEX completed with kompas's offsets, solid tide", like) for label in exes
                ]
            for exe_label, rcase in runs:
                pos, dt = run_rtklib(exes[exe_label.split(",")[0]], rcase, kin, tmp, dh)
                h, v = errors(pos, case["truth"], kin) if len(pos) else (np.nan, np.nan)
                why = " (no navigation file in set E)" if not case["nav"] else ""
                print(
                    f"| {name} | {mode} | {exe_label}{why} | {_fmt(h, v)} | {dt:.2f} | {target} | {_met(h, v, t_h, t_v)} |"
                )
            sys.stdout.flush()


ESBC = dict(
    obs=A / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz",
    nav=[A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"],
    sp3=[
        A / "GRG0MGXFIN_20201760000_01D_15M_ORB.SP3.gz",
        A / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz",
        A / "COD0MGXFIN_20201770000_01D_05M_ORB.SP3",
    ],
    clk=[A / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"],
    atx=A / "igs20_wettzell_trim.atx",
    systems="GREC",
    rtklib=dict(sp3=A / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz", systems="GRE"),
)


def section_esbc(tables, exes, tmp) -> None:
    """Daily static ESBC against RTKLIB's daily PPP, and the repeatability of one-hour sessions."""
    from kompas.frames import ecef_to_enu

    print("\n## ESBC 2020-06-25, 24 h static\n")
    inp = kompas_inputs(ESBC, tables)
    sol, dt = run_kompas(inp, systems="GREC")
    daily = sol.pos_m[np.flatnonzero(sol.ok)[-1]]
    sd = np.sqrt(np.diag(sol.cov_enu_m2()[np.flatnonzero(sol.ok)[-1]])) * 100
    print(
        f"kompas daily (G+R+E+C, {dt:.1f} s): {daily[0]:.4f} {daily[1]:.4f} {daily[2]:.4f} m, "
        f"sigma E/N/U {sd[0]:.1f} {sd[1]:.1f} {sd[2]:.1f} cm\n"
    )
    print("| reference | dE (cm) | dN (cm) | dU (cm) | H (cm) |")
    print("|---|---|---|---|---|")
    dh = header_delta_h(inp["obs"])  # the day's file read once
    for label, exe in exes.items():
        pos, _ = run_rtklib(exe, ESBC, False, tmp, dh)
        if len(pos) == 0:
            print(f"| {label} (G+R+E, GRG SP3+CLK) | no solution | | | |")
            continue
        d = ecef_to_enu(daily, pos[-1]) * 100
        print(
            f"| kompas - {label} (G+R+E, GRG SP3+CLK) | {d[0]:+.1f} | {d[1]:+.1f} | {d[2]:+.1f} | {np.hypot(d[0], d[1]):.1f} |"
        )
    _esbc_consistency(inp, daily, exes, tmp, dh)
    _esbc_like_for_like(inp, exes, tmp, dh)
    _esbc_systems(inp, daily)
    print("\nOne-hour sessions (kompas, static G+R+E+C), final position of each against the daily one:\n")
    obs = inp["obs"]
    hours = []
    for k in range(24):
        t0 = np.datetime64("2020-06-25T00:00:00") + np.timedelta64(k, "h")
        window = dict(start=str(t0), end=str(t0 + np.timedelta64(3570, "s")))
        s, _ = run_kompas(dict(inp, obs=obs), systems="GREC", **window)
        if s.ok.any():
            hours.append(ecef_to_enu(s.pos_m[np.flatnonzero(s.ok)[-1]], daily) * 100)
    hours = np.array(hours)
    print("| sessions | mean dE dN dU (cm) | std dE dN dU (cm) | RMS H / V (cm) | max H / V (cm) |")
    print("|---|---|---|---|---|")
    h = np.hypot(hours[:, 0], hours[:, 1])
    print(
        f"| {len(hours)} | {' '.join(f'{x:+.1f}' for x in hours.mean(0))} | "
        f"{' '.join(f'{x:.1f}' for x in hours.std(0))} | {np.sqrt(np.mean(h**2)):.1f} / "
        f"{np.sqrt(np.mean(hours[:, 2] ** 2)):.1f} | {h.max():.1f} / {np.abs(hours[:, 2]).max():.1f} |"
    )


def completed_antex(inp, tmp: Path, src: Path) -> tuple[Path, list[str]]:
    """``src`` completed with the nominal offsets kompas applies to the G/R/E satellites it lacks
    (:func:`kompas.io.writers.antex.complete_antex`): the file and the satellites added."""
    from kompas.io import read_text
    from kompas.io.writers.antex import complete_antex
    from kompas.satsys import sat_id

    obs = inp["obs"]
    out = tmp / f"completed_{src.name}"
    # the systems RTKLIB runs: BeiDou-2's offsets follow the products' antenna model in kompas (ppp.py)
    sats = [sid for sid in (sat_id(int(s)) for s in np.unique(obs.sat)) if sid[0] in "GRE"]
    t = obs.epoch_time_ns[obs.n_epochs // 2]
    return out, complete_antex(read_text(src), inp["antex"], inp["catalog"], sats, t, out)


def _minus_cells(mine: dict, theirs) -> str:
    """Table cells of each kompas position of ``mine`` minus ``theirs``: dE dN dU and H, cm."""
    from kompas.frames import ecef_to_enu

    cells = []
    for pos in mine.values():
        d = ecef_to_enu(pos, theirs) * 100
        cells.append(f"{d[0]:+.1f} {d[1]:+.1f} {d[2]:+.1f}, {np.hypot(d[0], d[1]):.1f}")
    return " | ".join(cells)


def _esbc_like_for_like(inp, exes, tmp, dh) -> None:
    """RTKLIB (solid tide on) given the ANTEX completed with kompas's nominal satellite offsets, against kompas
    as always (the trimmed file and its catalog's offsets): the comparison without the satellite antenna
    model RTKLIB lacks for 60 of the satellites."""
    import kompas
    from kompas.frames import ecef_to_enu

    atx, added = completed_antex(inp, tmp, ESBC["atx"])
    print(f"\n(ANTEX completed with {len(added)} satellites: {', '.join(added)})")
    mine = {}
    for systems in ("GREC", "GRE", "G"):
        sol, _ = run_kompas(inp, systems=systems)  # as always: the trimmed file and the catalog's offsets
        mine[systems] = sol.pos_m[np.flatnonzero(sol.ok)[-1]]
    full, _ = run_kompas(dict(inp, antex=kompas.read_antex(atx)), systems="GREC")
    d = ecef_to_enu(full.pos_m[np.flatnonzero(full.ok)[-1]], mine["GREC"]) * 1000
    print(f"(kompas G+R+E+C given the completed file moves by {' '.join(f'{x:+.1f}' for x in d)} mm E/N/U)")
    print("\nRTKLIB given the ANTEX completed with kompas's nominal satellite offsets, and the solid tide "
          "(kompas minus RTKLIB, dE dN dU cm, H):\n")  # fmt: skip
    print("| RTKLIB run | kompas G+R+E+C | kompas G+R+E | kompas G |")
    print("|---|---|---|---|")
    for label, exe in exes.items():
        for name, systems in (("G+R+E", "GRE"), ("G", "G")):
            case = dict(
                ESBC, atx=atx, rtklib=dict(ESBC["rtklib"], systems=systems, conf={"pos1-tidecorr": 1})
            )
            pos, _ = run_rtklib(exe, case, False, tmp, dh)
            if not len(pos):
                print(f"| {label} {name} | no solution | | |")
                continue
            print(f"| {label} {name}, solid tide | {_minus_cells(mine, pos[-1])} |")


def _esbc_systems(inp, daily) -> None:
    """Each system alone against the G+R+E+C day; BeiDou also without the BeiDou-2 code corrections and with
    GPSPACE's BeiDou-2 offsets instead of those of the products' igs14 model. The mean ionosphere-free code
    residuals of the BeiDou-2 IGSO and MEO satellites tell which offsets the clocks are consistent with; the
    RMS of all BeiDou-2 code residuals shows the code corrections."""
    import importlib

    from kompas.frames import ecef_to_enu
    from kompas.satsys import sat_id

    ppp_module = importlib.import_module("kompas.ppp")
    print("\nEach system alone, 24 h static, against the G+R+E+C day:\n")
    print(
        "| systems | dE dN dU (cm) | H (cm) | BeiDou-2 IGSO - MEO mean code residual (m) | BeiDou-2 code RMS (m) |"
    )
    print("|---|---|---|---|---|")
    keep = ppp_module._conventional_offsets
    for label, systems, gpspace, opts in (
        ("G", "G", False, {}), ("R", "R", False, {}), ("E", "E", False, {}), ("C", "C", False, {}),
        ("C, without the BeiDou-2 code corrections", "C", False, {"bds2_code": False}),
        ("C, GPSPACE's BeiDou-2 offsets", "C", True, {}),
    ):  # fmt: skip
        if gpspace:
            ppp_module._conventional_offsets = lambda catalog, precise, notes: catalog
        try:
            sol, _ = run_kompas(inp, systems=systems, **opts)
        finally:
            ppp_module._conventional_offsets = keep
        d = ecef_to_enu(sol.pos_m[np.flatnonzero(sol.ok)[-1]], daily) * 100
        split = ""
        if "C" in systems:
            r = sol.residuals
            ids = np.array([sat_id(int(x)) for x in r["sat"]])
            code = (r["kind"] == 1) & (r["time_ns"] > r["time_ns"].min() + 2 * 3600 * 10**9)
            igso = code & np.isin(ids, ["C06", "C07", "C08", "C09", "C13", "C16"])
            meo = code & np.isin(ids, ["C11", "C12", "C14"])
            both = r["residual_m"][igso | meo]
            split = f"{r['residual_m'][igso].mean() - r['residual_m'][meo].mean():+.2f} | {np.sqrt(np.mean(both**2)):.2f}"
        else:
            split = " | "
        print(f"| {label} | {d[0]:+.1f} {d[1]:+.1f} {d[2]:+.1f} | {np.hypot(d[0], d[1]):.1f} | {split} |")


def _esbc_consistency(inp, daily, exes, tmp, dh) -> None:
    """How far RTKLIB's own daily solutions move with its settings: the systems used (G or G+R+E) and the
    solid tide (the anchors' configuration leaves ``pos1-tidecorr`` at its default, off)."""
    from kompas.frames import ecef_to_enu

    sol_g, _ = run_kompas(inp, systems="G")
    # RTKLIB's satellite antenna model with this ANTEX: offsets for 9 GPS satellites, none for the others
    sol_na, _ = run_kompas(inp, systems="GRE", sat_antenna=False)
    mine = {
        "G+R+E+C": daily,
        "G": sol_g.pos_m[np.flatnonzero(sol_g.ok)[-1]],
        "GRE-no-sat-ant": sol_na.pos_m[np.flatnonzero(sol_na.ok)[-1]],
    }
    print("\nThe same day, RTKLIB with the solid tide on (`pos1-tidecorr=1`) and with GPS alone:\n")
    print(
        "| RTKLIB run | kompas G+R+E+C - it: dE dN dU (cm), H | kompas G - it | kompas G+R+E, satellite antennas "
        "off - it | it - the same RTKLIB G+R+E, solid tide |"
    )
    print("|---|---|---|---|---|")
    for label, exe in exes.items():
        runs = {}
        for name, systems, conf in (("G+R+E, tides off (anchors)", "GRE", {}),
                                    ("G+R+E, solid tide", "GRE", {"pos1-tidecorr": 1}),
                                    ("G, solid tide", "G", {"pos1-tidecorr": 1})):  # fmt: skip
            case = dict(ESBC, rtklib=dict(ESBC["rtklib"], systems=systems, conf=conf))
            pos, _ = run_rtklib(exe, case, False, tmp, dh)
            if len(pos):
                runs[name] = pos[-1]
        base = runs.get("G+R+E, solid tide")
        for name, pos in runs.items():
            cells = []
            for ref, other in (
                (pos, mine["G+R+E+C"]),
                (pos, mine["G"]),
                (pos, mine["GRE-no-sat-ant"]),
                (base, pos),
            ):
                d = ecef_to_enu(other, ref) * 100
                cells.append(f"{d[0]:+.1f} {d[1]:+.1f} {d[2]:+.1f}, {np.hypot(d[0], d[1]):.1f}")
            print(f"| {label} {name} | {' | '.join(cells)} |")


LITERATURE = {
    "solid_tide": "radial up to 30 cm, horizontal up to 5 cm (IERS Conventions 2010 7.1.1; Kouba 2015); the "
    "daily mean is the permanent tide, -12 cm (poles) to +6 cm (equator) radial",
    "ocean_loading": "an order of magnitude below the solid tide: up to ~5 cm vertical at coastal sites, "
    "mm inland (Kouba 2015; IERS 7.1.2)",
    "rcv_antenna": "the antenna's PCO: 5-20 cm up for geodetic antennas (ANTEX)",
    "sat_antenna": "z offsets 0.5-2.6 m (GPS) mostly enter the clocks; cm to dm in the position (Schmid et al. 2007)",
    "windup": "up to half a cycle in range (~10 cm IF), dm in the position if ignored (Wu et al. 1993; "
    "Kouba & Heroux 2001)",
    "relativity": "up to 23 ns (7 m) in range for GPS (IS-GPS-200N 20.3.3.3.3.1): metres in the position",
    "shapiro": "13-19 mm in range, nearly common to all satellites: mm in the position (IERS 2010 eq. 11.17)",
    "tropo": "ZHD of a standard atmosphere vs GPT3: 1-2 cm in zenith, mm to cm in height; GMF vs Niell: "
    "mm in height (Boehm et al. 2006: NMF's height biases of up to ~1 cm at some latitudes)",
    "attitude": "only eclipsing/noon-turning satellites: mm to cm (Kouba 2009)",
    "gradients": "gradients of ~1 mm: mm to cm horizontal over short sessions",
}

MODEL_RUNS = [  # (case, label, options): each off (or changed) against the default run of the case
    ("WTZR", "solid_tide", {"solid_tide": False}),
    ("WTZR", "ocean_loading", {"ocean_loading": False}),
    ("WTZR", "rcv_antenna", {"rcv_antenna": False}),
    ("WTZR", "sat_antenna", {"sat_antenna": False}),
    ("WTZR", "windup", {"windup": False}),
    ("WTZR", "relativity", {"relativity": False}),
    ("WTZR", "shapiro", {"shapiro": False}),
    ("WTZR", "tropo", {"tropo": "saas"}),
    ("WTZR", "tropo", {"tropo": "saas", "mapping": "niell"}),
    ("WTZR", "attitude", {"attitude": "nominal"}),
    ("WTZR", "gradients", {"gradients": "on"}),
    ("SCOA", "ocean_loading", {"ocean_loading": False}),
    ("SCOA", "solid_tide", {"solid_tide": False}),
]


def expected_shift(name: str, case: dict, sol, inputs) -> str:
    """The shift the model itself predicts for switching it off (sign check), ENU cm, or ''."""
    from kompas.frames import ecef_to_enu, enu_rotation
    from kompas.models.ephemeris import moon_position_ecef, sun_position_ecef
    from kompas.models.ocean_loading import ocean_loading_enu
    from kompas.models.tides import solid_earth_tide

    truth = np.asarray(case["truth"], float)
    t = sol.time_ns[sol.ok]
    llh = sol.llh()[np.flatnonzero(sol.ok)[-1]]
    rot = enu_rotation(llh[0], llh[1])
    if name == "solid_tide":
        d = solid_earth_tide(
            np.broadcast_to(truth, (t.size, 3)), sun_position_ecef(t), moon_position_ecef(t), t
        )
        return "mean of the tide: " + " ".join(f"{x:+.1f}" for x in (d @ rot.T).mean(0) * 100)
    if name == "ocean_loading":
        c = inputs["blq"].station(case["obs"].name[:4])
        return "mean of the loading: " + " ".join(
            f"{x:+.1f}" for x in ocean_loading_enu(c.amplitude_m, c.phase_rad, t).mean(0) * 100
        )
    if name == "rcv_antenna":
        ant = inputs["antex"].receiver(inputs["obs"].station.antenna_type)
        f1, f2 = 1575.42e6, 1227.60e6
        g1 = f1**2 / (f1**2 - f2**2)
        up = g1 * ant.freqs["G01"].pco_m[2] + (1 - g1) * ant.freqs["G02"].pco_m[2]
        return f"+{100 * up:.1f} up (GPS L1/L2 IF PCO)"
    del ecef_to_enu
    return ""


def section_models(tables) -> None:
    from kompas.frames import ecef_to_enu

    print("\n## Each model switched off (final static position, off minus on)\n")
    print("| case | model | dE dN dU (cm) | the model's own prediction (cm) | literature |")
    print("|---|---|---|---|---|")
    base = {}
    for case_name, label, opts in MODEL_RUNS:
        case = CASES[case_name]
        extra = {"bias_max_age_days": 14.0} if case_name in ("PASA", "SCOA") else {}
        bias = ZIM2_OSB if extra else None
        if case_name not in base:
            inp = kompas_inputs(case, tables, bias)
            sol, _ = run_kompas(inp, systems=case["systems"], **extra)
            base[case_name] = (inp, sol)
        inp, sol = base[case_name]
        off, _ = run_kompas(inp, systems=case["systems"], **extra, **opts)
        k = np.flatnonzero(sol.ok & off.ok)[-1]
        d = ecef_to_enu(off.pos_m[k], sol.pos_m[k]) * 100
        print(
            f"| {case_name} | {label} {'off' if False in opts.values() else str(opts)} | "
            f"{d[0]:+.1f} {d[1]:+.1f} {d[2]:+.1f} | {expected_shift(label, case, sol, inp)} | {LITERATURE[label]} |"
        )
        sys.stdout.flush()
    section_models_day(tables)
    section_tide_day(tables)


def section_models_day(tables) -> None:
    """Models whose effect shows over a day rather than an hour (ESBC 24 h static G+R+E+C)."""
    from kompas.frames import ecef_to_enu

    inp = kompas_inputs(ESBC, tables)
    base, _ = run_kompas(inp, systems="GREC")
    for label, opts in (("windup", {"windup": False}), ("attitude", {"attitude": "nominal"}),
                        ("sat_antenna", {"sat_antenna": False}), ("shapiro", {"shapiro": False})):  # fmt: skip
        off, _ = run_kompas(inp, systems="GREC", **opts)
        d = ecef_to_enu(off.pos_m[-1], base.pos_m[-1]) * 100
        what = "off" if False in opts.values() else str(opts)
        print(
            f"| ESBC 24 h | {label} {what} | {d[0]:+.1f} {d[1]:+.1f} {d[2]:+.1f} |  | {LITERATURE[label]} |"
        )
        sys.stdout.flush()


def section_tide_day(tables) -> None:
    """ESBC 24 h kinematic with and without the solid tide: the difference follows the tide."""
    from kompas.frames import enu_rotation
    from kompas.models.ephemeris import moon_position_ecef, sun_position_ecef
    from kompas.models.tides import solid_earth_tide

    inp = kompas_inputs(ESBC, tables)
    on, _ = run_kompas(inp, systems="GREC", mode="kinematic", interval_s=300.0)
    off, _ = run_kompas(inp, systems="GREC", mode="kinematic", interval_s=300.0, solid_tide=False)
    ok = on.ok & off.ok
    llh = on.llh()[np.flatnonzero(ok)[-1]]
    rot = enu_rotation(llh[0], llh[1])
    d = (off.pos_m[ok] - on.pos_m[ok]) @ rot.T
    t = on.time_ns[ok]
    tide = solid_earth_tide(on.pos_m[ok], sun_position_ecef(t), moon_position_ecef(t), t) @ rot.T
    late = t >= t[0] + int(3 * 3600e9)  # after convergence
    corr = np.corrcoef(d[late, 2], tide[late, 2])[0, 1]
    print(
        f"\nESBC 24 h kinematic (5-min epochs, G+R+E+C), solid tide off minus on, after the first 3 h: vertical "
        f"range {100 * np.ptp(d[late, 2]):.1f} cm (the tide's own vertical range {100 * np.ptp(tide[late, 2]):.1f} "
        f"cm), correlation with the tide {corr:+.3f}, RMS of the difference minus the tide "
        f"{100 * np.sqrt(np.mean((d[late, 2] - tide[late, 2]) ** 2)):.1f} cm."
    )


def section_speed(exes, tmp) -> None:
    """Whole process wall time, ESBC 24 h static G+R+E+C, best of two runs each."""
    print("\n## Speed: ESBC 24 h at 30 s, static PPP\n")
    print("| program | systems | wall time (s), best of 2 |")
    print("|---|---|---|")
    args = [
        sys.executable,
        "-m",
        "kompas",
        "ppp",
        str(ESBC["obs"]),
        *map(str, ESBC["nav"]),
        "--sp3",
        *map(str, ESBC["sp3"]),
        "--clk",
        *map(str, ESBC["clk"]),
        "--atx",
        str(ESBC["atx"]),
        "--blq",
        str(MODELS / "OceanLoading_GOT47_raPPPid.blq"),
        "--gpt3",
        str(MODELS / "gpt3_5.grd"),
        "--sat-table",
        str(MODELS / "sat_parameters_PRIDE.txt"),
        "--systems",
        "GREC",
        "-o",
        str(tmp / "k.pos"),
    ]
    best = min(_timed(args) for _ in range(2))
    print(f"| kompas ppp (reading every file included) | G+R+E+C | {best:.2f} |")
    dh = header_delta_h(ESBC["obs"])
    for label, exe in exes.items():
        case = dict(ESBC, rtklib=dict(systems="GREC"))
        times = [run_rtklib(exe, case, False, tmp, dh)[1] for _ in range(2)]
        print(f"| {label} | G+R+E+C (COD+GRG SP3, GRG CLK) | {min(times):.2f} |")


G_SET = DATA / "G_2021-118_SLAC_rinex2"
SLAC = dict(
    obs=G_SET / "slac1180.21o", nav=[G_SET / "brdc1180.21n"], sp3=[G_SET / "COD0MGXFIN_20211180000_01D_05M_ORB.SP3"],
    clk=[G_SET / "COD0MGXFIN_20211180000_01D_30S_CLK.CLK"], atx=DATA / "antex" / "igs14_small.atx.gz",
    systems="GRE", window=("2021-04-28T19:30:00", "2021-04-28T20:30:00"),
)  # fmt: skip


def section_slac(tables, exes, tmp) -> None:
    """SLAC static over the clock file's hour: kompas G, G+E, G+R+E against each RTKLIB run (no truth)."""
    import kompas
    from kompas.frames import ecef_to_enu

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the trimmed igs14 file has blocks without END OF ANTENNA
        inp = kompas_inputs(SLAC, tables)
        atx, added = completed_antex(inp, tmp, SLAC["atx"])
        inp = dict(inp, antex=kompas.read_antex(atx))
    t0, t1 = SLAC["window"]
    print(f"\nSLAC, {t0} - {t1}, static; ANTEX completed with {len(added)} satellites for every program")
    mine = {}
    for systems in ("G", "GE", "GRE"):
        sol, _ = run_kompas(inp, systems=systems, start=t0, end=t1)
        ok = np.flatnonzero(sol.ok)
        mine[systems] = sol.pos_m[ok[-1]]
        sats = ", ".join(f"{k} {v[ok].mean():.1f}" for k, v in sol.nsat_by_system.items())
        print(f"kompas {systems}: {ok.size} epochs solved, satellites per epoch {sats}")
    for k in ("GE", "GRE"):
        d = ecef_to_enu(mine[k], mine["G"]) * 100
        print(f"kompas {k} minus kompas G (cm E/N/U): {d[0]:+.1f} {d[1]:+.1f} {d[2]:+.1f}")
    dh = header_delta_h(inp["obs"])
    print("\n| RTKLIB run | epochs | kompas G | kompas G+E | kompas G+R+E |\n|---|---|---|---|---|")
    for label, exe in exes.items():
        for name, systems in (("G", "G"), ("G+E", "GE"), ("G+R+E", "GRE")):
            case = dict(SLAC, atx=atx, rtklib=dict(systems=systems, conf={"pos1-tidecorr": 1}))
            pos, _ = run_rtklib(exe, case, False, tmp, dh, window=(t0, t1))
            if not len(pos):
                print(f"| {label} {name} | no solution | | | |")
                continue
            print(f"| {label} {name} | {len(pos)} | {_minus_cells(mine, pos[-1])} |")
    print("(cells: kompas minus RTKLIB at the last epoch, dE dN dU cm, H)")


def _timed(args) -> float:
    t = time.perf_counter()
    subprocess.run(args, capture_output=True, check=True)
    return time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated cases of the accuracy section")
    ap.add_argument("--sections", default="accuracy,esbc,models,speed,slac")
    ap.add_argument("--rtklib-ex", default="/work/rtklib-ex/bin/rnx2rtkp-ex")
    args = ap.parse_args(argv)
    print(ensure_bytecode())
    exes = {"RTKLIB 2.4.3": shutil.which("rnx2rtkp")}
    if args.rtklib_ex and Path(args.rtklib_ex).exists():
        exes["RTKLIB-EX"] = args.rtklib_ex
    exes = {k: v for k, v in exes.items() if v}
    tmp = Path(tempfile.mkdtemp(prefix="kompas-ppp-"))
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d')}; RTKLIB: {', '.join(exes) or 'none'}"
    )
    tables = shared_tables()
    only = set(args.only.split(",")) if args.only else None
    sections = args.sections.split(",")
    if "accuracy" in sections:
        section_accuracy(only, tables, exes, tmp)
    if "esbc" in sections:
        section_esbc(tables, exes, tmp)
    if "models" in sections:
        section_models(tables)
    if "speed" in sections:
        section_speed(exes, tmp)
    if "slac" in sections:
        section_slac(tables, exes, tmp)
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
