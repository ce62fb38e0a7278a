"""Mutation testing by hand (issue 10): drive mutmut module by module and summarise its results.

    export KOMPAS_DATA=/path/to/shared/data              # the real-data tests must run in mutants/
    python benchmarks/mutation.py run models.troposphere spp --max-children 2
    python benchmarks/mutation.py report                 # Markdown table of every mutated module
    python benchmarks/mutation.py survivors spp          # surviving mutants, one line each
    python benchmarks/mutation.py survivors spp --diff   # ... with their diffs

mutmut (``[tool.mutmut]`` in pyproject.toml) copies ``src/``, ``tests/`` and ``benchmarks/`` to ``mutants/``,
writes every mutant of the modules of ``only_mutate`` into the copy behind a switch, runs the selected
tests once to learn which tests reach each function, then for each mutant runs only those tests (fastest
first, stopping at the first failure). Results stay in ``mutants/`` (``*.meta``), so ``run`` can be
repeated module by module and ``report`` reads whatever has been run.

``benchmarks/mutation_equivalent.txt`` lists the surviving mutants judged equivalent by reading (no input
can tell them from the original), one per line: ``<mutant name>  <reason>``. The score of a module is
killed / (mutants - equivalent); timeouts count as killed (the mutant hangs or runs away).

Run by hand, not in CI: a module takes minutes to hours (a surviving mutant of a function that every SPP
test reaches costs a run of all those tests).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.txt"
STATUS = {1: "killed", 3: "killed", 0: "survived", None: "not checked", 33: "no tests", 5: "no tests",
          36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"}  # fmt: skip
GROUPS = {
    "models": "models.",
    "estimators": "estimators.",
    "products": "products.",
    "spp + measurement + config": ("spp", "measurement", "config"),
    "preprocess": "preprocess.",
    "rtk + ppp": ("rtk", "ppp", "solution"),
}


def _metas(root: Path):
    for meta in sorted((root / "mutants" / "src" / "kompas").rglob("*.py.meta")):
        data = json.loads(meta.read_text())
        if data["exit_code_by_key"]:
            rel = meta.relative_to(root / "mutants" / "src" / "kompas").with_suffix("").with_suffix("")
            yield ".".join(rel.parts), data


def equivalents(path: Path = EQUIVALENT) -> dict[str, str]:
    """Mutant name -> reason, from the hand-kept list."""
    out = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                name, _, reason = line.partition(" ")
                out[name] = reason.strip()
    return out


def rechecked(paths) -> set[str]:
    """Mutants reported ``killed`` by later ``check`` runs (their printed output saved in files)."""
    out = set()
    for path in paths or ():
        for line in Path(path).read_text().splitlines():
            verdict, _, name = line.partition(" ")
            if verdict == "killed":
                out.add(name.strip())
    return out


def _outcome(name: str, code, eq: dict[str, str], later: set[str]) -> str:
    status = STATUS.get(code, "suspicious")
    if status in ("survived", "no tests", "suspicious"):
        if name in later:
            return "killed later"
        if name in eq:
            return "below accuracy" if eq[name].lower().startswith("below") else "equivalent"
    return status


COLUMNS = ["mutants", "killed", "timeout", "killed later", "survived", "no tests", "equivalent",
           "below accuracy", "not checked"]  # fmt: skip


def table(root: Path = ROOT, later: set[str] | None = None) -> list[dict]:
    """Per module: counts of each outcome and the score.

    The score is killed / (mutants - equivalent - not checked): mutants killed by the run, by timeout or
    by tests added since (``later``, from saved ``check`` output) count as killed; equivalent mutants are
    left out; mutants below the model's accuracy (listed, reason "below ...") count as not killed.
    """
    eq, later = equivalents(), later or set()
    rows = []
    for module, data in _metas(root):
        codes = data["exit_code_by_key"]
        c = Counter(_outcome(k, v, eq, later) for k, v in codes.items())
        row = {"module": module, "mutants": len(codes), **{k: c[k] for k in COLUMNS[1:]}}
        row["survived"] += c["suspicious"]
        rows.append(row)
    return rows


def _score(r: dict) -> float:
    denom = r["mutants"] - r["equivalent"] - r["not checked"]
    return (r["killed"] + r["timeout"] + r["killed later"]) / denom if denom > 0 else float("nan")


def _group_of(module: str) -> str:
    for name, prefix in GROUPS.items():
        if module.startswith(prefix if isinstance(prefix, str) else tuple(prefix)):
            return name
    return "other"


def report(root: Path = ROOT, later: set[str] | None = None) -> str:
    rows = table(root, later)
    cols = COLUMNS
    lines = ["| module | " + " | ".join(cols) + " | score |", "|---|" + "---:|" * (len(cols) + 1)]
    for r in rows:
        lines.append(f"| {r['module']} | " + " | ".join(str(r[c]) for c in cols) + f" | {_score(r):.1%} |")
    for group in [*GROUPS, "all"]:
        sel = [r for r in rows if group == "all" or _group_of(r["module"]) == group]
        if not sel:
            continue
        tot = {c: sum(r[c] for r in sel) for c in cols}
        lines.append(
            f"| **{group}** | " + " | ".join(str(tot[c]) for c in cols) + f" | **{_score(tot):.1%}** |"
        )
    return "\n".join(lines)


def _diff(name: str) -> str:
    out = subprocess.run(["mutmut", "show", name], cwd=ROOT, capture_output=True, text=True)
    return out.stdout


def _one_line(diff: str) -> str:
    minus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    plus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    return f"{' / '.join(minus)}  ->  {' / '.join(plus)}"


def survivors(modules: list[str], with_diff: bool, root: Path = ROOT) -> None:
    eq = equivalents()
    for module, data in _metas(root):
        if modules and module not in modules:
            continue
        for name, code in data["exit_code_by_key"].items():
            if STATUS.get(code, "suspicious") not in ("survived", "no tests", "suspicious") or name in eq:
                continue
            diff = _diff(name)
            print(f"{name}  [{STATUS.get(code, 'suspicious')}]  {_one_line(diff)}")
            if with_diff:
                print(diff)


def sample(module: str, n: int, seed: int, root: Path = ROOT) -> list[str]:
    """The first ``n`` mutants of ``module`` in a seeded random order (all of them if there are fewer).

    A larger ``n`` with the same seed extends the sample, so a run can be continued."""
    names = sorted(dict(_metas(root)).get(module, {}).get("exit_code_by_key", {}))
    if not names:
        raise SystemExit(f"no mutants of kompas.{module} in mutants/: run `mutmut run` once to generate them")
    random.Random(f"{seed}:{module}").shuffle(names)
    return names[:n]


def run(modules: list[str], max_children: int, n: int | None, seed: int, root: Path = ROOT) -> int:
    """One ``mutmut run`` for the modules (all their mutants, or the untested part of a sample)."""
    if not os.environ.get("KOMPAS_DATA"):
        print(
            "set KOMPAS_DATA to the real-data folder (mutants/ has no ../shared beside it)", file=sys.stderr
        )
        return 2
    names = []
    for module in modules:
        if n is None:
            names.append(f"kompas.{module}.*")
            continue
        codes = dict(_metas(root)).get(module, {}).get("exit_code_by_key", {})
        names += [k for k in sample(module, n, seed, root) if codes.get(k) is None]
    if not names:
        return 0
    cmd = ["mutmut", "run", "--max-children", str(max_children), *names]
    print("$", " ".join(cmd[:4]), *(names if n is None else [f"... ({len(names)} mutants)"]), flush=True)
    return subprocess.run(cmd, cwd=root).returncode


def pytest_verdict(tests: list[str], env: dict, timeout: float | None = None) -> str:
    """``SURVIVED`` when ``tests`` pass in a subprocess run from this tree with ``env`` (first failure stops),
    ``killed`` when one fails, ``timeout`` (counted as killed) or ``exit N`` otherwise."""
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--tb=no", *tests]
    try:
        rc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return "timeout"
    return {0: "SURVIVED", 1: "killed"}.get(rc, f"exit {rc}")


def check(names: list[str], tests: list[str], mutants_root: Path) -> int:
    """Run ``tests`` (from this tree) against each mutant of ``mutants_root/mutants/src`` (mutmut's switch,
    ``MUTANT_UNDER_TEST``): a quick way to see whether new tests kill given survivors."""
    env = {**os.environ, "PYTHONPATH": str(mutants_root / "mutants" / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    alive = 0
    for name in names:
        # warning_location tests fail under every trampoline (pyproject.toml, [tool.mutmut]): left out
        verdict = pytest_verdict(["-m", "not warning_location", *tests], {**env, "MUTANT_UNDER_TEST": name})
        alive += verdict == "SURVIVED"
        print(f"{verdict:8s} {name}", flush=True)
    return int(alive > 0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="mutmut run for each module (dotted name under kompas)")
    r.add_argument("modules", nargs="+")
    r.add_argument("--max-children", type=int, default=2)
    r.add_argument("--sample", type=int, help="test this many mutants of each module (seeded random order)")
    r.add_argument("--seed", type=int, default=0)
    rp = sub.add_parser("report", help="Markdown table of the results so far")
    rp.add_argument("--recheck", nargs="*", help="saved output of `check` runs: mutants killed since the run")
    rp.add_argument("--mutants-root", type=Path, default=ROOT, help="folder holding the mutants/ of a run")
    s = sub.add_parser("survivors", help="surviving mutants not listed as equivalent")
    s.add_argument("modules", nargs="*")
    s.add_argument("--diff", action="store_true")
    c = sub.add_parser("check", help="run tests against named mutants (usage: check NAME... -- TEST...)")
    c.add_argument("names", nargs="+")
    c.add_argument("--mutants-root", type=Path, default=ROOT, help="folder holding the mutants/ of a run")
    argv = sys.argv[1:] if argv is None else argv
    tests = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = ap.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    if args.cmd == "check":
        return check(args.names, tests, args.mutants_root)
    if args.cmd == "run":
        return run(args.modules, args.max_children, args.sample, args.seed)
    if args.cmd == "report":
        print(report(args.mutants_root, later=rechecked(args.recheck)))
        return 0
    survivors(args.modules, args.diff)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
