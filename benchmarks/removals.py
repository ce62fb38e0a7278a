"""Removed features must fail tests: apply each removal of issue 10's audit to a copy of the code, run the
tests meant to notice it, and report which of them fail.

    KOMPAS_DATA=/path/to/shared/data python benchmarks/removals.py [--only mask,toml,...] [--baseline]

Each removal is a literal source patch (every ``old`` text must occur exactly once, so a refactoring that
moves the code makes the script stop instead of silently testing nothing). The copy of ``src/`` is put
first on ``PYTHONPATH`` of a pytest subprocess; the repository itself is never modified. ``--baseline``
first runs the same tests on the unmodified copy (they must all pass). Run by hand, not in CI: each
removal costs one run of its tests (about a minute). Exit status 1 if a removal goes unnoticed.

Removals (the audit's three, with the variants of the third it may have meant):

- ``mask``: the user's elevation mask ignored, 10 deg hard-wired (:mod:`kompas.spp`).
- ``toml``: every key of a ``--config`` TOML file but ``systems`` dropped (:func:`kompas.config.load_toml`).
- ``bds-iono-none``: BeiDou (BDS-2 and BDS-3) left without a broadcast ionosphere model (no delay, the
  variance of an uncorrected ionosphere).
- ``bds-iono-gps``: BeiDou's own models (BDS Klobuchar, BDGIM) unavailable, so the GPS Klobuchar serves
  BeiDou as the fallback.
- ``bds-iono-zero``: the delay of BeiDou rows zeroed after the model, the variance left as if corrected.

Removals of later features (issues 13 and 15):

- ``rtk-iono-prior``: the RTK slant ionosphere states start at 0 whatever their prior.
- ``rtk-iono-prior-option``: ``--iono-prior`` ignored (always the broadcast prior).
- ``rtk-z-partial``: no partial fixing of decorrelated combinations.
- ``rtk-z-hold``: decorrelated combinations fixed but not fed back by fix-and-hold.
- ``rtk-z-cap``: decorrelated combinations not bounded to the wide-lane degrees of freedom.
- ``sisre-clock-datum``: ``clock_datum`` ignored (one datum per system always).
- ``ppp-mapping-option``: ``--mapping`` not passed to the model (the saas a priori always GMF).
- ``gmf-annual``: GMF without the annual term of its a coefficients.
- ``sisre-bias-split``: the constant part of each satellite's SISRE without its radial share.
- ``rtk-code-residuals``: the RTK Solution's code double-difference residuals zeroed.
- ``rtk-output-single``: ``output_single`` ignored (no single point epochs in RTK output).
- ``rtk-snooping``: the RTK outlier screening blames the cell of the largest normalised post-fit double
  difference (phase, else code) instead of the one data snooping identifies.
- ``rtk-code-start``: a fresh ambiguity initialised from a code found outlying keeps its prior.
- ``rtk-max-age``: ``max_age_s`` ignored (only simultaneous rover and base epochs pair).
- ``rtk-aged-clock``: the satellite clock difference between the two transmission times left out of the
  RTK model.
- ``rtk-carry-slips``: slips of epochs the pairing leaves out are dropped instead of carried forward.
- ``rtk-interpolate-base``: base observations of aged pairs not interpolated.
- ``rtk-same-record``: the base-side satellite states from the record selected at the base's own epoch.
- ``rtk-blank-cpb``: a blank GLONASS code-phase bias of a header (NaN) used as a calibration.
- ``rtk-cpb-make``: no code-phase bias from the receiver make where a header's record is blank.
- ``qc-mp-clock-jumps``: the MP codes without the receiver clock-jump repair of the phases.
- ``qc-glonass-channels``: QC of a file with GLONASS slots of unknown channel refused as a whole.
- ``ppp-backward-dt``: the PPP time update with a signed time step (backward pass).
- ``rtk-orbit-error``: the broadcast orbit error left out of the RTK noise (long baselines fix wrongly).
- ``rtk-glonass-channels``: GLONASS slots without a known channel kept (the RTK run ends in an error).
- ``ppp-bds2-convention``: GPSPACE's BeiDou-2 offsets with igs14-aligned products (the products' own
  conventional offsets ignored).
- ``ppp-bds2-code``: PPP without the BeiDou-2 code corrections (Wanninger & Beer 2015).
- ``sisre-bds2-convention``: the signal-in-space check with GPSPACE's BeiDou-2 offsets whatever the
  products' antenna model.
- ``rtk-weak-min-sats``: the weak tier of the RTK ratio test open to subsets of any number of satellites.
- ``rtk-adop-weak-tier``: the ADOP skip of the integer search judged against the middle tier only.
- ``rtk-base-extrapolation``: base phases of some age left as they are where no interpolation serves.
- ``rtk-extrapolation-slips``: base phases extrapolated across a slip of the base.
- ``rtk-precise-relativity``: precise clocks in RTK without the relativistic periodic term.
- ``rtk-precise-travel``: the precise products chosen for a satellite that they do not serve at its
  transmission instant (the first epoch of a day unsolved).
- ``rtk-precise-apc``: precise orbits in RTK left at the centre of mass where ANTEX has the satellite.
- ``rtk-before-toe``: RTK with SPP's record windows before toe (set D's C26, C35, E10, E12, E16 left out).
- ``rtk-record-age-sigma``: RTK's orbit noise without the error of records used far from their toe.
- ``rtk-orbit-drift``: RTK noise without the drift of a record's orbit error over the age of raw base data.
- ``clock-edge``: precise clocks not extrapolated beyond the first and last samples (a day's first epoch
  unsolved without navigation data).
- ``antex-nominal-zero``: the completed ANTEX's nominal satellite blocks written with zero offsets (RTKLIB
  then lacks the satellite offsets kompas applies; ESBC's daily PPP parts by 1.2 cm).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Removal:
    name: str
    what: str
    patches: tuple[tuple[str, str, str], ...]  # (file under src/kompas, old, new)
    tests: tuple[str, ...]


SPP_TESTS = ("tests/reference/test_spp_accuracy.py", "tests/reference/test_cli_spp.py")
RTK_TESTS = ("tests/unit/test_rtk_filter.py", "tests/unit/test_rtk_parts.py", "tests/unit/test_rtk_sim.py")
REMOVALS = (
    Removal(
        "mask",
        "elevation mask hard-wired to 10 deg",
        (
            ("spp.py", "    mask_rad = np.radians(cfg.elmask_deg)\n", "    mask_rad = np.radians(10.0)\n"),
            ("spp.py", "ok, np.radians(cfg.elmask_deg))", "ok, np.radians(10.0))"),
        ),
        (*SPP_TESTS, "tests/unit/test_config.py", "tests/unit/test_spp_engine.py"),
    ),
    Removal(
        "toml",
        "every TOML key but `systems` dropped",
        (
            (
                "config.py",
                "    return from_mapping(cls, read_toml(path), str(path), base)\n",
                "    data = {k: v for k, v in read_toml(path).items() if k == 'systems'}\n"
                "    return from_mapping(cls, data, str(path), base)\n",
            ),
        ),
        (*SPP_TESTS, "tests/unit/test_config.py", "tests/reference/test_cli_ppp.py"),
    ),
    Removal(
        "bds-iono-none",
        "BeiDou without a broadcast ionosphere model",
        (
            ("products/ionosphere.py", '    "C2": ("BDS_KLOB",),\n', ""),
            ("products/ionosphere.py", '    "C3": ("BDGIM", "BDS_KLOB"),\n', ""),
        ),
        (*SPP_TESTS, "tests/unit/test_iono_broadcast.py"),
    ),
    Removal(
        "bds-iono-gps",
        "BeiDou served by the GPS Klobuchar (its own models unavailable)",
        (("products/ionosphere.py", '    "BDS_KLOB": _klobuchar_bds,\n    "BDGIM": _bdgim,\n', ""),),
        (*SPP_TESTS, "tests/unit/test_iono_broadcast.py"),
    ),
    Removal(
        "bds-iono-zero",
        "BeiDou delays zeroed after the model (variance as if corrected)",
        (
            (
                "measurement.py",
                "        d = np.where(known[:, None] & np.isfinite(d), d, 0.0)\n",
                "        d = np.where(known[:, None] & np.isfinite(d), d, 0.0)\n"
                "        d = np.where(np.char.startswith(model.astype(str), 'B'), 0.0, d)\n",
            ),
        ),
        (*SPP_TESTS, "tests/unit/test_iono_broadcast.py"),
    ),
    Removal(
        "rtk-iono-prior",
        "RTK slant ionosphere states start at 0",
        (
            (
                "estimators/rtk.py",
                "                vals.append(e.iono0[j])\n",
                "                vals.append(0.0)\n",
            ),
        ),
        RTK_TESTS,
    ),
    Removal(
        "rtk-iono-prior-option",
        "--iono-prior ignored",
        (("rtk_run.py", '    if setup.iono and cfg.models.iono_prior == "brdc":\n', "    if setup.iono:\n"),),
        RTK_TESTS,
    ),
    Removal(
        "rtk-z-partial",
        "no partial fixing of decorrelated combinations",
        (
            (
                "estimators/rtk_ar.py",
                "        combos = _decorrelated(x, P, ci, cr, a, Q, amb.sys[cell], opts, a.size - n_sat) if hold else None\n",
                "        combos = None\n",
            ),
        ),
        RTK_TESTS,
    ),
    Removal(
        "rtk-z-hold",
        "decorrelated combinations not held",
        (
            (
                "estimators/rtk.py",
                '        if self.ar.armode == "fix-and-hold" and self.fix_run >= self.ar.hold_after:\n',
                '        if self.ar.armode == "fix-and-hold" and self.fix_run >= self.ar.hold_after and ar.combos is None:\n',
            ),
        ),
        RTK_TESTS,
    ),
    Removal(
        "rtk-z-cap",
        "decorrelated combinations not bounded to the wide-lane degrees of freedom",
        (
            (
                "estimators/rtk_ar.py",
                "    k = min(int(np.sum(ps >= opts.z_success)), k_max)\n",
                "    k = int(np.sum(ps >= opts.z_success))\n",
            ),
        ),
        (*RTK_TESTS, "tests/reference/test_rtk_real.py"),
    ),
    Removal(
        "sisre-clock-datum",
        "SISRE clock datum option ignored",
        (("monitor/sisre.py", '    if datum == "bds-generation":\n', "    if False:\n"),),
        ("tests/unit/test_sisre.py", "tests/reference/test_monitor_real.py"),
    ),
    Removal(
        "ppp-mapping-option",
        "PPP mapping option not passed to the model",
        (("ppp.py", "        mapping=m.mapping,\n", ""),),
        ("tests/reference/test_cli_ppp.py", "tests/unit/test_troposphere.py"),
    ),
    Removal(
        "gmf-annual",
        "GMF without its annual term",
        (("models/mapping.py", "    annual = np.cos(", "    annual = 0.0 * np.cos("),),
        ("tests/unit/test_troposphere.py",),
    ),
    Removal(
        "sisre-bias-split",
        "SISRE constant part without its radial share",
        (
            (
                "monitor/sisre.py",
                "    return radial - float(np.mean(r.clock_m[ok])), radial",
                "    return -float(np.mean(r.clock_m[ok])), radial",
            ),
        ),
        ("tests/unit/test_sisre.py",),
    ),
    Removal(
        "rtk-code-residuals",
        "RTK residuals without the code double differences' values",
        (
            (
                "estimators/rtk.py",
                "dc.D @ np.nan_to_num(e.code - lin.hc)]",
                "0.0 * dc.D @ np.nan_to_num(e.code - lin.hc)]",
            ),
        ),
        ("tests/unit/test_rtk_filter.py", "tests/unit/test_rtk_sim.py"),
    ),
    Removal(
        "rtk-output-single",
        "RTK output_single ignored",
        (("rtk_run.py", "    if cfg.output_single:\n", "    if False:\n"),),
        ("tests/unit/test_rtk_sim.py",),
    ),
    Removal(
        "rtk-snooping",
        "RTK outlier identification by the largest post-fit double difference",
        (
            (
                "estimators/rtk.py",
                "            j = int(np.argmax(np.nan_to_num(w, nan=-1.0)))\n",
                "            j = int(dp.cell[np.argmax(np.abs(rp) / sp)]) if bad_p.any() else "
                "n + int(dc.cell[np.argmax(np.abs(rc) / sc)])\n",
            ),
        ),
        ("tests/unit/test_rtk_filter.py", "tests/unit/test_rtk_sim.py"),
    ),
    Removal(
        "rtk-code-start",
        "fresh ambiguity from an outlying code kept",
        (("estimators/rtk.py", "            self._forget_code_start(e, bad_c)\n", ""),),
        ("tests/unit/test_rtk_filter.py",),
    ),
    Removal(
        "rtk-max-age",
        "RTK max_age_s ignored",
        (
            (
                "rtk_run.py",
                "cfg.slips,\n        cfg.max_age_s, cfg.interpolate_base",
                "cfg.slips,\n        0.0, cfg.interpolate_base",
            ),
        ),
        ("tests/unit/test_rtk_sim.py", "tests/unit/test_rtk_parts.py"),
    ),
    Removal(
        "rtk-aged-clock",
        "RTK model without the satellite clock difference",
        (("estimators/rtk_model.py", "rng - e.range_b - e.clock_sd + trop_r", "rng - e.range_b + trop_r"),),
        ("tests/unit/test_rtk_sim.py",),
    ),
    Removal(
        "rtk-interpolate-base",
        "base observations not interpolated",
        (
            (
                "rtk_inputs.py",
                "    if interpolate:\n        bd, done = _interpolate_base(bd, *args)\n",
                "",
            ),
        ),
        ("tests/reference/test_rtk_real.py",),
    ),
    Removal(
        "rtk-same-record",
        "base-side records selected at the base epoch",
        (
            (
                "rtk_inputs.py",
                "_satellite_states(product, ob_b, ib, t_b, t_r)",
                "_satellite_states(product, ob_b, ib, t_b, t_b)",
            ),
        ),
        ("tests/reference/test_rtk_real.py",),
    ),
    Removal(
        "rtk-carry-slips",
        "slips of unpaired epochs dropped",
        (("rtk_inputs.py", "    if used.size == n_ep or not slip.size:\n", "    if True:\n"),),
        ("tests/unit/test_rtk_sim.py", "tests/unit/test_rtk_parts.py"),
    ),
    Removal(
        "rtk-blank-cpb",
        "a blank GLONASS COD/PHS/BIS value (NaN) taken as a known code-phase bias",
        (("rtk.py", " if c in cpb and np.isfinite(cpb[c])]", " if c in cpb]"),),
        ("tests/unit/test_sim_rtk_cli.py",),
    ),
    Removal(
        "rtk-cpb-make",
        "no code-phase bias from the receiver make where a header's record is blank",
        (("rtk.py", "    return CPB_BY_MAKE_M.get(words[0].upper()) if words else None", "    return None"),),
        ("tests/unit/test_rtk_parts.py", "tests/reference/test_rtk_real.py"),
    ),
    Removal(
        "qc-mp-clock-jumps",
        "MP from raw codes against clock-jump-repaired phases",
        (("qc/multipath.py", "    if clock_jumps is None or not len(clock_jumps):\n", "    if True:\n"),),
        ("tests/reference/test_qc_real.py",),
    ),
    Removal(
        "qc-glonass-channels",
        "QC refuses a file with GLONASS slots of unknown channel",
        (("qc/run.py", "    obs = _without_unknown_channels(obs, chans)\n", ""),),
        ("tests/reference/test_qc_real.py", "tests/reference/test_cli_qc.py"),
    ),
    Removal(
        "ppp-backward-dt",
        "PPP process noise with a signed dt (the backward pass loses variance)",
        (("estimators/ppp.py", "abs(t_ns - self.t_prev) * 1e-9", "(t_ns - self.t_prev) * 1e-9"),),
        ("tests/unit/test_ppp_step.py", "tests/reference/test_ppp_real.py"),
    ),
    Removal(
        "rtk-orbit-error",
        "RTK noise without the broadcast orbit error of long baselines",
        (
            (
                "estimators/rtk.py",
                "cell_variances(e, self.noise, 1e3 * self.setup.baseline_km)",
                "cell_variances(e, self.noise)",
            ),
        ),
        ("tests/reference/test_rtk_real.py",),
    ),
    Removal(
        "rtk-glonass-channels",
        "GLONASS rows without a known channel kept in RTK",
        (
            (
                "rtk_inputs.py",
                "    if not bad.any():\n        return ob\n",
                "    if True:\n        return ob\n",
            ),
        ),
        ("tests/reference/test_rtk_real.py",),
    ),
    Removal(
        "ppp-bds2-convention",
        "PPP with GPSPACE's BeiDou-2 offsets whatever the products' antenna model",
        (
            (
                "ppp.py",
                "    suited = catalog.for_antenna_model(model) if catalog is not None else None",
                "    suited = catalog",
            ),
        ),
        ("tests/unit/test_pco_convention.py", "tests/reference/test_ppp_real.py"),
    ),
    Removal(
        "ppp-bds2-code",
        "PPP without the BeiDou-2 code corrections",
        (("ppp_model.py", "    if switches.bds2_code:", "    if False:"),),
        ("tests/reference/test_ppp_real.py",),
    ),
    Removal(
        "sisre-bds2-convention",
        "SISRE with GPSPACE's BeiDou-2 offsets whatever the products' antenna model",
        (
            (
                "products/precise.py",
                "catalog.for_antenna_model(self.antenna_model).lookup(s, t)",
                "catalog.lookup(s, t)",
            ),
        ),
        ("tests/reference/test_monitor_real.py",),
    ),
    Removal(
        "rtk-weak-min-sats",
        "RTK weak tier without its satellite count",
        (("estimators/rtk_ar.py", "if n_sat >= opts.weak_min_sats else ()", "if True else ()"),),
        ("tests/unit/test_rtk_parts.py", "tests/reference/test_rtk_real.py"),
    ),
    Removal(
        "rtk-adop-weak-tier",
        "ADOP skip against the middle tier's success rate only",
        (
            (
                "estimators/rtk_ar.py",
                "if adop_success_bound(q) < lowest - 0.01:",
                "if adop_success_bound(q) < opts.success - 0.01:",
            ),
        ),
        ("tests/unit/test_rtk_parts.py",),
    ),
    Removal(
        "rtk-base-extrapolation",
        "base phases of some age not extrapolated",
        (
            (
                "rtk_inputs.py",
                "    if extrapolate:\n        bd, done = _extrapolate_base",
                "    if False:\n        bd, done = _extrapolate_base",
            ),
        ),
        ("tests/unit/test_rtk_sim.py", "tests/reference/test_rtk_real.py"),
    ),
    Removal(
        "rtk-extrapolation-slips",
        "base phases extrapolated across a base slip",
        (
            (
                "rtk_inputs.py",
                "    skip = slip_b[ib[rows]] | done[rows]",
                "    skip = done[rows]",
            ),
        ),
        ("tests/unit/test_rtk_sim.py",),
    ),
    Removal(
        "rtk-precise-relativity",
        "precise clocks in RTK without the relativistic term",
        (
            (
                "products/precise_first.py",
                "clk = st.clk_s + periodic_clock_correction_s(st.pos_m, st.vel_mps)",
                "clk = st.clk_s",
            ),
        ),
        ("tests/unit/test_rtk_precise.py",),
    ),
    Removal(
        "rtk-precise-travel",
        "precise products chosen without the travel time before the rover's epoch",
        (
            (
                "products/precise_first.py",
                "return both.ok[: s.size] & both.ok[s.size :]",
                "return both.ok[: s.size]",
            ),
        ),
        ("tests/unit/test_rtk_precise.py",),
    ),
    Removal(
        "rtk-precise-apc",
        "precise orbits in RTK at the centre of mass",
        (("products/precise_first.py", "out[m] = np.nan_to_num(apc.offset_m)", "pass"),),
        ("tests/unit/test_rtk_precise.py",),
    ),
    Removal(
        "rtk-before-toe",
        "RTK with SPP's windows before toe",
        (
            (
                "rtk.py",
                "default_factory=lambda: EphemerisOptions(max_before_toe_s=RTK_BEFORE_TOE_S)",
                "default_factory=EphemerisOptions",
            ),
        ),
        ("tests/reference/test_rtk_real.py",),
    ),
    Removal(
        "rtk-record-age-sigma",
        "RTK orbit noise without the record's age",
        (
            (
                "estimators/rtk_model.py",
                "s_orb = np.fmax(noise.orbit_m, e.orbit_sigma)",
                "s_orb = noise.orbit_m",
            ),
        ),
        ("tests/unit/test_rtk_model.py", "tests/reference/test_rtk_real.py"),
    ),
    Removal(
        "rtk-orbit-drift",
        "RTK noise without the orbit error's drift over the age",
        (
            (
                "rtk_inputs.py",
                "orbit_drift_m=np.nan_to_num(orbit_drift) * np.abs(unmoved_age)",
                "orbit_drift_m=0.0 * np.abs(unmoved_age)",
            ),
        ),
        ("tests/reference/test_rtk_real.py",),
    ),
    Removal(
        "clock-edge",
        "precise clocks not extrapolated beyond their samples",
        (("products/precise.py", "CLOCK_EDGE_S = 1.0", "CLOCK_EDGE_S = 0.0"),),
        ("tests/reference/test_ppp_real.py", "tests/unit/test_precise.py"),
    ),
    Removal(
        "antex-nominal-zero",
        "ANTEX nominal satellite blocks with zero offsets",
        (
            (
                "io/writers/antex.py",
                "zip(sat_ids, 1000.0 * pco, strict=True)",
                "zip(sat_ids, 0.0 * pco, strict=True)",
            ),
        ),
        ("tests/unit/test_antex_writer.py", "tests/reference/test_ppp_daily_vs_rtklib.py"),
    ),
)


def _copy_with(removal: Removal | None, dest: Path) -> None:
    shutil.copytree(ROOT / "src", dest, ignore=shutil.ignore_patterns("__pycache__"))
    for rel, old, new in removal.patches if removal else ():
        path = dest / "kompas" / rel
        text = path.read_text()
        n = text.count(old)
        if n != 1:
            raise SystemExit(f"{removal.name}: {rel}: expected the patched text once, found it {n} times")
        path.write_text(text.replace(old, new))


def _run(removal: Removal | None, tests: tuple[str, ...]) -> tuple[int, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        _copy_with(removal, src)
        env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE", "--tb=no", *tests]
        out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        check = subprocess.run(
            [sys.executable, "-c", "import kompas, sys; print(kompas.__file__)"],
            env=env, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        if not check.stdout.strip().startswith(str(src)):
            raise SystemExit(f"the copy was not imported: {check.stdout.strip()}")
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", out.stdout, flags=re.M)
    summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-400:]
    return out.returncode, [*failed, f"# {summary}"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="", help="comma-separated removal names")
    ap.add_argument("--baseline", action="store_true", help="first run the tests on the unmodified code")
    args = ap.parse_args(argv)
    if not os.environ.get("KOMPAS_DATA") and not (ROOT.parent / "shared" / "data").is_dir():
        print("set KOMPAS_DATA: the tests that catch these removals read the real data", file=sys.stderr)
        return 2
    chosen = [r for r in REMOVALS if not args.only or r.name in args.only.split(",")]
    status = 0
    if args.baseline:
        tests = tuple(dict.fromkeys(t for r in chosen for t in r.tests))
        code, lines = _run(None, tests)
        print(f"baseline (unmodified copy): exit {code}: {lines[-1]}")
        status |= code != 0
    for r in chosen:
        code, lines = _run(r, r.tests)
        caught = code != 0 and len(lines) > 1
        print(f"{r.name}: {r.what}: {'CAUGHT' if caught else 'NOT CAUGHT'} ({lines[-1][2:]})")
        for line in lines[:-1]:
            print(f"    {line}")
        status |= not caught
    return int(status)


if __name__ == "__main__":
    raise SystemExit(main())
