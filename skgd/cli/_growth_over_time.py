"""``skgd growth --window`` and ``--split``: the growth rate over time and the peak.

Shared with the single fit in :mod:`skgd.cli.growth`: the checks of the
counts and the report's header.
"""

from __future__ import annotations

import numpy as np

from ..linear_model._growth_stats import fmt
from . import UsageError
from . import _growth_report as report

MODELS = {
    "poisson": "Poisson maximum likelihood (the Poisson GLM with log link)",
    "log_squared_error": "least squares on log counts",
    "squared_error": "least squares on the counts",
}


def check_counts(series, t, y, loss):
    """Name the offending times, which users know, rather than array positions."""
    bad = y < 0 if loss != "log_squared_error" else y <= 0
    if bad.any():
        what = "negative" if loss != "log_squared_error" else "zero or negative"
        times = ", ".join(series.label(v) for v in t[bad][:10])
        hint = " (use --loss poisson for zero counts)" if loss == "log_squared_error" else ""
        where = "" if series.dated else series.unit.replace("time unit", "time") + " "
        raise UsageError(
            f"counts must be {'> 0' if hint else '>= 0'}; {what} at {where}{times}{hint}"
        )
    if not y.any():
        raise UsageError("all counts in the window are 0: there is no growth to fit")


def time_word(series) -> str:
    return series.time_symbol


def print_header(title, series, keep, model_text):
    print(f"{title}: {series.source}")
    print(
        report.para(
            "data",
            f"counts {series.count_column} against {series.time_column}, "
            + report.rows_used(series, keep),
        )
    )
    for note in series.notes:
        print(report.para("note", note))
    print(report.para("units", report.units(series)))
    print(report.para("model", model_text))


# ------------------------------------------------------------------ sliding windows
def run_windows(args, series, keep):
    from .._growth_rates import growth_rates
    from ..linear_model import ExponentialGrowthRegressor

    tw, yw = series.times[keep], series.counts[keep]
    check_counts(series, tw, yw, args.loss)
    gen = tuple(args.generation_time) if args.generation_time is not None else None
    rates = growth_rates(
        tw,
        yw,
        args.window,
        level=args.level,
        generation_time=gen,
        estimator=ExponentialGrowthRegressor(loss=args.loss),
    )
    unit, pct = series.unit, f"{100 * args.level:g}%"
    print_header(
        f"Growth rate over sliding windows of {args.window:g} {unit}s",
        series,
        keep,
        f"in each window, {series.count_symbol} = I0 * exp(r * {time_word(series)}), "
        f"{MODELS[args.loss]}; "
        f"a window ending at time e holds the times in (e - {args.window:g}, e]; "
        f"{len(rates)} windows",
    )
    header = [
        "window end",
        "n",
        f"r per {unit}",
        f"{pct} CI",
        f"doubling ({unit}s)",
        f"{pct} CI (set)",
    ]
    if gen is not None:
        header += ["R", f"{pct} CI "]
    header += ["dispersion"]
    rows = []
    for _, row in rates.iterrows():
        cells = [
            series.label(_num(row["window_end"], series)),
            f"{row['n_obs']:d}",
            *_rate_cells(row),
        ]
        if gen is not None:
            cells += _r_cells(row)
        cells.append(fmt(row["dispersion"]))
        rows.append(cells)
    right = {1, 2, 4, len(header) - 1} | ({6} if gen is not None else set())
    for line in report.table(header, rows, right):
        print(line)
    rays = int(rates["two_rays"].sum())
    if rays:
        print(
            report.para(
                "two rays",
                f"in {rays} window(s) r's interval contains 0: the doubling time is then either "
                "<= the negative end (decline, halving at least that slowly) or >= the positive "
                "end (growth, doubling at least that slowly), including no growth at all",
            )
        )
    if gen is not None:
        print(
            report.para(
                "R",
                "from r by Wallinga and Lipsitch's formula for a gamma generation interval of "
                f"mean "
                f"{gen[0]:g} and sd {gen[1]:g} {unit}s; its interval maps r's",
            )
        )
    print(
        report.para(
            "interval",
            f"{pct} Wald intervals from each window's Fisher information of the Poisson "
            "likelihood (least squares for the other losses); the doubling times are ln 2 / r "
            "at the ends of r's interval",
        )
    )
    if args.loss == "poisson":
        print(report.para("dispersion", report.windows_dispersion(rates)))
    if not args.plot:
        return None
    from ..plotting import GrowthRateDisplay

    return GrowthRateDisplay.from_rates(rates, title=series.source).figure_


def _rate_cells(row) -> list[str]:
    """r, its interval, the doubling time and its set, as printed in the tables."""
    return [
        fmt(row["growth_rate"]),
        f"[{fmt(row['growth_rate_lower'])}, {fmt(row['growth_rate_upper'])}]",
        fmt(row["doubling_time"]),
        report.doubling_set(
            row["doubling_time_lower"], row["doubling_time_upper"], row["two_rays"]
        ),
    ]


def _r_cells(row) -> list[str]:
    return [
        fmt(row["reproduction_number"]),
        f"[{fmt(row['reproduction_number_lower'])}, {fmt(row['reproduction_number_upper'])}]",
    ]


def _num(value, series):
    """A table cell back to the series' time (a Timestamp stays a date)."""
    return np.datetime64(value.to_datetime64()) if series.dated else float(value)


# ------------------------------------------------------------------ the peak
def run_split(args, series, keep):
    from .._growth_peak import growth_peak

    tw, yw = series.times[keep], series.counts[keep]
    check_counts(series, tw, yw, args.loss)
    gen = tuple(args.generation_time) if args.generation_time is not None else None
    peak = growth_peak(tw, yw, level=args.level, generation_time=gen)
    unit, pct = series.unit, f"{100 * args.level:g}%"
    print_header(
        "Peak between a growth and a decline phase",
        series,
        keep,
        f"{series.count_symbol} = I0 * exp(r * {time_word(series)}) up to the split and "
        "another exponential "
        "from it (the split's row belongs to both, as in R's incidence package), each by "
        "Poisson maximum likelihood; the peak is the split with the largest sum of the two "
        "log-likelihoods",
    )
    profile = peak.splits.dropna().sort_values("log_likelihood", ascending=False)
    best = profile["log_likelihood"].iloc[0]
    others = profile.iloc[1:3]
    text = (
        f"{series.point(_num(peak.peak_time, series))} ({peak.peak_count:g} {series.count_symbol})"
    )
    if len(others):
        names = " and ".join(series.point(_num(v, series)) for v in others["split"])
        drops = " and ".join(f"{best - v:.1f}" for v in others["log_likelihood"])
        text += f"; next best splits: {names}, with log-likelihoods lower by {drops}"
    rates = peak.table["growth_rate"]
    real_peak = bool(rates.loc["growth"] > 0 > rates.loc["decline"])
    if not real_peak:
        # say it first, not in a warning at the end under a headline "peak"
        text = (
            "none found: the best split does not separate a rise from a fall (r "
            f"{fmt(rates.loc['growth'])} before, {fmt(rates.loc['decline'])} after); the "
            f"best split is at {text}"
        )
    print(report.para("peak", text))
    for phase, row in peak.table.iterrows():
        if not real_peak:
            phase = {"growth": "before the split:", "decline": "after the split:"}[phase]
        else:
            phase = f"{phase} phase:"
        print(
            f"  {phase} {series.label(_num(row['start'], series))} to "
            f"{series.label(_num(row['end'], series))} ({row['n_obs']:d} rows)"
        )
        r, r_ci, dt, dt_set = _rate_cells(row)
        print(f"    {'growth rate r':<16}{r:>10}   {pct} CI {r_ci} per {unit}")
        print(f"    {'doubling time':<16}{dt:>10}   {pct} CI {dt_set} {unit}s")
        if gen is not None:
            value, value_ci = _r_cells(row)
            print(f"    {'R':<16}{value:>10}   {pct} CI {value_ci}")
        print(f"    {'dispersion':<16}{fmt(row['dispersion']):>10}")
    decline = peak.table.loc["decline"]
    if real_peak and not decline["two_rays"]:
        print(
            report.para(
                "halving",
                f"after the peak the counts halve every {fmt(-decline['doubling_time'])} "
                f"{unit}s ({pct} interval {fmt(-decline['doubling_time_upper'])} to "
                f"{fmt(-decline['doubling_time_lower'])})",
            )
        )
    print(report.para("interval", report.split_interval_method(args.level)))
    models = {"growth": peak.growth, "decline": peak.decline}
    print(report.para("dispersion", report.phases_dispersion(models)))
    if not args.plot:
        return None
    from ..plotting import GrowthPeakDisplay

    return GrowthPeakDisplay.from_peak(
        peak, count_label=series.count_name, title=series.source
    ).figure_
