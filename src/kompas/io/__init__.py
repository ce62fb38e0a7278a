"""File formats in and out: ``readers/`` (formats -> tables), ``writers/`` (solutions, RINEX, products).

Every reader opens its file through :func:`read_bytes` / :func:`read_text`, which recognise plain, gzip,
Unix ``.Z``, bzip2, zip and Hatanaka (CRINEX) content, so the same functions serve a user who needs a
decompressed copy (e.g. to hand a file to another program).
"""

from ._open import compression_of, read_bytes, read_text

__all__ = ["read_bytes", "read_text", "compression_of"]
