"""Recipes run from file paths: what ``kompas spp`` and ``kompas batch`` both do, so they agree bit for bit.

A recipe never reads files (ARCHITECTURE.md); a command names files. This module is the one place that
turns paths into the recipe's inputs, the same way for every caller: the observation file is read as a
stream of blocks (:func:`kompas.io.readers.obs_files.iter_obs_files`), so memory stays bounded by one block.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

__all__ = ["SppRun", "run_spp"]


@dataclass(frozen=True)
class SppRun:
    """What :func:`run_spp` read and solved.

    Attributes
    ----------
    solution : Solution
    first : ObsTable
        The first block of the observation file (its header and station information).
    navs : list of NavData
    """

    solution: object
    first: object
    navs: list


def run_spp(
    obs_path, nav_paths, config=None, *, ionex_paths=(), met_path=None, progress=None, skip_unreadable=False
):
    """Single point positioning of an observation file.

    Parameters
    ----------
    obs_path : str, os.PathLike or sequence of them
        One receiver's observation file, or its files of one session
        (:func:`kompas.io.readers.obs_files.iter_obs_files`).
    nav_paths : sequence of str or os.PathLike
    config : SppConfig, optional
    ionex_paths : sequence, optional
        IONEX maps (select ``iono = "ionex"`` when the option is left at its default).
    met_path : str or os.PathLike, optional
        RINEX MET file for the troposphere.
    progress : callable, optional
    skip_unreadable : bool
        Of several observation files, leave out the ones that do not read, with a warning
        (:func:`kompas.io.readers.obs_files.iter_obs_files`).

    Returns
    -------
    SppRun
    """
    from .errors import FormatError
    from .io.readers.ionex import read_ionex
    from .io.readers.met import read_met
    from .io.readers.obs_files import iter_obs_files
    from .io.readers.rinex_nav import read_nav
    from .spp import SppConfig, spp

    config = config or SppConfig()
    # other systems skipped unparsed
    blocks = iter_obs_files(obs_path, systems=config.systems, skip_unreadable=skip_unreadable)
    first = next(blocks, None)
    if first is None:  # pragma: no cover - iter_obs_files gives at least the header
        raise FormatError(obs_path, None, "no observation header")
    navs = [read_nav(p) for p in nav_paths]
    ionex = [read_ionex(p) for p in ionex_paths] or None
    met = read_met(met_path) if met_path else None
    sol = spp(itertools.chain([first], blocks), navs, config=config, progress=progress, ionex=ionex, met=met)
    return SppRun(sol, first, navs)
