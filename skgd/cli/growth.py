"""``skgd growth``: fit exponential growth to daily counts and print r, I0 and the doubling time.

Without a file it uses the bundled 1978 boarding-school influenza outbreak,
days 1 to 5: on the log scale the counts rise by about one unit a day up to
day 5 and flatten on day 6 (the peak, when many of the 763 boys are already
ill), so a single exponential fits only that window.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

from . import UsageError

#: The bundled outbreak's growth phase (see the module docstring).
DEFAULT_WINDOW = (1.0, 5.0)
LOSSES = ("poisson", "log_squared_error", "squared_error")


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "growth",
        help="fit exponential growth I(t) = I0 exp(r t) to counts",
        description=(
            "Fit ExponentialGrowthRegressor to counts over time and print the growth "
            "rate r, the initial value I0 and the doubling time, with confidence "
            "intervals. Without FILE: the bundled 1978 boarding-school influenza "
            "outbreak, days 1-5 (its exponential phase; the peak is on day 6)."
        ),
    )
    parser.add_argument("file", nargs="?", metavar="FILE.csv", help="CSV file with a header row")
    parser.add_argument("--time", metavar="COL", help="time column (default: the first)")
    parser.add_argument("--count", metavar="COL", help="count column (default: the second)")
    parser.add_argument("--start", type=float, help="first time of the growth window (inclusive)")
    parser.add_argument("--end", type=float, help="last time of the growth window (inclusive)")
    parser.add_argument("--loss", choices=LOSSES, default="poisson", help="default: poisson")
    parser.add_argument(
        "--level", type=float, default=0.95, help="confidence level (default: 0.95)"
    )
    parser.add_argument(
        "--generation-time",
        nargs=2,
        type=float,
        metavar=("MEAN", "SD"),
        help="also print the reproduction number for a gamma generation interval",
    )
    parser.add_argument("--plot", metavar="OUT.png", help="draw the data and the fit (matplotlib)")
    parser.set_defaults(run=run)
    return parser


def _read_csv(path: str, time: str | None, count: str | None):
    """(times, counts, time name, count name, description) from a CSV file."""
    import pandas as pd

    from . import read_csv

    frame = read_csv(path)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if time is None or count is None:
        if len(columns) < 2:
            raise UsageError(
                f"{path} has {len(columns)} column(s); it needs a time and a count column "
                "(choose them with --time and --count)"
            )
        time = columns[0] if time is None else time
        count = columns[1] if count is None else count
    for option, name in (("--time", time), ("--count", count)):
        if name not in columns:
            raise UsageError(f"{option} column {name!r} is not in {path} (columns: {columns})")
    values = {}
    for name in (time, count):
        numeric = pd.to_numeric(frame[name], errors="coerce")
        bad = numeric.isna().to_numpy()
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            # data row i is line i + 2 of the file (the header is line 1)
            raise UsageError(
                f"column {name!r} has {int(bad.sum())} missing or non-numeric value(s), "
                f"first on line {first + 2}: {frame[name].iloc[first]!r}"
            )
        values[name] = numeric.to_numpy(dtype=np.float64)
    return values[time], values[count], time, count, path


def _window(t, y, start, end, time_name):
    lo = -np.inf if start is None else start
    hi = np.inf if end is None else end
    keep = (t >= lo) & (t <= hi)
    if keep.sum() < 2:
        raise UsageError(
            f"the window {time_name} in [{lo:g}, {hi:g}] has {int(keep.sum())} row(s); "
            "an exponential fit needs at least 2 (3 for intervals)"
        )
    return keep


def _check_counts(t, y, loss, time_name):
    """Name the offending times, which users know, rather than array positions."""
    bad = y < 0 if loss != "log_squared_error" else y <= 0
    if bad.any():
        what = "negative" if loss != "log_squared_error" else "zero or negative"
        times = ", ".join(f"{v:g}" for v in t[bad][:10])
        hint = " (use --loss poisson for zero counts)" if loss == "log_squared_error" else ""
        raise UsageError(
            f"counts must be {'> 0' if hint else '>= 0'}; {what} at {time_name} {times}{hint}"
        )
    if not y.any():
        raise UsageError("all counts in the window are 0: there is no growth to fit")


def _fmt(value: float) -> str:
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    if np.isnan(value):
        return "nan"
    return f"{value:#.4g}".rstrip(".")


def run(args) -> int:
    from ..linear_model import ExponentialGrowthRegressor

    if not 0.0 < args.level < 1.0:
        raise UsageError(f"--level must be between 0 and 1; got {args.level:g}")
    if args.file is None:
        from ..datasets import load_boarding_school_flu

        flu = load_boarding_school_flu()
        t, y = flu.data[:, 0], flu.target
        time_name, count_name = "day", "in_bed"
        source = "bundled 1978 boarding-school influenza outbreak (763 boys)"
        start = DEFAULT_WINDOW[0] if args.start is None else args.start
        end = DEFAULT_WINDOW[1] if args.end is None else args.end
    else:
        t, y, time_name, count_name, source = _read_csv(args.file, args.time, args.count)
        start, end = args.start, args.end
    keep = _window(t, y, start, end, time_name)
    tw, yw = t[keep], y[keep]
    _check_counts(tw, yw, args.loss, time_name)

    model = ExponentialGrowthRegressor(loss=args.loss)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(tw.reshape(-1, 1), yw)
    ci = model.confidence_interval(level=args.level)
    pct = f"{100 * args.level:g}%"
    unit = time_name
    print(f"Exponential growth fit: {source}")
    print(
        f"  window: {time_name} {tw.min():g} to {tw.max():g} ({tw.shape[0]} rows), "
        f"counts {count_name!r}, loss={args.loss!r}"
    )
    print(f"  {'':<16}{'estimate':>12}   {pct} interval")
    rows = [
        ("growth rate r", "growth_rate", f" per {unit}"),
        ("initial value I0", "initial_value", f" at {time_name} 0"),
        ("doubling time", "doubling_time", f" {unit}s"),
    ]
    for label, key, suffix in rows:
        row = ci.loc[key]
        line = f"  {label:<16}{_fmt(row['estimate']):>12}   [{_fmt(row['lower'])}, "
        line += f"{_fmt(row['upper'])}]{suffix}"
        if key == "doubling_time" and not row["bounded"]:
            line += f"; unbounded: the rate's {pct} interval contains 0 (no growth)"
        if key == "doubling_time" and row["estimate"] < 0:
            line += f"; negative: the counts halve every {_fmt(-row['estimate'])} {unit}s"
        print(line)
    if args.generation_time is not None:
        mean, sd = args.generation_time
        r_lo, r_hi = ci.loc["growth_rate", ["lower", "upper"]]
        # R is increasing in r, so the rate's interval maps to R's
        values = [model.reproduction_number(mean, sd, growth_rate=r) for r in (r_lo, r_hi)]
        values.insert(0, model.reproduction_number(mean, sd))
        print(
            f"  {'R (W-L, gamma)':<16}{_fmt(values[0]):>12}   "
            f"[{_fmt(values[1])}, {_fmt(values[2])}]  generation time {mean:g} +- {sd:g}"
        )
    _print_fit(model, tw, yw, args.loss)
    for w in caught:
        print(f"  warning: {str(w.message).splitlines()[0]}")
    if args.plot:
        _plot(args.plot, model, t, y, keep, time_name, count_name, source)
        print(f"  plot written to {args.plot}")
    return 0


def _print_fit(model, t, y, loss):
    from sklearn.metrics import mean_poisson_deviance

    pred = model.predict(t.reshape(-1, 1))
    positive = y > 0
    log_r2 = np.nan
    if positive.sum() > 1:
        resid = np.log(y[positive]) - np.log(pred[positive])
        centred = np.log(y[positive]) - np.log(y[positive]).mean()
        log_r2 = 1.0 - resid @ resid / (centred @ centred) if centred.any() else np.nan
    line = f"  fit: R^2 of log counts {_fmt(log_r2)}"
    if loss == "poisson":
        line += (
            f", mean Poisson deviance {_fmt(mean_poisson_deviance(y, pred))}"
            f", Pearson dispersion {_fmt(model.dispersion_)} on {model.df_resid_:g} df"
        )
        if model.dispersion_ > 1:
            line += " (intervals widened by it)"
    else:
        line += f", residual variance {_fmt(model.dispersion_)} on {model.df_resid_:g} df"
    print(line)


def _plot(path, model, t, y, keep, time_name, count_name, source):
    try:
        import matplotlib
    except ImportError:
        raise UsageError(
            "--plot needs matplotlib; install it with: pip install 'skgd[plot]'"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(t[~keep], y[~keep], color="0.6", label="outside the window")
    ax.scatter(t[keep], y[keep], color="C0", label="fitted window")
    grid = np.linspace(t[keep].min(), t[keep].max(), 200)
    ax.plot(
        grid,
        model.predict(grid.reshape(-1, 1)),
        color="C1",
        label=f"fit: doubling time {_fmt(model.doubling_time_)}",
    )
    if np.all(y > 0):
        ax.set_yscale("log")
    ax.set_xlabel(time_name)
    ax.set_ylabel(count_name)
    ax.set_title(source, fontsize=9)
    ax.legend()
    fig.tight_layout()
    try:
        fig.savefig(path)
    finally:
        plt.close(fig)
