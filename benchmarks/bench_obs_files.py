"""Benchmark: a station's day in 15-minute or hourly files, read as one session, beside the day's file.

    python benchmarks/bench_obs_files.py [--repeat N] [--keep DIR]

ESBC's day of set A (30 s, every system) is written by kompas's RINEX 3.05 writer as one file, as 96
15-minute files and as 24 hourly files that each also hold the next hour's first epoch (as some archives
cut them: 23 epochs repeated at the joins). Printed:

- reading: ``kompas.read_obs`` of the day's file against ``kompas.read_obs_files`` of the parts (CPU time,
  best of N), and whether the tables are identical;
- whole processes: ``kompas spp FILE NAV`` against ``kompas spp 'PATTERN' NAV`` (wall time, best of N), and
  whether the .pos solution lines are identical; RTKLIB 2.4.3's ``rnx2rtkp`` on the same files, the parts
  given as a wildcard as its manual allows, when it is installed (its solution lines compared the same way).

``--ppp``: why sessions are joined (``kompas batch --join-sessions``). Static GPS PPP (IGS SP3 and clocks,
ANTEX, the defaults otherwise) of ZIM2's hour (set E) and PASA's two hours (set D) cut into 15-minute
parts: each part alone against the session read as one; horizontal / vertical error of the last epoch
against the MANIFEST truth, cm.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
A = DATA / "A_2020-177_ESBC_WTZR"
FIELDS = ("time_ns", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli", "ssi",
          "epoch_time_ns", "epoch_offsets", "epoch_flag", "epoch_clock_s")  # fmt: skip


def write_parts(obs, folder: Path, epochs: int, repeat_next: bool, stem: str) -> str:
    from kompas.io.writers.rinex_obs import write_obs

    n = obs.n_epochs
    for i, a in enumerate(range(0, n, epochs)):
        write_obs(obs.epochs(a, min(n, a + epochs + int(repeat_next))), folder / f"{stem}_{i:03d}.rnx")
    return str(folder / f"{stem}_*.rnx")


def best(fn, repeat: int, clock=time.process_time) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = clock()
        out = fn()
        times.append(clock() - t0)
    return min(times), out


def rows(path: Path) -> list[str]:
    return [ln for ln in path.read_text().splitlines() if not ln.startswith("%")]


def run(cmd: list[str], repeat: int) -> float:
    def once():
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return best(once, repeat, time.perf_counter)[0]


def _last_error(table, nav, inputs, truth) -> str:
    """Static PPP of ``table``: horizontal / vertical error of its last solved epoch, cm."""
    import kompas
    from kompas.frames import ecef_to_enu

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = kompas.ppp(table, nav, **inputs)
    enu = ecef_to_enu(sol.pos_m[np.flatnonzero(sol.ok)[-1]], truth) * 100
    return f"{np.hypot(enu[0], enu[1]):.1f} / {abs(enu[2]):.1f}"


def ppp_parts() -> None:
    from bench_ppp import CASES

    import kompas

    for name in ("ZIM2", "PASA"):
        c = CASES[name]
        obs = kompas.read_obs(c["obs"])
        inputs = dict(sp3=[kompas.read_sp3(p) for p in c["sp3"]], clk=[kompas.read_clk(p) for p in c["clk"]],
                      antex=kompas.read_antex(c["atx"]), systems=c["systems"], mode="static")  # fmt: skip
        nav = [kompas.read_nav(p) for p in c["nav"]] or None
        truth = np.array(c["truth"])
        parts = [_last_error(obs.epochs(a, a + 30), nav, inputs, truth) for a in range(0, obs.n_epochs, 30)]
        joined = _last_error(obs, nav, inputs, truth)
        print(f"{name}: 15-minute parts alone (H / V cm): {', '.join(parts)}; joined: {joined}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="write the files here (default: a temporary folder)")
    ap.add_argument("--ppp", action="store_true", help="only the PPP of 15-minute parts against the session")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    if args.ppp:
        ppp_parts()
        return 0
    import kompas
    from kompas.io.writers.rinex_obs import write_obs

    folder = args.keep or Path(tempfile.mkdtemp(prefix="kompas_obs_files_"))
    folder.mkdir(parents=True, exist_ok=True)
    obs = kompas.read_obs(A / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz")
    nav = str(A / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    day = folder / "ESBC_day.rnx"
    write_obs(obs, day)
    cases = {
        "96 files of 15 min": write_parts(obs, folder, 30, False, "ESBC15M"),
        "24 hourly files, next hour's first epoch repeated": write_parts(obs, folder, 120, True, "ESBC01H"),
    }
    kompas_bin = shutil.which("kompas") or "kompas"
    rnx2rtkp = shutil.which("rnx2rtkp")
    t_day, whole = best(lambda: kompas.read_obs(day), args.repeat)
    cmd_day = [kompas_bin, "spp", str(day), nav, "-o", str(folder / "day.pos")]
    w_day = run(cmd_day, args.repeat)
    print(f"day's file: read_obs {t_day:.2f} CPU-s; kompas spp {w_day:.2f} s; {obs.n_epochs} epochs")
    if rnx2rtkp:
        rt_day = run([rnx2rtkp, "-p", "0", "-sys", "G,R,E,C,J", "-o", str(folder / "day_rtklib.pos"),
                      str(day), nav], args.repeat)  # fmt: skip
        print(f"day's file: rnx2rtkp {rt_day:.2f} s")
    for label, pattern in cases.items():
        files = sorted(Path(folder).glob(Path(pattern).name))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t, joined = best(lambda files=files: kompas.read_obs_files(files), args.repeat)
        same = all(np.array_equal(getattr(joined, f), getattr(whole, f), equal_nan=True) for f in FIELDS)
        out = folder / f"{files[0].stem}.pos"
        w = run([kompas_bin, "spp", pattern, nav, "-o", str(out)], args.repeat)
        pos_same = rows(out) == rows(folder / "day.pos")
        print(f"{label}: read_obs_files {t:.2f} CPU-s (tables identical: {same}); kompas spp {w:.2f} s "
              f"(.pos lines identical: {pos_same}); warnings: {sorted({str(c.message)[:60] for c in caught})}")  # fmt: skip
        if rnx2rtkp:
            rt_out = folder / f"{files[0].stem}_rtklib.pos"
            rt = run([rnx2rtkp, "-p", "0", "-sys", "G,R,E,C,J", "-o", str(rt_out), pattern, nav], args.repeat)
            print(f"{label}: rnx2rtkp {rt:.2f} s (.pos lines identical to its day's: "
                  f"{rows(rt_out) == rows(folder / 'day_rtklib.pos')}, {len(rows(rt_out))} lines)")  # fmt: skip
    if not args.keep:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
