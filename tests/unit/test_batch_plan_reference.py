"""kompas.batch.plan against a straightforward reference: random sets of files (stations of long and short
names, several days, sessions, files across midnight, per-system and merged navigation files with gaps,
products of several centres, bases missing on some days or hours) planned with the indexes of ``plan`` and
with scans of every file, the choices written as their rules say."""

import hashlib
import importlib
import math
import os
import random
import re
import warnings

import pytest

from kompas.batch import plan
from kompas.errors import KompasWarning

plan_module = importlib.import_module("kompas.batch.plan")

DAYS = (176, 177, 178)  # of 2020
BARE = 179  # a day without merged files: the stations' own (of one system, or mixed of one hour) alone
CENTRES = ("COD0MGXFIN", "GRG0MGXFIN", "WUM0MGXFIN")


def _stamp(doy: int, hour: int = 0, minute: int = 0) -> str:
    return f"2020{doy:03d}{hour:02d}{minute:02d}"


def _station_files(rng: random.Random, site: str) -> list[str]:
    """Observation and navigation files of one station over some of the days."""
    out = []
    short = len(site) == 4
    for doy in (*DAYS, BARE):
        if rng.random() < 0.25:
            continue  # a day without files
        shape = rng.choice(("day", "day", "hours", "quarters", "midnight", "long"))
        if short:  # RINEX 2: the day or hourly sessions, sometimes a Hatanaka twin
            sessions = ["0"] if shape != "hours" else rng.sample("abcdefghijklmnopqrstuvwx", 3)
            for s in sessions:
                out.append(f"{site.lower()}{doy:03d}{s}.20o")
                out += [f"{site.lower()}{doy:03d}{s}.20d"] if rng.random() < 0.3 else []
        elif shape == "day":
            out.append(f"{site}_R_{_stamp(doy)}_01D_30S_MO.rnx")
        elif shape == "hours":
            out += [f"{site}_R_{_stamp(doy, h)}_01H_01S_MO.rnx" for h in rng.sample(range(24), 3)]
        elif shape == "quarters":
            out += [f"{site}_R_{_stamp(doy, 10, 15 * q)}_15M_01S_MO.rnx" for q in rng.sample(range(4), 3)]
        elif shape == "midnight":
            out.append(f"{site}_R_{_stamp(doy, 23)}_02H_01S_MO.rnx")
        else:
            out.append(f"{site}_R_{_stamp(doy, 12)}_35H_30S_MO.rnx")
        # the station's own navigation: mixed, one system, only some hours, or none
        nav = rng.choice(("MN", "GN", "RN", "MN-hour", "none", "none") if doy != BARE else ("GN", "MN-hour"))
        if short and nav != "none":
            out.append(f"{site.lower()}{doy:03d}0.20{rng.choice('ng')}")
        elif nav == "MN-hour":
            out.append(f"{site}_R_{_stamp(doy, rng.randrange(24))}_01H_MN.rnx")
        elif nav != "none":
            out.append(f"{site}_R_{_stamp(doy)}_01D_{nav}.rnx")
    return out


def _shared_files(rng: random.Random) -> list[str]:
    """Merged navigation files (some days, some hours), other systems' files, and products."""
    out = []
    for doy in DAYS:
        if rng.random() < 0.6:
            out.append(f"BRDC00WRD_S_{_stamp(doy)}_01D_MN.rnx")
        if rng.random() < 0.5:  # hourly merged files with gaps
            out += [f"BRDC00WRD_S_{_stamp(doy, h)}_01H_MN.rnx" for h in rng.sample(range(24), 8)]
        if rng.random() < 0.3:
            out.append(f"BRDM00DLR_S_{_stamp(doy)}_01D_MN.rnx")
        if rng.random() < 0.4:
            out.append(f"BRD400DLR_S_{_stamp(doy, 6)}_06H_GN.rnx")
        if rng.random() < 0.4:
            out.append(f"brdc{doy:03d}0.20n")
        out += [f"OTHR00XXX_R_{_stamp(doy)}_01D_{c}N.rnx" for c in "ERC" if rng.random() < 0.3]
        for centre in CENTRES:
            if rng.random() < 0.6:
                out.append(f"{centre}_{_stamp(doy)}_01D_05M_ORB.SP3")
            if rng.random() < 0.6:
                out.append(f"{centre}_{_stamp(doy)}_01D_30S_CLK.CLK")
            if rng.random() < 0.3:
                out.append(f"{centre}_{_stamp(doy)}_01D_01D_OSB.BIA")
        if rng.random() < 0.5:
            out.append(f"COD0OPSFIN_{_stamp(doy)}_01D_01H_GIM.INX")
    return [*out, "notes.txt", f"BRDC00WRD_S_{_stamp(DAYS[-1] + 3)}_01D_MN.rnx"]  # of a day without units


def _base_files(rng: random.Random, rover: str) -> list[str]:
    """Base stations' files: days, hours, across midnight; one base is a rover station."""
    out = []
    for site in ("BASA00XXX", "BASB00XXX", "BASC00XXX"):
        for doy in DAYS:
            shape = rng.choice(("day", "hours", "midnight", "none"))
            if shape == "day":
                out.append(f"{site}_R_{_stamp(doy)}_01D_30S_MO.rnx")
            elif shape == "hours":
                out += [f"{site}_R_{_stamp(doy, h)}_01H_01S_MO.rnx" for h in rng.sample(range(24), 6)]
            elif shape == "midnight":
                out.append(f"{site}_R_{_stamp(doy, 23)}_02H_01S_MO.rnx")
    return [*out, f"{rover}_R_{_stamp(DAYS[0])}_01D_30S_MO.rnx"]


def _random_set(seed: int, folder) -> dict:
    """Files of one random set (empty: plan reads names) and the station lists to plan them with."""
    rng = random.Random(seed)
    sites = [f"S{k:02d}{'ABC'[k % 3]}00XXX" for k in range(rng.randrange(6, 10))]
    sites += [f"T{k:03d}" for k in range(rng.randrange(2, 4))]  # RINEX 2 names
    sites.append(sites[0][:4])  # a station under a long and a short name: twins
    names = sorted({n for s in sites for n in _station_files(rng, s)} | set(_shared_files(rng)))
    bases = _base_files(rng, sites[1])
    rng.shuffle(bases)  # as given, not by path
    (folder / "base").mkdir()
    for n in [*names, "brdc_of_no_name.nav"]:
        (folder / n).write_bytes(b"")
    for n in bases:
        (folder / "base" / n).write_bytes(b"")
    listed = [s[: rng.choice((4, 9))] for s in rng.sample(sites, len(sites) // 2)] + ["NONE00XXX", "QQQQ"]
    return {
        "files": [str(folder / n) for n in names],
        "nav": [str(folder / "brdc_of_no_name.nav")],
        "base": [str(folder / "base" / n) for n in bases],
        "stations": listed,
    }


def _configs(inputs: dict):
    """``plan``'s keyword arguments: SPP, PPP and RTK, with and without joined sessions and a list."""
    ppp = ("nav", "orbit", "clock", "bias", "ionex")
    rtk = {"needs": ("nav", "base"), "roles": ("nav", "base"), "extra": {"base": inputs["base"]}}
    for join in (False, True):
        yield {"join_sessions": join}
        yield {"join_sessions": join, "stations": inputs["stations"]}
        yield {"join_sessions": join, "needs": ("orbit", "clock"), "roles": ppp}
        yield {"join_sessions": join, **rtk}


def _planned(folder, inputs: dict, kw: dict) -> str:
    """The plan and its warnings as text, paths relative to ``folder``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p = plan(inputs["files"], inputs["nav"], **kw)
    said = [f"{w.category.__name__}: {w.message}" for w in caught if issubclass(w.category, KompasWarning)]
    return "\n".join([repr(it) for it in p.items] + [repr(s) for s in p.skipped] + said).replace(
        str(folder) + os.sep, ""
    )


# -- the reference: every unit against every file ---------------------------------------------------------


def _scan(index, span):
    return [f for f in index.files if f.overlap_s(span) > 0]


def _scan_any(index, span, station=None):
    return any(f.overlap_s(span) > 0 and f.station != station for f in index.files)


def _reference_covering(obs, files):
    bins = [False] * max(1, math.ceil(obs.period_s / 60.0))
    taken = []
    for f in files:
        a = max(0, int((f.start - obs.start).total_seconds() // 60))
        b = min(len(bins), math.ceil((f.end - obs.start).total_seconds() / 60.0))
        if b > a and not all(bins[a:b]):
            bins[a:b] = [True] * (b - a)
            taken.append(f)
    return taken


def _reference_choose_nav(obs, navs):
    """The rule of ``_choose_nav``'s docstring over every navigation file."""
    over = [n for n in navs.files if n.overlap_s(obs) > 0]
    same = [n for n in over if n.station == obs.station]
    cover = {}
    for n in same:
        cover[n.system or n.content] = cover.get(n.system or n.content, 0.0) + n.overlap_s(obs)
    full = {k for k, v in cover.items() if v >= obs.period_s}
    if same and full == set(cover) and "M" in full:
        return sorted(n.path for n in same)
    kinds = {}
    others = [n for n in over if n.station != obs.station]
    for n in sorted(others, key=lambda n: (not n.site.startswith("BRD"), -n.overlap_s(obs), n.path)):
        kinds.setdefault(n.system or n.content, []).append(n)
    best = {k: _reference_covering(obs, v) if v[0].site.startswith("BRD") else v for k, v in kinds.items()}
    if "M" in best:
        chosen = best["M"]
    else:
        chosen = [n for k, v in best.items() if k not in full and not (same and k not in cover) for n in v]
    return sorted({n.path for n in (*same, *chosen)})


def _reference_choose_bases(obs, bases):
    """The base file of the longest overlap (then by path) names the station; its files that add time."""
    over = [b for b in bases.files if b.overlap_s(obs) > 0]
    if not over:
        return []
    best = min(over, key=lambda b: (-b.overlap_s(obs), b.path))
    station = sorted((b for b in over if b.site == best.site), key=lambda b: (-b.overlap_s(obs), b.path))
    return sorted(_reference_covering(obs, station), key=lambda b: b.start)


def _reference_wanted(station, stations):
    if not stations or station in stations:
        return True
    return any(station[:4] == s[:4] for s in stations if len(s) == 4 or len(station) == 4)


class _ReferenceStations:
    def __init__(self, stations):
        self.listed = list(stations or ())

    def wants(self, site):
        return _reference_wanted(site, self.listed)

    def missing(self, names):
        return [x for x in self.listed if not any(_reference_wanted(n.site, [x]) for n in names)]


def _use_reference(monkeypatch) -> None:
    monkeypatch.setattr(plan_module._SpanIndex, "overlapping", _scan)
    monkeypatch.setattr(plan_module._SpanIndex, "any_overlapping", _scan_any)
    monkeypatch.setattr(plan_module, "_choose_nav", _reference_choose_nav)
    monkeypatch.setattr(plan_module, "_choose_bases", _reference_choose_bases)
    monkeypatch.setattr(plan_module, "_covering", _reference_covering)
    monkeypatch.setattr(plan_module, "_Stations", _ReferenceStations)


@pytest.mark.parametrize("seed", range(8))
def test_plans_of_random_sets_equal_the_reference_s(tmp_path, monkeypatch, seed):
    """The same units, files, order, notes, skipped files and warnings as a scan of every file for every
    unit (the indexes by station, kind and time, the station list as sets, the covering that stops at a
    covered span), for SPP, PPP and RTK units, files alone and joined, with and without a station list."""
    inputs = _random_set(seed, tmp_path)
    fast = [_planned(tmp_path, inputs, kw) for kw in _configs(inputs)]
    _use_reference(monkeypatch)
    assert [_planned(tmp_path, inputs, kw) for kw in _configs(inputs)] == fast


CASES = {
    "a gap of the hourly merged files filled by another station's file": (
        r"StationDay\(station='(\w{4}).*'nav': \([^)]*BRDC00WRD_S_\d{11}_01H_MN[^)]*'(?!\1)S\d\d[ABC]00XXX_R_"
    ),
    "per-system files of another station (no mixed file among the others)": (
        r"StationDay\(station='(\w{4}).*'nav': \([^)]*'(?!\1|BRD)\w{9}_R_\d{11}_01D_[GREC]N\.rnx'"
    ),
    "a station's file of one system beside a merged mixed one": r"'nav': \('BRDC00WRD_S_[^)]*_01D_RN\.rnx'",
    "a rover with several base files": r"StationDay.*'base': \('[^']+', '",
    "a rover across midnight": r"StationDay.*session='2300-02H'.*'base'",
    "joined files": r"StationDay.*'obs': \('[^']+', '",
    "no base file for a rover": r"reason='no base file overlaps",
    "a rover that is the base": r"reason='the rover is the base",
    "twins by name": r"reason='duplicate of",
    "a station not listed": r"reason='station not in the station list'",
    "listed stations without files": r"listed station\(s\) NONE00XXX, QQQQ",
    "another centre's products": r"notes=\('orbit and clock of \w+; left out",
    "files that serve no unit": r"serve no unit",
}


def test_the_random_sets_reach_the_cases_they_are_for(tmp_path):
    """Each case the comparison is meant to cover occurs in the random sets (else it compares little)."""
    lines = []
    for seed in range(8):
        folder = tmp_path / str(seed)
        folder.mkdir()
        inputs = _random_set(seed, folder)
        lines += "\n".join(_planned(folder, inputs, kw) for kw in _configs(inputs)).splitlines()
    for case, pattern in CASES.items():
        assert any(re.search(pattern, line) for line in lines), case


def test_a_random_set_plans_as_before_the_indexes(tmp_path):
    """The plans of seed 11 (every configuration), as c36ca01 made them by scanning every file for every
    unit: a change of a planning rule changes this digest (then recompute it), an index must not."""
    inputs = _random_set(11, tmp_path)
    text = "\n\n".join(_planned(tmp_path, inputs, kw) for kw in _configs(inputs))
    assert hashlib.sha256(text.encode()).hexdigest() == DIGEST_11


DIGEST_11 = "7af6de4fba842122ba25f4255f453d12e524c1caf93fa41da288848f7a2750f1"
