"""``skgd.growth_peak``: the peak of an epidemic curve, from a growth phase and a decline phase."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaln

from . import _growth_series as gseries


@dataclass(frozen=True)
class GrowthPeak:
    """The result of :func:`growth_peak`: the peak and the two exponential phases.

    Attributes
    ----------
    peak_time : float or pandas.Timestamp
        The split that maximizes the joint likelihood: the last time of the
        growth phase and the first of the decline phase (a date for dated
        input).
    peak_count : float
        The count observed at ``peak_time``.
    growth, decline : ExponentialGrowthRegressor
        The two fitted phases, up to and from ``peak_time``. Each takes
        times as the input did (dates included) in ``predict``.
    table : pandas.DataFrame
        One row per phase (index ``growth``, ``decline``): ``start``, ``end``,
        ``n_obs``, ``growth_rate`` with ``std_error``, ``growth_rate_lower`` and
        ``growth_rate_upper``, ``doubling_time`` with its set
        (``doubling_time_lower``, ``doubling_time_upper``, ``two_rays``: see
        :meth:`ExponentialGrowthRegressor.confidence_interval`),
        ``dispersion``, and the reproduction number when a generation time
        was given. In the decline phase the doubling time is negative: minus
        the halving time.
    splits : pandas.DataFrame
        Every split tried, ``split`` and the joint Poisson
        ``log_likelihood`` (NaN where a phase has no estimate): the profile
        that ``peak_time`` maximizes.
    times : numpy.ndarray or pandas.DatetimeIndex
        The series' times, sorted (dates for dated input).
    counts : numpy.ndarray
        The counts in the same order.
    level : float
        Confidence level of the intervals.
    time_unit : str
        ``'day'`` for dates, else ``'time unit'``.
    """

    peak_time: object
    peak_count: float
    growth: object = field(repr=False)
    decline: object = field(repr=False)
    table: object = field(repr=False)
    splits: object = field(repr=False)
    times: object = field(repr=False)
    counts: object = field(repr=False)
    level: float = 0.95
    time_unit: str = "day"

    def __str__(self) -> str:
        from .linear_model._growth_stats import describe_doubling_set, fmt

        pct = f"{100 * self.level:g}%"
        lines = [f"peak at {_label(self.peak_time)} ({self.peak_count:g})"]
        for phase, row in self.table.iterrows():
            doubling = describe_doubling_set(
                row["doubling_time_lower"],
                row["doubling_time_upper"],
                row["two_rays"],
                self.time_unit,
            )
            lines.append(
                f"{phase:<8} {_label(row['start'])} to {_label(row['end'])}: "
                f"r = {fmt(row['growth_rate'])} per {self.time_unit}, {pct} CI "
                f"[{fmt(row['growth_rate_lower'])}, {fmt(row['growth_rate_upper'])}]; "
                f"doubling time {fmt(row['doubling_time'])}, {pct} CI {doubling}"
            )
        return "\n".join(lines)


def _label(value) -> str:
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else str(value)
    return f"{value:g}"


def growth_peak(
    times,
    counts,
    *,
    level: float = 0.95,
    dispersion="auto",
    min_points: int = 3,
    generation_time=None,
    estimator=None,
) -> GrowthPeak:
    """Find the peak: fit exponential growth before it and exponential decline after it.

    Every observed time with at least ``min_points`` observations on each
    side is tried as the split; for each, one
    :class:`~skgd.ExponentialGrowthRegressor` (Poisson) is fitted to the
    times up to the split and one to the times from it, and the split with
    the largest joint Poisson log-likelihood (the sum of the two phases')
    is the peak. As in the R package incidence's ``fit(split=...)``, the
    split's own observation belongs to both phases; incidence's
    ``fit_optim_split`` picks the split by the mean R^2 of log-linear
    fits instead, which ignores that counts are counts.

    Parameters
    ----------
    times : array-like of shape (n_times,)
        Numbers or dates (as in :func:`growth_rates`); each time once.
    counts : array-like of shape (n_times,)
        Counts at those times, >= 0.
    level : float, default=0.95
        Confidence level of the rates' intervals, in (0, 1).
    dispersion : {'auto', 'pearson'} or float, default='auto'
        As in :meth:`ExponentialGrowthRegressor.confidence_interval`. It
        affects the intervals only, not the choice of the peak.
    min_points : int, default=3
        Fewest observations in each phase (the split counted in both), >= 3
        so that each phase has an interval.
    generation_time : tuple of (float, float), default=None
        Mean and standard deviation of a gamma generation interval; adds each
        phase's reproduction number to ``table``.
    estimator : ExponentialGrowthRegressor, default=None
        The model fitted to each phase (cloned; its loss must be
        ``'poisson'``). None is ``ExponentialGrowthRegressor()``.

    Returns
    -------
    peak : GrowthPeak
        ``peak_time``, the two fitted phases, their ``table`` and the
        likelihood profile ``splits``.

    See Also
    --------
    growth_rates : r(t) over sliding windows.
    skgd.plotting.GrowthPeakDisplay : The counts with both phases drawn.

    Notes
    -----
    The intervals of the two rates are conditional on the chosen split (they
    do not include the uncertainty of the peak time). The profile in
    ``splits`` shows how sharply the data prefer one peak time over its
    neighbours. A phase is a single exponential: a curve that bends slowly
    over a long plateau is summarized less well, and its peak time is less
    certain.

    Examples
    --------
    >>> from skgd import growth_peak
    >>> from skgd.datasets import load_boarding_school_flu
    >>> X, y = load_boarding_school_flu(return_X_y=True)
    >>> peak = growth_peak(X[:, 0], y)
    >>> peak.peak_time, peak.peak_count
    (6.0, 293.0)
    >>> peak.table[["growth_rate", "growth_rate_lower", "growth_rate_upper"]].round(3)
             growth_rate  growth_rate_lower  growth_rate_upper
    growth         0.771              0.457              1.085
    decline       -0.344             -0.469             -0.218
    """
    import pandas as pd

    estimator = gseries.check_options(level, generation_time, estimator)
    if estimator.loss != "poisson":
        raise ValueError(
            "growth_peak compares splits by their Poisson likelihood; the estimator's loss "
            f"must be 'poisson', got {estimator.loss!r}."
        )
    if isinstance(min_points, bool) or not isinstance(min_points, (int, np.integer)):
        raise ValueError(f"min_points must be an integer >= 3; got {min_points!r}.")
    if min_points < 3:
        raise ValueError(f"min_points must be >= 3 (an interval needs 3); got {min_points}.")
    series = gseries.check_series(times, counts)
    t, y = series.t, series.y
    candidates = np.arange(min_points - 1, t.shape[0] - min_points + 1)
    if candidates.size == 0:
        raise ValueError(
            f"{t.shape[0]} observations are too few to split into two phases of at least "
            f"{min_points} (the split counts in both): at least {2 * min_points - 1} needed."
        )
    profile = np.array([_joint_loglik(estimator, t, y, k) for k in candidates])
    if not np.isfinite(profile).any():
        raise ValueError(
            "No split gives an estimate in both phases (the counts are 0 on one side of "
            "every split); check the counts."
        )
    best = int(candidates[np.nanargmax(profile)])
    phases = {"growth": slice(0, best + 1), "decline": slice(best, None)}
    fits, rows = {}, {}
    for name, part in phases.items():
        fits[name] = _fit_phase(estimator, series, t[part], y[part])
        rows[name] = gseries.describe_fit(
            fits[name],
            series,
            t[part],
            y[part],
            level=level,
            dispersion=dispersion,
            generation_time=generation_time,
        )
    table = pd.DataFrame.from_dict(rows, orient="index")
    if not (table.loc["growth", "growth_rate"] > 0 > table.loc["decline", "growth_rate"]):
        warnings.warn(
            "The best split does not separate a rise from a fall (growth rate "
            f"{table.loc['growth', 'growth_rate']:.3g} before, "
            f"{table.loc['decline', 'growth_rate']:.3g} after): the counts may have no peak.",
            UserWarning,
            stacklevel=2,
        )
    splits = pd.DataFrame({"split": series.as_times(t[candidates]), "log_likelihood": profile})
    return GrowthPeak(
        peak_time=series.as_times([t[best]])[0] if series.origin is not None else float(t[best]),
        peak_count=float(y[best]),
        growth=fits["growth"],
        decline=fits["decline"],
        table=table,
        splits=splits,
        times=series.as_times(t),
        counts=y.copy(),
        level=float(level),
        time_unit=series.unit,
    )


def _joint_loglik(estimator, t, y, k) -> float:
    """Poisson log-likelihood of the growth fit on [0, k] plus the decline fit on [k, n)."""
    total = 0.0
    for part in (slice(0, k + 1), slice(k, None)):
        tp, yp = t[part], y[part]
        if gseries.no_estimate_reason(tp, yp) is not None:
            return np.nan
        model = gseries.fit_stretch(estimator, tp, yp, quiet=True)
        mu = model.predict(tp.reshape(-1, 1))
        total += float(np.sum(yp * np.log(mu) - mu - gammaln(yp + 1.0)))
    return total


def _fit_phase(estimator, series, t, y):
    """The phase's final fit, on times as the caller gave them (dates stay dates)."""
    import pandas as pd
    from sklearn.base import clone

    if series.origin is None:
        return clone(estimator).fit(t.reshape(-1, 1), y)
    # a 1-d Series of dates: predict then takes dates without feature names
    return clone(estimator).fit(pd.Series(series.as_times(t)), y)
