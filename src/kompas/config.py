"""Typed configuration: nested frozen dataclasses whose field metadata drives validation, TOML and CLI.

A configuration is a frozen dataclass deriving from :class:`Options`; every field is declared with
:func:`option`, which records its help text, unit, allowed values or bounds, and command-line flag.
From that one declaration:

* construction validates and normalises every value (``ConfigError`` naming the option and the
  expected type or range); tables become read-only dicts and lists tuples, so a configuration cannot
  change once checked (:meth:`Options.replace` makes a changed copy);
* :func:`from_mapping` / :func:`load_toml` build a configuration from nested tables (unknown keys are
  errors that name the file and the section); :func:`to_toml` writes one back, with the help as comments;
* :func:`add_arguments` adds the command-line options to an ``argparse`` parser (help shows the unit and
  the default) and :func:`from_arguments` applies the ones the user gave;
* :meth:`Options.replace` takes flat keyword arguments by leaf name (``elmask_deg=15``) or by dotted path
  (``models.iono="if"``), which is what the Python API passes through.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from ._frozen import FrozenDict
from .errors import ConfigError

SYSTEM_KEYS = "GRECJIS"
"""Keys of the per-system tables of options: one system letter each (RINEX 3)."""

__all__ = [
    "Options",
    "option",
    "from_mapping",
    "load_toml",
    "read_toml",
    "to_toml",
    "add_arguments",
    "from_arguments",
    "from_command_line",
    "leaf_fields",
]


def option(
    default: Any = dataclasses.MISSING,
    help: str = "",
    *,
    unit: str | None = None,
    choices: tuple | None = None,
    low: float | None = None,
    high: float | None = None,
    high_open: bool = False,
    low_open: bool = False,
    keys: str | tuple | None = None,
    flag: str | None = None,
    parse: Callable[[Any], Any] | None = None,
    default_factory: Callable[[], Any] | None = None,
):
    """A configuration field.

    Parameters
    ----------
    default
        Default value (immutable); use ``default_factory`` for nested options.
    help : str
        One line, plain text (shown in ``--help``, TOML dumps and error messages).
    unit : str, optional
        Unit of a number (``"deg"``, ``"m"``, ``"s"``).
    choices : tuple, optional
        Allowed values.
    low, high : float, optional
        Inclusive bounds of a number, or of each number of a list or table (in the option's unit).
    high_open, low_open : bool, optional
        Make ``high`` / ``low`` an exclusive bound (a variance that must not be 0); default inclusive.
    keys : str or tuple, optional
        Allowed keys of a table (``"GRECJIS"``: one system letter each).
    flag : str, optional
        Command-line flag (``"--elmask"``); fields without one are reachable from TOML and the API only.
    parse : callable, optional
        Turns a user's value (a string from the command line, or a TOML value) into the field's value
        and normalises it; it raises ``ValueError`` or a ``KompasError`` on bad input.
    default_factory : callable, optional
        Makes the default (a nested ``Options``, or a fresh table); when given, ``default`` is ignored.
    """
    meta = {
        "help": help,
        "unit": unit,
        "choices": choices,
        "low": low,
        "high": high,
        "high_open": high_open,
        "low_open": low_open,
        "keys": keys,
        "flag": flag,
        "parse": parse,
    }
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _is_options(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, Options)


def _strip_optional(tp):
    """``X | None`` -> (X, True)."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0], True
    return tp, False


def _type_name(tp) -> str:
    tp, optional = _strip_optional(tp)
    origin = typing.get_origin(tp)
    name = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(tp)
    if name is None:
        name = "a table" if origin in (dict, Mapping) else "a list" if origin in (tuple, list) else str(tp)
    return name + (" (or nothing)" if optional else "")


def _coerce(value, tp, name: str):
    """A TOML/CLI value -> the declared type (no unit conversion)."""
    tp, optional = _strip_optional(tp)
    if value is None:
        if optional:
            return None
        raise ValueError(f"needs {_type_name(tp)}")
    origin = typing.get_origin(tp)
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "1", "false", "no", "0"):
            return value.lower() in ("true", "yes", "1")
        raise ValueError(f"must be {_type_name(tp)}")
    if tp in (int, float):
        if isinstance(value, bool):
            raise ValueError(f"must be {_type_name(tp)}")
        try:
            v = tp(value) if not (tp is int and isinstance(value, float)) else None
        except (TypeError, ValueError):
            v = None
        if v is None or (tp is int and isinstance(value, float) and value != int(value)):
            raise ValueError(f"must be {_type_name(tp)}, not {value!r}")
        if tp is float and not math.isfinite(v):
            raise ValueError(f"must be a finite number, not {value!r}")
        return v
    if tp is str:
        if not isinstance(value, str):
            raise ValueError(f"must be {_type_name(tp)}, not {value!r}")
        return value
    if origin in (tuple, list):
        if isinstance(value, str):
            value = [v for v in value.replace(";", ",").split(",") if v.strip()]
        if not isinstance(value, list | tuple):
            raise ValueError(f"must be {_type_name(tp)}, not {value!r}")
        item = typing.get_args(tp)[0] if typing.get_args(tp) else str
        return tuple(_coerce(v.strip() if isinstance(v, str) else v, item, name) for v in value)
    if origin in (dict, Mapping):
        value = _table_text(value)
        if not isinstance(value, Mapping):
            raise ValueError(f"must be {_type_name(tp)}, not {value!r}")
        k_tp, v_tp = typing.get_args(tp) or (str, Any)
        return FrozenDict(
            (_coerce(k, k_tp, name), v if v_tp is Any else _coerce(v, v_tp, name)) for k, v in value.items()
        )
    return value


class Options:
    """Base of configuration dataclasses: validation on construction and :meth:`replace`."""

    def __post_init__(self):
        hints = _hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            tp = hints[f.name]
            if _is_options(tp):
                if not isinstance(value, tp):
                    raise ConfigError(f"option {f.name!r} must be {tp.__name__}")
                continue
            object.__setattr__(self, f.name, _check(f, value, tp))

    def replace(self, **changes):
        """A copy with changed options, given by leaf name (``elmask_deg=15``) or dotted path
        (``models.iono="if"``); unknown names are a ``ConfigError`` listing the known ones."""
        cfg = self
        for key, value in changes.items():
            path = key.split(".") if "." in key else _path_of(type(self), key)
            cfg = _replace_path(cfg, path, value)
        return cfg

    @classmethod
    def of(cls, value, name: str = "options"):
        """``value`` as this class: ``None`` gives the defaults, a mapping of option names changes them
        (as :meth:`replace` does), an instance passes; anything else is a ``ConfigError`` naming ``name``."""
        if value is None or isinstance(value, cls):
            return cls() if value is None else value
        if isinstance(value, Mapping):
            return cls().replace(**{str(k): v for k, v in value.items()})
        raise ConfigError(f"{name} must be {cls.__name__} or a mapping, not {type(value).__name__}")


def _check(f: dataclasses.Field, value, tp):
    meta = f.metadata
    try:
        # numbers are parsed for options of text only: a window start in GPST ns is a time, not "1592..."
        numeric = isinstance(value, bool | int | float) and _strip_optional(tp)[0] is not str
        if meta.get("parse") is not None and value is not None and not numeric:
            value = meta["parse"](value)
        value = _coerce(value, tp, f.name)
    except (ValueError, TypeError) as exc:
        # "systems must be ..." from a parse function: the option ("station_systems" too) named once
        first, _, rest = str(exc).partition(" ")
        text = rest if rest and f.name.endswith(first) else str(exc)
        raise ConfigError(f"option {f.name!r} {text}") from None
    except ConfigError:
        raise
    except Exception as exc:  # a KompasError raised by a parse function
        if exc.__class__.__module__.startswith("kompas"):
            raise ConfigError(f"option {f.name!r}: {exc}") from None
        raise
    if value is None:
        return value
    unit = f" {meta['unit']}" if meta.get("unit") else ""
    choices = meta.get("choices")
    if choices is not None:
        items = value if isinstance(value, tuple) else (value,)
        bad = [v for v in items if v not in choices]
        if bad:
            raise ConfigError(
                f"option {f.name!r} must be one of {', '.join(map(str, choices))}, not {bad[0]!r}"
            )
    keys = meta.get("keys")
    if keys is not None and isinstance(value, Mapping):
        bad = [k for k in value if k not in keys]
        if bad:
            raise ConfigError(f"option {f.name!r} has keys of {', '.join(keys)}, not {bad[0]!r}")
    items = value.values() if isinstance(value, Mapping) else value if isinstance(value, tuple) else (value,)
    for v in items:
        _check_bounds(f.name, v, meta, unit)
    return value


def _check_bounds(name: str, value, meta, unit: str) -> None:
    """``value`` within the option's ``low`` / ``high`` bounds (numbers only), else ConfigError."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    low, high = meta.get("low"), meta.get("high")
    if low is not None and (value <= low if meta.get("low_open") else value < low):
        word = "above" if meta.get("low_open") else "at least"
        raise ConfigError(f"option {name!r} must be {word} {low}{unit}, not {value}")
    if high is not None and (value >= high if meta.get("high_open") else value > high):
        word = "below" if meta.get("high_open") else "at most"
        raise ConfigError(f"option {name!r} must be {word} {high}{unit}, not {value}")


def leaf_fields(cls, prefix: tuple = ()) -> list[tuple[tuple[str, ...], dataclasses.Field, Any]]:
    """Every non-nested field of a configuration class: ``(path, field, type)``."""
    out = []
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if _is_options(tp):
            out.extend(leaf_fields(tp, (*prefix, f.name)))
        else:
            out.append(((*prefix, f.name), f, tp))
    return out


def _path_of(cls, name: str) -> list[str]:
    paths = [p for p, _, _ in leaf_fields(cls) if p[-1] == name]
    if len(paths) != 1:
        known = ", ".join(".".join(p) for p, _, _ in leaf_fields(cls))
        what = "ambiguous" if paths else "unknown"
        raise ConfigError(f"{what} option {name!r} for {cls.__name__}; known: {known}")
    return list(paths[0])


def _replace_path(cfg, path: list[str], value):
    names = {f.name for f in dataclasses.fields(cfg)}
    if path[0] not in names:
        raise ConfigError(
            f"unknown option {'.'.join(path)!r} for {type(cfg).__name__}; known: {sorted(names)}"
        )
    if len(path) == 1:
        return dataclasses.replace(cfg, **{path[0]: value})
    return dataclasses.replace(cfg, **{path[0]: _replace_path(getattr(cfg, path[0]), path[1:], value)})


def from_mapping(cls, data: Mapping, source: str = "options", base=None):
    """Build ``cls`` from nested tables (TOML layout), on top of ``base`` (default: the defaults).

    Raises
    ------
    ConfigError
        Naming ``source``, the section and the key, for unknown keys and invalid values.
    """
    base = base if base is not None else cls()
    return _apply(base, data, source, ())


def _apply(cfg, data: Mapping, source: str, section: tuple):
    hints = _hints(type(cfg))
    names = {f.name: f for f in dataclasses.fields(cfg)}
    where = f" in [{'.'.join(section)}]" if section else ""
    changes = {}
    for key, value in data.items():
        if key not in names:
            hint = ""
            matches = [".".join(p[:-1]) for p, _, _ in leaf_fields(type(cfg)) if p[-1] == key]
            if matches:
                hint = f" (it belongs in [{'.'.join(section + tuple(matches[0].split('.')))}])"
            raise ConfigError(
                f"{source}: unknown option {key!r}{where}{hint}; known: {', '.join(sorted(names))}"
            )
        tp = hints[key]
        if _is_options(tp):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{source}: [{'.'.join((*section, key))}] must be a table")
            changes[key] = _apply(getattr(cfg, key), value, source, (*section, key))
        else:
            changes[key] = value
    try:
        return dataclasses.replace(cfg, **changes)
    except ConfigError as exc:
        raise ConfigError(f"{source}{where}: {exc}") from None


def read_toml(path, what: str = "configuration") -> dict:
    """The tables of a TOML file; a file that cannot be read or parsed is a :class:`ConfigError`.

    Parameters
    ----------
    path : str or os.PathLike
    what : str
        What the file holds, for the message (``"cannot read the {what}"``).
    """
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def load_toml(cls, path, base=None):
    """Read a TOML file into ``cls`` (see :func:`from_mapping`)."""
    return from_mapping(cls, read_toml(path), str(path), base)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, tuple | list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def to_toml(cfg) -> str:
    """The configuration as TOML text, each option preceded by its help and unit as a comment.

    Options whose value is ``None`` are written as comments (TOML has no null)."""
    return "\n".join(_toml_lines(cfg, ())) + "\n"


def _toml_lines(cfg, section: tuple) -> list[str]:
    hints = _hints(type(cfg))
    lines, nested = [], []
    if section:
        lines.append(f"\n[{'.'.join(section)}]")
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if _is_options(hints[f.name]):
            nested.append((f.name, value))
            continue
        unit = f" [{f.metadata['unit']}]" if f.metadata.get("unit") else ""
        lines.append(f"# {f.metadata.get('help', '')}{unit}")
        lines.append(f"# {f.name} = ..." if value is None else f"{f.name} = {_toml_value(value)}")
    for name, sub in nested:
        lines.extend(_toml_lines(sub, (*section, name)))
    return lines


def add_arguments(parser: argparse.ArgumentParser, cls, defaults=None) -> None:
    """Add a command-line option for every field of ``cls`` that declares a ``flag``.

    Values stay strings (``None`` when not given) and are checked by :func:`from_arguments`, so the
    command line, TOML and the API share one set of rules. Help texts show the unit and the default.
    """
    defaults = defaults if defaults is not None else cls()
    for path, f, tp in leaf_fields(cls):
        flag = f.metadata.get("flag")
        if not flag:
            continue
        value = defaults
        for p in path:
            value = getattr(value, p)
        unit = f.metadata.get("unit")
        shown = _shown(value)
        text = f.metadata.get("help", "")
        # a help text that states its default in words (None standing for a rule) keeps that one alone
        default = "" if "(default:" in text and value is None else f" (default: {shown})"
        help_ = text + (f" [{unit}]" if unit else "") + default
        dest = "cfg__" + "__".join(path)
        if _strip_optional(tp)[0] is bool:
            parser.add_argument(
                flag, dest=dest, action=argparse.BooleanOptionalAction, default=None, help=help_
            )
        else:
            choices = f.metadata.get("choices")
            metavar = "{" + ",".join(map(str, choices)) + "}" if choices and not typing.get_args(tp) else None
            metavar = metavar or (unit.upper() if unit else path[-1].split("_")[0].upper())
            parser.add_argument(flag, dest=dest, metavar=metavar, default=None, help=help_)


def _shown(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "none"
    if isinstance(value, Mapping):
        return ";".join(
            f"{k}:{','.join(map(str, v)) if isinstance(v, tuple) else v}" for k, v in value.items()
        )
    return str(value)


def from_arguments(cfg, args: argparse.Namespace):
    """Apply the command-line options the user gave (see :func:`add_arguments`) on top of ``cfg``."""
    changes = {}
    for name, value in vars(args).items():
        if name.startswith("cfg__") and value is not None:
            changes[".".join(name[5:].split("__"))] = value
    try:
        return cfg.replace(**changes)
    except ConfigError as exc:
        flagged = {".".join(p): f.metadata.get("flag") for p, f, _ in leaf_fields(type(cfg))}
        msg = str(exc)
        for path, flag in flagged.items():
            msg = msg.replace(f"option {path.split('.')[-1]!r}", f"{flag}") if flag else msg
        raise ConfigError(msg) from None


def from_command_line(cls, args: argparse.Namespace):
    """A command's options: the defaults of ``cls``, then the TOML file of ``--config`` (``args.config``),
    then the command-line options (:func:`from_arguments`)."""
    cfg = load_toml(cls, args.config) if args.config else cls()
    cfg = from_arguments(cfg, args)
    if isinstance(getattr(cfg, "window", None), WindowOptions):  # the final window, before any file is read
        check_window(cfg.window.start, cfg.window.end)
    return cfg


def check_window(start: str | None, end: str | None) -> None:
    """ConfigError when the processing window ends before it starts (GPST ISO texts, either may be None)."""
    import numpy as np

    if start and end and np.datetime64(start, "ns") > np.datetime64(end, "ns"):
        raise ConfigError(f"the processing window is empty: start {start} is after end {end}")


# ----------------------------------------------------------------------------------------------
# Option groups shared by the recipes (SPP now; RTK and PPP reuse them)


def _table_text(value):
    """A table written as text on a command line (``"C:2;R:1.5"``, ``"E:14400"``) -> a mapping of its
    values (one value a scalar, several a list); anything else unchanged."""
    if not isinstance(value, str) or ":" not in value:
        return value
    return {k: v[0] if len(v) == 1 else v for k, v in _items(value, "C:2;R:1.5").items()}


def _items(value, example: str) -> Mapping:
    """``"A:x,y;B:z"`` -> ``{"A": ["x", "y"], "B": ["z"]}`` (keys upper-cased); a mapping passes through."""
    if isinstance(value, str):
        items = {}
        for part in (p for p in value.split(";") if p.strip()):
            if ":" not in part:
                raise ValueError(f"needs items like {example}, not {part.strip()!r}")
            key, vals = part.split(":", 1)
            items[key.strip().upper()] = [v.strip() for v in vals.split(",") if v.strip()]
        value = items
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"needs items like {example}, not {value!r}")
    return value


def _parse_band_digits(value):
    """``"G:1,2,5;C:2,6"`` (or ``"G:125"``) or a table -> ``{"G": ("1", "2", "5"), "C": ("2", "6")}``:
    different band digits per system, each a band of that system."""
    from .satsys import band_frequency

    out = {}
    for letter, bands in _items(value, "G:1,2,5;C:2,6").items():
        items = bands if isinstance(bands, list | tuple) else [bands]
        digits = [c for b in items for c in str(b) if c != ","]
        for b in digits:
            try:
                band_frequency(letter, b, 0)
            except Exception:
                raise ValueError(f"system {letter} has no band {b}") from None
        if len(set(digits)) != len(digits) or not digits:
            raise ValueError(f"bands of {letter} must be different digits, not {','.join(map(str, items))!r}")
        out[str(letter).upper()] = tuple(digits)
    return out


def _parse_signals(value):
    """``"C:2I,2X;R:1C"`` or ``{"C": ["2I", "2X"]}`` -> ``{"C": ("2I", "2X"), "R": ("1C",)}``."""
    from .satsys import signal_info

    value = _items(value, "C:2I,2X;R:1C")
    out = {}
    for letter, codes in value.items():
        codes = [codes] if isinstance(codes, str) else list(codes)
        norm = tuple(signal_info(letter, c).code for c in codes)  # SignalError names a bad code
        if not norm:
            raise ValueError(f"lists no signal for system {letter}")
        out[str(letter).upper()] = norm
    return out


def _parse_band_pairs(value):
    """``"C:26,15;E:15"`` or ``{"C": ["26", "15"]}`` -> ``{"C": ("26", "15"), "E": ("15",)}``."""
    from .satsys import band_frequency

    value = _items(value, "C:26,15;E:15")
    out = {}
    for letter, pairs in value.items():
        pairs = [pairs] if isinstance(pairs, str) else list(pairs)
        norm = []
        for p in pairs:
            p = str(p).strip()
            if len(p) != 2 or p[0] == p[1]:
                raise ValueError(f"band pair {p!r} of {letter} must be two different band digits, e.g. 26")
            for b in p:
                try:
                    band_frequency(letter, b, 0)
                except Exception:
                    raise ValueError(f"system {letter} has no band {b} (pair {p!r})") from None
            norm.append(p)
        if not norm:
            raise ValueError(f"gives {letter} no band pair (e.g. {letter}:12)")
        out[str(letter).upper()] = tuple(norm)
    return out


def _parse_iono_models(value):
    """``"E:GPS_KLOB;C3:BDGIM,BDS_KLOB"`` or a table -> ``{"E": ("GPS_KLOB",), ...}``, names checked."""
    from .products.ionosphere import DEFAULT_MODELS, MODEL_NAMES

    value = _items(value, "E:GPS_KLOB;C3:BDGIM,BDS_KLOB")
    out = {}
    for cls, models in value.items():
        if cls not in DEFAULT_MODELS:
            raise ValueError(f"unknown satellite class {cls!r}; expected one of {', '.join(DEFAULT_MODELS)}")
        models = [models] if isinstance(models, str) else list(models)
        bad = [m for m in models if m.strip().upper() not in MODEL_NAMES]
        if bad or not models:
            raise ValueError(
                f"unknown ionosphere model {bad[0] if bad else ''!r}; expected {', '.join(MODEL_NAMES)}"
            )
        out[cls] = tuple(m.strip().upper() for m in models)
    return out


def system_factor_option(defaults: dict, note: str = ""):
    """The ``system_factor`` option of a recipe's noise model: a table of positive factors keyed by system
    letter, whose partial values change only the systems they name (:func:`over_defaults`)."""
    return option(
        help=f"noise factor per system (RTKLIB EFACT_*{note}; systems not named keep their default)",
        default_factory=lambda: dict(defaults),
        parse=over_defaults(defaults),
        keys=SYSTEM_KEYS,
        low=0.0,
        low_open=True,
    )


def over_defaults(defaults: dict) -> Callable[[Any], Any]:
    """A ``parse`` for per-system tables: a user's partial table changes only the systems it names
    (``{C = 2.0}`` keeps GLONASS's 1.5), the others keep ``defaults``."""

    def parse(value):
        value = _table_text(value)
        return {**defaults, **value} if isinstance(value, Mapping) else value

    return parse


def _parse_time(value):
    """:func:`kompas.time.gpst_iso_text` (numpy is imported with the first time given, not before)."""
    from .time import gpst_iso_text

    return gpst_iso_text(value)


def _parse_sats(value):
    """``"C01,G04"`` or ``["C01", "G04"]`` -> ``("C01", "G04")``: satellite ids checked before any file is
    read (a bare PRN is GPS, as in RINEX 2), each once, in the order given."""
    from .errors import SignalError
    from .satsys import sat_id, sat_index

    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    items = [str(x).strip().upper() for x in items if str(x).strip()]
    try:
        ids = sat_id(sat_index(items))
    except SignalError as exc:  # it names the first bad id
        raise ValueError(f"must list satellites like C01,G04: {exc}") from None
    return tuple(dict.fromkeys(str(x) for x in ids))


def exclude_option():
    """The ``exclude`` option of the positioning recipes (SPP, RTK, PPP): one definition, one help text."""
    return option((), "satellites not used, e.g. C01,G04 (RTKLIB pos1-exclsats)", flag="--exclude",
                  parse=_parse_sats)  # fmt: skip


def cn0_mask_option():
    """The ``cn0_mask_dbhz`` option of the positioning recipes (SPP, RTK, PPP)."""
    return option(
        None,
        "signals received below this carrier-to-noise density are not used; observations without a C/N0 "
        "are kept (RTKLIB pos1-snrmask, one value for every band and elevation)",
        unit="dB-Hz", low=0.0, high=100.0, flag="--cn0-mask",
    )  # fmt: skip


def _parse_messages(value):
    """``{"E": ["FNAV"]}`` (or ``"E:FNAV;C:D1"``) -> ``{"E": ("FNAV",)}``, each a Keplerian navigation message
    of its system (RINEX 4 names)."""
    from .io.readers._nav_layouts import EPH4

    known: dict[str, list[str]] = {}
    for letter, msg in EPH4:
        if letter in "GJECI":  # the systems with Keplerian records (GLONASS and SBAS carry state vectors)
            known.setdefault(letter, []).append(msg)
    out = {}
    for letter, msgs in _items(value, "E:FNAV;C:D1,D2").items():
        letter = str(letter).upper()
        if letter not in known:
            raise ValueError(f"has systems {', '.join(known)} (Keplerian records), not {letter!r}")
        msgs = [msgs] if isinstance(msgs, str) else list(msgs)
        bad = [m for m in msgs if str(m).strip().upper() not in known[letter]]
        if bad or not msgs:
            raise ValueError(
                f"of {letter} must be among {', '.join(known[letter])}, not {bad[0] if bad else ''!r}"
            )
        out[letter] = tuple(str(m).strip().upper() for m in msgs)
    return out


@dataclasses.dataclass(frozen=True)
class SignalOptions(Options):
    """Which observables are used: tracking modes per band and dual-frequency band pairs."""

    priority: dict[str, tuple[str, ...]] | None = option(
        None,
        "accepted signals per system in order of preference, e.g. C:2I,2X;R:1C",
        flag="--signals",
        parse=_parse_signals,
    )
    if_bands: dict[str, tuple[str, ...]] | None = option(
        None,
        "band pairs for the ionosphere-free combination per system, first available wins, e.g. C:26,15",
        flag="--if-bands",
        parse=_parse_band_pairs,
    )


@dataclasses.dataclass(frozen=True)
class ModelOptions(Options):
    """Atmosphere models of the code measurement model."""

    iono: str = option(
        "brdc",
        "ionosphere: each system's broadcast model, iono-free combination, IONEX map, none",
        choices=("brdc", "if", "ionex", "off"),
        flag="--iono",
    )
    tropo: str = option("saas", "troposphere: Saastamoinen or none", choices=("saas", "off"), flag="--tropo")
    broadcast_models: dict[str, tuple[str, ...]] | None = option(
        None,
        "broadcast ionosphere model per satellite class (G R E C2 C3 J I), first with parameters wins, e.g. "
        "E:GPS_KLOB;C3:BDS_KLOB (models: GPS_KLOB QZS_KLOB IRN_KLOB BDS_KLOB BDGIM NEQUICK_G)",
        flag="--iono-models",
        parse=_parse_iono_models,
    )


_SPP_FACTORS = {"G": 1.0, "R": 1.5, "E": 1.0, "C": 1.0, "J": 1.0, "I": 1.5, "S": 3.0}


@dataclasses.dataclass(frozen=True)
class CodeErrorModel(Options):
    """Variances of the code measurement model (RTKLIB 2.4.3 pntpos.c ``varerr`` and rtklib.h ERR_*)."""

    sigma_code_m: float = option(
        0.3,
        "zenith code noise (RTKLIB: 0.003 m x code/phase ratio 100)",
        unit="m",
        low=0.0,
        low_open=True,
        flag="--sigma-code",
    )
    system_factor: dict[str, float] = system_factor_option(_SPP_FACTORS)
    brdc_iono_factor: float = option(
        0.5, "broadcast ionosphere error as a fraction of the delay (ERR_BRDCI)", low=0.0
    )
    fallback_iono_factor: float = option(
        0.5,
        "ionosphere error fraction when another system's broadcast model serves (it describes the same "
        "ionosphere: by default the same fraction as a system's own model)",
        low=0.0,
    )
    no_iono_m: float = option(5.0, "ionosphere left uncorrected (ERR_ION)", unit="m", low=0.0)
    saas_m: float = option(0.3, "Saastamoinen model error (ERR_SAAS)", unit="m", low=0.0)
    no_tropo_m: float = option(3.0, "troposphere left uncorrected (ERR_TROP)", unit="m", low=0.0)
    code_bias_m: float = option(0.3, "code bias error (ERR_CBIAS)", unit="m", low=0.0)
    ephemeris_m: float = option(
        5.0, "ephemeris error when the record gives no accuracy (ERR_EPH GLONASS)", unit="m", low=0.0
    )


@dataclasses.dataclass(frozen=True)
class WindowOptions(Options):
    """Which epochs are processed."""

    start: str | None = option(
        None, "first epoch to process, GPST, e.g. 2020-06-25T10:00:00", flag="--start", parse=_parse_time
    )
    end: str | None = option(None, "last epoch to process, GPST (inclusive)", flag="--end", parse=_parse_time)
    interval_s: float | None = option(
        None, "process only epochs on multiples of this interval", unit="s", low=0.0, low_open=True,
        flag="--interval",
    )  # fmt: skip


@dataclasses.dataclass(frozen=True)
class EphemerisOptions(Options):
    """Broadcast ephemeris selection (:class:`kompas.products.broadcast.BroadcastProduct`)."""

    messages: dict[str, tuple[str, ...]] | None = option(
        None,
        'accepted message types per system, e.g. E = ["FNAV"] (default: LNAV, I/NAV, D1/D2)',
        parse=_parse_messages,
    )
    max_dtoe_s: dict[str, float] | None = option(
        None, "longest use of a record after its reference epoch per system (default: the policy's windows)",
        unit="s", keys=SYSTEM_KEYS, low=0.0,
    )  # fmt: skip
    max_before_toe_s: dict[str, float] | None = option(
        None, "longest use of a record before its reference epoch per system (default: the policy's)",
        unit="s", keys=SYSTEM_KEYS, low=0.0,
    )  # fmt: skip
    selection: str = option(
        "nearest",
        "record selection: nearest reference epoch or latest transmitted",
        choices=("nearest", "transmitted"),
    )
    policy: str = option(
        "post",
        "record validity: post (records also shortly before their toe, BeiDou up to 6 h and GLONASS 30 min "
        "after it: POST_WINDOW_S), strict ICD, or RTKLIB's stretching (kompas.products.broadcast)",
        choices=("post", "icd", "rtklib"),
        flag="--eph-policy",
    )
