"""Planning: files by glob or station list -> station-days, each matched with its navigation/product files.

Matching rules (by the names; :mod:`kompas.io.names`):

* every observation file is one unit, identified by ``(station, day, session)``; a name that follows no
  convention is identified from its header (``MARKER NAME``, ``TIME OF FIRST OBS``). Two files with the
  same identity (``delf0010.21o`` and its Hatanaka twin ``delf0010.21d``; a short name and the long name
  of the same station, day and session, ``wtzr1770.20o`` and ``WTZR00DEU_R_20201770000_01D_30S_MO``) are
  one unit: the first in path order is used, the other is reported as a duplicate. So is a file of the
  same station and day whose decompressed content equals another's under a name that makes it another
  unit (``WTZR00DEU`` and ``WTZR01DEU``, ``01D`` and ``01H``, plain and gzipped: :mod:`.copies`). With
  ``join_sessions`` a station's files of one day (15-minute, hourly) are one unit instead, its session
  named after their joint span.
* navigation files are the ones whose nominal span overlaps the observations'. When some come from the
  same station (same four-character code), those are used; otherwise one file per navigation content
  (``MN`` mixed, or ``GN``/``RN``/``EN``/``CN``... per system) is chosen, preferring combined broadcast
  files (``BRDC``, ``BRDM``, ``BRD4``), then the longest overlap, then the name; a mixed file alone
  serves when there is one. Navigation files whose names say nothing apply to every unit.
* products (``orbit``, ``clock``, ``bias``, ``ionex``) of each kind come from one producer: the one
  whose files overlap the observations (widened by :data:`PRODUCT_MARGIN_S` for interpolation) the
  most; orbits and clocks from the same producer (the one whose orbits and clocks together cover the
  span best), as a centre's clocks go with its own orbits; ANTEX files apply to every unit. Where there
  was a choice, the unit's ``notes`` name the producer used and those left out with why, and one
  :class:`~kompas.errors.KompasWarning` names the product files that no unit uses.
* base stations (``base``, for RTK): of the base observation files given, the station of the one whose
  span overlaps the rover's the most (then the name); the rover gets every file of that station that
  overlaps its span, read as one session (a rover session across the hour or day boundary of the base's
  files is served whole). A rover that is itself that base station is left out.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as _dt
import itertools
import math
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence

from ..config import read_toml
from ..errors import ConfigError, KompasWarning, caller_stacklevel
from ..io.names import FileName, glob_files, name_from_header, parse_name
from .copies import find_copies
from .job import StationDay

__all__ = ["Plan", "Skipped", "StationList", "expand", "classify", "plan", "load_station_list", "session_of"]

PRODUCT_MARGIN_S = 3 * 3600
"""Products are matched against the observation span widened by this much on each side, s (an SP3
interpolation near midnight needs the neighbouring day's epochs)."""

PRODUCT_ROLES = ("orbit", "clock", "bias", "ionex")

_ANTEX = re.compile(r"\.atx(\.(gz|z|bz2|zip))?$", re.IGNORECASE)
_NO_TIME = _dt.datetime(1980, 1, 6)  # a file that applies at any time has span 0
_UNKNOWN = "not an observation, navigation or product file (by its name or header)"
_BROKEN_OBS = ("an observation file whose header gives no station or first epoch (MARKER NAME, TIME OF FIRST "
               "OBS) to plan it by: kompas info FILE says what is wrong")  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Skipped:
    """An observation file that is not processed, and why (one row of the final table)."""

    path: str
    station: str
    day: str
    session: str
    reason: str


@dataclasses.dataclass(frozen=True)
class Plan:
    """The units to process and the observation files left out."""

    items: tuple[StationDay, ...]
    skipped: tuple[Skipped, ...] = ()


@dataclasses.dataclass(frozen=True)
class StationList:
    """A station list (TOML): which stations, and optionally where their files are.

    Attributes
    ----------
    stations : tuple of str
        Station ids (nine- or four-character); empty means every station.
    obs, nav : tuple of str
        Glob patterns (relative ones taken from the TOML file's folder).
    """

    stations: tuple[str, ...] = ()
    obs: tuple[str, ...] = ()
    nav: tuple[str, ...] = ()


def expand(patterns: Iterable[str], what: str = "input") -> list[str]:
    """Absolute paths of the files matching glob patterns (``**`` recurses), sorted, without repeats.

    Raises
    ------
    ConfigError
        When a pattern matches no file (naming the pattern).
    """
    out: set[str] = set()
    for pattern in patterns:
        found = glob_files(pattern)
        if not found:
            raise ConfigError(f"no {what} file matches {pattern!r}")
        out.update(os.path.abspath(p) for p in found)
    return sorted(out)


def _as_list(value, key: str, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: {key} must be a string or a list of strings")
    return tuple(value)


def load_station_list(path: str) -> StationList:
    """Read a station list::

        stations = ["ESBC00DNK", "WTZR"]        # ids to process (nine or four characters)
        obs = ["data/**/*_MO.crx.gz"]          # optional observation globs
        nav = ["data/**/*_MN.rnx.gz"]          # optional navigation globs

    Relative globs are taken from the TOML file's folder. Unknown keys are errors.
    """
    data = read_toml(path, "station list")
    unknown = sorted(set(data) - {"stations", "obs", "nav"})
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r}; known: stations, obs, nav")
    folder = os.path.dirname(os.path.abspath(path))

    def rooted(patterns):
        return tuple(p if os.path.isabs(os.path.expanduser(p)) else os.path.join(folder, p) for p in patterns)

    stations = tuple(s.strip().upper() for s in _as_list(data.get("stations", []), "stations", path))
    return StationList(
        stations=tuple(s for s in stations if s),
        obs=rooted(_as_list(data.get("obs", []), "obs", path)),
        nav=rooted(_as_list(data.get("nav", []), "nav", path)),
    )


def classify(paths: Iterable[str]) -> dict[str, list[FileName]]:
    """Files by kind (``obs``, ``nav``, ``orbit``...) from their names; observation files with other names
    by their header. Files that are none of these are left out (under the key ``other`` as paths'
    :class:`FileName` with kind ``other``)."""
    out: dict[str, list[FileName]] = {}
    for p in paths:
        name = parse_name(p)
        if name is None and _ANTEX.search(os.path.basename(p)):
            name = FileName(p, "antex", "", _NO_TIME, 0, "ATX")
        if name is None:
            name = name_from_header(p) or FileName(p, _unplanned_kind(p), "", _NO_TIME, 0, "")
        out.setdefault(name.kind, []).append(name)
    return out


class _SpanIndex:
    """Files by start time, to find those that share time with a span without comparing it with them all
    (``plan`` compared every unit with every navigation and base file, ~3.5 us a pair: quadratic)."""

    def __init__(self, files: Sequence[FileName]):
        self.files = list(files)
        self.order = sorted(range(len(self.files)), key=lambda i: self.files[i].start)
        self.starts = [self.files[i].start for i in self.order]
        self.longest = _dt.timedelta(seconds=max((f.period_s for f in self.files), default=0))

    def _window(self, span: FileName) -> range:
        # a file starting ``longest`` before the span has ended by its start; one starting at its end
        # or later shares no time with it either
        lo = bisect.bisect_left(self.starts, span.start - self.longest)
        return range(lo, bisect.bisect_left(self.starts, span.end))

    def overlapping(self, span: FileName) -> list[FileName]:
        """The files sharing time with ``span``, in their given order: the order a scan of them all saw, so
        the sums of overlaps and the stable sorts after it see the same sequence."""
        window = self._window(span)
        chosen = sorted(self.order[window.start : window.stop])
        return [self.files[i] for i in chosen if self.files[i].overlap_s(span) > 0]

    def any_overlapping(self, span: FileName, station: str | None = None) -> bool:
        """Whether a file (of another station than ``station``) shares time with ``span``. The latest
        starts come first: of a day's files those overlap, where the earliest may have ended."""
        for k in reversed(self._window(span)):
            f = self.files[self.order[k]]
            if f.station != station and f.overlap_s(span) > 0:
                return True
        return False


class _Pool:
    """Dated files indexed by time, by a key of each (its station or site)."""

    def __init__(self, files: Sequence[FileName], key):
        self.files = list(files)
        groups: dict[str, list[FileName]] = {}
        for f in self.files:
            groups.setdefault(key(f), []).append(f)
        self.by_key = {k: _SpanIndex(v) for k, v in groups.items()}

    def __len__(self) -> int:
        return len(self.files)

    def of(self, key: str, span: FileName) -> list[FileName]:
        """The files of ``key`` that share time with ``span``, in their given order."""
        index = self.by_key.get(key)
        return index.overlapping(span) if index is not None else []


class _BasePool(_Pool):
    """Base files by site, and the first by path of each nominal span."""

    def __init__(self, files: Sequence[FileName]):
        super().__init__(files, lambda b: b.site)
        # of the files of one nominal span (one overlap with any unit) the first by path stands for them:
        # the base of the longest overlap (then by path) is the best of these few
        firsts: dict[tuple, FileName] = {}
        for f in self.files:
            if (f.start, f.period_s) not in firsts or f.path < firsts[f.start, f.period_s].path:
                firsts[f.start, f.period_s] = f
        self.firsts = _SpanIndex(list(firsts.values()))


def _nav_key(n: FileName) -> str:
    """What a navigation file serves: its system (``M`` mixed), else its content as named."""
    return n.system or n.content


class _NavPool(_Pool):
    """Navigation files by station, and by what they serve (:func:`_nav_key`) and whether they are merged
    (``BRD*``): a unit looks only at the kinds its choice needs. Every other station's file of the day was
    a candidate for every unit (each station's GPS file of a RINEX 2 network: 46 s for 2,048 units)."""

    def __init__(self, files: Sequence[FileName]):
        super().__init__(files, lambda n: n.station)
        groups: dict[tuple[str, bool], list[FileName]] = {}
        for f in self.files:
            groups.setdefault((_nav_key(f), f.site.startswith("BRD")), []).append(f)
        self.by_kind = {k: _SpanIndex(v) for k, v in groups.items()}
        self.kinds = sorted({k for k, _ in groups})

    def has_other(self, kind: str, obs: FileName) -> bool:
        """Whether a file of ``kind`` of another station shares time with ``obs``."""
        return any(
            (kind, merged) in self.by_kind and self.by_kind[kind, merged].any_overlapping(obs, obs.station)
            for merged in (True, False)
        )

    def others(self, kind: str, merged: bool, obs: FileName) -> list[FileName]:
        """The files of ``kind`` (merged or not) of other stations that share time with ``obs``, the longest
        overlap first, then by path."""
        index = self.by_kind.get((kind, merged))
        found = [n for n in index.overlapping(obs) if n.station != obs.station] if index else []
        return sorted(found, key=lambda n: (-n.overlap_s(obs), n.path))

    def best(self, kind: str, obs: FileName) -> list[FileName]:
        """Of ``kind``: the merged files that cover ``obs`` (the others of the longest overlap where they
        leave a gap), else every file of the others."""
        merged = self.others(kind, True, obs)
        if not merged:
            return self.others(kind, False, obs)

        def rest():  # read only when the merged files leave a gap
            yield from self.others(kind, False, obs)

        return _covering(obs, itertools.chain(merged, rest()))


def _nav_pool(among: Sequence[FileName], nav: Iterable[str]) -> tuple[_NavPool, list[str]]:
    """Navigation files by name (dated: matched to units by day) and the undated ones (every unit), each
    file once: one both among the files and in ``--nav`` listed twice changed the unit's input hash."""
    dated, undated = list(among), []
    seen = {os.path.realpath(n.path) for n in dated}
    for p in nav:
        if os.path.realpath(p) in seen:
            continue
        seen.add(os.path.realpath(p))
        name = parse_name(p)
        if name is None:
            undated.append(p)
        else:
            dated.append(name)
    return _NavPool(dated), sorted(undated)


def _unplanned_kind(path: str) -> str:
    """``broken_obs`` for an observation file (by its first line) whose header gives no station or first
    epoch to plan it by, ``other`` for anything else."""
    from ..errors import KompasError
    from ..io.detect import detect

    try:
        return "broken_obs" if detect(path) == "obs" else "other"
    except (KompasError, OSError):
        return "other"


def session_of(name: FileName) -> str:
    """``HHMM-PPU``: start time and nominal span of a file (``0000-01D``, ``1000-01H``, ``1700-15M``)."""
    p = name.period_s
    for unit, size in (("D", 86400), ("H", 3600), ("M", 60)):
        if p % size == 0 and p // size < 100:
            return f"{name.start:%H%M}-{p // size:02d}{unit}"
    return f"{name.start:%H%M}-{p}S"


def _choose_nav(obs: FileName, navs: _NavPool) -> list[str]:
    """The navigation files of an observation file: the station's own, and others where those leave a gap.

    A station's own files serve alone when each of their systems covers the observation span and one of
    them is mixed; a mixed file of another (``BRD*`` first) is added where they are not mixed or leave part
    of the span, else the other files of each system they do not cover. A station file of one hour or
    of one system must not leave the rest of the day or the other systems without records when a complete
    file is at hand (ESBC's day with a 1-hour station file beside the day's BRDC file: 789 of 2880 epochs
    solved). Merged ``BRD*`` files serve alone, as many as cover the span (24 hourly files for a day);
    without them every overlapping file of other stations is kept, as each holds only the satellites its
    station tracked (DELF's day with AMEL's GLONASS file alone: 0 of 105 epochs solved; with DLF1's too:
    31, as ``kompas spp`` given both). A unit then reads them all: a pool of hundreds of stations' files
    and no BRD file costs seconds of reading per unit.
    """
    same = navs.of(obs.station, obs)
    cover: dict[str, float] = {}
    for n in same:
        cover[_nav_key(n)] = cover.get(_nav_key(n), 0.0) + n.overlap_s(obs)
    full = {k for k, v in cover.items() if v >= obs.period_s}
    if same and full == set(cover) and "M" in full:
        return sorted(n.path for n in same)
    # a mixed file of another serves alone, else those of the systems the station's own files do not cover
    if navs.has_other("M", obs):
        kinds = ["M"]
    else:
        kinds = [k for k in navs.kinds if k not in full and not (same and k not in cover)]
    chosen = [n for k in kinds for n in navs.best(k, obs)]
    return sorted({n.path for n in (*same, *chosen)})


def _covering(obs: FileName, files: Iterable[FileName]) -> list[FileName]:
    """Of ``files`` (best first), each one that adds time of the observation span (minute bins) to the ones
    taken before it; once the span is covered, no other is looked at."""
    bins = [False] * max(1, math.ceil(obs.period_s / 60.0))
    left, taken = len(bins), []
    for f in files:
        a = max(0, int((f.start - obs.start).total_seconds() // 60))
        b = min(len(bins), math.ceil((f.end - obs.start).total_seconds() / 60.0))
        if b > a and not all(bins[a:b]):
            left -= bins[a:b].count(False)
            bins[a:b] = [True] * (b - a)
            taken.append(f)
            if not left:
                break
    return taken


def _widened(obs: FileName) -> FileName:
    return dataclasses.replace(
        obs,
        start=obs.start - _dt.timedelta(seconds=PRODUCT_MARGIN_S),
        period_s=obs.period_s + 2 * PRODUCT_MARGIN_S,
    )


def _coverage(obs: FileName, files: Sequence[FileName]) -> dict[str, float]:
    """Seconds of the widened span each producer's files cover."""
    wide, cover = _widened(obs), {}
    for f in files:
        if f.overlap_s(wide) > 0:
            cover[f.site] = cover.get(f.site, 0.0) + f.overlap_s(wide)
    return cover


def _of_site(obs: FileName, files: Sequence[FileName], site: str) -> list[str]:
    wide = _widened(obs)
    return sorted(f.path for f in files if f.site == site and f.overlap_s(wide) > 0)


@dataclasses.dataclass(frozen=True)
class _Choice:
    """The producer chosen for some product roles of a unit, and the producers left out with why."""

    roles: str  # "orbit and clock", "bias"
    site: str
    left_out: dict  # producer -> reason
    files: dict  # path of each file left out -> its producer

    def note(self) -> str:
        """``orbit and clock of GRG0MGXFIN; left out: COD0MGXFIN (no clock file)`` ('' with no
        other producer to choose from); the producers left out for the same reason are named together,
        ``left out: COD0MGXFIN, WUM0MGXFIN (cover the span as well, ...)``."""
        if not self.left_out:
            return ""
        same: dict[str, list[str]] = {}
        for s, r in sorted(self.left_out.items()):
            same.setdefault(r, []).append(s)
        why = ", ".join(f"{', '.join(names)} ({_for_many(r, len(names))})" for r, names in same.items())
        return f"{self.roles} of {self.site}; left out: {why}"

    def dropped(self) -> list[tuple[str, str]]:
        """``(path, why)`` of each file left out."""
        used = f"{self.roles} of {self.site} used"
        return [(p, f"{used}; {s}: {self.left_out[s]}") for p, s in self.files.items()]


def _for_many(reason: str, n: int) -> str:
    """A reason of :func:`_less` (``covers ...``) said of ``n`` producers."""
    return f"cover {reason.removeprefix('covers ')}" if n > 1 and reason.startswith("covers ") else reason


def _less(site: str, hours: float, best: str, best_hours: float) -> str:
    if hours == best_hours:
        return f"covers the span as well, {best} comes first by name"
    return f"covers {hours:.1f} h of the span, {best} {best_hours:.1f} h"


def _choose_products(obs: FileName, files: Sequence[FileName], role: str) -> tuple[list[str], _Choice | None]:
    """The files of the producer that covers the widened span best (then by name), and the choice."""
    cover = _coverage(obs, files)
    if not cover:
        return [], None
    site = min(cover, key=lambda s: (-cover[s], s))
    left = {s: _less(s, cover[s] / 3600, site, cover[site] / 3600) for s in cover if s != site}
    dropped = {p: s for s in left for p in _of_site(obs, files, s)}
    return _of_site(obs, files, site), _Choice(role, site, left, dropped)


def _choose_orbits_and_clocks(obs: FileName, orbits, clocks) -> tuple[list[str], list[str], list[_Choice]]:
    """Orbits and clocks of one producer (a centre's clocks are estimated with its own orbits): the one
    whose two kinds together cover the span best; each kind on its own when no producer gives both."""
    co, cc = _coverage(obs, orbits), _coverage(obs, clocks)
    both = set(co) & set(cc)
    if not both:
        (o, oc), (c, cc_) = _choose_products(obs, orbits, "orbit"), _choose_products(obs, clocks, "clock")
        return o, c, [x for x in (oc, cc_) if x is not None]
    site = min(both, key=lambda s: (-(co[s] + cc[s]), s))
    hours = {s: (co[s] + cc[s]) / 2 / 3600 for s in both}
    left = {s: _less(s, hours[s], site, hours[site]) for s in both if s != site}
    left.update({s: "no clock file" for s in set(co) - both})
    left.update({s: "no orbit file" for s in set(cc) - both})
    dropped = {p: s for s in left for p in _of_site(obs, orbits, s) + _of_site(obs, clocks, s)}
    choice = _Choice("orbit and clock", site, left, dropped)
    return _of_site(obs, orbits, site), _of_site(obs, clocks, site), [choice]


def _unit_products(span: FileName, indexes: dict, roles) -> tuple[dict, list[_Choice]]:
    """The product files of a unit by role (each kind from one producer, orbits and clocks from the same
    one) and the choices made; ``indexes``: the product files of each role by time (:class:`_SpanIndex`).

    Only the files sharing time with the widened span can serve it: the index gives the same files, in
    the same order, as a scan of them all (every unit against every product file was quadratic)."""
    kinds = {role: index.overlapping(_widened(span)) for role, index in indexes.items()}
    inputs, choices = {}, []
    if {"orbit", "clock"} <= set(roles):
        orbits, clocks, choices = _choose_orbits_and_clocks(
            span, kinds.get("orbit", []), kinds.get("clock", [])
        )
        inputs = {"orbit": tuple(orbits), "clock": tuple(clocks)}
    for role in sorted(set(roles) & set(PRODUCT_ROLES) - set(inputs)):
        chosen, choice = _choose_products(span, kinds.get(role, []), role)
        inputs[role] = tuple(chosen)
        choices += [choice] if choice is not None else []
    return inputs, choices


def _warn_files(head: str, named: Sequence[str], tail: str = "") -> None:
    """One warning: ``head``, the first three of ``named`` and how many more, ``tail``."""
    more = f" and {len(named) - 3} more" if len(named) > 3 else ""
    warnings.warn(
        f"{head}: {'; '.join(named[:3])}{more}{tail}", KompasWarning, stacklevel=caller_stacklevel()
    )


def _warn_left_out(left_out: dict[str, list[str]]) -> None:
    """One warning for the product files some unit did not use because another producer's were chosen."""
    if not left_out:
        return
    named = [f"{os.path.basename(p)} ({len(why)} unit(s): {why[0]})" for p, why in sorted(left_out.items())]
    head = "product files of another producer left out (one analysis centre per unit and kind)"
    _warn_files(head, named, "; each unit's message names the centre it used")


def _idle(dated: Sequence[FileName], spans: Sequence[FileName]) -> list[FileName]:
    """The files of ``dated`` that share no time with any of ``spans``."""
    index = _SpanIndex(spans)
    return [f for f in dated if not index.any_overlapping(f)]


def _warn_idle(idle: Sequence[FileName], planned: bool) -> None:
    """One warning for the dated navigation and product files whose span (by name) meets no planned unit's
    widened span: another day, or hours without a session. (Files of another producer, or superseded by a
    longer file, overlap some unit and are not named here.)"""
    if not idle or not planned:
        return

    def length(f: FileName) -> str:
        return f"{f.period_s / 3600:g} h" if f.period_s >= 3600 else f"{f.period_s / 60:g} min"

    named = [f"{os.path.basename(f.path)} ({f.start:%Y-%m-%d %H:%M}, {length(f)})" for f in idle]
    _warn_files(
        f"{len(named)} navigation or product file(s) serve no unit (no observation session in their span)",
        named,
    )


def _base_names(paths: Sequence[str]) -> _BasePool:
    out = []
    for p in paths:
        name = parse_name(p) or name_from_header(p)
        if name is None or name.kind != "obs":
            raise ConfigError(f"{p}: a base must be an observation file (by its name or header)")
        out.append(name)
    return _BasePool(out)


def _missing_reason(missing: list, span: FileName, day: str, bases: _BasePool) -> str:
    """Why a unit is not planned: the roles without a file, or, when base files were given but none covers
    the session, its hours."""
    if missing == ["base"] and bases:
        return (f"no base file overlaps {span.start:%H:%M}-{span.end:%H:%M} of {day} (of the {len(bases)} "
                "base files given)")  # fmt: skip
    return f"no {' or '.join(missing)} file for {day}"


def _choose_bases(obs: FileName, bases: _BasePool) -> list[FileName]:
    """The files of one base station that together cover ``obs`` (each adding time to the ones of longer
    overlap before it: one of each session, a day file rather than its hours), in time order, read as one
    session; the station is the one of the base file overlapping ``obs`` the most (then by path). A rover
    file of 23:00-01:00 beside the base's hourly files of 23:00 and 00:00 gets both; given the 23:00 one
    alone it had no base epoch in half of its epochs."""
    firsts = bases.firsts.overlapping(obs)  # the best of each span: files of one span overlap alike
    if not firsts:
        return []
    best = min(firsts, key=lambda b: (-b.overlap_s(obs), b.path))
    station = sorted(bases.of(best.site, obs), key=lambda b: (-b.overlap_s(obs), b.path))
    return sorted(_covering(obs, station), key=lambda b: b.start)


def _distinct(names, stations: _Stations, skipped) -> list[FileName]:
    """The observation files of the stations wanted, in path order, one per (station, day, session) and
    content: the others go to ``skipped`` as duplicates."""
    files_of: dict[tuple, FileName] = {}
    by_station: dict[tuple, list[FileName]] = {}  # four-character station: a short name's long twin
    twins = []
    for obs in sorted(names, key=lambda n: n.path):
        key = (obs.site, obs.day.isoformat(), session_of(obs))
        if not stations.wants(obs.site):  # accounted for, as every file given is
            skipped.append(Skipped(obs.path, *key, "station not in the station list"))
            continue
        near = by_station.setdefault((obs.station, *key[1:]), [])
        # a short (RINEX 2) name and a long one of the same station, day and session are one receiver's
        # data; two long names differ in monument or receiver number when their sites differ
        twin = files_of.get(key) or next((f for f in near if 4 in (len(f.site), len(obs.site))), None)
        if twin is not None:
            twins.append((obs, key, twin))
            continue
        files_of[key] = obs
        near.append(obs)
    copies = find_copies(list(files_of.values()))
    planned = {copy.path: original for copy, original in copies}  # a twin of a copy: of its original
    for obs, key, twin in twins:
        skipped.append(Skipped(obs.path, *key, f"duplicate of {planned.get(twin.path, twin).path}"))
    for copy, original in copies:
        key = (copy.site, copy.day.isoformat(), session_of(copy))
        skipped.append(Skipped(copy.path, *key, f"duplicate of {original.path} (the same content)"))
        del files_of[key]
    missing = stations.missing(names)
    if missing:
        warnings.warn(f"no observation file among the inputs of the listed station(s) {', '.join(missing)}",
                      KompasWarning, stacklevel=caller_stacklevel())  # fmt: skip
    return list(files_of.values())


def _one_antex(found: Sequence[FileName], roles) -> tuple[str, ...]:
    """The ANTEX file found among the inputs; several are a user error now, not a failure of every unit
    later (a task reads one)."""
    paths = tuple(sorted(n.path for n in found))
    if "antex" in roles and len(paths) > 1:
        names = ", ".join(os.path.basename(p) for p in paths)
        raise ConfigError(f"{len(paths)} ANTEX files among the inputs ({names}): choose one with --with "
                          "antex=FILE")  # fmt: skip
    return paths


def _is_base(base: Sequence[FileName], span: FileName, paths: Sequence[str]) -> bool:
    """Whether the rover of ``paths`` is the base station itself (or one of its files, renamed)."""
    if not base:
        return False
    return base[0].site == span.site or any(os.path.samefile(b.path, p) for b in base for p in paths)


def _units(names, join: bool):
    """``(span, observation paths)`` per unit: each file alone, or with ``join`` the files of one
    station and day together, the span from the first start to the last end."""
    if not join:
        return [(n, (n.path,)) for n in names]
    days: dict = {}
    for n in names:
        days.setdefault((n.site, n.day), []).append(n)
    out = []
    for group in days.values():
        group.sort(key=lambda n: (n.start, n.path))
        end = max(n.end for n in group)  # the group starts with its earliest file
        span = dataclasses.replace(group[0], period_s=int((end - group[0].start).total_seconds()))
        out.append((span, tuple(n.path for n in group)))
    return out


class _Stations:
    """The stations asked for, by their 9-character id or their 4-character name, whichever the file gives
    (a RINEX 2 file or a header names the 4 characters alone). Held as sets: a scan of the list for each
    file, and of the files for each listed station, grew as files x stations."""

    def __init__(self, stations: Sequence[str]):
        self.listed = list(stations or ())
        self.ids = set(self.listed)
        self.fours = {s for s in self.listed if len(s) == 4}
        self.heads = {s[:4] for s in self.listed}

    def wants(self, site: str) -> bool:
        """Whether the station ``site`` is asked for (every one when none is listed)."""
        if not self.listed or site in self.ids or site[:4] in self.fours:
            return True
        return len(site) == 4 and site in self.heads

    def missing(self, names: Iterable[FileName]) -> list[str]:
        """The listed stations that none of ``names`` is, in the list's order."""
        sites = {n.site for n in names}
        heads, fours = {s[:4] for s in sites}, {s for s in sites if len(s) == 4}
        return [x for x in self.listed if not (x in sites or x[:4] in fours or (len(x) == 4 and x in heads))]


def plan(
    files: Iterable[str],
    nav: Iterable[str] = (),
    *,
    needs: Sequence[str] = ("nav",),
    roles: Sequence[str] = ("nav",),
    stations: Sequence[str] = (),
    extra: Mapping[str, Sequence[str]] | None = None,
    join_sessions: bool = False,
) -> Plan:
    """Station-days from input files.

    Parameters
    ----------
    files : iterable of str
        Any files (observation files become units; navigation and product files among them join the
        pools to match from; others are ignored).
    nav : iterable of str
        Navigation files (those whose names say nothing apply to every unit).
    needs : sequence of str
        Roles a unit must have (``nav`` for SPP; ``orbit``, ``clock`` for PPP); a station-day without
        one is skipped with the reason.
    roles : sequence of str
        Roles the task reads besides ``obs`` (only these are matched and enter the unit and its hash).
    stations : sequence of str
        Only these stations (nine- or four-character ids, upper case); empty for all.
    extra : mapping, optional
        Files given for a role on every unit (``{"antex": [...]}``); ``base`` files (RTK) are matched to
        each unit by their span instead.
    join_sessions : bool
        A station's observation files of one day (15-minute or hourly sessions) are one unit, read as one
        session (:func:`kompas.io.readers.obs_files.read_obs_files`), named after their joint span
        (``0000-01D`` for 96 files of 15 minutes). Default: every file is a unit. Either way an RTK
        rover's base is every file of the chosen base station that overlaps the unit's span.

    Returns
    -------
    Plan
        Observation files left out are in ``skipped`` with the reason; so are the files of ``files``
        that are neither observation, navigation nor product files (by name or header).
    """
    kinds = classify(files)
    dated_nav, global_nav = _nav_pool(kinds.get("nav", []), nav)
    common = {role: tuple(paths) for role, paths in (extra or {}).items() if role != "base"}
    bases = _base_names((extra or {}).get("base", ()) if "base" in roles else ())
    common["antex"] = common.get("antex") or _one_antex(kinds.get("antex", []), roles)  # --with chooses
    items: dict[tuple, StationDay] = {}
    left_out: dict[str, list[str]] = {}  # product file -> why, per unit that did not use it
    spans: list[FileName] = []  # each planned unit's widened span
    skipped = [Skipped(f.path, "", "", "", _UNKNOWN) for f in kinds.get("other", [])]
    skipped += [Skipped(f.path, "", "", "", _BROKEN_OBS) for f in kinds.get("broken_obs", [])]
    products_by_role = {role: _SpanIndex(kinds.get(role, [])) for role in PRODUCT_ROLES if role in roles}
    for span, paths in _units(_distinct(kinds.get("obs", []), _Stations(stations), skipped), join_sessions):
        key = (span.site, span.day.isoformat(), session_of(span))
        inputs = {"obs": paths}
        if "nav" in roles:
            inputs["nav"] = tuple(_choose_nav(span, dated_nav)) + tuple(global_nav)
        products, choices = _unit_products(span, products_by_role, roles)
        inputs.update(products)
        inputs.update({k: v for k, v in common.items() if v and k in roles})
        if "base" in roles:
            base = _choose_bases(span, bases)
            if _is_base(base, span, paths):
                skipped.append(Skipped(paths[0], *key, f"the rover is the base ({base[0].path})"))
                continue
            inputs["base"] = tuple(b.path for b in base)
        missing = [r for r in needs if not inputs.get(r)]
        if missing:
            skipped.append(Skipped(paths[0], *key, _missing_reason(missing, span, key[1], bases)))
            continue
        notes = tuple(c.note() for c in choices if c.note())
        spans.append(_widened(span))
        items[key] = StationDay(span.site, key[1], key[2], {k: v for k, v in inputs.items() if v}, notes)
        for path, why in (x for c in choices for x in c.dropped()):
            left_out.setdefault(path, []).append(why)
    used = {p for item in items.values() for paths in item.inputs.values() for p in paths}
    _warn_left_out({p: why for p, why in left_out.items() if p not in used})
    dated = dated_nav.files + [f for role in PRODUCT_ROLES if role in roles for f in kinds.get(role, [])]
    _warn_idle(_idle(dated, spans), bool(items))
    return Plan(tuple(items.values()), tuple(skipped))
