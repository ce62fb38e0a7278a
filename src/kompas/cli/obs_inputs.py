"""Observation files named on a command line: one receiver's session in one file or in several.

``OBS`` (and rtk's ``ROVER`` and ``BASE``) may be a quoted pattern (``'GRAS*_15M_01S_MO.crx.gz'``), as
RTKLIB's ``rnx2rtkp`` takes a wildcard: the files it matches are one receiver's session
(:mod:`kompas.io.readers.obs_files`). spp and ppp also take the files the shell expanded: observation
files among the navigation files join ``OBS`` (told apart by their content, as ``kompas.read`` does).
"""

from __future__ import annotations

import os

from ..errors import ConfigError, KompasError
from ..io.names import glob_files

__all__ = ["expand_obs", "obs_among_nav", "check_session"]

_MAGIC = "*?["


def expand_obs(spec: str, role: str = "OBS") -> list[str]:
    """The files of a command line's observation argument: the path itself, or the files a pattern
    matches (:func:`kompas.io.names.glob_files`, as ``kompas batch`` expands its inputs; a path that
    exists is never taken as a pattern).

    Raises
    ------
    ConfigError
        For a pattern that matches no file.
    """
    if os.path.exists(spec) or not any(c in spec for c in _MAGIC):
        return [spec]
    found = glob_files(spec)
    if not found:
        raise ConfigError(f"{role} pattern {spec!r} matches no file")
    return found


def obs_among_nav(nav: list[str]) -> tuple[list[str], list[str]]:
    """``(observation files, the other files)`` of the positional navigation files, in their order.

    A file whose kind cannot be told stays among the navigation files, whose reader then names what is
    wrong with it.
    """
    obs, rest = [], []
    for path in nav:
        (obs if file_kind(path) == "obs" else rest).append(path)
    return obs, rest


def file_kind(path: str) -> str | None:
    """The kind :func:`kompas.io.detect.detect` tells of a file, None when it cannot (or no such file)."""
    from ..io.detect import detect

    try:
        return detect(path) if os.path.isfile(path) else None
    except KompasError:
        return None


def check_session(paths: list[str]) -> list[str]:
    """Check, from the headers alone, that several files are one receiver's (ConfigError otherwise).

    Returns the paths in time order (by the first epoch of each file, as they are read as one session), so
    that what names them (``session  2 files read as one (FIRST ... LAST)``) follows the data: by name,
    ``ksim001a.17o`` came before ``ksim366w.16o`` of the day before.
    """
    if len(paths) <= 1:
        return list(paths)
    from ..io.readers.obs_files import plan_obs_files

    return list(plan_obs_files(paths)[0])


OBS_HELP = (
    "RINEX observation file; one receiver's several files of a session as a quoted pattern "
    "('GRAS*_15M_01S_MO.crx.gz')"
)
"""The help of an observation argument (spp and ppp add: or several files among NAV)."""
