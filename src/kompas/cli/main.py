"""The ``kompas`` command: argument parsing and dispatch to thin subcommands.

Each subcommand module exposes ``register(subparsers)``, which adds its parser and sets
``func`` to a callable ``func(args) -> int`` (the exit status).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from ..errors import KompasError, KompasWarning

# Subcommand modules under kompas.cli, in the order `kompas --help` lists them.
_SUBCOMMANDS: tuple[str, ...] = (
    "demo",
    "spp",
    "rtk",
    "ppp",
    "sim",
    "info",
    "orbits",
    "qc",
    "monitor",
    "batch",
)


def _usage_error(prog: str, message: str) -> None:
    """An argument error in one line (``kompas sim: error: ... (see kompas sim --help)``)."""
    print(f"{prog}: error: {message} (see {prog} --help)", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2, without the usage block (``--help`` shows it);
    subcommand parsers are of this class too."""

    def error(self, message: str):
        _usage_error(self.prog, message)
        raise SystemExit(2)


class _Version(argparse._VersionAction):
    """``--version``, the version looked up only when asked for (importlib.metadata costs ~10 ms)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from .. import __version__

        self.version = f"kompas {__version__}"
        super().__call__(parser, namespace, values, option_string)


def build_parser(commands: tuple[str, ...] = _SUBCOMMANDS) -> argparse.ArgumentParser:
    """The top-level parser with the subcommands named (by default every one)."""
    parser = _Parser(
        prog="kompas",
        description="GNSS processing with BeiDou and GLONASS as first-class citizens.",
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for name in commands:
        importlib.import_module(f"{__package__}.{name}").register(sub)
    return parser


def _commands_needed(argv: list[str]) -> tuple[str, ...]:
    """The subcommands whose parsers a command line needs: its own when it starts with one (a subcommand's
    module imports its configuration, and through it its solver), none for a bare ``--version``, every one
    otherwise (the top-level help and errors list them all)."""
    if argv[:1] == ["--version"]:
        return ()
    if argv and argv[0] in _SUBCOMMANDS:
        return (argv[0],)
    return _SUBCOMMANDS


def _warning_printer(command: str):
    """kompas warnings as one line each on stderr (``kompas spp: warning: ...``); others as usual."""
    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, KompasWarning):
            print(f"kompas {command}: warning: {message}", file=sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    return show


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_commands_needed(argv))
    args, extra = parser.parse_known_args(argv)
    if extra:  # named after the subcommand they were given to, not the top-level parser
        _usage_error(
            f"kompas {args.command}" if args.command else "kompas",
            f"unrecognized arguments: {' '.join(extra)}",
        )
        return 2
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_printer(args.command)
            return int(args.func(args) or 0)
    except KompasError as exc:
        print(f"kompas {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KompasWarning as exc:  # the user's warning filters (-W error, PYTHONWARNINGS) made it an error
        print(f"kompas {args.command}: error: {exc} (a warning raised as an error)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C: one line, the shell's status for SIGINT (what was written stays)
        print(f"kompas {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except OSError as exc:  # a path the user named (exit 2) or a failing disk (exit 1): one line either way
        name = f"{exc.filename}: " if exc.filename else ""
        print(f"kompas {args.command}: error: {name}{exc.strerror or exc}", file=sys.stderr)
        user = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)
        return 2 if isinstance(exc, user) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
