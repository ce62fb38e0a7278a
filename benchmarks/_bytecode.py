"""Whole-process benchmarks: kompas's modules byte-compiled, as an installed package has them.

``pip install`` compiles a package's modules into ``__pycache__`` and Python caches the bytecode of an
editable install on its first import, so a user's ``kompas`` process loads compiled modules. A shell with
``PYTHONDONTWRITEBYTECODE=1`` (this development machine has it) never writes that cache: every process then
compiles kompas's ~110 modules again, about 0.1 s of its start-up (measured: ``import kompas.cli.main``
0.25 s without the cache, 0.16 s with it). The benchmarks that time kompas as a process call
:func:`ensure_bytecode` first so that they measure what users run; :mod:`compileall` writes the cache even
with ``PYTHONDONTWRITEBYTECODE`` set, and the cache is ignored by git.
"""

from __future__ import annotations

import compileall
import os


def ensure_bytecode() -> str:
    """Byte-compile the imported kompas package in place; returns a line for the benchmark's header."""
    import kompas

    root = os.path.dirname(kompas.__file__)
    ok = compileall.compile_dir(root, quiet=1)
    return f"kompas modules byte-compiled in {root} ({'ok' if ok else 'with errors'})"
