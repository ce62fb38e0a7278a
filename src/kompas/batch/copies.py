"""Copies among the observation files: one content under several names is planned once.

Names make units (:func:`kompas.batch.plan.plan`), so the same bytes under two names that differ in the
monument or receiver number (``WTZR00DEU``/``WTZR01DEU``), the nominal span (``01D``/``01H``) or the
compression (a plain file beside a gzipped copy named otherwise) would be two units: processed twice, and
twice in the dataset. Files of one station (its four characters) and day are compared by their
decompressed content; each copy is left out of the plan with the file it copies (the first in path order).

The cost stays small: nothing is read for a station-day of one file; otherwise the first
:data:`HEAD_BYTES` of each file's decompressed content (the header and the first epochs: 0.05 ms for a
plain file, 0.3 ms for a gzipped one), and only the files whose starts are equal are hashed whole (SHA-256
of the decompressed content, :func:`kompas.io._open.content_digest`: 0.08 s for 100 MB plain, 0.46 s for
the same gzipped, measured on a warm page cache), so a file and a copy cut short or extended (one header,
the same first epochs) stay two units. A Hatanaka file and its expanded twin are different bytes: they are
one unit only when their names agree (station, day, session).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..errors import KompasError
from ..io._open import content_digest, peek
from ..io.names import FileName

__all__ = ["HEAD_BYTES", "find_copies"]

HEAD_BYTES = 1 << 16
"""Bytes of the decompressed start of a file compared before a whole file is hashed."""


def _head(path: str) -> str | None:
    """Digest of the start of the content; ``None`` for a file that cannot be read or is empty (never a
    copy: its unit reports the error, which a 'duplicate' row would hide)."""
    try:
        head = peek(path, HEAD_BYTES)
    except (KompasError, OSError):
        return None
    return hashlib.sha256(head).hexdigest() if head else None


def _whole(path: str) -> str | None:
    try:
        return content_digest(path)
    except (KompasError, OSError):
        return None


def _copies_among(files: Sequence[FileName]) -> list[tuple[FileName, FileName]]:
    """``(copy, original)`` pairs of files with equal content, the original the first by path."""
    by_head: dict[str, list[FileName]] = {}
    for f in sorted(files, key=lambda f: f.path):
        head = _head(f.path)
        if head is not None:
            by_head.setdefault(head, []).append(f)
    pairs = []
    for same in by_head.values():
        if len(same) < 2:
            continue
        first: dict[str, FileName] = {}
        for f in same:
            whole = _whole(f.path)
            if whole is None:
                continue
            if whole in first:
                pairs.append((f, first[whole]))
            else:
                first[whole] = f
    return pairs


def find_copies(names: Sequence[FileName]) -> list[tuple[FileName, FileName]]:
    """The observation files whose decompressed content equals that of another of the same station and day.

    Parameters
    ----------
    names : sequence of FileName
        Observation files, one per unit key already (twins by name are left out before).

    Returns
    -------
    list of (FileName, FileName)
        ``(copy, original)``: the original is the first of the equal files in path order; files that
        cannot be read, and empty ones, are never copies (their unit reports the error).
    """
    groups: dict[tuple, list[FileName]] = {}
    for n in names:
        groups.setdefault((n.station, n.day), []).append(n)
    pairs = []
    for group in groups.values():
        if len(group) > 1:
            pairs += _copies_among(group)
    return sorted(pairs, key=lambda p: p[0].path)
