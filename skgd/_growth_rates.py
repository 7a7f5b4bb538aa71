"""``skgd.growth_rates``: the growth rate r(t) over sliding windows of a count series."""

from __future__ import annotations

import warnings

import numpy as np

from . import _growth_series as gseries

#: The columns of growth_rates' table, in order (R's only with a generation time).
COLUMNS = [
    "window_start",
    "window_end",
    "n_obs",
    "growth_rate",
    "std_error",
    "growth_rate_lower",
    "growth_rate_upper",
    "doubling_time",
    "doubling_time_lower",
    "doubling_time_upper",
    "two_rays",
    "dispersion",
    "reproduction_number",
    "reproduction_number_lower",
    "reproduction_number_upper",
]


def growth_rates(
    times,
    counts,
    window=7,
    *,
    level: float = 0.95,
    dispersion="auto",
    generation_time=None,
    estimator=None,
):
    """The exponential growth rate over sliding windows: r(t) with its interval.

    Each window is fitted on its own with
    :class:`~skgd.ExponentialGrowthRegressor` (by default the Poisson GLM with
    log link, the maximum-likelihood fit for counts), as one would fit
    ``I(t) = I0 exp(r t)`` by hand to every stretch of ``window`` days.
    Windows end at each observed time, from the first at which a whole window
    is covered by the data to the last time.

    Parameters
    ----------
    times : array-like of shape (n_times,)
        Numbers, or dates (numpy ``datetime64``, a pandas datetime Series or
        index, ``datetime.date`` objects). Dates are read as days, so rates
        are per day. Need not be sorted; each time may appear once.
    counts : array-like of shape (n_times,)
        Counts (cases, admissions, ...) at those times, >= 0.
    window : float or timedelta, default=7
        Length of each window in the time unit (days for dates; a
        ``datetime.timedelta`` or ``pandas.Timedelta`` is converted to days).
        A window ending at time ``e`` holds the times in ``(e - window, e]``:
        7 days of daily data, 4 weeks of weekly data with ``window=28``. It
        must hold at least 3 observations, the fewest with a residual
        degree of freedom for the interval.
    level : float, default=0.95
        Confidence level of the intervals, in (0, 1).
    dispersion : {'auto', 'pearson'} or float, default='auto'
        How the intervals treat extra-Poisson variation, as in
        :meth:`ExponentialGrowthRegressor.confidence_interval`: ``'auto'``
        widens them by the window's Pearson dispersion when it exceeds 1
        (quasi-Poisson with Student's t), and never narrows them.
    generation_time : tuple of (float, float), default=None
        Mean and standard deviation of a gamma-distributed generation
        interval, in the time unit. When given, the table also holds the
        reproduction number R and its interval (Wallinga & Lipsitch, 2007).
    estimator : ExponentialGrowthRegressor, default=None
        The model fitted to each window (cloned); None is
        ``ExponentialGrowthRegressor()``. Pass one to change the loss.

    Returns
    -------
    rates : pandas.DataFrame
        One row per window: ``window_start`` and ``window_end`` (the first and
        last observed time in the window, dates for dated input), ``n_obs``,
        ``growth_rate`` with ``std_error``, ``growth_rate_lower`` and
        ``growth_rate_upper``, ``doubling_time`` with the set of doubling
        times ``doubling_time_lower`` / ``doubling_time_upper`` / ``two_rays``
        (as in ``confidence_interval``: when the rate's interval contains 0
        the set is the two rays ``(-inf, upper] U [lower, +inf)``), the
        Pearson ``dispersion``, and ``reproduction_number`` with its interval
        when ``generation_time`` is given. A window whose counts give no
        estimate (all 0, or all on its first or last time) has NaN there and
        a warning says which. ``rates.attrs`` holds ``level``, ``window``,
        ``time_unit`` and ``time_origin``.

    See Also
    --------
    growth_peak : The peak, from a fit of a growth and a decline phase.
    skgd.plotting.GrowthRateDisplay : Plot r(t) with its band.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgd import growth_rates
    >>> from skgd.datasets import load_boarding_school_flu
    >>> flu = load_boarding_school_flu(dated=True, as_frame=True).frame
    >>> rates = growth_rates(flu["date"], flu["in_bed"], window=7)
    >>> cols = ["growth_rate", "growth_rate_lower", "growth_rate_upper"]
    >>> rates.set_index("window_end")[cols].round(3)  # doctest: +NORMALIZE_WHITESPACE
                growth_rate  growth_rate_lower  growth_rate_upper
    window_end
    1978-01-28        0.519              0.200              0.838
    1978-01-29        0.330              0.034              0.627
    1978-01-30        0.166             -0.086              0.419
    1978-01-31        0.006             -0.196              0.208
    1978-02-01       -0.156             -0.289             -0.024
    1978-02-02       -0.283             -0.417             -0.150
    1978-02-03       -0.387             -0.551             -0.222
    1978-02-04       -0.520             -0.681             -0.359

    The rate falls through 0 at the peak (27 January, day 6). Where its
    interval contains 0 the doubling time is two rays:

    >>> row = rates.loc[3]
    >>> round(float(row["doubling_time_lower"]), 2), round(float(row["doubling_time_upper"]), 2)
    (3.33, -3.53)
    >>> bool(row["two_rays"])
    True
    """
    import pandas as pd

    estimator = gseries.check_options(level, generation_time, estimator)
    series = gseries.check_series(times, counts)
    width = _window_length(window)
    t, y = series.t, series.y
    step = float(np.min(np.diff(t))) if t.shape[0] > 1 else 1.0
    tol = 1e-9 * step
    if width <= 2 * step + tol:
        raise ValueError(
            f"window={window!r} holds at most 2 observations of data spaced {step:g} apart; "
            f"an interval needs at least 3 (window > {2 * step:g})."
        )
    ends = np.flatnonzero(t >= t[0] + width - step - tol)
    if ends.size == 0:
        raise ValueError(
            f"The data span {series.label(t[0])} to {series.label(t[-1])}, shorter than one "
            f"window of {width:g} {series.unit}s; use a smaller window."
        )
    rows, skipped = [], []
    for end in ends:
        inside = (t > t[end] - width + tol) & (t <= t[end])
        tw, yw = t[inside], y[inside]
        reason = "fewer than 3 observations" if tw.shape[0] < 3 else None
        reason = reason or gseries.no_estimate_reason(tw, yw)
        if reason is not None:
            skipped.append(f"{series.label(tw[-1])} ({reason})")
            rows.append(gseries.empty_row(series, tw, generation_time))
            continue
        try:
            model = gseries.fit_stretch(estimator, tw, yw)
        except ValueError as exc:
            # the estimator names rows of the window; say which window they belong to
            raise ValueError(f"In the window ending {series.label(tw[-1])}: {exc}") from None
        rows.append(
            gseries.describe_fit(
                model,
                series,
                tw,
                yw,
                level=level,
                dispersion=dispersion,
                generation_time=generation_time,
            )
        )
    if skipped:
        warnings.warn(
            f"{len(skipped)} window(s) have no growth rate (NaN in the table): ending "
            + ", ".join(skipped[:5])
            + (" ..." if len(skipped) > 5 else ""),
            UserWarning,
            stacklevel=2,
        )
    frame = pd.DataFrame(rows).rename(columns={"start": "window_start", "end": "window_end"})
    frame = frame[[c for c in COLUMNS if c in frame.columns]]
    frame.attrs.update(
        level=float(level), window=width, time_unit=series.unit, time_origin=series.origin
    )
    return frame


def _window_length(window) -> float:
    """The window in the time unit: a positive number, or a timedelta in days."""
    import pandas as pd

    if isinstance(window, (pd.Timedelta, np.timedelta64)) or hasattr(window, "total_seconds"):
        return float(pd.Timedelta(window) / pd.Timedelta(days=1))
    if isinstance(window, bool) or not isinstance(window, (int, float, np.number)):
        raise ValueError(f"window must be a positive number or a timedelta; got {window!r}.")
    if not (np.isfinite(window) and window > 0):
        raise ValueError(f"window must be positive; got {window!r}.")
    return float(window)
