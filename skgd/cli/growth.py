"""``skgd growth``: fit exponential growth to counts over time and say what the fit means.

Three reports: one exponential over a window (the default), the growth rate
over sliding windows (``--window N``), and the peak between a growth and a
decline phase (``--split``). Without a file it uses the bundled 1978
boarding-school influenza outbreak; its single fit uses days 1 to 5: on the
log scale the counts rise by about one unit a day up to day 5 and flatten on
day 6 (the peak, when many of the 763 boys are already ill).
"""

from __future__ import annotations

import argparse
import textwrap
import warnings

import numpy as np

from ..linear_model import _growth_stats as gs
from ..linear_model._growth_stats import fmt
from . import UsageError, check_output, finite_float, picture_formats
from . import _growth_report as report
from ._growth_over_time import MODELS, check_counts, print_header, run_split, run_windows, time_word
from ._series_csv import bundled_flu, parse_bound, read_count_series

#: The bundled outbreak's growth phase (see the module docstring).
DEFAULT_WINDOW = (1.0, 5.0)
LOSSES = ("poisson", "log_squared_error", "squared_error")


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "growth",
        help="fit exponential growth I(t) = I0 exp(r t) to counts",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Fit ExponentialGrowthRegressor to counts over time and print the growth rate r,\n"
            "the initial value I0 and the doubling time with confidence intervals, saying\n"
            "how they were computed. --window N gives r over sliding windows of N days,\n"
            "--split the peak between a growth and a decline phase.\n\n"
            "Without FILE: the bundled 1978 boarding-school influenza outbreak, days 1-5\n"
            "(its exponential phase; the peak is on day 6), or days 1-14 with --window or\n"
            "--split."
        ),
        epilog=(
            "The time column may hold numbers or ISO dates (YYYY-MM-DD); without --time it is\n"
            "the first column of dates, else a column named date/day/time/week, else the\n"
            "first column. Dates are read as days. A file without a header row is read as\n"
            "data, its columns numbered 1, 2, ...\n\n"
            "examples:\n"
            "  skgd growth\n"
            "  skgd growth cases.csv --start 2024-03-01 --end 2024-03-14\n"
            "  skgd growth cases.csv --window 7 --generation-time 5.2 1.7\n"
            "  skgd growth cases.csv --split --plot peak.png"
        ),
    )
    parser.add_argument("file", nargs="?", metavar="FILE.csv", help="CSV file of counts over time")
    parser.add_argument("--time", metavar="COL", help="time column (default: detected, see below)")
    parser.add_argument(
        "--count", metavar="COL", help="count column (default: the first numeric other column)"
    )
    parser.add_argument(
        "--start",
        metavar="T",
        help="first time used (inclusive): a date (YYYY-MM-DD), or a number; with dates a "
        "number is a day counted from the first date (day 0)",
    )
    parser.add_argument("--end", metavar="T", help="last time used (inclusive), as --start")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--window",
        type=finite_float,
        metavar="N",
        help="print the growth rate over sliding windows of N time units (days for dates)",
    )
    mode.add_argument(
        "--split",
        action="store_true",
        help="find the peak: the split between a growth and a decline phase with the "
        "largest joint Poisson likelihood",
    )
    parser.add_argument("--loss", choices=LOSSES, default="poisson", help="default: poisson")
    parser.add_argument(
        "--level", type=finite_float, default=0.95, help="confidence level (default: 0.95)"
    )
    parser.add_argument(
        "--generation-time",
        nargs=2,
        type=finite_float,
        metavar=("MEAN", "SD"),
        help="also print the reproduction number R for a gamma generation interval",
    )
    parser.add_argument(
        "--plot", metavar="OUT.png", help="draw the data and the fit (needs matplotlib)"
    )
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    if not 0.0 < args.level < 1.0:
        raise UsageError(f"--level must be between 0 and 1; got {args.level:g}")
    if args.window is not None and not (np.isfinite(args.window) and args.window > 0):
        raise UsageError(f"--window must be a positive number of time units; got {args.window:g}")
    if args.split and args.loss != "poisson":
        raise UsageError("--split compares Poisson likelihoods; it needs --loss poisson")
    if args.generation_time is not None:
        mean, sd = args.generation_time
        if not (mean > 0 and sd >= 0):
            raise UsageError(
                f"--generation-time needs a mean > 0 and an sd >= 0; got {mean:g} {sd:g}"
            )
    if args.plot:
        check_output("--plot", args.plot, formats=picture_formats())
    if args.file is None:
        series = bundled_flu()
        whole = args.window is not None or args.split
        start = args.start if args.start is not None or whole else f"{DEFAULT_WINDOW[0]:g}"
        end = args.end if args.end is not None or whole else f"{DEFAULT_WINDOW[1]:g}"
    else:
        series = read_count_series(args.file, args.time, args.count)
        start, end = args.start, args.end
    keep = _window(series, parse_bound(start, series, "--start"), parse_bound(end, series, "--end"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.window is not None:
            figure = run_windows(args, series, keep)
        elif args.split:
            figure = run_split(args, series, keep)
        else:
            figure = _run_single(args, series, keep)
    for w in caught:
        # numpy's floating-point chatter is not a finding (overflow is checked
        # when the file is read); the estimators' own warnings are
        if not issubclass(w.category, RuntimeWarning):
            print(report.para("warning", str(w.message).splitlines()[0]))
    if args.plot:
        _save(figure, args.plot)
        print(report.para("plot", f"written to {args.plot}"))
    return 0


def _window(series, lo, hi):
    days = series.days()
    keep = (days >= (-np.inf if lo is None else lo)) & (days <= (np.inf if hi is None else hi))
    if keep.sum() < 2:
        span = "the whole file" if lo is None and hi is None else "the window"
        raise UsageError(
            f"{span} has {int(keep.sum())} row(s) between --start and --end; an exponential "
            "fit needs at least 2 (3 for intervals)"
        )
    return keep


# ------------------------------------------------------------------ one window
def _run_single(args, series, keep):
    from ..linear_model import ExponentialGrowthRegressor

    tw, yw = series.times[keep], series.counts[keep]
    check_counts(series, tw, yw, args.loss)
    repeated = int(np.sum(np.diff(np.sort(tw)) == 0))
    if repeated:
        # legitimate for repeated measurements of one curve, wrong for stacked
        # series (two regions), which a pooled fit silently averages
        warnings.warn(
            f"{repeated} row(s) repeat a time already in the data: they are fitted as "
            "repeated observations of one curve; if they are separate series (such as "
            "regions), add up the counts per time or fit each series on its own",
            UserWarning,
            stacklevel=2,
        )
    model = ExponentialGrowthRegressor(loss=args.loss).fit(tw.reshape(-1, 1), yw)
    ci = model.confidence_interval(level=args.level)
    unit, pct = series.unit, f"{100 * args.level:g}%"
    at = f"at {series.label(model.time_origin_) if series.dated else series.point(0)}"
    reproduction = None
    if args.generation_time is not None:
        # computed before anything is printed: an error (R beyond float64)
        # must not follow half a report
        mean, sd = args.generation_time
        r_lo, r_hi = ci.loc["growth_rate", ["lower", "upper"]]
        # R is increasing in r, so the rate's interval maps to R's
        reproduction = [
            model.reproduction_number(mean, sd, growth_rate=r)
            for r in (model.growth_rate_, r_lo, r_hi)
        ]
    print_header(
        "Exponential growth fit",
        series,
        keep,
        f"{series.count_symbol} = I0 * exp(r * {time_word(series)}), {MODELS[args.loss]}",
    )
    print(f"  {'':<18}{'estimate':>10}   {pct} interval")
    for label, key, suffix in [
        ("growth rate r", "growth_rate", f" per {unit}"),
        ("initial value I0", "initial_value", f" {at}"),
    ]:
        row = ci.loc[key]
        print(
            f"  {label:<18}{fmt(row['estimate']):>10}   "
            f"[{fmt(row['lower'])}, {fmt(row['upper'])}]{suffix}"
        )
    row = ci.loc["doubling_time"]
    text = gs.describe_doubling_set(row["lower"], row["upper"], row["two_rays"], unit)
    if row["estimate"] < 0 and not row["two_rays"]:
        text += f"; negative: the counts halve every {fmt(-row['estimate'])} {unit}s"
    print(
        textwrap.fill(
            text,
            width=report.WIDTH,
            initial_indent=f"  {'doubling time':<18}{fmt(row['estimate']):>10}   ",
            subsequent_indent=" " * 33,
        )
    )
    if reproduction is not None:
        value, low, high = reproduction
        print(
            f"  {'R (W-L, gamma)':<18}{fmt(value):>10}   "
            f"[{fmt(low)}, {fmt(high)}]  generation time {mean:g} +- {sd:g} "
            f"{unit}s (Wallinga-Lipsitch)"
        )
    print(report.para("interval", report.interval_method(model, args.level)))
    print(report.para("dispersion", report.dispersion_words(model)))
    print(report.para("fit", _fit_quality(model, tw, yw, args.loss)))
    return _plot_single(model, series, keep) if args.plot else None


def _fit_quality(model, t, y, loss) -> str:
    from sklearn.metrics import mean_poisson_deviance

    pred = model.predict(t.reshape(-1, 1))
    positive = y > 0
    log_r2 = np.nan
    if positive.sum() > 1:
        resid = np.log(y[positive]) - np.log(pred[positive])
        centred = np.log(y[positive]) - np.log(y[positive]).mean()
        log_r2 = 1.0 - resid @ resid / (centred @ centred) if centred.any() else np.nan
    text = f"R^2 of log counts {fmt(log_r2)}"
    if loss == "poisson":
        text += f", mean Poisson deviance {fmt(mean_poisson_deviance(y, pred))}"
    return text


# ------------------------------------------------------------------ pictures
def _plot_single(model, series, keep):
    import matplotlib.pyplot as plt

    from ..plotting._growth import _date_ticks

    t, y = series.times, series.counts
    fig, ax = plt.subplots(figsize=(7, 4.5))
    if not keep.all():
        ax.scatter(t[~keep], y[~keep], color="0.6", label="outside the window")
    ax.scatter(t[keep], y[keep], color="C0", label="fitted window")
    if series.dated:
        grid = np.linspace(0.0, 1.0, 200) * (t[keep].max() - t[keep].min()) + t[keep].min()
    else:
        grid = np.linspace(t[keep].min(), t[keep].max(), 200)
    ci = model.confidence_interval()
    row = ci.loc["doubling_time"]
    doubling = gs.describe_doubling_set(row["lower"], row["upper"], row["two_rays"], series.unit)
    ax.plot(
        grid,
        model.predict(grid.reshape(-1, 1)),
        color="C1",
        label=f"fit: doubling time {fmt(model.doubling_time_)}\n95%: {doubling}",
    )
    if np.all(y > 0):
        ax.set_yscale("log")
    ax.set_xlabel("date" if series.dated else series.time_symbol)
    ax.set_ylabel(series.count_symbol)
    ax.set_title(series.source, fontsize=9)
    ax.legend(fontsize="small")
    _date_ticks(ax, t)
    fig.tight_layout()
    return fig


def _save(fig, path):
    import matplotlib.pyplot as plt

    try:
        fig.savefig(path)
    finally:
        plt.close(fig)
