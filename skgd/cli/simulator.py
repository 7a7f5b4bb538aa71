"""``skgd simulator``: write (and open) the interactive page of optimizer paths."""

from __future__ import annotations

import argparse

from . import UsageError, check_condition, check_output, finite_float


def add_parser(subparsers) -> None:
    from ..landscapes import LANDSCAPES
    from ..simulator import DEFAULTS

    parser = subparsers.add_parser(
        "simulator",
        help="write an interactive web page of optimizer paths on the test surfaces",
        description=(
            "Write one self-contained HTML file (inline JavaScript and CSS, works offline "
            "from file://): pick a surface, the optimizers and their settings, click to set "
            "the start, and watch the paths and loss curves; the step counts are "
            "skgd.minimize's."
        ),
    )
    parser.add_argument("--out", default="simulator.html", help="the file to write")
    parser.add_argument("--open", action="store_true", help="open it in the web browser")
    parser.add_argument(
        "--surface",
        default=DEFAULTS["surface"],
        help=f"the surface it opens on: one of {', '.join(LANDSCAPES)} "
        f"(default: {DEFAULTS['surface']})",
    )
    parser.add_argument(
        "--condition",
        type=finite_float,
        default=DEFAULTS["condition"],
        help=f"the quadratic's condition number it opens on (default: {DEFAULTS['condition']:g})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..simulator import write_page

    check_condition(args.condition)
    out = Path(check_output("--out", args.out))
    try:
        path = write_page(out, surface=args.surface, condition=args.condition)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise UsageError(f"--out {out}: cannot write it ({reason})") from None
    print(f"Wrote {path}")
    if args.open:
        import webbrowser

        if not webbrowser.open(path.resolve().as_uri()):
            print(f"No web browser found; open {path.resolve().as_uri()} yourself.")
    return 0
