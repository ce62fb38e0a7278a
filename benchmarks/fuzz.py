"""Long seeded fuzz run of every reader, by hand (the short one runs in CI: tests/fuzz/).

    python benchmarks/fuzz.py --minutes 10 --seed 1 [--real] [--save]

Each worker process fuzzes all the seeds (tests/fuzz/fuzzlib.py) for its share of the time, one
random seed file and mutation per case, under a per-case time limit; a worker that stops answering
is killed and counted as a hang (a backstop to the in-process limit). ``--real`` adds seeds cut from
the shared data at run time (header + first records, in memory only). ``--save`` keeps every failure
under tests/data/fuzz_regressions/ (bytes + JSON note) for tests/fuzz/test_fuzz.py to replay.
Prints a Markdown table of cases per seed and outcome for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import queue as queue_mod
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests" / "fuzz")]  # this tree's kompas, also in workers


def _worker(seed: int, seconds: float, real: bool, queue) -> None:
    import fuzzlib as F

    with tempfile.TemporaryDirectory(prefix="kompas-fuzz-") as scratch:
        F.use_scratch(scratch)
        seeds = F.seeds()
        if real:
            seeds += F.real_seeds(Path(os.environ.get("KOMPAS_DATA", REPO.parent / "shared" / "data")))
        rng = random.Random(seed)
        tally = F.Tally()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            F.fuzz(seeds, 50, rng, tally)
            queue.put(("beat", None))
    queue.put(("done", (dict(tally.cases), tally.failures)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--real", action="store_true", help="add seeds cut from the shared data")
    ap.add_argument("--save", action="store_true", help="keep failures as regression files")
    args = ap.parse_args(argv)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    seconds = args.minutes * 60.0
    procs = [ctx.Process(target=_worker, args=(args.seed * 1000 + k, seconds, args.real, queue))
             for k in range(args.workers)]  # fmt: skip
    for p in procs:
        p.start()
    cases: Counter = Counter()
    failures: list = []
    done, last = 0, time.monotonic()
    while done < len(procs):
        try:
            kind, payload = queue.get(timeout=120)
        except queue_mod.Empty:  # no heartbeat for 2 minutes: a hard hang
            cases[("(worker)", "hang")] += 1
            break
        last = time.monotonic()
        if kind == "done":
            done += 1
            cases.update(payload[0])
            failures += payload[1]
    for p in procs:
        p.join(timeout=10)
        if p.is_alive():
            p.kill()
    _report(args, cases, failures, time.monotonic() - last)
    if args.save and failures:
        sys.path.insert(0, str(REPO / "tests" / "fuzz"))
        import fuzzlib as F

        for name, desc, failure, data, touched in failures:
            print("saved", F.save_regression(name, desc, failure, data, touched))
    return 1 if failures else 0


def _report(args, cases: Counter, failures: list, _idle: float) -> None:
    outcomes = ("ok", "warned", "error", "fail")
    per_seed: dict[str, Counter] = {}
    for (name, status), n in cases.items():
        per_seed.setdefault(name, Counter())[status] += n
    print(f"Fuzz run: {args.minutes:g} min, seed {args.seed}, {args.workers} workers; machine "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d')}\n")  # fmt: skip
    print("| seed file | cases | " + " | ".join(outcomes) + " |")
    print("|---|---:|" + "---:|" * len(outcomes))
    total = Counter()
    for name in sorted(per_seed):
        c = per_seed[name]
        total.update(c)
        print(f"| {name} | {sum(c.values())} | " + " | ".join(str(c[o]) for o in outcomes) + " |")
    print(f"| **all** | {sum(total.values())} | " + " | ".join(str(total[o]) for o in outcomes) + " |")
    for name, desc, failure, _, _ in failures[:40]:
        print(f"- FAIL {name}: {desc}: {failure}")


if __name__ == "__main__":
    sys.exit(main())
