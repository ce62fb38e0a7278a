"""Recognise a GNSS file by its content and read it with the right reader (``kompas.read``)."""

from __future__ import annotations

import importlib
import os
import re

from ..errors import ConfigError, FormatError, read_first_hint
from ._open import file_name, is_crinex, peek

__all__ = ["KINDS", "detect", "read", "PRODUCT_READERS", "check_products"]

KINDS = {
    # kind: (module, reader function)
    "obs": ("rinex_obs", "read_obs"),
    "nav": ("rinex_nav", "read_nav"),
    "sp3": ("sp3", "read_sp3"),
    "clk": ("clk", "read_clk"),
    "antex": ("antex", "read_antex"),
    "bias": ("bias", "read_bias"),
    "ionex": ("ionex", "read_ionex"),
    "met": ("met", "read_met"),
}
_STRICT = {"obs", "nav", "sp3", "clk", "met", "antex"}  # readers with repairs or dropped records to refuse


# the SP3 header lines after the first (SP3-d, Hather & Springer 2016, table 2): "## week seconds ..." and
# "+   n  G01G02..."; other text files open with "##" too (PRIDE's satellite table)
_SP3_SECOND_LINES = re.compile(r"## +\d{1,4} +\d+\.\d+ |\+ +\d+ ")


def detect(path: str | os.PathLike) -> str:
    """The kind of a file from its first lines: ``obs, nav, sp3, clk, antex, bias, ionex`` or ``met``.

    Raises
    ------
    FormatError
        When the content is none of these (or the file is empty).
    """
    name = file_name(path)  # ConfigError for anything that is not a path (an ObsTable, None, a list)
    head = peek(path)
    if not head:
        raise FormatError(name, None, "file is empty")
    if is_crinex(head.lstrip(b"\r\n ")):
        return "obs"
    lines = head.decode("latin-1").splitlines()
    first_i = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first_i is None:
        raise FormatError(name, 1, "file holds only blank lines")
    first = lines[first_i]
    if first.startswith("#") and first[1:2] in "abcd" and first[1:2]:
        return "sp3"
    if first.startswith("%=BIA"):
        return "bias"
    if "ANTEX VERSION / SYST" in first:
        return "antex"
    if "IONEX VERSION / TYPE" in first:
        return "ionex"
    if "RINEX VERSION / TYPE" in first:
        # type letter in column 21 (RINEX clock 3.04 puts it one column later)
        kind_char = first[20:22].strip()[:1]
        if kind_char == "O":
            return "obs"
        if kind_char == "M" and "METEO" in first[20:60].upper():
            return "met"
        if kind_char in ("N", "G", "H", "B", "L", "J", "I", "C", "E") and "NAV" in first[20:60].upper():
            return "nav"
        if kind_char == "C" or "CLOCK" in first[20:60].upper():
            return "clk"
        if kind_char == "N":
            return "nav"
        raise FormatError(name, first_i + 1, f"RINEX file type {kind_char!r} is not supported")
    if _SP3_SECOND_LINES.match(first):
        # an SP3 body without its first header line: the SP3 reader says what is missing
        return "sp3"
    raise FormatError(name, first_i + 1, "not a RINEX, SP3, RINEX clock, ANTEX, IONEX or Bias-SINEX file")


def read(path: str | os.PathLike, *, strict: bool = False):
    """Read any supported file, choosing the reader from the content.

    Parameters
    ----------
    path : str or os.PathLike
        RINEX observation (2/3/4, Hatanaka or not), navigation or meteorological file, SP3, RINEX
        clock, ANTEX, Bias-SINEX or IONEX; plain or gz/Z/bz2/zip compressed.
    strict : bool
        Passed to the readers that repair fixed-width variants or drop malformed records (RINEX
        obs/nav/met, SP3, clock, ANTEX): every repair or dropped record becomes a FormatError. The
        others have nothing to refuse. A file cut short is still read to its last complete record,
        with a TruncatedFileWarning.

    Returns
    -------
    ObsTable, NavData, MetTable, Sp3, ClockData, Antex, BiasData or Ionex
        What the matching ``read_*`` function returns.
    """
    kind = detect(path)
    module, func = KINDS[kind]
    reader = getattr(importlib.import_module(f"{__package__}.readers.{module}"), func)
    return reader(path, strict=True) if strict and kind in _STRICT else reader(path)


PRODUCT_READERS = {
    "sp3": ("kompas.io.readers.sp3", "Sp3", "read_sp3"),
    "clk": ("kompas.io.readers.clk", "ClockData", "read_clk"),
    "antex": ("kompas.io.readers.antex", "Antex", "read_antex"),
    "atx": ("kompas.io.readers.antex", "Antex", "read_antex"),
    "bias": ("kompas.io.readers.bias", "BiasData", "read_bias"),
    "ionex": ("kompas.io.readers.ionex", "Ionex", "read_ionex"),
    "met": ("kompas.tables.met", "MetTable", "read_met"),
    "blq": ("kompas.io.readers.blq", "BlqFile", "io.readers.blq.read_blq"),
    "gpt3": ("kompas.tables.gpt3", "Gpt3Grid", "io.readers.gpt3.read_gpt3_grid"),
    "catalog": ("kompas.tables.satellites", "SatelliteCatalog", "io.readers.satmeta.read_satellite_catalog"),
}
"""Product arguments (of the recipes, of :class:`~kompas.products.precise.PreciseProduct`): the class each
must be and the reader that makes it."""


def check_products(**given) -> None:
    """Product arguments (``sp3=..., clk=...``, names of :data:`PRODUCT_READERS`), each a value
    or a list of values of its reader's class; None and empty lists pass (ConfigError otherwise: a clock
    file given as SP3, or a path, failed deep inside with an AttributeError)."""
    for name, value in given.items():
        module, class_name, reader = PRODUCT_READERS[name]
        cls = getattr(importlib.import_module(module), class_name)
        items = list(value) if isinstance(value, list | tuple) else ([] if value is None else [value])
        for v in items:
            if not isinstance(v, cls):
                hint = read_first_hint(v, reader)
                raise ConfigError(
                    f"{name} must be {cls.__name__} (kompas.{reader}), not {type(v).__name__}{hint}"
                )
