"""Seeded fuzzing of every reader (issue 10): a short run in CI, the long one is benchmarks/fuzz.py.

The oracles (only KompasError escapes, no hang, no silent change of an untouched record) are in
fuzzlib.py. Every failure a run ever found is kept under tests/data/fuzz_regressions/ and replayed
here.
"""

import json
import random
import zlib

import fuzzlib as F
import pytest

CASES_PER_SEED = 300  # about 40 s in all on 2 cores, with the truncation sweep below


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """The readers read each case from a file under pytest's temporary folder, removed with it."""
    F.use_scratch(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def seeds(scratch):
    return {s.name: s for s in F.seeds()}


def _names():
    return [s.name for s in F.hand_seeds()] + ["obs3_sim", "nav3_sim", "pos_sim", "nmea_sim"]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", _names())
def test_seeded_mutations(seeds, name):
    seed = seeds[name]
    rng = random.Random(zlib.crc32(name.encode()))
    tally = F.fuzz([seed], CASES_PER_SEED, rng, F.Tally(), timeout_s=10.0)
    shown = "\n".join(f"{d}: {f}" for _, d, f, _, _ in tally.failures[:5])
    assert not tally.failures, f"{len(tally.failures)} failing cases, first:\n{shown}"
    assert sum(tally.cases.values()) == CASES_PER_SEED


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", _names())
def test_truncation_at_every_byte_of_the_last_record(seeds, name):
    """The file stops at every byte of its last record: the records before it are read (never an
    error, whatever the format), and never a failure of the three oracles."""
    seed = seeds[name]
    a = sum(len(x) + 1 for x in seed.lines[: seed.blocks[-1][0]])
    b = sum(len(x) + 1 for x in seed.lines[: seed.blocks[-1][1]])
    for pos in range(a, b):
        data = seed.data[:pos]
        touched = set(range(data.count(b"\n"), len(seed.lines) + 1))
        out = F.run(seed, data)
        assert F.judge(seed, touched, out) is None, f"cut at byte {pos}: {F.judge(seed, touched, out)}"
        assert out.status in ("ok", "warned"), f"cut at byte {pos}: {out.status} {out.detail}"


def _regressions():
    return sorted(F.REGRESSIONS.glob("*.json"))


@pytest.mark.parametrize("note", _regressions(), ids=lambda p: p.stem)
def test_regression_files(seeds, note):
    """Every failure a fuzz run found: the same bytes now pass the three oracles."""
    info = json.loads(note.read_text())
    data = note.with_suffix(".bin").read_bytes()
    seed = seeds[info["seed"]]
    failure = F.judge(seed, set(info["touched"]), F.run(seed, data))
    assert failure is None, f"{info['mutation']} (found: {info['found']}): {failure}"


def test_the_oracles_can_fail(seeds):
    """A reader that changed an untouched value, or let a bare exception out, would be caught."""
    seed = seeds["clk_hand"]
    out = F.run(seed, seed.data)
    (key, values), n = next(iter(out.rows.items()))
    out.rows = out.rows - F.Counter({(key, values): n}) + F.Counter({(key, ("changed",)): n})
    assert F.judge(seed, set(), out).startswith("changed")
    assert F.judge(seed, set(), F.Outcome("escape", "IndexError")).startswith("escape")
    out = F.run(seed, seed.data)
    out.rows = F.Counter()
    assert F.judge(seed, set(), out).startswith("silently missing")
