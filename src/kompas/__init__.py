"""kompas: GNSS processing with BeiDou and GLONASS as first-class citizens.

The public names live in :mod:`kompas.api`; ``from kompas import ...`` re-exports them.
"""

from .api import *  # noqa: F403
from .api import __all__ as __all__


def __getattr__(name: str):
    # the version is looked up on first use: importlib.metadata costs ~30 ms at every start of the CLI
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("kompas")
        except PackageNotFoundError:  # running from a source tree without installation
            return "0+unknown"
    raise AttributeError(f"module 'kompas' has no attribute {name!r}")
