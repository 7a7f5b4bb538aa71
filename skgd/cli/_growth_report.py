"""The words of ``skgd growth``'s reports: method, window, units, and what the dispersion means.

An epidemiologist should be able to read a report without the manual: every
report names the fitting method, the interval method, the rows used, the
units, and says in words what the dispersion did to the intervals.
"""

from __future__ import annotations

import textwrap

import numpy as np

from ..linear_model import _growth_stats as gs
from ..linear_model._growth_stats import fmt

#: Width of the reports' wrapped lines and the indent of their labels.
WIDTH, LABEL = 100, 14


def para(label: str, text: str) -> str:
    """``  label:  text`` wrapped under itself."""
    head = f"  {label + ':':<{LABEL - 2}}"
    return textwrap.fill(
        text,
        width=WIDTH,
        initial_indent=head,
        subsequent_indent=" " * LABEL,
        break_on_hyphens=False,
    )


def units(series) -> str:
    unit = series.unit
    column = series.time_column
    column = column if column.startswith("column") else f"column {column}"
    if series.dated:
        where = "dates are read as days"
    elif unit == "time unit":
        where = f"{column} is the time, in its own unit"
    else:
        where = f"{column} counts {unit}s"
    return (
        f"{where}; r is per {unit}, doubling times are in {unit}s (a negative doubling time "
        "is minus the halving time)"
    )


def rows_used(series, keep) -> str:
    """'day 1 to 5; 5 rows of 14', with the day numbers of dates spelled out."""
    times = series.times[keep]
    text = f"{series.point(times.min())} to {series.label(times.max())}"
    if series.dated:
        days = series.days(times)
        text += (
            f" (days {days.min():g} to {days.max():g} counted from "
            f"{series.label(series.times.min())}, the first date)"
        )
    n, total = int(np.sum(keep)), series.times.shape[0]
    return f"{text}; {n} rows" + (f" of {total}" if n < total else "")


def split_interval_method(level: float) -> str:
    return (
        f"{100 * level:g}% Wald intervals from each phase's Fisher information of the Poisson "
        "likelihood, widened by the phase's dispersion where it is above 1 (quasi-Poisson, "
        "Student's t on the phase's residual df); the doubling times are ln 2 / r at the ends "
        "of r's interval. They take the peak time as known"
    )


def interval_method(model, level: float) -> str:
    """How the intervals of one fit were made, in words."""
    phi, q = gs.scale_and_quantile(model._inference, "auto", level)
    df = model.df_resid_
    tail = "; the doubling times are ln 2 / r at the two ends of r's interval"
    if model.loss == "poisson":
        if phi > 1:
            return (
                f"Wald, from the Fisher information of the Poisson likelihood, widened by the "
                f"dispersion (quasi-Poisson): estimate +- {q:.3f} x sqrt({fmt(phi)}) Poisson "
                f"standard errors, {q:.3f} being Student's t quantile on {df:g} df" + tail
            )
        return (
            f"Wald, from the Fisher information of the Poisson likelihood: estimate +- "
            f"{q:.3f} standard errors (normal quantile)" + tail
        )
    what = "log counts" if model.loss == "log_squared_error" else "counts"
    return (
        f"least squares on {what}: estimate +- {q:.3f} standard errors from the residual "
        f"variance, {q:.3f} being Student's t quantile on {df:g} df" + tail
    )


def dispersion_words(model) -> str:
    """What the dispersion of one fit is and what it did to its intervals."""
    df, phi = model.df_resid_, model.dispersion_
    n_params = int(round(model._inference.unscaled_cov.shape[0]))
    if not df > 0 or not np.isfinite(phi):
        return (
            f"not estimated: {df + n_params:g} rows leave no residual degrees of freedom for "
            f"{n_params} parameters; plain Poisson intervals"
        )
    if model.loss != "poisson":
        what = "log counts" if model.loss == "log_squared_error" else "counts"
        return (
            f"residual variance of the {what} around the fit, {fmt(phi)} on {df:g} df: it "
            "sets the intervals' width"
        )
    head = (
        f"Pearson chi^2/df = {fmt(phi)} on {df:g} residual df ({df + n_params:g} rows - "
        f"{n_params} parameters), the variance of the counts relative to Poisson counts"
    )
    if phi > 1:
        return (
            f"{head}. Above 1: over-dispersed, the counts vary about {fmt(phi)} times as much "
            f"as Poisson counts would, so the intervals are widened {fmt(np.sqrt(phi))} times"
        )
    return (
        f"{head}. Not above 1: the counts vary no more than Poisson counts (under-dispersed "
        "when below 1); a dispersion below 1 is ignored, so the intervals are not narrowed"
    )


def doubling_set(lower: float, upper: float, two_rays: bool) -> str:
    """The doubling-time set without units: '[a, b]' or '<= a or >= b'."""
    if two_rays:
        parts = [f"<= {fmt(upper)}"] if np.isfinite(upper) else []
        parts += [f">= {fmt(lower)}"] if np.isfinite(lower) else []
        return " or ".join(parts) or "any"
    if np.isnan(lower):
        return ""
    return f"[{fmt(lower)}, {fmt(upper)}]"


def phases_dispersion(models: dict) -> str:
    """The dispersion of several Poisson fits (the phases of a split) in one sentence."""
    parts = [f"{name} {fmt(m.dispersion_)} on {m.df_resid_:g} df" for name, m in models.items()]
    over = [name for name, m in models.items() if m.dispersion_ > 1]
    text = (
        ", ".join(parts) + ": Pearson chi^2/df, the variance of the counts relative to "
        "Poisson counts."
    )
    if over:
        widened = ", ".join(
            f"{name} {fmt(np.sqrt(models[name].dispersion_))} times" for name in over
        )
        text += (
            f" Above 1 (over-dispersed) in {' and '.join(over)}: the counts vary more than "
            f"Poisson counts would, so those intervals are widened ({widened}; quasi-Poisson "
            "with Student's t)"
        )
    if len(over) < len(models):
        text += (
            "; a" if over else " A"
        ) + " dispersion not above 1 is ignored, so no interval is narrowed"
    return text


def windows_dispersion(rates) -> str:
    disp = rates["dispersion"].to_numpy(dtype=np.float64)
    known = np.isfinite(disp)
    over = int(np.sum(disp[known] > 1))
    return (
        f"Pearson chi^2/df of each window, the variance of the counts relative to Poisson "
        f"counts (range {fmt(np.nanmin(disp))} to {fmt(np.nanmax(disp))}). Above 1 in {over} of "
        f"{int(known.sum())} windows: there the counts vary more than Poisson counts, and the "
        "window's interval is widened by the square root (quasi-Poisson, Student's t); a "
        "dispersion below 1 is ignored, so no interval is narrowed"
    )


def table(header: list[str], rows: list[list[str]], right: set) -> list[str]:
    """Columns padded to their widest cell; those in ``right`` aligned right."""
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]

    def line(cells):
        return "  " + "  ".join(
            c.rjust(w) if j in right else c.ljust(w) for j, (c, w) in enumerate(zip(cells, widths))
        )

    return [line(header).rstrip(), *(line(r).rstrip() for r in rows)]
