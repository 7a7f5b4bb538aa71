"""The ``skgd`` console command: ``growth``, ``compare``, ``landscape``, ``simulator``.

Each subcommand lives in its own module with ``add_parser(subparsers)`` and
``run(args) -> int``. Bad input is reported as one line on stderr with exit
status 2, never as a traceback; Ctrl-C as one line with exit status 130.
Numbers on the command line are finite, output files are checked before any
work, and numpy's floating-point warnings are silenced: the commands check
for overflow themselves and say so in their one line.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
import warnings

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


def finite_float(text: str) -> float:
    """An argparse ``type``: a finite number (``nan`` and ``inf`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number; got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number; got {text!r}")
    return value


#: The largest condition number the commands draw: the quadratic's values over
#: the drawn square stay far inside float64 (1e308 overflowed into NaN contours).
MAX_CONDITION = 1e6


def check_condition(value: float) -> float:
    """``--condition`` between 1 and :data:`MAX_CONDITION`, or a one-line UsageError."""
    if not 1.0 <= value <= MAX_CONDITION:
        raise UsageError(f"--condition must be between 1 and {MAX_CONDITION:g}; got {value:g}")
    return value


def check_output(option: str, path: str, *, formats=None) -> str:
    """Refuse an output path before any work: a folder, a missing folder, no write access.

    ``formats``: the file extensions the writer knows (matplotlib's for a
    picture); a path without one of them is refused too, rather than written
    under another name (matplotlib adds '.png' to a name without one).
    Returns the path.
    """
    if not path:
        raise UsageError(f"{option} needs a file name")
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        raise UsageError(f"{option} {path} is a directory; give a file name in it")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if formats is not None:
        suffix = os.path.splitext(path)[1].lstrip(".").lower()
        if suffix not in formats:
            known = ", ".join(f".{f}" for f in sorted(formats))
            got = f"'.{suffix}' is not a picture format" if suffix else "the name has no extension"
            raise UsageError(f"{option} {path}: {got}; it must end in one of {known}")
    existed = os.path.exists(path)
    try:
        # the one sure test (root, read-only file systems, ACLs): open it for
        # appending, which changes nothing, and remove it again if it is new
        with open(path, "ab"):
            pass
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise UsageError(f"{option} {path}: cannot write it ({reason})") from None
    if not existed:
        os.remove(path)
    return path


def picture_formats() -> set:
    """The extensions matplotlib writes, or a one-line UsageError without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed; the commands only write files
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise UsageError(
            "drawing needs matplotlib, an optional extra: pip install 'skgd[plot]'"
        ) from None
    return set(FigureCanvasBase.get_supported_filetypes())


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


def squares_overflow(values) -> bool:
    """Whether the data's sums of squares leave float64 (the fits square residuals and standardize).

    Past that range numpy would go on with inf, NaN and warnings; the commands
    refuse such a column in one line instead.
    """
    import numpy as np

    with np.errstate(all="ignore"):
        squares = np.sum(np.square(values - np.mean(values))) + np.sum(np.square(values))
    return not np.isfinite(squares)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(prog="skgd", description="Gradient-descent estimators, from the command line.")
    parser.add_argument("--version", action="version", version=f"skgd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in _COMMANDS:
        try:
            module = importlib.import_module(f"skgd.cli.{name}")
        except ImportError:
            continue
        module.add_parser(sub)
    parser.commands = sub.choices  # the subcommands' parsers, for their own error lines
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``skgd`` command; returns the exit status.

    0 on success; 2 with one line on stderr for bad input; 130 with one
    line after Ctrl-C; 1 with one line for an error skgd did not foresee
    (a bug: please report it).
    """
    name = "skgd"
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(argv)
        name = f"skgd {args.command}"
        if extra:
            # argparse reports these from the top parser; the subcommand's own
            # line points to the right --help
            parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
        import numpy as np

        # The commands check for overflow themselves and report it in one line;
        # numpy's warnings would print several lines first (RuntimeWarning).
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`skgd growth | head -1`): as other commands do,
        # stop quietly; stdout is pointed at devnull so that Python's flush at
        # exit does not report the closed pipe again
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (UsageError, ValueError, OSError, KeyError) as exc:
        print(f"{name}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - never a traceback, even for a bug
        print(
            f"{name}: internal error: {type(exc).__name__}: {_one_line(exc)} (please report it)",
            file=sys.stderr,
        )
        return 1


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
