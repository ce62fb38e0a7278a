"""The output sink every writer ends in: a path or an open file, text or bytes."""

from __future__ import annotations

import gzip
import io
import os

__all__ = ["write_text", "write_bytes"]


def write_text(path_or_file, text: str) -> None:
    """Write ``text`` to a path (UTF-8, no newline translation) or to an open text file."""
    if hasattr(path_or_file, "write"):
        path_or_file.write(text)
        return
    with open(path_or_file, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def write_bytes(path_or_file, data: bytes) -> None:
    """Write ``data`` to a path (gzip-compressed when it ends in ``.gz``) or an open file (text or binary)."""
    if hasattr(path_or_file, "write"):
        if isinstance(path_or_file, io.TextIOBase):
            path_or_file.write(data.decode("ascii"))
        else:
            path_or_file.write(data)
        return
    p = os.fspath(path_or_file)
    opener = gzip.open if str(p).lower().endswith(".gz") else open
    with opener(p, "wb") as fh:
        fh.write(data)
