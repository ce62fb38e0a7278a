"""kompas: GNSS processing with BeiDou and GLONASS as first-class citizens.

The public names live in :mod:`kompas.api`; ``from kompas import ...`` re-exports them.
"""

from importlib.metadata import PackageNotFoundError, version

from .api import *  # noqa: F403
from .api import __all__ as __all__

try:
    __version__ = version("kompas")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"
