"""Shared fixtures.

``kompas_data`` is the one way tests reach the real IGS/MGEX files: env ``KOMPAS_DATA``,
else ``../shared/data`` beside the repository. Tests that need it skip with the reason when
it is absent. Never write beside the data: use ``tmp_path``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _data_dir() -> Path:
    env = os.environ.get("KOMPAS_DATA")
    return Path(env) if env else (REPO_ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def kompas_data() -> Path:
    """Folder of real GNSS data (see its MANIFEST.md); skips the test when it is absent."""
    path = _data_dir()
    if not (path / "MANIFEST.md").is_file():
        pytest.skip(
            f"real-data folder not found at {path} (set KOMPAS_DATA to the folder holding MANIFEST.md)"
        )
    return path


@pytest.fixture(scope="session")
def tests_data() -> Path:
    """Folder of the repository's own tiny hand-made test files."""
    return REPO_ROOT / "tests" / "data"


@pytest.fixture(params=["numpy", "numba"])
def kernel_backend(request):
    """Run a test once with the numpy path and once with the numba kernels (skipped if absent)."""
    from kompas._kernels import backend, numba_available, use

    if request.param == "numba" and not numba_available():
        pytest.skip("numba is not installed (extra 'fast')")
    with use(request.param):
        assert backend() == request.param  # the tests of both backends do run both
        yield request.param


@pytest.fixture
def drawn(monkeypatch):
    """The figures that drawing functions save, kept (not written) for reading their axes back."""
    matplotlib_figure = pytest.importorskip("matplotlib.figure")
    figs = []
    monkeypatch.setattr(matplotlib_figure.Figure, "savefig", lambda self, *a, **k: figs.append(self))
    return figs
