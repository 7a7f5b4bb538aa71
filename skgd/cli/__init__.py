"""The ``skgd`` console command: ``growth``, ``compare``, ``landscape``, ``simulator``.

Each subcommand lives in its own module with ``add_parser(subparsers)`` and
``run(args) -> int``. Bad input is reported as one line on stderr with exit
status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

_COMMANDS = ("growth", "compare", "landscape", "simulator")


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line too, like every other bad input.

    argparse prints a usage block before its message; ``--help`` still shows
    the usage, so the error line points there. Subparsers are created with
    the parent's class, so this covers every subcommand.
    """

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def read_csv(path: str, **kwargs):
    """A CSV file as a DataFrame with at least one data row, or a one-line UsageError.

    ``kwargs`` go to :func:`pandas.read_csv` (``header=None`` reads every row
    as data, for callers that decide themselves whether there is a header).
    """
    import pandas as pd

    try:
        frame = pd.read_csv(path, **kwargs)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a CSV file") from None
    except pd.errors.EmptyDataError:
        raise UsageError(f"{path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path} as CSV: {str(exc).splitlines()[0]}") from None
    if frame.shape[0] == 0:
        raise UsageError(f"{path} has a header but no data rows")
    return frame


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="skgd", description="Gradient-descent estimators, from the command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in _COMMANDS:
        try:
            module = importlib.import_module(f"skgd.cli.{name}")
        except ImportError:
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``skgd`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (UsageError, ValueError, OSError, KeyError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"skgd {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
