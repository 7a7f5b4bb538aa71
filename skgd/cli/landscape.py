"""``skgd landscape``: optimizer paths drawn on a 2-D test surface, saved as a PNG."""

from __future__ import annotations

import argparse
import difflib

from . import UsageError, check_condition, check_output, finite_float, picture_formats

#: More updates than a picture can show; also bounds the memory of the paths.
MAX_STEPS = 1_000_000


def add_parser(subparsers) -> None:
    from ..landscapes import LANDSCAPES

    parser = subparsers.add_parser(
        "landscape",
        help="draw optimizer paths on a 2-D test surface",
        description=(
            "Run skgd.minimize with each optimizer from the same start on a test surface "
            "and draw the contours and paths to a PNG (needs matplotlib: pip install skgd[plot])."
        ),
    )
    parser.add_argument("name", help=f"the surface: one of {', '.join(sorted(LANDSCAPES))}")
    parser.add_argument(
        "--optimizer",
        default="sgd,momentum,adam",
        help="comma-separated optimizer names (default: sgd,momentum,adam)",
    )
    parser.add_argument(
        "--learning-rate",
        default=None,
        help="one value, or one per optimizer separated by commas "
        "(default: a rate at which plain GD is stable on this surface)",
    )
    parser.add_argument("--steps", type=int, default=500, help="updates per optimizer")
    parser.add_argument("--start", default=None, help="x,y (default: the surface's start)")
    parser.add_argument("--condition", type=finite_float, default=10.0, help="for quadratic only")
    parser.add_argument("--out", default=None, help="the PNG to write (default: NAME.png)")
    parser.set_defaults(run=run)


def _floats(text: str, what: str) -> list[float]:
    import math

    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"{what} must be numbers separated by commas; got {text!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise UsageError(f"{what} must be finite numbers; got {text!r}")
    return values


def _plan(args: argparse.Namespace):
    """(surface, start, [(optimizer name, learning rate)]) from the arguments."""
    import numpy as np

    from ..landscapes import LANDSCAPES
    from ..optimizers import resolve_optimizer

    if args.name not in LANDSCAPES:
        hint = difflib.get_close_matches(args.name, LANDSCAPES, n=1)
        extra = f"; did you mean {hint[0]!r}?" if hint else ""
        raise UsageError(
            f"unknown surface {args.name!r}{extra} Choose from {', '.join(sorted(LANDSCAPES))}."
        )
    surface = (
        LANDSCAPES[args.name](condition=check_condition(args.condition))
        if args.name == "quadratic"
        else LANDSCAPES[args.name]()
    )
    names = [n.strip() for n in args.optimizer.split(",") if n.strip()]
    if not names:
        raise UsageError("--optimizer needs at least one name")
    for name in names:
        resolve_optimizer(name)  # a ValueError with a did-you-mean hint
    if args.learning_rate is None:
        rates = [surface.learning_rate] * len(names)
    else:
        rates = _floats(args.learning_rate, "--learning-rate")
        if len(rates) == 1:
            rates = rates * len(names)
        if len(rates) != len(names):
            raise UsageError(f"--learning-rate has {len(rates)} values for {len(names)} optimizers")
    if any(not (r > 0) for r in rates):
        raise UsageError("--learning-rate values must be > 0")
    if not 1 <= args.steps <= MAX_STEPS:
        raise UsageError(f"--steps must be between 1 and {MAX_STEPS:,}; got {args.steps}")
    start = surface.start if args.start is None else np.array(_floats(args.start, "--start"))
    if start.shape != (2,):
        raise UsageError(f"--start needs two numbers x,y; got {args.start!r}")
    return surface, start, list(zip(names, rates))


def run(args: argparse.Namespace) -> int:
    surface, start, plan = _plan(args)
    out = check_output("--out", args.out or f"{args.name}.png", formats=picture_formats())
    from .. import minimize

    results = []
    for name, rate in plan:
        res = minimize(surface, start, optimizer=name, learning_rate=rate, max_iter=args.steps)
        results.append((name, rate, res))
        print(
            f"{name:>10} lr={rate:<8g} steps={res.nit:<6d} f={res.fun:<12.6g} "
            f"x=({res.x[0]:.4f}, {res.x[1]:.4f}) "
            f"distance to nearest minimum {surface.distance_to_minimum(res.x):.2e}"
            + ("" if res.status != 2 else "  [diverged]")
        )

    import matplotlib.pyplot as plt

    from ..plotting import LandscapeDisplay

    fig, ax = plt.subplots(figsize=(7.5, 6))
    LandscapeDisplay.from_function(
        surface,
        paths={f"{name} (lr={rate:g})": res.path for name, rate, res in results},
        ax=ax,
    )
    ax.set_title(ax.get_title(), fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    print(f"Wrote {out}")
    return 0
